"""`roundtrip(tok, text)`: does the text come back from its ids, and if not, what was lost where and why.

The text is encoded; its offsets cut it into units (a token with the characters dropped before it;
tokens made from one character share a unit), and the natural decode gives each unit's text back.
Each unit whose two sides differ becomes one or more `LossySpan`s, each with one cause:

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

from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Optional, Sequence

from ..encoding import Encoding, Offset
from ..errors import InvalidIds
from . import decoder
from .cpm_reference import BLOCK_NEWLINE, BLOCK_SPACE

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


@dataclass(frozen=True)
class RoundTrip:
    """A text, what its ids decode to (natural and reference style), and every lossy span."""

    text: str
    decoded: str
    reference: str
    spans: tuple[LossySpan, ...] = field(default=())

    @property
    def exact(self) -> bool:
        return self.decoded == self.text

    @property
    def reference_exact(self) -> bool:
        return self.reference == self.text

    @property
    def causes(self) -> Counter:
        return Counter(span.cause for span in self.spans)

    def to_dict(self) -> dict[str, Any]:
        return {"exact": self.exact, "reference_exact": self.reference_exact, "text": self.text,
                "decoded": self.decoded, "reference": self.reference,
                "spans": [vars(span) for span in self.spans]}

    def __str__(self) -> str:
        if self.exact:
            return "exact"
        return "\n".join([f"lossy ({len(self.spans)} span(s)):"] + [f"  {span}" for span in self.spans])


def roundtrip(tokenizer: Any, text: str) -> RoundTrip:
    """Encode `text`, decode it back (natural and reference style) and explain every difference."""
    return explain(tokenizer, tokenizer.encode(text))


def explain(tokenizer: Any, encoding: Encoding) -> RoundTrip:
    """The round trip of an encoding that carries its text (`tokenizer.encode(text)`)."""
    if encoding.text is None:
        raise InvalidIds("a round trip needs an Encoding that carries its text (tok.encode(text))")
    text = encoding.text
    tokens = decoder.tokens_of(tokenizer, encoding.ids)
    decoded_pieces = decoder.natural_pieces(tokenizer, tokens)
    decoded = "".join(decoded_pieces)
    reference = decoder.reference(tokenizer, encoding.ids, tokens)
    if decoded == text:
        return RoundTrip(text, decoded, reference)
    bert = tokenizer.family == "bert"
    explain_unit = _BertUnit(tokenizer) if bert else _CpmUnit(tokenizer)
    differing = [unit for unit in _units(encoding.offsets, len(text))
                 if text[unit[2]:unit[4]] != "".join(decoded_pieces[unit[0]:unit[1]])]

    def why(unit: tuple[int, int, int, int, int]) -> list[LossySpan]:
        first, last, start, body_start, end = unit
        return explain_unit(text, start, body_start, end, "".join(decoded_pieces[first:last]), tokens[first:last])

    spans: list[LossySpan] = []
    index = 0
    while index < len(differing):
        unit, found = differing[index], why(differing[index])
        # one CPM piece can carry the text of several characters (`……` -> `▁......` + `▁`): explain
        # a unit that cannot be explained alone together with the units right after it
        while not bert and any(s.cause == UNEXPLAINED for s in found) and index + 1 < len(differing) \
                and differing[index + 1][0] == unit[1] and differing[index + 1][2] == unit[4]:
            index += 1
            unit = (unit[0], differing[index][1], unit[2], unit[3], differing[index][4])
            found = why(unit)
        spans += found
        index += 1
    if not spans:
        spans.append(LossySpan(UNEXPLAINED, 0, len(text), text, decoded))
    return RoundTrip(text, decoded, reference, tuple(spans))


def _units(offsets: Sequence[Offset], length: int) -> list[tuple[int, int, int, int, int]]:
    """(first token, last token + 1, start, body start, end) per unit; `start:body_start` holds what the
    tokenizer dropped before the unit's characters. The tail (text after the last span) is a last unit."""
    units: list[list[int]] = []
    cursor = 0
    waiting: Optional[int] = None  # first of the tokens without text that precede every span
    for index, offset in enumerate(offsets):
        if offset is None or offset[1] <= cursor:  # no text of its own: part of the unit before it
            if units:
                units[-1][1] = index + 1
            elif waiting is None:
                waiting = index
            continue
        first = index if waiting is None else waiting
        waiting = None
        units.append([first, index + 1, cursor, max(offset[0], cursor), offset[1]])
        cursor = offset[1]
    first = len(offsets) if waiting is None else waiting
    units.append([first, len(offsets), cursor, length, length])
    return [(a, b, c, d, e) for a, b, c, d, e in units]


def _gap_spans(text: str, start: int, body_start: int, produced_space: str) -> list[LossySpan]:
    gap = text[start:body_start]
    spans = []
    if any(not char.isspace() for char in gap):
        spans.append(LossySpan(DELETED, start, body_start, gap, produced_space))
    space = "".join(char for char in gap if char.isspace())
    if space != produced_space:
        spans.append(LossySpan(WHITESPACE_ADDED if not space else WHITESPACE_LOST, start, body_start, gap,
                               produced_space))
    return spans


