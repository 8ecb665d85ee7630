"""The live BERT references, wrapped once for every test (and tools/make_bert_tables.py).

Missing packages are failures with a clear message, never skips. Google's tokenization.py and
bert4keras import TensorFlow/absl at module level; we stub those exactly as
../shared/golden/tools/bert_refs.py does (the tokenizers themselves are pure Python).
"""

from __future__ import annotations

import os
import sys
import types
from functools import lru_cache
from pathlib import Path
from typing import Callable

os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
os.environ.setdefault("HF_HUB_OFFLINE", "1")

ROOT = Path(__file__).resolve().parent.parent
VOCABS = {"bert-base-chinese": "bert-base-chinese-vocab-21128.txt", "clue-small": "clue-vocab-8021.txt"}
GOLDEN_SET = {"hf-fast": "hf_fast", "hf-slow": "hf_slow", "google": "google"}
DIALECTS = ("hf-fast", "hf-slow", "google")


def _need(module: str, install: str):
    try:
        return __import__(module, fromlist=["_"])
    except ImportError as err:
        raise RuntimeError(f"reference package missing: {module} ({err}). Install it: {install}") from None


def vocab_path(vocab: str) -> Path:
    from cpmtok.vocab import locate

    return locate(vocab)


def _stub_tensorflow() -> None:
    if "tensorflow" not in sys.modules:
        tf = types.ModuleType("tensorflow")
        compat = types.ModuleType("tensorflow.compat")
        v1 = types.ModuleType("tensorflow.compat.v1")
        v1.gfile = types.SimpleNamespace(GFile=lambda p, m="r": open(p, m, encoding="utf-8"))
        v1.logging = types.SimpleNamespace(info=lambda *a, **k: None)
        tf.compat, compat.v1 = compat, v1
        sys.modules.update({"tensorflow": tf, "tensorflow.compat": compat, "tensorflow.compat.v1": v1})
    if "absl" not in sys.modules:
        absl = types.ModuleType("absl")
        absl.flags = types.ModuleType("absl.flags")
        absl.flags.FLAGS = types.SimpleNamespace(preserve_unused_tokens=False)  # Google's default
        absl.flags.DEFINE_bool = lambda *a, **k: None
        sys.modules["absl"] = absl
        sys.modules["absl.flags"] = absl.flags


@lru_cache(maxsize=1)
def google_module():
    """Google's tokenization.py from bert-tensorflow 1.0.4, TensorFlow stubbed only while it imports.

    The stubs leave sys.modules afterwards: transformers asks importlib whether TensorFlow exists.
    """
    before = set(sys.modules)
    _stub_tensorflow()
    try:
        return _need("bert.tokenization", 'pip install --no-deps "bert-tensorflow==1.0.4"')
    finally:
        for name in ("tensorflow", "tensorflow.compat", "tensorflow.compat.v1", "absl", "absl.flags"):
            if name not in before:
                sys.modules.pop(name, None)


@lru_cache(maxsize=None)
def reference(dialect: str, vocab: str, lowercase: bool = True, max_chars: int = 0) -> Callable[[str], list[int]]:
    """text -> ids (no special tokens) of the live reference the dialect reproduces.

    `max_chars` (when nonzero) is set on the reference's own WordPiece object.
    """
    path = str(vocab_path(vocab))
    if dialect == "hf-slow":
        transformers = _need("transformers", 'pip install "transformers==4.57.6"')
        tok = transformers.BertTokenizer(vocab_file=path, do_lower_case=lowercase)
        if max_chars:
            tok.wordpiece_tokenizer.max_input_chars_per_word = max_chars
        return lambda text: tok(text, add_special_tokens=False)["input_ids"]
    if dialect == "hf-fast":
        tokenizers = _need("tokenizers", 'pip install "tokenizers==0.22.2"')
        tok = tokenizers.BertWordPieceTokenizer(path, lowercase=lowercase)
        if max_chars:
            tok._tokenizer.model.max_input_chars_per_word = max_chars
        return lambda text: tok.encode(text, add_special_tokens=False).ids
    if dialect == "hf-fast-transformers":
        transformers = _need("transformers", 'pip install "transformers==4.57.6"')
        tok = transformers.BertTokenizerFast(vocab_file=path, do_lower_case=lowercase)
        return lambda text: tok(text, add_special_tokens=False)["input_ids"]
    if dialect == "google":
        tok = google_module().FullTokenizer(vocab_file=path, do_lower_case=lowercase)
        if max_chars:
            tok.wordpiece_tokenizer.max_input_chars_per_word = max_chars
        return lambda text: tok.convert_tokens_to_ids(tok.tokenize(text))
    raise ValueError(dialect)


@lru_cache(maxsize=None)
def reference_with_specials(dialect: str, vocab: str) -> Callable[[str], list[int]]:
    """text -> ids with the reference's own [CLS] ... [SEP]."""
    path = str(vocab_path(vocab))
    if dialect == "hf-slow":
        tok = _need("transformers", "").BertTokenizer(vocab_file=path)
        return lambda text: tok(text)["input_ids"]
    if dialect == "hf-fast":
        tok = _need("tokenizers", "").BertWordPieceTokenizer(path, lowercase=True)
        return lambda text: tok.encode(text).ids
    tok = google_module().FullTokenizer(vocab_file=path, do_lower_case=True)
    return lambda text: tok.convert_tokens_to_ids(["[CLS]"] + tok.tokenize(text) + ["[SEP]"])


def reference_ids(dialect: str, vocab: str, text: str, lowercase: bool = True) -> list[int] | type:
    """The reference's ids, or the exception type it raises (hf-fast refuses lone surrogates)."""
    try:
        return list(reference(dialect, vocab, lowercase)(text))
    except TypeError:
        return TypeError
