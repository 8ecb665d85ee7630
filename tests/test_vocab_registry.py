"""The registry and `cpmtok setup`: files found, checked by sha256, and clear errors otherwise."""

import shutil
from pathlib import Path

import pytest

import cpmtok
from cpmtok import vocab
from corpus import SHARED


def test_every_registered_file_is_placed_and_matches_its_checksum():
    placed = vocab.setup()
    for name, entry in vocab.registry().items():
        if entry["kind"] == "jieba-dictionary":
            continue
        assert placed[name] == vocab.VOCAB_DIR / entry["file"]
        assert vocab.sha256_of(placed[name]) == entry["sha256"]


def test_registry_agrees_with_the_shared_sources_table():
    sources = (SHARED / "vocab" / "SOURCES.md").read_text(encoding="utf-8")
    for entry in vocab.registry().values():
        if entry["kind"] != "jieba-dictionary":
            assert entry["sha256"] in sources and entry["file"] in sources


def test_jieba_dictionary_entry_is_the_installed_jieba_dictionary():
    import jieba

    path = Path(jieba.__file__).parent / "dict.txt"
    entry = vocab.registry_entry("jieba-0.42.1-dict")
    assert vocab.sha256_of(path) == entry["sha256"]
    assert sum(1 for _ in open(path, encoding="utf-8")) == entry["entries"]


def test_missing_file_names_the_file_where_it_looked_and_how_to_fix(monkeypatch, tmp_path):
    monkeypatch.setattr(vocab, "VOCAB_DIR", tmp_path)
    monkeypatch.delenv(vocab.ENV_VOCAB_DIR, raising=False)
    with pytest.raises(cpmtok.VocabNotFound) as err:
        vocab.locate("clue-small")
    message = str(err.value)
    assert "clue-vocab-8021.txt" in message and str(tmp_path) in message and "cpmtok setup" in message


def test_env_dir_is_searched(monkeypatch, tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    monkeypatch.setattr(vocab, "VOCAB_DIR", empty)
    monkeypatch.setenv(vocab.ENV_VOCAB_DIR, str(SHARED / "vocab"))
    assert vocab.locate("clue-small") == SHARED / "vocab" / "clue-vocab-8021.txt"


def test_checksum_mismatch_is_an_error_unless_overridden(monkeypatch, tmp_path):
    entry = vocab.registry_entry("clue-small")
    shutil.copyfile(SHARED / "vocab" / entry["file"], tmp_path / entry["file"])
    with open(tmp_path / entry["file"], "a", encoding="utf-8") as f:
        f.write("\nextra")
    monkeypatch.setattr(vocab, "VOCAB_DIR", tmp_path)
    monkeypatch.delenv(vocab.ENV_VOCAB_DIR, raising=False)
    with pytest.raises(cpmtok.VocabChecksumMismatch, match="allow_checksum_mismatch"):
        vocab.locate("clue-small")
    assert vocab.locate("clue-small", allow_checksum_mismatch=True) == tmp_path / entry["file"]


def test_setup_copies_from_a_named_directory_and_refuses_a_corrupt_source(monkeypatch, tmp_path):
    target, source = tmp_path / "vocab", tmp_path / "source"
    target.mkdir()
    source.mkdir()
    monkeypatch.setattr(vocab, "VOCAB_DIR", target)
    monkeypatch.setattr(vocab, "SHARED_VOCAB_DIR", tmp_path / "nowhere")
    monkeypatch.delenv(vocab.ENV_VOCAB_DIR, raising=False)
    entry = vocab.registry_entry("clue-small")
    (source / entry["file"]).write_bytes(b"[PAD]\n[UNK]\n")
    with pytest.raises(cpmtok.VocabChecksumMismatch):
        vocab.setup([source], names=["clue-small"])
    assert not (target / entry["file"]).exists()
    shutil.copyfile(SHARED / "vocab" / entry["file"], source / entry["file"])
    assert vocab.setup([source], names=["clue-small"]) == {"clue-small": target / entry["file"]}
    with pytest.raises(cpmtok.VocabNotFound, match="cpmtok setup --from DIR"):
        vocab.setup([source], names=["cpm"])


def test_load_rejects_unknown_names_with_the_known_presets():
    with pytest.raises(cpmtok.UnknownTokenizer, match="gpt2-ml"):
        cpmtok.load("no-such-tokenizer")


def test_load_rejects_a_path_of_no_known_kind(tmp_path):
    odd = tmp_path / "weights.bin"
    odd.write_bytes(b"")
    with pytest.raises(cpmtok.UnknownTokenizer, match="vocab.txt"):
        cpmtok.load(odd)
