"""Generation: greedy equals transformers' generate token for token; cache and no-cache agree; seeds reproduce."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from hypothesis import given, settings, strategies as st
from transformers import (LogitsProcessorList, RepetitionPenaltyLogitsProcessor, SuppressTokensLogitsProcessor,
                          TemperatureLogitsWarper, TopKLogitsWarper, TopPLogitsWarper)

from budget import examples
from gpt2_tiny import save, tiny_model

from cpmtok.gpt2 import Sampling, generate, load_model
from cpmtok.gpt2.generate import process_scores

PROMPTS = [[5, 17, 33, 2, 9, 64, 8], [40, 41], [7, 7, 7, 90, 12]]


@pytest.fixture(scope="module")
def model():
    return tiny_model(seed=11, n_layer=3, n_embd=48, n_head=6, vocab_size=150)


@pytest.fixture(scope="module")
def loaded(model, tmp_path_factory):
    return load_model(save(model, tmp_path_factory.mktemp("gen"), safetensors=True))


def hf_generate(model, prompts, *, pad_id=0, eos=None, **options) -> list[list[int]]:
    """transformers' generate over the left-padded prompts; each row's new ids, cut after its first eos."""
    width = max(map(len, prompts))
    ids = torch.tensor([[pad_id] * (width - len(p)) + p for p in prompts])
    mask = torch.tensor([[0] * (width - len(p)) + [1] * len(p) for p in prompts])
    with torch.no_grad():
        out = model.generate(ids, attention_mask=mask, pad_token_id=pad_id, eos_token_id=eos, **options)
    rows = []
    for row in out[:, width:].tolist():
        if eos is not None and eos in row:
            row = row[:row.index(eos) + 1]
        rows.append(row)
    return rows


@pytest.mark.parametrize("prompts", [PROMPTS[:1], PROMPTS], ids=["single", "left-padded-batch"])
def test_greedy_32_tokens_equal_transformers(model, loaded, prompts):
    config, params = loaded
    expected = hf_generate(model, prompts, do_sample=False, max_new_tokens=32)
    assert generate(params, config, prompts, max_new_tokens=32) == expected
    assert len(set(expected[0])) > 3, "the test model should not just repeat one token"


def test_greedy_with_repetition_penalty_stop_id_and_suppression_equal_transformers(model, loaded):
    config, params = loaded
    first = generate(params, config, PROMPTS[:1], max_new_tokens=32)[0]
    stop, suppressed = first[20], [first[3], first[4]]
    expected = hf_generate(model, PROMPTS[:1], eos=stop, do_sample=False, max_new_tokens=32,
                           repetition_penalty=1.3, suppress_tokens=suppressed)
    got = generate(params, config, PROMPTS[:1], max_new_tokens=32, stop_ids=[stop], suppress_ids=suppressed,
                   sampling=Sampling(repetition_penalty=1.3))
    assert got == expected
    assert not set(suppressed) & set(got[0])


def test_stop_id_ends_each_row_as_transformers_does(model, loaded):
    config, params = loaded
    rows = generate(params, config, PROMPTS, max_new_tokens=32)
    stop = rows[1][5]
    got = generate(params, config, PROMPTS, max_new_tokens=32, stop_ids=[stop])
    assert got == hf_generate(model, PROMPTS, eos=stop, do_sample=False, max_new_tokens=32)
    assert got[1][-1] == stop and len(got[1]) == 6


@pytest.mark.parametrize("sampling", [
    Sampling(),
    Sampling(repetition_penalty=1.5),
    Sampling(do_sample=True, seed=3),
    Sampling(do_sample=True, seed=4, temperature=0.7, top_k=10, top_p=0.9, repetition_penalty=1.2),
], ids=["greedy", "greedy-penalty", "sample", "sample-all"])
def test_kv_cache_and_no_cache_give_identical_tokens(loaded, sampling):
    config, params = loaded
    with_cache = generate(params, config, PROMPTS, max_new_tokens=24, sampling=sampling)
    without = generate(params, config, PROMPTS, max_new_tokens=24, sampling=sampling, use_cache=False)
    assert with_cache == without


def test_seeded_sampling_is_reproducible(loaded):
    config, params = loaded

    def run(seed):
        return generate(params, config, PROMPTS, max_new_tokens=20,
                        sampling=Sampling(do_sample=True, seed=seed, top_p=0.95, temperature=1.3))

    assert run(7) == run(7)
    assert run(7) != run(8)


def test_float16_generation_runs_with_a_cache(tmp_path, model):
    config, params = load_model(save(model, tmp_path, safetensors=True), dtype=np.float16)
    rows = generate(params, config, PROMPTS, max_new_tokens=8)
    assert [len(row) for row in rows] == [8, 8, 8]


@settings(max_examples=examples(200, 50), deadline=None)
@given(seed=st.integers(0, 2**16), penalty=st.sampled_from([1.0, 0.7, 1.3]), temperature=st.floats(0.3, 2.0),
       top_k=st.integers(0, 40), top_p=st.sampled_from([1.0, 0.95, 0.5, 0.1]), suppress=st.lists(st.integers(0, 49)))
def test_score_processing_equals_transformers_processors(seed, penalty, temperature, top_k, top_p, suppress):
    rng = np.random.default_rng(seed)
    scores = (rng.standard_normal((3, 50)) * 3).astype(np.float32)
    history = rng.integers(0, 50, (3, 6))
    seen = np.zeros((3, 50), bool)
    np.put_along_axis(seen, history, True, axis=1)
    processors = LogitsProcessorList(
        ([RepetitionPenaltyLogitsProcessor(penalty)] if penalty != 1.0 else [])
        + ([SuppressTokensLogitsProcessor(suppress)] if suppress else [])
        + [TemperatureLogitsWarper(temperature)]
        + ([TopKLogitsWarper(top_k)] if top_k else [])
        + ([TopPLogitsWarper(top_p)] if top_p < 1 else []))
    expected = processors(torch.tensor(history), torch.tensor(scores)).numpy()
    got = process_scores(scores.copy(), seen, np.array(suppress, np.int64),
                         Sampling(do_sample=True, temperature=temperature, top_k=top_k, top_p=top_p,
                                  repetition_penalty=penalty))
    np.testing.assert_array_equal(np.isinf(got), np.isinf(expected))
    finite = np.isfinite(expected)
    np.testing.assert_allclose(got[finite], expected[finite], rtol=1e-6)


def test_prompt_too_long_is_refused(loaded):
    config, params = loaded
    with pytest.raises(ValueError, match="n_positions"):
        generate(params, config, [[1] * config.n_positions], max_new_tokens=1)
