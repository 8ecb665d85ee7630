"""Readers for CPM's files: jieba 0.42.1's dictionary and HMM tables, the SentencePiece .model, vocab.json.

The one module of `cpmtok.cpm` that touches files. jieba's data is read here directly, never through a
`jieba.Tokenizer`: that would write a cache into the shared temp directory, and jieba's module-level state
(`jieba.dt`, `finalseg.Force_Split_Words`) changes with every `add_word`/`del_word` anywhere in the process.
The dictionary is checked by the sha256 the registry records (`jieba-0.42.1-dict`); the prepared tables (dicts
for the pure-Python segmenter, one flat table for the native one) are cached in cpmtok's cache directory
(`cpmtok.cache`, under `jieba`), checked by `cache` against their sources and their own CRC, so a tokenizer (or a
worker process) starts fast.
"""

from __future__ import annotations

import ast
import hashlib
import importlib.metadata
import importlib.util
import json
import marshal
from dataclasses import dataclass
from functools import lru_cache
from math import log
from pathlib import Path
from typing import Optional

from ..cache import cache_dir as cpmtok_cache_dir
from ..errors import InvalidVocab, UnsupportedDependency, VocabMismatch
from ..vocab import regular_file, registry_entry, sha256_of, verify
from .cache import read_checked, write_checked

JIEBA_VERSION = "0.42.1"
# SentencePiece versions whose `encode` gives the golden ids on the whole shared corpus; 0.1.99, 0.2.0
# and 0.2.1 break near-ties of the lattice otherwise (`innnnnn`, 15 records of CPM, 20 of cpm-v0).
SENTENCEPIECE_VERSIONS = ("0.2.2", "0.2.3")
JIEBA_DICT_ENTRY = "jieba-0.42.1-dict"
_CACHE_FORMAT = 2
_HMM_TABLE_FILES = ("prob_start.py", "prob_trans.py", "prob_emit.py")


@dataclass(frozen=True)
class JiebaModel:
    """jieba's dictionary and HMM, as the segmenters use them.

    `word_weights` holds every dictionary word AND every prefix of one (jieba's prefix dictionary `FREQ`):
    `log(freq) - log(total)` for a word, None for a prefix that is no word. Precomputing the difference per
    word is bit-identical to jieba's `log(freq) - logtotal + route` evaluated left to right.
    """

    word_weights: dict[str, Optional[float]]
    unknown_char_weight: float  # jieba's `log(FREQ.get(c) or 1) - logtotal` for a char that starts no word
    hmm_start: dict[str, float]
    hmm_trans: dict[str, dict[str, float]]
    hmm_emit: dict[str, dict[str, float]]


def jieba_package_dir(*, allow_other_jieba: bool = False) -> Path:
    """Where jieba is installed, after checking it is 0.42.1 (the version CPM-Generate was run with)."""
    spec = importlib.util.find_spec("jieba")
    if spec is None or not spec.submodule_search_locations:
        raise UnsupportedDependency(
            f"jieba is not installed; the CPM tokenizer needs its dictionary: pip install jieba=={JIEBA_VERSION}")
    version = importlib.metadata.version("jieba")
    if version != JIEBA_VERSION and not allow_other_jieba:
        raise UnsupportedDependency(
            f"jieba {version} is installed, but CPM-Generate's ids come from jieba {JIEBA_VERSION} "
            f"(its dictionary and HMM tables). pip install jieba=={JIEBA_VERSION}, or pass "
            "allow_other_jieba=True to segment with the installed one (ids may then differ from CPM-Generate).")
    return Path(list(spec.submodule_search_locations)[0])


def load_jieba_model(*, allow_other_jieba: bool = False) -> JiebaModel:
    """jieba's tables as dicts (the pure-Python segmenter's), from the checked cache or built and cached."""
    return load_jieba_model_from(str(checked_jieba_package(allow_other_jieba)))


