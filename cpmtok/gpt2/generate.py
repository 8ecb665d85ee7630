"""Token generation over `model.forward`: greedy or sampled, with a KV cache (or without, as its oracle).

The choice of the next token follows transformers 4.57's `generate`: positions are
`cumsum(attention_mask) - 1` over the left-padded prompts, then the processors run in its order —
repetition penalty, suppressed ids (set to -inf), and when sampling temperature, top-k, top-p — and
greedy decoding takes the argmax. Sampling draws from NumPy's seeded generator, so a seed reproduces
a run (it does not reproduce torch's random stream). A row that emits a stop id is finished; like
transformers, it keeps being fed `pad_id` while the other rows go on.

One documented difference: transformers' repetition penalty also penalises the pad id of a padded
batch's prompts; here only the real tokens of each row count.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional, Sequence

import numpy as np

from .config import GPT2Config
from .model import KVCache, Params, forward, position_ids_from_mask


@dataclass(frozen=True)
class Sampling:
    """How to choose the next token. The defaults are greedy decoding."""

    do_sample: bool = False
    temperature: float = 1.0
    top_k: int = 0  # 0: off
    top_p: float = 1.0  # 1.0: off
    repetition_penalty: float = 1.0  # 1.0: off
    seed: Optional[int] = None

    def __post_init__(self) -> None:
        if not self.temperature > 0:
            raise ValueError(f"temperature must be > 0, got {self.temperature}")
        if self.top_k < 0:
            raise ValueError(f"top_k must be >= 0, got {self.top_k}")
        if not 0 < self.top_p <= 1:
            raise ValueError(f"top_p must be in (0, 1], got {self.top_p}")
        if not self.repetition_penalty > 0:
            raise ValueError(f"repetition_penalty must be > 0, got {self.repetition_penalty}")


def generate(params: Params, config: GPT2Config, prompts: Sequence[Sequence[int]] | np.ndarray, *,
             max_new_tokens: int, sampling: Sampling = Sampling(),
             stop_ids: Sequence[int] = (), suppress_ids: Sequence[int] = (),
             pad_id: int = 0, attention_mask: Optional[np.ndarray] = None,
             use_cache: bool = True) -> list[list[int]]:
    """The new ids of each prompt (a stop id, when reached, is the last one), prompts batched left-padded.

    `prompts` are lists of ids (padded here), or with `attention_mask` a left-padded [B, L] array and its mask,
    as `tok(texts, padding=True, return_tensors="np")` gives them (CPM presets pad on the left by default).
    `use_cache=False` recomputes the whole sequence at every step: slow, the oracle of the cached path.
    """
    if max_new_tokens < 0:
        raise ValueError(f"max_new_tokens must be >= 0, got {max_new_tokens}")
    ids, mask = left_padded(prompts, pad_id) if attention_mask is None else checked_batch(prompts, attention_mask)
    batch, width = ids.shape
    if width + max_new_tokens > config.n_positions:
        raise ValueError(f"prompt ({width}) + max_new_tokens ({max_new_tokens}) exceed n_positions={config.n_positions}")
    seen = np.zeros((batch, config.vocab_size), bool)  # [B, V]: ids the repetition penalty applies to
    seen[np.nonzero(mask)[0], ids[mask]] = True
    rng = np.random.default_rng(sampling.seed)
    stop = np.asarray(list(stop_ids), np.int64)
    suppress = np.asarray(list(suppress_ids), np.int64)
    dtype = params["wte"].dtype

    cache = KVCache.empty(config, batch, width + max_new_tokens, dtype) if use_cache else None
    logits = forward(params, config, ids, attention_mask=mask, position_ids=position_ids_from_mask(mask),
                     cache=cache, last_only=True)[:, -1]  # [B, V]
    next_position = mask.sum(axis=-1)  # [B]
    finished = np.zeros(batch, bool)
    new_ids: list[list[int]] = [[] for _ in range(batch)]
    for step in range(max_new_tokens):
        scores = process_scores(logits.astype(np.float32), seen, suppress, sampling)  # [B, V]
        tokens = sample(scores, rng) if sampling.do_sample else scores.argmax(axis=-1)  # [B]
        tokens = np.where(finished, pad_id, tokens)
        for row in np.flatnonzero(~finished):
            new_ids[row].append(int(tokens[row]))
        seen[np.arange(batch), tokens] |= ~finished
        finished |= np.isin(tokens, stop)
        if finished.all() or step == max_new_tokens - 1:
            break
        step_ids = tokens[:, None]  # [B, 1]
        if cache is not None:
            logits = forward(params, config, step_ids, attention_mask=np.ones((batch, 1), bool),
                             position_ids=next_position[:, None], cache=cache, last_only=True)[:, -1]
        else:
            ids = np.concatenate([ids, step_ids], axis=1)  # [B, L+1]
            mask = np.concatenate([mask, np.ones((batch, 1), bool)], axis=1)  # [B, L+1]
            logits = forward(params, config, ids, attention_mask=mask, position_ids=position_ids_from_mask(mask),
                             last_only=True)[:, -1]
        next_position += 1
    return new_ids


def left_padded(prompts: Sequence[Sequence[int]], pad_id: int) -> tuple[np.ndarray, np.ndarray]:
    """Lists of ids -> ids [B, L] padded on the left with `pad_id`, and the mask of real tokens [B, L]."""
    if not len(prompts) or any(len(prompt) == 0 for prompt in prompts):
        raise ValueError("every prompt needs at least one id")
    width = max(len(prompt) for prompt in prompts)
    ids = np.full((len(prompts), width), pad_id, np.int64)  # [B, L]
    mask = np.zeros((len(prompts), width), bool)  # [B, L]
    for row, prompt in enumerate(prompts):
        ids[row, width - len(prompt):] = prompt
        mask[row, width - len(prompt):] = True
    return ids, mask


def checked_batch(ids: Sequence[Sequence[int]] | np.ndarray, attention_mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """A padded batch and its mask as int64 ids and bool mask; ValueError unless every row is left-padded.

    New tokens are appended at the right end and read from the last position's logits, so padding anywhere
    but on the left would make the model continue a pad (transformers only warns about right padding).
    """
    ids, mask = np.asarray(ids), np.asarray(attention_mask).astype(bool)
    if ids.ndim != 2 or ids.shape != mask.shape or not ids.size:
        raise ValueError(f"ids {ids.shape} and attention_mask {mask.shape} must be one [batch, length] shape")
    if not np.issubdtype(ids.dtype, np.integer):
        raise ValueError(f"ids must be integers, got {ids.dtype}")
    not_left = np.flatnonzero((np.diff(mask.astype(np.int8), axis=1) < 0).any(axis=1) | ~mask[:, -1])
    if not_left.size:
        raise ValueError(f"row {not_left[0]} of attention_mask is not left padding (or has no token): generation "
                         "needs padding_side='left'")
    return ids.astype(np.int64), mask


def process_scores(scores: np.ndarray, seen: np.ndarray, suppress: np.ndarray, sampling: Sampling) -> np.ndarray:
    """transformers' logits processors, in its order, on float32 scores [B, V] (modified in place)."""
    if sampling.repetition_penalty != 1.0:
        penalty = np.float32(sampling.repetition_penalty)
        penalised = np.where(scores < 0, scores * penalty, scores / penalty)
        np.copyto(scores, penalised, where=seen)
    if suppress.size:
        scores[:, suppress] = -np.inf
    if not sampling.do_sample:
        return scores
    if sampling.temperature != 1.0:
        scores /= np.float32(sampling.temperature)
    if sampling.top_k:
        k = min(sampling.top_k, scores.shape[-1])
        kth = np.partition(scores, -k, axis=-1)[:, -k, None]  # [B, 1]
        scores[scores < kth] = -np.inf
    if sampling.top_p < 1.0:
        order = np.argsort(scores, axis=-1, kind="stable")  # [B, V] ascending
        ascending = np.take_along_axis(scores, order, axis=-1)  # [B, V]
        cumulative = np.cumsum(_softmax64(ascending), axis=-1)  # [B, V]
        remove = cumulative <= 1.0 - sampling.top_p
        remove[:, -1] = False  # keep at least the most likely token
        np.put_along_axis(scores, order, np.where(remove, -np.inf, ascending), axis=-1)
    return scores


def sample(scores: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """One id per row drawn from softmax(scores) [B, V] by inverse CDF."""
    cumulative = np.cumsum(_softmax64(scores), axis=-1)  # [B, V]
    draws = rng.random(scores.shape[0]) * cumulative[:, -1]  # [B]
    tokens = np.array([np.searchsorted(row, draw, side="right") for row, draw in zip(cumulative, draws)])
    return np.minimum(tokens, scores.shape[-1] - 1)


def _softmax64(scores: np.ndarray) -> np.ndarray:
    shifted = scores.astype(np.float64) - scores.max(axis=-1, keepdims=True)
    e = np.exp(shifted)
    return e / e.sum(axis=-1, keepdims=True)
