"""Vocabulary files that are not what they claim: each a typed error naming the file, fast, never a hang."""

from __future__ import annotations

import json
import os
import random
import shutil
import threading
import warnings

import pytest

import cpmtok
from cpmtok.cpm.dictionary import read_sentencepiece_model, read_vocab_json
from cpmtok.errors import CpmtokError, DuplicateVocabEntry, InvalidVocab, UnreadableVocab, VocabMismatch
from cpmtok.vocab import locate


def _load_within(path, seconds=10):
    """cpmtok.load(path) in a thread: a FIFO or a device that hangs the load fails the test instead."""
    result: dict = {}

    def run():
        try:
            result["value"] = cpmtok.load(path)
        except BaseException as err:  # noqa: BLE001
            result["error"] = err

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(seconds)
    assert not thread.is_alive(), f"loading {path} hung"
    return result


@pytest.mark.parametrize("suffix", ["vocab.txt", "m.model"])
@pytest.mark.parametrize("kind", ["/dev/zero", "/dev/urandom", "fifo", "directory", "sparse-300MB"])
def test_not_a_regular_sane_file_is_refused_before_reading(tmp_path, kind, suffix):
    path = tmp_path / suffix
    if kind == "fifo":
        os.mkfifo(path)
    elif kind == "directory":
        path.mkdir()
        (path / "README").write_text("not a vocabulary")  # a directory named .txt/.model is still no file
    elif kind == "sparse-300MB":
        with open(path, "wb") as f:
            f.truncate(300 << 20)
    else:
        path.symlink_to(kind)
    result = _load_within(path)
    assert isinstance(result.get("error"), CpmtokError), result
    assert str(path) in str(result["error"])


def test_model_piece_that_is_not_utf8_is_named(tmp_path):
    raw = bytearray(locate("cpm").read_bytes())
    piece = "▁的".encode()
    at = raw.index(piece)
    raw[at + len(piece) - 1] = 0xFF
    path = tmp_path / "broken.model"
    path.write_bytes(raw)
    with pytest.raises(InvalidVocab, match=r"broken\.model: piece \d+ is not UTF-8"):
        read_sentencepiece_model(path)
    with pytest.raises(InvalidVocab, match="broken.model"):
        cpmtok.load(path)


def test_single_bit_flips_of_a_model_are_typed_errors_or_load(tmp_path):
    """A path has no checksum: a flipped bit may load (and then give other ids), but never an untyped error.
    Half the flips hit bytes of multi-byte characters (where most untyped UnicodeDecodeErrors came from)."""
    raw = locate("cpm").read_bytes()
    rng = random.Random(16)
    texts = ["今天天气不错，我们去公园散步吧！", "Hello world 123", "a\nb  c"]
    wide = [i for i, byte in enumerate(raw) if byte >= 0x80]
    for n in range(12):
        flipped = bytearray(raw)
        flipped[rng.choice(wide) if n % 2 else rng.randrange(len(raw))] ^= 1 << rng.randrange(8)
        path = tmp_path / f"flip{n}.model"
        path.write_bytes(flipped)
        try:
            tok = cpmtok.load(path)
        except CpmtokError as err:
            assert str(path) in str(err)
            continue
        for text in texts:
            tok.decode(tok.encode_ids(text))


def _v0_folder(tmp_path, vocab) -> object:
    folder = tmp_path / "v0"
    folder.mkdir()
    shutil.copy(locate("cpm-v0"), folder / "spm.model")
    (folder / "vocab.json").write_text(json.dumps(vocab), encoding="utf-8")
    return folder


def test_empty_vocab_json_is_refused(tmp_path):
    folder = _v0_folder(tmp_path, {})
    with pytest.raises(VocabMismatch, match=r"vocab\.json does not cover the SentencePiece model: 29,993 of its"):
        cpmtok.load(folder)


