"""Text in, text out: a cpmtok tokenizer's ids drive the NumPy GPT-2, and its decode gives the text back.

It joins the two halves that must not know each other: `cpmtok.gpt2` (no tokenizer inside) and any
cpmtok tokenizer (`encode(text).ids`, `decode(ids)`, `eos_token_id`, `unk_token_id`).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Optional, Sequence

from .errors import InvalidModel
from .gpt2 import GPT2Config, Sampling, generate, load_model
from .gpt2.model import Params

@dataclass(frozen=True)
class Generation:
    prompt_ids: list[int]
    new_ids: list[int]  # ends with the stop id when one was reached
    text: str  # decode(prompt_ids + new_ids), a final stop id left out


def generate_text(tokenizer: Any, model: str | Path | tuple[GPT2Config, Params], prompt: str, *,
                  max_new_tokens: int = 50, sampling: Sampling = Sampling(),
                  stop_ids: Optional[Sequence[int]] = None, suppress_unk: bool = False,
                  dtype: Any = "float32") -> Generation:
    """Continue `prompt` with the GPT-2 in `model` (a directory or `load_model`'s result).

    Stops at `stop_ids` (default: the family's end token, [SEP]=102 for BERT vocabularies, <eod>=7
    for CPM); `suppress_unk` forbids [UNK] / <unk>. No special tokens are added to the prompt.
    """
    config, params = load_model(model, dtype=dtype) if isinstance(model, (str, Path)) else model
    if tokenizer.vocab_size > config.vocab_size:
        raise InvalidModel(f"the tokenizer has {tokenizer.vocab_size} ids, the model only {config.vocab_size}: "
                           "they do not belong together")
    if stop_ids is None:
        stop = tokenizer.eos_token_id
        stop_ids = [] if stop is None else [stop]
    unk = tokenizer.unk_token_id if suppress_unk else None
    prompt_ids = list(tokenizer.encode(prompt).ids)
    new_ids = generate(params, config, [prompt_ids], max_new_tokens=max_new_tokens, sampling=sampling,
                       stop_ids=stop_ids, suppress_ids=[] if unk is None else [unk])[0]
    shown = new_ids[:-1] if new_ids and new_ids[-1] in stop_ids else new_ids
    return Generation(prompt_ids, new_ids, tokenizer.decode(prompt_ids + shown))
