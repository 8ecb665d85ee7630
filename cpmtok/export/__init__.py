"""`cpmtok.export`: a preset as a folder that the Hugging Face ecosystem loads with the same ids as cpmtok.

    >>> from cpmtok.export import export
    >>> export("uer-gpt2-chinese", "out/uer")        # vocab.txt, tokenizer.json, tokenizer_config.json, ...
    >>> export("cpm", "out/cpm")                     # AutoTokenizer(..., trust_remote_code=True)

Writes files only; imports neither transformers nor tokenizers. `cpmtok.json` records the preset and dialect
(which no Hugging Face file can say), so `cpmtok.load(folder)` gives the preset's own ids.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Optional

from ..errors import NotExpressible, UnknownTokenizer
from ..model_folder import MARKER
from ..presets import PRESETS
from .bert import BertFlags, bert_files
from .cpm import cpm_files
from .folder import Files, json_bytes, write_files
from .model_config import MODEL_TYPES, config_json

__all__ = ["export", "export_files", "MODEL_TYPES"]


def export_files(name: str, *, dialect: Optional[str] = None, approximate: bool = False,
                 model_type: Optional[str] = None, existing_config: Optional[bytes] = None) -> Files:
    """The folder's files as {name: bytes}, without writing anything."""
    if name not in PRESETS:
        raise UnknownTokenizer(f"{name!r} is not a preset; export takes one of {', '.join(sorted(PRESETS))}")
    preset = PRESETS[name]
    if preset.family == "bert":
        flags = BertFlags.of(preset, {"dialect": dialect})
        files = bert_files(preset, flags, approximate=approximate)
        files[MARKER] = json_bytes({"preset": name, "dialect": flags.dialect.name}, sort_keys=True)
    else:
        if dialect is not None:
            raise NotExpressible(f"{name}: --dialect is a BERT option; CPM presets have one behaviour")
        files = cpm_files(preset)
        files[MARKER] = json_bytes({"preset": name}, sort_keys=True)
    if model_type is not None:
        tokenizer_class = json.loads(files["tokenizer_config.json"])["tokenizer_class"]
        files["config.json"] = config_json(existing_config, model_type, tokenizer_class)
    return files


def export(name: str, out_dir: str | Path, *, force: bool = False, dialect: Optional[str] = None,
           approximate: bool = False, model_type: Optional[str] = None) -> list[Path]:
    """Write preset `name`'s folder into `out_dir`; returns the files written.

    `out_dir` must be empty or absent unless `force` (then the export's files replace theirs, others
    stay). `dialect` overrides a BERT preset's; the google dialect needs `approximate=True`.
    `model_type="gpt2"` also sets `tokenizer_class` in out_dir/config.json (created if absent, other
    fields and weights untouched).
    """
    out_dir = Path(out_dir)
    config_path = out_dir / "config.json"
    existing = config_path.read_bytes() if model_type is not None and config_path.is_file() else None
    files = export_files(name, dialect=dialect, approximate=approximate, model_type=model_type,
                         existing_config=existing)
    return write_files(out_dir, files, force=force)
