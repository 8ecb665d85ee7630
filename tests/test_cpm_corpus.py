"""The whole shared corpus: cpmtok's CPM ids == the golden CPM-Generate ids (both backends); our segmenters ==
jieba 0.42.1."""

import pytest

import cpmtok
from corpus import corpus_files, corpus_texts, golden_ids
from cpm_references import jieba_words
from cpm_segmenters import segmenters

pytestmark = pytest.mark.slow


@pytest.mark.parametrize("backend", ["native", "pure"])
@pytest.mark.parametrize("preset, golden_set", [("cpm", "cpm/cpm_generate"), ("cpm-v0", "cpm-v0/cpm_v0")])
def test_corpus_ids_equal_golden(preset, golden_set, backend):
    tokenizer = cpmtok.load(preset, backend=backend)
    for path in corpus_files():
        expected = golden_ids(golden_set, path.name)
        texts = corpus_texts(path)
        assert len(expected) == len(texts), path.name
        wrong = [i for i, text in enumerate(texts) if tokenizer.encode_ids(text) != expected[i]]
        assert not wrong, f"{preset} ({backend}): {len(wrong)} records of {path.name} differ, first {wrong[:5]}"


def test_corpus_segmenters_equal_jieba():
    for path in corpus_files():
        for index, text in enumerate(corpus_texts(path)):
            expected = jieba_words(text)
            for name, segmenter in segmenters().items():
                assert segmenter.cut(text) == expected, (name, path.name, index)
