"""The corpus pipeline: records in (readers), ids by `cpmtok.batch.encode_stream` on every core, files out (writers).

One pass, constant memory: records are read as the encoder asks for them, results come back in input order
and go straight to the sink. A small JSON state beside the output (PREFIX.cpmtok-state.json), rewritten about
once a second and at a stop, says how many records are done and how far each temporary file got: after
Ctrl-C / SIGTERM (or a crash) `resume=True` truncates the files to that point, skips those records and
carries on, giving the same bytes as an uninterrupted run. Bad records stop the run (`on_error="stop"`) or
are listed with file:line and reason in a reject file and counted (`"skip"`).
"""

from __future__ import annotations

import dataclasses
import json
import os
import signal
import sys
import threading
import time
from collections import deque
from itertools import chain, islice
from pathlib import Path
from typing import Any, Iterable, Iterator, Optional

import numpy as np

from ..base import Tokenizer
from ..batch import encode_stream
from ..errors import CpmtokError, InvalidInput, InvalidOption
from ..packing import TAILS, Packer, token_dtype
from .readers import INPUT_FORMATS, Record, expand_inputs, format_of, read_records
from .writers import FORMATS, AppendFile, JsonlSink, MegatronSink, PackedSink, ParquetSink, ShardedSink, Sink

STATE_VERSION = 1
CHECKPOINT_SECONDS = 1.0


@dataclasses.dataclass(frozen=True)
class EncodeOptions:
    """What a run produces (all but the last four fields must match for a resume)."""

    format: str = "jsonl"
    output: Optional[str] = None  # file (jsonl) or prefix; None: jsonl to standard output
    field: str = "text"  # JSONL key / Parquet-Arrow column
    input_format: str = "auto"
    add_special_tokens: bool = False
    append_eod: bool = False  # each document then the eos id ([SEP] / <eod>), as Megatron's --append-eod
    seq_length: Optional[int] = None  # packed
    tail: str = "pad"  # packed: see cpmtok.packing
    shard_size: int = 1 << 25  # tokens per npy / parquet / packed shard
    fields: tuple[str, ...] = ("ids",)  # jsonl: also "tokens", "offsets"
    on_error: str = "stop"  # or "skip"
    rejects: Optional[str] = None  # skip: where bad records are listed (default OUTPUT.rejects, else stderr)
    workers: int = 1
    chunk_size: int = 256
    resume: bool = False
    progress: bool = False

    def fingerprint(self, tokenizer: Tokenizer, files: list[str]) -> dict[str, Any]:
        produced = {key: value for key, value in dataclasses.asdict(self).items()
                    if key not in ("workers", "chunk_size", "resume", "progress")}
        inputs = [[path, os.stat(path).st_size, os.stat(path).st_mtime_ns] for path in files]
        return {**produced, "fields": list(self.fields), "tokenizer": recipe_json(tokenizer), "inputs": inputs}


@dataclasses.dataclass
class Summary:
    records: int = 0  # input records handled (written or rejected)
    written: int = 0
    rejected: int = 0
    files: list[Path] = dataclasses.field(default_factory=list)
    rejects: Optional[Path] = None
    interrupted: Optional[str] = None  # the signal's name when a run stopped early (resumable)
    state: Optional[Path] = None


def encode_corpus(tokenizer: Tokenizer, inputs: list[str], options: EncodeOptions) -> Summary:
    """Encode every record of `inputs` (files, globs, '-') into `options.output`; see the module docstring."""
    files = expand_inputs(inputs)
    check_options(options, files)
    output = Path(options.output) if options.output else None
    state_path = Path(f"{output}.cpmtok-state.json") if output else None
    fingerprint = options.fingerprint(tokenizer, [f for f in files if f != "-"])
    saved = _saved_state(state_path, fingerprint, options.resume)
    sink = make_sink(tokenizer, options, saved["sink"] if saved else None)
    rejects = Rejects(options, saved)
    summary = Summary(records=saved["records"] if saved else 0, written=saved["written"] if saved else 0,
                      rejected=saved["rejected"] if saved else 0, rejects=rejects.path, state=state_path)

    def save() -> None:
        if state_path is not None:
            state = {"version": STATE_VERSION, "settings": fingerprint, "records": summary.records,
                     "written": summary.written, "rejected": summary.rejected, "rejects": rejects.size(),
                     "sink": sink.state()}
            temporary = state_path.with_name(state_path.name + ".tmp")
            temporary.write_text(json.dumps(state), encoding="utf-8")
            os.replace(temporary, state_path)

    save()
    records = islice(chain.from_iterable(read_records(f, options.input_format, options.field) for f in files),
                     summary.records, None)
    eos = [tokenizer.eos_token_id] if options.append_eod else []
    progress = _progress(options.progress, files)
    last_save = time.monotonic()
    with StopSignals() as stop:
        stream = encoded(tokenizer, records, options)
        try:
            for record, ids in stream:
                if stop.received:
                    summary.interrupted = stop.received
                    break
                if isinstance(ids, CpmtokError) or ids is None:
                    problem = str(ids) if ids is not None else record.problem
                    if options.on_error == "stop":
                        sink.discard()
                        rejects.discard()
                        _remove(state_path)
                        raise (type(ids) if ids is not None else InvalidInput)(f"{record.where}: {problem}")
                    rejects.add(record.where, problem)
                    summary.rejected += 1
                else:
                    sink.write(summary.records, ids + eos if eos else ids, record.text)
                    summary.written += 1
                summary.records += 1
                progress.update(record.size)
                if state_path is not None and time.monotonic() - last_save > CHECKPOINT_SECONDS:
                    save()
                    last_save = time.monotonic()
        finally:
            stream.close()
            progress.close()
    if summary.interrupted:
        save()
        rejects.close()
        return summary
    summary.files = sink.finish()
    rejects.close()
    _remove(state_path)
    return summary


