"""Offsets (hypothesis): monotonic, inside the text, and each non-[UNK] token is its original slice normalised."""

import pytest
from hypothesis import HealthCheck, given, settings

import cpmtok
from bert_references import DIALECTS
from bert_strategies import texts
from budget import examples


# Google's str.lower makes Σ final by its word; NFD reorders these marks by their neighbours.
CONTEXTUAL = {"Σ"} | {chr(cp) for cp in cpmtok.load("clue-small").tables.reorder}


def normalised(tok, text: str) -> str:
    """The slice through the dialect's own rules (oracle pieces of the slice alone, ## removed)."""
    return "".join(piece.removeprefix("##") for piece, _, _ in tok.pieces(text))


@pytest.mark.parametrize("dialect", DIALECTS)
def test_offsets_properties(dialect):
    tok = cpmtok.load("bert-base-chinese", dialect=dialect)

    @settings(max_examples=examples(3000, 200), deadline=None, suppress_health_check=list(HealthCheck))
    @given(texts)
    def run(text):
        try:
            enc = tok.encode(text)
        except cpmtok.UnsupportedText:
            return
        assert len(enc.offsets) == len(enc.ids)
        previous_end = 0
        groups: dict[tuple[int, int], str] = {}
        for token, (start, end) in zip(enc.tokens, enc.offsets):
            assert 0 <= start < end <= len(text)
            assert start >= previous_end or (start, end) in groups  # pieces of one expanded character share it
            previous_end = end
            if token != "[UNK]":
                groups[(start, end)] = groups.get((start, end), "") + token.removeprefix("##")
        for (start, end), joined in groups.items():
            if set(text[start:end]) & CONTEXTUAL:
                continue  # normalised differently alone than in its word: the reference's contexts
            if text[start:end] in tok.special_ids:
                assert joined == text[start:end]
            else:
                assert normalised(tok, text[start:end]) == joined, (text[start:end], joined)

    run()


def test_offsets_cover_unk_and_skip_deleted_characters():
    tok = cpmtok.load("bert-base-chinese")
    text = "Hi, 世界[SEP]\u200b\U0001F600x"
    enc = tok.encode(text)
    assert enc.tokens[enc.tokens.index("[SEP]")] == "[SEP]"
    slices = [text[s:e] for s, e in enc.offsets]
    assert slices[:5] == ["Hi", ",", "世", "界", "[SEP]"]
    assert "\u200b" not in "".join(slices)  # deleted characters belong to no token
