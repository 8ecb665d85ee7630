"""Special-token strings inside text: `allowed_special` / `disallowed_special` (tiktoken's switch).

Defaults are each reference's behaviour (tested everywhere else). hf-fast with none allowed equals transformers'
`split_special_tokens=True` (live, hypothesis); any other choice equals its stretches encoded as text by the
reference and the allowed strings as their ids."""

from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

import cpmtok
from bert_references import reference
from bert_strategies import SPECIAL_LIKE, texts
from budget import examples
from cpm_strategies import cpm_texts
from cpmtok.errors import InvalidOption, SpecialTokenInText
from inputs_reference import hf_fast

SETTINGS = dict(deadline=None, suppress_health_check=list(HealthCheck))
BERT_SPECIALS = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
CPM_SPECIALS = ["<unk>", "<s>", "</s>", "<cls>", "<sep>", "<pad>", "<mask>", "<eod>"]
with_specials = st.lists(st.one_of(texts, st.sampled_from(SPECIAL_LIKE + BERT_SPECIALS)), max_size=6).map("".join)
cpm_with_specials = st.lists(st.one_of(cpm_texts, st.sampled_from(CPM_SPECIALS)), max_size=6).map("".join)


def surrogate_free(text: str) -> bool:
    return re.search("[\ud800-\udfff]", text) is None


def composed(text: str, allowed, special_ids, plain) -> list[int]:
    """The stretches between allowed strings (leftmost, longest first) as plain text, the strings as their ids."""
    ids, position = [], 0
    if allowed:
        for match in re.finditer("|".join(map(re.escape, sorted(allowed, key=len, reverse=True))), text):
            ids += plain(text[position:match.start()]) + [special_ids[match.group()]]
            position = match.end()
    return ids + plain(text[position:])


def test_defaults_are_the_references():
    assert cpmtok.load("bert-base-chinese").default_allowed_special == frozenset(BERT_SPECIALS)
    assert cpmtok.load("gpt2-quickly").default_allowed_special == frozenset(BERT_SPECIALS)  # hf-slow
    assert cpmtok.load("gpt2-ml").default_allowed_special == frozenset()  # google
    assert cpmtok.load("cpm").default_allowed_special == frozenset()
    assert cpmtok.load("cpm").encode("<eod>").ids != [7]


def test_hf_fast_with_none_allowed_equals_split_special_tokens():
    tok = cpmtok.load("bert-base-chinese")
    ref = hf_fast("bert-base-chinese")

    @settings(max_examples=examples(500, 100), **SETTINGS)
    @given(with_specials)
    def run(text):
        if not surrogate_free(text):
            return
        want = ref(text, add_special_tokens=False, split_special_tokens=True)["input_ids"]
        assert tok.encode(text, allowed_special=set()).ids == want
        assert tok(text, allowed_special=set())["input_ids"] == want
        assert tok.encode(text, allowed_special="all").ids == ref(text, add_special_tokens=False)["input_ids"]

    run()


@pytest.mark.parametrize("preset, allowed", [("bert-base-chinese", {"[SEP]", "[MASK]"}), ("gpt2-ml", "all"),
                                             ("gpt2-ml", {"[CLS]"})])
def test_bert_choices_are_their_stretches_and_ids(preset, allowed):
    tok = cpmtok.load(preset)
    plain_ref = {"hf-fast": lambda t: hf_fast(preset)(t, add_special_tokens=False, split_special_tokens=True)[
        "input_ids"], "google": reference("google", tok.name if tok.name in ("clue-small",) else "clue-small")}
    plain = plain_ref[tok.dialect]
    names = BERT_SPECIALS if allowed == "all" else allowed

    @settings(max_examples=examples(250, 60), **SETTINGS)
    @given(with_specials)
    def run(text):
        if not surrogate_free(text):
            return
        enc = tok.encode(text, allowed_special=allowed, add_special_tokens=True)
        assert enc.ids == [101, *composed(text, names, tok.special_strings, plain), 102]
        assert len(enc.offsets) == len(enc.ids)
        for token, span in zip(enc.tokens[1:-1], enc.offsets[1:-1]):
            if token in names and token != "[UNK]":  # [UNK] also stands for unknown words
                assert text[span[0]:span[1]] == token

    run()


def test_cpm_choices_are_their_stretches_and_ids():
    tok = cpmtok.load("cpm")

    @settings(max_examples=examples(300, 60), **SETTINGS)
    @given(cpm_with_specials, st.sampled_from(["all", {"<eod>"}, {"<s>", "</s>", "<sep>"}]))
    def run(text, allowed):
        names = list(tok.special_strings) if allowed == "all" else allowed  # the current model has no <cls>
        enc = tok.encode(text, allowed_special=allowed)
        assert enc.ids == composed(text, names, tok.special_strings, tok.encode_ids)
        assert len(enc.offsets) == len(enc.ids)
        got = tok(text, allowed_special=allowed, add_special_tokens=True, return_offsets_mapping=True)
        assert got["input_ids"] == enc.ids + [7]
        assert got["offset_mapping"] == [(0, 0) if s is None else s for s in enc.offsets] + [(0, 0)]

    run()


def test_disallowed_special_raises_and_names_the_string():
    bert, cpm = cpmtok.load("bert-base-chinese"), cpmtok.load("cpm")
    with pytest.raises(SpecialTokenInText, match=r"'\[SEP\]' at 2"):
        bert.encode("你好[SEP]", disallowed_special="all", allowed_special=set())
    with pytest.raises(SpecialTokenInText, match="'<eod>' at 1"):
        cpm(["好<eod>"], disallowed_special={"<eod>"})
    assert cpm.encode("好<eod>", disallowed_special="all", allowed_special={"<eod>"}).ids[-1] == 7
    assert bert.encode("你好[SEP]", disallowed_special={"[CLS]"}).ids == [872, 1962, 102]
    with pytest.raises(SpecialTokenInText):  # named as disallowed: out of the default allowed set
        bert.encode("你好[SEP]", disallowed_special={"[SEP]"})


@pytest.mark.parametrize("kw", [dict(allowed_special={"[BOS]"}), dict(allowed_special="none"),
                                dict(disallowed_special={"<eod>"}),
                                dict(allowed_special={"[SEP]"}, disallowed_special={"[SEP]"})])
def test_unknown_or_contradictory_choices_are_typed_errors(kw):
    with pytest.raises(InvalidOption):
        cpmtok.load("bert-base-chinese").encode("x", **kw)


def test_hf_slow_choices_other_than_the_default_are_refused():
    tok = cpmtok.load("gpt2-quickly")
    assert tok.encode("a[SEP]", allowed_special="all").ids == tok.encode("a[SEP]").ids
    with pytest.raises(InvalidOption, match="hf-slow"):
        tok.encode("a[SEP]", allowed_special=set())