def test_vocab_json_missing_a_piece_is_refused(tmp_path):
    vocab = json.loads(locate("cpm-vocab-json").read_text(encoding="utf-8"))
    del vocab["▁的"]
    with pytest.raises(VocabMismatch, match=r"1 of its pieces have no entry .*'▁的'"):
        cpmtok.load(_v0_folder(tmp_path, vocab))
    processor = read_sentencepiece_model(locate("cpm-v0"))
    assert read_vocab_json(locate("cpm-vocab-json"), processor)  # the released one covers it (<cls> is control)


def test_deeply_nested_vocab_json_is_a_typed_error(tmp_path):
    folder = _v0_folder(tmp_path, {})
    (folder / "vocab.json").write_text("[" * 100_000)
    with pytest.raises(InvalidVocab, match="not a UTF-8 JSON file"):
        cpmtok.load(folder)


def test_duplicate_entries_are_one_summarised_warning(tmp_path):
    lines = locate("clue-small").read_text(encoding="utf-8").splitlines()
    path = tmp_path / "vocab.txt"
    path.write_text("\n".join(lines * 50) + "\n", encoding="utf-8")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        cpmtok.load(path)
    repeats = [w for w in caught if issubclass(w.category, DuplicateVocabEntry)]
    assert len(repeats) == 1
    message = str(repeats[0].message)
    assert f"{len(lines) * 49:,} lines repeat an earlier entry" in message
    assert f"line {len(lines) + 1} repeats line 1 " in message and "more" in message
    assert len(message) < 1_000


def _vocab(tmp_path, words):
    path = tmp_path / "vocab.txt"
    path.write_text("\n".join(words) + "\n", encoding="utf-8")
    return path


@pytest.mark.parametrize("words", [
    ["[PAD]", "[UNK]", "[SEP]", "a", "b", "##b", "mask", "cl", "##s"],  # no [CLS], no [MASK]
    ["a", "b", "##b", "mask", "x"],  # no special token at all, not even [UNK]
    ["[PAD]", "[UNK]", "a", "a", "b", "[SEP]", "##b"],  # a repeated line: the new ids reach into the lines
], ids=["cls-mask", "none", "repeated-line"])
def test_hf_slow_adds_missing_special_tokens_as_transformers(tmp_path, words):
    from bert_references import _need

    path = _vocab(tmp_path, words)
    reference = _need("transformers", "").BertTokenizer(vocab_file=str(path))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DuplicateVocabEntry)
        tok = cpmtok.load(path, dialect="hf-slow")
    assert tok.vocab_size == len(reference)
    for text in ["a[MASK]b [CLS] ab zz", "[UNK][PAD] [SEP]b mask", ""]:
        assert tok.encode_ids(text) == reference(text, add_special_tokens=False)["input_ids"], text
        assert tok.encode_ids(text, add_special_tokens=True) == reference(text)["input_ids"], text
    ids = reference("a[MASK]b [CLS] zz")["input_ids"]
    assert tok.decode(ids, style="reference", reference="hf-slow") == reference.decode(ids)


@pytest.mark.parametrize("dialect", ["hf-fast", "google"])
def test_a_vocab_without_cls_or_sep_is_refused_at_load(tmp_path, dialect):
    path = _vocab(tmp_path, ["[PAD]", "[UNK]", "[SEP]", "a", "b"])
    with pytest.raises(InvalidVocab, match=r"vocab\.txt: no line is '\[CLS\]'.*add_special_tokens=True"):
        cpmtok.load(path, dialect=dialect)


def test_a_model_without_eod_is_refused_at_load(tmp_path):
    from sentencepiece import sentencepiece_model_pb2

    proto = sentencepiece_model_pb2.ModelProto()
    proto.ParseFromString(locate("cpm").read_bytes())
    (eod,) = [piece for piece in proto.pieces if piece.piece == "<eod>"]
    eod.piece = "<end>"
    path = tmp_path / "no-eod.model"
    path.write_bytes(proto.SerializeToString())
    with pytest.raises(InvalidVocab, match=r"no-eod\.model: no <eod> piece"):
        cpmtok.load(path)
