#!/usr/bin/env python3
"""Generate cpmtok/bert/tables/<dialect>.json FROM the live references, one code point at a time.

Every character-level decision a BERT reference makes is a table: which characters its clean-up
deletes, which become a space, which are CJK (isolated), which are punctuation (split off), which
separate words, and what lower-casing with accent stripping turns each character into. We ask the
reference itself for every code point U+0000..U+10FFFF and check the answers in as data, so our ids
do not depend on the interpreter's (or the Rust crate's) Unicode version. tests/test_bert_tables.py
regenerates them and compares.

    python tools/make_bert_tables.py            # writes all four
    python tools/make_bert_tables.py --check    # exit 1 if a checked-in table differs

Run under Python 3.11 (Unicode 14.0.0): hf-slow and google ARE that interpreter's unicodedata.
"""

from __future__ import annotations

import argparse
import json
import sys
import unicodedata
from pathlib import Path
from typing import Callable, Iterable

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from bert_references import google_module  # noqa: E402  (TF-stubbed import of Google's tokenization.py)

TABLE_DIR = ROOT / "cpmtok" / "bert" / "tables"
SURROGATES = range(0xD800, 0xE000)
ALL = range(0x110000)


def ranges(codepoints: Iterable[int]) -> list[list[int]]:
    """Sorted code points -> [[first, last], ...]."""
    out: list[list[int]] = []
    for cp in sorted(codepoints):
        if out and out[-1][1] == cp - 1:
            out[-1][1] = cp
        else:
            out.append([cp, cp])
    return out


def reorder_marks() -> list[int]:
    """Code points whose lower-cased NFD keeps a non-Mn mark of nonzero combining class.

    Next to each other, NFD reorders such marks: the one effect of accent stripping that a
    per-character table cannot express. Text holding them takes the oracle path.
    """
    found = []
    for cp in ALL:
        if cp in SURROGATES:
            continue
        decomposed = unicodedata.normalize("NFD", chr(cp).lower())
        if any(unicodedata.combining(x) and unicodedata.category(x) != "Mn" for x in decomposed):
            found.append(cp)
    return found


def build(dialect: str, is_deleted: Callable[[str], bool], is_whitespace: Callable[[str], bool],
          is_separator: Callable[[str], bool], is_cjk: Callable[[str], bool],
          is_punct: Callable[[str], bool], lowered: Callable[[str], str], skip: range | tuple = ()) -> dict:
    delete, whitespace, separator, cjk, punct, lower = [], [], [], [], [], {}
    for cp in ALL:
        if cp in skip:
            continue
        ch = chr(cp)
        if is_deleted(ch):
            delete.append(cp)
            continue
        if is_whitespace(ch):
            whitespace.append(cp)
        if is_separator(ch):
            separator.append(cp)
        if is_cjk(ch):
            cjk.append(cp)
        if is_punct(ch):
            punct.append(cp)
        if not is_whitespace(ch):
            out = lowered(ch)
            if out != ch:
                lower[f"{cp:X}"] = out
    return {
        "dialect": dialect,
        "delete": ranges(delete),
        "whitespace": ranges(whitespace),
        "separator": ranges(separator),
        "cjk": ranges(cjk),
        "punct": ranges(punct),
        "lower": lower,
    }


def hf_slow() -> dict:
    from transformers.models.bert.tokenization_bert import BasicTokenizer
    from transformers.tokenization_utils import _is_control, _is_punctuation, _is_whitespace

    basic = BasicTokenizer(do_lower_case=True)

    def lowered(ch: str) -> str:
        # tokenize(): per-character str.lower (the special-token regex), clean, NFC, token.lower(), strip accents
        text = basic._clean_text(ch.lower())
        return basic._run_strip_accents(unicodedata.normalize("NFC", text).lower())

    table = build(
        "hf-slow",
        is_deleted=lambda ch: ord(ch) in (0, 0xFFFD) or _is_control(ch),
        is_whitespace=_is_whitespace,
        is_separator=lambda ch: _is_whitespace(ch) or ch.isspace(),  # whitespace_tokenize is str.split()
        is_cjk=lambda ch: basic._is_chinese_char(ord(ch)),
        is_punct=_is_punctuation,
        lowered=lowered,
    )
    table["reference"] = "transformers 4.57.6 BertTokenizer (tokenization_bert.py, tokenization_utils.py)"
    table["unicode"] = unicodedata.unidata_version
    table["reorder"] = reorder_marks()
    return table


def google() -> dict:
    return python_basic_tokenizer("google", google_module(), "Google BERT tokenization.py (PyPI bert-tensorflow 1.0.4)")


