"""Greedy longest-match-first WordPiece, shared by the oracle and the fast path."""

from __future__ import annotations

from typing import Container, Optional

CONTINUATION = "##"


def wordpiece(word: str, vocab: Container[str], max_chars: int, longest: int) -> Optional[list[tuple[int, int]]]:
    """[start, end) character spans of the pieces of `word`, or None when the whole word is [UNK].

    As every reference: a word longer than `max_chars` characters, or one where some position has
    no vocabulary entry, is a single [UNK]. `longest` (the longest entry) only bounds the search.
    """
    if len(word) > max_chars:
        return None
    spans = []
    start = 0
    while start < len(word):
        end = min(len(word), start + longest)
        while end > start:
            piece = word[start:end] if start == 0 else CONTINUATION + word[start:end]
            if piece in vocab:
                break
            end -= 1
        else:
            return None
        spans.append((start, end))
        start = end
    return spans


def piece_text(word: str, start: int, end: int) -> str:
    """The vocabulary entry of the piece word[start:end]: `##` marks a continuation."""
    return word[start:end] if start == 0 else CONTINUATION + word[start:end]
