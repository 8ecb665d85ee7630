"""What every cpmtok tokenizer offers: `encode`, `encode_batch`, `decode`, and the id <-> token maps.

Batch encoding across processes lives here once, for every family: forked workers inherit the
tokenizer (no reload, warm caches); where fork is missing each worker re-creates it from the
arguments `cpmtok.load` was given (`load_args`). The calling process encodes its share too; workers
return ids, and the caller wraps them into `Encoding`s whose tokens and offsets stay lazy.
"""

from __future__ import annotations

import multiprocessing
from abc import ABC, abstractmethod
from concurrent.futures import ProcessPoolExecutor
from typing import TYPE_CHECKING, Any, Iterable, Optional, Sequence

from .encoding import Encoding, Offset

if TYPE_CHECKING:
    from .decode import RoundTrip


def check_text(text: object) -> str:
    """Return `text` if it is a str; otherwise a TypeError that names the type received."""
    if not isinstance(text, str):
        raise TypeError(f"cpmtok encodes str, got {type(text).__name__}: {text!r:.80}")
    return text


class Tokenizer(ABC):
    """The public surface shared by the BERT WordPiece and CPM tokenizers."""

    name: str
    load_args: Optional[tuple[str, dict[str, Any]]] = None  # set by cpmtok.load, for worker processes

    def encode(self, text: str, *, add_special_tokens: bool = False) -> Encoding:
        """Encode one text; ids exactly as the reference gives them, tokens and offsets on demand."""
        ids = self.encode_ids(text, add_special_tokens=add_special_tokens)
        return Encoding(ids, text, source=self, add_special_tokens=add_special_tokens)

    @abstractmethod
    def encode_ids(self, text: str, *, add_special_tokens: bool = False) -> list[int]:
        """The ids alone (the fast path `encode` and `encode_batch` share)."""

    @abstractmethod
    def decode(self, ids: Sequence[int], **options: Any) -> str:
        """Text for ids."""

    def roundtrip(self, text: str) -> "RoundTrip":
        """Encode `text`, decode it back, and name every lossy span with its cause (cpmtok.decode.roundtrip)."""
        from .decode import roundtrip

        return roundtrip(self, check_text(text))

    @property
    @abstractmethod
    def vocab_size(self) -> int:
        """Number of ids the tokenizer can produce."""

    @abstractmethod
    def id_to_token(self, token_id: int) -> str:
        """The vocabulary entry of an id."""

    @abstractmethod
    def token_to_id(self, token: str) -> Optional[int]:
        """The id of a vocabulary entry, or None."""

    def tokens_of(self, ids: Sequence[int]) -> list[str]:
        """The vocabulary entries of ids (what `Encoding.tokens` asks for)."""
        return [self.id_to_token(i) for i in ids]

    @abstractmethod
    def offsets_of(self, text: str, ids: Sequence[int], add_special_tokens: bool) -> list[Offset]:
        """Spans into `text` for the ids `encode_ids(text, add_special_tokens=...)` gave (`Encoding.offsets`)."""

    def encode_batch(
        self,
        texts: Iterable[str],
        *,
        add_special_tokens: bool = False,
        workers: int = 1,
        chunk_size: int = 256,
    ) -> list[Encoding]:
        """Encode many texts, in order; `workers > 1` spreads chunks over that many processes.

        The calling process is one of the workers: it encodes chunks from the front while the others take
        them from the back, and it stops where they meet (a chunk it can still cancel is one nobody started).
        `chunk_size` is the smallest chunk; many texts make fewer, larger chunks (see _CHUNKS_PER_WORKER).
        """
        texts = [check_text(text) for text in texts]
        if workers <= 1 or len(texts) <= chunk_size:
            ids_per_text = _encode_ids(self, texts, add_special_tokens)
        else:
            ids_per_text = self._encode_ids_in_processes(texts, add_special_tokens, workers, chunk_size)
        return [Encoding(ids, text, source=self, add_special_tokens=add_special_tokens)
                for ids, text in zip(ids_per_text, texts)]

    def _encode_ids_in_processes(self, texts: list[str], add_special_tokens: bool, workers: int,
                                 chunk_size: int) -> list[list[int]]:
        chunk_size = max(chunk_size, -(-len(texts) // (workers * _CHUNKS_PER_WORKER)))
        chunks = [texts[i:i + chunk_size] for i in range(0, len(texts), chunk_size)]
        id_chunks: list[Optional[list[list[int]]]] = [None] * len(chunks)
        with _worker_pool(self, workers - 1) as pool:
            from_the_back = [pool.submit(_worker_encode, chunk, add_special_tokens) for chunk in reversed(chunks)]
            futures = from_the_back[::-1]  # futures[i] encodes chunks[i]
            try:
                for index, future in enumerate(futures):
                    if not future.cancel():
                        break
                    id_chunks[index] = _encode_ids(self, chunks[index], add_special_tokens)
                for index, future in enumerate(futures):
                    if id_chunks[index] is None:
                        id_chunks[index] = future.result()
            finally:  # after an error, the chunks nobody started are dropped rather than waited for
                for future in futures:
                    future.cancel()
        return [ids for chunk in id_chunks for ids in chunk]  # type: ignore[union-attr]


_CHUNKS_PER_WORKER = 16  # few, large chunks: the pool's feeder thread competes with the caller for the GIL
_worker_tokenizer: Optional[Tokenizer] = None


def _worker_pool(tokenizer: Tokenizer, workers: int) -> ProcessPoolExecutor:
    """Forked workers inherit `tokenizer` through the module global; spawned ones load it again."""
    global _worker_tokenizer
    if "fork" in multiprocessing.get_all_start_methods():
        _worker_tokenizer = tokenizer
        return ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork"))
    if tokenizer.load_args is None:
        raise ValueError("encode_batch(workers>1) without fork needs a tokenizer made by cpmtok.load")
    return ProcessPoolExecutor(workers, initializer=_worker_init, initargs=(tokenizer.load_args,))


def _worker_init(load_args: tuple[str, dict[str, Any]]) -> None:
    global _worker_tokenizer
    from .loader import load

    name_or_path, options = load_args
    _worker_tokenizer = load(name_or_path, **options)


def _encode_ids(tokenizer: Tokenizer, texts: list[str], add_special_tokens: bool) -> list[list[int]]:
    encode_ids = tokenizer.encode_ids
    return [encode_ids(text, add_special_tokens=add_special_tokens) for text in texts]


def _worker_encode(texts: list[str], add_special_tokens: bool) -> list[list[int]]:
    assert _worker_tokenizer is not None
    return _encode_ids(_worker_tokenizer, texts, add_special_tokens)
