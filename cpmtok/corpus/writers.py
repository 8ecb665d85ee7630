"""Output sinks: documents (in input order) in, training-ready files out.

Every sink writes to temporary names (`*.tmp`) and renames a file only once it is complete; `state()` flushes
and says how far each temporary file got, so an interrupted run resumes by truncating them to that point
(`resume=`) and appending. Formats:

- jsonl: `{"ids": [...]}` per line (plus tokens/offsets on request), one file or standard output;
- megatron: PREFIX.bin + PREFIX.idx (cpmtok.corpus.mmidx), one sequence per document;
- npy: PREFIX-00000.npy (documents' tokens back to back) + PREFIX-00000.lengths.npy per shard;
- parquet: PREFIX-00000.parquet per shard, an `id` column (the record's input number) and `input_ids`;
- packed: PREFIX-00000.npy per shard, (windows, seq_length) rows (cpmtok.packing).
Sharded formats cut a shard before the document that would take it past `shard_size` tokens (a longer
document gets a shard of its own) and end with PREFIX.manifest.json listing the shards.
"""

from __future__ import annotations

import json
import os
import struct
import sys
import threading
from pathlib import Path
from typing import Any, Optional, Sequence

import numpy as np

from ..encoding import Encoding
from ..packing import Packer
from .mmidx import write_index

FORMATS = ("jsonl", "megatron", "npy", "parquet", "packed")
_NPY_HEADER = 128  # bytes reserved before a shard's tokens; the real header is written when the shard closes


class AppendFile:
    """A binary file written at its end; reopened for a resume by truncating it to the size a state recorded."""

    def __init__(self, path: Path, size: Optional[int] = None) -> None:
        self.path = path
        if size is None:
            self.file = open(path, "wb")
        else:
            if not path.is_file() or path.stat().st_size < size:
                raise FileNotFoundError(f"{path}: missing or shorter than the saved state says ({size} bytes)")
            self.file = open(path, "r+b")
            self.file.truncate(size)
            self.file.seek(size)
        self.write = self.file.write

    def size(self) -> int:
        self.file.flush()
        return self.file.tell()

    def close(self) -> None:
        self.file.close()


class Staging:
    """Documents on disk while a file is under way: tokens (after an optional reserved header), int32 lengths,
    and optionally int64 record numbers."""

    def __init__(self, tokens: Path, dtype: np.dtype, *, header: int = 0, numbers: bool = False,
                 sizes: Optional[dict[str, int]] = None) -> None:
        sizes = sizes or {}
        self.dtype = dtype
        self.tokens = AppendFile(tokens, sizes.get("tokens"))
        if "tokens" not in sizes:
            self.tokens.write(bytes(header))
        self.lengths = AppendFile(tokens.with_name(tokens.name + ".lengths"), sizes.get("lengths"))
        self.numbers = AppendFile(tokens.with_name(tokens.name + ".numbers"), sizes.get("numbers")) if numbers else None
        self.token_count = (self.tokens.size() - header) // dtype.itemsize
        self.documents = self.lengths.size() // 4

    def add(self, number: int, ids: Sequence[int]) -> None:
        self.tokens.write(np.asarray(ids, dtype=self.dtype).tobytes())
        self.lengths.write(struct.pack("<i", len(ids)))
        if self.numbers is not None:
            self.numbers.write(struct.pack("<q", number))
        self.token_count += len(ids)
        self.documents += 1

    def sizes(self) -> dict[str, int]:
        sizes = {"tokens": self.tokens.size(), "lengths": self.lengths.size()}
        if self.numbers is not None:
            sizes["numbers"] = self.numbers.size()
        return sizes

    def close(self, keep_tokens: bool = True) -> tuple[np.ndarray, Optional[np.ndarray]]:
        """Close; return lengths and record numbers, removing their side files."""
        for file in (self.tokens, self.lengths, self.numbers):
            if file is not None:
                file.close()
        lengths = np.fromfile(self.lengths.path, dtype="<i4")
        numbers = np.fromfile(self.numbers.path, dtype="<i8") if self.numbers is not None else None
        self.discard(keep_tokens=keep_tokens)
        return lengths, numbers

    def discard(self, keep_tokens: bool = False) -> None:
        for file in (self.tokens, self.lengths, self.numbers):
            if file is not None and (file is not self.tokens or not keep_tokens):
                file.close()
                file.path.unlink(missing_ok=True)


def temporary(path: Path) -> Path:
    return path.with_name(path.name + ".tmp")


class Sink:
    """write(number, ids, text) in input order; state() for a resume; finish() -> the files; discard()."""

    def write(self, number: int, ids: Sequence[int], text: Optional[str]) -> None:
        raise NotImplementedError

    def state(self) -> dict[str, Any]:
        raise NotImplementedError

    def finish(self) -> list[Path]:
        raise NotImplementedError

    def discard(self) -> None:
        raise NotImplementedError


