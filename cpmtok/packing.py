"""Fixed-length LM windows: documents' ids, each followed by the family's separator, cut into `seq_length` rows.

This is the form GPT-style pre-training reads: UER-py's `lm` processor ends each document with [SEP]
(`preprocess.py --seq_length`), CPM-Generate / Megatron (`--append-eod`) end it with <eod>, and
gpt2-quickly's `predata.py` cuts the concatenation into `block_size` rows. The separator is the
tokenizer's `eos_token_id` ([SEP] for BERT vocabularies, <eod> for CPM) unless one is given.

The tail (the last, partial window) is explicit:
- "pad" (default): filled with the pad id, as UER-py pads its last instance with [PAD] — no token of the
  corpus is lost (the project's rule), and the pad id marks where the data ends;
- "drop": left out, as gpt2-quickly's `predata.py` (`tokens[: block_size * n]`) and transformers'
  `group_texts` do;
- "keep": the streaming `Packer` hands it out as a shorter last row (one 2-D array cannot hold it).
"""

from __future__ import annotations

from typing import Iterable, Iterator, Optional, Sequence

import numpy as np

TAILS = ("pad", "drop", "keep")


def token_dtype(vocab_size: int) -> np.dtype:
    """uint16 when every id fits, else int32 (Megatron-Core's rule: uint16 below 65,500 entries)."""
    return np.dtype(np.uint16 if vocab_size < 65500 else np.int32)


class Packer:
    """Streaming packer: documents in (`add`), full windows out; `finish` handles the tail.

    Memory stays one window plus one document whatever the corpus size; `remainder` is the ids not yet in a
    window (what a resumed run carries over).
    """

    def __init__(self, seq_length: int, separator: Optional[int], *, tail: str = "pad",
                 pad_id: Optional[int] = None, dtype: np.dtype | type = np.int32,
                 remainder: Sequence[int] = ()) -> None:
        if seq_length < 1:
            raise ValueError(f"seq_length must be at least 1, got {seq_length}")
        if tail not in TAILS:
            raise ValueError(f"tail must be one of {', '.join(TAILS)}, got {tail!r}")
        if tail == "pad" and pad_id is None:
            raise ValueError("tail='pad' needs a pad id (the tokenizer has none): pass pad_id or tail='drop'")
        self.seq_length, self.separator, self.tail, self.pad_id = seq_length, separator, tail, pad_id
        self.dtype = np.dtype(dtype)
        self._buffer = np.empty(seq_length, self.dtype)
        self._filled = len(remainder)
        self._buffer[:self._filled] = remainder

    @property
    def remainder(self) -> list[int]:
        return self._buffer[:self._filled].tolist()

    def add(self, ids: Sequence[int]) -> Iterator[np.ndarray]:
        """Append one document (and the separator); yield each window it completes (copies)."""
        document = np.asarray(ids, dtype=self.dtype)
        if self.separator is not None:
            document = np.append(document, np.asarray(self.separator, self.dtype))
        start = 0
        while start < len(document):
            take = min(self.seq_length - self._filled, len(document) - start)
            self._buffer[self._filled:self._filled + take] = document[start:start + take]
            self._filled += take
            start += take
            if self._filled == self.seq_length:
                yield self._buffer.copy()
                self._filled = 0

    def finish(self) -> Iterator[np.ndarray]:
        """The tail as the policy says: one padded window, a shorter one ("keep"), or nothing."""
        if self._filled and self.tail != "drop":
            if self.tail == "pad":
                self._buffer[self._filled:] = self.pad_id
                yield self._buffer.copy()
            else:
                yield self._buffer[:self._filled].copy()
        self._filled = 0


def pack(documents: Iterable[Sequence[int]], seq_length: int, separator: Optional[int], *, tail: str = "pad",
         pad_id: Optional[int] = None, dtype: np.dtype | type = np.int32) -> np.ndarray:
    """All windows of `documents` as one (windows, seq_length) array; tail "pad" (default) or "drop"."""
    if tail == "keep":
        raise ValueError("tail='keep' gives a shorter last row, which one 2-D array cannot hold: use Packer")
    packer = Packer(seq_length, separator, tail=tail, pad_id=pad_id, dtype=dtype)
    windows = [window for ids in documents for window in packer.add(ids)]
    windows.extend(packer.finish())
    return np.stack(windows) if windows else np.empty((0, seq_length), packer.dtype)
