"""`Encoding`: the ids of one text, with tokens and character offsets computed on first access.

Offsets are `(start, end)` character spans into the ORIGINAL text, or `None` for an id that no
character of the text produced (special tokens, CPM's join spaces, SentencePiece's dummy prefix).
Tokens and offsets are lazy because most callers only want ids, and ids are the hot path.
"""

from __future__ import annotations

from typing import Callable, Optional, Sequence

Offset = Optional[tuple[int, int]]


class Encoding:
    """ids (always), tokens and offsets (computed once, on first access), and the source text."""

    __slots__ = ("ids", "text", "_tokens", "_offsets", "_make_tokens", "_make_offsets")

    def __init__(
        self,
        ids: list[int],
        text: Optional[str] = None,
        *,
        tokens: Optional[list[str]] = None,
        offsets: Optional[list[Offset]] = None,
        make_tokens: Optional[Callable[[], list[str]]] = None,
        make_offsets: Optional[Callable[[], list[Offset]]] = None,
    ) -> None:
        if tokens is None and make_tokens is None:
            raise ValueError("Encoding needs tokens or a way to make them")
        if offsets is None and make_offsets is None:
            raise ValueError("Encoding needs offsets or a way to make them")
        self.ids = ids
        self.text = text
        self._tokens = tokens
        self._offsets = offsets
        self._make_tokens = make_tokens
        self._make_offsets = make_offsets

    @property
    def tokens(self) -> list[str]:
        if self._tokens is None:
            self._tokens = self._make_tokens()  # type: ignore[misc]
        return self._tokens

    @property
    def offsets(self) -> list[Offset]:
        if self._offsets is None:
            self._offsets = self._make_offsets()  # type: ignore[misc]
        return self._offsets

    def __len__(self) -> int:
        return len(self.ids)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Encoding):
            return NotImplemented
        return (self.ids, self.tokens, self.offsets, self.text) == (
            other.ids, other.tokens, other.offsets, other.text)

    def __repr__(self) -> str:
        return f"Encoding(ids={self.ids!r}, tokens={self.tokens!r}, offsets={self.offsets!r})"

    def to_dict(self, fields: Sequence[str] = ("ids",)) -> dict:
        """A JSON-ready dict of the named fields (`ids`, `tokens`, `offsets`)."""
        return {field: getattr(self, field) for field in fields}
