"""Values that are not what they seem: text is read by its str value; ids must be integers in range."""

from __future__ import annotations

import numpy as np
import pytest

import cpmtok
from cpmtok.errors import InvalidIds, UnsupportedText

PRESETS = [("bert-base-chinese", {"dialect": "hf-fast"}), ("bert-base-chinese", {"dialect": "hf-slow"}),
           ("bert-base-chinese", {"dialect": "google"}), ("cpm", {}), ("cpm-v0", {})]


class Sneaky(str):
    """A str whose methods lie: a tokenizer that calls them would see another text."""

    def lower(self):
        return "[UNK]"

    def translate(self, table):
        return "x"

    def __str__(self):
        return "y"

    def __iter__(self):
        return iter("z")

    def __len__(self):
        return 1

    def __getitem__(self, key):
        return "w"


@pytest.mark.parametrize("preset, options", PRESETS)
def test_a_str_subclass_is_encoded_by_its_value(preset, options):
    tok = cpmtok.load(preset, **options)
    for text in ["Hello World 今天天气不错", "ΟΔΟΣ [SEP] a\nb"]:
        assert tok.encode_ids(Sneaky(text)) == tok.encode_ids(text)
        assert tok.encode(Sneaky(text)).ids == tok.encode_ids(text)
        assert [e.ids for e in tok.encode_batch([Sneaky(text)])] == [tok.encode_ids(text)]


BAD_IDS = [None, 5, np.int64(5), bytearray(b"\x01\x02"), b"\x01", "12", {1: 2}, {1, 2}, [True], [np.bool_(False)],
           [5.0], [1, "2"], np.array(5), np.array([[1, 2]]), [-1], [10 ** 30], [np.float32(1)]]


@pytest.mark.parametrize("preset", ["bert-base-chinese", "cpm"])
@pytest.mark.parametrize("ids", BAD_IDS, ids=repr)
def test_decode_refuses_what_is_not_ids(preset, ids):
    tok = cpmtok.load(preset)
    for style in ("natural", "reference"):
        with pytest.raises(InvalidIds):
            tok.decode(ids, style=style)


@pytest.mark.parametrize("preset", ["bert-base-chinese", "cpm", "cpm-v0"])
def test_decode_takes_python_and_numpy_integers(preset):
    tok = cpmtok.load(preset)
    ids = tok.encode_ids("今天天气不错")
    text = tok.decode(ids)
    for same in (tuple(ids), iter(ids), np.array(ids, np.int32), [np.int64(i) for i in ids], np.array(ids, np.uint16)):
        assert tok.decode(same) == text


@pytest.mark.parametrize("preset", ["bert-base-chinese", "cpm", "cpm-v0"])
def test_id_to_token_refuses_what_is_not_an_id(preset):
    tok = cpmtok.load(preset)
    assert tok.id_to_token(np.int64(5)) == tok.id_to_token(5)
    for bad in (5.0, -1, tok.vocab_size, True, None, "5", np.float64(5)):
        with pytest.raises(InvalidIds):
            tok.id_to_token(bad)


@pytest.mark.parametrize("preset, options", [("bert-base-chinese", {"dialect": "hf-fast"}), ("cpm", {})])
def test_batch_errors_name_the_record_and_a_character_offset(preset, options):
    tok = cpmtok.load(preset, **options)
    with pytest.raises(UnsupportedText, match=r"character offset 3") as err:
        tok.encode_batch(["ok", "fine", "abc\ud800"])
    assert err.value.record_index == 2 and "record 2" in " ".join(err.value.__notes__)
    assert "line" not in str(err.value)
