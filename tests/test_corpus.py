"""The corpus pipeline (`cpmtok encode`, cpmtok.corpus): every input kind, every output format read back and equal
to `encode_batch`; rejects; user errors; streaming; a real SIGINT / SIGTERM then --resume, byte-identical."""

import gzip
import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

import cpmtok
from corpus import corpus_files, corpus_texts
from cpmtok.cli import main
from cpmtok.corpus import EncodeOptions, IndexedDocuments, encode_corpus, read_shards
from cpmtok.packing import pack

ROOT = Path(__file__).resolve().parent.parent
TEXTS = corpus_texts(corpus_files()[4])[:400] + ["", " ", "a\u2028b\u3000c", "[SEP] x", "\U0001F600 emoji 😀"]


def jsonl(path: Path, texts, field="text") -> Path:
    path.write_text("".join(json.dumps({field: t}, ensure_ascii=False) + "\n" for t in texts), encoding="utf-8")
    return path


def expected(name, texts, eod=False):
    tok = cpmtok.load(name)
    return [e.ids + ([tok.eos_token_id] if eod else []) for e in tok.encode_batch(texts)]


def as_lists(documents):
    return [np.asarray(d).tolist() for d in documents]


@pytest.mark.parametrize("name", ["bert-base-chinese", "cpm"])
@pytest.mark.parametrize("fmt", ["megatron", "npy", "parquet"])
def test_formats_round_trip(tmp_path, name, fmt):
    source = jsonl(tmp_path / "in.jsonl", TEXTS)
    out = tmp_path / "out"
    code = main(["encode", "-t", name, str(source), "--format", fmt, "-o", str(out), "--append-eod", "--workers",
                 "2", "--shard-size", "3000", "--quiet"])
    assert code == 0
    documents = IndexedDocuments(out) if fmt == "megatron" else read_shards(out)
    assert as_lists(documents) == expected(name, TEXTS, eod=True)
    assert not list(tmp_path.glob("*.tmp*")) and not list(tmp_path.glob("*state*"))
    if fmt == "megatron":
        assert documents.dtype == np.uint16 and len(documents.document_index) == len(TEXTS) + 1
    else:
        manifest = json.loads(Path(f"{out}.manifest.json").read_text())
        assert len(manifest["shards"]) > 1 and manifest["documents"] == len(TEXTS)
    if fmt == "parquet":
        import pyarrow.parquet as pq

        ids = [i for shard in sorted(tmp_path.glob("out-*.parquet")) for i in pq.read_table(shard)["id"].to_pylist()]
        assert ids == list(range(len(TEXTS)))


@pytest.mark.parametrize("name", ["clue-small", "cpm-v0"])
@pytest.mark.parametrize("tail", ["pad", "drop"])
def test_packed_output_is_tokenizer_pack(tmp_path, name, tail):
    source = jsonl(tmp_path / "in.jsonl", TEXTS)
    out = tmp_path / "packed"
    assert main(["encode", "-t", name, str(source), "--format", "packed", "--seq-length", "64", "--tail", tail,
                 "-o", str(out), "--shard-size", "2000", "--quiet"]) == 0
    windows = np.stack(read_shards(out))
    tok = cpmtok.load(name)
    assert windows.dtype == np.uint16
    assert np.array_equal(windows, tok.pack(TEXTS, 64, tail=tail))


def test_inputs_jsonl_field_lines_gzip_zstd_globs_bom_blank_lines(tmp_path, capsysbinary):
    import zstandard

    texts = TEXTS[:60]
    (tmp_path / "a.jsonl").write_bytes(b"\xef\xbb\xbf" + "".join(
        json.dumps({"body": t, "n": 1}, ensure_ascii=False) + "\n\n" for t in texts[:20]).encode())
    (tmp_path / "b.jsonl.gz").write_bytes(gzip.compress(jsonl(tmp_path / "x", texts[20:40], "body").read_bytes()))
    (tmp_path / "x").unlink()
    raw = "".join(json.dumps({"body": t}, ensure_ascii=False) + "\n" for t in texts[40:]).encode()
    (tmp_path / "c.jsonl.zst").write_bytes(zstandard.ZstdCompressor().compress(raw))
    code = main(["encode", "-t", "cpm", str(tmp_path / "*.jsonl*"), "--field", "body", "--workers", "1"])
    out, err = capsysbinary.readouterr()
    assert code == 0, err
    assert [json.loads(line)["ids"] for line in out.decode().splitlines()] == expected("cpm", texts)

    lines = [t for t in texts if "\n" not in t and "\r" not in t and "\u2028" not in t]
    (tmp_path / "plain.txt").write_text("\n".join(lines), encoding="utf-8")
    assert main(["encode", "-t", "cpm", str(tmp_path / "plain.txt")]) == 0
    out, _ = capsysbinary.readouterr()
    assert [json.loads(line)["ids"] for line in out.decode().splitlines()] == expected("cpm", lines)


