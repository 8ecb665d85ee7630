"""Model inputs for a batch of texts: truncation into overflow windows, special tokens, padding, masks, arrays.

`tok(texts, ...)` (`Tokenizer.__call__`) is a thin method over `model_inputs` here. The rules are those of
transformers 4.57's fast tokenizers (`BertTokenizerFast.__call__`): its Python layer chooses the strategies,
with its warnings and errors (`plan`); the Rust `tokenizers` layer cuts each text's ids into windows
(`windows`), frames every window with the special tokens, and pads every row of the batch. cpmtok applies the
same rules to its own ids, for both families; the family gives only its special ids, pad id, padding side,
`model_max_length` and which keys it returns (`model_input_names`).

Two deliberate differences, both where transformers fails instead of answering:
- an empty batch gives empty keys (transformers raises IndexError);
- a stride too large for the window is InvalidOption (tokenizers panics with a PanicException).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from itertools import chain
from typing import TYPE_CHECKING, Any, Optional, Sequence, Union

import numpy as np

from .errors import BatchOptionWarning, InvalidOption, MissingSpecialToken
from .specials import SpecialPolicy

if TYPE_CHECKING:
    from .base import Tokenizer

Offsets = list[tuple[int, int]]
PADDING = {True: "longest", False: None, "longest": "longest", "max_length": "max_length", "do_not_pad": None}
TRUNCATION = {True: True, False: False, None: None, "longest_first": True, "only_first": True,
              "do_not_truncate": False}


@dataclass(frozen=True)
class Plan:
    """How every text of one call is cut and padded (transformers' `_get_padding_truncation_strategies`)."""

    truncate_to: Optional[int]  # windows of at most this many ids, special tokens included; None: no cut
    stride: int  # ids a window repeats from the end of the one before it
    padding: Optional[str]  # None, "longest" or "max_length"
    pad_to: Optional[int]  # the length of "max_length" padding
    multiple: Optional[int]  # pad_to_multiple_of
    side: str  # "right" or "left"

    def pad_length(self, longest: int) -> Optional[int]:
        """The length every row is padded to (rows already longer stay as they are), or None: no padding."""
        if self.padding is None:
            return None
        length = self.pad_to if self.padding == "max_length" else longest
        if self.multiple and length % self.multiple:
            length += self.multiple - length % self.multiple
        return length


def plan(*, padding: Union[bool, str], truncation: Union[bool, str, None], max_length: Optional[int], stride: int,
         pad_to_multiple_of: Optional[int], padding_side: str, model_max_length: Optional[int],
         special_tokens: int) -> Plan:
    """The strategies transformers 4.57 picks for these arguments; its warnings as BatchOptionWarning.

    `special_tokens`: how many ids the family adds to a text (counted even when they are not added, as
    tokenizers does when it checks the stride).
    """
    if padding not in PADDING:
        raise InvalidOption(f"padding={padding!r}: expected True, False, 'longest', 'max_length' or 'do_not_pad'")
    if truncation not in TRUNCATION:
        raise InvalidOption(f"truncation={truncation!r}: expected True, False, None, 'longest_first', 'only_first' "
                            "or 'do_not_truncate' (a single text has no second sequence)")
    if padding_side not in ("right", "left"):
        raise InvalidOption(f"padding_side={padding_side!r}: expected 'right' or 'left'")
    for name, value in (("max_length", max_length), ("stride", stride), ("pad_to_multiple_of", pad_to_multiple_of)):
        if value is not None and (isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 0):
            raise InvalidOption(f"{name}={value!r}: expected an integer >= 0")
    truncate = TRUNCATION[truncation]
    if max_length is not None and padding is False and truncate is None:
        warnings.warn("max_length without truncation=True truncates (transformers' rule for this case); pass "
                      "truncation=True to say so", BatchOptionWarning, stacklevel=3)
        truncate = True
    pad = PADDING[padding]
    if padding is True and max_length is not None and not truncate:
        warnings.warn("max_length is ignored when padding=True and there is no truncation; to pad to max_length, "
                      "use padding='max_length'", BatchOptionWarning, stacklevel=3)
    if max_length is None and (pad == "max_length" or truncate):
        if model_max_length is not None:
            max_length = model_max_length
        else:
            for option, on in (("padding='max_length'", pad == "max_length"), ("truncation", truncate)):
                if on:
                    warnings.warn(f"{option} without max_length, and the tokenizer has no model_max_length: no "
                                  f"{option.split('=')[0]} (as transformers)", BatchOptionWarning, stacklevel=3)
            pad = None if pad == "max_length" else pad
            truncate = False
    if truncate and pad and pad_to_multiple_of is not None and max_length is not None \
            and max_length % pad_to_multiple_of:
        raise InvalidOption(f"truncation and padding are both on, but the truncation length ({max_length}) is not a "
                            f"multiple of pad_to_multiple_of ({pad_to_multiple_of})")
    if truncate and special_tokens <= max_length and stride > max_length - special_tokens:  # type: ignore[operator]
        raise InvalidOption(f"stride={stride} is more than the {max_length - special_tokens} ids a window holds "
                            f"(max_length={max_length} minus {special_tokens} special tokens)")
    return Plan(truncate_to=max_length if truncate else None, stride=int(stride), padding=pad,
                pad_to=max_length if pad == "max_length" else None, multiple=pad_to_multiple_of, side=padding_side)


def windows(length: int, budget: int, stride: int) -> list[tuple[int, int]]:
    """(start, stop) of each window over `length` ids, as tokenizers' `Encoding::truncate` cuts (direction right).

    The first window is what the model gets; the others are the overflow. Each starts `budget - stride` after
    the one before, so consecutive windows share `stride` ids; the last one ends at `length`.
    """
    if budget >= length:
        return [(0, length)]
    if budget == 0:
        return [(0, 0), (0, length)]  # tokenizers moves the whole sequence into one overflow window
    if stride >= budget:
        raise InvalidOption(f"stride={stride} must be less than the ids a window holds ({budget}: max_length minus "
                            "the special tokens added)")
    spans = []
    for start in range(0, length, budget - stride):
        stop = min(start + budget, length)
        spans.append((start, stop))
        if stop == length:
            break
    return spans


def model_inputs(tokenizer: "Tokenizer", text_or_texts: Union[str, Sequence[str]], *,
                 add_special_tokens: bool = False, padding: Union[bool, str] = False,
                 truncation: Union[bool, str, None] = None, max_length: Optional[int] = None, stride: int = 0,
                 return_overflowing_tokens: bool = False, pad_to_multiple_of: Optional[int] = None,
                 padding_side: Optional[str] = None, return_attention_mask: bool = True,
                 return_token_type_ids: Optional[bool] = None, return_offsets_mapping: bool = False,
                 return_tensors: Optional[str] = None, specials: Optional[SpecialPolicy] = None) -> dict[str, Any]:
    """`tok(text_or_texts, ...)`: see `Tokenizer.__call__`; `specials`: the special strings matched in text."""
    single = isinstance(text_or_texts, str)
    if not single and not isinstance(text_or_texts, (list, tuple)):
        raise TypeError(f"tok(...) takes a str or a list/tuple of str, got {type(text_or_texts).__name__}")
    if return_tensors not in (None, "np"):
        raise InvalidOption(f"return_tensors={return_tensors!r}: cpmtok returns NumPy arrays ('np') or lists (None)")
    texts = [text_or_texts] if single else list(text_or_texts)
    how = plan(padding=padding, truncation=truncation, max_length=max_length, stride=stride,
               pad_to_multiple_of=pad_to_multiple_of, padding_side=padding_side or tokenizer.padding_side,
               model_max_length=tokenizer.model_max_length, special_tokens=sum(map(len, tokenizer.special_frame)))
    pad_id = tokenizer.pad_token_id
    if how.padding is not None and pad_id is None:
        raise MissingSpecialToken(f"padding needs a pad token, and {tokenizer.name} has none")
    prefix, suffix = tokenizer.special_frame if add_special_tokens else ((), ())

    specials = specials or tokenizer.special_policy()
    ids_per_text = [tokenizer.encode_ids_with(text, specials) for text in texts]
    rows: list[list[int]] = []
    sample: list[int] = []  # overflow_to_sample_mapping
    firsts: list[int] = []  # the row index of each text's first window
    offsets: Optional[list[Offsets]] = [] if return_offsets_mapping else None
    for index, (text, ids) in enumerate(zip(texts, ids_per_text)):
        spans = [(0, len(ids))]
        if how.truncate_to is not None and how.truncate_to >= len(prefix) + len(suffix):
            spans = windows(len(ids), how.truncate_to - len(prefix) - len(suffix), how.stride)
        if not return_overflowing_tokens:
            spans = spans[:1]
        firsts.append(len(rows))
        rows += [[*prefix, *ids[start:stop], *suffix] for start, stop in spans]
        sample += [index] * len(spans)
        if offsets is not None:
            spans_of_text = _offsets(tokenizer, text, specials)
            frame = ([(0, 0)] * len(prefix), [(0, 0)] * len(suffix))
            offsets += [[*frame[0], *spans_of_text[start:stop], *frame[1]] for start, stop in spans]

    names = tokenizer.model_input_names
    keys = {"input_ids": True,
            "token_type_ids": "token_type_ids" in names if return_token_type_ids is None else return_token_type_ids,
            "attention_mask": return_attention_mask, "offset_mapping": offsets is not None}
    pad_length = how.pad_length(max((len(rows[i]) for i in firsts), default=0))
    if return_tensors == "np":
        out = _arrays(rows, offsets, pad_length, pad_id, how.side, keys)
    else:
        out = _lists(rows, offsets, pad_length, pad_id, how.side, keys)
    if return_overflowing_tokens:
        out["overflow_to_sample_mapping"] = np.asarray(sample, np.int64) if return_tensors == "np" else sample
    elif single and return_tensors is None:
        out = {key: value[0] for key, value in out.items()}
    return out


def _offsets(tokenizer: "Tokenizer", text: str, specials: SpecialPolicy) -> Offsets:
    """(start, end) per id; (0, 0) where no character made the id, as tokenizers reports it."""
    spans = tokenizer.encode(text, allowed_special=specials.allowed, disallowed_special=specials.disallowed).offsets
    return [(0, 0) if span is None else span for span in spans]


def _lists(rows: list[list[int]], offsets: Optional[list[Offsets]], pad_length: Optional[int], pad_id: Optional[int],
           side: str, keys: dict[str, bool]) -> dict[str, Any]:
    """Python lists, padded row by row."""
    def padded(row: list, filler: Any, fill: Any = None) -> list:
        missing = max(0, (pad_length or 0) - len(row))
        body = row if fill is None else [fill] * len(row)
        return body + [filler] * missing if side == "right" else [filler] * missing + body

    out: dict[str, Any] = {"input_ids": [padded(row, pad_id) for row in rows]}
    if keys["token_type_ids"]:
        out["token_type_ids"] = [padded(row, 0, 0) for row in rows]
    if keys["attention_mask"]:
        out["attention_mask"] = [padded(row, 0, 1) for row in rows]
    if keys["offset_mapping"]:
        out["offset_mapping"] = [padded(row, (0, 0)) for row in offsets]  # type: ignore[union-attr]
    return out


def _arrays(rows: list[list[int]], offsets: Optional[list[Offsets]], pad_length: Optional[int], pad_id: Optional[int],
            side: str, keys: dict[str, bool]) -> dict[str, np.ndarray]:
    """int64 arrays [rows, length] (offsets [rows, length, 2]) filled in one step; ragged rows (no padding, or rows
    longer than it) go through transformers' own conversion of lists."""
    lengths = np.fromiter(map(len, rows), np.int64, len(rows))
    final = np.maximum(lengths, pad_length or 0)
    if final.size and final.min() != final.max():
        lists = _lists(rows, offsets, pad_length, pad_id, side, keys)
        return {key: _as_numpy(value) for key, value in lists.items()}
    width = int(final.max()) if final.size else pad_length or 0
    positions = np.arange(width)
    if side == "right":
        real = positions < lengths[:, None]  # [rows, width]
    else:
        real = positions >= (width - lengths)[:, None]  # [rows, width]
    ids = np.full((len(rows), width), 0 if pad_id is None else pad_id, np.int64)
    ids[real] = np.fromiter(chain.from_iterable(rows), np.int64, int(lengths.sum()))
    out = {"input_ids": ids}
    if keys["token_type_ids"]:
        out["token_type_ids"] = np.zeros_like(ids)
    if keys["attention_mask"]:
        out["attention_mask"] = real.astype(np.int64)
    if keys["offset_mapping"]:
        spans = np.zeros((len(rows), width, 2), np.int64)
        spans[real] = np.asarray(list(chain.from_iterable(offsets)), np.int64).reshape(-1, 2)  # type: ignore[arg-type]
        out["offset_mapping"] = spans if width else spans.reshape(len(rows), 0)  # transformers: [rows, 0]
    return out


def _as_numpy(value: list) -> np.ndarray:
    """transformers' `as_tensor` for NumPy, kept literally: rows of different lengths become an object array of
    arrays (each `np.asarray(row)`, so an empty row is float64); all-empty input is int64."""
    if value and isinstance(value[0], (list, tuple)) and len({len(row) for row in value}) > 1:
        return np.asarray([np.asarray(row) for row in value], dtype=object)
    return np.asarray(value, dtype=None if _flatten(value) else np.int64)


def _flatten(value: list) -> list:
    """transformers' `flatten`: nested lists and tuples to one list."""
    if value and isinstance(value[0], (list, tuple)):
        return [item for row in value for item in _flatten(row)]
    return list(value)
