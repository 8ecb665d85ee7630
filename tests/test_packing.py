"""`cpmtok.packing` and `Tokenizer.pack`: the windows, concatenated, are exactly the documents' ids each followed by
the separator ([SEP] for BERT vocabularies, <eod> for CPM), then the tail as the policy says."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import cpmtok
from budget import examples
from cpmtok.packing import Packer, pack
from corpus import corpus_files, corpus_texts

documents = st.lists(st.lists(st.integers(0, 9), max_size=12), max_size=12)


def joined(docs, separator):
    return [i for doc in docs for i in [*doc, separator]]


@settings(max_examples=examples(500), deadline=None)
@given(documents, st.integers(1, 9), st.sampled_from(["pad", "drop", "keep"]))
def test_streaming_packer_round_trips(docs, seq_length, tail):
    packer = Packer(seq_length, 10, tail=tail, pad_id=11)
    windows = [w for doc in docs for w in packer.add(doc)] + list(packer.finish())
    stream = joined(docs, 10)
    full = len(stream) // seq_length
    assert all(len(w) == seq_length for w in windows[:full])
    flat = [int(i) for w in windows for i in w]
    rest = len(stream) - full * seq_length
    if tail == "drop" or rest == 0:
        assert flat == stream[:full * seq_length] and len(windows) == full
    elif tail == "keep":
        assert flat == stream and len(windows[-1]) == rest
    else:
        assert flat == stream + [11] * (seq_length - rest)


@settings(max_examples=examples(200), deadline=None)
@given(documents, st.integers(1, 9), st.integers(0, 20))
def test_a_carried_remainder_continues_the_stream(docs, seq_length, cut):
    """A run that stops after `cut` documents and restarts from `remainder` gives the same windows."""
    cut = min(cut, len(docs))
    whole = pack(docs, seq_length, 10, pad_id=11)
    first = Packer(seq_length, 10, pad_id=11)
    windows = [w for doc in docs[:cut] for w in first.add(doc)]
    second = Packer(seq_length, 10, pad_id=11, remainder=first.remainder)
    windows += [w for doc in docs[cut:] for w in second.add(doc)] + list(second.finish())
    assert np.array_equal(np.stack(windows) if windows else whole, whole)


@pytest.mark.parametrize("name, separator", [("bert-base-chinese", "[SEP]"), ("clue-small", "[SEP]"),
                                             ("cpm", "<eod>"), ("cpm-v0", "<eod>")])
def test_tokenizer_pack_round_trips_on_the_corpus(name, separator):
    tok = cpmtok.load(name)
    texts = corpus_texts(corpus_files()[0])[:300]
    sep = tok.token_to_id(separator)
    stream = joined([tok.encode_ids(t) for t in texts], sep)
    windows = tok.pack(texts, 128)
    assert windows.dtype == np.int32 and windows.shape == (-(-len(stream) // 128), 128)
    rest = -len(stream) % 128
    assert windows.reshape(-1).tolist() == stream + [tok.pad_token_id] * rest
    dropped = tok.pack(texts, 128, tail="drop", dtype="uint16")
    assert dropped.dtype == np.uint16 and dropped.reshape(-1).tolist() == stream[:len(stream) // 128 * 128]


def test_pack_rejects_what_it_cannot_do():
    tok = cpmtok.load("clue-small")
    with pytest.raises(ValueError, match="keep"):
        tok.pack(["a"], 4, tail="keep")
    with pytest.raises(ValueError, match="int8"):
        tok.pack(["a"], 4, dtype="int8")
    with pytest.raises(ValueError, match="seq_length"):
        tok.pack(["a"], 0)
