"""Every BERT preset loads its registered vocabulary and encodes a sentence as its dialect's reference."""

import pytest

import cpmtok
from bert_references import reference
from cpmtok.presets import PRESETS
from cpmtok.vocab import locate
from gpt2_chinese_reference import reference as gpt2_chinese_reference

BERT_PRESETS = sorted(name for name, preset in PRESETS.items() if preset.family == "bert")
SENTENCE = "今天天气不错，GPT-2 模型 [SEP] Naïve 2023年!"


def test_the_eight_bert_presets_exist():
    assert BERT_PRESETS == ["bert-base-chinese", "clue-small", "gpt2-chinese", "gpt2-chinese-small", "gpt2-ml",
                            "gpt2-quickly", "uer-gpt2-chinese", "uer-py"]
    assert all(PRESETS[name].source for name in BERT_PRESETS)


@pytest.mark.parametrize("name", BERT_PRESETS)
def test_preset_encodes_like_its_reference(name):
    tok = cpmtok.load(name)
    preset = PRESETS[name]
    assert tok.family == "bert" and tok.name == name and tok.dialect == preset.options["dialect"]
    assert tok.special_ids == {"[PAD]": 0, "[UNK]": 100, "[CLS]": 101, "[SEP]": 102, "[MASK]": 103}
    assert tok.vocab_size == {"bert-base-chinese": 21128, "clue-small": 8021, "gpt2-chinese": 21128,
                              "gpt2-chinese-small": 13317}[preset.vocab]
    if tok.dialect == "gpt2-chinese":
        want = gpt2_chinese_reference(locate(preset.vocab)).ids(SENTENCE)
    else:
        want = reference(tok.dialect, preset.vocab, tok.lowercase)(SENTENCE)
    enc = tok.encode(SENTENCE)
    assert enc.ids == want
    assert len(enc.tokens) == len(enc.offsets) == len(want)


def test_options_override_the_preset():
    tok = cpmtok.load("gpt2-ml", dialect="hf-fast", lowercase=False, max_chars_per_word=50)
    assert (tok.dialect, tok.lowercase, tok.max_chars_per_word) == ("hf-fast", False, 50)