def with_word_lowering(table: dict) -> dict:
    """The Python references that lower-case each word with str.lower (no NFC): this interpreter's Unicode,
    NFD reordering marks, and str.lower's final-sigma context (capital sigma becomes final by context)."""
    table["unicode"] = unicodedata.unidata_version
    table["reorder"] = reorder_marks()
    table["sigma_cased"] = ranges(cp for cp in ALL if cp not in SURROGATES and (chr(cp) + "Σ").lower()[-1] == "ς")
    table["case_ignorable"] = ranges(
        cp for cp in ALL if cp not in SURROGATES
        and ("A" + chr(cp) + "Σ").lower()[-1] == "ς" and (chr(cp) + "Σ").lower()[-1] == "σ")
    return table


def gpt2_chinese() -> dict:
    """GPT2-Chinese's copy of transformers 2.1's BasicTokenizer: Google's rules, except that it deletes every C*
    category and isolates every str.isdigit() character like a CJK one (both asked of its own functions)."""
    from gpt2_chinese_reference import character_module

    return python_basic_tokenizer("gpt2-chinese", character_module(), "Morizeyao/GPT2-Chinese@bbb4465 "
                                  "tokenizations/tokenization_bert.py (transformers 2.1.1 base)")


def python_basic_tokenizer(dialect: str, tokenization, reference: str) -> dict:
    """A reference whose module has Google's functions (_is_control, _is_whitespace, _is_punctuation,
    BasicTokenizer), each asked itself; a character is CJK when its _tokenize_chinese_chars isolates it."""
    basic = tokenization.BasicTokenizer(do_lower_case=True)
    table = build(
        dialect,
        is_deleted=lambda ch: ord(ch) in (0, 0xFFFD) or tokenization._is_control(ch),
        is_whitespace=tokenization._is_whitespace,
        is_separator=lambda ch: tokenization._is_whitespace(ch) or ch.isspace(),  # whitespace_tokenize: str.split()
        is_cjk=lambda ch: basic._tokenize_chinese_chars(ch) == f" {ch} ",
        is_punct=tokenization._is_punctuation,
        lowered=lambda ch: basic._run_strip_accents(ch.lower()),
    )
    table["reference"] = reference
    return with_word_lowering(table)


def hf_fast() -> dict:
    import tokenizers
    from tokenizers import normalizers, pre_tokenizers

    clean = normalizers.BertNormalizer(clean_text=True, handle_chinese_chars=False, strip_accents=False, lowercase=False)
    chinese = normalizers.BertNormalizer(clean_text=False, handle_chinese_chars=True, strip_accents=False, lowercase=False)
    lower = normalizers.BertNormalizer(clean_text=False, handle_chinese_chars=False, strip_accents=True, lowercase=True)
    split = pre_tokenizers.BertPreTokenizer()

    def pieces(ch: str) -> int:
        return len(split.pre_tokenize_str("a" + ch + "b"))

    table = build(
        "hf-fast",
        is_deleted=lambda ch: clean.normalize_str(ch) == "",
        is_whitespace=lambda ch: clean.normalize_str(ch) == " ",
        is_separator=lambda ch: pieces(ch) == 2,
        is_cjk=lambda ch: chinese.normalize_str(ch) == f" {ch} ",
        is_punct=lambda ch: pieces(ch) == 3,
        lowered=lower.normalize_str,
        skip=SURROGATES,  # the Rust tokenizer refuses str with lone surrogates (TypeError)
    )
    table["reference"] = f"HF tokenizers {tokenizers.__version__} BertNormalizer + BertPreTokenizer (Rust)"
    table["unicode"] = "the Rust crates' own tables (older than Python 3.11's for categories, newer for case)"
    table["reorder"] = reorder_marks()
    return table


BUILDERS = {"hf-slow": hf_slow, "hf-fast": hf_fast, "google": google, "gpt2-chinese": gpt2_chinese}


def table_path(dialect: str) -> Path:
    return TABLE_DIR / (dialect.replace("-", "_") + ".json")


def dump(table: dict) -> str:
    return json.dumps(table, ensure_ascii=True, sort_keys=True, separators=(",", ":")) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="compare with the checked-in tables, write nothing")
    parser.add_argument("dialects", nargs="*", default=list(BUILDERS))
    args = parser.parse_args(argv)
    if unicodedata.unidata_version != "14.0.0":
        print(f"warning: this interpreter has Unicode {unicodedata.unidata_version}; the tables are Python 3.11's 14.0.0",
              file=sys.stderr)
    status = 0
    for dialect in args.dialects:
        text = dump(BUILDERS[dialect]())
        path = table_path(dialect)
        if args.check:
            same = path.is_file() and path.read_text(encoding="ascii") == text
            print(f"{dialect}: {'same' if same else 'DIFFERS'} ({path})")
            status |= not same
        else:
            TABLE_DIR.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="ascii")
            print(f"{dialect}: wrote {path} ({len(text)} bytes)")
    return status


if __name__ == "__main__":
    sys.exit(main())
