"""The registry, finding files by content, and `cpmtok setup`: files found, checked by sha256, clear errors."""

import shutil
from pathlib import Path

import pytest

import cpmtok
from cpmtok import cache, hub, vocab
from corpus import SHARED


@pytest.fixture
def isolated(monkeypatch, tmp_path):
    """No $CPMTOK_VOCAB_DIR, an empty cpmtok home and Hugging Face cache, no ../shared: nothing to find."""
    monkeypatch.setenv(cache.ENV_HOME, str(tmp_path / "home"))
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "hf"))
    monkeypatch.delenv(vocab.ENV_VOCAB_DIR, raising=False)
    monkeypatch.setattr(vocab, "SHARED_VOCAB_DIR", tmp_path / "nowhere")
    return tmp_path


def hf_snapshot(root: Path, repo: str, revision: str, files: dict[str, Path], *, main: bool = True) -> Path:
    """A Hugging Face cache entry as huggingface_hub writes it: blobs, snapshot symlinks, refs/main."""
    repo_dir = root / ("models--" + repo.replace("/", "--"))
    snapshot = repo_dir / "snapshots" / revision
    snapshot.mkdir(parents=True)
    (repo_dir / "blobs").mkdir(exist_ok=True)
    for name, source in files.items():
        blob = repo_dir / "blobs" / vocab.sha256_of(source)
        shutil.copyfile(source, blob)
        (snapshot / name).symlink_to(blob)
    if main:
        (repo_dir / "refs").mkdir(exist_ok=True)
        (repo_dir / "refs" / "main").write_text(revision)
    return snapshot


def shared_file(name: str) -> Path:
    return SHARED / "vocab" / vocab.registry_entry(name)["file"]


def test_every_registered_file_is_placed_and_matches_its_checksum():
    placed = vocab.setup()
    for name in vocab.placeable():
        entry = vocab.registry_entry(name)
        assert placed[name] == vocab.placed_dir() / entry["file"]
        assert vocab.sha256_of(placed[name]) == entry["sha256"]
        assert placed[name].stat().st_size == entry["size"]


def test_registry_is_package_data_and_agrees_with_the_shared_sources_table():
    assert vocab.REGISTRY_PATH.parent == Path(cpmtok.__file__).parent
    sources = (SHARED / "vocab" / "SOURCES.md").read_text(encoding="utf-8")
    for name in vocab.placeable():
        entry = vocab.registry_entry(name)
        assert entry["sha256"] in sources and entry["file"] in sources
        assert entry["upstream"]["source"].split("@")[0] in sources


def test_jieba_dictionary_entry_is_the_installed_jieba_dictionary():
    import jieba

    path = Path(jieba.__file__).parent / "dict.txt"
    entry = vocab.registry_entry("jieba-0.42.1-dict")
    assert vocab.sha256_of(path) == entry["sha256"]
    assert sum(1 for _ in open(path, encoding="utf-8")) == entry["entries"]


def test_cache_home_is_the_env_var_else_the_platform_user_cache(monkeypatch, tmp_path):
    monkeypatch.setenv(cache.ENV_HOME, str(tmp_path))
    assert cache.cache_dir("jieba") == tmp_path / "jieba"
    monkeypatch.delenv(cache.ENV_HOME)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    monkeypatch.setattr(cache.sys, "platform", "linux")
    assert cache.home() == tmp_path / "xdg" / "cpmtok"
    monkeypatch.setattr(cache.sys, "platform", "darwin")
    assert cache.home() == Path.home() / "Library" / "Caches" / "cpmtok"
    monkeypatch.setattr(cache.sys, "platform", "win32")
    monkeypatch.setenv("LOCALAPPDATA", str(tmp_path / "local"))
    assert cache.home() == tmp_path / "local" / "cpmtok"


def test_hf_cache_dir_follows_huggingface_hub(monkeypatch, tmp_path):
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "a"))
    assert hub.cache_dir() == tmp_path / "a"
    monkeypatch.delenv("HF_HUB_CACHE")
    monkeypatch.setenv("HF_HOME", str(tmp_path / "b"))
    assert hub.cache_dir() == tmp_path / "b" / "hub"
    monkeypatch.delenv("HF_HOME")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "c"))
    assert hub.cache_dir() == tmp_path / "c" / "huggingface" / "hub"
    monkeypatch.delenv("XDG_CACHE_HOME")
    assert hub.cache_dir() == Path.home() / ".cache" / "huggingface" / "hub"


def test_missing_file_names_the_file_every_place_looked_and_how_to_get_it(isolated):
    with pytest.raises(cpmtok.VocabNotFound) as err:
        vocab.locate("clue-small")
    message = str(err.value)
    for part in ["clue-vocab-8021.txt", str(isolated / "home" / "vocab"), str(isolated / "hf"),
                 "mymusise/gpt2-medium-chinese", "vocab.txt", "cpmtok setup clue-small --from DIR",
                 "CPMTOK_VOCAB_DIR", "--download", "imcaspar/gpt2-ml"]:
        assert part in message


def test_env_dir_is_searched_by_content_whatever_the_names(isolated, monkeypatch):
    folder = isolated / "mine"
    folder.mkdir()
    shutil.copyfile(shared_file("clue-small"), folder / "vocab.txt")
    shutil.copyfile(shared_file("cpm"), folder / "my-model.bin")
    monkeypatch.setenv(vocab.ENV_VOCAB_DIR, str(folder))
    assert vocab.locate("clue-small") == folder / "vocab.txt"
    assert vocab.locate("cpm") == folder / "my-model.bin"
    with pytest.raises(cpmtok.VocabNotFound):
        vocab.locate("bert-base-chinese")


