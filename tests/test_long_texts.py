"""One huge text: BERT encodes it piece by piece (cpmtok/bert/cuts.py), and the ids are those of the whole text.

Differential: the cut path (tiny piece sizes, so every text is cut many times) equals the uncut path on
hypothesis texts in every dialect; the whole corpus joined into one text per file equals the golden ids of its
records (slow); a 100 MB text of each kind encodes in a subprocess whose peak RSS stays under 2 GB (slow).
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import textwrap

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import cpmtok
from bert_references import DIALECTS, GOLDEN_SET, VOCABS
from bert_strategies import texts
from budget import examples
from corpus import corpus_files, corpus_texts, golden_ids
from cpmtok.bert.cuts import pieces

SETTINGS = dict(deadline=None, suppress_health_check=list(HealthCheck))


@settings(max_examples=examples(2000, 300), **SETTINGS)
@given(texts, st.integers(1, 40))
def test_pieces_cover_the_text_and_keep_their_size(text, size):
    cut = list(pieces(text, size))
    assert "".join(cut) == text
    assert all(len(piece) >= size for piece in cut[:-1])


@pytest.mark.parametrize("dialect", DIALECTS)
def test_cut_ids_equal_uncut_ids(dialect):
    whole = cpmtok.load("bert-base-chinese", dialect=dialect)
    cut = cpmtok.load("bert-base-chinese", dialect=dialect)
    whole.cut_size = 1 << 62

    @settings(max_examples=examples(3000, 300), **SETTINGS)
    @given(texts, st.integers(1, 12), st.booleans())
    def check(text, size, specials):
        cut.cut_size = size
        try:
            expected = whole.encode_ids(text, add_special_tokens=specials)
        except cpmtok.UnsupportedText:  # hf-fast refuses lone surrogates, cut or not
            with pytest.raises(cpmtok.UnsupportedText):
                cut.encode_ids(text, add_special_tokens=specials)
            return
        assert cut.encode_ids(text, add_special_tokens=specials) == expected

    check()


@pytest.mark.slow
@pytest.mark.parametrize("vocab", sorted(VOCABS))
@pytest.mark.parametrize("dialect", DIALECTS)
def test_each_corpus_file_as_one_text_gives_its_records_golden_ids(vocab, dialect):
    """Records joined by newlines (where no dialect's ids change) give the concatenated golden ids."""
    tok = cpmtok.load(vocab, dialect=dialect)
    tok.cut_size = 4096
    for path in corpus_files():
        expected = [i for ids in golden_ids(f"{vocab}/{GOLDEN_SET[dialect]}", path.name) for i in ids]
        assert tok.encode_ids("\n".join(corpus_texts(path))) == expected, path.name


_HUGE = textwrap.dedent("""
    import json, resource, sys
    import cpmtok
    kind, size = sys.argv[1], int(sys.argv[2])
    tok = cpmtok.load("bert-base-chinese")
    if kind == "corpus":
        sys.path.insert(0, "tests")
        from corpus import all_corpus_texts
        unit = "\\n".join(text for _, _, text in all_corpus_texts())
    else:
        unit = {"chinese": "今天天气不错我们去公园散步吧", "ascii": "abcdefghij", "alternating": "a中",
                "newlines": "\\n", "spaces": " "}[kind]
    text = (unit * (size // len(unit.encode()) + 1))[:size]  # `size` UTF-8 bytes or a little more
    del unit
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    ids = tok.encode_ids(text)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"ids": len(ids), "before_kb": before, "peak_kb": peak}))
""")


@pytest.mark.slow
@pytest.mark.parametrize("kind", ["chinese", "ascii", "alternating", "newlines", "spaces", "corpus"])
def test_a_100mb_text_encodes_in_bounded_memory(kind):
    limit = 3 << 30  # address space: a runaway allocation fails fast instead of swapping

    def cap():
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))

    done = subprocess.run([sys.executable, "-c", _HUGE, kind, str(100 << 20)], capture_output=True, text=True,
                          preexec_fn=cap, timeout=900)
    assert done.returncode == 0, done.stderr[-2000:]
    result = json.loads(done.stdout)
    assert result["peak_kb"] < 2 << 20, result


@pytest.mark.slow
def test_cpm_is_not_cut_because_its_reference_depends_on_the_whole_text():
    """SentencePiece's Viterbi adds float32 scores along the whole text, so a word's pieces depend on how much
    text precedes it: no CPM cut is provably id-preserving, and cpmtok encodes a CPM text whole, as the reference."""
    from cpm_references import recipe

    tok, reference = cpmtok.load("cpm"), recipe("cpm")
    word = "一件大命案。"
    alone = tok.encode_ids(word)
    prefix = "。" * 50_000  # jieba: 50,000 words "。"; 60,000 of them happen to give the pieces of `word` alone
    after_prefix = tok.encode_ids(prefix + word)
    assert after_prefix == reference.encode(prefix + word)
    assert after_prefix[-len(alone):] != alone  # the reference itself: the same word, other pieces


def test_an_error_in_a_cut_text_names_the_offset_in_the_whole_text():
    tok = cpmtok.load("bert-base-chinese", dialect="hf-fast")
    tok.cut_size = 4
    with pytest.raises(cpmtok.UnsupportedText, match="at character offset 13"):
        tok.encode_ids("abc def ghi 中\ud800")
