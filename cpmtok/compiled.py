"""Whether cpmtok's compiled code runs: `CPMTOK_PURE=1` forces the pure-Python twin of every C extension.

Each extension (`cpm/_jieba.c`, `batch/_packed_ids.c`) has a readable Python twin beside it: the fallback where
the extension was not built, and the oracle its differential tests hold it to.
"""

from __future__ import annotations

import os

ENV_PURE = "CPMTOK_PURE"


def pure_forced() -> bool:
    """True under CPMTOK_PURE=1, read at each call (a test or a worker may set it)."""
    return os.environ.get(ENV_PURE) == "1"
