"""What a round trip lost, and why: a `LossySpan` per lost stretch, with one cause each.

Causes (a family's round-trip unit decides which apply; cpmtok.bert.decode, cpmtok.cpm.decode):

- `unknown token`: [UNK] / <unk> stands for the characters;
- `lower-casing`, `accent stripping` (BERT; accent stripping includes Unicode NFD decomposition);
- `deleted character`: the tokenizer drops it (control, format, U+FFFD, ...), no token carries it;
- `whitespace lost`: whitespace the tokens do not carry (BERT: all; CPM: tabs, CR, U+3000, ...);
- `whitespace added`: the natural decode put a space where the text had none;
- `NFKC change`: SentencePiece's normalisation folded a character (`，` -> `,`) and the decode kept the fold;
- `punctuation guess`: the natural decode restored a full-width form the text did not use;
- `special-string collision`: the text spells a special token (`[CLS]`, `<eod>`), read as that token;
- `literal ▂/▃`: the text's own ▂/▃, which CPM decodes as a space/newline;
- `unexplained`: none of the above (a bug; the tests require none on the corpus).
"""

from __future__ import annotations

from dataclasses import dataclass

UNKNOWN, LOWERCASE, ACCENT = "unknown token", "lower-casing", "accent stripping"
DELETED, WHITESPACE_LOST, WHITESPACE_ADDED = "deleted character", "whitespace lost", "whitespace added"
NFKC, PUNCTUATION, SPECIAL = "NFKC change", "punctuation guess", "special-string collision"
LITERAL_BLOCK, UNEXPLAINED = "literal \u2582/\u2583", "unexplained"
CAUSES = (UNKNOWN, LOWERCASE, ACCENT, DELETED, WHITESPACE_LOST, WHITESPACE_ADDED, NFKC, PUNCTUATION, SPECIAL,
          LITERAL_BLOCK, UNEXPLAINED)


@dataclass(frozen=True)
class LossySpan:
    """Characters `start:end` of the text (`original`) came back as `decoded`, because of `cause`."""

    cause: str
    start: int
    end: int
    original: str
    decoded: str

    def __str__(self) -> str:
        return f"{self.cause}: {self.original!r} -> {self.decoded!r} at {self.start}:{self.end}"


def gap_spans(text: str, start: int, body_start: int, produced_space: str) -> list[LossySpan]:
    """Spans for the characters the tokenizer dropped before a unit (`text[start:body_start]`), given the
    whitespace the decode put there."""
    gap = text[start:body_start]
    spans = []
    if any(not char.isspace() for char in gap):
        spans.append(LossySpan(DELETED, start, body_start, gap, produced_space))
    space = "".join(char for char in gap if char.isspace())
    if space != produced_space:
        spans.append(LossySpan(WHITESPACE_ADDED if not space else WHITESPACE_LOST, start, body_start, gap,
                               produced_space))
    return spans