def encoded(tokenizer: Tokenizer, records: Iterable[Record], options: EncodeOptions
            ) -> Iterator[tuple[Record, Any]]:
    """(record, ids | CpmtokError | None) in input order; None for a record that had no text to encode."""
    queued: deque[Record] = deque()

    def texts() -> Iterator[str]:
        for record in records:
            queued.append(record)
            if record.problem is None:
                yield record.text  # type: ignore[misc]

    for result in encode_stream(tokenizer, texts(), add_special_tokens=options.add_special_tokens,
                                workers=options.workers, chunk_size=options.chunk_size, on_error="return"):
        record = queued.popleft()
        while record.problem is not None:
            yield record, None
            record = queued.popleft()
        yield record, result
    while queued:
        yield queued.popleft(), None


def check_options(options: EncodeOptions, files: list[str]) -> None:
    """Every user error of a run's options, before anything is written."""
    problems = []
    if options.format not in FORMATS:
        problems.append(f"unknown format {options.format!r} (expected {', '.join(FORMATS)})")
    if options.input_format not in INPUT_FORMATS:
        problems.append(f"unknown input format {options.input_format!r} (expected {', '.join(INPUT_FORMATS)})")
    if options.workers < 1:
        problems.append(f"--workers must be at least 1, got {options.workers}")
    if options.format != "jsonl" and not options.output:
        problems.append(f"--format {options.format} needs --output PREFIX")
    if (options.format == "packed") != (options.seq_length is not None):
        problems.append("--seq-length goes with --format packed, and packed needs it")
    if options.seq_length is not None and options.seq_length < 1:
        problems.append(f"--seq-length must be at least 1, got {options.seq_length}")
    if options.tail not in TAILS or (options.format == "packed" and options.tail == "keep"):
        problems.append(f"--tail must be pad or drop, got {options.tail!r}")
    if options.format == "packed" and options.append_eod:
        problems.append("--append-eod does not go with --format packed (packing always ends each document with it)")
    if options.shard_size < 1:
        problems.append(f"--shard-size must be at least 1, got {options.shard_size}")
    if options.format != "jsonl" and set(options.fields) - {"ids"}:
        problems.append("--tokens / --offsets go with --format jsonl only")
    if options.on_error not in ("stop", "skip"):
        problems.append(f"--on-error must be stop or skip, got {options.on_error!r}")
    if options.resume and (not options.output or "-" in files):
        problems.append("--resume needs --output and input files (not standard input)")
    if options.output and not Path(options.output).absolute().parent.is_dir():
        problems.append(f"--output {options.output}: no such directory {Path(options.output).parent}")
    if problems:
        raise InvalidOption("; ".join(problems))


def make_sink(tokenizer: Tokenizer, options: EncodeOptions, resume: Optional[dict[str, Any]]) -> Sink:
    """The sink of `options.format`, fresh or continuing a saved state."""
    dtype = token_dtype(tokenizer.vocab_size)
    output = Path(options.output) if options.output else None
    if options.format == "jsonl":
        return JsonlSink(output, tokenizer, options.fields, options.add_special_tokens, resume)
    assert output is not None
    if options.format == "megatron":
        return MegatronSink(output, dtype, resume)
    settings = {"format": options.format, "tokenizer": recipe_json(tokenizer)[0], "append_eod": options.append_eod}
    if options.format == "packed":
        packer = Packer(options.seq_length or 0, tokenizer.eos_token_id, tail=options.tail,
                        pad_id=tokenizer.pad_token_id, dtype=dtype, remainder=resume["remainder"] if resume else ())
        settings.update(seq_length=options.seq_length, tail=options.tail, separator=tokenizer.eos_token_id)
        return PackedSink(output, dtype, options.shard_size, settings, packer, resume)
    kind = ParquetSink if options.format == "parquet" else ShardedSink
    return kind(output, dtype, options.shard_size, settings, resume)


