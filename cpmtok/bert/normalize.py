"""The fast path from a stretch of text to its words: a few C-speed passes built from the tables.

`WordSplitter.words(text)` returns the normalised words (after clean-up, CJK isolation,
lower-casing with accent stripping, punctuation split) exactly as the dialect's oracle does, or
None when the text holds a context the per-character tables cannot decide (then the oracle runs).
Passes: one regex search for any unusual character; str.lower(); one regex findall for the words.
Only text with unusual characters pays for a deletion pass or a per-character table lookup.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import Optional

from ..base import refuse_lone_surrogates
from .dialects import Dialect
from .tables import CharTables, Ranges, char_class

_SURROGATES: Ranges = ((0xD800, 0xDFFF),)
_ASTRAL: Ranges = ((0x10000, 0x10FFFF),)


def _bmp(ranges: Ranges) -> Ranges:
    """The part of `ranges` below U+10000: a class of only those compiles to a bitmap (re's fast case);
    one astral range makes re test every range in turn."""
    return tuple((a, min(b, 0xFFFF)) for a, b in ranges if a <= 0xFFFF)


@lru_cache(maxsize=1)
def interpreter_lower() -> dict[str, str]:
    """Every character this interpreter's str.lower changes (checked by blocks of 256: fast)."""
    changed: dict[str, str] = {}
    for block in range(0, 0x110000, 256):
        if 0xD800 <= block < 0xE000:
            continue
        chunk = "".join(map(chr, range(block, block + 256)))
        if chunk.lower() != chunk:
            changed.update((c, c.lower()) for c in chunk if c.lower() != c)
    return changed


def _ranges_of(chars: set[str]) -> Ranges:
    out: list[list[int]] = []
    for cp in sorted(map(ord, chars)):
        if out and out[-1][1] == cp - 1:
            out[-1][1] = cp
        else:
            out.append([cp, cp])
    return tuple((a, b) for a, b in out)



def surrogate_refusal(dialect: Dialect) -> str:
    """Why a dialect whose reference cannot take a lone surrogate refuses the text."""
    return f"the {dialect.name} reference ({dialect.reference}) refuses such str with a TypeError"

class WordSplitter:
    """text -> normalised words, for one dialect and lower-casing option."""

    def __init__(self, dialect: Dialect, tables: CharTables, *, lowercase: bool, specials: tuple[str, ...]) -> None:
        self.lowercase = lowercase
        self.dialect = dialect
        self._word_re = self._word_pattern(tables.cjk, tables.punct, tables.separator)
        self._bmp_word_re = self._word_pattern(_bmp(tables.cjk), _bmp(tables.punct), _bmp(tables.separator))
        self._delete_re = re.compile(f"[{char_class(tables.delete)}]+") if tables.delete else None
        self._surrogates_refused = surrogate_refusal(dialect) if dialect.surrogates_raise else None
        self._never_split_re = (re.compile("|".join(map(re.escape, specials)))
                                if specials and dialect.keeps_special_words and not lowercase else None)
        # a word the clean-up makes equal to a special string keeps its case (gpt2-chinese): the oracle decides
        self._cased_special_re = (re.compile("|".join(map(re.escape, specials)))
                                  if specials and dialect.special_words_keep_case and lowercase else None)
        # Characters lower-casing must take from the table: where str.lower (this interpreter, one
        # character at a time) disagrees with the reference. Capital sigma always: str.lower makes
        # it final by context, which per-character lower-casing does not (word-wise does: oracle).
        contexts = {chr(cp) for cp in tables.reorder} if lowercase else set()
        patch: dict[str, str] = {}
        if lowercase:
            deleted = re.compile(f"[{char_class(tables.delete)}]") if tables.delete else None
            lowered = interpreter_lower()
            for ch in set(lowered) | set(tables.lower) | {"Σ"}:
                if deleted is not None and deleted.match(ch):
                    continue
                want = tables.lower.get(ch, ch)
                if lowered.get(ch, ch) != want or ch == "Σ":
                    patch[ch] = want
            if dialect.lowers_words:
                contexts.add("Σ")
                patch.pop("Σ", None)
        self._patch = patch
        self._nfc_needed = dialect.composes_nfc and not lowercase
        unusual = set(patch) | contexts
        # The common case is checked on the BMP only: any astral character takes the full path.
        unusual_ranges = _bmp(tuple(sorted(_ranges_of(unusual) + tables.delete + _SURROGATES)))
        self._unusual_re = re.compile(f"[{char_class(unusual_ranges)}]|[{char_class(_ASTRAL)}]")
        self._context_re = re.compile(f"[{char_class(_ranges_of(contexts))}]") if contexts else None
        self._patch_split_re = re.compile(f"([{char_class(_ranges_of(set(patch)))}]+)") if patch else None

    @staticmethod
    def _word_pattern(cjk: Ranges, punct: Ranges, separator: Ranges) -> re.Pattern:
        cjk_class, punct_class = char_class(cjk), char_class(punct)
        return re.compile(f"[{cjk_class}]|[{punct_class}]|[^{char_class(separator)}{cjk_class}{punct_class}]+")

    def words(self, text: str) -> Optional[list[str]]:
        if self._unusual_re.search(text) is None:  # BMP only, no table lookups: str.lower is exact
            if self.lowercase:
                text = text.lower()
            word_re = self._bmp_word_re
        else:
            text = self._normalise_unusual(text)
            if text is None:
                return None
            word_re = self._word_re
        if self._nfc_needed and not self._is_plain_nfc(text):
            return None
        return word_re.findall(text)

    def _is_plain_nfc(self, text: str) -> bool:
        """NFC and the special-word rule (hf-slow without lower-casing) are contexts (oracle)."""
        if not unicodedata.is_normalized("NFC", text):
            return False
        return "[" not in text or self._never_split_re is None or self._never_split_re.search(text) is None

    def _normalise_unusual(self, text: str) -> Optional[str]:
        if self._surrogates_refused is not None:
            refuse_lone_surrogates(text, self._surrogates_refused)
        if self._delete_re is not None:
            text = self._delete_re.sub("", text)
            if self._cased_special_re is not None and "[" in text and self._cased_special_re.search(text):
                return None
        if self.lowercase:
            if self._context_re is not None and self._context_re.search(text):
                return None
            if self._patch_split_re is None:
                return text.lower()
            parts = self._patch_split_re.split(text)
            patch = self._patch
            parts[0::2] = [part.lower() for part in parts[0::2]]
            parts[1::2] = ["".join([patch[c] for c in part]) for part in parts[1::2]]
            return "".join(parts)
        return text
