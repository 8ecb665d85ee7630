"""`roundtrip(tok, text)`: does the text come back from its ids, and if not, what was lost where and why.

The text is encoded; its offsets cut it into units (a token with the characters dropped before it;
tokens made from one character share a unit), and the natural decode gives each unit's text back.
Each unit whose two sides differ becomes one or more `LossySpan`s (lossy.py), each with one cause; the
tokenizer's family decides the causes (its `decoding.lossy_unit`).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Optional, Sequence

from ..encoding import Encoding, Offset
from ..errors import InvalidIds
from . import decoder
from .lossy import UNEXPLAINED, LossySpan


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
    family = tokenizer.decoding
    differing = [unit for unit in _units(encoding.offsets, len(text))
                 if text[unit[2]:unit[4]] != "".join(decoded_pieces[unit[0]:unit[1]])]

    def why(unit: tuple[int, int, int, int, int]) -> list[LossySpan]:
        first, last, start, body_start, end = unit
        return family.lossy_unit(text, start, body_start, end, "".join(decoded_pieces[first:last]),
                                 tokens[first:last])

    spans: list[LossySpan] = []
    index = 0
    while index < len(differing):
        unit, found = differing[index], why(differing[index])
        # one piece can carry the text of several characters (CPM: `……` -> `▁......` + `▁`): where the
        # family says so, a unit that cannot be explained alone is explained with the units right after it
        while family.joins_units and any(s.cause == UNEXPLAINED for s in found) and index + 1 < len(differing) \
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
