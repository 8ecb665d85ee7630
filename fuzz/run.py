"""Run the fuzz campaign and print its counts: inputs, mismatches and untyped errors per target.

    python -m fuzz.run                 # CI: a coverage-guided minute, then mutated corpus records up to
                                       #     max(60,000, 100,000 minus the coverage-guided count) inputs
    python -m fuzz.run --long          # release check: 10 coverage-guided minutes, 2,000,000 mutated inputs
    python -m fuzz.run --inputs 5000 --coverage-seconds 0 --families cpm

Two engines, both differential against the live references (fuzz/targets.py):
- `mutate`: corpus records sliced, spliced and edited (fuzz/mutate.py), every text through every
  encoder; the ids each text encodes to, edited, through every decoder. Split over `--workers`
  processes by target; `--inputs` counts (target, input) pairs over all targets.
- `coverage`: atheris (libFuzzer) mutating corpus slices as bytes, guided by coverage of cpmtok's code,
  one process per family for `--coverage-seconds` (fuzz/coverage.py).
Exit status 1 when anything differs, cpmtok raised an untyped error, or fewer than `--require` inputs ran.
Failures are written to `--failures` (JSON lines: target, input, cpmtok's result, the reference's).
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import multiprocessing
import random
import subprocess
import sys
import tempfile
import time
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
FAMILIES = ("bert", "cpm")
VERDICTS = ("same", "mismatch", "untyped")


def corpus_records() -> list[str]:
    sys.path.insert(0, str(ROOT / "tests"))
    from corpus import all_corpus_texts

    return [text for _, _, text in all_corpus_texts() if text]


def _failure(target: Any, value: Any, outcome: Any) -> dict:
    return {"target": target.name, "verdict": outcome.verdict, "input": value,
            "cpmtok": repr(outcome.ours)[:500], "reference": repr(outcome.reference)[:500]}


def _special_ids(tokenizer: Any) -> list[int]:
    from fuzz.mutate import SPECIALS

    found = [tokenizer.token_to_id(token) for token in SPECIALS + ("[unused1]", " ", "\u2028")]
    return [i for i in found if i is not None] or [0]


def mutate_worker(families: tuple[str, ...], part: int, parts: int, quota: int, seconds: float,
                  seed: int) -> tuple[dict[str, dict[str, int]], list[dict]]:
    """One worker: targets part::parts, until `quota` (target, input) pairs ran or `seconds` passed."""
    from fuzz.mutate import mutated_ids, text_inputs
    from fuzz.targets import compare, targets_of

    rng = random.Random(seed * 1_000 + part)
    targets = targets_of(families)[part::parts]
    records = corpus_records()
    next_text = text_inputs(rng, records)
    specials = {id(t.tokenizer): _special_ids(t.tokenizer) for t in targets}
    counts = {t.name: Counter() for t in targets}
    failures: list[dict] = []
    done, deadline = 0, time.monotonic() + seconds
    while done < quota and time.monotonic() < deadline:
        text = next_text()
        for target in targets:
            if target.takes == "text":
                value: Any = text
            else:
                try:
                    seed_ids = target.tokenizer.encode_ids(text, add_special_tokens=target.family == "bert")
                except Exception:  # noqa: BLE001  (an encoder's refusal is checked by the encode targets)
                    seed_ids = []
                value = mutated_ids(rng, seed_ids, target.tokenizer.vocab_size, specials[id(target.tokenizer)])
            outcome = compare(target, value)
            counts[target.name][outcome.verdict] += 1
            done += 1
            if outcome.verdict != "same" and len(failures) < 100:
                failures.append(_failure(target, value, outcome))
    return {name: dict(c) for name, c in counts.items()}, failures


def run_mutate(families: tuple[str, ...], inputs: int, seconds: float, workers: int, seed: int):
    context = multiprocessing.get_context("spawn")  # each worker loads only its own references
    with ProcessPoolExecutor(workers, mp_context=context) as pool:
        jobs = [pool.submit(mutate_worker, families, part, workers, -(-inputs // workers), seconds, seed)
                for part in range(workers)]
        results = [job.result() for job in jobs]
    counts: dict[str, dict[str, int]] = {}
    failures: list[dict] = []
    for part_counts, part_failures in results:
        counts.update(part_counts)
        failures += part_failures
    return counts, failures


def run_coverage(families: tuple[str, ...], seconds: int, seed: int):
    """atheris, one process per family at once; runs from libFuzzer's summary, failures from their files."""
    with tempfile.TemporaryDirectory(prefix="cpmtok-fuzz-") as work:
        processes = {}
        for family in families:
            failures = Path(work) / f"{family}.jsonl"
            command = [sys.executable, "-m", "fuzz.coverage", family, str(failures), str(seconds),
                       f"-seed={seed}", "-rss_limit_mb=4096", "-max_len=2048"]
            processes[family] = (subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE,
                                                  stderr=subprocess.STDOUT, text=True), failures)
        counts: dict[str, dict[str, int]] = {}
        found: list[dict] = []
        for family, (process, failures) in processes.items():
            output, _ = process.communicate()
            summary = [line for line in output.splitlines() if line.startswith("FUZZ-COUNTS ")]
            if process.returncode != 0 or not summary:
                raise RuntimeError(f"the coverage-guided run for {family} failed (exit {process.returncode}):\n"
                                   + output[-4000:])
            for name, part in json.loads(summary[-1][len("FUZZ-COUNTS "):]).items():
                counts[f"{name} (coverage)"] = part
            if failures.exists():
                found += [json.loads(line) for line in failures.read_text().splitlines()]
    return counts, found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--long", action="store_true", help="release check: 2,000,000 inputs, 10 coverage minutes")
    parser.add_argument("--inputs", type=int, help="mutate engine: (target, input) pairs over all targets")
    parser.add_argument("--seconds", type=float, help="mutate engine: stop after this long")
    parser.add_argument("--coverage-seconds", type=int, help="coverage engine: seconds per family (0: skip)")
    parser.add_argument("--require", type=int, help="fail when fewer (target, input) pairs ran in total")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--families", nargs="+", choices=FAMILIES, default=list(FAMILIES))
    parser.add_argument("--seed", type=int, default=int(time.time()) % 100_000)
    parser.add_argument("--failures", type=Path, default=Path("fuzz-failures.jsonl"))
    args = parser.parse_args(argv)
    inputs = args.inputs or (2_000_000 if args.long else 60_000)
    seconds = args.seconds or (7_200 if args.long else 300)
    coverage_seconds = 600 if args.long and args.coverage_seconds is None else (
        60 if args.coverage_seconds is None else args.coverage_seconds)
    if coverage_seconds and importlib.util.find_spec("atheris") is None:
        print("atheris is not installed (pip install atheris): the mutate engine alone runs the campaign")
        coverage_seconds = 0
    require = args.require if args.require is not None else (0 if args.inputs else 100_000)
    families = tuple(args.families)

    print(f"fuzz campaign: seed {args.seed}, families {' '.join(families)}, {coverage_seconds} s "
          f"coverage-guided per family, then >= {inputs:,} mutated inputs on {args.workers} workers", flush=True)
    start = time.monotonic()
    counts: dict[str, dict[str, int]] = {}
    failures: list[dict] = []
    if coverage_seconds:
        counts, failures = run_coverage(families, coverage_seconds, args.seed)
    guided = sum(sum(part.values()) for part in counts.values())
    mutate_start = time.monotonic()
    more, found = run_mutate(families, max(inputs, require - guided), seconds, args.workers, args.seed)
    mutate_time = time.monotonic() - mutate_start
    counts.update(more)
    failures += found
    width = max(map(len, counts))
    for name, part in sorted(counts.items()):
        print(f"  {name:<{width}}  " + "  ".join(f"{v} {part.get(v, 0):>7,}" for v in VERDICTS))
    total = Counter()
    for part in counts.values():
        total.update(part)
    ran = sum(total.values())
    print(f"total: {ran:,} inputs ({guided:,} coverage-guided, {ran - guided:,} mutated in {mutate_time:.0f} s), "
          f"{total['mismatch']:,} mismatches, "
          f"{total['untyped']:,} untyped errors; {time.monotonic() - start:.0f} s", flush=True)
    if failures:
        with open(args.failures, "w", encoding="utf-8") as out:
            for failure in failures:
                out.write(json.dumps(failure, ensure_ascii=True) + "\n")
        print(f"failures written to {args.failures}")
    if ran < require:
        print(f"FAIL: only {ran:,} inputs ran, {require:,} required (raise --seconds or --workers)")
        return 1
    return 1 if total["mismatch"] or total["untyped"] else 0


if __name__ == "__main__":
    sys.exit(main())
