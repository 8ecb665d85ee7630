"""The optional C extensions: jieba's segmenter (`cpmtok.cpm._jieba`) and the packing of ids between worker
processes (`cpmtok.batch._packed_ids`). Metadata lives in pyproject.toml.

`optional=True`: where no compiler exists the install still succeeds, and cpmtok falls back to its
pure-Python code (saying so once, at the first CPM tokenizer).
"""

import sys

from setuptools import Extension, setup

flags = [] if sys.platform == "win32" else ["-O3", "-ffp-contract=off", "-fno-fast-math"]

setup(ext_modules=[Extension("cpmtok.cpm._jieba", ["cpmtok/cpm/_jieba.c"], extra_compile_args=flags, optional=True),
                   Extension("cpmtok.batch._packed_ids", ["cpmtok/batch/_packed_ids.c"], extra_compile_args=flags, optional=True)])
