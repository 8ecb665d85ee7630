"""`decode(tokenizer, ids, style=...)`: which decoder a style names; the family's decodes do the work.

Styles:
- `natural` (default): text as a person would write it (the family's `natural_pieces`). Given an
  `Encoding` that carries its source text, the original text itself, rebuilt from the offsets.
- `reference`: the reference's own string (the family's `reference`; BERT: transformers 4.57.6
  `BertTokenizerFast.decode` (dialect hf-fast), `BertTokenizer.decode` (hf-slow), the gpt2-ml demo's
  join (google) or GPT2-Chinese's generate.py (gpt2-chinese); pick another with `reference="hf-fast" |
  "hf-slow" | "gpt2-ml" | "gpt2-chinese"`; flags `skip_special_tokens=False`,
  `clean_up_tokenization_spaces=True`, both transformers classes' defaults. CPM: CPM-Generate's decode,
  current / v0 as first released, id 7 -> `<eod>`).
- a system's name: that system's own decode (no options; each family offers its systems'):
  BERT `gpt2-ml` (scripts/demo.py), `uer` (UER-py scripts/generate_lm.py), `gpt2-chinese` (GPT2-Chinese
  generate.py), `gpt2-quickly` (its pipeline: `BertTokenizer.decode(skip_special_tokens=True)`),
  `bert4keras` (0.11.5 `Tokenizer.decode`); CPM `cpm-generate` (= `reference`), `bert4keras` (its CPM example).
- `source`: the original text from an `Encoding`'s offsets (an error without one).
"""

from __future__ import annotations

from typing import Any, Callable, Mapping, Protocol, Sequence, Union

from ..encoding import Encoding
from ..errors import InvalidIds, UnknownDecodeStyle
from ..ids import checked_ids
from .lossy import LossySpan
from .source import source_text

SYSTEM_STYLES = ("gpt2-ml", "uer", "gpt2-chinese", "gpt2-quickly", "bert4keras", "cpm-generate")
STYLES = ("natural", "reference", "source", *SYSTEM_STYLES)
UNKNOWN_TEXT = "\ufffd"  # an unknown token's natural text by default: U+FFFD REPLACEMENT CHARACTER


class FamilyDecoding(Protocol):
    """What a tokenizer family gives the decode styles and the round trip (`tokenizer.decoding`)."""

    styles: Mapping[str, Callable[[Sequence[int], Sequence[str]], str]]  # (ids, tokens) -> text: its systems
    joins_units: bool  # a round-trip unit that cannot be explained alone is explained with the next ones

    def natural_pieces(self, tokens: Sequence[str], *, skip_special_tokens: bool, unknown: str,
                       restore_punctuation: bool) -> list[str]:
        """One string per token of the natural decode."""

    def reference(self, ids: Sequence[int], tokens: Sequence[str], **options: Any) -> str:
        """The reference's own decode of ids (whose tokens are given)."""

    def lossy_unit(self, text: str, start: int, body_start: int, end: int, produced: str,
                   tokens: Sequence[str]) -> list[LossySpan]:
        """Why `text[start:end]` (its tokens' characters from `body_start`) came back as `produced`."""


def decode(tokenizer: Any, ids: Union[Sequence[int], Encoding], style: str = "natural", **options: Any) -> str:
    """The text for `ids` in `style`; see the module docstring for styles and their options."""
    if style not in STYLES:
        raise UnknownDecodeStyle(f"unknown decode style {style!r}; expected one of {', '.join(STYLES)}")
    if isinstance(ids, Encoding):
        if style == "source" or (style == "natural" and ids.text is not None and not options):
            no_options(options, style)
            return source_text(ids)
        ids = ids.ids
    elif style == "source":
        raise InvalidIds("style='source' needs an Encoding that carries its text (tok.encode(text)), not bare ids")
    ids = checked_ids(ids, tokenizer.vocab_size)
    tokens = [tokenizer.id_to_token(i) for i in ids]
    if style == "natural":
        return "".join(natural_pieces(tokenizer, tokens, **options))
    if style == "reference":
        return reference(tokenizer, ids, tokens, **options)
    family_style = tokenizer.decoding.styles.get(style)
    if family_style is None:
        raise UnknownDecodeStyle(f"decode style {style!r} is not offered by {tokenizer.family} tokenizers")
    no_options(options, style)
    return family_style(ids, tokens)


def tokens_of(tokenizer: Any, ids: Sequence[int]) -> list[str]:
    """The vocabulary entry of every id; InvalidIds names the first id that is not one."""
    return [tokenizer.id_to_token(i) for i in checked_ids(ids, tokenizer.vocab_size)]


def natural_pieces(tokenizer: Any, tokens: Sequence[str], *, skip_special_tokens: bool = True,
                   unknown: str = UNKNOWN_TEXT, restore_punctuation: bool = True) -> list[str]:
    """One string per token of the natural decode ("".join is the text); options:

    - `skip_special_tokens`: special tokens ([CLS] [SEP] [PAD] [MASK]; <s> </s> <sep> <pad> <mask> <eod>
      <cls>) decode to nothing (default) or to their own text;
    - `unknown`: the text of an unknown token ([UNK], <unk>); default U+FFFD, the replacement character;
    - `restore_punctuation` (CPM): undo SentencePiece's NFKC folding where the context is strong evidence.
    """
    return tokenizer.decoding.natural_pieces(tokens, skip_special_tokens=skip_special_tokens, unknown=unknown,
                                             restore_punctuation=restore_punctuation)


def reference(tokenizer: Any, ids: Sequence[int], tokens: Sequence[str], **options: Any) -> str:
    """The reference decode of the tokenizer's dialect / variant (module docstring)."""
    return tokenizer.decoding.reference(ids, tokens, **options)


def no_options(options: dict[str, Any], style: str) -> None:
    """A TypeError naming the options a style does not take."""
    if options:
        raise TypeError(f"decode style {style!r} takes no option(s) {', '.join(sorted(options))}")
