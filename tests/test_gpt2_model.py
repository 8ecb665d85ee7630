"""The NumPy GPT-2 forward against transformers' GPT2LMHeadModel, and the fast path against its oracle."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from hypothesis import HealthCheck, given, settings, strategies as st

from budget import examples
from gpt2_tiny import save, tiny_model

from cpmtok.gpt2 import KVCache, forward, load_model, position_ids_from_mask, reference_forward


def padded_batch(rng: np.random.Generator, vocab: int, lengths: list[int], width: int, left: bool):
    """ids [B, width] with each row's real tokens on the left or right, and its attention mask."""
    ids = rng.integers(1, vocab, (len(lengths), width))
    mask = np.zeros((len(lengths), width), np.int64)
    for row, length in enumerate(lengths):
        if left:
            mask[row, width - length:] = 1
        else:
            mask[row, :length] = 1
    ids[mask == 0] = 0
    return ids, mask


def hf_logits(model, ids, mask, position_ids=None) -> np.ndarray:
    with torch.no_grad():
        out = model(torch.tensor(ids), attention_mask=torch.tensor(mask),
                    position_ids=None if position_ids is None else torch.tensor(position_ids))
    return out.logits.float().numpy() if out.logits.dtype == torch.float16 else out.logits.numpy()


@pytest.fixture(scope="module")
def model():
    return tiny_model(seed=1)


@pytest.fixture(scope="module", params=["safetensors", "bin"])
def model_dir(request, model, tmp_path_factory):
    return save(model, tmp_path_factory.mktemp(request.param), safetensors=request.param == "safetensors")


@pytest.mark.parametrize("left", [True, False], ids=["left-padded", "right-padded"])
@pytest.mark.parametrize("generate_positions", [False, True], ids=["forward-positions", "generate-positions"])
def test_float32_logits_equal_transformers(model, model_dir, left, generate_positions):
    config, params = load_model(model_dir)
    ids, mask = padded_batch(np.random.default_rng(2), config.vocab_size, [17, 5, 1, 12], 17, left)
    positions = position_ids_from_mask(mask) if generate_positions else None
    expected = hf_logits(model, ids, mask, positions)
    got = forward(params, config, ids, attention_mask=mask, position_ids=positions)
    real = mask.astype(bool)
    assert got.dtype == np.float32
    np.testing.assert_allclose(got[real], expected[real], rtol=0, atol=1e-4)
    np.testing.assert_allclose(reference_forward(params, config, ids, mask, positions)[real], expected[real],
                               rtol=0, atol=1e-4)


@pytest.mark.parametrize("left", [True, False], ids=["left-padded", "right-padded"])
def test_float64_logits_equal_transformers(model, model_dir, left):
    config, params = load_model(model_dir, dtype=np.float64)
    double = tiny_model(seed=1).double()
    ids, mask = padded_batch(np.random.default_rng(3), config.vocab_size, [9, 16, 3], 16, left)
    expected = hf_logits(double, ids, mask)
    got = forward(params, config, ids, attention_mask=mask)
    real = mask.astype(bool)
    np.testing.assert_allclose(got[real], expected[real], rtol=0, atol=1e-9)


@pytest.mark.parametrize("left", [True, False], ids=["left-padded", "right-padded"])
def test_float16_is_finite_and_close(model, model_dir, left):
    config, params = load_model(model_dir, dtype=np.float16)
    ids, mask = padded_batch(np.random.default_rng(4), config.vocab_size, [20, 2, 11], 20, left)
    expected = hf_logits(model, ids, mask)
    got = forward(params, config, ids, attention_mask=mask)
    assert got.dtype == np.float16
    assert np.isfinite(got).all(), "float16 logits must be finite, also at padding positions"
    real = mask.astype(bool)
    np.testing.assert_allclose(got[real].astype(np.float32), expected[real], rtol=0, atol=2e-2)


def test_kv_cache_steps_equal_one_full_forward(model_dir):
    """Feeding a left-padded batch in three chunks through the cache gives the full forward's logits."""
    config, params = load_model(model_dir, dtype=np.float64)
    ids, mask = padded_batch(np.random.default_rng(5), config.vocab_size, [14, 6], 14, left=True)
    positions = position_ids_from_mask(mask)
    full = forward(params, config, ids, attention_mask=mask, position_ids=positions)
    cache = KVCache.empty(config, batch=2, capacity=20, dtype=np.float64)
    chunks = [forward(params, config, ids[:, a:b], attention_mask=mask[:, a:b], position_ids=positions[:, a:b],
                      cache=cache) for a, b in [(0, 8), (8, 13), (13, 14)]]
    real = mask.astype(bool)
    np.testing.assert_allclose(np.concatenate(chunks, axis=1)[real], full[real], rtol=0, atol=1e-12)
    last = forward(params, config, ids, attention_mask=mask, position_ids=positions, last_only=True)
    np.testing.assert_allclose(last[:, 0], full[:, -1], rtol=0, atol=1e-12)


@pytest.mark.parametrize("activation", ["gelu", "relu", "gelu_pytorch_tanh"])
def test_other_activations(activation, tmp_path):
    hf = tiny_model(seed=6, activation_function=activation, n_inner=48)
    config, params = load_model(save(hf, tmp_path, safetensors=True), dtype=np.float64)
    hf = hf.double()
    ids, mask = padded_batch(np.random.default_rng(6), config.vocab_size, [7, 10], 10, left=True)
    real = mask.astype(bool)
    np.testing.assert_allclose(forward(params, config, ids, attention_mask=mask)[real],
                               hf_logits(hf, ids, mask)[real], rtol=0, atol=1e-9)


def test_out_of_range_ids_and_positions_are_refused(model_dir):
    config, params = load_model(model_dir)
    with pytest.raises(ValueError, match="ids must be in"):
        forward(params, config, np.array([[config.vocab_size]]))
    with pytest.raises(ValueError, match="n_positions"):
        forward(params, config, np.zeros((1, config.n_positions + 1), np.int64))


@settings(max_examples=examples(40, 12), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(heads=st.integers(1, 4), head_dim=st.sampled_from([2, 4, 8]), layers=st.integers(1, 3),
       vocab=st.integers(2, 80), lengths=st.lists(st.integers(1, 12), min_size=1, max_size=4),
       left=st.booleans(), seed=st.integers(0, 2**16))
def test_random_shapes_and_inputs_equal_transformers(tmp_path_factory, heads, head_dim, layers, vocab, lengths,
                                                     left, seed):
    hf = tiny_model(seed=seed, n_embd=heads * head_dim, n_head=heads, n_layer=layers, vocab_size=vocab,
                    n_positions=16, initializer_range=0.02 + (seed % 5) * 0.1)
    directory = save(hf, tmp_path_factory.mktemp("shape"), safetensors=bool(seed % 2))
    config, params = load_model(directory)
    ids, mask = padded_batch(np.random.default_rng(seed), vocab, lengths, max(lengths), left)
    real = mask.astype(bool)
    np.testing.assert_allclose(forward(params, config, ids, attention_mask=mask)[real],
                               hf_logits(hf, ids, mask)[real], rtol=0, atol=1e-4)