def checked_jieba_package(allow_other_jieba: bool) -> Path:
    package = jieba_package_dir(allow_other_jieba=allow_other_jieba)
    dict_path = package / "dict.txt"
    if not dict_path.is_file():
        raise UnsupportedDependency(f"{dict_path}: jieba's default dictionary is missing; reinstall jieba=={JIEBA_VERSION}")
    verify(dict_path, registry_entry(JIEBA_DICT_ENTRY), allow_checksum_mismatch=allow_other_jieba)
    return package


@lru_cache(maxsize=4)
def load_jieba_model_from(package_dir: str) -> JiebaModel:
    """Shared by every tokenizer of the process (and inherited by forked workers); the tables are never mutated."""
    cache_path, digest = cache_file(package_dir, f"v{_CACHE_FORMAT}.marshal")
    cached = read_checked(cache_path, digest)
    if cached is not None:
        try:
            return JiebaModel(*marshal.loads(cached))
        except (EOFError, ValueError, TypeError):
            pass
    model = _build_jieba_model(Path(package_dir))
    write_checked(cache_path, marshal.dumps((model.word_weights, model.unknown_char_weight, model.hmm_start,
                                             model.hmm_trans, model.hmm_emit)), digest)
    return model


def cache_dir() -> Path:
    """Where jieba's prepared tables are cached: `jieba` in cpmtok's cache directory (`cpmtok.cache`)."""
    return cpmtok_cache_dir("jieba")


def cache_file(package_dir: str, kind: str) -> tuple[Path, bytes]:
    """Where one kind of table derived from these jieba files is cached, and the digest of those files."""
    digest = _sources_digest(package_dir)
    return cache_dir() / f"jieba-tables-{digest.hex()[:16]}.{kind}", digest


@lru_cache(maxsize=4)
def _sources_digest(package_dir: str) -> bytes:
    """sha256 over the files jieba's tables come from: the dictionary and finalseg's three tables."""
    package = Path(package_dir)
    sources = [package / "dict.txt"] + [package / "finalseg" / name for name in _HMM_TABLE_FILES]
    return hashlib.sha256("".join(sha256_of(path) for path in sources).encode()).digest()


def _build_jieba_model(package: Path) -> JiebaModel:
    freq, total = _read_jieba_dictionary(package / "dict.txt")
    log_total = log(total)
    weights = {word: (log(count) - log_total if count else None) for word, count in freq.items()}
    start, trans, emit = (_read_python_table(package / "finalseg" / name) for name in _HMM_TABLE_FILES)
    return JiebaModel(weights, log(1) - log_total, start, trans, emit)


def _read_jieba_dictionary(path: Path) -> tuple[dict[str, int], int]:
    """jieba's `Tokenizer.gen_pfdict`: word -> freq, every prefix of a word -> 0 unless it is a word, and the total."""
    freq: dict[str, int] = {}
    total = 0
    with open(path, "rb") as f:
        for line_number, raw in enumerate(f, 1):
            try:
                line = raw.strip().decode("utf-8")
                word, count_text = line.split(" ")[:2]
                count = int(count_text)
            except ValueError:
                raise InvalidVocab(f"{path}: line {line_number} is no jieba dictionary entry: {raw[:80]!r}") from None
            freq[word] = count
            total += count
            for end in range(1, len(word) + 1):
                freq.setdefault(word[:end], 0)
    return freq, total


def _read_python_table(path: Path) -> dict:
    """A finalseg table file (`P={...}`), read as a literal: no import, so no shared module state."""
    text = path.read_text(encoding="utf-8")
    return ast.literal_eval(text[text.index("=") + 1:].strip())


