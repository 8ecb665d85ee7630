"""Whole shared corpus: each system's preset gives the ids of that system's own tokenizer (golden sets)."""

import pytest

import cpmtok
from corpus import corpus_files, corpus_texts, golden_ids

# preset, options, golden set made by running the system's own code (../shared/golden/README.md)
SYSTEMS = [
    ("uer-py", {}, "bert-base-chinese/google"),  # UER-py's tokenizer = Google's, checked on every record
    ("gpt2-chinese", {}, "gpt2-chinese-21128/gpt2_chinese"),
    ("gpt2-chinese", {"newline_to_sep": True}, "gpt2-chinese-21128/gpt2_chinese_train"),
]


@pytest.mark.slow
@pytest.mark.parametrize("preset, options, golden_set", SYSTEMS)
def test_preset_equals_its_system_on_the_corpus(preset, options, golden_set):
    tok = cpmtok.load(preset, **options)
    mismatches = []
    for path in corpus_files():
        golden = golden_ids(golden_set, path.name)
        texts = corpus_texts(path)
        assert len(golden) == len(texts), f"{path.name}: {len(texts)} records, {len(golden)} golden lines"
        mismatches += [f"{path.name}:{index + 1}" for index, (text, want) in enumerate(zip(texts, golden))
                       if tok.encode_ids(text) != want]
    assert not mismatches, f"{len(mismatches)} records differ, first: {mismatches[:10]}"
