"""Named presets: which vocabulary, family and reference behaviour each model family was trained with.

Each row's `source` says where its flags come from. Users pass a preset name to `cpmtok.load`;
options given to `load` override a preset's defaults.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Optional


@dataclass(frozen=True)
class Preset:
    name: str
    family: str  # "bert" (WordPiece) or "cpm" (jieba + SentencePiece)
    vocab: str  # registry name of the vocabulary file
    options: dict[str, Any] = field(default_factory=dict)  # family-specific defaults (dialect, ...)
    source: str = ""  # where the flags come from
    model_max_length: Optional[int] = None  # the model's context (positions): `tok(...)`'s default max_length


PRESETS: dict[str, Preset] = {
    preset.name: preset
    for preset in [
        # BERT rows: dialect = which reference's ids; lowercase = the model's do_lower_case.
        Preset("bert-base-chinese", "bert", "bert-base-chinese", {"dialect": "hf-fast"},
               "Google's bert-base-chinese vocab.txt as AutoTokenizer loads it: BertTokenizerFast, do_lower_case=True "
               "(transformers' default; the hub's tokenizer_config.json sets do_lower_case false for this model: "
               "pass lowercase=False to match that). model_max_length 512: the model's max_position_embeddings",
               model_max_length=512),
        Preset("clue-small", "bert", "clue-small", {"dialect": "hf-fast"},
               "CLUE small vocab.txt (8021) as AutoTokenizer loads a vocab.txt: BertTokenizerFast, do_lower_case=True. "
               "model_max_length 512: the CLUE small models' max_position_embeddings", model_max_length=512),
        Preset("uer-gpt2-chinese", "bert", "bert-base-chinese", {"dialect": "hf-fast", "lowercase": False},
               "uer/gpt2-chinese-cluecorpussmall (and its -distil/-poem/-lyric siblings): tokenizer_config.json has "
               "tokenizer_class BertTokenizer and do_lower_case false; AutoTokenizer gives BertTokenizerFast (hf-fast). "
               "The model card's own example uses BertTokenizer (pure Python): dialect='hf-slow', same lowercase=False. "
               "model_max_length 1024: the models' n_positions", model_max_length=1024),
        Preset("uer-py", "bert", "bert-base-chinese", {"dialect": "google"},
               "dbiir/UER-py uer/utils/tokenizers.py BertTokenizer, the code the uer/gpt2-*-chinese-cluecorpussmall "
               "models were pre-trained with: Google's rules (a [SEP] in text is plain text, 200 characters per "
               "word, private-use characters kept), lower-cased, bert-base-chinese's vocab.txt. model_max_length "
               "1024: those models' n_positions", model_max_length=1024),
        Preset("gpt2-chinese", "bert", "gpt2-chinese", {"dialect": "gpt2-chinese"},
               "Morizeyao/GPT2-Chinese@bbb4465 train.py / generate.py: tokenizations/tokenization_bert.BertTokenizer("
               "vocab_file='cache/vocab.txt') with its defaults (do_lower_case=True), its own copy of transformers "
               "2.1's BertTokenizer (the gpt2-chinese dialect). train.py also turns each newline into ' [SEP] ': "
               "pass newline_to_sep=True to match the ids it trained on. model_max_length 1024: n_ctx of its "
               "config/model_config_small.json", model_max_length=1024),
        Preset("gpt2-chinese-small", "bert", "gpt2-chinese-small", {"dialect": "gpt2-chinese"},
               "the same tokenizer with GPT2-Chinese's cache/vocab_small.txt (13,317 entries), its scripts' other "
               "default vocabulary. model_max_length 1024 as gpt2-chinese", model_max_length=1024),
        Preset("gpt2-ml", "bert", "clue-small", {"dialect": "google"},
               "imcaspar/gpt2-ml: tokenization/tokenization.py is Google's FullTokenizer(do_lower_case=True) "
               "(scripts/*.py, dataset/prepare_data.py), 200 chars per word; configs/mega.json vocab_size 8021, "
               "max_position_embeddings 1024 (model_max_length)", model_max_length=1024),
        Preset("gpt2-quickly", "bert", "clue-small", {"dialect": "hf-slow"},
               "mymusise/gpt2-quickly: train.py and examples use transformers' BertTokenizer (pure Python, "
               "do_lower_case default True) for mymusise/gpt2-medium-chinese, whose vocab.txt is the 35,058-byte CLUE "
               "small vocab (8021). model_max_length 1024: n_positions of configs/train.medium.py", model_max_length=1024),
        Preset("cpm", "cpm", "cpm", {},
               "TsinghuaAI/CPM-Generate: jieba 0.42.1 + bpe_3w_new/chinese_vocab.model (current); model_max_length "
               "1024: its scripts' --seq-length / --max-position-embeddings", model_max_length=1024),
        Preset("cpm-v0", "cpm", "cpm-v0", {"vocab_json": "cpm-vocab-json"},
               "TsinghuaAI/CPM-Generate first commit: v0 model, piece strings through vocab.json (unknown -> 0); "
               "model_max_length 1024 as cpm", model_max_length=1024),
    ]
}