def check_sentencepiece(*, allow_other_sentencepiece: bool = False) -> None:
    """UnsupportedDependency unless the installed sentencepiece is one whose ids equal CPM-Generate's golden."""
    try:
        version = importlib.metadata.version("sentencepiece")
    except importlib.metadata.PackageNotFoundError:
        raise UnsupportedDependency("sentencepiece is not installed; the CPM tokenizer needs it: "
                                    f"pip install sentencepiece=={SENTENCEPIECE_VERSIONS[-1]}") from None
    if version not in SENTENCEPIECE_VERSIONS and not allow_other_sentencepiece:
        raise UnsupportedDependency(
            f"sentencepiece {version} is installed, but only {' and '.join(SENTENCEPIECE_VERSIONS)} give the "
            "reference ids (others break ties differently: `innnnnn` gives other ids under 0.2.1). "
            f"pip install sentencepiece=={SENTENCEPIECE_VERSIONS[-1]}, or pass allow_other_sentencepiece=True "
            "to encode with the installed one (ids may then differ from CPM-Generate).")


def read_sentencepiece_model(path: Path, *, allow_other_sentencepiece: bool = False):
    """A `SentencePieceProcessor` of the .model; InvalidVocab if the file is no SentencePiece model or a piece
    is not UTF-8. (A path has no checksum: a corrupt model that still loads gives other ids.)"""
    check_sentencepiece(allow_other_sentencepiece=allow_other_sentencepiece)
    import sentencepiece

    data = regular_file(path).read_bytes()
    processor = sentencepiece.SentencePieceProcessor()
    try:
        processor.LoadFromSerializedProto(data)
    except (RuntimeError, OSError, ValueError) as err:
        raise InvalidVocab(f"{path}: not a SentencePiece model ({err})") from None
    if processor.get_piece_size() == 0:
        raise InvalidVocab(f"{path}: a SentencePiece model without pieces")
    for piece_id in range(processor.get_piece_size()):
        try:
            processor.id_to_piece(piece_id)
        except UnicodeDecodeError as err:
            raise InvalidVocab(f"{path}: piece {piece_id} is not UTF-8 ({err.reason}); the model is corrupt") from None
    return processor


def read_vocab_json(path: Path, processor) -> dict[str, int]:
    """CPM-Generate's first-release `vocab.json` (piece -> id), checked to fit the SentencePiece model.

    Fits: a JSON object of piece -> int, ids unique and below the model's size, every key that is a
    piece of the model mapped to that piece's own id (pieces the model lacks, like `▃` for v0, may be added),
    and every normal piece of the model present (only control pieces like v0's `<cls>` may be missing).
    """
    try:
        vocab = json.loads(regular_file(path).read_bytes().decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as err:
        raise InvalidVocab(f"{path}: not a UTF-8 JSON file ({err})") from None
    if not isinstance(vocab, dict) or not all(
            isinstance(k, str) and type(v) is int for k, v in vocab.items()):
        raise InvalidVocab(f"{path}: expected a JSON object mapping piece strings to integer ids")
    size = processor.get_piece_size()
    out_of_range = [(k, v) for k, v in vocab.items() if not 0 <= v < size]
    if out_of_range:
        raise VocabMismatch(f"{path}: ids outside the model's 0..{size - 1}, e.g. {out_of_range[:3]}")
    if len(set(vocab.values())) != len(vocab):
        raise VocabMismatch(f"{path}: several pieces share an id")
    own_ids = {piece: processor.piece_to_id(piece) for piece in vocab}
    moved = [(piece, vocab[piece], own) for piece, own in own_ids.items()
             if processor.id_to_piece(own) == piece and vocab[piece] != own]
    if moved:
        piece, mapped, own = moved[0]
        raise VocabMismatch(
            f"{path} does not fit the SentencePiece model: {len(moved)} pieces map to another id than the "
            f"model gives them, e.g. {piece!r} -> {mapped} in vocab.json but {own} in the model")
    uncovered = [processor.id_to_piece(i) for i in range(size)
                 if not processor.is_control(i) and processor.id_to_piece(i) not in vocab]
    if uncovered:
        raise VocabMismatch(f"{path} does not cover the SentencePiece model: {len(uncovered):,} of its pieces have "
                            f"no entry (every id of theirs would be 0), e.g. {uncovered[:3]}")
    return vocab
