"""MB/s and peak RSS of the corpus pipeline (`cpmtok encode --format megatron`) against `datasets.map(num_proc=N)`.

    python benchmarks/bench_corpus.py [--workers N] [--copies 1]

The input is the whole shared corpus (../shared/corpus) as one JSONL, `copies` times over. For BERT
(bert-base-chinese) and CPM (cpm), each engine runs in its own process, timed from the outside, peak RSS
the largest of its processes (RUSAGE_CHILDREN of a small wrapper): cpmtok with 1 and with N workers, and
🤗 datasets' `map(batched=True, num_proc=N)` with transformers' BertTokenizerFast (BERT) or the CPM-Generate
recipe (jieba 0.42.1 + sentencepiece; CPM). Every engine's ids are checked against the golden ids; an engine
whose ids differ gets no speed.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from corpus import corpus_files, golden_ids  # noqa: E402

GOLDEN = {"bert-base-chinese": "bert-base-chinese/hf_fast", "cpm": "cpm/cpm_generate"}
_WRAPPER = ("import resource, subprocess, sys, time; t = time.perf_counter(); subprocess.run(sys.argv[1:], "
            "check=True); print(time.perf_counter() - t, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)")


def measured(command: list[str]) -> tuple[float, float]:
    """(seconds, peak RSS in MB) of a command, through a wrapper that holds no data of its own."""
    out = subprocess.run([sys.executable, "-c", _WRAPPER, *command], cwd=ROOT, check=True, capture_output=True,
                         env={**os.environ, "PYTHONPATH": str(ROOT)}).stdout.split()
    return float(out[0]), int(out[1]) / 1024


def datasets_map(family: str, source: str, workers: int, out: str) -> None:
    """The comparison engine, run in its own process: datasets.map with the reference tokenizer, ids to `out`."""
    import datasets

    dataset = datasets.load_dataset("json", data_files=source, split="train", cache_dir=str(Path(out).parent))
    if family == "bert-base-chinese":
        from bert_references import reference

        encode = reference("hf-fast", "bert-base-chinese")
    else:
        from cpm_references import recipe

        encode = recipe("cpm").encode
    mapped = dataset.map(lambda batch: {"ids": [encode(text) for text in batch["text"]]}, batched=True,
                         num_proc=workers, remove_columns=["text"], cache_file_name=str(Path(out).with_suffix(".arrow")))
    with open(out, "w") as f:
        for ids in mapped["ids"]:
            f.write(json.dumps(ids) + "\n")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=len(os.sched_getaffinity(0)))
    parser.add_argument("--copies", type=int, default=1)
    parser.add_argument("--datasets-map", nargs=4, metavar=("FAMILY", "SOURCE", "WORKERS", "OUT"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.datasets_map:
        family, source, workers, out = args.datasets_map
        datasets_map(family, source, int(workers), out)
        return 0

    from cpmtok.corpus import IndexedDocuments

    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "corpus.jsonl"
        with open(source, "wb") as f:
            for _ in range(args.copies):
                for path in corpus_files():
                    f.write(path.read_bytes())
        megabytes = source.stat().st_size / 1e6
        print(f"corpus: {megabytes:.1f} MB JSONL ({args.copies}x the shared corpus); load average "
              f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
        for family, golden in GOLDEN.items():
            expected = [ids for path in corpus_files() for ids in golden_ids(golden, path.name)] * args.copies
            speeds = {}
            for workers in sorted({1, args.workers}):
                out = Path(tmp) / f"{family}-{workers}"
                seconds, rss = measured([sys.executable, "-m", "cpmtok.cli", "encode", "-t", family, str(source),
                                         "--format", "megatron", "-o", str(out), "--workers", str(workers), "--quiet"])
                documents = IndexedDocuments(out)
                same = len(documents) == len(expected) and all(
                    documents[i].tolist() == ids for i, ids in enumerate(expected))
                speeds[f"cpmtok encode, workers={workers}"] = (seconds, rss, same)
            out = Path(tmp) / f"{family}-datasets.jsonl"
            seconds, rss = measured([sys.executable, __file__, "--datasets-map", family, str(source),
                                     str(args.workers), str(out)])
            with open(out) as f:
                same = [json.loads(line) for line in f] == expected
            speeds[f"datasets.map(num_proc={args.workers}), reference tokenizer"] = (seconds, rss, same)
            baseline = speeds[f"datasets.map(num_proc={args.workers}), reference tokenizer"][0]
            for name, (seconds, rss, same) in speeds.items():
                speed = f"{megabytes / seconds:6.2f} MB/s ({baseline / seconds:4.2f}x datasets.map)" if same else \
                    "ids differ from the golden ids: no speed"
                print(f"{family:<18} {name:<50} {speed}, peak RSS {rss:6.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
