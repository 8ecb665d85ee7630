"""The whole shared corpus through `tok(batch, **options, return_tensors="np")` and through transformers 4.57.6
BertTokenizerFast with the same options, key by key and array by array, for the three hf-fast BERT presets.

Every record is compared once per preset: the corpus is cut into batches of 256 and each batch takes the next
option set of the matrix (padding longest / max_length / multiple-of x no truncation / truncation /
truncation with stride and overflow x right / left x special tokens on / off), every 8th batch with offsets.
"""

from __future__ import annotations

import itertools
import warnings

import pytest

import cpmtok
from corpus import all_corpus_texts
from inputs_reference import assert_same, hf_fast, outcome

PADDINGS = [dict(padding="longest"), dict(padding="max_length"), dict(padding="longest", pad_to_multiple_of=8)]
TRUNCATIONS = [dict(), dict(truncation=True, max_length=64),
               dict(truncation=True, max_length=128, stride=32, return_overflowing_tokens=True)]
MATRIX = [dict(**padding, **truncation, padding_side=side, add_special_tokens=special, return_tensors="np")
          for padding, truncation, side, special in itertools.product(PADDINGS, TRUNCATIONS, ["right", "left"],
                                                                      [True, False])]
BATCH = 256


@pytest.mark.slow
@pytest.mark.parametrize("preset", ["bert-base-chinese", "clue-small", "uer-gpt2-chinese"])
def test_whole_corpus_equals_bert_tokenizer_fast(preset):
    tok, ref = cpmtok.load(preset), hf_fast(preset)
    texts = [text for _, _, text in all_corpus_texts()]
    for number, start in enumerate(range(0, len(texts), BATCH)):
        batch = texts[start:start + BATCH]
        options = dict(MATRIX[number % len(MATRIX)], return_offsets_mapping=number % 8 == 0)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            assert_same(outcome(tok, batch, **options), outcome(ref, batch, **options), (preset, start, options))
