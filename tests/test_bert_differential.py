"""Hypothesis: cpmtok's ids equal the live references' ids, both vocabularies, all three dialects."""

import pytest
from hypothesis import HealthCheck, given, settings

import cpmtok
from bert_references import DIALECTS, VOCABS, reference, reference_ids, reference_with_specials
from bert_strategies import texts
from budget import examples

SETTINGS = dict(deadline=None, suppress_health_check=list(HealthCheck), derandomize=False)


def check(tok, dialect, vocab, text, lowercase=True):
    want = reference_ids(dialect, vocab, text, lowercase)
    if want is TypeError:
        with pytest.raises(cpmtok.UnsupportedText):
            tok.encode_ids(text)
        return
    assert tok.encode_ids(text) == want, repr(text)


@pytest.mark.parametrize("vocab", sorted(VOCABS))
def test_ids_equal_reference(vocab):
    """Every generated text is checked in all three dialects: 20,000 examples per dialect per vocabulary in CI."""
    toks = {dialect: cpmtok.load(vocab, dialect=dialect) for dialect in DIALECTS}

    @settings(max_examples=examples(20000, 300), **SETTINGS)
    @given(texts)
    def run(text):
        for dialect, tok in toks.items():
            check(tok, dialect, vocab, text)

    run()


@pytest.mark.parametrize("dialect", DIALECTS)
def test_ids_equal_reference_without_lowercase(dialect):
    tok = cpmtok.load("bert-base-chinese", dialect=dialect, lowercase=False)

    @settings(max_examples=examples(5000, 200), **SETTINGS)
    @given(texts)
    def run(text):
        check(tok, dialect, "bert-base-chinese", text, lowercase=False)

    run()


def test_hf_fast_equals_transformers_fast():
    """hf-fast is also what transformers' BertTokenizerFast (AutoTokenizer) gives."""
    tok = cpmtok.load("bert-base-chinese")

    @settings(max_examples=examples(5000, 200), **SETTINGS)
    @given(texts)
    def run(text):
        want = reference_ids("hf-fast-transformers", "bert-base-chinese", text)
        if want is TypeError:
            return
        assert tok.encode_ids(text) == want

    run()


@pytest.mark.parametrize("dialect", DIALECTS)
def test_oracle_equals_fast_path(dialect):
    """The readable oracle (source of tokens and offsets) and the fast path give the same ids."""
    tok = cpmtok.load("clue-small", dialect=dialect)

    @settings(max_examples=examples(5000, 300), **SETTINGS)
    @given(texts)
    def run(text):
        try:
            fast = tok.encode_ids(text)
        except cpmtok.UnsupportedText:
            with pytest.raises(cpmtok.UnsupportedText):
                tok.pieces(text)
            return
        pieces = tok.pieces(text)
        assert [tok.vocab[p] for p, _, _ in pieces] == fast
        assert tok.encode(text).tokens == [tok.id_to_token(i) for i in fast]

    run()


@pytest.mark.parametrize("dialect", DIALECTS)
def test_add_special_tokens_as_reference(dialect):
    tok = cpmtok.load("bert-base-chinese", dialect=dialect)
    for text in ["", "今天天气不错", "abc[SEP]def", "Hello, World!"]:
        want = reference_with_specials(dialect, "bert-base-chinese")(text)
        assert tok.encode_ids(text, add_special_tokens=True) == want
        enc = tok.encode(text, add_special_tokens=True)
        assert enc.offsets[0] is None and enc.offsets[-1] is None and len(enc.offsets) == len(enc.ids)


@pytest.mark.parametrize("max_chars", [1, 5, 150])
@pytest.mark.parametrize("dialect", DIALECTS)
def test_max_chars_per_word_option(dialect, max_chars):
    tok = cpmtok.load("bert-base-chinese", dialect=dialect, max_chars_per_word=max_chars)
    ref = reference(dialect, "bert-base-chinese", True, max_chars)
    for text in ["abcdef 中文 abc a", "x" * 120 + " " + "ab" * 70, "İİİİİ ÅÅÅÅÅ 한국어한국", "[SEP] 1234567"]:
        assert tok.encode_ids(text) == ref(text), text


def test_measured_differences_d1_to_d8():
    """The issue's D1-D8, each shown on the references and on cpmtok (ids from the live references)."""
    def ids(dialect, text):
        return cpmtok.load("bert-base-chinese", dialect=dialect).encode_ids(text)

    for text in ["a\ufa6eb", "a\U000e0080b"]:  # D1: Cn deleted by hf-slow only
        assert ids("hf-slow", text) != ids("hf-fast", text) == ids("google", text)
    assert ids("hf-slow", "a\ue000b") == ids("hf-fast", "a\ue000b") != ids("google", "a\ue000b")  # D2 Co
    with pytest.raises(TypeError):  # D3 lone surrogate
        ids("hf-fast", "a\ud800b")
    assert ids("hf-slow", "a\ud800b") != ids("google", "a\ud800b")
    for text in ["a\u0c3cb", "a\u2e43b", "a\ua7cbb"]:  # D4 Rust's own Unicode tables
        assert ids("hf-fast", text) != ids("hf-slow", text)
    assert ids("hf-fast", "a\U0002b820b") != ids("hf-slow", "a\U0002b820b")  # D5 CJK range
    assert ids("google", "abc[SEP]def") != ids("hf-fast", "abc[SEP]def") == ids("hf-slow", "abc[SEP]def")  # D6
    assert ids("google", "ΟΔΟΣ") != ids("hf-slow", "ΟΔΟΣ") == ids("hf-fast", "ΟΔΟΣ")  # D7
    assert ids("google", "a" * 150) != ids("hf-fast", "a" * 150) == [100]  # D8
    for dialect in DIALECTS:
        for text in ["a\ufa6eb", "a\ue000b", "a\u0c3cb", "a\u2e43b", "a\ua7cbb", "a\U0002b820b", "abc[SEP]def",
                     "ΟΔΟΣ", "a" * 150, "a" * 250]:
            assert ids(dialect, text) == reference_ids(dialect, "bert-base-chinese", text)
