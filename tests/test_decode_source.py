"""Exact reconstruction: `tok.decode(encoding)` gives the encoded text back from the offsets, byte for
byte, for any text and every preset; the characters no token covers are only ones the tokenizer drops."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings

import cpmtok
from bert_strategies import texts as bert_texts
from budget import examples
from cpm_strategies import cpm_texts
from cpmtok.decode import source_pieces, source_text
from cpmtok.encoding import Encoding
from cpmtok.errors import InvalidIds
from cpmtok.presets import PRESETS

SETTINGS = settings(max_examples=examples(2000, 100), deadline=None, suppress_health_check=list(HealthCheck))


@pytest.mark.parametrize("preset", sorted(PRESETS))
def test_offsets_give_any_text_back(preset):
    tok = cpmtok.load(preset)
    texts = bert_texts if PRESETS[preset].family == "bert" else cpm_texts

    @SETTINGS
    @given(texts)
    def check(text):
        try:
            encoding = tok.encode(text, add_special_tokens=True)
        except cpmtok.UnsupportedText:  # lone surrogates, where the reference refuses them too
            return
        assert tok.decode(encoding) == text
        assert tok.decode(encoding, style="source") == text
        pieces = source_pieces(text, encoding.offsets)
        dropped = pieces[-1] + "".join(piece[:max(0, len(piece) - (offset[1] - offset[0]))]
                                       for piece, offset in zip(pieces, encoding.offsets) if offset is not None)
        blank = tok.encode_ids(" ")  # [] but for gpt2-chinese, where a text of only whitespace is one [UNK]
        assert all(tok.encode_ids(char) in ([], blank) for char in set(dropped)), (dropped, text)

    check()


def test_decoding_an_encoding_without_its_text_or_with_options_uses_the_ids():
    tok = cpmtok.load("bert-base-chinese")
    encoding = tok.encode("今天 天气\t好")
    assert tok.decode(encoding) == "今天 天气\t好"
    assert tok.decode(encoding, style="reference") == "今 天 天 气 好"
    assert tok.decode(encoding, unknown="?") == "今天天气好"  # an option asks for a decode of the ids
    bare = Encoding(encoding.ids, None, tokens=encoding.tokens, offsets=encoding.offsets)
    assert tok.decode(bare) == "今天天气好"
    with pytest.raises(InvalidIds, match="does not carry its text"):
        tok.decode(bare, style="source")
    with pytest.raises(InvalidIds, match="needs an Encoding"):
        tok.decode(encoding.ids, style="source")


def test_offsets_that_go_backwards_or_past_the_text_are_refused():
    assert source_pieces("abc", [(0, 1), None, (1, 3)]) == ["a", "", "bc", ""]
    assert source_pieces("a\tb  ", [(0, 1), (2, 3)]) == ["a", "\tb", "  "]
    with pytest.raises(InvalidIds):
        source_pieces("abc", [(1, 2), (0, 1)])
    with pytest.raises(InvalidIds):
        source_pieces("abc", [(0, 4)])
    assert source_text(Encoding([1], "x", tokens=["x"], offsets=[(0, 1)])) == "x"
    with pytest.raises(ValueError, match="needs tokens and offsets"):
        Encoding([1], "x", tokens=["x"])
