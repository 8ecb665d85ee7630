"""`datasets.map(batched=True, num_proc=2)` with `tok(...)` inside gives the ids of `encode_batch`: the
tokenizer crosses into the worker processes (pickled by datasets' dill) and encodes the same there."""

from __future__ import annotations

import os

import pytest

os.environ.setdefault("HF_DATASETS_OFFLINE", "1")
import datasets  # noqa: E402  (the test extra installs it; missing is a failure, not a skip)

import cpmtok  # noqa: E402
from corpus import all_corpus_texts  # noqa: E402


def mapped_ids(tok, texts: list[str], **options) -> list[list[int]]:
    table = datasets.Dataset.from_dict({"text": texts})
    out = table.map(lambda batch: tok(batch["text"], **options), batched=True, num_proc=2, remove_columns=["text"])
    return out["input_ids"]


@pytest.mark.parametrize("preset", ["bert-base-chinese", "cpm"])
def test_datasets_map_with_two_processes(preset):
    tok = cpmtok.load(preset)
    texts = [text for _, index, text in all_corpus_texts() if index < 40]
    assert mapped_ids(tok, texts, add_special_tokens=True) == [
        e.ids for e in tok.encode_batch(texts, add_special_tokens=True)]


@pytest.mark.slow
@pytest.mark.parametrize("preset", ["bert-base-chinese", "cpm"])
def test_datasets_map_over_the_whole_corpus(preset):
    tok = cpmtok.load(preset)
    texts = [text for _, _, text in all_corpus_texts()]
    assert mapped_ids(tok, texts) == [e.ids for e in tok.encode_batch(texts, workers=2)]
