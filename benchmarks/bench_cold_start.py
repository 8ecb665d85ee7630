"""Cold start: a fresh process's first CPM encode with cpmtok vs its first `jieba.lcut`, medians of `rounds`.

    python benchmarks/bench_cold_start.py [--rounds 5] [--backend native|pure]

Each round starts two fresh interpreters, alternating: one runs `cpmtok.load("cpm").encode("今天天气不错")`,
the other `jieba.lcut("今天天气不错")` (jieba's dictionary cache warm, in `vocab/` as the tests place it).
Quoted: the time from before the import to after the first result, measured inside each process, and the
whole process's wall time. One warm-up round of each fills the OS page cache and both caches first.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

from cpmtok.cache import cache_dir

ROOT = Path(__file__).resolve().parent.parent
TEXT = "今天天气不错"
JIEBA_TMP = cache_dir("jieba")  # jieba's own cache file, beside cpmtok's tables

CPMTOK = f"""
import time
start = time.perf_counter()
import cpmtok
ids = cpmtok.load("cpm", backend={{backend!r}}).encode({TEXT!r}).ids
print(time.perf_counter() - start)
"""

JIEBA = f"""
import time
start = time.perf_counter()
import jieba
jieba.setLogLevel(60)
jieba.dt.tmp_dir = {str(JIEBA_TMP)!r}
words = jieba.lcut({TEXT!r})
print(time.perf_counter() - start)
"""


def run(script: str) -> tuple[float, float]:
    """(seconds inside the process from import to result, wall seconds of the whole process)."""
    start = time.perf_counter()
    result = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True,
                            env={**os.environ, "PYTHONPATH": str(ROOT)}, check=True)
    return float(result.stdout.strip().splitlines()[-1]), time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--backend", default="native", choices=["native", "pure"])
    args = parser.parse_args()
    JIEBA_TMP.mkdir(parents=True, exist_ok=True)
    engines = {f"cpmtok.load('cpm', backend={args.backend!r}).encode": CPMTOK.format(backend=args.backend),
               "jieba first lcut": JIEBA}
    for script in engines.values():
        run(script)  # warm-up
    times: dict[str, list[tuple[float, float]]] = {name: [] for name in engines}
    for _ in range(args.rounds):
        for name, script in engines.items():
            times[name].append(run(script))
    medians = {name: (statistics.median(t[0] for t in runs), statistics.median(t[1] for t in runs))
               for name, runs in times.items()}
    print(f"fresh processes, medians of {args.rounds}; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    for name, (inside, wall) in medians.items():
        print(f"{name:<40} {inside:6.3f} s import to result   {wall:6.3f} s whole process")
    ours, theirs = medians.values()
    print(f"cpmtok / jieba: {ours[0] / theirs[0]:.2f} (import to result), {ours[1] / theirs[1]:.2f} (whole process)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
