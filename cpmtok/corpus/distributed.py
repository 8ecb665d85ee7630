"""The corpus pipeline on a Dask cluster (`pip install 'cpmtok[dask]'`): one task per partition, then one merge.

Each partition (of a dask.bag of texts, a dask.dataframe column, or one input file per partition from the CLI)
is encoded on a worker, which writes its own shard under OUTPUT.parts/ (tokens, lengths, record numbers and
its rejects). The final step, on the client, streams the shards in partition order through the same sink a
local run uses and writes the index / manifest — so the files are byte-identical to `encode_corpus`'s. The
output directory must be visible to the workers (a shared file system).
"""

from __future__ import annotations

import dataclasses
import json
import shutil
from pathlib import Path
from typing import Any, Iterable, Iterator, Optional

import numpy as np

from ..base import Tokenizer
from ..errors import CpmtokError, InvalidOption
from ..packing import token_dtype
from .readers import Record, expand_inputs, read_records
from .run import EncodeOptions, Rejects, Summary, check_options, encoded, make_sink, recipe_json
from .writers import Staging

_tokenizers: dict[str, Tokenizer] = {}  # per worker process: recipe -> tokenizer, loaded once


def encode_on_dask(tokenizer: Tokenizer, texts: Any, options: EncodeOptions, *, client: Any = None) -> Summary:
    """Encode a dask.bag of str or a dask.dataframe (column `options.field`) / Series into `options.output`.

    Records are numbered in partition order; a reject names `partition P:N` (N-th text of partition P, from 1).
    """
    parts = texts.to_delayed()
    return _run(tokenizer, [(_encode_texts, part) for part in parts], options, client)


def encode_files_on_dask(scheduler: str, tokenizer: Tokenizer, inputs: list[str], options: EncodeOptions) -> Summary:
    """The CLI's `--scheduler`: one partition per input file (rejects name file:line as in a local run)."""
    from dask.distributed import Client

    files = expand_inputs(inputs)
    if "-" in files:
        raise InvalidOption("--scheduler reads input files, not standard input")
    with Client(scheduler) as client:
        return _run(tokenizer, [(_encode_file, path) for path in files], options, client)


def _run(tokenizer: Tokenizer, parts: list[tuple[Any, Any]], options: EncodeOptions, client: Any) -> Summary:
    import dask

    check_options(options, [])
    if not options.output or options.resume or set(options.fields) - {"ids"}:
        raise InvalidOption("a Dask run needs --output and takes neither --resume nor --tokens/--offsets")
    directory = Path(f"{options.output}.parts")
    shutil.rmtree(directory, ignore_errors=True)
    directory.mkdir()
    recipe = json.dumps(recipe_json(tokenizer))
    settings = dataclasses.replace(options, workers=1, progress=False)
    tasks = [dask.delayed(_encode_part, pure=False)(function, source, str(directory / f"{number:05d}"), recipe,
                                                    settings, number)
             for number, (function, source) in enumerate(parts)]
    try:
        counts = client.compute(tasks, sync=True) if client is not None else dask.compute(*tasks)
        return _merge(tokenizer, directory, counts, options)
    finally:
        shutil.rmtree(directory, ignore_errors=True)


def _encode_part(function: Any, source: Any, stem: str, recipe: str, options: EncodeOptions,
                 number: int) -> dict[str, int]:
    """On a worker: encode one partition into its shard (stem.tokens/.lengths/.numbers, stem.rejects)."""
    tokenizer = _tokenizer(recipe)
    staging = Staging(Path(f"{stem}.tokens"), token_dtype(tokenizer.vocab_size), numbers=True)
    eos = [tokenizer.eos_token_id] if options.append_eod else []
    records = rejected = 0
    with open(f"{stem}.rejects", "w", encoding="utf-8") as rejects:
        for record, ids in encoded(tokenizer, function(source, number, options), options):
            if isinstance(ids, CpmtokError) or ids is None:
                problem = str(ids) if ids is not None else record.problem
                if options.on_error == "stop":
                    raise (type(ids) if ids is not None else InvalidOption)(f"{record.where}: {problem}")
                rejects.write(f"{record.where}: {problem}\n")
                rejected += 1
            else:
                staging.add(records, ids + eos if eos else ids)
            records += 1
    lengths, numbers = staging.close()
    lengths.tofile(f"{stem}.lengths")
    numbers.tofile(f"{stem}.numbers")  # type: ignore[union-attr]
    return {"records": records, "rejected": rejected}


def _encode_texts(partition: Any, number: int, options: EncodeOptions) -> Iterator[Record]:
    if hasattr(partition, "columns"):  # a pandas DataFrame partition: its text column
        partition = partition[options.field]
    for index, text in enumerate(partition, start=1):
        problem = None if isinstance(text, str) else f"holds {type(text).__name__}, not a string"
        yield Record(f"partition {number}:{index}", text if problem is None else None, problem, 0)


def _encode_file(path: str, number: int, options: EncodeOptions) -> Iterable[Record]:
    return read_records(path, options.input_format, options.field)


def _tokenizer(recipe: str) -> Tokenizer:
    if recipe not in _tokenizers:
        from ..loader import load

        name, settings = json.loads(recipe)
        _tokenizers[recipe] = load(name, **settings)
    return _tokenizers[recipe]


def _merge(tokenizer: Tokenizer, directory: Path, counts: Iterable[dict[str, int]], options: EncodeOptions
           ) -> Summary:
    """The final step: every shard, in partition order, through the local run's sink and reject file."""
    sink = make_sink(tokenizer, options, None)
    rejects = Rejects(options, None)
    summary = Summary(rejects=rejects.path)
    dtype = token_dtype(tokenizer.vocab_size)
    for number, count in enumerate(counts):
        stem = directory / f"{number:05d}"
        lengths = np.fromfile(f"{stem}.lengths", dtype="<i4")
        numbers = np.fromfile(f"{stem}.numbers", dtype="<i8")
        tokens = np.fromfile(f"{stem}.tokens", dtype=dtype)
        starts = np.concatenate([[0], np.cumsum(lengths)])
        for index in range(len(lengths)):
            sink.write(summary.records + int(numbers[index]), tokens[starts[index]:starts[index + 1]], None)
        for line in Path(f"{stem}.rejects").read_text(encoding="utf-8").splitlines():
            where, problem = line.split(": ", 1)
            rejects.add(where, problem)
        summary.records += count["records"]
        summary.rejected += count["rejected"]
        summary.written += len(lengths)
    summary.files = sink.finish()
    rejects.close()
    return summary
