"""BERT ids -> text: the references' decodes reproduced exactly, the natural decode, and the round-trip unit.

`BertDecoding` is what a `BertTokenizer` gives cpmtok.decode (`tok.decoding`), built from the vocabulary
it read and its dialect record. The reference decodes:

- `hf_slow`: transformers 4.57.6 `BertTokenizer.decode` (pure Python): drop special tokens if asked,
  `" ".join(tokens).replace(" ##", "").strip()`, then `clean_up_tokenization` over the whole string.
- `hf_fast`: transformers 4.57.6 `BertTokenizerFast.decode`: the tokenizers 0.22.2 WordPiece decoder
  (prefix `##` dropped, else a space before every token but the first, its `cleanup` applied to each
  token) and then, like the slow one, `clean_up_tokenization` over the whole string.
- `bert4keras`: bert4keras 0.11.5 `Tokenizer.decode`, over its own reading of the vocabulary.
- `gpt2_ml`: the gpt2-ml demo's `"".join(tokens)` with `[UNK]` and `##` removed (Google's FullTokenizer
  has no decode of its own).
- `uer`: UER-py `scripts/generate_lm.py`: `"".join(tokenizer.convert_ids_to_tokens(ids))`, specials kept.
- `gpt2_chinese`: GPT2-Chinese `generate.py`: a space after an all-a..z token followed by another, `[MASK]`
  -> "", `[CLS]` -> "\\n\\n", `[SEP]` -> "\\n", joined, `##` removed, stripped.

Each system style reads the vocabulary's lines as that system's own reader does (`READERS`): bert-base-chinese
line 344 (U+2028) is "" for Google and bert4keras, U+2028 for transformers, GPT2-Chinese and UER-py.

Both transformers classes default to `skip_special_tokens=False` and `clean_up_tokenization_spaces=True`
(`BertTokenizer.__init__`; `BertTokenizerFast` passes the same default), so those are our defaults too.
"""

from __future__ import annotations

import re
from typing import Any, Callable, Collection, Sequence

from ..decode.chars import is_cjk_ideograph, is_punctuation
from ..decode.decoder import no_options
from ..decode.lossy import ACCENT, DELETED, LOWERCASE, SPECIAL, UNEXPLAINED, UNKNOWN, WHITESPACE_LOST, LossySpan, \
    gap_spans
from ..errors import UnknownDecodeStyle
from .dialects import Dialect
from .natural_decode import natural_pieces
from .tables import CharSet, CharTables

UNK = "[UNK]"

# transformers' PreTrainedTokenizerBase.clean_up_tokenization, in its order
_HF_CLEANUP = ((" .", "."), (" ?", "?"), (" !", "!"), (" ,", ","), (" ' ", "'"), (" n't", "n't"),
               (" 'm", "'m"), (" 's", "'s"), (" 've", "'ve"), (" 're", "'re"))
# tokenizers' decoders::wordpiece::cleanup, in its order (it has " do not" where Python has none)
_WORDPIECE_CLEANUP = ((" .", "."), (" ?", "?"), (" !", "!"), (" ,", ","), (" ' ", "'"), (" n't", "n't"),
                      (" 'm", "'m"), (" do not", " don't"), (" 's", "'s"), (" 've", "'ve"), (" 're", "'re"))


def _replace_all(text: str, pairs: Sequence[tuple[str, str]]) -> str:
    for old, new in pairs:
        text = text.replace(old, new)
    return text


def hf_slow(tokens: Sequence[str], special: Collection[str], *, skip_special_tokens: bool = False,
            clean_up_tokenization_spaces: bool = True) -> str:
    """transformers 4.57.6 BertTokenizer.decode (the special tokens are its only added tokens)."""
    if skip_special_tokens:
        tokens = [token for token in tokens if token not in special]
    text = " ".join(tokens).replace(" ##", "").strip()
    return _replace_all(text, _HF_CLEANUP) if clean_up_tokenization_spaces else text


def hf_fast(tokens: Sequence[str], special: Collection[str], *, skip_special_tokens: bool = False,
            clean_up_tokenization_spaces: bool = True) -> str:
    """transformers 4.57.6 BertTokenizerFast.decode over the tokenizers 0.22.2 WordPiece decoder."""
    if skip_special_tokens:
        tokens = [token for token in tokens if token not in special]
    pieces = []
    for index, token in enumerate(tokens):
        if index:
            token = token[2:] if token.startswith("##") else " " + token
        pieces.append(_replace_all(token, _WORDPIECE_CLEANUP))
    text = "".join(pieces)
    return _replace_all(text, _HF_CLEANUP) if clean_up_tokenization_spaces else text