class _BertUnit:
    """Why a unit of a BERT text did not come back."""

    def __init__(self, tokenizer: Any) -> None:
        from ..bert.tables import CharSet

        self.special = set(tokenizer.special_tokens)
        self.deleted = CharSet(tokenizer.tables.delete)  # the dialect's own clean-up and lower-casing tables
        self.lower = tokenizer.tables.lower if tokenizer.lowercase else None

    def __call__(self, text: str, start: int, body_start: int, end: int, produced: str,
                 tokens: Sequence[str]) -> list[LossySpan]:
        body = text[body_start:end]
        separator = produced[:len(produced) - len(produced.lstrip())]
        rest = produced[len(separator):]
        spans = _gap_spans(text, start, body_start, separator)
        if body == rest:
            return spans
        if any(token in self.special for token in tokens):
            cause = SPECIAL if body in tokens else UNKNOWN
            return spans + [LossySpan(cause, body_start, end, body, rest)]
        causes = []
        kept = "".join(char for char in body if char not in self.deleted)
        if kept != body:
            causes.append(DELETED)
        if self.lower is not None:
            lowered = "".join(self.lower.get(char, char) for char in kept)
            if kept.lower() != kept:
                causes.append(LOWERCASE)
            if lowered != kept.lower():
                causes.append(ACCENT)
            if lowered != rest and lowered.casefold() == rest.casefold():
                lowered = rest  # lower-cased in the context of its word: a final sigma (google dialect)
            kept = lowered
        if kept != rest:
            causes.append(WHITESPACE_LOST if "".join(kept.split()) == "".join(rest.split()) else UNEXPLAINED)
        return spans + [LossySpan(cause, body_start, end, body, rest) for cause in causes]


class _CpmUnit:
    """Why a unit of a CPM text did not come back."""

    def __init__(self, tokenizer: Any) -> None:
        self.sp = tokenizer.sp
        self.normalized: dict[str, str] = {}

    def fold(self, char: str) -> str:
        """What SentencePiece's normaliser makes of one character (`""` when it is dropped)."""
        if char not in self.normalized:
            folded = self.sp.normalize("a" + char + "a")  # the a's keep the dummy prefix and trimming away
            self.normalized[char] = folded[2:-1].replace("\u2581", " ").strip() if len(folded) > 3 else ""
        return self.normalized[char]

    def __call__(self, text: str, start: int, body_start: int, end: int, produced: str,
                 tokens: Sequence[str]) -> list[LossySpan]:
        body = text[body_start:end]
        spans = _gap_spans(text, start, body_start, "") if body_start > start else []
        if body == produced:
            return spans
        if decoder.CPM_UNKNOWN_PIECE in tokens:
            return spans + [LossySpan(UNKNOWN, body_start, end, body, produced)]
        if any(token in decoder.CPM_SPECIAL_PIECES for token in tokens):
            return spans + [LossySpan(SPECIAL, body_start, end, body, produced)]
        causes: list[str] = []
        mapped = []
        for char in body:
            if char in (BLOCK_SPACE, BLOCK_NEWLINE):
                causes.append(LITERAL_BLOCK)
                mapped.append(" " if char == BLOCK_SPACE else "\n")
                continue
            folded = self.fold(char)
            if folded == char or char in " \n":
                mapped.append(char)
            elif not folded:
                causes.append(WHITESPACE_LOST if char.isspace() else DELETED)
            else:
                causes.append(NFKC)
                mapped.append(folded)
        came_back = "".join(mapped)
        if came_back != produced:
            if "".join(self.fold(c) for c in produced) == "".join(self.fold(c) for c in came_back):
                causes = [cause for cause in causes if cause != NFKC] + [PUNCTUATION]
            elif "".join(came_back.split()) == "".join(produced.split()):
                causes.append(WHITESPACE_LOST)
            else:
                causes.append(UNEXPLAINED)
        return spans + [LossySpan(cause, body_start, end, body, produced) for cause in dict.fromkeys(causes)]


@dataclass
class Summary:
    """Round trips of many records, counted: exactness (natural and reference), causes, worst examples."""

    examples: int = 5
    records: int = 0
    exact: int = 0
    reference_exact: int = 0
    records_per_cause: Counter = field(default_factory=Counter)
    spans_per_cause: Counter = field(default_factory=Counter)
    reference_only: list[tuple[str, RoundTrip]] = field(default_factory=list)  # exact by reference, not natural
    worst: list[tuple[int, str, RoundTrip]] = field(default_factory=list)  # (characters lost, where, report)

    def add(self, where: str, report: RoundTrip) -> None:
        self.records += 1
        self.exact += report.exact
        self.reference_exact += report.reference_exact
        if report.reference_exact and not report.exact:
            self.reference_only.append((where, report))
        causes = report.causes
        self.records_per_cause.update(causes.keys())
        self.spans_per_cause.update(causes)
        if report.spans:
            lost = sum(max(len(span.original), len(span.decoded)) for span in report.spans)
            self.worst.append((lost, where, report))
            if len(self.worst) > 4 * self.examples:
                self.worst = sorted(self.worst, key=lambda item: -item[0])[:self.examples]

    def worst_examples(self) -> list[tuple[int, str, RoundTrip]]:
        return sorted(self.worst, key=lambda item: -item[0])[:self.examples]

    def to_dict(self) -> dict[str, Any]:
        return {
            "records": self.records, "exact": self.exact, "reference_exact": self.reference_exact,
            "records_per_cause": dict(self.records_per_cause.most_common()),
            "spans_per_cause": dict(self.spans_per_cause.most_common()),
            "reference_exact_not_natural": [{"where": where, **report.to_dict()}
                                            for where, report in self.reference_only],
            "worst": [{"where": where, "lost_characters": lost, **report.to_dict()}
                      for lost, where, report in self.worst_examples()],
        }
