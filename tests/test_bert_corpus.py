"""Whole shared corpus, both vocabularies, each dialect: ids identical to ../shared/golden/<vocab>/<ref>/."""

import pytest

import cpmtok
from bert_references import DIALECTS, GOLDEN_SET, VOCABS
from corpus import corpus_files, corpus_texts, golden_ids


@pytest.mark.slow
@pytest.mark.parametrize("vocab", sorted(VOCABS))
@pytest.mark.parametrize("dialect", DIALECTS)
def test_corpus_matches_golden_ids(vocab, dialect):
    tok = cpmtok.load(vocab, dialect=dialect)
    mismatches = []
    for path in corpus_files():
        golden = golden_ids(f"{vocab}/{GOLDEN_SET[dialect]}", path.name)
        texts = corpus_texts(path)
        assert len(golden) == len(texts), f"{path.name}: {len(texts)} records, {len(golden)} golden lines"
        for index, (text, want) in enumerate(zip(texts, golden)):
            if tok.encode_ids(text) != want:
                mismatches.append(f"{path.name}:{index + 1}")
    assert not mismatches, f"{len(mismatches)} records differ, first: {mismatches[:10]}"


@pytest.mark.slow
@pytest.mark.parametrize("dialect", DIALECTS)
def test_corpus_oracle_matches_golden_ids(dialect):
    """The oracle alone (the path offsets come from) also gives the golden ids."""
    tok = cpmtok.load("bert-base-chinese", dialect=dialect)
    for path in corpus_files():
        golden = golden_ids(f"bert-base-chinese/{GOLDEN_SET[dialect]}", path.name)
        for index, (text, want) in enumerate(zip(corpus_texts(path), golden)):
            got = [tok.vocab[piece] for piece, _, _ in tok.pieces(text)]
            assert got == want, f"{path.name}:{index + 1}"
