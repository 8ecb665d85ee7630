"""Which segmenter a CPM tokenizer runs: the C extension `_jieba` (native) or the pure-Python `Segmenter`.

Both are jieba 0.42.1 bit for bit (the tests hold them to each other and to jieba). The native one is used
when the extension was built (`pip install` compiles it where a C compiler exists); `CPMTOK_PURE=1` forces the
pure one. Where the extension is missing cpmtok says so once and runs the pure one.
"""

from __future__ import annotations

import warnings
from functools import lru_cache
from types import ModuleType
from typing import Optional

from ..compiled import pure_forced
from ..errors import NativeUnavailable, UnsupportedDependency
from .cache import read_checked, write_checked
from .dictionary import JiebaModel, cache_file, checked_jieba_package, load_jieba_model_from
from .hmm import MIN_FLOAT, STATES, TRANSITIONS

BACKENDS = ("native", "pure")
TABLE_FORMAT = 1  # the layout _jieba.c reads (its FORMAT_VERSION); part of the cache file's name


@lru_cache(maxsize=1)
def extension() -> Optional[ModuleType]:
    """The compiled segmenter, or None if it was not built (or was built for another table format)."""
    try:
        from . import _jieba
    except ImportError:
        return None
    return _jieba if _jieba.FORMAT_VERSION == TABLE_FORMAT else None


def choose_backend(requested: Optional[str] = None) -> str:
    """`requested` ("native" / "pure"), else "pure" under CPMTOK_PURE=1, else native where it was built."""
    if requested is not None:
        if requested not in BACKENDS:
            raise ValueError(f"backend={requested!r}: expected one of {', '.join(BACKENDS)}")
        if requested == "native" and extension() is None:
            raise UnsupportedDependency(
                "backend='native': cpmtok's C extension (cpmtok.cpm._jieba) is not built here; reinstall cpmtok "
                "where a C compiler exists (pip install -e . builds it), or use backend='pure'")
        return requested
    if pure_forced():
        return "pure"
    if extension() is None:
        _say_native_unavailable()
        return "pure"
    return "native"


@lru_cache(maxsize=1)
def _say_native_unavailable() -> None:
    warnings.warn("cpmtok's C extension (cpmtok.cpm._jieba) is not built: CPM tokenizers use the pure-Python "
                  "segmenter (same ids, several times slower). Reinstall cpmtok where a C compiler exists to build it.",
                  NativeUnavailable, stacklevel=3)


def build_tables(model: JiebaModel) -> bytes:
    """The flat table `_jieba.Segmenter` reads: jieba's prefix dictionary as a trie, the HMM's probabilities."""
    words = sorted(model.word_weights, key=len)  # a word's prefixes before it
    emit_chars = "".join(sorted(set().union(*(model.hmm_emit[state] for state in STATES))))
    rows = [[model.hmm_emit[state].get(char, MIN_FLOAT) for state in STATES] for char in emit_chars]
    start = [model.hmm_start[state] for state in STATES]
    trans = [model.hmm_trans[previous].get(state, MIN_FLOAT) for previous, state in TRANSITIONS]
    return extension().build_table(words, [model.word_weights[word] for word in words], emit_chars, rows,
                                   model.unknown_char_weight, start, trans)


def load_native_tables(*, allow_other_jieba: bool = False) -> memoryview:
    """jieba's tables in the native segmenter's format, memory-mapped from the checked cache or built and cached.

    Nothing is unmarshalled: the C segmenter reads the mapped file as it is.
    """
    return _load_native_tables(str(checked_jieba_package(allow_other_jieba)))


@lru_cache(maxsize=4)
def _load_native_tables(package_dir: str) -> memoryview:
    cache_path, digest = cache_file(package_dir, f"native-v{TABLE_FORMAT}.bin")
    cached = read_checked(cache_path, digest)
    if cached is not None:
        return cached
    tables = build_tables(load_jieba_model_from(package_dir))
    write_checked(cache_path, tables, digest)
    mapped = read_checked(cache_path, digest)  # mapped, so the pages are shared with every other process
    return memoryview(tables) if mapped is None else mapped  # None: the cache directory is not writable