_B4K_CJK_PUNCTUATION = (
    "\uff02\uff03\uff04\uff05\uff06\uff07\uff08\uff09\uff0a\uff0b\uff0c\uff0d\uff0f\uff1a\uff1b\uff1c\uff1d"
    "\uff1e\uff20\uff3b\uff3c\uff3d\uff3e\uff3f\uff40\uff5b\uff5c\uff5d\uff5e\uff5f\uff60\uff62\uff63\uff64"
    "\u3000\u3001\u3003\u3008\u3009\u300a\u300b\u300c\u300d\u300e\u300f\u3010\u3011\u3014\u3015\u3016\u3017"
    "\u3018\u3019\u301a\u301b\u301c\u301d\u301e\u301f\u3030\u303e\u303f\u2013\u2014\u2018\u2019\u201b\u201c"
    "\u201d\u201e\u201f\u2026\u2027\ufe4f\ufe51\ufe54\u00b7\uff01\uff1f\uff61\u3002"
)
_B4K_GLUE_AFTER = re.compile("(%s) " % "|".join(re.escape(p) for p in _B4K_CJK_PUNCTUATION + "+-/={(<["))


def bert4keras(tokens: Sequence[str]) -> str:
    """bert4keras 0.11.5 Tokenizer.decode(ids, tokens=tokens); `[...]` tokens are its special tokens.

    Like bert4keras it fails (IndexError) when a non-first token follows only empty text.
    """
    tokens = [token for token in tokens if not (token and token[0] == "[" and token[-1] == "]")]
    text = ""
    for index, token in enumerate(tokens):
        if token[:2] == "##":
            text += token[2:]
        elif len(token) == 1 and is_cjk_ideograph(token):
            text += token
        elif len(token) == 1 and is_punctuation(token):
            text += token + " "
        elif index > 0 and is_cjk_ideograph(text[-1]):
            text += token
        else:
            text += " " + token
    text = re.sub(" +", " ", text)
    text = re.sub("' (re|m|s|t|ve|d|ll) ", "'\\1 ", text)
    text = _B4K_GLUE_AFTER.sub("\\1", text)
    text = re.sub(r"(\d\.) (\d)", "\\1\\2", text)
    return text.strip()


def gpt2_ml(tokens: Sequence[str]) -> str:
    """gpt2-ml's demo: `"".join(tokens).replace("[UNK]", "").replace("##", "")`."""
    return "".join(tokens).replace("[UNK]", "").replace("##", "")


def uer(tokens: Sequence[str]) -> str:
    """UER-py's generate_lm.py: the tokens joined, nothing removed."""
    return "".join(tokens)


_GPT2_CHINESE_SPECIALS = {"[MASK]": "", "[CLS]": "\n\n", "[SEP]": "\n"}


def _ascii_lowercase_word(token: str) -> bool:
    """GPT2-Chinese's is_word: every character one of a..z (so the empty token too)."""
    return all("a" <= ch <= "z" for ch in token)


def gpt2_chinese(tokens: Sequence[str]) -> str:
    """GPT2-Chinese's generate.py: English words keep a space between them; [CLS]/[SEP] become line breaks."""
    text = list(tokens)
    for i in range(len(tokens) - 1):
        if _ascii_lowercase_word(tokens[i]) and _ascii_lowercase_word(tokens[i + 1]):
            text[i] = tokens[i] + " "
    text = [_GPT2_CHINESE_SPECIALS.get(token, token) for token in text]
    return "".join(text).replace("##", "").strip()


# How each decoding system reads a vocab.txt line (universal newlines, "\n" removed) into its entry.
READERS: dict[str, Callable[[str], str]] = {
    "transformers": lambda line: line,  # load_vocab: rstrip("\n"); GPT2-Chinese's copy too
    "google": str.strip,  # tokenization.load_vocab
    "bert4keras": lambda line: (line.split() or [""])[0],  # load_vocab: first field, else line.strip()
    "uer": lambda line: line.split()[0] if line.strip() else line,  # uer/utils/vocab.py Vocab.load
}


TRANSFORMERS_DECODES = {"hf-fast": hf_fast, "hf-slow": hf_slow}  # they print the vocabulary's whole lines
SYSTEM_REFERENCES = ("gpt2-ml", "gpt2-chinese")  # systems whose decode a dialect's reference may be
REFERENCE_DECODES = (*TRANSFORMERS_DECODES, *SYSTEM_REFERENCES)  # what a dialect's `reference_decode` may name


