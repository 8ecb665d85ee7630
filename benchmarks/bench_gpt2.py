"""cpmtok's NumPy GPT-2 vs transformers GPT2LMHeadModel on CPU: prefill time and generated tokens/s.

    python benchmarks/bench_gpt2.py [--threads 1] [--layers 6] [--width 768] [--heads 12] [--vocab 21128]

One run builds random weights (the gpt2-distil-chinese shape by default), saves them as safetensors,
and measures each engine in its own subprocess with the same thread count (OMP/OPENBLAS/MKL env vars
set before NumPy or torch is imported, plus torch.set_num_threads). Both engines compute the same
thing: prefill = the logits of all positions of a 256-token prompt (batch 1); generation = greedy
`max_new_tokens` after a 32-token prompt, KV cache on, no stop id (transformers `generate`,
`do_sample=False`). Times are the best of `--repeats` runs in each of `--rounds` alternating
processes per engine. Speeds are printed only if the prefill logits agree (max |diff| <= 1e-3) and the
generated ids are identical.
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

PREFILL, PROMPT, NEW = 256, 32, 64


def worker(engine: str, model_dir: Path, out: Path, repeats: int) -> None:
    import numpy as np

    rng = np.random.default_rng(0)
    config = json.loads((model_dir / "config.json").read_text())
    prefill_ids = rng.integers(0, config["vocab_size"], (1, PREFILL))
    prompt = prefill_ids[0, :PROMPT].tolist()
    if engine == "numpy":
        from cpmtok.gpt2 import generate, load_model
        from cpmtok.gpt2.model import forward

        cfg, params = load_model(model_dir)

        def prefill():
            return forward(params, cfg, prefill_ids)

        def gen():
            return generate(params, cfg, [prompt], max_new_tokens=NEW)[0]
    else:
        import torch
        from transformers import GPT2LMHeadModel

        torch.set_num_threads(int(os.environ["OMP_NUM_THREADS"]))
        model = GPT2LMHeadModel.from_pretrained(model_dir).eval()
        ids = torch.tensor(prefill_ids)

        def prefill():
            with torch.inference_mode():
                return model(ids).logits.numpy()

        def gen():
            with torch.inference_mode():
                out = model.generate(torch.tensor([prompt]), attention_mask=torch.ones(1, PROMPT, dtype=torch.long),
                                     do_sample=False, max_new_tokens=NEW, min_new_tokens=NEW,
                                     pad_token_id=0, eos_token_id=None)
            return out[0, PROMPT:].tolist()

    logits = prefill()  # warm-up
    gen()
    prefill_times, gen_times = [], []
    for _ in range(repeats):
        start = time.perf_counter()
        prefill()
        prefill_times.append(time.perf_counter() - start)
    for _ in range(repeats):
        start = time.perf_counter()
        tokens = gen()
        gen_times.append(time.perf_counter() - start)
    np.save(out.with_suffix(".npy"), np.asarray(logits, np.float32))
    out.write_text(json.dumps({"prefill_s": min(prefill_times), "gen_s": min(gen_times), "tokens": tokens}))


def run(engine: str, model_dir: Path, threads: int, repeats: int, scratch: Path) -> dict:
    env = dict(os.environ, OMP_NUM_THREADS=str(threads), OPENBLAS_NUM_THREADS=str(threads),
               MKL_NUM_THREADS=str(threads), TRANSFORMERS_VERBOSITY="error", HF_HUB_OFFLINE="1")
    out = scratch / f"{engine}.json"
    subprocess.run([sys.executable, __file__, "--worker", engine, "--model-dir", str(model_dir),
                    "--out", str(out), "--repeats", str(repeats)], env=env, check=True)
    result = json.loads(out.read_text())
    import numpy as np

    result["logits"] = np.load(out.with_suffix(".npy"))
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--layers", type=int, default=6)
    parser.add_argument("--width", type=int, default=768)
    parser.add_argument("--heads", type=int, default=12)
    parser.add_argument("--vocab", type=int, default=21128)
    parser.add_argument("--repeats", type=int, default=5, help="timed runs per engine process (the best counts)")
    parser.add_argument("--rounds", type=int, default=2, help="processes per engine, alternating")
    parser.add_argument("--worker", choices=["numpy", "torch"], help=argparse.SUPPRESS)
    parser.add_argument("--model-dir", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args.worker, args.model_dir, args.out, args.repeats)
        return

    import numpy as np
    import torch
    from transformers import GPT2Config, GPT2LMHeadModel

    with tempfile.TemporaryDirectory() as scratch_name:
        scratch = Path(scratch_name)
        torch.manual_seed(0)
        GPT2LMHeadModel(GPT2Config(n_layer=args.layers, n_embd=args.width, n_head=args.heads,
                                   vocab_size=args.vocab, n_positions=1024)).save_pretrained(scratch / "model")
        results: dict[str, dict] = {}
        for _ in range(args.rounds):  # engines alternate, so a busy machine slows both alike
            for engine in ("torch", "numpy"):
                result = run(engine, scratch / "model", args.threads, args.repeats, scratch)
                best = results.setdefault(engine, result)
                best["prefill_s"] = min(best["prefill_s"], result["prefill_s"])
                best["gen_s"] = min(best["gen_s"], result["gen_s"])
    shape = f"{args.layers} layers x {args.width} x {args.heads} heads, vocab {args.vocab}, {args.threads} thread(s)"
    diff = float(np.abs(results["numpy"]["logits"] - results["torch"]["logits"]).max())
    print(f"shape: {shape}; torch {torch.__version__}, numpy {np.__version__}")
    print(f"prefill logits max |numpy - torch| = {diff:.2e} over {PREFILL} positions x {args.vocab}")
    if diff > 1e-3:
        print("logits differ: no speeds printed")
        sys.exit(1)
    if results["numpy"]["tokens"] != results["torch"]["tokens"]:
        print("greedy tokens differ: no speeds printed")
        sys.exit(1)
    print(f"greedy generation: {NEW} identical tokens after a {PROMPT}-token prompt")
    t, n = results["torch"], results["numpy"]
    print(f"prefill {PREFILL} tokens (all-position logits): torch {t['prefill_s'] * 1e3:.1f} ms, "
          f"numpy {n['prefill_s'] * 1e3:.1f} ms, numpy/torch time = {n['prefill_s'] / t['prefill_s']:.2f}x")
    print(f"generate {NEW} tokens (KV cache, greedy): torch {NEW / t['gen_s']:.1f} tok/s, "
          f"numpy {NEW / n['gen_s']:.1f} tok/s, numpy/torch speed = {t['gen_s'] / n['gen_s']:.2f}x")


if __name__ == "__main__":
    main()
