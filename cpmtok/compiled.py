"""Whether cpmtok's compiled code runs: `CPMTOK_PURE=1` forces the pure-Python twin of every C extension.

Each extension (`cpm/_jieba.c`, `_packed_ids.c`) has a readable Python twin beside it: the fallback where the
extension was not built, and the oracle its differential tests hold it to.
"""

from __future__ import annotations

import os
from functools import lru_cache
from types import ModuleType
from typing import Optional

ENV_PURE = "CPMTOK_PURE"


def pure_forced() -> bool:
    """True under CPMTOK_PURE=1, read at each call (a test or a worker may set it)."""
    return os.environ.get(ENV_PURE) == "1"


@lru_cache(maxsize=1)
def packed_ids_extension() -> Optional[ModuleType]:
    """`cpmtok._packed_ids` (int32 packing of ids between processes), or None where it was not built."""
    try:
        from . import _packed_ids
    except ImportError:
        return None
    return _packed_ids
