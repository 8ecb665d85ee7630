"""Input records, streamed: JSONL (a chosen field), plain lines, Parquet / Arrow columns; gzip and zstd by magic.

Each record is a `Record` naming where it came from (`file:line`, `file:row N`) and either its text or the
problem that made it unusable, so a run can stop on it or skip it into a reject file. Nothing is read ahead
beyond one line or one record batch: memory does not grow with the input.
"""

from __future__ import annotations

import glob
import gzip
import io
import json
import sys
from pathlib import Path
from typing import BinaryIO, Iterator, NamedTuple, Optional

from ..errors import InvalidInput, UnsupportedDependency

INPUT_FORMATS = ("auto", "jsonl", "lines", "parquet", "arrow")
_GZIP, _ZSTD, _BOM = b"\x1f\x8b", b"\x28\xb5\x2f\xfd", b"\xef\xbb\xbf"


class Record(NamedTuple):
    where: str  # "file:line" (1-based), shown in errors and reject files
    text: Optional[str]  # None when `problem` says why there is no text
    problem: Optional[str]
    size: int  # input bytes the record took (for progress)


def expand_inputs(patterns: list[str]) -> list[str]:
    """Files named or matched by glob patterns, in the order given (each pattern's matches sorted); '-' is stdin."""
    files: list[str] = []
    for pattern in patterns:
        if pattern == "-":
            files.append(pattern)
        elif glob.has_magic(pattern):
            matches = sorted(path for path in glob.glob(pattern, recursive=True) if Path(path).is_file())
            if not matches:
                raise InvalidInput(f"{pattern}: no file matches")
            files.extend(matches)
        elif not Path(pattern).is_file():
            raise InvalidInput(f"{pattern}: cannot read (no such file)")
        else:
            files.append(pattern)
    return files


def format_of(path: str, requested: str) -> str:
    """The input format: as requested, else by suffix (.parquet, .arrow/.feather/.ipc, .txt) — JSONL otherwise."""
    if requested != "auto":
        return requested
    name = path.lower().removesuffix(".gz").removesuffix(".zst").removesuffix(".zstd")
    if name.endswith(".parquet"):
        return "parquet"
    if name.endswith((".arrow", ".feather", ".ipc")):
        return "arrow"
    return "lines" if name.endswith(".txt") else "jsonl"


def read_records(path: str, input_format: str = "auto", field: str = "text") -> Iterator[Record]:
    """Every record of one input file ('-' = standard input), in file order."""
    kind = format_of(path, input_format)
    if kind in ("parquet", "arrow"):
        yield from _columnar_records(path, kind, field)
        return
    name = "<stdin>" if path == "-" else path
    with _open(path) as stream:
        for number, raw in enumerate(stream, start=1):
            if number == 1 and raw.startswith(_BOM):
                raw = raw[len(_BOM):]
            size = len(raw)
            raw = raw[:-1] if raw.endswith(b"\n") else raw
            if kind == "jsonl" and not raw.strip():
                continue  # a blank line separates nothing and holds no record
            yield _parse(raw, f"{name}:{number}", size, kind == "lines", field)


def _parse(raw: bytes, where: str, size: int, lines: bool, field: str) -> Record:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as err:
        return Record(where, None, f"not UTF-8 ({err.reason} at byte {err.start})", size)
    if lines:
        return Record(where, text, None, size)
    try:
        record = json.loads(text)
    except json.JSONDecodeError as err:
        return Record(where, None, f"not JSON ({err.msg})", size)
    if not isinstance(record, dict) or not isinstance(record.get(field), str):
        return Record(where, None, f"expected an object with a string {json.dumps(field)} field", size)
    return Record(where, record[field], None, size)


def _open(path: str) -> BinaryIO:
    """The file's bytes, gunzipped or zstd-decompressed when its first bytes say so."""
    if path == "-":
        return sys.stdin.buffer
    try:
        raw = open(path, "rb")
    except OSError as err:
        raise InvalidInput(f"{path}: cannot read ({err.strerror})") from None
    magic = raw.read(4)
    raw.seek(0)
    if magic.startswith(_GZIP):
        return gzip.GzipFile(fileobj=raw)  # type: ignore[return-value]
    if magic == _ZSTD:
        zstandard = _optional("zstandard", "a zstd-compressed input")
        return io.BufferedReader(zstandard.ZstdDecompressor().stream_reader(raw, closefd=True))  # type: ignore
    return raw


def _columnar_records(path: str, kind: str, field: str) -> Iterator[Record]:
    pa = _optional("pyarrow", f"a {kind} input")
    try:
        if kind == "parquet":
            import pyarrow.parquet as pq

            source = pq.ParquetFile(path)
            schema, batches = source.schema_arrow, source.iter_batches(batch_size=1024, columns=[field])
        else:
            import pyarrow.ipc as ipc

            try:
                reader = ipc.open_file(path)
                schema = reader.schema
                batches = (reader.get_batch(i) for i in range(reader.num_record_batches))
            except pa.ArrowInvalid:
                reader = ipc.open_stream(path)
                schema, batches = reader.schema, iter(reader)
    except (OSError, pa.ArrowException) as err:
        raise InvalidInput(f"{path}: cannot read as {kind} ({err})") from None
    if field not in schema.names:
        raise InvalidInput(f"{path}: no column {field!r} (columns: {', '.join(schema.names)})")
    row = 0
    for batch in batches:
        for text in batch.column(field).to_pylist():
            row += 1
            if isinstance(text, str):
                yield Record(f"{path}:row {row}", text, None, len(text))
            else:
                yield Record(f"{path}:row {row}", None, f"column {field!r} holds {type(text).__name__}, not a string",
                             0)


def _optional(module: str, purpose: str):
    """An optional dependency, or a typed error naming the extra that installs it."""
    try:
        return __import__(module)
    except ImportError:
        raise UnsupportedDependency(f"{purpose} needs the {module} package: pip install 'cpmtok[corpus]'") from None
