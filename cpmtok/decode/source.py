"""The original text back from an `Encoding`: its offsets say which characters each token came from.

Every character of the text belongs to exactly one token here: the characters of its span, plus the
characters the tokenizer dropped just before it (whitespace, control and unknown-to-the-normaliser
characters). Several tokens made from one character (`…` -> `.` `.` `.`) share a span: the first takes
it. What follows the last span is the tail. Joining everything gives the text back, byte for byte;
offsets that go backwards or out of the text are an error (they would not).
"""

from __future__ import annotations

from typing import Sequence

from ..encoding import Encoding, Offset
from ..errors import InvalidIds


def source_pieces(text: str, offsets: Sequence[Offset]) -> list[str]:
    """One string per token (its span and the dropped characters before it), then the tail: len(offsets) + 1."""
    pieces = []
    cursor = 0  # end of the text given out so far
    last_start = 0
    for index, offset in enumerate(offsets):
        if offset is None:
            pieces.append("")
            continue
        start, end = offset
        if not (last_start <= start <= end <= len(text)):
            raise InvalidIds(f"offset {index} {offset} starts before {last_start} or ends past the text "
                             f"({len(text)} characters)")
        last_start = start
        if end <= cursor:  # a further token of characters already given out
            pieces.append("")
            continue
        pieces.append(text[cursor:end])
        cursor = end
    pieces.append(text[cursor:])
    return pieces


def source_text(encoding: Encoding) -> str:
    """The encoded text, rebuilt from the offsets (equal to `encoding.text` whenever the offsets are sound)."""
    if encoding.text is None:
        raise InvalidIds("this Encoding does not carry its text; decode its ids instead")
    return "".join(source_pieces(encoding.text, encoding.offsets))
