"""The live references' DECODE functions, wrapped once for the decode tests.

BERT: transformers 4.57.6 BertTokenizer / BertTokenizerFast `.decode` (their own defaults unless flags
are given) and bert4keras 0.11.5 `Tokenizer.decode` (its Keras backend stubbed, as
../shared/golden/tools/bert_refs.py does). CPM: CPM-Generate's decode, written as its source writes it,
over a live sentencepiece processor (current model; v0 through vocab.json's inverse).
Missing packages are failures with a clear message, never skips.
"""

from __future__ import annotations

import json
import sys
import types
from functools import lru_cache
from typing import Callable, Sequence

from bert_references import _need, vocab_path


@lru_cache(maxsize=None)
def hf_decoder(kind: str, vocab: str):
    """transformers' BertTokenizer ("hf-slow") or BertTokenizerFast ("hf-fast") over a registered vocab.txt."""
    transformers = _need("transformers", 'pip install "transformers==4.57.6"')
    cls = transformers.BertTokenizer if kind == "hf-slow" else transformers.BertTokenizerFast
    return cls(vocab_file=str(vocab_path(vocab)), do_lower_case=True)


@lru_cache(maxsize=None)
def bert4keras_tokenizer(vocab: str):
    if "bert4keras.backend" not in sys.modules:
        backend = types.ModuleType("bert4keras.backend")
        backend.K = backend.keras = backend.tf = None
        sys.modules["bert4keras.backend"] = backend
    tokenizers = _need("bert4keras.tokenizers", 'pip install --no-deps "bert4keras==0.11.5"')
    return tokenizers.Tokenizer(str(vocab_path(vocab)), do_lower_case=True)


@lru_cache(maxsize=None)
def cpm_generate_decoder(preset: str) -> Callable[[Sequence[int]], str]:
    """CPM-Generate's `decode`: sp.decode(ids) (v0: vocab.json's pieces), drop spaces, ▂ -> ' ', ▃ -> '\\n'."""
    from cpmtok.vocab import locate

    spm = _need("sentencepiece", "pip install sentencepiece")
    sp = spm.SentencePieceProcessor(model_file=str(locate(preset)))

    def post(text: str) -> str:
        return text.replace(" ", "").replace("\u2582", " ").replace("\u2583", "\n")

    if preset == "cpm":
        return lambda ids: post(sp.decode(list(ids)))
    with open(locate("cpm-vocab-json"), encoding="utf-8") as f:
        decoder = {index: piece for piece, index in json.load(f).items()}
    return lambda ids: post(sp.decode_pieces([decoder.get(i, "<unk>") for i in ids]))
