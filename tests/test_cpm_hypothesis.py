"""Differential tests against the live references: the CPM-Generate recipe (both models) and jieba 0.42.1."""

import pytest
from hypothesis import HealthCheck, given, settings

import cpmtok
from budget import examples
from cpm_references import jieba_words, recipe
from cpm_strategies import cpm_texts
from cpmtok.cpm.dictionary import load_jieba_model
from cpmtok.cpm.plain_segmenter import PlainSegmenter
from cpmtok.cpm.segmenter import Segmenter

SETTINGS = dict(deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
MODEL = load_jieba_model()
FAST = Segmenter(MODEL)
PLAIN = PlainSegmenter(MODEL)


@pytest.mark.parametrize("preset", ["cpm", "cpm-v0"])
def test_ids_equal_cpm_generate_recipe(preset):
    tokenizer, reference = cpmtok.load(preset), recipe(preset)

    @settings(max_examples=examples(20000), **SETTINGS)
    @given(cpm_texts)
    def check(text):
        assert tokenizer.encode_ids(text) == reference.encode(text)

    check()


@settings(max_examples=examples(20000), **SETTINGS)
@given(cpm_texts)
def test_segmenters_equal_jieba(text):
    expected = jieba_words(text)
    assert FAST.cut(text) == expected
    assert PLAIN.cut(text) == expected
