#!/usr/bin/env python3
"""MB/s of cpmtok's BERT dialects vs HF tokenizers (Rust, one thread) vs transformers' slow BertTokenizer.

One run, the whole shared corpus (or --limit records), one vocabulary. Every engine's ids are first
checked against the golden ids of the reference it claims to be; an engine whose ids differ gets no
speed printed. Each engine encodes record by record as users do; Rust also through encode_batch.

    python benchmarks/bench_bert.py [--vocab bert-base-chinese] [--limit N] [--skip-slow]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

os.environ["RAYON_NUM_THREADS"] = "1"  # before tokenizers is imported: one thread, as cpmtok
os.environ["TOKENIZERS_PARALLELISM"] = "false"
os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

import cpmtok  # noqa: E402
from cpmtok.vocab import locate  # noqa: E402
from bert_references import reference  # noqa: E402
from corpus import corpus_files, corpus_texts, golden_ids  # noqa: E402


def timed(encode_all, texts):
    start = time.perf_counter()
    ids = encode_all(texts)
    return ids, time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--vocab", default="bert-base-chinese", choices=["bert-base-chinese", "clue-small"])
    parser.add_argument("--limit", type=int, default=0, help="only the first N records (0: all)")
    parser.add_argument("--skip-slow", action="store_true", help="leave out the pure-Python references")
    args = parser.parse_args()

    texts, golden = [], {"hf_fast": [], "hf_slow": [], "google": []}
    for path in corpus_files():
        texts += corpus_texts(path)
        for ref in golden:
            golden[ref] += golden_ids(f"{args.vocab}/{ref}", path.name)
    if args.limit:
        texts = texts[: args.limit]
        golden = {ref: ids[: args.limit] for ref, ids in golden.items()}
    megabytes = sum(len(t.encode("utf-8", "surrogatepass")) for t in texts) / 1e6
    print(f"corpus: {len(texts)} records, {megabytes:.2f} MB UTF-8, vocab {args.vocab}, python {sys.version.split()[0]}")

    import tokenizers

    rust = tokenizers.BertWordPieceTokenizer(str(locate(args.vocab)), lowercase=True)
    engines = []
    for dialect, ref in [("hf-fast", "hf_fast"), ("hf-slow", "hf_slow"), ("google", "google")]:
        tok = cpmtok.load(args.vocab, dialect=dialect)
        engines.append((f"cpmtok {dialect}", ref, lambda ts, tok=tok: [tok.encode_ids(t) for t in ts]))
    engines.append((f"tokenizers {tokenizers.__version__} Rust, encode per record", "hf_fast",
                    lambda ts: [rust.encode(t, add_special_tokens=False).ids for t in ts]))
    engines.append((f"tokenizers {tokenizers.__version__} Rust, encode_batch", "hf_fast",
                    lambda ts: [e.ids for e in rust.encode_batch(ts, add_special_tokens=False)]))
    if not args.skip_slow:
        engines.append(("transformers 4.57.6 BertTokenizer (slow)", "hf_slow",
                        lambda ts, f=reference("hf-slow", args.vocab): [f(t) for t in ts]))
        engines.append(("Google tokenization.py (bert-tensorflow 1.0.4)", "google",
                        lambda ts, f=reference("google", args.vocab): [f(t) for t in ts]))

    speeds: dict[str, float] = {}
    for name, ref, encode_all in engines:
        ids, seconds = timed(encode_all, texts)
        differing = sum(1 for got, want in zip(ids, golden[ref]) if list(got) != want)
        if differing:
            print(f"{name:52s} REFUSED: ids differ from golden {ref} on {differing} records")
            continue
        speeds[name] = megabytes / seconds
        print(f"{name:52s} {speeds[name]:7.2f} MB/s  ({seconds:6.2f} s, ids == golden {ref})")

    rust_name = next((n for n in speeds if n.endswith("per record")), None)
    batch_name = next((n for n in speeds if n.endswith("encode_batch")), None)
    if "cpmtok hf-fast" in speeds and rust_name:
        print(f"cpmtok hf-fast / Rust per record: {speeds['cpmtok hf-fast'] / speeds[rust_name]:.2f}x"
              + (f";  / Rust encode_batch: {speeds['cpmtok hf-fast'] / speeds[batch_name]:.2f}x" if batch_name else ""))
    slow_name = next((n for n in speeds if "slow" in n and n.startswith("transformers")), None)
    if "cpmtok hf-slow" in speeds and slow_name:
        print(f"cpmtok hf-slow / transformers slow: {speeds['cpmtok hf-slow'] / speeds[slow_name]:.1f}x")
    google_name = next((n for n in speeds if n.startswith("Google")), None)
    if "cpmtok google" in speeds and google_name:
        print(f"cpmtok google / Google tokenization.py: {speeds['cpmtok google'] / speeds[google_name]:.1f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
