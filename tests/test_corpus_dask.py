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
    import dask
    import dask.bag as db
    import dask.dataframe as dd
    import pandas as pd

    _, client = cluster
    source = tmp_path / "in.jsonl"
    source.write_text("".join(json.dumps({"text": t}) + "\n" for t in TEXTS), encoding="utf-8")
    tok = cpmtok.load("cpm")
    options = dict(format=fmt, on_error="skip", **extra)
    for run in ("local", "bag", "frame"):  # the same prefix in three directories: the manifests name the shards
        (tmp_path / run).mkdir()
    local = encode_corpus(tok, [str(source)], EncodeOptions(output=str(tmp_path / "local/out"), workers=2, **options))
    bag = encode_on_dask(tok, db.from_sequence(TEXTS, npartitions=5),
                         EncodeOptions(output=str(tmp_path / "bag/out"), **options), client=client)
    with dask.config.set({"dataframe.convert-string": False}):  # object strings: Arrow's cannot hold a surrogate
        frame = dd.from_pandas(pd.DataFrame({"text": pd.Series(TEXTS, dtype=object)}), npartitions=3)
        encode_on_dask(tok, frame, EncodeOptions(output=str(tmp_path / "frame/out"), **options), client=client)
    assert (bag.records, bag.written, bag.rejected) == (local.records, local.written, local.rejected) == (
        len(TEXTS), len(TEXTS) - 1, 1)
    expected = {name: data for name, data in files(tmp_path / "local", "out").items() if name != ".rejects"}
    assert expected and {k: v for k, v in files(tmp_path / "bag", "out").items() if k != ".rejects"} == expected
    assert {k: v for k, v in files(tmp_path / "frame", "out").items() if k != ".rejects"} == expected
    rejects = (tmp_path / "bag/out.rejects").read_text()
    assert rejects.startswith("partition ") and "surrogate" in rejects and rejects.count("\n") == 1
    assert not list(tmp_path.glob("*/*.parts"))


def test_cli_scheduler_option(tmp_path, cluster, capsys):
    cluster, _ = cluster
    for number, chunk in enumerate([TEXTS[:700], TEXTS[700:]]):
        (tmp_path / f"in{number}.jsonl").write_text("".join(json.dumps({"text": t}) + "\n" for t in chunk))
    common = ["encode", "-t", "clue-small", str(tmp_path / "in*.jsonl"), "--format", "npy", "--shard-size", "9000", "--on-error", "skip",
              "--quiet"]
    (tmp_path / "local").mkdir(), (tmp_path / "dask").mkdir()
    assert main(common + ["-o", str(tmp_path / "local/out")]) == 0
    assert main(common + ["-o", str(tmp_path / "dask/out"), "--scheduler", cluster.scheduler_address]) == 0
    assert files(tmp_path / "dask", "out") == files(tmp_path / "local", "out") != {}
