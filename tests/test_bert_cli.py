"""`cpmtok encode -t NAME [--dialect D]`: JSONL in, JSONL out in order; bad input names the line."""

import json
import subprocess
import sys

import pytest

import cpmtok
from cpmtok.cli import main


def run(args, stdin: bytes, capsysbinary):
    sys_stdin = sys.stdin
    import io

    sys.stdin = io.TextIOWrapper(io.BytesIO(stdin), encoding="utf-8")
    try:
        code = main(args)
    finally:
        sys.stdin = sys_stdin
    out, err = capsysbinary.readouterr()
    return code, out.decode("utf-8"), err.decode("utf-8")


TEXTS = ["今天天气不错", "Hello, World! [SEP] x", "", "a\u2028b\u3000c"]


@pytest.mark.parametrize("dialect", ["hf-fast", "hf-slow", "google"])
def test_jsonl_in_jsonl_out(capsysbinary, dialect):
    stdin = "".join(json.dumps({"text": t}, ensure_ascii=False) + "\n" for t in TEXTS).encode()
    code, out, err = run(["encode", "-t", "gpt2-chinese", "--dialect", dialect, "--tokens", "--offsets"], stdin, capsysbinary)
    assert code == 0, err
    tok = cpmtok.load("gpt2-chinese", dialect=dialect)
    rows = [json.loads(line) for line in out.splitlines()]
    assert [r["ids"] for r in rows] == [tok.encode_ids(t) for t in TEXTS]
    assert [r["tokens"] for r in rows] == [tok.encode(t).tokens for t in TEXTS]
    assert [[tuple(o) for o in r["offsets"]] for r in rows] == [tok.encode(t).offsets for t in TEXTS]


def test_lines_mode_and_file(tmp_path, capsysbinary):
    path = tmp_path / "in.txt"
    path.write_text("第一行 one\n第二行 two\n", encoding="utf-8")
    code, out, _ = run(["encode", "-t", "clue-small", "--lines", str(path)], b"", capsysbinary)
    tok = cpmtok.load("clue-small")
    assert code == 0
    assert [json.loads(line)["ids"] for line in out.splitlines()] == [tok.encode_ids("第一行 one"), tok.encode_ids("第二行 two")]


@pytest.mark.parametrize("stdin, message", [
    (b'{"text": "ok"}\nnot json\n{"text": "never"}\n', "<stdin>:2: not JSON"),
    (b'{"text": "ok"}\n{"txt": "no"}\n{"text": "never"}\n', "<stdin>:2: expected an object"),
    (b'{"text": "ok"}\n{"text": "\xff"}\n{"text": "never"}\n', "<stdin>:2: not UTF-8"),
])
def test_bad_input_names_the_line_and_stops_there(capsysbinary, stdin, message):
    """Output streams, so the records before the bad one are out already; nothing after it is."""
    code, out, err = run(["encode", "-t", "bert-base-chinese"], stdin, capsysbinary)
    assert code == 2
    assert message in err and len(err.splitlines()) == 1
    assert out.splitlines() == [json.dumps({"ids": cpmtok.load("bert-base-chinese").encode_ids("ok")})]


def test_console_script_end_to_end():
    proc = subprocess.run([sys.executable, "-m", "cpmtok.cli", "encode", "-t", "gpt2-ml"],
                          input='{"text": "中文 GPT2-ML"}\n'.encode(), capture_output=True, check=False)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout) == {"ids": cpmtok.load("gpt2-ml").encode_ids("中文 GPT2-ML")}


def test_missing_input_file_is_a_clear_error(tmp_path, capsys):
    missing = tmp_path / "nope.jsonl"
    assert main(["encode", "-t", "clue-small", str(missing)]) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and str(missing) in captured.err and "cannot read" in captured.err
