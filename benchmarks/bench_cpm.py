"""MB/s of cpmtok's CPM tokenizer vs the CPM-Generate recipe (jieba 0.42.1 + sentencepiece), one run each.

    python benchmarks/bench_cpm.py [--preset cpm|cpm-v0] [--workers 2]

On the whole shared corpus (../shared/corpus): the recipe, cpmtok in one process, cpmtok with `workers`
processes. Ids are checked against the recipe's before any speed is printed; an engine whose ids differ
gets no speed. Load times are excluded (reported apart); caches start cold.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

import cpmtok  # noqa: E402
from corpus import all_corpus_texts  # noqa: E402
from cpm_references import CpmRecipe, jieba_tokenizer  # noqa: E402


def cpu_seconds() -> float:
    """CPU time of this process and its finished children (the workers): shows what a busy machine hides."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def timed(function, *args, **kwargs):
    start, cpu_start = time.perf_counter(), cpu_seconds()
    result = function(*args, **kwargs)
    timed.cpu = cpu_seconds() - cpu_start
    return result, time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--preset", default="cpm", choices=["cpm", "cpm-v0"])
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()

    texts = [text for _, _, text in all_corpus_texts()]
    megabytes = sum(len(text.encode("utf-8")) for text in texts) / 1e6
    print(f"corpus: {len(texts)} records, {megabytes:.1f} MB UTF-8; preset {args.preset}; "
          f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")

    jieba_tokenizer()  # the recipe's dictionary, loaded before timing
    recipe = CpmRecipe(args.preset)
    expected, recipe_seconds = timed(lambda: [recipe.encode(text) for text in texts])
    recipe_cpu = timed.cpu

    tokenizer, load_seconds = timed(cpmtok.load, args.preset)
    single, single_seconds = timed(lambda: [tokenizer.encode_ids(text) for text in texts])
    single_cpu = timed.cpu
    pooled_tokenizer = cpmtok.load(args.preset)
    pooled, pooled_seconds = timed(pooled_tokenizer.encode_batch, texts, workers=args.workers)
    pooled_cpu = timed.cpu
    pooled = [encoding.ids for encoding in pooled]

    def report(name: str, ids: list[list[int]], seconds: float, cpu: float) -> bool:
        wrong = sum(a != b for a, b in zip(ids, expected)) + abs(len(ids) - len(expected))
        if wrong:
            print(f"{name:<26} IDS DIFFER from the recipe on {wrong} records: no speed reported")
            return False
        print(f"{name:<26} {megabytes / seconds:6.2f} MB/s  {recipe_seconds / seconds:5.2f}x wall  "
              f"({seconds:5.1f} s wall, {cpu:5.1f} s CPU: {recipe_cpu / cpu:4.2f}x per CPU second)")
        return True

    ok = report("CPM-Generate recipe", expected, recipe_seconds, recipe_cpu)
    ok &= report("cpmtok, 1 process", single, single_seconds, single_cpu)
    ok &= report(f"cpmtok, workers={args.workers}", pooled, pooled_seconds, pooled_cpu)
    if ok:
        print(f"workers={args.workers} vs 1 process: {single_seconds / pooled_seconds:.2f}x wall; "
              f"cpmtok load {load_seconds:.2f} s (not timed above); "
              f"load average now {os.getloadavg()[0]:.1f}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
