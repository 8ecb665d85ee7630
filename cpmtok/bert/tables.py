"""The per-dialect character tables (generated from the references by tools/make_bert_tables.py).

A table says, for every code point, what the reference's clean-up, CJK isolation, punctuation split,
word separation and lower-casing-with-accent-stripping do with it. Frozen data: hf-slow and google
are Python 3.11's unicodedata (Unicode 14.0.0), hf-fast is what the Rust tokenizer answered.
"""

from __future__ import annotations

import json
from bisect import bisect_right
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

TABLE_DIR = Path(__file__).resolve().parent / "tables"

Ranges = tuple[tuple[int, int], ...]


def _ranges(rows: list[list[int]]) -> Ranges:
    return tuple((first, last) for first, last in rows)


class CharSet:
    """Membership of a character in sorted ranges, by bisection (the oracle's per-character test)."""

    __slots__ = ("_firsts", "_lasts")

    def __init__(self, ranges: Ranges) -> None:
        self._firsts = [first for first, _ in ranges]
        self._lasts = [last for _, last in ranges]

    def __contains__(self, ch: str) -> bool:
        cp = ord(ch)
        i = bisect_right(self._firsts, cp) - 1
        return i >= 0 and cp <= self._lasts[i]


def char_class(ranges: Ranges) -> str:
    """The inside of a regex character class `[...]` matching exactly these code points."""
    def esc(cp: int) -> str:
        return f"\\U{cp:08x}"
    return "".join(esc(a) if a == b else f"{esc(a)}-{esc(b)}" for a, b in ranges)


@dataclass(frozen=True)
class CharTables:
    """One dialect's character behaviour; sets are code points, `lower` maps a char to its output."""

    dialect: str
    reference: str
    unicode: str
    delete: Ranges  # removed by the clean-up (controls, and per dialect Cn/Co/Cs)
    whitespace: Ranges  # the clean-up turns these into " "
    separator: Ranges  # words are split on these (after clean-up)
    cjk: Ranges  # each one is a word of its own (decided on the original character)
    punct: Ranges  # each one is a word of its own (decided on the lower-cased character)
    lower: dict[str, str]  # lower-casing + accent stripping, where it changes the character
    reorder: frozenset[int]  # marks NFD reorders among themselves: text with them takes the oracle
    sigma_cased: Ranges = ()  # google only: str.lower's final-sigma context
    case_ignorable: Ranges = ()


@lru_cache(maxsize=None)
def load_tables(stem: str) -> CharTables:
    """The tables in TABLE_DIR/<stem>.json (a dialect's `tables` field names its stem)."""
    with open(TABLE_DIR / f"{stem}.json", encoding="ascii") as f:
        raw = json.load(f)
    return CharTables(
        dialect=raw["dialect"],
        reference=raw["reference"],
        unicode=raw["unicode"],
        delete=_ranges(raw["delete"]),
        whitespace=_ranges(raw["whitespace"]),
        separator=_ranges(raw["separator"]),
        cjk=_ranges(raw["cjk"]),
        punct=_ranges(raw["punct"]),
        lower={chr(int(cp, 16)): out for cp, out in raw["lower"].items()},
        reorder=frozenset(raw["reorder"]),
        sigma_cased=_ranges(raw.get("sigma_cased", [])),
        case_ignorable=_ranges(raw.get("case_ignorable", [])),
    )
