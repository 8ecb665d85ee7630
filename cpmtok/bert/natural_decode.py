"""BERT ids -> text as a person would write it (the default `decode` style).

BERT's basic tokenizer cut the text into words at whitespace, around each CJK ideograph and around each
punctuation character, and WordPiece split words into `##` pieces. Decoding glues the pieces back into
words and then decides, for each pair of neighbouring words, whether a space stood between them:

1. two runs (words that are neither CJK nor punctuation) were cut apart by whitespace: one space;
2. nothing beside a CJK ideograph or a wide (full-width) character: Chinese is written without spaces; the
   same for every other character the dialect isolates as it isolates CJK (gpt2-chinese: digits, `364.6`);
3. nothing beside narrow punctuation (`3.14`, `2015-11-13`, `12:30`, `50%`, `vue.js`, URLs, e-mail
   addresses), except after `, ! ; : %` or a closing bracket that ends a Latin word and is followed
   by a Latin word outside a URL or e-mail address: `hello, world`;
4. an `[UNK]` with runs on both sides stood for a word of its own: spaces around it (`na [UNK] nai`);
   elsewhere (`1980[UNK]1983`, a dash the vocabulary lacks) none.

Each function returns one string per token (the separator before the token included), so a caller
can map every token to the text it produced; `"".join` gives the decoded text.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Collection, Container, Optional, Sequence

from ..decode.chars import is_cjk_ideograph, is_punctuation, is_wide

_SPACE_AFTER = set(",!;:%)]}")  # followed by a space in Latin prose (not . and ?: vue.js, ?utm_source=)
_URL_SCHEMES = {"http", "https", "ftp", "www"}
_MAILBOX_MARKS = {".", "_", "-", "+"}


@dataclass
class _Word:
    kind: str  # "cjk", "wide", "punct", "run", "unk"
    text: str
    first: int  # index of its first token


def _kind(text: str, isolated: Container[str]) -> str:
    if len(text) == 1:
        if is_cjk_ideograph(text) or text in isolated:
            return "cjk"
        if is_wide(text):
            return "wide"
        if is_punctuation(text):
            return "punct"
    return "run"


def _is_latin_word(word: Optional[_Word]) -> bool:
    return word is not None and word.kind == "run" and word.text[-1].isascii() and word.text[-1].isalpha()


def _url_words(words: list[_Word]) -> set[int]:
    """Indices of words inside a URL or e-mail address (scheme://..., www...., name@host)."""
    inside: set[int] = set()
    for start, word in enumerate(words):
        if not (word.text in _URL_SCHEMES or (word.kind == "punct" and word.text == "@")):
            continue
        first, end = start, start + 1
        while end < len(words) and words[end].kind in ("run", "punct") and not (
                words[end].kind == "run" and words[end - 1].kind == "run"):
            end += 1
        if word.text == "@":  # the mailbox name before it too: first.last@host
            while first > 0 and (words[first - 1].kind == "run" or words[first - 1].text in _MAILBOX_MARKS) and not (
                    words[first - 1].kind == "run" and words[first].kind == "run"):
                first -= 1
        inside.update(range(first, end))
    return inside


def _stands_alone(words: list[_Word], at: int) -> bool:
    """An [UNK] with runs (or the text's edge) on both sides was a word of its own, cut out by whitespace."""
    return all(not 0 <= i < len(words) or words[i].kind == "run" for i in (at - 1, at + 1))


def _separator(words: list[_Word], index: int, in_url: set[int]) -> str:
    before, after = words[index - 1], words[index]
    kinds = {before.kind, after.kind}
    if kinds & {"cjk", "wide"}:
        return ""
    if "unk" in kinds:
        unknown_at = index if after.kind == "unk" else index - 1
        return " " if "run" in kinds and _stands_alone(words, unknown_at) else ""
    if kinds == {"run"}:
        return " "
    if before.kind == "punct" and after.kind == "run" and before.text in _SPACE_AFTER:
        ahead = words[index - 2] if index >= 2 else None
        if index in in_url or index - 1 in in_url:
            return ""
        if _is_latin_word(ahead) and after.text[0].isascii() and after.text[0].isalpha():
            return " "
    return ""


def natural_pieces(tokens: Sequence[str], unknown_token: str, skip: Collection[str], unknown: str,
                   isolated: Container[str] = ()) -> list[str]:
    """One string per token: the words rebuilt from `##` pieces, with the spaces the rules above decide.

    `skip`: tokens that decode to nothing (the special tokens); `unknown_token` decodes to `unknown`;
    `isolated`: the characters the dialect makes words of their own like CJK ideographs (its `cjk` table).
    """
    pieces = [""] * len(tokens)
    words: list[_Word] = []
    for index, token in enumerate(tokens):
        if token in skip:
            continue
        if token == unknown_token:
            words.append(_Word("unk", unknown, index))
            pieces[index] = unknown
        elif token.startswith("##"):
            pieces[index] = token[2:]
            if words and words[-1].kind == "run":
                words[-1].text += token[2:]
            elif token[2:]:
                words.append(_Word(_kind(token[2:], isolated), token[2:], index))
        elif token:
            pieces[index] = token
            words.append(_Word(_kind(token, isolated), token, index))
    in_url = _url_words(words)
    for index in range(1, len(words)):
        separator = _separator(words, index, in_url)
        if separator:
            pieces[words[index].first] = separator + pieces[words[index].first]
    return pieces
