"""The whole shared corpus: cpmtok's CPM ids == the golden CPM-Generate ids; our segmenter == jieba 0.42.1."""

import pytest

import cpmtok
from corpus import corpus_files, corpus_texts, golden_ids
from cpm_references import jieba_words
from cpmtok.cpm.dictionary import load_jieba_model
from cpmtok.cpm.plain_segmenter import PlainSegmenter
from cpmtok.cpm.segmenter import Segmenter

pytestmark = pytest.mark.slow


@pytest.mark.parametrize("preset, golden_set", [("cpm", "cpm/cpm_generate"), ("cpm-v0", "cpm-v0/cpm_v0")])
def test_corpus_ids_equal_golden(preset, golden_set):
    tokenizer = cpmtok.load(preset)
    for path in corpus_files():
        expected = golden_ids(golden_set, path.name)
        texts = corpus_texts(path)
        assert len(expected) == len(texts), path.name
        wrong = [i for i, text in enumerate(texts) if tokenizer.encode_ids(text) != expected[i]]
        assert not wrong, f"{preset}: {len(wrong)} records of {path.name} differ, first {wrong[:5]}"


def test_corpus_segmenter_equals_jieba():
    model = load_jieba_model()
    fast, plain = Segmenter(model), PlainSegmenter(model)
    for path in corpus_files():
        for index, text in enumerate(corpus_texts(path)):
            expected = jieba_words(text)
            assert fast.cut(text) == expected, (path.name, index)
            assert plain.cut(text) == expected, (path.name, index)
