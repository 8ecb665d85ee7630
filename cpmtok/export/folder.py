"""Writing an export folder: every file built in memory first, deterministic bytes, nothing overwritten
unless asked.

An export is a mapping {file name: bytes}; building it completely before touching the disk means a
failure (a missing vocabulary, an inexpressible dialect) leaves the target folder as it was, and
the same inputs always give the same bytes (JSON with a fixed key order, "\\n" line ends).
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any, Mapping

from ..errors import ExportTargetNotEmpty

Files = dict[str, bytes]


def json_bytes(obj: Any, *, sort_keys: bool) -> bytes:
    """UTF-8 JSON, two-space indent, one final newline; `sort_keys=False` keeps the built order
    (a tokenizer.json vocabulary reads best in id order)."""
    return (json.dumps(obj, ensure_ascii=False, indent=2, sort_keys=sort_keys) + "\n").encode("utf-8")


def check_target(out_dir: Path, *, force: bool) -> None:
    """Refuse a target that is a file, or a folder that already holds something (unless `force`)."""
    if out_dir.exists() and not out_dir.is_dir():
        raise ExportTargetNotEmpty(f"{out_dir} exists and is not a folder; nothing was written")
    if force or not out_dir.is_dir():
        return
    entries = sorted(entry.name for entry in out_dir.iterdir())
    if entries:
        shown = ", ".join(entries[:5]) + (", ..." if len(entries) > 5 else "")
        raise ExportTargetNotEmpty(
            f"{out_dir} is not empty ({shown}); nothing was written. Pass --force (Python: force=True) "
            "to write the export's files into it; other files there are left as they are."
        )


def write_files(out_dir: Path, files: Mapping[str, bytes], *, force: bool) -> list[Path]:
    """Write every file (each to a temporary name, then renamed into place); returns the paths, sorted."""
    check_target(out_dir, force=force)
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for name in sorted(files):
        target = out_dir / name
        partial = target.with_name(target.name + ".partial")
        partial.write_bytes(files[name])
        os.replace(partial, target)
        written.append(target)
    return written
