"""`cpmtok.load`: a preset name, a registry name, a vocabulary file or a model directory -> a tokenizer."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from . import hub
from .base import Recipe, Tokenizer
from .errors import UnknownTokenizer
from .model_folder import load_folder
from .presets import PRESETS


def load(name_or_path: str | Path, **options: Any) -> Tokenizer:
    """Build a tokenizer.

    - a preset (`cpm`, `cpm-v0`, `bert-base-chinese`, `clue-small`, `uer-gpt2-chinese`,
      `gpt2-chinese`, `gpt2-ml`, `gpt2-quickly`): its registered vocabulary, checked by sha256;
    - a `vocab.txt` (BERT WordPiece) or a SentencePiece `.model` (CPM) path;
    - a model folder, read as transformers' AutoTokenizer reads it (tokenizer_config.json, vocab.txt,
      tokenizer.json, spiece.model; cpmtok's own exports reload as their preset);
    - a Hugging Face Hub repo id (`uer/gpt2-chinese-cluecorpussmall`) cached locally: its `main` snapshot.
    Options go to the family (e.g. `dialect="hf-slow"` for BERT); they override a preset's defaults.
    """
    key = str(name_or_path)
    if key in PRESETS:
        preset = PRESETS[key]
        tokenizer = _family(preset.family).load_preset(preset, **options)
        tokenizer.model_max_length = preset.model_max_length
    else:
        path = _existing_path(key, name_or_path)
        if path.is_dir():
            tokenizer = load_folder(path, **options)
        else:
            tokenizer = _family(_family_of_path(path)).load_path(path, **options)
    tokenizer.recipe = Recipe(load, key, dict(options))
    return tokenizer


def _existing_path(key: str, name_or_path: str | Path) -> Path:
    """The path itself, else a cached Hub repo's main snapshot; UnknownTokenizer names every place looked."""
    path = Path(name_or_path)
    if path.exists():
        return path
    if isinstance(name_or_path, str) and hub.is_repo_id(key):
        snapshot = hub.main_snapshot(key)
        if snapshot is not None:
            return snapshot
    known = ", ".join(sorted(PRESETS))
    cached = hub.repo_dir(key) if hub.is_repo_id(key) else hub.cache_dir()
    raise UnknownTokenizer(
        f"{key!r} is not a preset ({known}), not an existing file or folder (looked at {path.resolve()}) and not a "
        f"Hugging Face repo in the local cache (looked at {cached}/snapshots, refs/main). Fix: pass a preset name "
        f"or a path, or download the repo (huggingface-cli download {key}) so its snapshot is in the Hugging Face "
        "cache.")


def _family_of_path(path: Path) -> str:
    if path.suffix == ".model":
        return "cpm"
    if path.suffix == ".txt":
        return "bert"
    raise UnknownTokenizer(f"{path}: expected a vocab.txt (BERT), a .model (CPM) or a model directory")


def _family(name: str):
    if name == "bert":
        from .bert import tokenizer as family
    else:
        from .cpm import tokenizer as family
    return family
