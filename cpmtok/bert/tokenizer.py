"""`BertTokenizer`: WordPiece over a vocab.txt, with the ids of the chosen reference ("dialect", dialects.py).

ids: the fast path (normalize.WordSplitter + memoised WordPiece). Tokens and offsets: computed on
demand by the oracle, which tests prove gives the same pieces.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Optional, Sequence

from ..base import Tokenizer, check_text, refuse_lone_surrogates
from ..encoding import Offset
from ..errors import InvalidOption, InvalidVocab, UnsupportedOption
from ..ids import checked_id
from ..presets import Preset
from ..vocab import BertVocab, locate, read_bert_vocab
from .decode import UNK, BertDecoding
from .dialects import DEFAULT, dialect as dialect_record
from .cuts import CUT_SIZE, pieces
from .normalize import WordSplitter, surrogate_refusal
from .oracle import Oracle
from .wordpiece import piece_text, wordpiece

SPECIAL_TOKENS = ("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]")
_MEMO_LIMIT = 1 << 20  # distinct words remembered beyond the vocabulary before the memo starts again


class BertTokenizer(Tokenizer):
    """BERT WordPiece, bit-exact to one reference; `encode(text).ids` are that reference's ids."""

    family = "bert"
    _PAD_TOKEN, _EOS_TOKEN, _UNK_TOKEN = "[PAD]", "[SEP]", UNK
    model_input_names = ("input_ids", "token_type_ids", "attention_mask")  # what BertTokenizerFast returns

    def __init__(self, vocab: BertVocab, *, name: str, dialect: str = DEFAULT, lowercase: bool = True,
                 max_chars_per_word: Optional[int] = None, newline_to_sep: bool = False) -> None:
        """`vocab`: the vocab.txt as this dialect reads it (`read_bert_vocab(path, dialect(d).vocab_reading)`).
        `newline_to_sep`: GPT2-Chinese train.py's `text.replace('\\n', ' [SEP] ')` first (a dialect that
        matches [SEP] in text only)."""
        record = dialect_record(dialect)
        if newline_to_sep and not record.matches_specials:
            raise UnsupportedOption(f"newline_to_sep (GPT2-Chinese train.py's newline -> ' [SEP] ') needs a dialect "
                                    f"that matches [SEP] in text; {record.name} reads it as plain text")
        self.newline_to_sep = bool(newline_to_sep)
        self.name = name
        self.dialect = record.name
        self._record = record
        self.lowercase = bool(lowercase)
        self.max_chars_per_word = record.max_chars_per_word if max_chars_per_word is None else max_chars_per_word
        self._tokens = vocab.tokens
        self.vocab: dict[str, int] = vocab.token_to_id
        missing = [t for t in ("[CLS]", "[SEP]") if t not in self.vocab]
        if missing:
            raise InvalidVocab(f"{vocab.path}: no line is {' or '.join(map(repr, missing))}; encode(..., "
                               "add_special_tokens=True) needs them (the hf-fast reference refuses such a vocab too)")
        self.special_ids = {t: self.vocab[t] for t in SPECIAL_TOKENS if t in self.vocab}
        matched = tuple(self.special_ids) if record.matches_specials else ()
        self.default_allowed_special = frozenset(matched)
        tables = record.char_tables()
        self.tables = tables
        newline_token = "[SEP]" if self.newline_to_sep else None
        self._oracle = Oracle(record, tables, self.vocab, lowercase=self.lowercase,
                              max_chars=self.max_chars_per_word, specials=matched, unk_token=UNK,
                              newline_token=newline_token)
        self._splitter = WordSplitter(record, tables, lowercase=self.lowercase, specials=matched)
        self.decoding = BertDecoding(record, tables, self.special_ids, vocab.lines, lowercase=self.lowercase)
        self._special_re = self._oracle.special_re
        self._special_ids = {**self.special_ids, **({"\n": self.vocab[newline_token]} if newline_token else {})}
        self._surrogates_refused = surrogate_refusal(record) if record.surrogates_raise else None
        self._longest = max(map(len, self.vocab))
        # The WordPiece memo: word -> id for one-piece words (seeded with the vocabulary), word -> ids otherwise.
        self._single = self._vocab_words()
        self._multi: dict[str, tuple[int, ...]] = {}

    # --- ids: the hot path ------------------------------------------------------------------------
    cut_size = CUT_SIZE  # a longer text is encoded piece by piece (bert/cuts.py: the ids do not change)

    def encode_ids(self, text: str, *, add_special_tokens: bool = False) -> list[int]:
        text = check_text(text)
        if self._oracle.blank(text):
            ids = [self.vocab[UNK]]
        elif len(text) <= self.cut_size:
            ids = self._uncut_ids(text)
        else:
            if self._surrogates_refused is not None:  # before cutting, so that the offset is the whole text's
                refuse_lone_surrogates(text, self._surrogates_refused)
            ids = []
            for piece in pieces(text, self.cut_size):
                ids += self._uncut_ids(piece)
        if add_special_tokens:
            prefix, suffix = self.special_frame
            return [*prefix, *ids, *suffix]
        return ids

    def _uncut_ids(self, text: str) -> list[int]:
        if self._special_re is not None and ("[" in text or self.newline_to_sep):
            ids: list[int] = []
            position = 0
            for match in self._special_re.finditer(text):
                ids += self._segment_ids(text[position:match.start()])
                ids.append(self._special_ids[match.group()])
                position = match.end()
            ids += self._segment_ids(text[position:])
            return ids
        return self._segment_ids(text)

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
            ids: tuple[int, ...] = (self.vocab[UNK],)
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

    def _plain_ids(self, text: str) -> list[int]:
        if self.newline_to_sep or self._record.blank_text_is_unk:
            raise InvalidOption(f"allowed_special other than the default ('all') is not reproduced for "
                                f"{self.dialect} or newline_to_sep: GPT2-Chinese's tokenizer always matches them")
        if self._record.keeps_special_words:
            raise InvalidOption("allowed_special other than the default ('all') is not reproduced for hf-slow: "
                                "transformers' BertTokenizer(split_special_tokens=True) still keeps a special string "
                                "that stands alone between spaces whole")
        return self._segment_ids(text)

    def _plain_offsets(self, text: str) -> list[Offset]:
        return [(start, end) for _, start, end in self._oracle.segment(text, 0, len(text))]

    @property
    def special_strings(self) -> dict[str, int]:
        return dict(self.special_ids)

    # --- the public surface -----------------------------------------------------------------------
    def _offsets_of(self, text: str, ids: Sequence[int], add_special_tokens: bool) -> list[Offset]:
        return self.offsets(text, add_special_tokens=add_special_tokens)

    def offsets(self, text: str, *, add_special_tokens: bool = False) -> list[Offset]:
        """(start, end) into `text` per id, from the oracle; None for the added [CLS]/[SEP]."""
        spans: list[Offset] = [(start, end) for _, start, end in self._oracle.pieces(check_text(text))]
        return [None, *spans, None] if add_special_tokens else spans

    def pieces(self, text: str) -> list[tuple[str, int, int]]:
        """The oracle's (vocabulary entry, start, end) per piece: the readable statement of the ids."""
        return self._oracle.pieces(check_text(text))

    @property
    def vocab_size(self) -> int:
        return len(self._tokens)

    def id_to_token(self, token_id: int) -> str:
        return self._tokens[checked_id(token_id, len(self._tokens))]

    def token_to_id(self, token: str) -> Optional[int]:
        return self.vocab.get(token)

    def get_vocab(self) -> dict[str, int]:
        return dict(self.vocab)

    @property
    def special_frame(self) -> tuple[tuple[int, ...], tuple[int, ...]]:
        """[CLS] before, [SEP] after."""
        return (self.special_ids["[CLS]"],), (self.special_ids["[SEP]"],)

    def __repr__(self) -> str:
        return (f"BertTokenizer({self.name!r}, dialect={self.dialect!r}, lowercase={self.lowercase}, "
                f"max_chars_per_word={self.max_chars_per_word}, newline_to_sep={self.newline_to_sep})")


