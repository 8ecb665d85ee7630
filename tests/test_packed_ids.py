"""The C packing of ids between processes (`cpmtok.batch._packed_ids`) against its readable Python twin.

The extension must be built (`pip install -e .` compiles it); a missing one is a failure, never a skip.
"""

from __future__ import annotations

import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cpmtok.batch import pack_ids, packed_ids_extension, unpack_ids

INT32 = st.integers(-2**31, 2**31 - 1)
LISTS = st.lists(st.lists(st.one_of(st.integers(0, 40_000), INT32), max_size=40), max_size=20)


@pytest.fixture(scope="module")
def native():
    module = packed_ids_extension()
    assert module is not None, ("cpmtok's C extension cpmtok.batch._packed_ids is not built: run `pip install -e .` "
                                "(or `python setup.py build_ext --inplace`) where a C compiler exists")
    return module


@settings(max_examples=2000, deadline=None)
@given(lists=LISTS)
def test_native_packs_and_unpacks_as_the_python_twin(native, lists):
    packed = pack_ids(lists)
    assert native.pack_ids(lists) == packed
    assert native.unpack_ids(*packed) == unpack_ids(*packed) == lists


def test_unpacked_ids_are_plain_ints_that_outlive_the_packing(native):
    lists = native.unpack_ids(*pack_ids([[5, 70_000, 2**20, -3], [], [5]]))
    assert lists == [[5, 70_000, 2**20, -3], [], [5]]
    assert all(type(value) is int for ids in lists for value in ids)
    lists[0][0] += 1  # ints are immutable: a shared one cannot change another list
    assert lists[2] == [5]


@pytest.mark.parametrize("bad", [[[2**31]], [[-2**31 - 1]]])
def test_ids_beyond_int32_overflow_in_both(native, bad):
    for pack in (pack_ids, native.pack_ids):
        with pytest.raises(OverflowError):
            pack(bad)


@pytest.mark.parametrize("bad", [[[1.0]], [["1"]], [None], [[1, None]]])
def test_non_int_ids_are_type_errors_in_both(native, bad):
    for pack in (pack_ids, native.pack_ids):
        with pytest.raises(TypeError):
            pack(bad)


@pytest.mark.parametrize("ids, counts", [
    (b"\0" * 8, (1).to_bytes(4, sys.byteorder)),  # the counts cover too few ids
    (b"\0" * 4, (2).to_bytes(4, sys.byteorder)),  # too many
    (b"\0" * 4, (-1).to_bytes(4, sys.byteorder, signed=True) + (2).to_bytes(4, sys.byteorder)),
    (b"\0" * 5, (1).to_bytes(4, sys.byteorder)),  # not whole int32s
])
def test_counts_that_do_not_cover_the_ids_are_value_errors_in_both(native, ids, counts):
    for unpack in (unpack_ids, native.unpack_ids):
        with pytest.raises(ValueError):
            unpack(ids, counts)
