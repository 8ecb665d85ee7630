"""The GPT-2 forward pass in NumPy, picoGPT style: pure functions over a params dict.

`forward` is the fast path used for generation and benchmarks: float32 (or float16) activations,
the fused qkv projection split by views, GELU and softmax computed in place, a preallocated KV
cache, and optionally only the last position's logits. `reference_forward` is its readable oracle
(no cache, no in-place tricks); the tests hold both against each other and against transformers.

The params dict (made by `weights.py`) uses transformers' Conv1D layout, weights `[in, out]`:
    {"wte": [V, E], "wpe": [P, E], "ln_f": {"g", "b"},
     "blocks": [{"ln_1": {"g", "b"}, "attn": {"c_attn": {"w": [E, 3E], "b"}, "c_proj": {"w": [E, E], "b"}},
                 "ln_2": {"g", "b"}, "mlp": {"c_fc": {"w": [E, I], "b"}, "c_proj": {"w": [I, E], "b"}}}, ...]}
The LM head is tied to `wte`, as in GPT2LMHeadModel.

Positions and masks are those of transformers 4.57's GPT2LMHeadModel: `forward(ids, attention_mask)`
without position ids uses positions `start .. start+T-1` whatever the padding (the mask only hides
keys); `generate` computes `cumsum(attention_mask) - 1` (`position_ids_from_mask`) and passes it.
float16 keeps weights and activations in float16 but multiplies, normalises and takes softmax in
float32 (rounding each result back), as torch's CPU kernels do; NumPy has no float16 BLAS.
Masked scores are replaced by the score dtype's own minimum (not added to it, not -1e10), so
float16 stays finite and a query whose keys are all padding gets a uniform, finite distribution.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Optional

import numpy as np

from .config import GPT2Config

Params = dict[str, Any]

_SQRT_2_OVER_PI = math.sqrt(2.0 / math.pi)
_erf = np.frompyfunc(math.erf, 1, 1)  # NumPy has no erf; exact "gelu" is rare in GPT-2 configs


# ----------------------------------------------------------------------------------------------------
# readable oracle
# ----------------------------------------------------------------------------------------------------

def gelu_tanh(x: np.ndarray) -> np.ndarray:
    """transformers' gelu_new / gelu_pytorch_tanh."""
    return 0.5 * x * (1.0 + np.tanh(_SQRT_2_OVER_PI * (x + 0.044715 * x ** 3)))


def gelu_erf(x: np.ndarray) -> np.ndarray:
    """transformers' gelu: the exact, erf-based GELU."""
    return (0.5 * x * (1.0 + _erf(x / math.sqrt(2.0)).astype(x.dtype))).astype(x.dtype)


def relu(x: np.ndarray) -> np.ndarray:
    return np.maximum(x, 0)


ACTIVATION = {"gelu_new": gelu_tanh, "gelu_pytorch_tanh": gelu_tanh, "gelu": gelu_erf, "relu": relu}


def layer_norm(x: np.ndarray, g: np.ndarray, b: np.ndarray, eps: float) -> np.ndarray:
    """Normalise the last axis; float16 input is normalised in float32, as torch does."""
    xf = x.astype(np.float32) if x.dtype == np.float16 else x
    mean = xf.mean(axis=-1, keepdims=True)  # [..., 1]
    var = ((xf - mean) ** 2).mean(axis=-1, keepdims=True)  # [..., 1]
    return ((xf - mean) / np.sqrt(var + eps) * g + b).astype(x.dtype)


