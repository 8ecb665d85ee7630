"""`cpmtok setup|encode|...`: a thin command line over the public API; imported by nothing."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Optional, Sequence

from .bert.dialects import DEFAULT, DIALECTS
from .errors import CpmtokError, InvalidInput


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        return args.run(args)
    except CpmtokError as err:
        print(f"cpmtok: error: {err}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="cpmtok", description=__doc__)
    commands = parser.add_subparsers(required=True, metavar="COMMAND")

    setup = commands.add_parser("setup", help="place the registered vocabulary files into vocab/, checked by sha256")
    setup.add_argument("--from", dest="source", action="append", default=[], type=Path, metavar="DIR",
                       help="a directory that holds the files (default: $CPMTOK_VOCAB_DIR, then ../shared/vocab)")
    setup.set_defaults(run=_setup)

    encode = commands.add_parser("encode", help="JSONL {\"text\": ...} in, JSONL {\"ids\": [...]} out, same order")
    _tokenizer_options(encode)
    encode.add_argument("input", nargs="?", default="-", help="FILE, or - for standard input (default)")
    encode.add_argument("--lines", action="store_true", help="input is one text per line, not JSONL")
    encode.add_argument("--tokens", action="store_true", help="add a \"tokens\" field")
    encode.add_argument("--offsets", action="store_true", help="add an \"offsets\" field (character spans)")
    encode.add_argument("--special", action="store_true", help="add the reference's special tokens")
    encode.add_argument("--workers", type=int, default=1, help="processes to encode with")
    encode.set_defaults(run=_encode)

    generate = commands.add_parser("generate", help="continue a prompt with a GPT-2 model directory (NumPy, no torch)")
    _tokenizer_options(generate)
    generate.add_argument("--model", required=True, type=Path, help="directory with config.json and "
                          "model.safetensors or pytorch_model.bin (transformers GPT2LMHeadModel)")
    generate.add_argument("prompt", help="the text to continue")
    generate.add_argument("--max-new-tokens", type=int, default=50)
    generate.add_argument("--sample", action="store_true", help="sample (default: greedy)")
    generate.add_argument("--temperature", type=float, default=1.0)
    generate.add_argument("--top-k", type=int, default=0, help="0: off")
    generate.add_argument("--top-p", type=float, default=1.0, help="1.0: off")
    generate.add_argument("--repetition-penalty", type=float, default=1.0, help="1.0: off")
    generate.add_argument("--seed", type=int, help="seed of the sampling RNG")
    generate.add_argument("--stop-id", type=int, action="append", dest="stop_ids",
                          help="stop at this id (repeatable; default [SEP] for BERT vocabularies, <eod> for CPM)")
    generate.add_argument("--suppress-unk", action="store_true", help="never generate [UNK] / <unk>")
    generate.add_argument("--dtype", choices=["float32", "float16", "float64"], default="float32")
    generate.set_defaults(run=_generate)

    export = commands.add_parser("export", help="write a preset as a folder Hugging Face AutoTokenizer/tokenizers "
                                 "load with the same ids (CPM: trust_remote_code=True)")
    export.add_argument("-t", "--tokenizer", required=True, help="preset name")
    export.add_argument("out_dir", type=Path, metavar="OUT_DIR", help="folder to write (must be empty or absent)")
    export.add_argument("--force", action="store_true", help="write into a non-empty folder (replaces only the "
                        "export's own files)")
    export.add_argument("--dialect", help=f"BERT: override the preset's dialect ({', '.join(DIALECTS)})")
    export.add_argument("--approximate", action="store_true", help="export a dialect a tokenizer.json can only "
                        "approximate (google); the folder's README.md lists the differences")
    export.add_argument("--model-type", choices=["gpt2"], help="also set tokenizer_class in OUT_DIR/config.json")
    export.set_defaults(run=_export)

    roundtrip = commands.add_parser("roundtrip", help="how exactly each text comes back from its ids: exact "
                                    "records (natural and reference decode), lossy spans per cause, worst examples")
    _tokenizer_options(roundtrip)
    roundtrip.add_argument("inputs", nargs="+", metavar="FILE", help="JSONL {\"text\": ...} files (- for stdin)")
    roundtrip.add_argument("--lines", action="store_true", help="inputs are one text per line, not JSONL")
    roundtrip.add_argument("--json", action="store_true", help="print the summary as one JSON object")
    roundtrip.add_argument("--examples", type=int, default=5, help="worst examples to show (default 5)")
    roundtrip.set_defaults(run=_roundtrip)
    return parser


def _tokenizer_options(command: argparse.ArgumentParser) -> None:
    command.add_argument("-t", "--tokenizer", required=True, help="preset name, vocab.txt, .model or model directory")
    command.add_argument("--dialect", help=f"BERT: one of {', '.join(DIALECTS)} (default {DEFAULT})")
    command.add_argument("--allow-checksum-mismatch", action="store_true",
                         help="use a vocabulary file whose sha256 is not the registered one")


def _load(args: argparse.Namespace):
    from .loader import load

    options = {}
    if args.dialect:
        options["dialect"] = args.dialect
    if args.allow_checksum_mismatch:
        options["allow_checksum_mismatch"] = True
    return load(args.tokenizer, **options)


def _setup(args: argparse.Namespace) -> int:
    from .vocab import setup

    for name, path in setup(args.source).items():
        print(f"{name}: {path}")
    return 0


def read_texts(source: str, *, lines: bool) -> list[str]:
    """Every text of a JSONL (or --lines) input, all validated before any output is written."""
    try:
        raw = sys.stdin.buffer.read() if source == "-" else Path(source).read_bytes()
    except OSError as err:
        raise InvalidInput(f"{source}: cannot read ({err.strerror})") from None
    return parse_records(raw, "<stdin>" if source == "-" else source, lines=lines)


def parse_records(raw: bytes, name: str, *, lines: bool) -> list[str]:
    """Texts of JSONL records (`{"text": ...}` per line) or of plain lines; InvalidInput names the line."""
    rows = raw.split(b"\n")
    if rows and rows[-1] == b"":
        rows.pop()  # the newline that ends the last line starts no record
    texts = []
    for number, row in enumerate(rows, start=1):
        try:
            text = row.decode("utf-8")
        except UnicodeDecodeError as err:
            raise InvalidInput(f"{name}:{number}: not UTF-8 ({err.reason} at byte {err.start})") from None
        if lines:
            texts.append(text)
            continue
        try:
            record = json.loads(text)
        except json.JSONDecodeError as err:
            raise InvalidInput(f"{name}:{number}: not JSON ({err.msg})") from None
        if not isinstance(record, dict) or not isinstance(record.get("text"), str):
            raise InvalidInput(f"{name}:{number}: expected an object with a string \"text\" field")
        texts.append(record["text"])
    return texts


def _encode(args: argparse.Namespace) -> int:
    texts = read_texts(args.input, lines=args.lines)
    tokenizer = _load(args)
    fields = ["ids"] + (["tokens"] if args.tokens else []) + (["offsets"] if args.offsets else [])
    encodings = tokenizer.encode_batch(texts, add_special_tokens=args.special, workers=args.workers)
    out = sys.stdout
    for encoding in encodings:
        out.write(json.dumps(encoding.to_dict(fields), ensure_ascii=False) + "\n")
    out.flush()
    return 0


def _generate(args: argparse.Namespace) -> int:
    from .generation import generate_text
    from .gpt2 import Sampling

    try:
        sampling = Sampling(do_sample=args.sample, temperature=args.temperature, top_k=args.top_k, top_p=args.top_p,
                            repetition_penalty=args.repetition_penalty, seed=args.seed)
        result = generate_text(_load(args), args.model, args.prompt, max_new_tokens=args.max_new_tokens,
                               sampling=sampling, stop_ids=args.stop_ids, suppress_unk=args.suppress_unk,
                               dtype=args.dtype)
    except CpmtokError:
        raise
    except ValueError as err:  # options or a prompt the model cannot take (empty, too long)
        raise InvalidInput(str(err)) from None
    print(result.text)
    return 0


def _export(args: argparse.Namespace) -> int:
    from .export import export

    written = export(args.tokenizer, args.out_dir, force=args.force, dialect=args.dialect,
                     approximate=args.approximate, model_type=args.model_type)
    for path in written:
        print(path)
    return 0


def _roundtrip(args: argparse.Namespace) -> int:
    from .decode.roundtrip import Summary

    inputs = [(source, read_texts(source, lines=args.lines)) for source in args.inputs]
    tokenizer = _load(args)
    summary = Summary(examples=args.examples)
    total = sum(len(texts) for _, texts in inputs)
    progress = _Progress(total, enabled=total >= 1000)
    for source, texts in inputs:
        for number, text in enumerate(texts, start=1):
            summary.add(f"{source}:{number}", tokenizer.roundtrip(text))
            progress.step()
    progress.close()
    if args.json:
        print(json.dumps({"tokenizer": args.tokenizer, **summary.to_dict()}, ensure_ascii=False))
    else:
        print(_roundtrip_table(args.tokenizer, summary))
    return 0


def _roundtrip_table(name: str, summary) -> str:
    def share(count: int) -> str:
        return f"{count:>7} {100 * count / max(summary.records, 1):6.2f} %"

    lines = [f"cpmtok roundtrip -t {name}: {summary.records} records",
             f"  exact, natural decode     {share(summary.exact)}",
             f"  exact, reference decode   {share(summary.reference_exact)}",
             f"  exact by reference only   {share(len(summary.reference_only))}",
             "  records (spans) per cause:"]
    for cause, records in summary.records_per_cause.most_common():
        lines.append(f"    {cause:<26}{share(records)}  ({summary.spans_per_cause[cause]} spans)")
    if summary.reference_only:
        lines.append("  exact by reference decode, not by natural decode:")
        lines += [f"    {where}" for where, _ in summary.reference_only[:summary.examples]]
    if summary.worst_examples():
        lines.append("  worst examples (characters lost):")
    for lost, where, report in summary.worst_examples():
        lines.append(f"    {where} ({lost}):")
        lines += [f"      {span}" for span in report.spans[:3]]
    return "\n".join(lines)


class _Progress:
    """A one-line progress bar on stderr (stdout stays the summary)."""

    def __init__(self, total: int, *, enabled: bool) -> None:
        self.total, self.done, self.enabled, self.shown = total, 0, enabled, -1

    def step(self) -> None:
        self.done += 1
        percent = 100 * self.done // max(self.total, 1)
        if self.enabled and percent != self.shown:
            self.shown = percent
            bar = "#" * (percent // 4)
            print(f"\rroundtrip [{bar:<25}] {self.done}/{self.total}", end="", file=sys.stderr, flush=True)

    def close(self) -> None:
        if self.enabled:
            print(file=sys.stderr)


if __name__ == "__main__":
    sys.exit(main())
