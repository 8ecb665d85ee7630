"""Offsets of CPM ids in the ORIGINAL text, from SentencePiece's spans in its input.

CPM-Generate's SentencePiece input is the text with a space inserted between jieba's words and space/newline
substituted one for one (▂/▃), so every space in it is a join space and its other characters are the text's
characters in order. SentencePiece reports each piece's character span in that input (through its own
normalisation); a span maps to the text characters it covers, and a piece that covers only join spaces (or
SentencePiece's dummy prefix, which covers nothing) gets None. One exception: when NFKC expands a character
into several pieces (`Ⅻ` -> `▁X` `II`, `㍻` -> `▁平` `成`), SentencePiece gives the first piece the join space
before the character; a piece with visible text and only join spaces gets the character that follows, so
all pieces of an expansion share that character's span. The join space may come with characters SentencePiece
removes (`\x1f`); a piece with visible text made only of removed characters also gets the character that follows.
"""

from __future__ import annotations

from ..encoding import Offset
from .segmenter import WORD_JOINER


def piece_offsets(joined: str, processor) -> list[Offset]:
    """One (start, end) or None per piece of `processor.encode(joined)`."""
    original_index: list[int] = []  # input position -> 1 + index of the text character there (0: a join space)
    count = 0
    for char in joined:
        if char == WORD_JOINER:
            original_index.append(0)
        else:
            count += 1
            original_index.append(count)
    encoded = processor.encode(joined, return_type="offset_mapping")
    removed: dict[str, bool] = {}  # character -> SentencePiece normalises it to nothing

    def only_removed(begin: int, end: int) -> bool:
        """Whether the text characters in joined[begin:end] all vanish in SentencePiece's normalisation."""
        for position in range(end - 1, begin - 1, -1):  # an ordinary piece's last character is visible: one look
            if not original_index[position]:
                continue
            char = joined[position]
            if char not in removed:
                removed[char] = not processor.normalize(char)
            if not removed[char]:
                return False
        return True

    offsets: list[Offset] = []
    for piece, (begin, end) in zip(encoded["pieces"], encoded["offsets"]):
        covered = [i for i in original_index[begin:end] if i]
        if piece.strip("\u2581") and (not covered or only_removed(begin, end)):
            covered = [i for i in original_index[end:end + 2] if i][:1]
        offsets.append((covered[0] - 1, covered[-1]) if covered else None)
    return offsets
