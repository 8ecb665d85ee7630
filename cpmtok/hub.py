"""The local Hugging Face Hub cache, read as huggingface_hub lays it out (without importing it).

    <cache>/models--ORG--NAME/refs/main              the revision `main` points at
    <cache>/models--ORG--NAME/snapshots/REV/FILE     a file of that revision (usually a symlink into blobs/)

<cache> is `$HF_HUB_CACHE`, else `$HF_HOME/hub`, else `$XDG_CACHE_HOME/huggingface/hub` (default
`~/.cache/huggingface/hub`). Only downloading needs huggingface_hub (the optional `hub` extra).
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Optional

from .errors import UnsupportedDependency

_REPO_ID = re.compile(r"[A-Za-z0-9][\w.-]*(/[A-Za-z0-9][\w.-]*)?")


def cache_dir() -> Path:
    if os.environ.get("HF_HUB_CACHE"):
        return Path(os.environ["HF_HUB_CACHE"])
    if os.environ.get("HF_HOME"):
        return Path(os.environ["HF_HOME"]) / "hub"
    xdg = os.environ.get("XDG_CACHE_HOME")
    return (Path(xdg) if xdg else Path.home() / ".cache") / "huggingface" / "hub"


def is_repo_id(name: str) -> bool:
    """`ORG/NAME` or a legacy `NAME` (no path separators beyond the one slash, no `..`)."""
    return bool(_REPO_ID.fullmatch(name)) and ".." not in name


def repo_dir(repo_id: str) -> Path:
    return cache_dir() / ("models--" + repo_id.replace("/", "--"))


def snapshots(repo_id: str) -> list[Path]:
    """Every cached snapshot of the repository, the one `refs/main` names first."""
    root = repo_dir(repo_id) / "snapshots"
    if not root.is_dir():
        return []
    found = sorted(path for path in root.iterdir() if path.is_dir())
    main = main_snapshot(repo_id)
    return [main, *(path for path in found if path != main)] if main is not None else found


def main_snapshot(repo_id: str) -> Optional[Path]:
    """The snapshot `refs/main` points at; without refs/main, the only snapshot if there is exactly one."""
    repo = repo_dir(repo_id)
    try:
        revision = (repo / "refs" / "main").read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError):
        revision = ""
    if revision and "/" not in revision and (repo / "snapshots" / revision).is_dir():
        return repo / "snapshots" / revision
    root = repo / "snapshots"
    found = [path for path in root.iterdir() if path.is_dir()] if root.is_dir() else []
    return found[0] if len(found) == 1 else None


def download(repo_id: str, filename: str) -> tuple[Optional[Path], str]:
    """Fetch one file into the Hugging Face cache: (path, "") or (None, why not).

    Network; needs huggingface_hub (`pip install 'cpmtok[hub]'`). Its errors (no network, no such repo
    or file) are OSError or ValueError subclasses; they become the reason, so `setup` can try the next source.
    """
    try:
        from huggingface_hub import hf_hub_download
    except ImportError:
        raise UnsupportedDependency("downloading needs huggingface_hub: pip install 'cpmtok[hub]' "
                                    "(or pip install huggingface_hub)") from None
    try:
        return Path(hf_hub_download(repo_id, filename, cache_dir=str(cache_dir()))), ""
    except (OSError, ValueError) as err:
        return None, f"{type(err).__name__}: {str(err).splitlines()[0] if str(err) else ''}"