class JsonlSink(Sink):
    """`{"ids": [...]}` lines (and "tokens"/"offsets" when asked) to a file or, without one, standard output.

    Standard output is flushed twice a second by a helper thread, so a reader downstream sees lines as they are
    made even while this process waits for more input."""

    def __init__(self, output: Optional[Path], tokenizer, fields: Sequence[str], add_special_tokens: bool,
                 resume: Optional[dict[str, Any]] = None) -> None:
        self.output, self.tokenizer, self.add_special_tokens = output, tokenizer, add_special_tokens
        self.extra = [field for field in fields if field != "ids"]
        self.file: Optional[AppendFile] = None
        self._lock = threading.Lock()
        self._done = threading.Event()
        if output is not None:
            self.file = AppendFile(temporary(output), resume["bytes"] if resume else None)
            self._stream = self.file.file
        else:
            self._stream = sys.stdout.buffer
            threading.Thread(target=self._flush_often, daemon=True).start()

    def _flush_often(self) -> None:
        while not self._done.wait(0.5):
            with self._lock:
                try:
                    self._stream.flush()
                except (BrokenPipeError, ValueError):  # the main thread meets the closed pipe on its next write
                    return

    def write(self, number: int, ids: Sequence[int], text: Optional[str]) -> None:
        row: dict[str, Any] = {"ids": [int(i) for i in ids]} if isinstance(ids, np.ndarray) else {"ids": ids}
        if self.extra:
            encoding = Encoding(row["ids"], text, source=self.tokenizer, add_special_tokens=self.add_special_tokens)
            for field in self.extra:
                row[field] = getattr(encoding, field)
        line = (json.dumps(row, ensure_ascii=False) + "\n").encode("utf-8")
        with self._lock:
            self._stream.write(line)

    def state(self) -> dict[str, Any]:
        with self._lock:
            self._stream.flush()
        return {"bytes": self.file.size()} if self.file is not None else {}

    def finish(self) -> list[Path]:
        self._done.set()
        if self.file is None or self.output is None:
            with self._lock:
                self._stream.flush()
            return []
        self.file.close()
        os.replace(self.file.path, self.output)
        return [self.output]

    def discard(self) -> None:
        self._done.set()
        if self.file is not None:
            self.file.close()
            self.file.path.unlink(missing_ok=True)


class MegatronSink(Sink):
    """PREFIX.bin + PREFIX.idx (MMIDIDX): the .bin grows as documents come; the .idx is written at the end."""

    def __init__(self, prefix: Path, dtype: np.dtype, resume: Optional[dict[str, Any]] = None) -> None:
        self.bin, self.idx = Path(f"{prefix}.bin"), Path(f"{prefix}.idx")
        self.staging = Staging(temporary(self.bin), dtype, sizes=resume)

    def write(self, number: int, ids: Sequence[int], text: Optional[str]) -> None:
        self.staging.add(number, ids)

    def state(self) -> dict[str, Any]:
        return self.staging.sizes()

    def finish(self) -> list[Path]:
        lengths, _ = self.staging.close()
        write_index(temporary(self.idx), self.staging.dtype, lengths)
        os.replace(temporary(self.bin), self.bin)
        os.replace(temporary(self.idx), self.idx)
        return [self.bin, self.idx]

    def discard(self) -> None:
        self.staging.discard()


class ShardedSink(Sink):
    """Shards PREFIX-00000.<suffix>, ...: one under way (staged), the finished ones renamed, then a manifest."""

    suffix = ".npy"

    def __init__(self, prefix: Path, dtype: np.dtype, shard_size: int, settings: dict[str, Any],
                 resume: Optional[dict[str, Any]] = None) -> None:
        self.prefix, self.dtype, self.shard_size, self.settings = prefix, dtype, shard_size, settings
        self.shards: list[dict[str, Any]] = resume["shards"] if resume else []
        self.staging = self._stage(resume["staging"] if resume else None)

    def shard_path(self, number: int) -> Path:
        return Path(f"{self.prefix}-{number:05d}{self.suffix}")

    def _stage(self, sizes: Optional[dict[str, int]]) -> Staging:
        return Staging(temporary(self.shard_path(len(self.shards))), self.dtype, header=self._header(),
                       numbers=self._numbers(), sizes=sizes)

    def _header(self) -> int:
        return _NPY_HEADER

    def _numbers(self) -> bool:
        return False

    def write(self, number: int, ids: Sequence[int], text: Optional[str]) -> None:
        if self.staging.documents and self.staging.token_count + len(ids) > self.shard_size:
            self._close_shard()
        self.staging.add(number, ids)

    def _close_shard(self) -> None:
        path = self.shard_path(len(self.shards))
        tokens, documents = self.staging.token_count, self.staging.documents
        lengths, numbers = self.staging.close()
        self.shards.append({"file": path.name, "documents": documents, "tokens": tokens,
                            **self._complete(path, lengths, numbers)})
        self.staging = self._stage(None)

    def _complete(self, path: Path, lengths: np.ndarray, numbers: Optional[np.ndarray]) -> dict[str, Any]:
        """Turn the staged shard into its final file(s); extra manifest fields."""
        _finish_npy(temporary(path), path, self.dtype, (int(lengths.sum()),))
        lengths_path = path.with_name(path.name.removesuffix(".npy") + ".lengths.npy")
        with open(temporary(lengths_path), "wb") as f:
            np.save(f, lengths)
        os.replace(temporary(lengths_path), lengths_path)
        return {"lengths": lengths_path.name}

    def state(self) -> dict[str, Any]:
        return {"shards": self.shards, "staging": self.staging.sizes()}

    def finish(self) -> list[Path]:
        if self.staging.documents or not self.shards:
            self._close_shard()
        self.staging.discard()
        manifest = Path(f"{self.prefix}.manifest.json")
        body = {**self.settings, "dtype": self.dtype.name, "shards": self.shards,
                "documents": sum(shard["documents"] for shard in self.shards),
                "tokens": sum(shard["tokens"] for shard in self.shards)}
        temporary(manifest).write_text(json.dumps(body, indent=1) + "\n", encoding="utf-8")
        os.replace(temporary(manifest), manifest)
        files = [self.prefix.parent / shard["file"] for shard in self.shards]
        return files + [self.prefix.parent / shard["lengths"] for shard in self.shards if "lengths" in shard] + [manifest]

    def discard(self) -> None:
        self.staging.discard()


