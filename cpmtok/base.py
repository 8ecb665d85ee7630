"""What every cpmtok tokenizer offers: `encode`, `encode_batch`, `decode`, and the id <-> token maps.

`encode_batch` is `cpmtok.batch.encode_stream` wrapped into `Encoding`s whose tokens and offsets stay lazy.
A tokenizer made by `cpmtok.load` carries its `Recipe`, so it pickles small and rebuilds in another process.
"""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable, ClassVar, Iterable, Mapping, Optional, Sequence, Union

from .batch import encode_stream
from .decode import FamilyDecoding, RoundTrip, decode, roundtrip
from .encoding import Encoding, Offset
from .errors import UnsupportedText

if TYPE_CHECKING:
    import numpy as np


def check_text(text: object) -> str:
    """`text` as a plain str (a subclass's value, so none of its overridden methods ever runs); otherwise a
    TypeError that names the type received."""
    if not isinstance(text, str):
        raise TypeError(f"cpmtok encodes str, got {type(text).__name__}: {text!r:.80}")
    return text if type(text) is str else str.__str__(text)


_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def refuse_lone_surrogates(text: str, why: str) -> None:
    """UnsupportedText naming the first lone surrogate of `text` by its character offset, and `why`."""
    found = _LONE_SURROGATE.search(text)
    if found is not None:
        raise UnsupportedText(f"lone surrogate U+{ord(found.group()):04X} at character offset {found.start()}: {why}")


class Tokenizer(ABC):
    """The public surface shared by the BERT WordPiece and CPM tokenizers."""

    name: str
    family: ClassVar[str]  # "bert" or "cpm": a preset's family (presets.py)
    special_ids: dict[str, int]  # special token string -> id
    decoding: FamilyDecoding  # the family's decodes (bert/decode.py, cpm/decode.py)
    _PAD_TOKEN: ClassVar[str]
    _EOS_TOKEN: ClassVar[str]  # what the family's models end a text with
    _UNK_TOKEN: ClassVar[str]
    recipe: Optional["Recipe"] = None  # set by cpmtok.load: how to build this tokenizer again elsewhere

    def encode(self, text: str, *, add_special_tokens: bool = False) -> Encoding:
        """Encode one text; ids exactly as the reference gives them, tokens and offsets on demand."""
        text = check_text(text)
        ids = self.encode_ids(text, add_special_tokens=add_special_tokens)
        return Encoding(ids, text, source=self, add_special_tokens=add_special_tokens)

    @abstractmethod
    def encode_ids(self, text: str, *, add_special_tokens: bool = False) -> list[int]:
        """The ids alone (the fast path `encode` and `encode_batch` share)."""

    def decode(self, ids: Union[Sequence[int], Encoding], style: str = "natural", **options: Any) -> str:
        """Text for ids (or an Encoding) in a style of cpmtok.decode: natural (default), reference, source, ..."""
        return decode(self, ids, style=style, **options)

    def roundtrip(self, text: str) -> RoundTrip:
        """Encode `text`, decode it back, and name every lossy span with its cause (cpmtok.decode.roundtrip)."""
        return roundtrip(self, check_text(text))

    @property
    def pad_token_id(self) -> Optional[int]:
        return self.special_ids.get(self._PAD_TOKEN)

    @property
    def eos_token_id(self) -> Optional[int]:
        """The id the family's models end a text with (BERT [SEP], CPM <eod>)."""
        return self.special_ids.get(self._EOS_TOKEN)

    @property
    def unk_token_id(self) -> Optional[int]:
        return self.special_ids.get(self._UNK_TOKEN)

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

    def _tokens_of(self, ids: Sequence[int]) -> list[str]:
        """The vocabulary entries of ids (what `Encoding.tokens` asks for)."""
        return [self.id_to_token(i) for i in ids]

    @abstractmethod
    def _offsets_of(self, text: str, ids: Sequence[int], add_special_tokens: bool) -> list[Offset]:
        """Spans into `text` for the ids `encode_ids(text, add_special_tokens=...)` gave (`Encoding.offsets`)."""

    def encode_batch(
        self,
        texts: Iterable[str],
        *,
        add_special_tokens: bool = False,
        workers: int = 1,
        chunk_size: int = 256,
    ) -> list[Encoding]:
        """Encode many texts, in order; `workers > 1` spreads chunks over that many processes (the caller is one).

        The ids come from `cpmtok.batch.encode_stream`, which also serves streams too large to hold.
        """
        texts = list(texts)
        ids_per_text = encode_stream(self, texts, add_special_tokens=add_special_tokens, workers=workers,
                                     chunk_size=chunk_size)
        return [Encoding(ids, check_text(text), source=self,  # type: ignore[arg-type]
                         add_special_tokens=add_special_tokens) for ids, text in zip(ids_per_text, texts)]

    def pack(self, texts: Iterable[str], seq_length: int, *, tail: str = "pad", dtype: Any = "int32",
             add_special_tokens: bool = False, workers: int = 1) -> "np.ndarray":
        """Fixed-length LM windows: each text's ids then the separator (eos: [SEP] / <eod>), cut into
        `seq_length` rows of one array; the tail padded with the pad id (default) or dropped (cpmtok.packing)."""
        import numpy as np

        from .packing import pack

        if np.iinfo(np.dtype(dtype)).max < self.vocab_size - 1:
            raise ValueError(f"dtype {np.dtype(dtype)} cannot hold ids up to {self.vocab_size - 1}")
        ids = (encoding.ids for encoding in self.encode_batch(texts, add_special_tokens=add_special_tokens,
                                                               workers=workers))
        return pack(ids, seq_length, self.eos_token_id, tail=tail, pad_id=self.pad_token_id, dtype=dtype)

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickle by recipe: another process (a spawned worker, `datasets.map`, Dask) builds it again."""
        if self.recipe is None:
            raise TypeError(f"{type(self).__name__} {self.name!r} was not made by cpmtok.load, so it has no recipe "
                            "to be rebuilt from in another process; load it with cpmtok.load")
        return (self.recipe.build, ())


@dataclass(frozen=True)
class Recipe:
    """How `cpmtok.load` made a tokenizer: `load(name_or_path, **options)`, picklable (load by reference)."""

    load: Callable[..., Tokenizer]
    name_or_path: str
    options: Mapping[str, Any] = field(default_factory=dict)

    def build(self) -> Tokenizer:
        return self.load(self.name_or_path, **self.options)
