"""The checked-in character tables are exactly what the live references answer today."""

import json
import sys
import unicodedata
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tools"))
import make_bert_tables  # noqa: E402

from cpmtok.bert.dialects import DIALECTS  # noqa: E402


def test_interpreter_is_the_tables_unicode():
    """hf-slow/google tables are Python 3.11's Unicode 14.0.0; regenerating elsewhere would change them."""
    assert unicodedata.unidata_version == "14.0.0", "run the table tests under Python 3.11"


@pytest.mark.slow  # asks each reference about all 1,114,112 code points (~10 s per dialect)
@pytest.mark.parametrize("dialect", list(make_bert_tables.BUILDERS))
def test_tables_equal_regenerated_from_reference(dialect):
    built = make_bert_tables.dump(make_bert_tables.BUILDERS[dialect]())
    checked_in = make_bert_tables.table_path(dialect).read_text(encoding="ascii")
    assert built == checked_in, f"{dialect}: run `python tools/make_bert_tables.py {dialect}` and review the diff"


def test_documented_differences_are_in_the_tables():
    fast, slow, google = (DIALECTS[d].char_tables() for d in ("hf-fast", "hf-slow", "google"))
    assert (0x2B820, 0x2B820) not in fast.cjk and any(a == 0x2B920 for a, _ in fast.cjk)  # D5
    assert fast.lower["\ua7cb"] != "\ua7cb" and "\ua7cb" not in slow.lower  # D4: Rust's newer case table
    assert any(a <= 0xE000 <= b for a, b in slow.delete) and not any(a <= 0xE000 <= b for a, b in google.delete)


def test_gpt2_chinese_table_is_google_rules_with_digits_isolated():
    """GPT2-Chinese's copy: deletes every C* category (like hf-slow), lower-cases per word (like Google),
    and isolates every str.isdigit() character (788 at Unicode 14.0.0) as it does CJK characters."""
    table, base = (json.loads(make_bert_tables.table_path(d).read_text(encoding="ascii"))
                   for d in ("gpt2-chinese", "google"))
    deleted = expand(table["delete"])
    digits = {cp for cp in range(0x110000) if chr(cp).isdigit() and cp not in deleted}
    assert len(digits) == 788
    assert expand(table["cjk"]) == (expand(base["cjk"]) | digits) - deleted
    assert table["lower"] == base["lower"] and table["sigma_cased"] == base["sigma_cased"]


def expand(rows: list[list[int]]) -> set[int]:
    return {cp for first, last in rows for cp in range(first, last + 1)}
