"""The GPT-2 hyper-parameters this NumPy model runs, read from a Hugging Face `config.json`.

Strict on purpose: a config that asks for something the model does not implement (cross attention,
attention scaling variants, an unknown activation, untied embeddings) is refused with its key named,
rather than silently computing different logits from the ones transformers would give.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping, Optional

from ..errors import UnsupportedModel

ACTIVATIONS = ("gelu_new", "gelu_pytorch_tanh", "gelu", "relu")

# keys whose value must be exactly this (the transformers default) for our forward to be the same function
_REQUIRED_DEFAULTS = {
    "add_cross_attention": False,
    "scale_attn_weights": True,
    "scale_attn_by_inverse_layer_idx": False,
    "reorder_and_upcast_attn": False,
    "tie_word_embeddings": True,
}


_MAX_JSON_BYTES = 64 << 20


def read_json(path: Path, what: str, error: type[Exception]) -> Any:
    """A JSON file of a model folder; `error` when it is no regular file of at most 64 MB, or no JSON."""
    if not path.is_file() or path.stat().st_size > _MAX_JSON_BYTES:
        raise error(f"{path}: not a regular file of at most {_MAX_JSON_BYTES >> 20} MB")
    try:
        return json.loads(path.read_bytes().decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as err:
        raise error(f"{path}: not a JSON {what} ({type(err).__name__}: {err})") from None


@dataclass(frozen=True)
class GPT2Config:
    vocab_size: int
    n_positions: int
    n_embd: int
    n_layer: int
    n_head: int
    n_inner: Optional[int] = None  # MLP width; None means 4 * n_embd, as in transformers
    layer_norm_epsilon: float = 1e-5
    activation_function: str = "gelu_new"

    def __post_init__(self) -> None:
        for key in ("vocab_size", "n_positions", "n_embd", "n_layer", "n_head"):
            value = getattr(self, key)
            if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
                raise UnsupportedModel(f"config {key} must be a positive integer, got {value!r}")
        if self.n_embd % self.n_head:
            raise UnsupportedModel(f"config n_embd={self.n_embd} is not a multiple of n_head={self.n_head}")
        if self.n_inner is not None and (not isinstance(self.n_inner, int) or self.n_inner <= 0):
            raise UnsupportedModel(f"config n_inner must be a positive integer or null, got {self.n_inner!r}")
        if self.activation_function not in ACTIVATIONS:
            raise UnsupportedModel(
                f"config activation_function={self.activation_function!r} is not supported "
                f"(supported: {', '.join(ACTIVATIONS)})")
        if not self.layer_norm_epsilon > 0:
            raise UnsupportedModel(f"config layer_norm_epsilon must be > 0, got {self.layer_norm_epsilon!r}")

    @property
    def head_dim(self) -> int:
        return self.n_embd // self.n_head

    @property
    def inner_dim(self) -> int:
        return self.n_inner if self.n_inner is not None else 4 * self.n_embd

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any], *, source: str = "config") -> "GPT2Config":
        """The config of a transformers GPT2LMHeadModel dict; refuses what the NumPy forward does not do."""
        model_type = raw.get("model_type", "gpt2")
        if model_type != "gpt2":
            raise UnsupportedModel(f"{source}: model_type {model_type!r} is not 'gpt2'")
        for key, expected in _REQUIRED_DEFAULTS.items():
            if key in raw and raw[key] != expected:
                raise UnsupportedModel(f"{source}: {key}={raw[key]!r} is not supported (only {expected!r})")
        if raw.get("pruned_heads"):
            raise UnsupportedModel(f"{source}: pruned_heads is not supported")
        names = ("vocab_size", "n_positions", "n_embd", "n_layer", "n_head")
        missing = [key for key in names if key not in raw]
        if missing:
            raise UnsupportedModel(f"{source}: missing {', '.join(missing)}")
        epsilon = raw.get("layer_norm_epsilon", 1e-5)
        if not isinstance(epsilon, (int, float)) or isinstance(epsilon, bool):
            raise UnsupportedModel(f"{source}: layer_norm_epsilon must be a number, got {type(epsilon).__name__}")
        return cls(
            **{key: raw[key] for key in names},
            n_inner=raw.get("n_inner"),
            layer_norm_epsilon=float(epsilon),
            activation_function=raw.get("activation_function", "gelu_new"),
        )

    @classmethod
    def from_file(cls, path: str | Path) -> "GPT2Config":
        path = Path(path)
        if not path.exists():
            raise UnsupportedModel(f"{path}: no config.json (a transformers GPT-2 model directory has one)")
        raw = read_json(path, "config", UnsupportedModel)
        if not isinstance(raw, dict):
            raise UnsupportedModel(f"{path}: expected a JSON object")
        return cls.from_dict(raw, source=str(path))
