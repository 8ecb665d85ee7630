"""The coverage-guided engine: `python -m fuzz.coverage FAMILY FAILURES SECONDS [libFuzzer flags]` (run.py starts it).

atheris mutates bytes; an input is those bytes as UTF-8 (invalid bytes become lone surrogates, which
the encoders must refuse exactly as the references do), through every encoder of the family, and the
ids it encodes to, edited (seeded by the input), through every decoder. cpmtok's modules are
instrumented, so libFuzzer keeps inputs that reach new code. Seeds are corpus slices. Failures are
appended to FAILURES as they happen. After SECONDS the counts are printed as one `FUZZ-COUNTS {json}`
line and the process ends itself (libFuzzer's own time limit would end it without a word from Python).
"""

from __future__ import annotations

import json
import os
import random
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import atheris

with atheris.instrument_imports(include=["cpmtok"]):
    import cpmtok  # noqa: F401

from fuzz.mutate import mutated_ids  # noqa: E402
from fuzz.run import _failure, _special_ids, corpus_records  # noqa: E402
from fuzz.targets import compare, targets_of  # noqa: E402

SEEDS = 400


def main() -> None:
    family, failures_path, seconds, flags = sys.argv[1], Path(sys.argv[2]), float(sys.argv[3]), sys.argv[4:]
    targets = targets_of([family])
    specials = {id(t.tokenizer): _special_ids(t.tokenizer) for t in targets}
    counts = {t.name: Counter() for t in targets}

    def one_input(data: bytes) -> None:
        text = data.decode("utf-8", "surrogateescape")
        rng = random.Random(data)
        for target in targets:
            if target.takes == "text":
                value = text
            else:
                try:
                    seed_ids = target.tokenizer.encode_ids(text, add_special_tokens=family == "bert")
                except Exception:  # noqa: BLE001  (checked by the encode targets)
                    seed_ids = []
                value = mutated_ids(rng, seed_ids, target.tokenizer.vocab_size, specials[id(target.tokenizer)])
            outcome = compare(target, value)
            counts[target.name][outcome.verdict] += 1
            if outcome.verdict != "same":
                with open(failures_path, "a", encoding="utf-8") as out:
                    out.write(json.dumps(_failure(target, value, outcome), ensure_ascii=True) + "\n")
        if time.monotonic() > deadline:
            print("FUZZ-COUNTS " + json.dumps({name: dict(c) for name, c in counts.items()}), flush=True)
            os._exit(0)

    rng = random.Random(0)
    records = corpus_records()
    seeds = tempfile.mkdtemp(prefix=f"cpmtok-fuzz-{family}-")
    for n in range(SEEDS):
        record = rng.choice(records)
        start = rng.randrange(len(record))
        Path(seeds, str(n)).write_bytes(record[start:start + rng.randint(1, 120)].encode("utf-8", "surrogatepass"))
    deadline = time.monotonic() + seconds
    atheris.Setup([sys.argv[0], *flags, seeds], one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
