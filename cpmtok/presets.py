"""Named presets: which vocabulary, family and reference behaviour each model family was trained with.

Each row's `source` says where its flags come from. Users pass a preset name to `cpmtok.load`;
options given to `load` override a preset's defaults.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Preset:
    name: str
    family: str  # "bert" (WordPiece) or "cpm" (jieba + SentencePiece)
    vocab: str  # registry name of the vocabulary file
    options: dict[str, Any] = field(default_factory=dict)  # family-specific defaults (dialect, ...)
    source: str = ""  # where the flags come from


PRESETS: dict[str, Preset] = {
    preset.name: preset
    for preset in [
        Preset("bert-base-chinese", "bert", "bert-base-chinese", {"dialect": "hf-fast"},
               "Google's bert-base-chinese vocab.txt as AutoTokenizer loads it (BertTokenizerFast, do_lower_case=True)"),
        Preset("clue-small", "bert", "clue-small", {"dialect": "hf-fast"},
               "CLUE small vocab.txt as AutoTokenizer loads it (BertTokenizerFast, do_lower_case=True)"),
        Preset("uer-gpt2-chinese", "bert", "bert-base-chinese", {"dialect": "hf-fast"},
               "uer/gpt2-chinese-cluecorpussmall on the HF hub: config tokenizer_class BertTokenizer, loaded by AutoTokenizer (fast)"),
        Preset("gpt2-chinese", "bert", "bert-base-chinese", {"dialect": "hf-slow"},
               "Morizeyao/GPT2-Chinese: tokenizations/tokenization_bert.py, a copy of HF's slow BertTokenizer, do_lower_case=True"),
        Preset("gpt2-ml", "bert", "clue-small", {"dialect": "google"},
               "imcaspar/gpt2-ml: tokenization/tokenization.py is Google's FullTokenizer, do_lower_case=True, 200 chars per word"),
        Preset("gpt2-quickly", "bert", "clue-small", {"dialect": "hf-fast"},
               "mymusise/gpt2-quickly: transformers BertTokenizerFast over the CLUE small vocab"),
        Preset("cpm", "cpm", "cpm", {},
               "TsinghuaAI/CPM-Generate: jieba 0.42.1 + bpe_3w_new/chinese_vocab.model (current)"),
        Preset("cpm-v0", "cpm", "cpm-v0", {"vocab_json": "cpm-vocab-json"},
               "TsinghuaAI/CPM-Generate first commit: v0 model, piece strings through vocab.json (unknown -> 0)"),
    ]
}
