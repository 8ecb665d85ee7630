"""`cpmtok setup|encode|...`: a thin command line over the public API; imported by nothing."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Optional, Sequence

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
    return parser


def _tokenizer_options(command: argparse.ArgumentParser) -> None:
    command.add_argument("-t", "--tokenizer", required=True, help="preset name, vocab.txt, .model or model directory")
    command.add_argument("--dialect", help="BERT: hf-fast (default), hf-slow or google")
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
    raw = sys.stdin.buffer.read() if source == "-" else Path(source).read_bytes()
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


if __name__ == "__main__":
    sys.exit(main())
