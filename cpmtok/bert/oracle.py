"""The short, readable statement of each dialect: text -> (token, start, end) per piece.

One character at a time, as the references' own Python reads, with their decisions taken from the
frozen tables. It is the specification the fast path is tested against, the path for the rare
contexts a per-character table cannot decide (NFD reordering of marks, Google's final sigma,
hf-slow's NFC without lower-casing), and the source of offsets.

Order of the steps (every reference): special strings are matched in the raw text (HF only);
the clean-up deletes or turns into " "; each CJK character becomes a word; words split on
separators; lower-casing strips accents (per word; Google's str.lower sees the whole word);
punctuation splits words; WordPiece.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Iterable, Optional

from ..base import refuse_lone_surrogates
from ..specials import special_pattern
from .dialects import Dialect
from .normalize import surrogate_refusal
from .tables import CharSet, CharTables
from .wordpiece import piece_text, wordpiece

Piece = tuple[str, int, int]  # vocabulary entry, start, end (characters of the original text)
Char = tuple[str, int, int]  # a character after normalisation and the original span it comes from



class Oracle:
    """text -> pieces with offsets, for one dialect, vocabulary and set of options.

    `specials`: the special strings matched inside the text (none where the dialect does not match them)."""

    def __init__(self, dialect: Dialect, tables: CharTables, vocab: dict[str, int], *, lowercase: bool,
                 max_chars: int, specials: tuple[str, ...], unk_token: str = "[UNK]",
                 newline_token: Optional[str] = None) -> None:
        self.dialect = dialect
        self.tables = tables
        self.vocab = vocab
        self.lowercase = lowercase
        self.max_chars = max_chars
        self.unk_token = unk_token
        self.longest = max(map(len, vocab))
        # newline_token: GPT2-Chinese's train.py replaces each "\n" with " [SEP] " before tokenizing
        self.newline_token = newline_token
        self.special_re = special_pattern((*specials, "\n") if newline_token else specials)
        # hf-slow's BasicTokenizer keeps a whitespace word equal to a special string whole (never_split);
        # with lower-casing no word can equal one, since tokenize() lower-cases all but raw specials first
        self.never_split = frozenset(specials) if dialect.keeps_special_words and not lowercase else frozenset()
        self.cased_specials = frozenset(specials) if dialect.special_words_keep_case else frozenset()
        self.delete = CharSet(tables.delete)
        self.whitespace = CharSet(tables.whitespace)
        self.separator = CharSet(tables.separator)
        self.cjk = CharSet(tables.cjk)
        self.punct = CharSet(tables.punct)
        self.sigma_cased = CharSet(tables.sigma_cased)
        self.case_ignorable = CharSet(tables.case_ignorable)

    def pieces(self, text: str) -> list[Piece]:
        if self.dialect.surrogates_raise:
            refuse_lone_surrogates(text, surrogate_refusal(self.dialect))
        if self.blank(text):
            return [(self.unk_token, 0, len(text))]
        out: list[Piece] = []
        position = 0
        for match in self.special_re.finditer(text) if self.special_re else ():
            out += self.segment(text, position, match.start())
            out.append((self.newline_token if match.group() == "\n" else match.group(), match.start(), match.end()))
            position = match.end()
        return out + self.segment(text, position, len(text))

    def blank(self, text: str) -> bool:
        """A text the dialect makes one [UNK]: only str.isspace() characters (none of them a matched newline)."""
        return self.dialect.blank_text_is_unk and text.isspace() and not (self.newline_token and "\n" in text)

    def segment(self, text: str, begin: int, end: int) -> list[Piece]:
        """Pieces of text[begin:end], a stretch without special strings."""
        chars: list[Char] = []
        for i in range(begin, end):
            ch = text[i]
            if ch in self.delete:
                continue
            if ch in self.whitespace:
                chars.append((" ", i, i + 1))
            elif ch in self.cjk:
                chars += [(" ", i, i + 1), (ch, i, i + 1), (" ", i, i + 1)]
            else:
                chars.append((ch, i, i + 1))
        out: list[Piece] = []
        for word in self.words(chars):
            if "".join(c for c, _, _ in word) in self.never_split:
                out += self.wordpiece(word)
                continue
            if self.lowercase and "".join(c for c, _, _ in word) not in self.cased_specials:
                word = self.lower(word)
            for part in self.split_punctuation(word):
                out += self.wordpiece(part)
        return out

    def words(self, chars: list[Char]) -> list[list[Char]]:
        words: list[list[Char]] = [[]]
        for char in chars:
            if char[0] in self.separator:
                words.append([])
            else:
                words[-1].append(char)
        words = [word for word in words if word]
        if self.dialect.composes_nfc and not self.lowercase:
            words = [self.nfc(word) for word in words]
        return words

    def nfc(self, word: list[Char]) -> list[Char]:
        """NFC (hf-slow; it makes no difference once lower-casing decomposes again)."""
        text = "".join(c for c, _, _ in word)
        composed = unicodedata.normalize("NFC", text)
        if composed == text:
            return word
        if len(composed) == len(word):  # singletons: one character for one
            return [(c, start, end) for c, (_, start, end) in zip(composed, word)]
        return [(c, word[0][1], word[-1][2]) for c in composed]  # compositions: the word's span

    def lower(self, word: list[Char]) -> list[Char]:
        """Lower-case and strip accents, one character at a time, except in the two contexts."""
        out: list[Char] = []
        k = 0
        while k < len(word):
            ch, start, end = word[k]
            if ord(ch) in self.tables.reorder:
                # A run of marks NFD may reorder (38 code points, with the stripped marks between them): the
                # reference's own steps (dialect.lower_marks), via unicodedata. Only these marks' relative
                # order is at stake; the characters before the run can only add Mn marks, which are stripped.
                run_end = k
                while run_end < len(word) and (ord(word[run_end][0]) in self.tables.reorder
                                               or self.tables.lower.get(word[run_end][0]) == ""):
                    run_end += 1
                run = "".join(c for c, _, _ in word[k:run_end])
                out += [(c, start, word[run_end - 1][2]) for c in self.dialect.lower_marks(run, self.tables.lower)]
                k = run_end
                continue
            if ch == "Σ" and self.dialect.lowers_words:
                out.append((self.word_sigma(word, k), start, end))
            else:
                out += [(c, start, end) for c in self.tables.lower.get(ch, ch)]
            k += 1
        return out

    def word_sigma(self, word: list[Char], k: int) -> str:
        """Python's str.lower on the whole word: Σ is ς after a cased letter and not before one."""
        def cased_neighbour(indices: Iterable[int]) -> bool:
            for i in indices:
                if word[i][0] not in self.case_ignorable:
                    return word[i][0] in self.sigma_cased
            return False
        final = cased_neighbour(range(k - 1, -1, -1)) and not cased_neighbour(range(k + 1, len(word)))
        return "ς" if final else "σ"

    def split_punctuation(self, word: list[Char]) -> list[list[Char]]:
        parts: list[list[Char]] = []
        joined = False
        for char in word:
            if char[0] in self.punct:
                parts.append([char])
                joined = False
            elif joined:
                parts[-1].append(char)
            else:
                parts.append([char])
                joined = True
        return parts

    def wordpiece(self, word: list[Char]) -> list[Piece]:
        text = "".join(c for c, _, _ in word)
        spans = wordpiece(text, self.vocab, self.max_chars, self.longest)
        if spans is None:
            return [(self.unk_token, word[0][1], word[-1][2])]
        return [(piece_text(text, s, e), word[s][1], word[e - 1][2]) for s, e in spans]
