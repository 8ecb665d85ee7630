"""`tok.roundtrip(text)` names every lossy span with its cause; `cpmtok roundtrip` summarises a corpus."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings

import cpmtok
from bert_strategies import texts as bert_texts
from budget import examples
from corpus import all_corpus_texts
from cpm_strategies import cpm_texts
from cpmtok.cli import main
from cpmtok.decode import CAUSES, Summary, explain
from cpmtok.presets import PRESETS


def causes(report) -> set[str]:
    return {span.cause for span in report.spans}


def test_an_exact_text_has_no_span(bert, cpm):
    for tok in (bert, cpm):
        report = tok.roundtrip("因有关日寇在京掠夺文物详情，藏界较为重视。")  # news.jsonl:1
        assert report.exact and not report.spans and str(report) == "exact"


def test_bert_causes(bert):
    report = bert.roundtrip("Café\t[CLS]䯱好 x\x00y ÉCOLE")
    assert not report.exact
    assert causes(report) == {"lower-casing", "accent stripping", "whitespace lost", "special-string collision",
                              "unknown token", "deleted character"}
    spans = {span.cause: span for span in report.spans}
    assert (spans["unknown token"].original, spans["unknown token"].decoded) == ("䯱", "\ufffd")
    assert (spans["special-string collision"].original, spans["special-string collision"].decoded) == ("[CLS]", "")
    assert [span.original for span in report.spans if span.cause == "whitespace lost"] == ["\t", " "]
    for span in report.spans:
        assert report.text[span.start:span.end] == span.original


def test_bert_whitespace_the_natural_decode_adds(bert):
    report = bert.roundtrip("a。b")
    assert report.exact
    report = bert.roundtrip("end,the")  # a comma between Latin words reads as prose: "end, the"
    assert [(span.cause, span.original, span.decoded) for span in report.spans] == [("whitespace added", "", " ")]


def test_cpm_causes(cpm):
    report = cpm.roundtrip("好，（测试）……\t䯱▂▃，x,y\u200b")
    assert causes(report) == {"NFKC change", "whitespace lost", "unknown token", "literal \u2582/\u2583",
                              "deleted character"}
    nfkc = [(span.original, span.decoded) for span in report.spans if span.cause == "NFKC change"]
    assert ("，", ",") in nfkc
    guess = cpm.roundtrip("距离较近,但是不对,如果是。")  # reviews.jsonl:1 style, but with a 。: commas restored
    assert causes(guess) == {"punctuation guess"}
    assert not guess.exact and guess.reference_exact


@pytest.mark.parametrize("preset", ["bert-base-chinese", "gpt2-ml", "uer-gpt2-chinese", "cpm", "cpm-v0"])
def test_any_text_gets_a_consistent_report(preset):
    tok = cpmtok.load(preset)

    @settings(max_examples=examples(1000, 60), deadline=None, suppress_health_check=list(HealthCheck))
    @given(bert_texts if tok.family == "bert" else cpm_texts)
    def check(text):
        try:
            report = tok.roundtrip(text)
        except cpmtok.UnsupportedText:  # lone surrogates (the references refuse them too)
            return
        assert report.exact == (not report.spans)
        assert "unexplained" not in report.causes, [str(span) for span in report.spans]
        for span in report.spans:
            assert text[span.start:span.end] == span.original

    check()


def test_report_as_dict_and_text(cpm):
    report = cpm.roundtrip("温度（℃）")
    data = report.to_dict()
    assert set(data) == {"exact", "reference_exact", "text", "decoded", "reference", "spans"}
    json.dumps(data, ensure_ascii=False)
    assert str(report).startswith("exact") or str(report).startswith("lossy")


def _jsonl(path, texts):
    path.write_text("".join(json.dumps({"text": t}, ensure_ascii=False) + "\n" for t in texts), encoding="utf-8")
    return path


def test_cli_summary_and_json(tmp_path, capsys):
    source = _jsonl(tmp_path / "a.jsonl", ["今天天气不错， hello world!", "距离较近,但是", "好。"])
    assert main(["roundtrip", "-t", "cpm", str(source)]) == 0  # lossy text is no error
    out = capsys.readouterr().out
    assert "cpmtok roundtrip -t cpm: 3 records" in out and "exact, natural decode" in out
    assert main(["roundtrip", "-t", "bert-base-chinese", "--json", str(source), str(source)]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["records"] == 6 and data["exact"] == 4
    assert data["records_per_cause"] == {"whitespace lost": 2}  # " hello" after "，" (twice: the file twice)
    assert sum(1 for w in data["worst"]) <= 5


def test_cli_lines_progress_and_errors(tmp_path, capsys):
    lines = tmp_path / "lines.txt"
    lines.write_text("今天\n好\n" * 600, encoding="utf-8")
    assert main(["roundtrip", "-t", "bert-base-chinese", "--lines", str(lines)]) == 0
    captured = capsys.readouterr()
    assert "1200 records" in captured.out and "roundtrip [" in captured.err  # a progress bar for 1,200 records
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"text": 1}\n', encoding="utf-8")
    assert main(["roundtrip", "-t", "cpm", str(bad)]) == 2
    assert main(["roundtrip", "-t", "cpm", str(tmp_path / "missing.jsonl")]) == 2
    assert "missing.jsonl" in capsys.readouterr().err


# --- the whole corpus (slow): reconstruction exact, every loss explained, for every preset ------------------
@pytest.mark.slow
@pytest.mark.parametrize("preset", sorted(PRESETS))
def test_corpus_round_trip(preset):
    tok = cpmtok.load(preset)
    summary = Summary()
    for name, index, text in all_corpus_texts():
        encoding = tok.encode(text)
        assert tok.decode(encoding) == text, f"{name}:{index + 1}"
        report = explain(tok, encoding)
        assert report.exact == (not report.spans), f"{name}:{index + 1}"
        assert "unexplained" not in report.causes, (f"{name}:{index + 1}", [str(s) for s in report.spans])
        summary.add(f"{name}:{index + 1}", report)
    assert summary.records == 54604
    nonexact = summary.records - summary.exact
    assert all(cause in CAUSES for cause in summary.records_per_cause)
    assert all(0 < count <= nonexact for count in summary.records_per_cause.values())
    assert sum(summary.records_per_cause.values()) >= nonexact  # every non-exact record has a cause
    assert all(summary.spans_per_cause[c] >= summary.records_per_cause[c] for c in summary.records_per_cause)
    print(preset, summary.records, summary.exact, summary.reference_exact, len(summary.reference_only),
          dict(summary.records_per_cause))
    if tok.family == "bert":
        assert len(summary.reference_only) <= 0.005 * summary.records
