"""`--model-type gpt2`: the tokenizer fields of a model folder's config.json, set without touching weights.

transformers reads `tokenizer_class` from config.json when a folder has no tokenizer_config.json
naming one, and the Hub shows it; model_type is only written when the file does not exist yet.
"""

from __future__ import annotations

import json
from typing import Optional

from ..errors import NotExpressible
from .folder import json_bytes

MODEL_TYPES = ("gpt2",)


def config_json(existing: Optional[bytes], model_type: str, tokenizer_class: str) -> bytes:
    """config.json with `tokenizer_class` set: the existing fields kept (keys sorted, as transformers saves)."""
    if model_type not in MODEL_TYPES:
        raise NotExpressible(f"--model-type {model_type!r}: supported model types are {', '.join(MODEL_TYPES)}")
    config = {"model_type": model_type}
    if existing is not None:
        try:
            config = json.loads(existing.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as err:
            raise NotExpressible(f"config.json in the target folder is not JSON ({err}); nothing was written") from None
        if not isinstance(config, dict):
            raise NotExpressible("config.json in the target folder is not a JSON object; nothing was written")
        found = config.get("model_type", model_type)
        if found != model_type:
            raise NotExpressible(
                f"config.json says model_type {found!r}, not {model_type!r}; nothing was written")
    config["tokenizer_class"] = tokenizer_class
    return json_bytes(config, sort_keys=True)
