"""Each system's decode style equals that system's own decode (tests/decode_references.py): on corpus ids and
on edge ids in the default run, on every corpus record's golden ids (slow; every 10th for gpt2-quickly)."""

import pytest

import cpmtok
from corpus import corpus_files, corpus_texts, golden_ids
from decode_references import (bert4keras_tokenizer, cpm_bert4keras_decoder, cpm_generate_decoder,
                               gpt2_chinese_decoder, gpt2_ml_decoder, gpt2_quickly_decoder, uer_decoder)

# case -> style, the tokenizer it serves (preset, options), the golden ids of that system, its own decode
SYSTEMS = {
    "gpt2-ml": ("gpt2-ml", ("gpt2-ml", {}), "clue-small/google", lambda: gpt2_ml_decoder("clue-small")),
    "uer": ("uer", ("uer-py", {}), "bert-base-chinese/google", lambda: uer_decoder("bert-base-chinese")),
    "gpt2-chinese": ("gpt2-chinese", ("gpt2-chinese", {}), "gpt2-chinese-21128/gpt2_chinese", lambda: gpt2_chinese_decoder("gpt2-chinese")),
    "gpt2-quickly": ("gpt2-quickly", ("gpt2-quickly", {}), "clue-small/hf_slow", lambda: gpt2_quickly_decoder("clue-small")),
    "bert4keras": ("bert4keras", ("bert-base-chinese", {"dialect": "google"}), "bert-base-chinese/google",
                   lambda: bert4keras_tokenizer("bert-base-chinese").decode),
    "cpm-generate": ("cpm-generate", ("cpm", {}), "cpm/cpm_generate", lambda: cpm_generate_decoder("cpm")),
    "cpm-generate-v0": ("cpm-generate", ("cpm-v0", {}), "cpm-v0/cpm_v0", lambda: cpm_generate_decoder("cpm-v0")),
    "bert4keras-cpm-v0": ("bert4keras", ("cpm-v0", {}), "cpm-v0/cpm_v0", lambda: cpm_bert4keras_decoder("cpm-v0")),
}


def _setup(case):
    style, (preset, options), golden, decoder = SYSTEMS[case]
    return cpmtok.load(preset, **options), golden, decoder(), style


def _edge_ids(tok):
    special = sorted((getattr(tok, "special_ids", None) or tok.special_tokens).values())
    edges = [i for i in (1, 2, 3, 4, 7, 8, 343, 13502, 100, 8000) if i < tok.vocab_size]
    return [special, edges, edges[::-1] + special, [tok.vocab_size - 1, 0]]


@pytest.mark.parametrize("case", sorted(SYSTEMS))
def test_style_equals_the_system_s_decode(case):
    tok, _, system, style = _setup(case)
    for path in corpus_files():
        for text in corpus_texts(path)[:10]:
            ids = tok.encode_ids(text[:1000])
            assert tok.decode(ids, style=style) == system(ids), (path.name, ids)
    for ids in _edge_ids(tok):
        assert tok.decode(ids, style=style) == system(ids), ids


def test_cpm_v0_reference_renders_eod_as_its_first_release_did():
    tok = cpmtok.load("cpm-v0")
    ids = tok.encode_ids("今天\n天气") + [7]
    assert tok.decode(ids, style="reference") == tok.decode(ids, style="cpm-generate") == "今天\n天气<eod>"
    assert tok.decode(ids, style="bert4keras") == "今天\n天气"  # <eod> is a control piece of the v0 model


# Systems whose own decode is too slow for every record: every `step`-th record of each file instead.
CORPUS_STEP = {"gpt2-quickly": 10}


@pytest.mark.slow
@pytest.mark.parametrize("case", sorted(SYSTEMS))
def test_style_equals_the_system_s_decode_on_the_whole_corpus(case):
    """Every record's golden ids decode as the system decodes them; gpt2-quickly (transformers' slow decode)
    samples every 10th record of each file instead of all (CORPUS_STEP), to keep CI's time down."""
    tok, golden, system, style = _setup(case)
    step = CORPUS_STEP.get(case, 1)
    for path in corpus_files():
        for number, ids in list(enumerate(golden_ids(golden, path.name), start=1))[::step]:
            assert tok.decode(ids, style=style) == system(ids), f"{path.name}:{number}"
