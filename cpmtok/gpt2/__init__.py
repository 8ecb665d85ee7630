"""A small NumPy GPT-2 (transformers' GPT2LMHeadModel): config, safe weight loading, forward, generation.

Imports nothing from the tokenizers; `cpmtok.generation` joins the two.

    >>> from cpmtok.gpt2 import load_model, generate
    >>> config, params = load_model("path/to/model")          # config.json + model.safetensors / .bin
    >>> generate(params, config, [[101, 2769, 4263]], max_new_tokens=20, stop_ids=[102])
"""

from .config import GPT2Config
from .generate import Sampling, generate
from .megatron import merge_megatron_partitions
from .model import KVCache, forward, position_ids_from_mask, reference_forward
from .weights import load_model, params_from_state_dict, read_safetensors, read_torch_bin

__all__ = ["GPT2Config", "Sampling", "generate", "KVCache", "forward", "position_ids_from_mask",
           "reference_forward", "load_model", "merge_megatron_partitions", "params_from_state_dict", "read_safetensors", "read_torch_bin"]