class BertDecoding:
    """The decodes of one BERT tokenizer: its dialect, its special tokens, its vocabulary as transformers reads it
    (`lines`), and its own clean-up and lower-casing tables (for the round trip's causes)."""

    joins_units = False

    def __init__(self, dialect: Dialect, tables: CharTables, special: Collection[str], lines: Sequence[str], *,
                 lowercase: bool) -> None:
        self.dialect = dialect
        self.special = frozenset(special)
        self.lines = lines
        self._read: dict[str, list[str]] = {}
        self.styles = {"gpt2-ml": self._system("google", gpt2_ml), "uer": self._system("uer", uer),
                       "gpt2-chinese": self._system("transformers", gpt2_chinese),
                       "gpt2-quickly": self._system("transformers", self._gpt2_quickly),
                       "bert4keras": self._system("bert4keras", bert4keras)}
        self._deleted = CharSet(tables.delete)
        self._isolated = CharSet(tables.cjk)
        self._lower = tables.lower if lowercase else None

    def natural_pieces(self, tokens: Sequence[str], *, skip_special_tokens: bool, unknown: str,
                       restore_punctuation: bool) -> list[str]:
        skip = self.special - {UNK} if skip_special_tokens else ()
        return natural_pieces(tokens, UNK, skip, unknown, self._isolated)

    def reference(self, ids: Sequence[int], tokens: Sequence[str], **options: Any) -> str:
        which = options.pop("reference", self.dialect.reference_decode)
        if which in SYSTEM_REFERENCES:
            no_options(options, f"reference ({which})")
            return self.styles[which](ids, tokens)
        if which not in TRANSFORMERS_DECODES:
            raise UnknownDecodeStyle(f"unknown BERT reference decode {which!r}; expected one of "
                                     f"{', '.join(REFERENCE_DECODES)}")
        flags = {"skip_special_tokens": options.pop("skip_special_tokens", False),
                 "clean_up_tokenization_spaces": options.pop("clean_up_tokenization_spaces", True)}
        no_options(options, "reference")
        return TRANSFORMERS_DECODES[which]([self.lines[i] for i in ids], self.special, **flags)

    def _system(self, reader: str, decode: Callable[[Sequence[str]], str]) -> Callable[[Sequence[int], Any], str]:
        """A system's decode of ids: its rule over the entries as its reader reads the vocabulary's lines."""
        def decode_ids(ids: Sequence[int], tokens: Any) -> str:
            if reader not in self._read:
                self._read[reader] = [READERS[reader](line) for line in self.lines]
            entries = self._read[reader]
            return decode([entries[i] for i in ids])
        return decode_ids

    def _gpt2_quickly(self, tokens: Sequence[str]) -> str:
        """gpt2-quickly's text-generation pipeline: BertTokenizer.decode(skip_special_tokens=True)."""
        return hf_slow(tokens, self.special, skip_special_tokens=True)

    def lossy_unit(self, text: str, start: int, body_start: int, end: int, produced: str,
                   tokens: Sequence[str]) -> list[LossySpan]:
        """Why a unit of a BERT text did not come back."""
        body = text[body_start:end]
        separator = produced[:len(produced) - len(produced.lstrip())]
        rest = produced[len(separator):]
        spans = gap_spans(text, start, body_start, separator)
        if body == rest:
            return spans
        if any(token in self.special for token in tokens):
            cause = SPECIAL if body in tokens else UNKNOWN
            return spans + [LossySpan(cause, body_start, end, body, rest)]
        causes = []
        kept = "".join(char for char in body if char not in self._deleted)
        if kept != body:
            causes.append(DELETED)
        if self._lower is not None:
            lowered = "".join(self._lower.get(char, char) for char in kept)
            if kept.lower() != kept:
                causes.append(LOWERCASE)
            if lowered != kept.lower():
                causes.append(ACCENT)
            if lowered != rest and lowered.casefold() == rest.casefold():
                lowered = rest  # lower-cased in the context of its word: a final sigma (google dialect)
            kept = lowered
        if kept != rest:
            causes.append(WHITESPACE_LOST if "".join(kept.split()) == "".join(rest.split()) else UNEXPLAINED)
        return spans + [LossySpan(cause, body_start, end, body, rest) for cause in causes]
