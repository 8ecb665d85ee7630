"""MB/s of cpmtok's CPM tokenizer vs the CPM-Generate recipe (jieba 0.42.1 + sentencepiece), one run each.

    python benchmarks/bench_cpm.py [--preset cpm|cpm-v0] [--workers 2] [--rounds 3]

On the whole shared corpus (../shared/corpus), `rounds` alternating runs of: the recipe, cpmtok's
`encode_ids` in one process with the native and with the pure-Python segmenter, rjieba (jieba-rs, what
transformers uses) + sentencepiece, and cpmtok's `encode_batch` (native) with one and with `workers`
processes, cpmtok each time on a freshly loaded tokenizer (cold caches; load times excluded, reported
apart). Figures are the medians. Every run's ids are checked against the recipe's, then dropped (forking
workers from a small heap); a cpmtok engine whose ids ever differ gets no speed. rjieba is known to differ:
its speed is quoted, marked inexact with the number of records whose ids differ. rjieba is a benchmark-only
dependency (pip install rjieba). Last, the machine's own ceiling for `workers` processes: as many independent
processes encoding the whole corpus at once, against one alone.
"""

from __future__ import annotations

import argparse
import gc
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

INEXACT_PEERS = ("rjieba + sentencepiece",)


def cpu_seconds() -> float:
    """CPU time of this process and its finished children (the workers): shows what a busy machine hides."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def timed(function, *args, **kwargs):
    gc.collect()
    gc.freeze()  # results of earlier runs stay out of this run's garbage collections: every engine pays for its own
    start, cpu_start = time.perf_counter(), cpu_seconds()
    result = function(*args, **kwargs)
    timed.cpu = cpu_seconds() - cpu_start
    return result, time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--preset", default="cpm", choices=["cpm", "cpm-v0"])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()

    texts = [text for _, _, text in all_corpus_texts()]
    megabytes = sum(len(text.encode("utf-8")) for text in texts) / 1e6
    print(f"corpus: {len(texts)} records, {megabytes:.1f} MB UTF-8; preset {args.preset}; "
          f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")

    jieba_tokenizer()  # the recipe's dictionary, loaded before timing
    recipe, rjieba = CpmRecipe(args.preset), rjieba_recipe(args.preset)

    def ids_one_by_one(tokenizer):
        return [tokenizer.encode_ids(text) for text in texts]

    def batch(workers):
        return lambda tokenizer: [encoding.ids for encoding in tokenizer.encode_batch(texts, workers=workers)]

    engines = {"CPM-Generate recipe": (None, lambda _: [recipe.encode(text) for text in texts]),
               "cpmtok native, encode_ids": ("native", ids_one_by_one),
               "cpmtok pure, encode_ids": ("pure", ids_one_by_one),
               INEXACT_PEERS[0]: (None, lambda _: [rjieba.encode(text) for text in texts]),
               "cpmtok native, batch workers=1": ("native", batch(1)),
               f"cpmtok native, batch workers={args.workers}": ("native", batch(args.workers))}
    runs: dict[str, list[tuple[float, float]]] = {name: [] for name in engines}
    wrong: dict[str, int] = {name: 0 for name in engines}  # records whose ids differ from the recipe's
    expected: list[list[int]] = []
    for _ in range(args.rounds):  # alternating, so a drift in the machine's speed hits every engine alike
        for name, (backend, engine) in engines.items():
            tokenizer, load_seconds = timed(cpmtok.load, args.preset, backend=backend or "native")
            ids, seconds = timed(engine, tokenizer)
            runs[name].append((seconds, timed.cpu))
            if not expected:  # the recipe runs first
                expected = ids
            differing = sum(a != b for a, b in zip(ids, expected)) + abs(len(ids) - len(expected))
            wrong[name] = max(wrong[name], differing)  # records, in the worst round (not summed over rounds)
            del ids, tokenizer  # only the recipe's ids stay: a small heap to fork the workers from
    medians = {name: sorted(times)[len(times) // 2] for name, times in runs.items()}
    recipe_seconds, recipe_cpu = medians["CPM-Generate recipe"]

    def report(name: str, seconds: float, cpu: float) -> bool:
        exact = not wrong[name]
        if not exact and name not in INEXACT_PEERS:
            print(f"{name:<36} IDS DIFFER from the recipe on {wrong[name]} records: no speed reported")
            return False
        mark = "" if exact else f"  INEXACT: ids differ on {wrong[name]} of {len(texts)} records"
        print(f"{name:<36} {megabytes / seconds:6.2f} MB/s  {recipe_seconds / seconds:5.2f}x wall  "
              f"({seconds:5.1f} s wall, {cpu:5.1f} s CPU: {recipe_cpu / cpu:4.2f}x per CPU second){mark}")
        return True

    ok = True
    for name in engines:
        ok &= report(name, *medians[name])
    if ok:
        single = medians["cpmtok native, batch workers=1"][0]
        pooled = medians[f"cpmtok native, batch workers={args.workers}"][0]
        print(f"workers={args.workers} vs workers=1: {single / pooled:.2f}x wall (medians of {args.rounds} rounds); "
              f"cpmtok load {load_seconds:.2f} s (not timed above); load average now {os.getloadavg()[0]:.1f}")
        ceiling = machine_ceiling(args.preset, texts, args.workers)
        print(f"this machine's ceiling now: {args.workers} independent processes each encoding the whole corpus "
              f"do {ceiling:.2f}x the work of one in the same wall time (what no pool can beat)")
    return 0 if ok else 1


def machine_ceiling(preset: str, texts: list[str], processes: int) -> float:
    """How many times one process's work `processes` concurrent, independent, forked processes get done in
    the same wall time (cores shared with other tenants or hyperthread siblings give less than `processes`)."""
    import multiprocessing

    def encode_all() -> None:
        tokenizer = cpmtok.load(preset, backend="native")
        for text in texts:
            tokenizer.encode_ids(text)

    def wall(count: int) -> float:
        context = multiprocessing.get_context("fork")
        started = time.perf_counter()
        children = [context.Process(target=encode_all) for _ in range(count)]
        for child in children:
            child.start()
        for child in children:
            child.join()
        return time.perf_counter() - started

    return processes * min(wall(1) for _ in range(3)) / min(wall(processes) for _ in range(3))


def rjieba_recipe(preset: str) -> CpmRecipe:
    """CPM-Generate's recipe with rjieba (jieba-rs) in place of jieba: what a fast but inexact pipeline gives."""
    try:
        import rjieba
    except ImportError as err:
        raise SystemExit(f"this benchmark compares against rjieba: pip install rjieba ({err})") from None
    return CpmRecipe(preset, cut=rjieba.cut)


if __name__ == "__main__":
    sys.exit(main())
