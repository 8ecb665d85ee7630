"""CPM ids -> text as a person would write it (the default `decode` style).

CPM-Generate's encoder joins jieba's words with spaces, writes the text's own spaces as `▂` and
newlines as `▃`, and SentencePiece's NFKC folds full-width punctuation to ASCII (`，` -> `,`,
`（` -> `(`, `…` -> `...`). The ids of `好,但` and `好，但` are the same: which one the writer typed
can only be read from the rest of the text. Decoding drops the join spaces, turns `▂`/`▃` back,
and restores a folded character only where the whole text is evidence of its writer's style
(`Style.of`, first match wins):

a. full width: a mark NFKC keeps and only full-width typing gives (`。、“”‘’《》【】「」…`);
b. ASCII: a Chinese sentence ends with an ASCII `.` (`不对.建议`, `不错.`);
c. ASCII: six or more commas beside Chinese characters and still no `。` (a full-width writer ends
   a sentence by then);
d. full width: `!`, `?` or `;` right after a Chinese character (`太好了!`: in texts without other
   evidence 96 % of them were typed full width, and so were the text's commas);
e. ASCII: a comma beside a Chinese character and nothing else (`难吃,不给发票` and `太慢了，差评`
   both occur; the ASCII reading keeps every text the reference decodes exactly);
f. no evidence: only rule 2 applies.
Rules 1-4 apply in full-width text; `°C` -> `℃` in every text:
1. `, ! ? ;` right after a Chinese character or mark, `,` also right before one (not after a digit):
   full width (`好，但`); but `?` right before `。` is a lost character, not a question mark;
2. `:` between a Chinese character and text (not before a space, a symbol or a URL, not ending an
   `@name` mention): `：`;
3. `(` touching a Chinese character, and its matching `)`: `（…）`, in a text with `。` (headlines
   like `开盘(图)` write ASCII brackets);
4. a run of 3k dots after a Chinese character: k `…` (`好......` -> `好……`).

Each function returns one string per token, so every token maps to the text it produced.
"""

from __future__ import annotations

import enum
import re
from typing import Sequence

from ..decode.chars import is_cjk_ideograph, is_wide

_FULL_WIDTH = {",": "\uff0c", "!": "\uff01", "?": "\uff1f", ";": "\uff1b", ":": "\uff1a",
               "(": "\uff08", ")": "\uff09"}
_CANDIDATES = re.compile(r"\.{3,}|\u00b0C|[,!?;:()]")
_CONTEXT = 64  # characters of context a rule may look at on each side
# 。、“”‘’《》〈〉【】「」『』〔〕: full-width marks that NFKC leaves as they are.
_FULL_WIDTH_MARKS = re.compile("[\u3002\u3001\u201c\u201d\u2018\u2019\u300a\u300b\u3008\u3009"
                               "\u3010\u3011\u300c\u300d\u300e\u300f\u3014\u3015]")
_ASCII_FULL_STOP = re.compile(r"[\u4e00-\u9fff]\.(?![.\d])")
_MARK_AFTER_CHINESE = re.compile(r"[\u4e00-\u9fff][!?;]")
_COMMA_BESIDE_CHINESE = re.compile(r"[\u4e00-\u9fff],|,[\u4e00-\u9fff]")
_MANY_CLAUSES = 6  # commas beside Chinese characters, with no 。 or other full-width mark
_MENTION_END = re.compile(r"@[^\s@:]+$")
_URL = re.compile(r"https?:")


class Style(enum.Enum):
    """What the whole decoded text says about its writer's punctuation (see the module docstring)."""

    FULL_WIDTH = "full-width"
    ASCII = "ascii"
    UNKNOWN = "unknown"

    @classmethod
    def of(cls, text: str) -> "Style":
        if _FULL_WIDTH_MARKS.search(text):
            return cls.FULL_WIDTH
        if _ASCII_FULL_STOP.search(text):
            return cls.ASCII
        commas = len(_COMMA_BESIDE_CHINESE.findall(text))
        if commas >= _MANY_CLAUSES:
            return cls.ASCII
        if _MARK_AFTER_CHINESE.search(text):
            return cls.FULL_WIDTH
        return cls.ASCII if commas else cls.UNKNOWN


def _chinese(char: str) -> bool:
    return is_cjk_ideograph(char) or is_wide(char) or char in "\u201c\u201d\u2018\u2019\u2026\u2014\u00b7"


def _restores(found: str, style: Style) -> bool:
    """Whether `style` lets rules 1-4 restore `found` at all: full-width text all of them; a text
    without evidence only `:` (`! ? ;` after a Chinese character are evidence themselves)."""
    return style is Style.FULL_WIDTH or (style is Style.UNKNOWN and found == ":")


def _replacement(found: str, before: str, after: str, open_brackets: list[bool], style: Style,
                 full_stops: bool) -> str:
    """`before`: the end of the text written so far (restored or not); `after`: the text that follows."""
    left, right = before[-1:], after[:1]
    left_zh, right_zh = bool(left) and _chinese(left), bool(right) and _chinese(right)
    if found == "\u00b0C":
        return "\u2103"
    if found == ")":
        wide = open_brackets.pop() if open_brackets else left_zh and full_stops and _restores(found, style)
        return _FULL_WIDTH[found] if wide else found
    if not _restores(found[0], style):
        if found == "(":
            open_brackets.append(False)
        return found
    if found.startswith("."):
        return "\u2026" * (len(found) // 3) if left_zh and len(found) % 3 == 0 else found
    if found == "(":
        open_brackets.append((left_zh or right_zh) and full_stops)
        return _FULL_WIDTH[found] if open_brackets[-1] else found
    if found == ",":
        restore = left_zh or (right_zh and not left.isdigit())
    elif found == ":":
        restore = (left_zh and bool(right) and not right.isspace() and (right_zh or right.isalnum())
                   and not _MENTION_END.search(before) and not _URL.match(after))
    elif found == "?":
        restore = left_zh and not after.startswith("\u3002")
    else:
        restore = left_zh
    return _FULL_WIDTH[found] if restore else found


def restore_pieces(pieces: Sequence[str]) -> list[str]:
    """The rules above applied across token boundaries; one string per token still."""
    text = "".join(pieces)
    owner = [index for index, piece in enumerate(pieces) for _ in piece]
    style, full_stops = Style.of(text), "\u3002" in text
    out = [""] * len(pieces)
    recent = ""  # the end of what is written so far
    open_brackets: list[bool] = []
    position = 0
    for match in _CANDIDATES.finditer(text):
        for char_at in range(position, match.start()):
            out[owner[char_at]] += text[char_at]
        recent = (recent + text[position:match.start()])[-_CONTEXT:]
        after = text[match.end():match.end() + _CONTEXT]
        new = _replacement(match.group(), recent, after, open_brackets, style, full_stops)
        out[owner[match.start()]] += new
        recent = (recent + new)[-_CONTEXT:]
        position = match.end()
    for char_at in range(position, len(text)):
        out[owner[char_at]] += text[char_at]
    return out
