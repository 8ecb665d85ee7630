"""cpmtok's own directory for files it writes or places: `$CPMTOK_HOME`, else the platform's user cache.

Never site-packages or a checkout: an installed package may be read-only or shared, and a checkout is
the user's. Everything cpmtok writes (placed vocabulary files, prepared jieba tables) lives under this
one root, so deleting it is always safe: it is rebuilt or re-placed on demand.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

ENV_HOME = "CPMTOK_HOME"


def user_cache_root() -> Path:
    """The platform's per-user cache directory (what platformdirs' user_cache_dir gives, without the dependency)."""
    if sys.platform == "win32":
        return Path(os.environ.get("LOCALAPPDATA") or Path.home() / "AppData" / "Local")
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Caches"
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")


def home() -> Path:
    """cpmtok's root: `$CPMTOK_HOME` if set, else `<user cache>/cpmtok`."""
    configured = os.environ.get(ENV_HOME)
    return Path(configured) if configured else user_cache_root() / "cpmtok"


def cache_dir(name: str) -> Path:
    """`home()/name` (e.g. "vocab" for placed files, "jieba" for prepared tables); writers create it."""
    return home() / name