class ParquetSink(ShardedSink):
    """Parquet shards: `id` (int64, the record's number in the input) beside `input_ids` (a list column)."""

    suffix = ".parquet"

    def _header(self) -> int:
        return 0

    def _numbers(self) -> bool:
        return True

    def _complete(self, path: Path, lengths: np.ndarray, numbers: Optional[np.ndarray]) -> dict[str, Any]:
        import pyarrow as pa
        import pyarrow.parquet as pq

        tokens = np.fromfile(temporary(path), dtype=self.dtype)
        offsets = np.zeros(len(lengths) + 1, dtype=np.int32)
        np.cumsum(lengths, out=offsets[1:])
        table = pa.table({"id": pa.array(numbers, pa.int64()),
                          "input_ids": pa.ListArray.from_arrays(pa.array(offsets), pa.array(tokens))})
        pq.write_table(table, temporary(path))
        os.replace(temporary(path), path)
        return {}


class PackedSink(ShardedSink):
    """Packed windows: each shard a (windows, seq_length) .npy; the packer's unfinished window is in the state."""

    def __init__(self, prefix: Path, dtype: np.dtype, shard_size: int, settings: dict[str, Any], packer: Packer,
                 resume: Optional[dict[str, Any]] = None) -> None:
        self.packer = packer
        super().__init__(prefix, dtype, max(shard_size // packer.seq_length, 1) * packer.seq_length, settings, resume)

    def write(self, number: int, ids: Sequence[int], text: Optional[str]) -> None:
        for window in self.packer.add(ids):
            self._add_window(window)

    def _add_window(self, window: np.ndarray) -> None:
        if self.staging.token_count + len(window) > self.shard_size:
            self._close_shard()
        self.staging.add(0, window)

    def _complete(self, path: Path, lengths: np.ndarray, numbers: Optional[np.ndarray]) -> dict[str, Any]:
        _finish_npy(temporary(path), path, self.dtype, (len(lengths), self.packer.seq_length))
        return {}

    def state(self) -> dict[str, Any]:
        return {**super().state(), "remainder": self.packer.remainder}

    def finish(self) -> list[Path]:
        for window in self.packer.finish():
            if len(window) == self.packer.seq_length:
                self._add_window(window)
        return super().finish()


def _finish_npy(staged: Path, final: Path, dtype: np.dtype, shape: tuple[int, ...]) -> None:
    """Write the .npy header into the space reserved before the tokens, then rename."""
    body = "{'descr': %r, 'fortran_order': False, 'shape': %r, }" % (np.lib.format.dtype_to_descr(dtype), shape)
    body = body.ljust(_NPY_HEADER - 11) + "\n"
    with open(staged, "r+b") as f:
        f.write(b"\x93NUMPY\x01\x00" + struct.pack("<H", len(body)) + body.encode("latin1"))
    os.replace(staged, final)


def read_shards(prefix: str | Path) -> list[np.ndarray]:
    """The documents (npy, parquet) or windows (packed) of a sharded output, from its manifest; for checks."""
    prefix = Path(prefix)
    manifest = json.loads(Path(f"{prefix}.manifest.json").read_text(encoding="utf-8"))
    documents: list[np.ndarray] = []
    for shard in manifest["shards"]:
        path = prefix.parent / shard["file"]
        if path.suffix == ".parquet":
            import pyarrow.parquet as pq

            documents += [np.asarray(ids, manifest["dtype"]) for ids in pq.read_table(path)["input_ids"].to_pylist()]
        elif "lengths" in shard:
            tokens, lengths = np.load(path), np.load(prefix.parent / shard["lengths"])
            documents += np.split(tokens, np.cumsum(lengths)[:-1]) if len(lengths) else []
        else:
            documents += list(np.load(path))
    return documents

