"""Tiny random transformers GPT-2 models for the gpt2 tests, saved as safetensors and as pytorch_model.bin."""

from __future__ import annotations

import os
from pathlib import Path

os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
os.environ.setdefault("HF_HUB_OFFLINE", "1")

import torch  # noqa: E402  (test dependency: the reference)
from transformers import GPT2Config as HFConfig, GPT2LMHeadModel  # noqa: E402

torch.set_num_threads(1)


def tiny_model(seed: int = 0, **overrides) -> GPT2LMHeadModel:
    """A random GPT2LMHeadModel; initializer_range 0.2 makes logits far from ties, so argmax is stable."""
    settings = dict(n_embd=32, n_head=4, n_layer=2, vocab_size=120, n_positions=96,
                    initializer_range=0.2)
    settings.update(overrides)
    torch.manual_seed(seed)
    model = GPT2LMHeadModel(HFConfig(**settings, pad_token_id=0))
    return model.eval()


def save(model: GPT2LMHeadModel, directory: Path, *, safetensors: bool) -> Path:
    model.save_pretrained(directory, safe_serialization=safetensors)
    return directory
