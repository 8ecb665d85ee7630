"""CPM-Generate's tokenizer recipe, run live: jieba 0.42.1 + sentencepiece (the reference the CPM tests use).

    seg = " ".join(w.translate({" ": "▂", "\\n": "▃"}) for w in jieba.cut(text, cut_all=False))
    current model: sp.encode(seg);  first release: [vocab_json.get(p, 0) for p in sp_v0.encode(seg, out_type=str)]

Each reference owns a fresh `jieba.Tokenizer()` (what `jieba.cut` is in a fresh process) whose cache goes to
cpmtok's cache directory, not the shared temp directory. A missing package or file is an error, never a skip.
"""

from __future__ import annotations

import importlib.metadata
import json
from functools import lru_cache
from typing import Callable, Iterable

from cpmtok.cache import cache_dir
from cpmtok.vocab import locate

JIEBA_VERSION = "0.42.1"
CPM_SUBSTITUTION = str.maketrans(" \n", "\u2582\u2583")


def _require_jieba():
    try:
        import jieba
    except ImportError as err:
        raise RuntimeError(f"the CPM tests compare against jieba=={JIEBA_VERSION}; pip install it") from err
    version = importlib.metadata.version("jieba")
    if version != JIEBA_VERSION:
        raise RuntimeError(f"the CPM references need jieba {JIEBA_VERSION}, found {version}")
    jieba.setLogLevel(60)
    return jieba


@lru_cache(maxsize=1)
def jieba_tokenizer():
    """A fresh jieba 0.42.1 Tokenizer with the default dictionary (process-wide edits to jieba.dt don't reach it)."""
    jieba = _require_jieba()
    tokenizer = jieba.Tokenizer()
    tokenizer.tmp_dir = str(cache_dir("jieba"))
    cache_dir("jieba").mkdir(parents=True, exist_ok=True)
    tokenizer.initialize()
    return tokenizer


def jieba_words(text: str) -> list[str]:
    return list(jieba_tokenizer().cut(text, cut_all=False))


class CpmRecipe:
    """`encode(text) -> ids` as CPM-Generate: preset "cpm" (current model) or "cpm-v0" (first release)."""

    def __init__(self, preset: str, cut: Callable[[str], Iterable[str]] = jieba_words) -> None:
        """`cut`: jieba 0.42.1's words (the recipe); a benchmark may put a peer segmenter (rjieba) in its place."""
        import sentencepiece

        self.preset = preset
        self.cut = cut
        model = locate({"cpm": "cpm", "cpm-v0": "cpm-v0"}[preset])
        self.sp = sentencepiece.SentencePieceProcessor(model_file=str(model))
        self.vocab = None
        if preset == "cpm-v0":
            with open(locate("cpm-vocab-json"), encoding="utf-8") as f:
                self.vocab = json.load(f)

    def encode(self, text: str) -> list[int]:
        seg = " ".join(word.translate(CPM_SUBSTITUTION) for word in self.cut(text))
        if self.vocab is None:
            return self.sp.encode(seg)
        return [self.vocab.get(piece, 0) for piece in self.sp.encode(seg, out_type=str)]


@lru_cache(maxsize=2)
def recipe(preset: str) -> CpmRecipe:
    return CpmRecipe(preset)
