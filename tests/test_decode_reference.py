"""style="reference" (and "bert4keras") equal the live references' decode, on any ids and on the corpus."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import cpmtok
from bert_strategies import texts as bert_texts
from budget import examples
from corpus import corpus_files, golden_ids
from cpm_references import recipe
from cpm_strategies import cpm_texts
from decode_references import bert4keras_tokenizer, cpm_generate_decoder, hf_decoder
from cpmtok.errors import InvalidIds

BERT = {"bert-base-chinese": "bert-base-chinese", "clue-small": "clue-small"}  # preset -> vocab (hf-fast presets)


def _settings(in_ci: int):
    return settings(max_examples=examples(in_ci, 200), deadline=None, suppress_health_check=list(HealthCheck))


# >= 10,000 hypothesis inputs per family in CI: BERT 4 x 1,500 + 2 x 1,500 + 2 x 1,000 = 11,000;
# CPM 2 x 5,000 examples of (a text, any ids) = 20,000.


def _load(preset: str, **options):
    return cpmtok.load(preset, **options)


def _ids(size: int):
    """Any ids: specials, `##` pieces, whitespace-like entries and plain ones, in any order."""
    edges = st.sampled_from([i for i in (0, 100, 101, 102, 103, 1, 2, 3, 343, 13502, 8, 9, 10) if i < size]
                            + [size - 1])
    return st.lists(st.one_of(edges, st.integers(0, size - 1)), max_size=12)


def _flags():
    return st.fixed_dictionaries({}, optional={"skip_special_tokens": st.booleans(),
                                               "clean_up_tokenization_spaces": st.booleans()})


@pytest.mark.parametrize("preset", sorted(BERT))
@pytest.mark.parametrize("kind", ["hf-fast", "hf-slow"])
def test_bert_reference_equals_transformers_on_any_ids(preset, kind):
    tok = _load(preset, dialect=kind)
    reference = hf_decoder(kind, BERT[preset])

    @_settings(1500)
    @given(_ids(tok.vocab_size), _flags())
    def check(ids, flags):
        assert tok.decode(ids, style="reference", **flags) == reference.decode(ids, **flags)

    check()


@pytest.mark.parametrize("preset", sorted(BERT))
def test_bert_reference_equals_transformers_on_encoded_text(preset):
    tok = _load(preset)
    fast, slow = hf_decoder("hf-fast", BERT[preset]), hf_decoder("hf-slow", BERT[preset])

    @_settings(1500)
    @given(bert_texts)
    def check(text):
        ids = slow(text, add_special_tokens=True)["input_ids"]  # the fast one refuses lone surrogates
        assert tok.decode(ids, style="reference") == fast.decode(ids)
        assert tok.decode(ids, style="reference", reference="hf-slow") == slow.decode(ids)
        assert tok.decode(ids, style="reference", skip_special_tokens=True) == \
            fast.decode(ids, skip_special_tokens=True)

    check()


@pytest.mark.parametrize("preset", sorted(BERT))
def test_bert4keras_style_equals_bert4keras(preset):
    tok = _load(preset)
    b4k = bert4keras_tokenizer(BERT[preset])

    @_settings(1000)
    @given(_ids(tok.vocab_size))
    def check(ids):
        try:
            expected = b4k.decode(ids)
        except IndexError:  # bert4keras reads text[-1] of an empty text (ids starting with a bare "##")
            with pytest.raises(IndexError):
                tok.decode(ids, style="bert4keras")
            return
        assert tok.decode(ids, style="bert4keras") == expected

    check()


def test_slow_and_fast_differ_only_where_the_slow_one_strips_whitespace_tokens():
    """BertTokenizer.decode ends with .strip(); the fast decoder does not: id 343 is U+2028 in bert-base-chinese."""
    tok = _load("bert-base-chinese")
    ids = [343, tok.token_to_id("º")]
    slow = hf_decoder("hf-slow", "bert-base-chinese").decode(ids)
    fast = hf_decoder("hf-fast", "bert-base-chinese").decode(ids)
    assert (slow, fast) == ("º", "\u2028 º")
    assert tok.decode(ids, style="reference", reference="hf-slow") == slow
    assert tok.decode(ids, style="reference") == fast
    assert cpmtok.load("bert-base-chinese", dialect="hf-slow").decode(ids, style="reference") == slow


def test_google_dialect_reference_is_the_gpt2_ml_join():
    tok = _load("gpt2-ml")
    ids = tok.encode("今天hello world[UNK]").ids + [tok.token_to_id("[UNK]")]
    tokens = [tok.id_to_token(i) for i in ids]
    assert tok.decode(ids, style="reference") == "".join(tokens).replace("[UNK]", "").replace("##", "")


@pytest.mark.parametrize("preset", ["cpm", "cpm-v0"])
def test_cpm_reference_equals_cpm_generate(preset):
    tok = _load(preset)
    reference = cpm_generate_decoder(preset)
    encode = recipe(preset).encode

    @_settings(5000)
    @given(cpm_texts, _ids(tok.vocab_size))
    def check(text, ids):
        text_ids = encode(text)
        assert tok.decode(text_ids, style="reference") == reference(text_ids)
        assert tok.decode(ids, style="reference") == reference(ids)

    check()


def test_ids_may_be_any_iterable_of_integers():
    import numpy

    tok = _load("cpm")
    ids = tok.encode("今天，天气").ids
    for same in (tuple(ids), iter(ids), numpy.array(ids, dtype=numpy.int64)):
        assert tok.decode(same, style="reference") == tok.decode(ids, style="reference") == "今天,天气"


def test_bad_ids_and_styles_are_typed_errors():
    tok = _load("bert-base-chinese")
    with pytest.raises(InvalidIds, match=r"ids\[1\] = 21128"):
        tok.decode([1, 21128])
    with pytest.raises(InvalidIds, match=r"ids\[0\] is 'a'"):
        tok.decode(["a"])
    with pytest.raises(InvalidIds, match="sequence of ids"):
        tok.decode("今天")
    with pytest.raises(ValueError, match="unknown decode style"):
        tok.decode([1], style="pretty")
    with pytest.raises(ValueError, match="gpt2-ml.* not offered by cpm tokenizers"):
        _load("cpm").decode([1], style="gpt2-ml")
    with pytest.raises(ValueError, match="cpm-generate.* not offered by bert tokenizers"):
        tok.decode([1], style="cpm-generate")
    with pytest.raises(TypeError, match="takes no option"):
        _load("cpm").decode([1], style="reference", skip_special_tokens=True)


@pytest.mark.slow
@pytest.mark.parametrize("preset", sorted(BERT))
def test_bert_reference_on_the_whole_corpus(preset):
    tok = _load(preset)
    fast, slow = hf_decoder("hf-fast", BERT[preset]), hf_decoder("hf-slow", BERT[preset])
    b4k = bert4keras_tokenizer(BERT[preset])
    for path in corpus_files():
        for number, ids in enumerate(golden_ids(f"{BERT[preset]}/hf_fast", path.name), start=1):
            where = f"{path.name}:{number}"
            assert tok.decode(ids, style="reference") == fast.decode(ids), where
            assert tok.decode(ids, style="reference", skip_special_tokens=True) == \
                fast.decode(ids, skip_special_tokens=True), where
            assert tok.decode(ids, style="reference", reference="hf-slow") == slow.decode(ids), where
            assert tok.decode(ids, style="bert4keras") == b4k.decode(ids), where


@pytest.mark.slow
@pytest.mark.parametrize("preset,golden", [("cpm", "cpm/cpm_generate"), ("cpm-v0", "cpm-v0/cpm_v0")])
def test_cpm_reference_on_the_whole_corpus(preset, golden):
    tok = _load(preset)
    reference = cpm_generate_decoder(preset)
    for path in corpus_files():
        for number, ids in enumerate(golden_ids(golden, path.name), start=1):
            assert tok.decode(ids, style="reference") == reference(ids), f"{path.name}:{number}"
