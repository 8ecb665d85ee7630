"""Megatron model-parallel partitions merge back into the transformers state dict they were split from."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from gpt2_tiny import tiny_model

from cpmtok.errors import InvalidModel
from cpmtok.gpt2 import GPT2Config, forward, params_from_state_dict
from cpmtok.gpt2.megatron import merge_megatron_partitions


def split_like_megatron(state: dict[str, np.ndarray], parts: int, padded_vocab: int) -> list[dict[str, np.ndarray]]:
    """The layout documented in cpmtok/gpt2/megatron.py, written forwards: HF names -> p partitions."""
    out: list[dict[str, np.ndarray]] = [{} for _ in range(parts)]
    wte = state["transformer.wte.weight"]
    wte = np.concatenate([wte, np.zeros((padded_vocab - wte.shape[0], wte.shape[1]), wte.dtype)])
    for rank in range(parts):
        out[rank]["word_embeddings.weight"] = np.split(wte, parts)[rank]
        out[rank]["position_embeddings.weight"] = state["transformer.wpe.weight"]
        out[rank]["transformer.final_layernorm.weight"] = state["transformer.ln_f.weight"]
        out[rank]["transformer.final_layernorm.bias"] = state["transformer.ln_f.bias"]
    layers = {int(key.split(".")[2]) for key in state if key.startswith("transformer.h.")}
    for n in layers:
        hf, mg = f"transformer.h.{n}.", f"transformer.layers.{n}."
        for rank in range(parts):
            p = out[rank]
            for a, b in (("input_layernorm", "ln_1"), ("post_attention_layernorm", "ln_2")):
                p[f"{mg}{a}.weight"], p[f"{mg}{a}.bias"] = state[f"{hf}{b}.weight"], state[f"{hf}{b}.bias"]
            for suffix in ("weight", "bias"):
                qkv = state[f"{hf}attn.c_attn.{suffix}"]
                qkv = qkv.T if qkv.ndim == 2 else qkv  # Linear layout [3E, E]
                p[f"{mg}attention.query_key_value.{suffix}"] = np.concatenate(
                    [np.split(third, parts)[rank] for third in np.split(qkv, 3)])
            p[f"{mg}attention.dense.weight"] = np.split(state[f"{hf}attn.c_proj.weight"].T, parts, axis=1)[rank]
            p[f"{mg}attention.dense.bias"] = state[f"{hf}attn.c_proj.bias"]
            p[f"{mg}mlp.dense_h_to_4h.weight"] = np.split(state[f"{hf}mlp.c_fc.weight"].T, parts)[rank]
            p[f"{mg}mlp.dense_h_to_4h.bias"] = np.split(state[f"{hf}mlp.c_fc.bias"], parts)[rank]
            p[f"{mg}mlp.dense_4h_to_h.weight"] = np.split(state[f"{hf}mlp.c_proj.weight"].T, parts, axis=1)[rank]
            p[f"{mg}mlp.dense_4h_to_h.bias"] = state[f"{hf}mlp.c_proj.bias"]
    return out


@pytest.mark.parametrize("parts", [1, 2, 4])
def test_partitions_merge_to_the_original_model(parts):
    hf = tiny_model(seed=41, n_embd=32, n_head=4, vocab_size=120)
    state = {key: value.numpy() for key, value in hf.state_dict().items()
             if key != "lm_head.weight" and not key.endswith((".attn.bias", ".attn.masked_bias"))}
    merged = merge_megatron_partitions(split_like_megatron(state, parts, padded_vocab=128), vocab_size=120)
    assert set(merged) == set(state)
    for key in state:
        np.testing.assert_array_equal(merged[key], state[key], err_msg=key)
    config = GPT2Config.from_dict(hf.config.to_dict())
    ids = np.array([[3, 1, 4, 1, 5, 9, 2, 6]])
    with torch.no_grad():
        expected = hf(torch.tensor(ids)).logits.numpy()
    np.testing.assert_allclose(forward(params_from_state_dict(merged, config), config, ids), expected, atol=1e-4)


def test_partitions_that_disagree_on_a_duplicated_tensor_are_refused():
    hf = tiny_model(seed=42)
    state = {key: value.numpy() for key, value in hf.state_dict().items() if key != "lm_head.weight"}
    partitions = split_like_megatron(state, 2, padded_vocab=128)
    partitions[1]["transformer.layers.0.input_layernorm.weight"] = partitions[1][
        "transformer.layers.0.input_layernorm.weight"] + 1
    with pytest.raises(InvalidModel, match="input_layernorm.weight differs between partition 0 and 1"):
        merge_megatron_partitions(partitions)
