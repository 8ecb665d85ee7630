"""BERT dialects are records: an unknown name is one typed error everywhere, and the fast path reads the same
fields as the oracle, so a new record (here: mixtures of the three references' rules) needs no new branch."""

import dataclasses

import pytest
from hypothesis import HealthCheck, given, settings

import cpmtok
from bert_strategies import texts
from budget import examples
from cpmtok.bert import dialects
from cpmtok.errors import UnknownDialect
from cpmtok.export import export_files
from cpmtok.vocab import locate


def test_unknown_dialect_is_one_typed_error_everywhere(tmp_path):
    for attempt in (lambda: cpmtok.load("clue-small", dialect="tf"),
                    lambda: cpmtok.load(locate("clue-small"), dialect="tf"),
                    lambda: export_files("clue-small", dialect="tf")):
        with pytest.raises(UnknownDialect, match="'tf'.*hf-fast, hf-slow, google"):
            attempt()


def test_each_record_names_its_own_tables_and_the_default_is_hf_fast():
    for name, record in dialects.DIALECTS.items():
        assert record.name == name and record.char_tables().dialect == name
    assert cpmtok.load(locate("clue-small")).dialect == dialects.DEFAULT == "hf-fast"


MIXTURES = {
    # Google's word-wise lower-casing and marks rule, with hf-slow's NFC, special-word and vocab rules
    "mixed-words": dataclasses.replace(dialects.DIALECTS["hf-slow"], name="mixed-words", lowers_words=True,
                                       lower_marks=dialects.DIALECTS["google"].lower_marks,
                                       tables="google"),
    # the Rust tables with every Python-side rule switched on, and special strings as plain text
    "mixed-rust": dataclasses.replace(dialects.DIALECTS["hf-fast"], name="mixed-rust", surrogates_raise=False,
                                      composes_nfc=True, keeps_special_words=True, matches_specials=False,
                                      lowers_words=True, max_chars_per_word=7),
}


@pytest.mark.parametrize("lowercase", [True, False])
@pytest.mark.parametrize("name", MIXTURES)
def test_a_new_record_needs_no_new_branch(monkeypatch, name, lowercase):
    monkeypatch.setitem(dialects.DIALECTS, name, MIXTURES[name])
    tok = cpmtok.load("clue-small", dialect=name, lowercase=lowercase)
    assert tok.max_chars_per_word == MIXTURES[name].max_chars_per_word

    @settings(max_examples=examples(300, 100), deadline=None, suppress_health_check=list(HealthCheck))
    @given(texts)
    def run(text):
        fast = tok.encode_ids(text)
        assert [tok.vocab[piece] for piece, _, _ in tok.pieces(text)] == fast

    run()
