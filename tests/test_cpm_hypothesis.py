"""Differential tests against the live references: the CPM-Generate recipe (both models) and jieba 0.42.1."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import cpmtok
from budget import examples
from cpm_references import jieba_words, recipe
from cpm_segmenters import segmenters
from cpm_strategies import cpm_texts
from cpmtok.cpm.dictionary import load_jieba_model
from cpmtok.cpm.hmm import HmmSegmenter
from cpmtok.cpm.segmenter import CPM_SUBSTITUTION, WORD_JOINER

from jieba import finalseg  # imported after cpm_references, which checks the jieba version

SETTINGS = dict(deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
MODEL = load_jieba_model()
HMM = HmmSegmenter(MODEL.hmm_start, MODEL.hmm_trans, MODEL.hmm_emit)


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
    """native (C), pure and readable segmenters == jieba.Tokenizer().cut; native and pure `join` == the recipe's."""
    expected = jieba_words(text)
    for name, segmenter in segmenters().items():
        assert segmenter.cut(text) == expected, name
    joined = WORD_JOINER.join(word.translate(CPM_SUBSTITUTION) for word in expected)
    assert segmenters()["native"].join(text) == joined
    assert segmenters()["pure"].join(text) == joined


hmm_runs = st.text(st.one_of(st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF),
                             st.sampled_from("的了是我不人在他有这天气今明年月日abcXY019.%")), min_size=1, max_size=16)


@settings(max_examples=examples(5000), **SETTINGS)
@given(hmm_runs)
def test_hmm_equals_jieba_finalseg(text):
    assert not finalseg.Force_Split_Words, "a process-wide jieba.del_word ran in the test process"
    assert HMM.cut(text) == list(finalseg.cut(text))


def test_block_rules_are_jiebas_verbatim():
    import jieba

    from cpmtok.cpm import hmm, plain_segmenter

    assert plain_segmenter.HAN_BLOCK.pattern == jieba.re_han_default.pattern
    assert plain_segmenter.SKIP.pattern == jieba.re_skip_default.pattern
    assert (hmm.HMM_HAN.pattern, hmm.HMM_SKIP.pattern) == (finalseg.re_han.pattern, finalseg.re_skip.pattern)
    assert (hmm.MIN_FLOAT, hmm.PREVIOUS_STATES) == (finalseg.MIN_FLOAT, finalseg.PrevStatus)
    assert (MODEL.hmm_start, MODEL.hmm_trans, MODEL.hmm_emit) == (finalseg.start_P, finalseg.trans_P, finalseg.emit_P)
