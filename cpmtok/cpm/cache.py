"""CPM's cache files: a payload, then the sha256 of the files it was derived from and a CRC-32 of the payload.

A cache is used only when it was built from the installed files (their digest matches) and reads back whole
(the CRC matches); anything else (a torn write, a flipped bit, another jieba) is rebuilt, never trusted.
Reads memory-map the file, so a large table costs page faults only where it is used.
"""

from __future__ import annotations

import mmap
import os
import struct
import tempfile
import zlib
from pathlib import Path
from typing import Optional

_TRAILER = struct.Struct("<32sI4x")  # source sha256, CRC-32 of the payload; 40 bytes keep 8-byte alignment


def read_checked(path: Path, source_digest: bytes) -> Optional[memoryview]:
    """The payload of a cache file written by `write_checked` for these sources, or None."""
    try:
        with open(path, "rb") as f:
            mapped = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
    except (OSError, ValueError):  # missing, unreadable, or empty
        return None
    view = memoryview(mapped)
    if len(view) < _TRAILER.size:
        return None
    payload = view[:-_TRAILER.size]
    digest, crc = _TRAILER.unpack(view[-_TRAILER.size:])
    if digest != source_digest or zlib.crc32(payload) != crc:
        return None
    return payload


def write_checked(path: Path, payload: bytes, source_digest: bytes) -> None:
    """Best effort (a read-only place just rebuilds each time); the directory is made if missing; written whole
    under a temporary name, then renamed."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, partial = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".partial")
    except OSError:
        return
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(payload)
            f.write(_TRAILER.pack(source_digest, zlib.crc32(payload)))
        os.replace(partial, path)
    except OSError:
        Path(partial).unlink(missing_ok=True)
