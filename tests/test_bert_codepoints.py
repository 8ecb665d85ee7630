"""Every code point U+0000..U+10FFFF in the context "a"+ch+"b": the live reference's ids (or its error)."""

import pytest

import cpmtok
from bert_references import DIALECTS, VOCABS, reference, vocab_path

SURROGATES = range(0xD800, 0xE000)


def reference_batch(dialect: str, vocab: str):
    """texts -> ids per text through the reference; Rust's own encode_batch (one call per 4096 texts)."""
    if dialect == "hf-fast":
        import tokenizers

        rust = tokenizers.BertWordPieceTokenizer(str(vocab_path(vocab)), lowercase=True)
        return lambda texts: [e.ids for e in rust.encode_batch(texts, add_special_tokens=False)]
    one = reference(dialect, vocab)
    return lambda texts: [one(t) for t in texts]


@pytest.mark.slow
@pytest.mark.parametrize("vocab", sorted(VOCABS))
@pytest.mark.parametrize("dialect", DIALECTS)
def test_every_code_point_in_context(dialect, vocab):
    tok = cpmtok.load(vocab, dialect=dialect)
    ref = reference_batch(dialect, vocab)
    mismatches = []
    for block in range(0, 0x110000, 4096):
        cps = [cp for cp in range(block, block + 4096)
               if not (dialect == "hf-fast" and cp in SURROGATES)]
        texts = ["a" + chr(cp) + "b" for cp in cps]
        for cp, text, want in zip(cps, texts, ref(texts) if texts else []):
            if tok.encode_ids(text) != want:
                mismatches.append(f"U+{cp:04X}")
    if dialect == "hf-fast":  # the reference refuses lone surrogates with a TypeError; so do we
        for cp in SURROGATES:
            with pytest.raises(TypeError):
                reference(dialect, vocab)("a" + chr(cp) + "b")
            with pytest.raises(cpmtok.UnsupportedText):
                tok.encode_ids("a" + chr(cp) + "b")
    assert not mismatches, f"{len(mismatches)} code points differ: {mismatches[:20]}"
