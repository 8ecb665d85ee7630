"""`Encoding`: the ids of one text, with tokens and character offsets computed on first access.

Offsets are `(start, end)` character spans into the ORIGINAL text, or `None` for an id that no
character of the text produced (special tokens, CPM's join spaces, SentencePiece's dummy prefix).
Tokens and offsets are lazy because most callers only want ids, and ids are the hot path: an
Encoding made by a tokenizer keeps a reference to it (no closure per text) and asks it on demand.
"""

from __future__ import annotations

from typing import Optional, Protocol, Sequence

Offset = Optional[tuple[int, int]]


class EncodingSource(Protocol):
    """What an Encoding asks the tokenizer that made its ids (cpmtok.base.Tokenizer's private hooks)."""

    def _tokens_of(self, ids: Sequence[int]) -> list[str]: ...

    def _offsets_of(self, text: str, ids: Sequence[int], add_special_tokens: bool) -> list[Offset]: ...


class Encoding:
    """ids (always), tokens and offsets (given, or computed once by `source`), and the source text."""

    __slots__ = ("ids", "text", "_tokens", "_offsets", "_source", "_add_special_tokens")

    def __init__(
        self,
        ids: list[int],
        text: Optional[str] = None,
        *,
        tokens: Optional[list[str]] = None,
        offsets: Optional[list[Offset]] = None,
        source: Optional[EncodingSource] = None,
        add_special_tokens: bool = False,
    ) -> None:
        if source is None and (tokens is None or offsets is None):
            raise ValueError("Encoding needs tokens and offsets, or the tokenizer that made its ids")
        self.ids = ids
        self.text = text
        self._tokens = tokens
        self._offsets = offsets
        self._source = source
        self._add_special_tokens = add_special_tokens

    @property
    def tokens(self) -> list[str]:
        if self._tokens is None:
            self._tokens = self._source._tokens_of(self.ids)  # type: ignore[union-attr]
        return self._tokens

    @property
    def offsets(self) -> list[Offset]:
        if self._offsets is None:
            self._offsets = self._source._offsets_of(self.text, self.ids, self._add_special_tokens)  # type: ignore
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