def softmax(x: np.ndarray) -> np.ndarray:
    e = np.exp(x - x.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def position_ids_from_mask(attention_mask: np.ndarray) -> np.ndarray:
    """Positions as transformers' `generate` derives them: cumsum(mask) - 1, padding set to 1."""
    mask = np.asarray(attention_mask).astype(np.int64)  # [B, T]
    positions = np.cumsum(mask, axis=-1) - 1  # [B, T]
    positions[mask == 0] = 1
    return positions


def reference_forward(params: Params, config: GPT2Config, ids: np.ndarray,
                      attention_mask: Optional[np.ndarray] = None,
                      position_ids: Optional[np.ndarray] = None) -> np.ndarray:
    """Logits [B, T, V] computed the plain way (no cache, no in-place); the oracle of `forward`."""
    ids = np.asarray(ids)
    batch, length = ids.shape
    mask = np.ones((batch, length), bool) if attention_mask is None else np.asarray(attention_mask).astype(bool)
    positions = np.arange(length)[None] if position_ids is None else np.asarray(position_ids)  # [B|1, T]
    heads, eps = config.n_head, config.layer_norm_epsilon
    causal = np.tril(np.ones((length, length), bool))  # [T, T]
    allowed = causal[None, None] & mask[:, None, None, :]  # [B, 1, T, T]
    x = params["wte"][ids] + params["wpe"][positions]  # [B, T, E]
    for block in params["blocks"]:
        h = layer_norm(x, **block["ln_1"], eps=eps)  # [B, T, E]
        qkv = h @ block["attn"]["c_attn"]["w"] + block["attn"]["c_attn"]["b"]  # [B, T, 3E]
        q, k, v = (part.reshape(batch, length, heads, -1).transpose(0, 2, 1, 3)  # [B, H, T, D]
                   for part in np.split(qkv, 3, axis=-1))
        scores = q @ k.transpose(0, 1, 3, 2) / np.sqrt(q.shape[-1]).astype(q.dtype)  # [B, H, T, T]
        scores = scores.astype(np.float32) if scores.dtype == np.float16 else scores
        scores = np.where(allowed, scores, np.finfo(scores.dtype).min)  # [B, H, T, T]
        attn = softmax(scores).astype(v.dtype) @ v  # [B, H, T, D]
        attn = attn.transpose(0, 2, 1, 3).reshape(batch, length, -1)  # [B, T, E]
        x = x + attn @ block["attn"]["c_proj"]["w"] + block["attn"]["c_proj"]["b"]  # [B, T, E]
        h = layer_norm(x, **block["ln_2"], eps=eps)  # [B, T, E]
        h = ACTIVATION[config.activation_function](h @ block["mlp"]["c_fc"]["w"] + block["mlp"]["c_fc"]["b"])  # [B, T, I]
        x = x + h @ block["mlp"]["c_proj"]["w"] + block["mlp"]["c_proj"]["b"]  # [B, T, E]
    x = layer_norm(x, **params["ln_f"], eps=eps)  # [B, T, E]
    return x @ params["wte"].T  # [B, T, V]


# ----------------------------------------------------------------------------------------------------
# fast path
# ----------------------------------------------------------------------------------------------------

@dataclass
class KVCache:
    """Keys and values of every position seen so far, preallocated to `capacity` positions."""

    keys: list[np.ndarray]  # per layer [B, H, capacity, D]
    values: list[np.ndarray]  # per layer [B, H, capacity, D]
    mask: np.ndarray  # [B, capacity] bool: which cached positions are real tokens (not padding)
    length: int = 0

    @classmethod
    def empty(cls, config: GPT2Config, batch: int, capacity: int, dtype: np.dtype) -> "KVCache":
        shape = (batch, config.n_head, capacity, config.head_dim)
        return cls(keys=[np.zeros(shape, dtype) for _ in range(config.n_layer)],
                   values=[np.zeros(shape, dtype) for _ in range(config.n_layer)],
                   mask=np.zeros((batch, capacity), bool))


def _layer_norm_fast(x: np.ndarray, g: np.ndarray, b: np.ndarray, eps: float) -> np.ndarray:
    """`layer_norm` with one temporary; float16 is normalised in float32."""
    out = x.astype(np.float32) if x.dtype == np.float16 else x.copy()  # [..., E]
    inverse_width = 1.0 / out.shape[-1]
    out -= np.add.reduce(out, axis=-1, keepdims=True) * inverse_width
    var = np.einsum("...i,...i->...", out, out)[..., None]  # [..., 1]
    var *= inverse_width
    var += eps
    np.sqrt(var, out=var)
    out /= var
    out *= g
    out += b
    return out.astype(x.dtype, copy=False)


def _activation_inplace(h: np.ndarray, name: str) -> None:
    if name in ("gelu_new", "gelu_pytorch_tanh"):
        t = h * h  # [..., I]
        t *= 0.044715 * _SQRT_2_OVER_PI
        t += _SQRT_2_OVER_PI
        t *= h  # sqrt(2/pi) * (h + 0.044715 h^3)
        np.tanh(t, out=t)
        t += 1.0
        t *= 0.5
        h *= t
    elif name == "relu":
        np.maximum(h, 0, out=h)
    else:
        h[...] = gelu_erf(h)


def _matmul(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """a @ b; float16 goes through float32 (NumPy has no float16 BLAS: 100x slower), result float16."""
    if a.dtype != np.float16:
        return a @ b
    return (a.astype(np.float32) @ b.astype(np.float32)).astype(np.float16)


def _linear(x: np.ndarray, layer: Params) -> np.ndarray:
    """x @ w + b over all rows at once (one GEMM, not one per batch row)."""
    out = _matmul(x.reshape(-1, x.shape[-1]), layer["w"])  # [B*T, out]
    out += layer["b"]
    return out.reshape(*x.shape[:-1], -1)  # [B, T, out]


def _attention(x: np.ndarray, attn: Params, heads: int, allowed: np.ndarray,
               cache: Optional[KVCache], layer: int, start: int) -> np.ndarray:
    batch, length, width = x.shape
    qkv = _linear(x, attn["c_attn"])  # [B, T, 3E]
    q, k, v = qkv.reshape(batch, length, 3, heads, -1).transpose(2, 0, 3, 1, 4)  # 3 × [B, H, T, D]
    q *= np.asarray(1.0 / math.sqrt(q.shape[-1]), q.dtype)
    if cache is not None:
        cache.keys[layer][:, :, start:start + length] = k
        cache.values[layer][:, :, start:start + length] = v
        k = cache.keys[layer][:, :, :start + length]  # [B, H, S, D]
        v = cache.values[layer][:, :, :start + length]  # [B, H, S, D]
    scores = q.astype(np.float32) @ k.swapaxes(-1, -2).astype(np.float32) if q.dtype == np.float16 \
        else q @ k.swapaxes(-1, -2)  # [B, H, T, S], float16 scored in float32
    np.copyto(scores, np.finfo(scores.dtype).min, where=~allowed)
    scores -= scores.max(axis=-1, keepdims=True)
    np.exp(scores, out=scores)
    scores /= scores.sum(axis=-1, keepdims=True)
    out = _matmul(scores.astype(v.dtype, copy=False), v)  # [B, H, T, D]
    out = out.transpose(0, 2, 1, 3).reshape(batch, length, width)  # [B, T, E]
    return _linear(out, attn["c_proj"])  # [B, T, E]


def forward(params: Params, config: GPT2Config, ids: np.ndarray, *,
            attention_mask: Optional[np.ndarray] = None,
            position_ids: Optional[np.ndarray] = None,
            cache: Optional[KVCache] = None,
            last_only: bool = False) -> np.ndarray:
    """Logits [B, T, V] (or [B, 1, V] with `last_only`) for `ids` [B, T] following what `cache` holds.

    `attention_mask` [B, T] marks real tokens (1) and padding (0) of these T positions; the cache
    remembers it for later calls. Positions default to `start .. start+T-1` (transformers' default).
    """
    ids = np.asarray(ids)
    if ids.ndim != 2:
        raise ValueError(f"ids must be [batch, length], got shape {ids.shape}")
    batch, length = ids.shape
    start = cache.length if cache is not None else 0
    mask = np.ones((batch, length), bool) if attention_mask is None else np.asarray(attention_mask).astype(bool)
    positions = np.arange(start, start + length)[None] if position_ids is None else np.asarray(position_ids)
    _check_inputs(config, ids, mask, positions, cache, start)
    if cache is not None:
        cache.mask[:, start:start + length] = mask
        key_mask = cache.mask[:, :start + length]  # [B, S]
    else:
        key_mask = mask  # [B, S=T]
    causal = np.arange(start + length)[None, :] <= np.arange(start, start + length)[:, None]  # [T, S]
    allowed = causal[None, None] & key_mask[:, None, None, :]  # [B, 1, T, S]
    x = params["wte"][ids]  # [B, T, E]
    x += params["wpe"][positions]
    eps = config.layer_norm_epsilon
    for layer, block in enumerate(params["blocks"]):
        x += _attention(_layer_norm_fast(x, **block["ln_1"], eps=eps), block["attn"], config.n_head,
                        allowed, cache, layer, start)
        h = _linear(_layer_norm_fast(x, **block["ln_2"], eps=eps), block["mlp"]["c_fc"])  # [B, T, I]
        _activation_inplace(h, config.activation_function)
        x += _linear(h, block["mlp"]["c_proj"])
    if cache is not None:
        cache.length = start + length
    if last_only:
        x = x[:, -1:]  # [B, 1, E]
    x = _layer_norm_fast(x, **params["ln_f"], eps=eps)
    logits = _matmul(x.reshape(-1, x.shape[-1]), params["wte"].T)  # [B*T|B, V]: one GEMM over the tied head
    return logits.reshape(batch, -1, logits.shape[-1])  # [B, T|1, V]


def _check_inputs(config: GPT2Config, ids: np.ndarray, mask: np.ndarray, positions: np.ndarray,
                  cache: Optional[KVCache], start: int) -> None:
    """Out-of-range ids or positions would silently index another row (or raise deep inside NumPy)."""
    if not np.issubdtype(ids.dtype, np.integer):
        raise ValueError(f"ids must be integers, got {ids.dtype}")
    if ids.size and (ids.min() < 0 or ids.max() >= config.vocab_size):
        raise ValueError(f"ids must be in [0, {config.vocab_size}), got {ids.min()}..{ids.max()}")
    if mask.shape != ids.shape:
        raise ValueError(f"attention_mask shape {mask.shape} differs from ids shape {ids.shape}")
    if positions.size and (positions.min() < 0 or positions.max() >= config.n_positions):
        raise ValueError(f"positions must be in [0, n_positions={config.n_positions}), got "
                         f"{positions.min()}..{positions.max()}")
    if cache is not None and start + ids.shape[1] > cache.mask.shape[1]:
        raise ValueError(f"KV cache holds {cache.mask.shape[1]} positions, {start + ids.shape[1]} needed")
