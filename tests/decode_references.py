"""The live references' DECODE functions, wrapped once for the decode tests.

BERT: transformers 4.57.6 BertTokenizer / BertTokenizerFast `.decode` (their own defaults unless flags
are given) and bert4keras 0.11.5 `Tokenizer.decode` (its Keras backend stubbed, as
../shared/golden/tools/bert_refs.py does). CPM: CPM-Generate's decode, written as its source writes it,
over a live sentencepiece processor (current model; v0 as its first release: vocab.json's inverse with
id 7 set to "\u2584", which becomes "<eod>" after decoding).
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
    decoder[7] = "\u2584"
    return lambda ids: post(sp.decode([decoder[i] for i in ids])).replace("\u2584", "<eod>")


# --- each system's own decode (tests/test_decode_systems.py) -------------------------------------------
# Live where the system's code runs here (transformers, bert4keras, Google's tokenization.py, GPT2-Chinese's
# load_vocab, sentencepiece); the rest is the system's rule written as its source writes it.

def gpt2_ml_decoder(vocab: str) -> Callable[[Sequence[int]], str]:
    """gpt2-ml scripts/demo.py: ''.join of Google's FullTokenizer tokens, "[UNK]" and "##" removed."""
    from bert_references import google_module

    full = google_module().FullTokenizer(vocab_file=str(vocab_path(vocab)), do_lower_case=True)
    return lambda ids: "".join(full.convert_ids_to_tokens(ids)).replace("[UNK]", "").replace("##", "")


def uer_decoder(vocab: str) -> Callable[[Sequence[int]], str]:
    """UER-py scripts/generate_lm.py: ''.join(convert_ids_to_tokens(ids)) over uer/utils/vocab.py's reading."""
    i2w = []
    with open(vocab_path(vocab), mode="r", encoding="utf-8") as reader:
        for line in reader:
            i2w.append(line.strip("\r\n").split()[0] if line.strip() else line.strip("\r\n"))
    return lambda ids: "".join(i2w[i] for i in ids)


def gpt2_chinese_decoder(vocab: str) -> Callable[[Sequence[int]], str]:
    """GPT2-Chinese generate.py over its tokenizer's ids_to_tokens (its own load_vocab, run live)."""
    from cpmtok.vocab import locate
    from gpt2_chinese_reference import character_module

    ids_to_tokens = {i: t for t, i in character_module().load_vocab(str(locate(vocab))).items()}

    def is_word(word):
        for item in list(word):
            if item not in "qwertyuiopasdfghjklzxcvbnm":
                return False
        return True

    def decode(ids):
        text = [ids_to_tokens.get(i, "[UNK]") for i in ids]
        for i, item in enumerate(text[:-1]):
            if is_word(item) and is_word(text[i + 1]):
                text[i] = item + " "
        for i, item in enumerate(text):
            if item == "[MASK]":
                text[i] = ""
            elif item == "[CLS]":
                text[i] = "\n\n"
            elif item == "[SEP]":
                text[i] = "\n"
        return "".join(text).replace("##", "").strip()

    return decode


def gpt2_quickly_decoder(vocab: str) -> Callable[[Sequence[int]], str]:
    """gpt2-quickly's TextGenerationPipeline: BertTokenizer.decode(ids, skip_special_tokens=True)."""
    slow = hf_decoder("hf-slow", vocab)
    return lambda ids: slow.decode(ids, skip_special_tokens=True)


def cpm_bert4keras_decoder(preset: str) -> Callable[[Sequence[int]], str]:
    """bert4keras' CPM example: SpTokenizer(token_translate={'▃': '<cls>'}).decode(ids), then post_replace."""
    from cpmtok.vocab import locate

    bert4keras_tokenizer("clue-small")  # stubs bert4keras.backend
    tokenizers = _need("bert4keras.tokenizers", 'pip install --no-deps "bert4keras==0.11.5"')
    sp = tokenizers.SpTokenizer(str(locate(preset)), token_start=None, token_end=None,
                                token_translate={"\u2583": "<cls>"})

    def post_replace(text):
        for s, t in [(" ", ""), ("\u2582", " "), ("\u2583", "\n")]:
            text = text.replace(s, t)
        return text

    return lambda ids: post_replace(sp.decode(ids))
