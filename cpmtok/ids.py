"""What counts as an id: a Python or NumPy integer (never a bool) inside the vocabulary; anything else is
`InvalidIds`, for a single id and for a sequence of them, so decode and id_to_token refuse alike."""

from __future__ import annotations

import operator
from collections.abc import Iterable, Mapping, Set
from typing import Any

import numpy as np

from .errors import InvalidIds


def checked_id(value: Any, size: int, where: str = "id") -> int:
    """`value` as an int in 0..size-1; InvalidIds naming it (`where` says which one) otherwise."""
    if isinstance(value, (bool, np.bool_)):
        raise InvalidIds(f"{where} is {value!r}, a bool, not an integer id")
    try:
        token_id = operator.index(value)
    except TypeError:
        raise InvalidIds(f"{where} is {value!r:.80} ({type(value).__name__}), not an integer id") from None
    if not 0 <= token_id < size:
        raise InvalidIds(f"{where} = {token_id} is outside the vocabulary (0..{size - 1})")
    return token_id


def checked_ids(ids: Any, size: int) -> list[int]:
    """`ids` (a list, tuple, 1-D NumPy array or other iterable of ids) as a list of ints; InvalidIds for a
    non-sequence (None, an int, text, bytes, a dict or set) or for the first bad id."""
    if (isinstance(ids, (str, bytes, bytearray, memoryview, Mapping, Set)) or not isinstance(ids, Iterable)
            or (isinstance(ids, np.ndarray) and ids.ndim != 1)):
        raise InvalidIds(f"expected a sequence of ids, got {type(ids).__name__}"
                         + (f" of {ids.ndim} dimensions" if isinstance(ids, np.ndarray) else ""))
    if type(ids) in (list, tuple) and set(map(type, ids)) <= {int} and (not ids or 0 <= min(ids) <= max(ids) < size):
        return list(ids)  # the common case, checked at C speed
    return [checked_id(value, size, f"ids[{position}]") for position, value in enumerate(ids)]
