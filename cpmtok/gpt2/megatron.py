"""Merge Megatron-LM model-parallel GPT-2 partitions (how CPM-LM was released) into one transformers state dict.

Supported layout (Megatron-LM GPT2Model of 2019-2020, torch Linear weights `[out, in]`), per
partition r of p, the `model` / `module` dict of `mp_rank_0r/model_optim_rng.pt`:

    word_embeddings.weight                                 [V/p, E]   vocabulary rows split (dim 0)
    position_embeddings.weight                             [P, E]     the same in every partition
    transformer.layers.N.input_layernorm.{weight,bias}     [E]        the same in every partition
    transformer.layers.N.attention.query_key_value.weight  [3E/p, E]  this partition's heads: [q_r; k_r; v_r]
    transformer.layers.N.attention.query_key_value.bias    [3E/p]
    transformer.layers.N.attention.dense.weight            [E, E/p]   input columns split (dim 1)
    transformer.layers.N.attention.dense.bias              [E]        the same in every partition
    transformer.layers.N.post_attention_layernorm.*        [E]        the same in every partition
    transformer.layers.N.mlp.dense_h_to_4h.{weight,bias}   [4E/p, E]  output rows split (dim 0)
    transformer.layers.N.mlp.dense_4h_to_h.weight          [E, 4E/p]  input columns split (dim 1)
    transformer.layers.N.mlp.dense_4h_to_h.bias            [E]        the same in every partition
    transformer.final_layernorm.{weight,bias}              [E]        the same in every partition

The merged dict uses transformers' GPT-2 names and Conv1D layout (`[in, out]`, so Linear weights are
transposed) and its fused qkv order `[q; k; v]` over all heads. Megatron pads the vocabulary to a
multiple of 128 × p; `vocab_size` drops those padding rows. Reading the `.pt` files themselves goes
through `weights.read_torch_bin`, which refuses their non-tensor records (argparse args, RNG states):
save the `model` dict of each partition alone first.
"""

from __future__ import annotations

import re
from typing import Optional, Sequence

import numpy as np

from ..errors import InvalidModel

_LAYER = re.compile(r"transformer\.layers\.(\d+)\.(.+)")
_DUPLICATED = {"input_layernorm.weight": "ln_1.weight", "input_layernorm.bias": "ln_1.bias",
               "post_attention_layernorm.weight": "ln_2.weight", "post_attention_layernorm.bias": "ln_2.bias",
               "attention.dense.bias": "attn.c_proj.bias", "mlp.dense_4h_to_h.bias": "mlp.c_proj.bias"}


def merge_megatron_partitions(partitions: Sequence[dict[str, np.ndarray]], *,
                              vocab_size: Optional[int] = None) -> dict[str, np.ndarray]:
    """One transformers GPT-2 state dict from the partitions, in rank order."""
    if not partitions:
        raise InvalidModel("no Megatron partitions given")
    keys = set(partitions[0])
    for rank, partition in enumerate(partitions[1:], start=1):
        if set(partition) != keys:
            raise InvalidModel(f"partition {rank} has other keys than partition 0: "
                               f"{sorted(set(partition) ^ keys)[:10]}")

    def same(key: str) -> np.ndarray:
        first = partitions[0][key]
        for rank, partition in enumerate(partitions[1:], start=1):
            if not np.array_equal(partition[key], first):
                raise InvalidModel(f"{key} differs between partition 0 and {rank}; it should be duplicated")
        return first

    def joined(key: str, axis: int) -> np.ndarray:
        return np.concatenate([partition[key] for partition in partitions], axis=axis)

    merged: dict[str, np.ndarray] = {}
    for key in sorted(keys):
        if key == "word_embeddings.weight":
            wte = joined(key, 0)
            if vocab_size is not None:
                if vocab_size > wte.shape[0]:
                    raise InvalidModel(f"vocab_size {vocab_size} exceeds the {wte.shape[0]} embedding rows")
                wte = wte[:vocab_size]
            merged["transformer.wte.weight"] = wte
        elif key == "position_embeddings.weight":
            merged["transformer.wpe.weight"] = same(key)
        elif key.startswith("transformer.final_layernorm."):
            merged["transformer.ln_f." + key.rsplit(".", 1)[1]] = same(key)
        elif (match := _LAYER.fullmatch(key)) is None:
            raise InvalidModel(f"unknown Megatron key {key}")
        else:
            prefix, name = f"transformer.h.{match[1]}.", match[2]
            if name in _DUPLICATED:
                merged[prefix + _DUPLICATED[name]] = same(key)
            elif name.startswith("attention.query_key_value."):
                # each partition holds [q_r; k_r; v_r]; transformers wants [q; k; v] over all heads
                thirds = [np.split(partition[key], 3, axis=0) for partition in partitions]
                fused = np.concatenate([np.concatenate([parts[i] for parts in thirds], axis=0) for i in range(3)])
                merged[prefix + "attn.c_attn." + name.rsplit(".", 1)[1]] = fused.T if fused.ndim == 2 else fused
            elif name == "attention.dense.weight":
                merged[prefix + "attn.c_proj.weight"] = joined(key, 1).T
            elif name in ("mlp.dense_h_to_4h.weight", "mlp.dense_h_to_4h.bias"):
                part = joined(key, 0)
                merged[prefix + "mlp.c_fc." + name.rsplit(".", 1)[1]] = part.T if part.ndim == 2 else part
            elif name == "mlp.dense_4h_to_h.weight":
                merged[prefix + "mlp.c_proj.weight"] = joined(key, 1).T
            else:
                raise InvalidModel(f"unknown Megatron key {key}")
    return {key: np.ascontiguousarray(value) for key, value in merged.items()}