@pytest.mark.parametrize("kind", ["parquet", "arrow", "arrow-stream"])
def test_columnar_inputs(tmp_path, capsysbinary, kind):
    import pyarrow as pa
    import pyarrow.ipc as ipc
    import pyarrow.parquet as pq

    table = pa.table({"id": list(range(len(TEXTS))), "content": TEXTS})
    path = tmp_path / ("in.parquet" if kind == "parquet" else "in.arrow")
    if kind == "parquet":
        pq.write_table(table, path, row_group_size=100)
    else:
        opener = ipc.new_file if kind == "arrow" else ipc.new_stream
        with opener(path, table.schema) as writer:
            for batch in table.to_batches(max_chunksize=100):
                writer.write_batch(batch)
    assert main(["encode", "-t", "clue-small", str(path), "--field", "content"]) == 0
    out, _ = capsysbinary.readouterr()
    assert [json.loads(line)["ids"] for line in out.decode().splitlines()] == expected("clue-small", TEXTS)


def test_skip_lists_bad_records_with_file_line_and_reason(tmp_path, capsys):
    source = tmp_path / "in.jsonl"
    source.write_bytes(b'{"text": "ok"}\nnot json\n{"text": 5}\n{"text": "\\ud800 lone"}\n\xff\n{"text": "fine"}\n')
    out = tmp_path / "out"
    assert main(["encode", "-t", "cpm", str(source), "--format", "megatron", "-o", str(out),
                 "--on-error", "skip", "--quiet"]) == 0
    assert "4 of 6 records rejected" in capsys.readouterr().err
    assert as_lists(IndexedDocuments(out)) == expected("cpm", ["ok", "fine"])
    rejects = Path(f"{out}.rejects").read_text().splitlines()
    assert [line.split(": ")[0] for line in rejects] == [f"{source}:{n}" for n in (2, 3, 4, 5)]
    assert "not JSON" in rejects[0] and "string" in rejects[1] and "surrogate" in rejects[2] and "UTF-8" in rejects[3]

    assert main(["encode", "-t", "cpm", str(source), "--format", "megatron", "-o", str(tmp_path / "stop")]) == 2
    assert f"{source}:2: not JSON" in capsys.readouterr().err
    assert not list(tmp_path.glob("stop*"))


@pytest.mark.parametrize("args, message", [
    (["--workers", "0"], "--workers must be at least 1"),
    (["--format", "megatron"], "needs --output"),
    (["--format", "packed", "-o", "{tmp}/p"], "--seq-length"),
    (["--format", "packed", "--seq-length", "8", "--append-eod", "-o", "{tmp}/p"], "--append-eod"),
    (["--tokens", "--format", "npy", "-o", "{tmp}/p"], "--format jsonl only"),
    (["--resume", "-o", "{tmp}/p"], "no unfinished run"),
    (["-o", "{tmp}/nowhere/p"], "no such directory"),
    (["--format", "arrow"], "invalid choice"),
    (["{tmp}/*.none"], "no file matches"),
])
def test_user_errors_exit_2_with_one_line(tmp_path, capsys, args, message):
    source = jsonl(tmp_path / "in.jsonl", ["a"])
    args = [a.replace("{tmp}", str(tmp_path)) for a in args]
    inputs = [] if any(a.endswith(".none") for a in args) else [str(source)]
    assert main(["encode", "-t", "clue-small", *inputs, *args]) == 2
    err = capsys.readouterr().err
    assert message in err and len(err.strip().splitlines()) == 1 and "Traceback" not in err


def test_first_output_comes_before_the_input_ends():
    """Streaming: a record's ids are out while standard input is still open (no timing involved)."""
    texts = [f"第{i}行 line {i}" for i in range(600)]  # more than two chunks of the encoder (256 texts each)
    proc = subprocess.Popen([sys.executable, "-m", "cpmtok.cli", "encode", "-t", "clue-small", "--workers", "1"],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, env={**os.environ, "PYTHONPATH": str(ROOT)},
                            cwd=ROOT)
    try:
        proc.stdin.write("".join(json.dumps({"text": t}) + "\n" for t in texts).encode())
        proc.stdin.flush()
        first = proc.stdout.readline()
        assert json.loads(first)["ids"] == cpmtok.load("clue-small").encode_ids(texts[0])
    finally:
        proc.stdin.close()
        proc.stdout.read()
        proc.wait(60)
    assert proc.returncode == 0