_OPTIONS = ("dialect", "lowercase", "max_chars_per_word", "newline_to_sep")


def _split_options(options: dict[str, Any]) -> tuple[dict[str, Any], bool]:
    unknown = set(options) - set(_OPTIONS) - {"allow_checksum_mismatch"}
    if unknown:
        raise TypeError(f"unknown BERT option(s) {', '.join(sorted(unknown))}; known: {', '.join(_OPTIONS)}, "
                        "allow_checksum_mismatch")
    allow = bool(options.pop("allow_checksum_mismatch", False))
    return options, allow


def load_preset(preset: Preset, **options: Any) -> BertTokenizer:
    options, allow = _split_options(dict(options))
    return _build(locate(preset.vocab, allow_checksum_mismatch=allow), preset.name, {**preset.options, **options})


def load_path(path: str | Path, **options: Any) -> BertTokenizer:
    options, _ = _split_options(dict(options))
    path = Path(path)
    return _build(path / "vocab.txt" if path.is_dir() else path, str(path), options)


def _build(vocab_file: Path, name: str, options: dict[str, Any]) -> BertTokenizer:
    """Read the vocab.txt as the dialect's reference reads it, then build the tokenizer from it."""
    reading = dialect_record(options.get("dialect", DEFAULT)).vocab_reading
    return BertTokenizer(read_bert_vocab(vocab_file, reading, unk_token=UNK), name=name, **options)
