#!/usr/bin/env python3
"""Model-ready batches: cpmtok `tok(batch, padding="longest", return_tensors="np")` vs transformers'
BertTokenizerFast with the same call, on the whole shared corpus, in the same run.

Both cut the corpus into the same batches (--batch-size texts each, in corpus order). Every output is first
compared key by key and array by array; a preset whose outputs differ gets no speed printed. Rust runs with
its default threads (all cores, as users run it) unless --rust-threads says otherwise. Each engine's time is
the best of --repeat runs (the machine is shared); the ratio is taken within this run.

    python benchmarks/bench_batch.py [--preset bert-base-chinese] [--batch-size 256] [--limit N]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
import warnings
from pathlib import Path


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--preset", default="bert-base-chinese", choices=["bert-base-chinese", "clue-small",
                                                                          "uer-gpt2-chinese"])
    parser.add_argument("--batch-size", type=int, default=256)
    parser.add_argument("--limit", type=int, default=0, help="only the first N records (0: all)")
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--rust-threads", type=int, default=0, help="RAYON_NUM_THREADS (0: its default)")
    args = parser.parse_args()
    if args.rust_threads:
        os.environ["RAYON_NUM_THREADS"] = str(args.rust_threads)  # before tokenizers is imported
    else:
        os.environ["TOKENIZERS_PARALLELISM"] = "true"
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
    root = Path(__file__).resolve().parent.parent
    sys.path.insert(0, str(root / "tests"))

    import cpmtok
    from corpus import all_corpus_texts
    from inputs_reference import assert_same, hf_fast

    texts = [text for _, _, text in all_corpus_texts()]
    if args.limit:
        texts = texts[: args.limit]
    batches = [texts[i:i + args.batch_size] for i in range(0, len(texts), args.batch_size)]
    megabytes = sum(len(t.encode("utf-8", "surrogatepass")) for t in texts) / 1e6
    threads = args.rust_threads or os.cpu_count()
    print(f"corpus: {len(texts)} records, {megabytes:.2f} MB UTF-8, {len(batches)} batches of {args.batch_size}, "
          f"preset {args.preset}, python {sys.version.split()[0]}, rust threads {threads}")

    engines = {"cpmtok": cpmtok.load(args.preset), "transformers BertTokenizerFast": hf_fast(args.preset)}
    options = dict(padding="longest", return_tensors="np", add_special_tokens=True)  # both: [CLS] ... [SEP]

    for batch in batches:  # ids first: both engines' outputs, key by key
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            assert_same(dict(engines["cpmtok"](batch, **options)),
                        dict(engines["transformers BertTokenizerFast"](batch, **options)), "bench batch")
    print("outputs: identical (input_ids, token_type_ids, attention_mask) for every batch")

    seconds = {}
    for name, tok in engines.items():
        best = float("inf")
        for _ in range(args.repeat):
            start = time.perf_counter()
            for batch in batches:
                tok(batch, **options)
            best = min(best, time.perf_counter() - start)
        seconds[name] = best
        print(f"{name:32s} {best:7.2f} s  {megabytes / best:6.2f} MB/s  {len(texts) / best:9.0f} texts/s")
    ratio = seconds["transformers BertTokenizerFast"] / seconds["cpmtok"]
    print(f"cpmtok is {ratio:.2f}x BertTokenizerFast on tok(batch, padding='longest', return_tensors='np')")
    return 0


if __name__ == "__main__":
    sys.exit(main())
