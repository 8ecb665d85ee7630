"""The optional C extension: jieba's segmenter in C (`cpmtok.cpm._jieba`). Metadata lives in pyproject.toml.

`optional=True`: where no compiler exists the install still succeeds, and cpmtok falls back to its
pure-Python segmenter (saying so once, at the first CPM tokenizer).
"""

import sys

from setuptools import Extension, setup

flags = [] if sys.platform == "win32" else ["-O3", "-ffp-contract=off", "-fno-fast-math"]

setup(ext_modules=[Extension("cpmtok.cpm._jieba", ["cpmtok/cpm/_jieba.c"], extra_compile_args=flags,
                             optional=True)])
