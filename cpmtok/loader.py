"""`cpmtok.load`: a preset name, a registry name, a vocabulary file or a model directory -> a tokenizer."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .base import Recipe, Tokenizer
from .errors import UnknownTokenizer
from .presets import PRESETS


def load(name_or_path: str | Path, **options: Any) -> Tokenizer:
    """Build a tokenizer.

    - a preset (`cpm`, `cpm-v0`, `bert-base-chinese`, `clue-small`, `uer-gpt2-chinese`,
      `gpt2-chinese`, `gpt2-ml`, `gpt2-quickly`): its registered vocabulary, checked by sha256;
    - a `vocab.txt` (BERT WordPiece) or a SentencePiece `.model` (CPM) path;
    - a directory holding one of those (a model folder).
    Options go to the family (e.g. `dialect="hf-slow"` for BERT); they override a preset's defaults.
    """
    key = str(name_or_path)
    if key in PRESETS:
        preset = PRESETS[key]
        tokenizer = _family(preset.family).load_preset(preset, **options)
        tokenizer.model_max_length = preset.model_max_length
    else:
        path = Path(name_or_path)
        if not path.exists():
            known = ", ".join(sorted(PRESETS))
            raise UnknownTokenizer(f"{key!r} is neither a preset ({known}) nor an existing path")
        tokenizer = _family(_family_of_path(path)).load_path(path, **options)
    tokenizer.recipe = Recipe(load, key, dict(options))
    return tokenizer


def _family_of_path(path: Path) -> str:
    if path.is_dir():
        if (path / "vocab.txt").is_file():
            return "bert"
        if any(path.glob("*.model")):
            return "cpm"
        raise UnknownTokenizer(f"{path}: a model directory needs vocab.txt (BERT) or a SentencePiece .model (CPM)")
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
