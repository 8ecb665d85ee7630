"""Megatron-Core's indexed dataset format (MMIDIDX), written from its documented layout and read back for checks.

`PREFIX.bin`: every sequence's tokens back to back. `PREFIX.idx`, little-endian: the magic b"MMIDIDX\\x00\\x00",
<Q version (1), <B dtype code, <Q sequence count, <Q document count (entries of the document index), then
int32 sequence lengths, int64 sequence byte offsets into .bin, int64 document index (0, then the sequence
count at each document's end). cpmtok writes one sequence per document.
"""

from __future__ import annotations

import struct
from pathlib import Path
from typing import Iterator

import numpy as np

MAGIC = b"MMIDIDX\x00\x00"
VERSION = 1
DTYPE_CODES = {np.dtype(np.uint8): 1, np.dtype(np.int8): 2, np.dtype(np.int16): 3, np.dtype(np.int32): 4,
               np.dtype(np.int64): 5, np.dtype(np.float64): 6, np.dtype(np.float32): 7, np.dtype(np.uint16): 8}


def write_index(path: Path, dtype: np.dtype, lengths: np.ndarray) -> None:
    """The .idx for sequences of `lengths` tokens (one document each) stored back to back as `dtype`."""
    lengths = np.asarray(lengths, dtype=np.int32)
    pointers = np.zeros(len(lengths), dtype=np.int64)
    np.cumsum(lengths[:-1], dtype=np.int64, out=pointers[1:])
    pointers *= np.dtype(dtype).itemsize
    documents = np.arange(len(lengths) + 1, dtype=np.int64)
    with open(path, "wb") as f:
        f.write(MAGIC + struct.pack("<Q", VERSION) + struct.pack("<B", DTYPE_CODES[np.dtype(dtype)]))
        f.write(struct.pack("<Q", len(lengths)) + struct.pack("<Q", len(documents)))
        for array in (lengths, pointers, documents):
            f.write(array.tobytes())


class IndexedDocuments:
    """A reader of PREFIX.idx/.bin: `len()`, `[i]` -> the i-th document's tokens (a view of the mapped .bin)."""

    def __init__(self, prefix: str | Path) -> None:
        idx = Path(f"{prefix}.idx").read_bytes()
        if idx[:9] != MAGIC:
            raise ValueError(f"{prefix}.idx: not an MMIDIDX index")
        version, code, sequences, documents = struct.unpack_from("<QBQQ", idx, 9)
        if version != VERSION:
            raise ValueError(f"{prefix}.idx: version {version}, expected {VERSION}")
        self.dtype = next(dtype for dtype, value in DTYPE_CODES.items() if value == code)
        offset = 9 + struct.calcsize("<QBQQ")
        self.lengths = np.frombuffer(idx, np.int32, sequences, offset)
        self.pointers = np.frombuffer(idx, np.int64, sequences, offset + 4 * sequences)
        self.document_index = np.frombuffer(idx, np.int64, documents, offset + 12 * sequences)
        size = Path(f"{prefix}.bin").stat().st_size
        self.tokens = np.memmap(f"{prefix}.bin", self.dtype, "r") if size else np.empty(0, self.dtype)

    def __len__(self) -> int:
        return len(self.document_index) - 1

    def __getitem__(self, document: int) -> np.ndarray:
        first, end = self.document_index[document], self.document_index[document + 1]
        start = self.pointers[first] // self.dtype.itemsize if end > first else 0
        return np.asarray(self.tokens[start:start + self.lengths[first:end].sum()])

    def __iter__(self) -> Iterator[np.ndarray]:
        return (self[i] for i in range(len(self)))
