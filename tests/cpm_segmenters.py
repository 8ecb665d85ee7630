"""cpmtok's three jieba segmenters for the differential tests: native (C), fast pure-Python, readable pure-Python.

The native one must be built (`pip install -e .` compiles it); a missing extension is a failure, never a skip.
"""

from __future__ import annotations

from functools import lru_cache

from cpmtok.cpm.dictionary import load_jieba_model
from cpmtok.cpm.native import extension, load_native_tables
from cpmtok.cpm.plain_segmenter import PlainSegmenter
from cpmtok.cpm.segmenter import Segmenter


def require_extension():
    module = extension()
    assert module is not None, ("cpmtok's C extension cpmtok.cpm._jieba is not built: run `pip install -e .` "
                                "(or `python setup.py build_ext --inplace`) where a C compiler exists")
    return module


@lru_cache(maxsize=1)
def segmenters() -> dict:
    """name -> segmenter with `cut(text)` and `join(text)` (the readable one has `cut` only)."""
    model = load_jieba_model()
    return {"native": require_extension().Segmenter(load_native_tables()), "pure": Segmenter(model),
            "plain": PlainSegmenter(model)}