def test_hugging_face_cache_snapshots_are_found_and_checked(isolated):
    hf = isolated / "hf"
    # the repo's main revision holds another file under the upstream name; an older snapshot the right one
    hf_snapshot(hf, "uer/gpt2-chinese-cluecorpussmall", "bbb", {"vocab.txt": shared_file("clue-small")})
    older = hf_snapshot(hf, "uer/gpt2-chinese-cluecorpussmall", "aaa", {"vocab.txt": shared_file("bert-base-chinese")},
                        main=False)
    assert vocab.locate("bert-base-chinese") == older / "vocab.txt"
    tokenizer = cpmtok.load("uer-gpt2-chinese")
    assert tokenizer.encode("Hello World 今天").ids == [100, 100, 791, 1921]
    with pytest.raises(cpmtok.VocabNotFound, match="0 snapshots cached"):
        vocab.locate("clue-small")  # mymusise/gpt2-medium-chinese is not cached; uer's clue-sized file is not looked at


def test_checksum_mismatch_is_an_error_unless_overridden(isolated, monkeypatch):
    entry = vocab.registry_entry("clue-small")
    folder = isolated / "corrupt"
    folder.mkdir()
    shutil.copyfile(shared_file("clue-small"), folder / entry["file"])
    with open(folder / entry["file"], "a", encoding="utf-8") as f:
        f.write("\nextra")
    monkeypatch.setenv(vocab.ENV_VOCAB_DIR, str(folder))
    with pytest.raises(cpmtok.VocabChecksumMismatch, match="allow_checksum_mismatch"):
        vocab.locate("clue-small")
    assert vocab.locate("clue-small", allow_checksum_mismatch=True) == folder / entry["file"]
    # a good copy anywhere later in the order wins over the corrupt one
    hf_snapshot(isolated / "hf", "mymusise/gpt2-medium-chinese", "r1", {"vocab.txt": shared_file("clue-small")})
    assert vocab.locate("clue-small").name == "vocab.txt"


def test_setup_copies_from_upstream_names_and_refuses_a_corrupt_source(isolated):
    source = isolated / "source"
    source.mkdir()
    (source / "vocab.txt").write_bytes(b"[PAD]\n[UNK]\n")
    (source / "clue-vocab-8021.txt").write_bytes(b"[PAD]\n[UNK]\n")
    with pytest.raises(cpmtok.VocabChecksumMismatch):
        vocab.setup([source], names=["clue-small"])
    assert not (vocab.placed_dir() / "clue-vocab-8021.txt").exists()
    shutil.copyfile(shared_file("clue-small"), source / "vocab.txt")
    shutil.copyfile(shared_file("cpm"), source / "spiece.model")
    placed = vocab.setup([source], names=["clue-small", "cpm"])
    assert placed == {"clue-small": vocab.placed_dir() / "clue-vocab-8021.txt",
                      "cpm": vocab.placed_dir() / "cpm-chinese_vocab.model"}
    assert vocab.locate("cpm") == placed["cpm"]


def test_setup_from_the_hugging_face_cache_places_what_it_finds_and_names_the_rest(isolated):
    hf_snapshot(isolated / "hf", "TsinghuaAI/CPM-Generate", "r1", {"spiece.model": shared_file("cpm")})
    with pytest.raises(cpmtok.VocabNotFound) as err:
        vocab.setup()
    message = str(err.value)
    others = len(vocab.placeable()) - 1
    assert message.startswith("placed: cpm;") and f"{others} not placed" in message and "cpm-vocab.json" in message
    assert (vocab.placed_dir() / "cpm-chinese_vocab.model").is_file()


def test_setup_download_without_huggingface_hub_is_a_typed_error(isolated, monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "huggingface_hub", None)
    with pytest.raises(cpmtok.CpmtokError, match="huggingface_hub"):
        vocab.setup(names=["clue-small"], download=True)


def test_setup_download_takes_the_first_hub_file_with_the_registered_content(isolated, monkeypatch):
    """The Hub is replaced by a local directory (no network in tests): wrong content is skipped, named."""
    served = {("TsinghuaAI/CPM-Generate", "spiece.model"): shared_file("cpm-v0"),
              ("mymusise/CPM-Generate-distill", "spiece.model"): shared_file("cpm")}

    def fake_download(repo, filename):
        source = served.get((repo, filename))
        if source is None:
            return None, "EntryNotFoundError: 404"
        return hf_snapshot(isolated / "hf", repo, "r1", {filename: source}) / filename, ""

    monkeypatch.setattr(hub, "download", fake_download)
    assert vocab.setup(names=["cpm"], download=True) == {"cpm": vocab.placed_dir() / "cpm-chinese_vocab.model"}


def test_cli_setup_errors_are_one_line_messages_and_exit_2(isolated, capsys):
    from cpmtok.cli import main

    assert main(["setup", "clue-small"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("cpmtok: error: vocabulary 'clue-small'") and "Traceback" not in err
    assert main(["setup", "no-such-vocab"]) == 2
    assert "known: bert-base-chinese" in capsys.readouterr().err
