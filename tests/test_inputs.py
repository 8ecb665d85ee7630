"""`tok(texts, ...)` equals transformers 4.57.6 BertTokenizerFast key by key for the hf-fast BERT presets
(hypothesis over texts and every option), with its warnings and errors; windows and plans by hand."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import transformers
from hypothesis import HealthCheck, given, settings, strategies as st

import cpmtok
from bert_references import vocab_path
from bert_strategies import texts
from budget import examples
from cpmtok.errors import BatchOptionWarning, InvalidOption
from cpmtok.inputs import windows
from inputs_reference import assert_same, hf_fast, outcome

PRESETS = ("bert-base-chinese", "clue-small", "uer-gpt2-chinese")
SETTINGS = dict(deadline=None, suppress_health_check=list(HealthCheck))

options = st.fixed_dictionaries({}, optional={
    "add_special_tokens": st.booleans(),
    "padding": st.sampled_from([False, True, "longest", "max_length", "do_not_pad"]),
    "truncation": st.sampled_from([None, False, True]),
    "max_length": st.one_of(st.none(), st.integers(0, 40)),
    "stride": st.integers(0, 12),
    "return_overflowing_tokens": st.booleans(),
    "pad_to_multiple_of": st.one_of(st.none(), st.integers(1, 9)),
    "padding_side": st.sampled_from(["right", "left"]),
    "return_attention_mask": st.booleans(),
    "return_token_type_ids": st.sampled_from([None, True, False]),
    "return_offsets_mapping": st.booleans(),
    "return_tensors": st.sampled_from([None, "np"]),
})
batches = st.one_of(texts, st.lists(texts, min_size=1, max_size=5))


def reordered_marks(tok, batch) -> bool:
    """Known difference: where NFD reorders combining marks (tables.reorder), cpmtok gives every character of
    the run the run's span; tokenizers aligns them by position and drops stripped marks' spans. Ids agree."""
    return any(ord(c) in tok.tables.reorder for text in ([batch] if isinstance(batch, str) else batch)
               for c in text)


def without_offsets(result):
    return result if isinstance(result, type) else {k: v for k, v in result.items() if k != "offset_mapping"}


def with_transformers_defaults(kw: dict) -> dict:
    """transformers' defaults where cpmtok's differ: add_special_tokens (False here, True there)."""
    return {"add_special_tokens": False, **kw}


@pytest.mark.parametrize("preset", PRESETS)
def test_call_equals_bert_tokenizer_fast(preset):
    tok, ref = cpmtok.load(preset), hf_fast(preset)

    @settings(max_examples=examples(600, 100), **SETTINGS)
    @given(batches, options)
    def run(batch, kw):
        kw = with_transformers_defaults(kw)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ours, theirs = outcome(tok, batch, **kw), outcome(ref, batch, **kw)
        if reordered_marks(tok, batch):
            ours, theirs = without_offsets(ours), without_offsets(theirs)
        assert_same(ours, theirs, (batch, kw))

    run()


@pytest.mark.parametrize("kw", [
    dict(padding="longest", return_tensors="np"),
    dict(padding="max_length", max_length=16, truncation=True, return_tensors="np"),
    dict(padding=True, pad_to_multiple_of=8, padding_side="left", return_offsets_mapping=True, return_tensors="np"),
    dict(truncation=True, max_length=6, stride=2, return_overflowing_tokens=True, padding=True, return_tensors="np"),
    dict(truncation=True, max_length=6, stride=2, return_overflowing_tokens=True),
    dict(return_offsets_mapping=True, return_tensors="np"),  # ragged: object arrays, as transformers
    dict(return_tensors="np"),
    dict(truncation=True, max_length=2, return_overflowing_tokens=True, padding=True, return_tensors="np"),
    dict(truncation=True, max_length=1, padding="max_length"),  # shorter than [CLS] [SEP]: no truncation
], ids=lambda kw: ",".join(f"{k}={v}" for k, v in kw.items()))
@pytest.mark.parametrize("special", [True, False])
def test_call_cases(kw, special):
    tok, ref = cpmtok.load("bert-base-chinese"), hf_fast("bert-base-chinese")
    batch = ["今天天气不错 hello world", "短", "", "[SEP] Ünïcödé ｆｕｌｌ ｗｉｄｔｈ 123456789 " * 3]
    kw = dict(kw, add_special_tokens=special)
    assert_same(outcome(tok, batch, **kw), outcome(ref, batch, **kw), kw)
    assert_same(outcome(tok, batch[0], **kw), outcome(ref, batch[0], **kw), kw)


def test_default_add_special_tokens_is_false_unlike_transformers():
    tok, ref = cpmtok.load("bert-base-chinese"), hf_fast("bert-base-chinese")
    assert tok("你好")["input_ids"] == ref("你好", add_special_tokens=False)["input_ids"] == [872, 1962]
    assert tok("你好", add_special_tokens=True)["input_ids"] == ref("你好")["input_ids"]


@pytest.mark.parametrize("kw, message", [
    (dict(max_length=3), "max_length without truncation=True truncates"),
    (dict(padding=True, max_length=3), "max_length is ignored"),
])
def test_warnings_where_transformers_warns(kw, message):
    tok, ref = cpmtok.load("bert-base-chinese"), hf_fast("bert-base-chinese")
    with pytest.warns(BatchOptionWarning, match=message):
        ours = outcome(tok, ["一二三四五", "六"], **kw)
    assert_same(ours, outcome(ref, ["一二三四五", "六"], **with_transformers_defaults(kw)))


@pytest.mark.parametrize("kw, message", [(dict(padding="max_length"), "no padding"),
                                         (dict(truncation=True), "no truncation")])
def test_no_model_max_length_warns_and_does_nothing_as_transformers(kw, message):
    tok = cpmtok.load("bert-base-chinese")
    tok.model_max_length = None
    ref = transformers.BertTokenizerFast(vocab_file=str(vocab_path("bert-base-chinese")))  # no model_max_length
    with pytest.warns(BatchOptionWarning, match=message):
        ours = outcome(tok, ["一二三四五", "六"], **kw)
    assert_same(ours, outcome(ref, ["一二三四五", "六"], add_special_tokens=False, **kw))


def test_model_max_length_is_the_default_length():
    tok = cpmtok.load("bert-base-chinese")
    assert tok.model_max_length == 512
    out = tok(["一" * 600, "二"], padding="max_length", truncation=True, return_tensors="np")
    assert out["input_ids"].shape == (2, 512)
    assert cpmtok.load("cpm").model_max_length == cpmtok.load("uer-gpt2-chinese").model_max_length == 1024


@pytest.mark.parametrize("kw", [
    dict(padding="middle"), dict(padding_side="center", padding=True), dict(max_length=-1, truncation=True),
    dict(stride=-1), dict(truncation=True, max_length=4, stride=2, add_special_tokens=True),
    dict(padding=True, truncation=True, max_length=7, pad_to_multiple_of=4), dict(return_tensors="pt"),
    dict(truncation="only_second"),
])
def test_rejected_options_are_typed_errors(kw):
    tok = cpmtok.load("bert-base-chinese")
    with pytest.raises(InvalidOption):
        tok(["一二三四五六七八", "六"], **kw)


def test_empty_batch_gives_empty_keys():
    """transformers raises IndexError here; cpmtok answers with nothing."""
    tok = cpmtok.load("bert-base-chinese")
    assert tok([]) == {"input_ids": [], "token_type_ids": [], "attention_mask": []}
    assert tok([], padding=True, return_tensors="np")["input_ids"].shape == (0, 0)


def test_non_text_input_is_a_type_error():
    tok = cpmtok.load("bert-base-chinese")
    with pytest.raises(TypeError):
        tok([1, 2])
    with pytest.raises(TypeError):
        tok(iter(["a"]))


@pytest.mark.parametrize("length, budget, stride, expected", [
    (10, 4, 1, [(0, 4), (3, 7), (6, 10)]),
    (10, 4, 0, [(0, 4), (4, 8), (8, 10)]),
    (4, 4, 3, [(0, 4)]),
    (5, 0, 0, [(0, 0), (0, 5)]),
    (0, 0, 0, [(0, 0)]),
    (7, 3, 2, [(0, 3), (1, 4), (2, 5), (3, 6), (4, 7)]),
])
def test_windows_cut_as_tokenizers(length, budget, stride, expected):
    assert windows(length, budget, stride) == expected


def test_windows_stride_not_below_budget_is_invalid():
    with pytest.raises(InvalidOption, match="stride=4"):
        windows(10, 4, 4)


def test_decode_batch_and_get_vocab():
    tok = cpmtok.load("bert-base-chinese")
    out = tok(["今天天气", "你好"], padding=True, add_special_tokens=True, return_tensors="np")
    assert tok.decode_batch(out["input_ids"]) == ["今天天气", "你好"]
    assert tok.decode_batch([[791, 1921]]) == ["今天"]
    vocab = tok.get_vocab()
    # the hf-fast dialect reads vocab.txt as BertTokenizerFast(vocab_file=...) does: through the slow class, lines
    # 344 and 13503 are "\u2028" and "##\u2028" (tokenizers' own reader trims them)
    assert vocab == transformers.BertTokenizerFast(vocab_file=str(vocab_path("bert-base-chinese"))).get_vocab()
    vocab["[PAD]"] = 5
    assert tok.get_vocab()["[PAD]"] == 0  # a copy


def test_special_ids_properties():
    bert, cpm = cpmtok.load("bert-base-chinese"), cpmtok.load("cpm")
    assert (bert.pad_token_id, bert.eos_token_id, bert.unk_token_id) == (0, 102, 100)
    assert (cpm.pad_token_id, cpm.eos_token_id, cpm.unk_token_id) == (5, 7, 0)
    assert np.array_equal(bert("你", add_special_tokens=True, return_tensors="np")["input_ids"], [[101, 872, 102]])


def test_settings_travel_with_a_pickle():
    """datasets.map and workers rebuild the tokenizer from its recipe; what was set after load comes along."""
    import pickle

    tok = cpmtok.load("cpm")
    tok.padding_side, tok.model_max_length = "right", 64
    again = pickle.loads(pickle.dumps(tok))
    assert (again.padding_side, again.model_max_length) == ("right", 64)
    assert again(["你好", "今天天气不错"], padding=True)["attention_mask"][0][0] == 1
