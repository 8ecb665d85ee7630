"""`cpmtok setup|encode|...`: a thin command line over the public API; imported by nothing."""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Optional, Sequence

from .bert.dialects import DEFAULT, DIALECTS
from .errors import CpmtokError, InvalidInput


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = _parser()
    try:
        args = parser.parse_args(argv)
        return args.run(args)
    except CpmtokError as err:
        print(f"cpmtok: error: {err}", file=sys.stderr)
        return 2
    except _UsageError as err:
        print(err, file=sys.stderr)
        return 2
    except BrokenPipeError:
        return 0
    except KeyboardInterrupt:
        print("cpmtok: interrupted", file=sys.stderr)
        return 130


class _UsageError(Exception):
    """A command-line mistake argparse found; `main` prints it as one line and exits 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # type: ignore[override]
        raise _UsageError(f"{self.prog}: error: {message} (see {self.prog} --help)")


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="cpmtok", description=__doc__)
    commands = parser.add_subparsers(required=True, metavar="COMMAND")

    setup = commands.add_parser("setup", help="place registered vocabulary files into cpmtok's cache, found by "
                                "content (sha256) and checked")
    setup.add_argument("names", nargs="*", metavar="NAME", help="registered vocabularies to place (default: all)")
    setup.add_argument("--from", dest="source", action="append", default=[], type=Path, metavar="DIR",
                       help="a directory that holds the files under any name, e.g. vocab.txt or spiece.model "
                       "(also searched: $CPMTOK_VOCAB_DIR, ../shared/vocab beside a checkout, the Hugging Face cache)")
    setup.add_argument("--download", action="store_true", help="fetch what is missing from the Hugging Face Hub "
                       "repositories the registry lists (needs huggingface_hub: pip install 'cpmtok[hub]')")
    setup.set_defaults(run=_setup)

    encode = commands.add_parser("encode", help="stream records (JSONL, lines, Parquet/Arrow; gzip/zstd) through every "
                                 "core into jsonl, megatron, npy, parquet or packed output, in input order")
    _tokenizer_options(encode)
    encode.add_argument("inputs", nargs="*", default=["-"], metavar="INPUT",
                        help="files or glob patterns (** too), - for standard input (default)")
    encode.add_argument("--field", default="text", help="JSONL key or Parquet/Arrow column of the text (default text)")
    encode.add_argument("--lines", action="store_true", help="inputs are one text per line (same as --input-format "
                        "lines)")
    encode.add_argument("--input-format", default="auto", choices=["auto", "jsonl", "lines", "parquet", "arrow"],
                        help="auto: by suffix (.parquet, .arrow/.feather, .txt = lines), JSONL otherwise")
    encode.add_argument("--format", default="jsonl", choices=["jsonl", "megatron", "npy", "parquet", "packed"],
                        help="jsonl: {\"ids\": [...]} lines; megatron: PREFIX.bin/.idx (MMIDIDX); npy / parquet / "
                        "packed: PREFIX-00000.* shards and PREFIX.manifest.json")
    encode.add_argument("-o", "--output", help="file (jsonl; default standard output) or PREFIX (other formats)")
    encode.add_argument("--append-eod", action="store_true", help="end each document with the eos id ([SEP] for "
                        "BERT vocabularies, <eod> for CPM), as Megatron's preprocess_data.py --append-eod")
    encode.add_argument("--seq-length", type=int, help="packed: window length")
    encode.add_argument("--tail", default="pad", choices=["pad", "drop"],
                        help="packed: the last partial window padded with the pad id (default) or dropped")
    encode.add_argument("--shard-size", type=int, default=1 << 25, help="tokens per npy/parquet/packed shard")
    encode.add_argument("--tokens", action="store_true", help="jsonl: add a \"tokens\" field")
    encode.add_argument("--offsets", action="store_true", help="jsonl: add an \"offsets\" field (character spans)")
    encode.add_argument("--special", action="store_true", help="add the reference's special tokens")
    encode.add_argument("--workers", type=int, default=len(os.sched_getaffinity(0)),
                        help="processes to encode with (default: every core)")
    encode.add_argument("--on-error", default="stop", choices=["stop", "skip"],
                        help="a bad record stops the run (default) or is listed in the reject file and skipped")
    encode.add_argument("--rejects", help="skip: the reject file (default OUTPUT.rejects; standard error without "
                        "--output)")
    encode.add_argument("--resume", action="store_true", help="continue an interrupted run into the same --output")
    encode.add_argument("--quiet", action="store_true", help="no progress bar (there is none unless stderr is a "
                        "terminal) and no summary line")
    encode.add_argument("--scheduler", metavar="tcp://HOST:PORT",
                        help="run on this Dask scheduler (pip install 'cpmtok[dask]'); one partition per input file")
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
    command.add_argument("-t", "--tokenizer", required=True,
                         help="preset name, vocab.txt, .model, model folder or cached Hugging Face repo id")
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

    for name, path in setup(args.source, names=args.names or None, download=args.download).items():
        print(f"{name}: {path}")
    return 0


def read_texts(source: str, *, lines: bool) -> list[str]:
    """Every text of a JSONL (or --lines) input; InvalidInput names the first bad record's file:line."""
    from .corpus.readers import expand_inputs, read_records

    texts = []
    for path in expand_inputs([source]):
        for record in read_records(path, "lines" if lines else "jsonl"):
            if record.problem is not None:
                raise InvalidInput(f"{record.where}: {record.problem}")
            texts.append(record.text)
    return texts


def _encode(args: argparse.Namespace) -> int:
    from .corpus import EncodeOptions, encode_corpus

    options = EncodeOptions(
        format=args.format, output=args.output, field=args.field,
        input_format="lines" if args.lines else args.input_format, add_special_tokens=args.special,
        append_eod=args.append_eod, seq_length=args.seq_length, tail=args.tail, shard_size=args.shard_size,
        fields=("ids",) + (("tokens",) if args.tokens else ()) + (("offsets",) if args.offsets else ()),
        on_error=args.on_error, rejects=args.rejects, workers=args.workers, resume=args.resume,
        progress=sys.stderr.isatty() and not args.quiet)
    if args.scheduler:
        from .corpus.distributed import encode_files_on_dask

        summary = encode_files_on_dask(args.scheduler, _load(args), args.inputs, options)
    else:
        summary = encode_corpus(_load(args), args.inputs, options)
    if summary.interrupted:
        again = " (run again with --resume to finish)" if args.output else ""
        print(f"cpmtok: stopped by {summary.interrupted} after {summary.records} records; completed output "
              f"kept{again}", file=sys.stderr)
        return 130
    if summary.rejected:
        where = f", listed in {summary.rejects}" if summary.rejects else ""
        print(f"cpmtok: {summary.rejected} of {summary.records} records rejected{where}", file=sys.stderr)
    if not args.quiet and summary.files:
        print(f"cpmtok: {summary.written} records -> {', '.join(map(str, summary.files))}", file=sys.stderr)
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
