"""The native (C) segmenter's promises beyond equal words: backend choice, fallback, checked caches, threads."""

import warnings
from concurrent.futures import ThreadPoolExecutor

import pytest

import cpmtok
from corpus import corpus_files, corpus_texts
from cpm_segmenters import require_extension, segmenters
from cpmtok.compiled import ENV_PURE
from cpmtok.cpm import dictionary, native
from cpmtok.errors import NativeUnavailable, UnsupportedDependency

TEXTS = [text for path in corpus_files() for text in corpus_texts(path)[:15]] + [
    "今天天气不错", "买买买买买", "a-1_b 1.5% x--y", "结婚的和尚未结婚的\r\n\u3000"]


def test_native_is_the_default_and_cpmtok_pure_forces_the_pure_one(monkeypatch):
    require_extension()
    monkeypatch.delenv(ENV_PURE, raising=False)
    assert cpmtok.backend() == "native" and cpmtok.load("cpm").backend == "native"
    monkeypatch.setenv(ENV_PURE, "1")
    assert cpmtok.backend() == "pure" and cpmtok.load("cpm").backend == "pure"
    assert cpmtok.load("cpm", backend="native").backend == "native"  # an explicit choice wins
    with pytest.raises(ValueError, match="backend='fast'"):
        cpmtok.load("cpm", backend="fast")


@pytest.mark.parametrize("preset", ["cpm", "cpm-v0"])
def test_backends_give_the_same_ids(preset):
    native_ids = list(map(cpmtok.load(preset, backend="native").encode_ids, TEXTS))
    assert list(map(cpmtok.load(preset, backend="pure").encode_ids, TEXTS)) == native_ids


def test_without_the_extension_cpm_falls_back_and_says_so_once(monkeypatch):
    monkeypatch.delenv(ENV_PURE, raising=False)
    monkeypatch.setattr(native, "extension", lambda: None)
    native._say_native_unavailable.cache_clear()
    with pytest.warns(NativeUnavailable, match="not built") as said:
        tokenizers = [cpmtok.load("cpm"), cpmtok.load("cpm-v0")]
        assert cpmtok.backend() == "pure"
    assert len(said) == 1 and [t.backend for t in tokenizers] == ["pure", "pure"]
    assert tokenizers[0].encode_ids("今天天气不错") == cpmtok.load("cpm", backend="pure").encode_ids("今天天气不错")
    with pytest.raises(UnsupportedDependency, match="not built"):
        cpmtok.load("cpm", backend="native")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        cpmtok.load("cpm", backend="pure")  # an explicit choice is not warned about
    native._say_native_unavailable.cache_clear()


@pytest.fixture
def fresh_cache(tmp_path, monkeypatch):
    """CPM's caches in an empty directory, and no table kept in memory, during the test and after it."""
    monkeypatch.setattr(dictionary, "cache_dir", lambda: tmp_path)
    loaders = (native._load_native_tables, dictionary.load_jieba_model_from)
    for loader in loaders:
        loader.cache_clear()
    yield tmp_path
    for loader in loaders:
        loader.cache_clear()


@pytest.mark.parametrize("damage", ["flipped byte", "truncated", "other sources", "empty"])
def test_damaged_or_foreign_caches_are_rebuilt(fresh_cache, damage):
    require_extension()
    good_tables = bytes(native.load_native_tables())
    good_model = dictionary.load_jieba_model()
    files = sorted(fresh_cache.iterdir())
    assert [path.suffix for path in files] == [".bin", ".marshal"]
    for path in files:
        data = bytearray(path.read_bytes())
        if damage == "flipped byte":
            data[len(data) // 3] ^= 0x10
        elif damage == "truncated":
            data = data[:-100]
        elif damage == "other sources":
            data[-40] ^= 0xFF  # the first byte of the sources' sha256 in the trailer
        else:
            data = bytearray()
        path.write_bytes(bytes(data))
    native._load_native_tables.cache_clear()
    dictionary.load_jieba_model_from.cache_clear()
    assert bytes(native.load_native_tables()) == good_tables
    assert dictionary.load_jieba_model() == good_model
    tokenizer = cpmtok.load("cpm", backend="native")
    assert tokenizer.encode_ids("今天天气不错") == cpmtok.load("cpm", backend="pure").encode_ids("今天天气不错")


def test_segmenter_refuses_a_buffer_that_is_no_table():
    module = require_extension()
    tables = native.load_native_tables()
    for buffer in (b"", b"CPMJIEBA" + bytes(200), tables[:-16]):
        with pytest.raises(ValueError, match="not a jieba table"):
            module.Segmenter(buffer)
    with pytest.raises(TypeError):
        module.Segmenter(tables).cut(b"bytes")


@pytest.mark.parametrize("backend", ["native", "pure"])
def test_threads_equal_sequential(backend):
    texts = TEXTS * 3
    sequential = list(map(cpmtok.load("cpm", backend="pure").encode_ids, texts))
    shared = cpmtok.load("cpm", backend=backend)  # the native one runs its segmenter without the GIL
    with ThreadPoolExecutor(4) as pool:
        assert list(pool.map(shared.encode_ids, texts)) == sequential


@pytest.mark.slow
def test_every_code_point_is_classed_as_the_pure_segmenter_does():
    """The C segmenter's block and HMM character classes are written out by hand: every code point, in the
    contexts that show its class (next to Han, letters, digits, '.', '%', '\\r', '\\n'), cuts as the pure one."""
    chosen = segmenters()
    for first in range(0, 0x110000, 0x4000):
        text = "".join(f"a{c}中{c}{c}1.{c}%\r{c}\n国{c}" for c in map(chr, range(first, min(first + 0x4000, 0x110000))))
        assert chosen["native"].cut(text) == chosen["pure"].cut(text), hex(first)