class Rejects:
    """Skipped records, one `where: reason` line each: a file (resumable) or, for a run without one, stderr."""

    def __init__(self, options: EncodeOptions, saved: Optional[dict[str, Any]]) -> None:
        self.path: Optional[Path] = None
        self.file: Optional[AppendFile] = None
        if options.on_error == "skip" and (options.rejects or options.output):
            self.path = Path(options.rejects or f"{options.output}.rejects")
            self.file = AppendFile(self.path, saved["rejects"] if saved else None)

    def add(self, where: str, problem: str) -> None:
        line = f"{where}: {problem}\n"
        if self.file is not None:
            self.file.write(line.encode("utf-8"))
        else:
            sys.stderr.write(line)

    def size(self) -> Optional[int]:
        return self.file.size() if self.file is not None else None

    def close(self) -> None:
        if self.file is not None:
            self.file.close()

    def discard(self) -> None:
        if self.file is not None and self.path is not None:
            self.file.close()
            self.path.unlink(missing_ok=True)


class StopSignals:
    """SIGINT / SIGTERM set `received` (the signal's name) instead of killing the run; restored on exit.

    Forked encoder workers inherit the handler, so a Ctrl-C to the whole process group does not break them.
    """

    def __init__(self) -> None:
        self.received: Optional[str] = None
        self._previous: dict[int, Any] = {}

    def __enter__(self) -> "StopSignals":
        if threading.current_thread() is threading.main_thread():
            for number in (signal.SIGINT, signal.SIGTERM):
                self._previous[number] = signal.signal(number, self._handle)
        return self

    def _handle(self, number: int, frame: Any) -> None:
        self.received = signal.Signals(number).name

    def __exit__(self, *exc: Any) -> None:
        for number, handler in self._previous.items():
            signal.signal(number, handler)


def _saved_state(path: Optional[Path], fingerprint: dict[str, Any], resume: bool) -> Optional[dict[str, Any]]:
    if path is None:
        return None
    if not resume:
        if path.exists():
            raise InvalidOption(f"{path} records an unfinished run into this output: pass --resume to continue "
                                 "it, or delete that file to start again")
        return None
    if not path.exists():
        raise InvalidOption(f"--resume: no unfinished run to continue ({path} does not exist)")
    state = json.loads(path.read_text(encoding="utf-8"))
    if state.get("version") != STATE_VERSION:
        raise InvalidOption(f"--resume: {path} was written by another cpmtok version")
    differ = [key for key in fingerprint if state["settings"].get(key) != fingerprint[key]]
    if differ:
        raise InvalidOption(f"--resume: the run in {path} had other {', '.join(differ)}; resume it with the "
                             "same inputs and options")
    return state


def recipe_json(tokenizer: Tokenizer) -> list[Any]:
    """[name_or_path, options] of `cpmtok.load` (JSON, for the state file and Dask workers)."""
    recipe = tokenizer.recipe
    return [recipe.name_or_path, dict(recipe.options)] if recipe is not None else [tokenizer.name, {}]


def _remove(path: Optional[Path]) -> None:
    if path is not None:
        path.unlink(missing_ok=True)


class _NoProgress:
    def update(self, n: int) -> None:
        pass

    def close(self) -> None:
        pass


def _progress(enabled: bool, files: list[str]):
    """A tqdm bar on stderr (bytes of input, with rate and ETA when the size is known), or nothing."""
    if not enabled:
        return _NoProgress()
    try:
        from tqdm import tqdm
    except ImportError:  # progress is a convenience: without tqdm (pip install 'cpmtok[corpus]') a run is quiet
        return _NoProgress()
    plain = all(f != "-" and format_of(f, "auto") in ("jsonl", "lines") and not _compressed(f) for f in files)
    total = sum(os.path.getsize(f) for f in files) if plain else None
    return tqdm(total=total, unit="B", unit_scale=True, desc="encode", file=sys.stderr, dynamic_ncols=True)


def _compressed(path: str) -> bool:
    with open(path, "rb") as f:
        magic = f.read(4)
    return magic[:2] == b"\x1f\x8b" or magic == b"\x28\xb5\x2f\xfd"
