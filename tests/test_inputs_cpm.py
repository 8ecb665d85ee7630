"""`tok(texts, ...)` for CPM: transformers' conventions (checked by transformers' own machinery over cpmtok's ids),
<pad>/<eod>, left padding by default, offsets inside the mask; left-padded greedy generation with the NumPy
GPT-2 equals unpadded generation per row, and transformers' GPT2LMHeadModel with the same mask."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch
from hypothesis import HealthCheck, given, settings, strategies as st

import cpmtok
from budget import examples
from cpm_strategies import cpm_texts
from cpmtok.gpt2 import generate, load_model
from gpt2_tiny import save, tiny_model
from inputs_reference import assert_same, echo, ids_reference, outcome
from test_inputs import options, without_offsets

SETTINGS = dict(deadline=None, suppress_health_check=list(HealthCheck))
batches = st.one_of(cpm_texts, st.lists(cpm_texts, min_size=1, max_size=4))


@pytest.fixture(scope="module")
def cpm():
    return cpmtok.load("cpm")


@pytest.mark.parametrize("preset", ["cpm", "cpm-v0"])
def test_cpm_batches_follow_transformers_rules(preset):
    tok, ref = cpmtok.load(preset), ids_reference(preset)

    @settings(max_examples=examples(300, 60), **SETTINGS)
    @given(batches, options)
    def run(batch, kw):
        kw = {"add_special_tokens": False, **kw}
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ours, theirs = outcome(tok, batch, **kw), outcome(ref, echo(tok, batch), **kw)
        assert_same(without_offsets(ours), without_offsets(theirs), (batch, kw))

    run()


def test_cpm_offsets_are_each_ids_span_inside_the_mask(cpm):
    """Through transformers' windows over the echoed ids: the k-th echoed word is the k-th id of its text."""
    ref = ids_reference("cpm")

    @settings(max_examples=examples(300, 60), **SETTINGS)
    @given(st.lists(cpm_texts, min_size=1, max_size=4), st.integers(3, 12), st.integers(0, 1), st.booleans())
    def run(batch, max_length, stride, special):
        kw = dict(truncation=True, max_length=max_length, stride=stride, return_overflowing_tokens=True,
                  padding=True, add_special_tokens=special, return_offsets_mapping=True)
        ours, theirs = cpm(batch, **kw), ref(echo(cpm, batch), **kw)
        spans = [[(0, 0) if s is None else s for s in cpm.encode(text).offsets] for text in batch]
        for row, sample in enumerate(theirs["overflow_to_sample_mapping"]):
            index_at = {}  # start of each echoed word -> the index of its id in the text's ids
            start = 0
            for index, echoed in enumerate(echo(cpm, batch[sample]).split(" ")):
                index_at[start] = index
                start += len(echoed) + 1
            expected = [(0, 0) if span == (0, 0) else spans[sample][index_at[span[0]]]  # (0, 0): special or pad
                        for span in theirs["offset_mapping"][row]]
            assert ours["offset_mapping"][row] == expected

    run()


def test_cpm_conventions(cpm):
    out = cpm(["今天天气不错", "短"], padding=True, add_special_tokens=True, return_tensors="np")
    assert list(out) == ["input_ids", "attention_mask"]
    assert cpm.padding_side == "left" and cpm.pad_token_id == 5 and cpm.eos_token_id == 7
    for row, text in zip(range(2), ["今天天气不错", "短"]):
        mask = out["attention_mask"][row].astype(bool)
        assert out["input_ids"][row][mask].tolist() == cpm.encode(text, add_special_tokens=True).ids
        assert set(out["input_ids"][row][~mask].tolist()) <= {5}
        assert mask[-1] and np.all(np.diff(mask.astype(int)) >= 0)  # left padding
    right = cpm(["今天天气不错", "短"], padding=True, padding_side="right", return_tensors="np")
    assert right["attention_mask"][1].tolist()[0] == 1 and right["input_ids"][1][-1] == 5


@pytest.fixture(scope="module")
def cpm_sized_model(tmp_path_factory):
    model = tiny_model(seed=5, vocab_size=30000, n_positions=128)
    return model, load_model(save(model, tmp_path_factory.mktemp("cpm-tiny"), safetensors=True))


PROMPTS = ["今天天气不错，我们", "北京", "《三体》是刘慈欣创作的长篇科幻小说，", "你好"]


def test_left_padded_generation_equals_each_row_alone(cpm, cpm_sized_model):
    _, (config, params) = cpm_sized_model
    batch = cpm(PROMPTS, padding=True, return_tensors="np")
    assert batch["attention_mask"][:, 0].tolist() == [0, 0, 1, 0]  # left padding: the longest row starts at 0
    together = generate(params, config, batch["input_ids"], attention_mask=batch["attention_mask"],
                        pad_id=cpm.pad_token_id, max_new_tokens=24)
    alone = [generate(params, config, [cpm.encode_ids(text)], max_new_tokens=24)[0] for text in PROMPTS]
    assert together == alone
    assert len(set(alone[0])) > 3, "the test model should not just repeat one token"


def test_left_padded_generation_equals_transformers_with_the_same_mask(cpm, cpm_sized_model):
    model, (config, params) = cpm_sized_model
    batch = cpm(PROMPTS, padding=True, return_tensors="np")
    with torch.no_grad():
        out = model.generate(torch.from_numpy(batch["input_ids"]), attention_mask=torch.from_numpy(
            batch["attention_mask"]), pad_token_id=cpm.pad_token_id, do_sample=False, max_new_tokens=24)
    width = batch["input_ids"].shape[1]
    assert generate(params, config, batch["input_ids"], attention_mask=batch["attention_mask"],
                    pad_id=cpm.pad_token_id, max_new_tokens=24) == out[:, width:].tolist()


def test_generation_refuses_right_padding(cpm, cpm_sized_model):
    _, (config, params) = cpm_sized_model
    batch = cpm(PROMPTS, padding=True, padding_side="right", return_tensors="np")
    with pytest.raises(ValueError, match="padding_side='left'"):
        generate(params, config, batch["input_ids"], attention_mask=batch["attention_mask"], max_new_tokens=2)
