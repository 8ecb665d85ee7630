"""CPM ids -> text as a person would write it (the default `decode` style).

CPM-Generate's encoder joins jieba's words with spaces, writes the text's own spaces as `▂` and
newlines as `▃`, and SentencePiece's NFKC folds full-width punctuation to ASCII (`，` -> `,`,
`（` -> `(`, `…` -> `...`). Decoding drops the join spaces, turns `▂`/`▃` back, and restores a
folded character where the context is strong evidence that the writer used the full-width form:

1. `, ! ? ;` right after a Chinese character or mark, `,` also right before one (not after a digit):
   full width (`好，但`);
2. `:` between a Chinese character and text (not before a space or a symbol): `：`;
3. `(` touching a Chinese character, and its matching `)`: `（…）`, but only in a text that ends its
   sentences with `。` (texts without `。` mostly write ASCII brackets);
4. a run of 3k dots after a Chinese character: k `…` (`好......` -> `好……`); `°C` -> `℃`.
A text that ends Chinese sentences with an ASCII `.` (`不对.建议`) is written in ASCII punctuation:
rules 1-3 are not applied to it.

Each function returns one string per token, so every token maps to the text it produced.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Sequence

from .chars import is_cjk_ideograph, is_wide
from .cpm_reference import BLOCK_NEWLINE, BLOCK_SPACE

_FULL_WIDTH = {",": "\uff0c", "!": "\uff01", "?": "\uff1f", ";": "\uff1b", ":": "\uff1a",
               "(": "\uff08", ")": "\uff09"}
_CANDIDATES = re.compile(r"\.{3,}|\u00b0C|[,!?;:()]")
_ASCII_SENTENCE_END = re.compile(r"[\u4e00-\u9fff]\.[\u4e00-\u9fff]")
_WIDE_MARKS = re.compile("[\u3002\u3001\u201c\u201d\u2018\u2019\u300a\u300b\u3008\u3009\u3010\u3011\u300c\u300d\u300e\u300f\u3014\u3015]")
UNKNOWN_RESTORES = set(",!?;:(")
ASCII_RE = _ASCII_SENTENCE_END



def _chinese(char: str) -> bool:
    return is_cjk_ideograph(char) or is_wide(char) or char in "\u201c\u201d\u2018\u2019\u2026\u2014\u00b7"


def render(piece: str) -> str:
    """A piece's text: SentencePiece's `▁` (the join spaces) dropped, `▂` -> space, `▃` -> newline."""
    return piece.replace("\u2581", "").replace(BLOCK_SPACE, " ").replace(BLOCK_NEWLINE, "\n")


@dataclass(frozen=True)
class _Evidence:
    """What the whole decoded text says about its writer's punctuation."""

    ascii_sentences: bool  # a Chinese sentence ends with an ASCII "." (`不对.建议`)
    full_stops: bool  # it has 。
    wide: bool

    @classmethod
    def of(cls, text: str) -> "_Evidence":
        wide = bool(_WIDE_MARKS.search(text))
        return cls(bool(ASCII_RE.search(text)) and not (wide and WIDE_BEATS_ASCII), "\u3002" in text, wide)


def _replacement(found: str, left: str, right: str, open_brackets: list[bool], evidence: _Evidence) -> str:
    left_zh, right_zh = bool(left) and _chinese(left), bool(right) and _chinese(right)
    if found.startswith("."):
        return "\u2026" * (len(found) // 3) if left_zh and len(found) % 3 == 0 else found
    if found == "\u00b0C":
        return "\u2103"
    if evidence.ascii_sentences:
        return found
    if not evidence.wide and found not in UNKNOWN_RESTORES:
        return found
    if found == "(":
        wide = evidence.full_stops and (left_zh or right_zh)
        open_brackets.append(wide)
        return _FULL_WIDTH[found] if wide else found
    if found == ")":
        wide = open_brackets.pop() if open_brackets else left_zh and evidence.full_stops
        return _FULL_WIDTH[found] if wide else found
    if found == ",":
        restore = left_zh or (right_zh and not left.isdigit())
    elif found == ":":
        restore = left_zh and bool(right) and not right.isspace() and (right_zh or right.isalnum())
    else:
        restore = left_zh
    return _FULL_WIDTH[found] if restore else found


def restore_pieces(pieces: Sequence[str]) -> list[str]:
    """The rules above applied across token boundaries; one string per token still."""
    text = "".join(pieces)
    owner = [index for index, piece in enumerate(pieces) for _ in piece]
    evidence = _Evidence.of(text)
    out = [""] * len(pieces)
    open_brackets: list[bool] = []
    position = 0
    left = ""  # the last character written, restored or not
    for match in _CANDIDATES.finditer(text):
        for char_at in range(position, match.start()):
            out[owner[char_at]] += text[char_at]
        if match.start() > position:
            left = text[match.start() - 1]
        right = text[match.end()] if match.end() < len(text) else ""
        new = _replacement(match.group(), left, right, open_brackets, evidence)
        out[owner[match.start()]] += new
        left = new[-1]
        position = match.end()
    for char_at in range(position, len(text)):
        out[owner[char_at]] += text[char_at]
    return out
