"""`CpmTokenizer`: CPM-LM's tokenizer as CPM-Generate runs it, for both released SentencePiece models.

text -> jieba 0.42.1 words (our own `Segmenter`, bit-identical, immune to process-wide jieba edits) -> inside
each word space -> ▂ and newline -> ▃ -> words joined by one space -> SentencePiece `encode` -> ids; for the
first release (`cpm-v0`) the piece STRINGS go through vocab.json (unknown -> 0), which is how a newline's `▃`
(no piece of that model) became id 3. No special tokens unless asked: then `<eod>` (7) ends the document, as
CPM-Generate separates documents. A literal "<eod>" in the text stays text (jieba splits it, as in CPM-Generate).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Optional, Sequence

from ..base import Tokenizer, check_text, refuse_lone_surrogates
from ..encoding import Offset
from ..ids import checked_id
from ..errors import InvalidIds, InvalidVocab
from ..presets import Preset
from ..vocab import entry_for_file, locate, registry_entry
from .decode import CpmDecoding
from .dictionary import load_jieba_model, read_sentencepiece_model, read_vocab_json
from .native import choose_backend, extension, load_native_tables
from .offsets import piece_offsets
from .segmenter import Segmenter

SPECIAL_TOKEN_NAMES = ("<unk>", "<s>", "</s>", "<cls>", "▃", "<sep>", "<pad>", "<mask>", "<eod>", "▂")
CONTROL_TOKENS = ("<unk>", "<s>", "</s>", "<cls>", "<sep>", "<pad>", "<mask>", "<eod>")  # strings allowed_special names
DOCUMENT_END = "<eod>"


class CpmTokenizer(Tokenizer):
    family = "cpm"
    _PAD_TOKEN, _EOS_TOKEN, _UNK_TOKEN = "<pad>", DOCUMENT_END, "<unk>"
    padding_side = "left"  # a decoder-only generator: batched prompts are padded where generation does not write

    def __init__(self, name: str, sp: Any, segmenter: Any, vocab_json: Optional[dict[str, int]] = None, *,
                 backend: str = "pure", model_path: Optional[Path] = None,
                 vocab_json_path: Optional[Path] = None) -> None:
        """`sp`: the SentencePiece model; `segmenter`: jieba's words joined as CPM-Generate joins them (`join`),
        native or pure as `backend` says; `vocab_json`: the first release's piece -> id map (v0), read by the
        loaders below (the paths are where they came from)."""
        self.name = name
        self.backend = backend  # "native" (the C segmenter) or "pure"; the same ids
        self.model_path = model_path
        self.vocab_json_path = vocab_json_path
        self.variant = "v0" if vocab_json is not None else "current"
        self.sp = sp
        self._segmenter = segmenter
        self._vocab = vocab_json
        self._piece_ids: Optional[list[int]] = None  # v0: SentencePiece id -> vocab.json id of its piece
        if self._vocab is not None:
            self._piece_ids = [self._vocab.get(self.sp.id_to_piece(i), 0) for i in range(self.sp.get_piece_size())]
            self._tokens = {i: piece for piece, i in self._vocab.items()}
        else:
            self._tokens = {i: self.sp.id_to_piece(i) for i in range(self.sp.get_piece_size())}
        self._token_ids = {token: i for i, token in self._tokens.items()}
        self.special_ids = {name: i for name in SPECIAL_TOKEN_NAMES if (i := self._special_id(name)) is not None}
        self.decoding = CpmDecoding(self.sp, through_vocab_json=self._vocab is not None)
        if DOCUMENT_END not in self.special_ids:
            raise InvalidVocab(f"{self.model_path}: no {DOCUMENT_END} piece; encode(..., add_special_tokens=True) "
                               "ends a document with it (CPM-Generate reads its id when it starts)")

    def _special_id(self, name: str) -> Optional[int]:
        """A token's id, or a model piece's (v0's `<cls>` is a piece but no vocab.json entry)."""
        if name in self._token_ids:
            return self._token_ids[name]
        piece_id = self.sp.piece_to_id(name)
        return piece_id if self.sp.id_to_piece(piece_id) == name else None

    # -- text -> ids -------------------------------------------------------------------------------------
    def sentencepiece_input(self, text: str) -> str:
        """CPM-Generate's string for SentencePiece: jieba words, ▂/▃ inside words, joined by spaces."""
        return self._segmenter.join(check_text(text))

    def encode_ids(self, text: str, *, add_special_tokens: bool = False) -> list[int]:
        joined = self.sentencepiece_input(text)
        try:
            ids = self.sp.encode(joined)
        except (UnicodeEncodeError, RuntimeError):  # sentencepiece 0.2 raises RuntimeError for a lone surrogate
            refuse_lone_surrogates(text, "not encodable as UTF-8, so SentencePiece (and CPM-Generate) cannot "
                                         "encode it")
            raise
        if self._piece_ids is not None:
            ids = self._through_vocab_json(ids, joined)
        if add_special_tokens:
            prefix, suffix = self.special_frame
            return [*prefix, *ids, *suffix]
        return ids

    def _through_vocab_json(self, ids: list[int], joined: str) -> list[int]:
        """v0: `[vocab.get(piece, 0) for piece in sp.encode(joined, out_type=str)]`.

        An unknown piece's string is its surface text (e.g. `▃`), not `<unk>`: only then are the strings needed.
        """
        unk = self.sp.unk_id()
        if unk in ids:
            return [self._vocab.get(piece, 0) for piece in self.sp.encode(joined, out_type=str)]
        piece_ids = self._piece_ids
        return [piece_ids[i] for i in ids]

    def _plain_ids(self, text: str) -> list[int]:
        return self.encode_ids(text)  # CPM-Generate matches no special string inside text

    def _plain_offsets(self, text: str) -> list[Offset]:
        return piece_offsets(self.sentencepiece_input(text), self.sp)

    @property
    def special_strings(self) -> dict[str, int]:
        return {name: i for name, i in self.special_ids.items() if name in CONTROL_TOKENS}

    def _offsets_of(self, text: str, ids: Sequence[int], add_special_tokens: bool) -> list[Offset]:
        """Each piece's span in the original text (None for join spaces / dummy prefix), then None for <eod>."""
        spans = piece_offsets(self.sentencepiece_input(text), self.sp)
        return spans + [None] * (len(ids) - len(spans))

    # -- vocabulary --------------------------------------------------------------------------------------
    @property
    def vocab_size(self) -> int:
        return self.sp.get_piece_size()

    def id_to_token(self, token_id: int) -> str:
        """The piece string of an id (v0: through vocab.json's inverse, so 3 is `▃`)."""
        token_id = checked_id(token_id, self.vocab_size)
        try:
            return self._tokens[token_id]
        except KeyError:  # v0: a model piece vocab.json has no entry for (<cls>), which no id of its names
            raise InvalidIds(f"id {token_id} is no entry of {self.name}'s vocab.json") from None

    def token_to_id(self, token: str) -> Optional[int]:
        return self._token_ids.get(token)

    def get_vocab(self) -> dict[str, int]:
        return dict(self._token_ids)

    @property
    def special_frame(self) -> tuple[tuple[int, ...], tuple[int, ...]]:
        """Nothing before, <eod> after: CPM-Generate ends each document with it."""
        return (), (self.special_ids[DOCUMENT_END],)


    def __repr__(self) -> str:
        return (f"CpmTokenizer(name={self.name!r}, variant={self.variant!r}, backend={self.backend!r}, "
                f"model_path={str(self.model_path)!r})")


def _build(name: str, model_path: Path, vocab_json_path: Optional[Path], *,
           allow_other_jieba: bool = False, allow_other_sentencepiece: bool = False,
           backend: Optional[str] = None) -> CpmTokenizer:
    """Read the SentencePiece model, jieba's tables and (v0) vocab.json, then build the tokenizer from them."""
    sp = read_sentencepiece_model(model_path, allow_other_sentencepiece=allow_other_sentencepiece)
    vocab_json = read_vocab_json(vocab_json_path, sp) if vocab_json_path is not None else None
    backend = choose_backend(backend)
    if backend == "native":
        segmenter = extension().Segmenter(load_native_tables(allow_other_jieba=allow_other_jieba))
    else:
        segmenter = Segmenter(load_jieba_model(allow_other_jieba=allow_other_jieba))
    return CpmTokenizer(name, sp, segmenter, vocab_json, backend=backend, model_path=model_path,
                        vocab_json_path=vocab_json_path)


def load_preset(preset: Preset, **options: Any) -> CpmTokenizer:
    allow_mismatch = options.pop("allow_checksum_mismatch", False)
    vocab_json = options.pop("vocab_json", preset.options.get("vocab_json"))
    model_path = locate(preset.vocab, allow_checksum_mismatch=allow_mismatch)
    vocab_json_path = _vocab_json_path(vocab_json, allow_mismatch)
    return _build(preset.name, model_path, vocab_json_path, **options)


def load_path(path: Path, **options: Any) -> CpmTokenizer:
    """A .model (or a directory holding one); a registered model gets its registered companion vocab.json."""
    allow_mismatch = options.pop("allow_checksum_mismatch", False)
    path = Path(path)
    if path.is_dir():
        models = sorted(path.glob("*.model"))
        path = models[0]
        if "vocab_json" not in options and (path.parent / "vocab.json").is_file():
            options["vocab_json"] = path.parent / "vocab.json"
    vocab_json = options.pop("vocab_json", None)
    if vocab_json is None:
        known = entry_for_file(path)
        if known is not None and "companion" in known[1]:
            vocab_json = known[1]["companion"]
    return _build(str(path), path, _vocab_json_path(vocab_json, allow_mismatch), **options)


def _vocab_json_path(vocab_json: Optional[str | Path], allow_mismatch: bool) -> Optional[Path]:
    """A registry name (checked by sha256) or a path."""
    if vocab_json is None:
        return None
    try:
        registry_entry(str(vocab_json))
    except KeyError:
        return Path(vocab_json)
    return locate(str(vocab_json), allow_checksum_mismatch=allow_mismatch)
