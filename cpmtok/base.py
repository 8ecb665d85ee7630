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
from .inputs import model_inputs
from .specials import Choice, SpecialPolicy, special_policy

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
    model_max_length: Optional[int] = None  # the model's context: from the preset or the folder's config
    padding_side: str = "right"  # `tok(..., padding=...)`'s default side
    model_input_names: tuple[str, ...] = ("input_ids", "attention_mask")  # the keys `tok(...)` returns
    default_allowed_special: frozenset[str] = frozenset()  # special strings the reference matches inside text

    def encode(self, text: str, *, add_special_tokens: bool = False, allowed_special: Choice = None,
               disallowed_special: Choice = ()) -> Encoding:
        """Encode one text; ids exactly as the reference gives them, tokens and offsets on demand.

        `allowed_special` / `disallowed_special`: which special strings inside the text ("[SEP]", "<eod>") are
        their special id, and which are an error (cpmtok.specials); the default is the reference's behaviour.
        """
        text = check_text(text)
        policy = self.special_policy(allowed_special, disallowed_special)
        if policy.allowed == self.default_allowed_special:
            policy.check(text)
            ids = self.encode_ids(text, add_special_tokens=add_special_tokens)
            return Encoding(ids, text, source=self, add_special_tokens=add_special_tokens)
        ids = self.encode_ids_with(text, policy)
        offsets = self._offsets_with(text, policy)
        if add_special_tokens:
            prefix, suffix = self.special_frame
            ids = [*prefix, *ids, *suffix]
            offsets = [*(None for _ in prefix), *offsets, *(None for _ in suffix)]
        return Encoding(ids, text, offsets=offsets, source=self)

    def special_policy(self, allowed_special: Choice = None, disallowed_special: Choice = ()) -> SpecialPolicy:
        """The special strings a call encodes as ids and the ones it refuses (cpmtok.specials)."""
        return special_policy(self.special_strings.keys(), self.default_allowed_special, allowed_special,
                              disallowed_special)

    def encode_ids_with(self, text: str, policy: SpecialPolicy) -> list[int]:
        """The ids of `text` (no special tokens added) with the special strings `policy` allows matched."""
        policy.check(check_text(text))
        if policy.allowed == self.default_allowed_special:
            return self.encode_ids(text)
        ids: list[int] = []
        for part in policy.split(text):
            ids += self._plain_ids(text[part[0]:part[1]]) if isinstance(part, tuple) else [self.special_strings[part]]
        return ids

    def _offsets_with(self, text: str, policy: SpecialPolicy) -> list[Offset]:
        offsets: list[Offset] = []
        end = 0
        for part in policy.split(text):
            if isinstance(part, tuple):
                start, end = part
                offsets += [None if span is None else (span[0] + start, span[1] + start)
                            for span in self._plain_offsets(text[start:end])]
            else:
                offsets.append((end, end + len(part)))
        return offsets

    @property
    @abstractmethod
    def special_strings(self) -> dict[str, int]:
        """The special tokens a text can spell ("[SEP]", "<eod>"), with their ids."""

    @abstractmethod
    def _plain_ids(self, text: str) -> list[int]:
        """The ids of `text` read as text: no special string in it is matched."""

    @abstractmethod
    def _plain_offsets(self, text: str) -> list[Offset]:
        """The spans of `_plain_ids(text)`."""

    @abstractmethod
    def encode_ids(self, text: str, *, add_special_tokens: bool = False) -> list[int]:
        """The ids alone (the fast path `encode` and `encode_batch` share)."""

    def __call__(self, text_or_texts: Union[str, Sequence[str]], *, add_special_tokens: bool = False,
                 padding: Union[bool, str] = False, truncation: Union[bool, str, None] = None,
                 max_length: Optional[int] = None, stride: int = 0, return_overflowing_tokens: bool = False,
                 pad_to_multiple_of: Optional[int] = None, padding_side: Optional[str] = None,
                 return_attention_mask: bool = True, return_token_type_ids: Optional[bool] = None,
                 return_offsets_mapping: bool = False, return_tensors: Optional[str] = None,
                 allowed_special: Choice = None, disallowed_special: Choice = ()) -> dict[str, Any]:
        """Model inputs for one text or a batch, with transformers' calling convention and rules (cpmtok.inputs).

        Returns `input_ids`, `attention_mask` (BERT vocabularies also `token_type_ids`), and when asked
        `offset_mapping` and `overflow_to_sample_mapping`; lists, or int64 arrays with `return_tensors="np"`.
        Unlike transformers, `add_special_tokens` defaults to False, as `encode` does. `padding_side` defaults to
        the tokenizer's `padding_side`, `max_length` for padding="max_length" / truncation to `model_max_length`.
        `allowed_special` / `disallowed_special` as for `encode`.
        """
        return model_inputs(
            self, text_or_texts, add_special_tokens=add_special_tokens, padding=padding, truncation=truncation,
            max_length=max_length, stride=stride, return_overflowing_tokens=return_overflowing_tokens,
            pad_to_multiple_of=pad_to_multiple_of, padding_side=padding_side,
            return_attention_mask=return_attention_mask, return_token_type_ids=return_token_type_ids,
            return_offsets_mapping=return_offsets_mapping, return_tensors=return_tensors,
            specials=self.special_policy(allowed_special, disallowed_special))

    @property
    @abstractmethod
    def special_frame(self) -> tuple[tuple[int, ...], tuple[int, ...]]:
        """The ids `add_special_tokens=True` puts before and after a text's (or a window's) own ids."""

    def decode(self, ids: Union[Sequence[int], Encoding], style: str = "natural", **options: Any) -> str:
        """Text for ids (or an Encoding) in a style of cpmtok.decode: natural (default), reference, source, ..."""
        return decode(self, ids, style=style, **options)

    def decode_batch(self, batch: Iterable[Sequence[int]], **options: Any) -> list[str]:
        """`decode` of every row (lists, or the rows of a 2-D array such as `tok(...)["input_ids"]`)."""
        return [self.decode(ids, **options) for ids in batch]

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

    @abstractmethod
    def get_vocab(self) -> dict[str, int]:
        """A copy of the vocabulary: entry -> id."""

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
        texts = tuple(texts)  # a tuple: forked workers slice their own copy instead of receiving the texts
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
        settings = {name: getattr(self, name) for name in SETTINGS if name in vars(self)}
        return (self.recipe.build, (), settings)  # the settings set after load travel as its state


SETTINGS = ("model_max_length", "padding_side")  # what a user (or a folder's config) may set after load


@dataclass(frozen=True)
class Recipe:
    """How `cpmtok.load` made a tokenizer: `load(name_or_path, **options)`, picklable (load by reference)."""

    load: Callable[..., Tokenizer]
    name_or_path: str
    options: Mapping[str, Any] = field(default_factory=dict)

    def build(self) -> Tokenizer:
        return self.load(self.name_or_path, **self.options)
