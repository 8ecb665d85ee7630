"""The corpus pipeline on Dask: a 2-worker LocalCluster (started here) gives files byte-identical to the local run,
from a dask.bag, a dask.dataframe and the CLI's --scheduler (one partition per file)."""

import json
from pathlib import Path

import pytest

import cpmtok
from corpus import corpus_files, corpus_texts
from cpmtok.cli import main
from cpmtok.corpus import EncodeOptions, encode_corpus
from cpmtok.corpus.distributed import encode_on_dask

TEXTS = corpus_texts(corpus_files()[4])[:1500] + ["", "\ud800 lone surrogate"]


@pytest.fixture(scope="module")
def cluster():
    from dask.distributed import Client, LocalCluster

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster, \
            Client(cluster) as client:
        yield cluster, client


def files(directory: Path, prefix: str) -> dict[str, bytes]:
    return {p.name.removeprefix(prefix): p.read_bytes() for p in sorted(directory.glob(prefix + "*"))}


@pytest.mark.parametrize("fmt, extra", [("megatron", {"append_eod": True}), ("parquet", {"shard_size": 20000}),
                                        ("packed", {"seq_length": 128, "shard_size": 20000})])
def test_bag_and_dataframe_runs_are_byte_identical_to_the_local_run(tmp_path, cluster, fmt, extra):
    import dask.bag as db
    import dask.dataframe as dd
    import pandas as pd

    _, client = cluster
    source = tmp_path / "in.jsonl"
    source.write_text("".join(json.dumps({"text": t}) + "\n" for t in TEXTS), encoding="utf-8")
    tok = cpmtok.load("cpm")
    options = dict(format=fmt, on_error="skip", **extra)
    local = encode_corpus(tok, [str(source)], EncodeOptions(output=str(tmp_path / "local"), workers=2, **options))
    bag = encode_on_dask(tok, db.from_sequence(TEXTS, npartitions=5),
                         EncodeOptions(output=str(tmp_path / "bag"), **options), client=client)
    frame = dd.from_pandas(pd.DataFrame({"text": TEXTS}), npartitions=3)
    encode_on_dask(tok, frame, EncodeOptions(output=str(tmp_path / "frame"), **options), client=client)
    assert (bag.records, bag.written, bag.rejected) == (local.records, local.written, local.rejected) == (
        len(TEXTS), len(TEXTS) - 1, 1)
    expected = {name: data for name, data in files(tmp_path, "local").items() if name != ".rejects"}
    assert expected and {k: v for k, v in files(tmp_path, "bag").items() if k != ".rejects"} == expected
    assert {k: v for k, v in files(tmp_path, "frame").items() if k != ".rejects"} == expected
    assert "partition 4:" in Path(f"{tmp_path}/bag.rejects").read_text()
    assert not list(tmp_path.glob("*.parts"))


def test_cli_scheduler_option(tmp_path, cluster, capsys):
    cluster, _ = cluster
    for number, chunk in enumerate([TEXTS[:700], TEXTS[700:]]):
        (tmp_path / f"in{number}.jsonl").write_text("".join(json.dumps({"text": t}) + "\n" for t in chunk))
    common = ["encode", "-t", "clue-small", str(tmp_path / "in*.jsonl"), "--format", "megatron", "--quiet"]
    assert main(common + ["-o", str(tmp_path / "local")]) == 0
    assert main(common + ["-o", str(tmp_path / "dask"), "--scheduler", cluster.scheduler_address]) == 0
    assert files(tmp_path, "dask") == files(tmp_path, "local")
