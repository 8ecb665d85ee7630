"""Where a long text can be cut without changing its BERT ids, so that one huge text encodes in bounded memory.

Every dialect ends a word at ASCII whitespace and makes a CJK ideograph (U+4E00..U+9FFF, in all three
dialects' tables) a word of its own, and nothing it does looks across either: special tokens ([SEP], ...)
contain neither; NFD reorders only the marks after a starter, and whitespace and these ideographs are
starters without decomposition; lowercasing's one context rule (final sigma) stops at both; WordPiece
and max_chars_per_word work inside one word. So ids(text) == ids(text[:cut]) + ids(text[cut:]) for a cut
just after ASCII whitespace or just before an ideograph; `pieces` cuts there, about every `size` characters.
"""

from __future__ import annotations

from typing import Iterator

import regex

CUT_SIZE = 1 << 18  # characters per piece: a piece's working memory is a few MB, the ids list is the rest
_CUT = regex.compile(r"[ \t\n\r]|(?=[\u4e00-\u9fff])")


def pieces(text: str, size: int = CUT_SIZE) -> Iterator[str]:
    """`text` in consecutive pieces of at least `size` characters (the last may be shorter), cut only
    where the ids do not change. A text with no such place after `size` characters stays whole."""
    start = 0
    while len(text) - start > size:
        match = _CUT.search(text, start + size)
        if match is None:
            break
        yield text[start:match.end()]
        start = match.end()
    yield text[start:]