def _files(prefix: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(prefix.parent.iterdir()) if p.name.startswith(prefix.name)}


@pytest.mark.parametrize("fmt, sig, extra", [
    ("npy", signal.SIGINT, ["--shard-size", "20000"]),
    ("megatron", signal.SIGTERM, ["--append-eod"]),
    pytest.param("packed", signal.SIGINT, ["--seq-length", "100", "--shard-size", "30000"], marks=pytest.mark.slow),
])
def test_a_real_signal_then_resume_gives_the_uninterrupted_bytes(tmp_path, fmt, sig, extra):
    lines = [json.dumps({"text": t}, ensure_ascii=False) for t in corpus_texts(corpus_files()[5])[:4000]]
    lines[100] = lines[3000] = "not json"
    source = tmp_path / "in.jsonl"
    copies = 30  # enough records to outlast the first state save (about a second) and the wait below, on 2 workers
    source.write_text("\n".join(lines * copies) + "\n", encoding="utf-8")
    command = [sys.executable, "-m", "cpmtok.cli", "encode", "-t", "cpm", str(source), "--format", fmt,
               "--on-error", "skip", "--workers", "2", *extra]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}  # and cwd=ROOT: `python -m` looks in the cwd first
    whole, part = tmp_path / "whole" / "out", tmp_path / "part" / "out"
    whole.parent.mkdir(), part.parent.mkdir()
    subprocess.run(command + ["-o", str(whole)], env=env, check=True, capture_output=True, cwd=ROOT)

    proc = subprocess.Popen(command + ["-o", str(part)], env=env, stderr=subprocess.PIPE, cwd=ROOT)
    state = Path(f"{part}.cpmtok-state.json")
    while proc.poll() is None and not (state.exists() and json.loads(state.read_text() or "{}").get("records")):
        time.sleep(0.05)  # until the run has written something: the signal then falls at a random point in it
    time.sleep(random.uniform(0, 0.3))
    proc.send_signal(sig)
    err = proc.communicate(timeout=120)[1].decode()
    assert proc.returncode == 130, err
    assert err.count("\n") == 1 and f"stopped by {sig.name}" in err and "--resume" in err
    saved = json.loads(state.read_text())
    assert 0 < saved["records"] < 4000 * copies, "the signal came before the end"
    leftovers = set(_files(part)) - set(_files(whole))
    assert all(name.endswith((".tmp", ".lengths", ".cpmtok-state.json")) for name in leftovers), leftovers
    for name in set(_files(part)) & set(_files(whole)):  # whatever is final is complete
        if not name.endswith(".rejects"):
            assert _files(part)[name] == _files(whole)[name], name

    resumed = subprocess.run(command + ["-o", str(part), "--resume"], env=env, capture_output=True, cwd=ROOT)
    assert resumed.returncode == 0, resumed.stderr
    assert _files(part) == _files(whole)
    assert f"{2 * copies} of {4000 * copies} records rejected" in resumed.stderr.decode()


def test_an_unfinished_run_is_not_overwritten_without_resume(tmp_path, capsys):
    source = jsonl(tmp_path / "in.jsonl", ["a", "b"])
    Path(f"{tmp_path}/out.cpmtok-state.json").write_text("{}")
    assert main(["encode", "-t", "clue-small", str(source), "--format", "megatron", "-o", f"{tmp_path}/out"]) == 2
    assert "--resume" in capsys.readouterr().err


def test_encode_corpus_api_equals_encode_batch(tmp_path):
    source = jsonl(tmp_path / "in.jsonl", TEXTS)
    tok = cpmtok.load("cpm")
    summary = encode_corpus(tok, [str(source)], EncodeOptions(format="npy", output=str(tmp_path / "o"), workers=2))
    assert (summary.records, summary.written, summary.rejected) == (len(TEXTS), len(TEXTS), 0)
    assert as_lists(read_shards(tmp_path / "o")) == expected("cpm", TEXTS)
    assert np.array_equal(pack(expected("cpm", TEXTS), 32, 7, pad_id=5), tok.pack(TEXTS, 32))
