"""`decode(tokenizer, ids, style=...)`: which decoder a style names, for a tokenizer of either family.

Styles:
- `natural` (default): text as a person would write it (bert_natural.py, cpm_natural.py). Given an
  `Encoding` that carries its source text, the original text itself, rebuilt from the offsets.
- `reference`: the reference's own string. BERT: transformers 4.57.6 `BertTokenizerFast.decode`
  (dialect hf-fast), `BertTokenizer.decode` (hf-slow) or the gpt2-ml demo's join (google); pick another
  with `reference="hf-fast" | "hf-slow" | "gpt2-ml"`; flags `skip_special_tokens=False`,
  `clean_up_tokenization_spaces=True` (both classes' defaults). CPM: CPM-Generate's decode (current / v0).
- `bert4keras` (BERT): bert4keras 0.11.5 `Tokenizer.decode` over our tokens.
- `source`: the original text from an `Encoding`'s offsets (an error without one).
"""

from __future__ import annotations

import operator
from functools import lru_cache
from pathlib import Path
from typing import Any, Sequence, Union

from ..encoding import Encoding
from ..errors import InvalidIds
from . import bert_natural, bert_reference, cpm_natural, cpm_reference
from .source import source_text

STYLES = ("natural", "reference", "bert4keras", "source")
UNKNOWN_TEXT = "\ufffd"  # an unknown token's natural text by default: U+FFFD REPLACEMENT CHARACTER
BERT_REFERENCES = {"hf-fast": bert_reference.hf_fast, "hf-slow": bert_reference.hf_slow}
_DIALECT_REFERENCE = {"hf-fast": "hf-fast", "hf-slow": "hf-slow", "google": "gpt2-ml"}
CPM_SPECIAL_PIECES = frozenset({"<s>", "</s>", "<cls>", "<sep>", "<pad>", "<mask>", "<eod>"})
CPM_UNKNOWN_PIECE = "<unk>"


def decode(tokenizer: Any, ids: Union[Sequence[int], Encoding], style: str = "natural", **options: Any) -> str:
    """The text for `ids` in `style`; see the module docstring for styles and their options."""
    if style not in STYLES:
        raise ValueError(f"unknown decode style {style!r}; expected one of {', '.join(STYLES)}")
    if isinstance(ids, Encoding):
        if style == "source" or (style == "natural" and ids.text is not None and not options):
            _no_options(options, style)
            return source_text(ids)
        ids = ids.ids
    elif style == "source":
        raise InvalidIds("style='source' needs an Encoding that carries its text (tok.encode(text)), not bare ids")
    ids = checked_ids(tokenizer, ids)
    tokens = [tokenizer.id_to_token(i) for i in ids]
    if style == "natural":
        return "".join(natural_pieces(tokenizer, tokens, **options))
    if style == "bert4keras":
        _require_family(tokenizer, "bert", style)
        _no_options(options, style)
        return bert_reference.bert4keras(tokens)
    return reference(tokenizer, ids, tokens, **options)


def tokens_of(tokenizer: Any, ids: Sequence[int]) -> list[str]:
    """The vocabulary entry of every id; InvalidIds names the first id that is not one."""
    return [tokenizer.id_to_token(i) for i in checked_ids(tokenizer, ids)]


def checked_ids(tokenizer: Any, ids: Sequence[int]) -> list[int]:
    """`ids` as a list of ints (NumPy integers and any iterable accepted); InvalidIds names the first bad one."""
    if isinstance(ids, (str, bytes)):
        raise InvalidIds(f"decode takes a sequence of ids, got {type(ids).__name__}")
    checked = []
    size = tokenizer.vocab_size
    for position, value in enumerate(ids):
        try:
            token_id = operator.index(value)
        except TypeError:
            raise InvalidIds(f"ids[{position}] is {value!r} ({type(value).__name__}), not an integer id") from None
        if not 0 <= token_id < size:
            raise InvalidIds(f"ids[{position}] = {token_id} is outside the vocabulary of {tokenizer.name} "
                             f"(0..{size - 1})")
        checked.append(token_id)
    return checked


def natural_pieces(tokenizer: Any, tokens: Sequence[str], *, skip_special_tokens: bool = True,
                   unknown: str = UNKNOWN_TEXT, restore_punctuation: bool = True) -> list[str]:
    """One string per token of the natural decode ("".join is the text); options:

    - `skip_special_tokens`: special tokens ([CLS] [SEP] [PAD] [MASK]; <s> </s> <sep> <pad> <mask> <eod>
      <cls>) decode to nothing (default) or to their own text;
    - `unknown`: the text of an unknown token ([UNK], <unk>); default U+FFFD, the replacement character;
    - `restore_punctuation` (CPM): undo SentencePiece's NFKC folding where the context is strong evidence.
    """
    if tokenizer.family == "bert":
        special = set(tokenizer.special_tokens) - {"[UNK]"}
        return bert_natural.natural_pieces(tokens, "[UNK]", special if skip_special_tokens else (), unknown)
    pieces = []
    for token in tokens:
        if token == CPM_UNKNOWN_PIECE:
            pieces.append(unknown)
        elif token in CPM_SPECIAL_PIECES:
            pieces.append("" if skip_special_tokens else token)
        else:
            pieces.append(cpm_natural.render(token))
    return cpm_natural.restore_pieces(pieces) if restore_punctuation else pieces


def reference(tokenizer: Any, ids: Sequence[int], tokens: Sequence[str], **options: Any) -> str:
    """The reference decode of the tokenizer's dialect / variant (module docstring)."""
    if tokenizer.family == "cpm":
        _no_options(options, "reference")
        if tokenizer.variant == "v0":
            return cpm_reference.cpm_v0(tokenizer.sp, tokens)
        return cpm_reference.cpm_generate(tokenizer.sp, ids)
    which = options.pop("reference", _DIALECT_REFERENCE[tokenizer.dialect])
    if which == "gpt2-ml":
        _no_options(options, "reference (gpt2-ml)")
        return bert_reference.gpt2_ml(tokens)
    if which not in BERT_REFERENCES:
        raise ValueError(f"unknown BERT reference {which!r}; expected hf-fast, hf-slow or gpt2-ml")
    if tokenizer.dialect != "hf-slow":
        table = _transformers_tokens(tokenizer.vocab_path)
        tokens = [table[i] for i in ids]
    flags = {"skip_special_tokens": options.pop("skip_special_tokens", False),
             "clean_up_tokenization_spaces": options.pop("clean_up_tokenization_spaces", True)}
    _no_options(options, "reference")
    return BERT_REFERENCES[which](tokens, set(tokenizer.special_tokens), **flags)


@lru_cache(maxsize=8)
def _transformers_tokens(path: Path) -> tuple[str, ...]:
    """The vocabulary as transformers reads it (BertTokenizer; BertTokenizerFast converts from it): whole
    lines. The tokenizers crate's own reader, which the hf-fast dialect encodes with, trims a line's trailing
    whitespace (bert-base-chinese id 343 U+2028 -> ""), and the two decodes give those entries back as read."""
    from ..vocab import read_bert_vocab

    return tuple(read_bert_vocab(path, "hf-slow").tokens)


def _no_options(options: dict[str, Any], style: str) -> None:
    if options:
        raise TypeError(f"decode style {style!r} takes no option(s) {', '.join(sorted(options))}")


def _require_family(tokenizer: Any, family: str, style: str) -> None:
    if tokenizer.family != family:
        raise ValueError(f"decode style {style!r} is for {family} tokenizers, not {tokenizer.family}")
