"""`BertTokenizer`: WordPiece over a vocab.txt, with the ids of the chosen reference ("dialect").

    hf-fast  HF tokenizers (Rust) BertWordPieceTokenizer = transformers BertTokenizerFast (default)
    hf-slow  transformers 4.57.6 BertTokenizer (pure Python), with tables frozen at Unicode 14.0.0
    google   Google's tokenization.py (bert-tensorflow 1.0.4): gpt2-ml, bert4keras

ids: the fast path (normalize.WordSplitter + memoised WordPiece). Tokens and offsets: computed on
demand by the oracle, which tests prove gives the same pieces.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Optional, Sequence

from ..base import Tokenizer, check_text
from ..encoding import Offset
from ..presets import Preset
from ..vocab import locate, read_bert_vocab
from .oracle import Oracle, special_pattern
from .normalize import WordSplitter
from .tables import DIALECTS, load_tables
from .wordpiece import piece_text, wordpiece

SPECIAL_TOKENS = ("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]")
UNK = "[UNK]"
MAX_CHARS_PER_WORD = {"hf-fast": 100, "hf-slow": 100, "google": 200}
_MEMO_LIMIT = 1 << 20  # distinct words remembered beyond the vocabulary before the memo starts again


class BertTokenizer(Tokenizer):
    """BERT WordPiece, bit-exact to one reference; `encode(text).ids` are that reference's ids."""

    family = "bert"

    def __init__(self, vocab_path: str | Path, *, name: Optional[str] = None, dialect: str = "hf-fast",
                 lowercase: bool = True, max_chars_per_word: Optional[int] = None) -> None:
        if dialect not in DIALECTS:
            raise ValueError(f"unknown BERT dialect {dialect!r}; expected one of {', '.join(DIALECTS)}")
        self.vocab_path = Path(vocab_path)
        self.name = name or str(vocab_path)
        self.dialect = dialect
        self.lowercase = bool(lowercase)
        self.max_chars_per_word = MAX_CHARS_PER_WORD[dialect] if max_chars_per_word is None else max_chars_per_word
        read = read_bert_vocab(self.vocab_path, dialect, unk_token=UNK)
        self._tokens = read.tokens
        self.vocab: dict[str, int] = read.token_to_id
        self.special_tokens = {t: self.vocab[t] for t in SPECIAL_TOKENS if t in self.vocab}
        self.unk_id = self.vocab[UNK]
        matched = tuple(self.special_tokens) if dialect != "google" else ()
        tables = load_tables(dialect)
        self.tables = tables
        self._oracle = Oracle(tables, self.vocab, lowercase=self.lowercase, max_chars=self.max_chars_per_word,
                              specials=matched, unk_token=UNK)
        self._splitter = WordSplitter(tables, lowercase=self.lowercase, specials=matched)
        self._special_re = special_pattern(matched) if matched else None
        self._longest = max(map(len, self.vocab))
        # The WordPiece memo: word -> id for one-piece words (seeded with the vocabulary), word -> ids otherwise.
        self._single = self._vocab_words()
        self._multi: dict[str, tuple[int, ...]] = {}

    # --- ids: the hot path ------------------------------------------------------------------------
    def encode_ids(self, text: str, *, add_special_tokens: bool = False) -> list[int]:
        check_text(text)
        if self._special_re is not None and "[" in text:
            ids: list[int] = []
            position = 0
            for match in self._special_re.finditer(text):
                ids += self._segment_ids(text[position:match.start()])
                ids.append(self.special_tokens[match.group()])
                position = match.end()
            ids += self._segment_ids(text[position:])
        else:
            ids = self._segment_ids(text)
        if add_special_tokens:
            return [self.special_tokens["[CLS]"], *ids, self.special_tokens["[SEP]"]]
        return ids

    def _segment_ids(self, text: str) -> list[int]:
        words = self._splitter.words(text)
        if words is None:
            return [self.vocab[piece] for piece, _, _ in self._oracle.segment(text, 0, len(text))]
        ids = list(map(self._single.get, words))
        if None not in ids:
            return ids
        out: list[int] = []
        start = 0
        index = ids.index
        try:
            while True:
                i = index(None, start)
                out += ids[start:i]
                out += self._pieces(words[i])
                start = i + 1
        except ValueError:
            out += ids[start:]
        return out

    def _pieces(self, word: str) -> tuple[int, ...]:
        known = self._multi.get(word)
        if known is not None:
            return known
        spans = wordpiece(word, self.vocab, self.max_chars_per_word, self._longest)
        if spans is None:
            ids: tuple[int, ...] = (self.unk_id,)
        else:
            ids = tuple(self.vocab[piece_text(word, s, e)] for s, e in spans)
        if len(self._multi) + len(self._single) >= _MEMO_LIMIT + len(self.vocab):  # bounded memory
            self._multi.clear()
            self._single = self._vocab_words()
        if len(ids) == 1:
            self._single[word] = ids[0]
        else:
            self._multi[word] = ids
        return ids

    def _vocab_words(self) -> dict[str, int]:
        """word -> id for the words that are one piece because the vocabulary holds them whole."""
        return {t: i for t, i in self.vocab.items() if len(t) <= self.max_chars_per_word}

    # --- the public surface -----------------------------------------------------------------------
    def offsets_of(self, text: str, ids: Sequence[int], add_special_tokens: bool) -> list[Offset]:
        return self.offsets(text, add_special_tokens=add_special_tokens)

    def offsets(self, text: str, *, add_special_tokens: bool = False) -> list[Offset]:
        """(start, end) into `text` per id, from the oracle; None for the added [CLS]/[SEP]."""
        spans: list[Offset] = [(start, end) for _, start, end in self._oracle.pieces(check_text(text))]
        return [None, *spans, None] if add_special_tokens else spans

    def pieces(self, text: str) -> list[tuple[str, int, int]]:
        """The oracle's (vocabulary entry, start, end) per piece: the readable statement of the ids."""
        return self._oracle.pieces(check_text(text))

    def decode(self, ids: Sequence[int], style: str = "natural", **options: Any) -> str:
        from ..decode import decode
        return decode(self, ids, style=style, **options)

    @property
    def vocab_size(self) -> int:
        return len(self._tokens)

    def id_to_token(self, token_id: int) -> str:
        if not 0 <= token_id < len(self._tokens):
            raise IndexError(f"id {token_id} is outside the vocabulary (0..{len(self._tokens) - 1}) of {self.name}")
        return self._tokens[token_id]

    def token_to_id(self, token: str) -> Optional[int]:
        return self.vocab.get(token)

    def __repr__(self) -> str:
        return (f"BertTokenizer({self.name!r}, dialect={self.dialect!r}, lowercase={self.lowercase}, "
                f"max_chars_per_word={self.max_chars_per_word})")


_OPTIONS = ("dialect", "lowercase", "max_chars_per_word")


def _split_options(options: dict[str, Any]) -> tuple[dict[str, Any], bool]:
    unknown = set(options) - set(_OPTIONS) - {"allow_checksum_mismatch"}
    if unknown:
        raise TypeError(f"unknown BERT option(s) {', '.join(sorted(unknown))}; known: {', '.join(_OPTIONS)}, "
                        "allow_checksum_mismatch")
    allow = bool(options.pop("allow_checksum_mismatch", False))
    return options, allow


def load_preset(preset: Preset, **options: Any) -> BertTokenizer:
    options, allow = _split_options(dict(options))
    path = locate(preset.vocab, allow_checksum_mismatch=allow)
    return BertTokenizer(path, name=preset.name, **{**preset.options, **options})


def load_path(path: str | Path, **options: Any) -> BertTokenizer:
    options, _ = _split_options(dict(options))
    path = Path(path)
    vocab_file = path / "vocab.txt" if path.is_dir() else path
    return BertTokenizer(vocab_file, name=str(path), **options)
