"""The gpt2-chinese dialect against GPT2-Chinese's own tokenizer, run live (tests/gpt2_chinese_reference.py).

Hypothesis over every plane, the digits of every script (str.isdigit: isolated like CJK characters), curly
quotes (ids 1-4 of its vocabulary), newlines and blank texts, in both modes (train.py's newline -> [SEP] too),
and the code-point scan "a"+ch+"b" (slow). The whole corpus is tests/test_preset_corpus.py.
"""

import unicodedata

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import cpmtok
from bert_strategies import WHITESPACE, fragments
from budget import examples
from cpmtok.bert.dialects import DIALECTS
from cpmtok.vocab import locate
from gpt2_chinese_reference import reference

SETTINGS = dict(deadline=None, suppress_health_check=list(HealthCheck), derandomize=False)
DIGITS = [chr(cp) for cp in range(0x110000) if chr(cp).isdigit()]
QUOTES = ["“", "”", "’", "‘", "\"", "'", "「", "」"]
NEWLINES = ["\n", "\r\n", "\r", "\n\n", " \n ", "\u2028", "\u2029", "\x85"]

gpt2_fragments = st.one_of(
    fragments,
    st.text(st.sampled_from(DIGITS), min_size=1, max_size=6),
    st.lists(st.sampled_from(DIGITS + QUOTES + NEWLINES + list("Vv年ΟΣς.,")), max_size=12).map("".join),
    st.sampled_from(QUOTES + NEWLINES + ["[SE\x00P]", "[UNK\u200b]", "x[SE\ufeffP]", "[MASK\x7f]"]),
)
gpt2_texts = st.one_of(
    st.lists(gpt2_fragments, max_size=8).map("".join),
    st.lists(st.sampled_from(WHITESPACE + NEWLINES), max_size=4).map("".join),  # blank: one special token
)


def check(tok, text, *, oracle=True):
    want = reference(locate(tok.name), train=tok.newline_to_sep).ids(text)
    assert tok.encode_ids(text) == want, repr(text)
    if oracle:  # the oracle (offsets) gives them too
        assert [tok.vocab[piece] for piece, _, _ in tok.pieces(text)] == want, repr(text)


def test_ids_equal_gpt2_chinese():
    """20,000 examples in CI (about 12 minutes on one core), each checked as GPT2-Chinese's generate.py and its
    train.py tokenize it."""
    plain, train = cpmtok.load("gpt2-chinese"), cpmtok.load("gpt2-chinese", newline_to_sep=True)

    @settings(max_examples=examples(20000, 300), **SETTINGS)
    @given(gpt2_texts)
    def run(text):
        check(plain, text)
        check(train, text, oracle="\n" in text)

    run()


def test_ids_equal_gpt2_chinese_small():
    tok = cpmtok.load("gpt2-chinese-small")

    @settings(max_examples=examples(2000, 100), **SETTINGS)
    @given(gpt2_texts)
    def run(text):
        check(tok, text)

    run()


@pytest.mark.parametrize("text", ["20", "V4", "１２３", "“引号”‘单’", "ΟΔΟΣ ΣΑ", "\n", " ", "\u3000\n", "a\nb",
                                  "[SE\x00P] x", "\u2028a\u2028", "", "²³¹ ٣ ៣ 𝟘"])
@pytest.mark.parametrize("newline_to_sep", [False, True])
def test_known_cases(text, newline_to_sep):
    check(cpmtok.load("gpt2-chinese", newline_to_sep=newline_to_sep), text)


def test_digits_are_frozen_data():
    """The dialect's isolated characters come from the table, not from this interpreter's str.isdigit."""
    tok = cpmtok.load("gpt2-chinese")
    assert unicodedata.unidata_version == "14.0.0"
    assert all(digit in tok._oracle.cjk for digit in DIGITS if digit not in tok._oracle.delete)


@pytest.mark.slow
@pytest.mark.parametrize("preset", ["gpt2-chinese", "gpt2-chinese-small"])
def test_every_code_point_in_context(preset):
    tok = cpmtok.load(preset)
    ref = reference(locate(preset))
    mismatches = []
    for block in range(0, 0x110000, 8192):
        texts = ["a" + chr(cp) + "b" for cp in range(block, block + 8192)]
        for text, want in zip(texts, ref.ids_of(texts)):
            if tok.encode_ids(text) != want:
                mismatches.append(f"U+{ord(text[1]):04X}")
    assert not mismatches, f"{len(mismatches)} code points differ: {mismatches[:20]}"


@pytest.mark.parametrize("reason, texts", DIALECTS["gpt2-chinese"].no_hf_form)
def test_no_hugging_face_folder_expresses_it(reason, texts):
    """The export's refusal, proven: on each listed text cpmtok equals GPT2-Chinese, and the closest tokenizer.json
    (hf-fast's pipeline plus Digits(individual_digits=True)) or transformers' BertTokenizer does not."""
    import tokenizers
    from tokenizers import pre_tokenizers
    from transformers import BertTokenizer

    tok = cpmtok.load("gpt2-chinese")
    path = str(locate("gpt2-chinese"))
    closest = tokenizers.BertWordPieceTokenizer(path, lowercase=True)
    closest.pre_tokenizer = pre_tokenizers.Sequence([pre_tokenizers.BertPreTokenizer(),
                                                     pre_tokenizers.Digits(individual_digits=True)])
    slow = BertTokenizer(vocab_file=path)
    loader = slow if "BertTokenizer" in reason else None
    for text in texts.split(" "):
        want = reference(locate("gpt2-chinese")).ids(text)
        assert tok.encode_ids(text) == want
        got = (loader(text, add_special_tokens=False)["input_ids"] if loader
               else closest.encode(text, add_special_tokens=False).ids)
        assert got != want, (reason, text)
