"""cpmtok: exact, fast, framework-free tokenizers for the Chinese GPT-2 family.

    >>> import cpmtok
    >>> tok = cpmtok.load("cpm")
    >>> enc = tok.encode("今天天气不错")
    >>> enc.ids, enc.tokens, enc.offsets
"""

from .base import Tokenizer
from .encoding import Encoding
from .errors import (
    AmbiguousFolder,
    CpmtokError,
    InvalidInput,
    InvalidTokenizerConfig,
    InvalidVocab,
    UnknownDecodeStyle,
    UnknownDialect,
    UnknownTokenizer,
    UnsupportedOption,
    UnsupportedText,
    VocabChecksumMismatch,
    VocabNotFound,
)
from . import batch
from .loader import load
from .presets import PRESETS

__version__ = "0.1.0"


def backend() -> str:
    """The segmenter `load("cpm")` runs: "native" (the C extension) or "pure" (Python; CPMTOK_PURE=1 forces it)."""
    from .cpm.native import choose_backend

    return choose_backend()


__all__ = [
    "load", "backend", "Encoding", "Tokenizer", "PRESETS", "CpmtokError", "InvalidInput", "InvalidVocab",
    "UnknownDecodeStyle", "UnknownDialect", "UnknownTokenizer", "UnsupportedText", "VocabChecksumMismatch",
    "VocabNotFound", "UnsupportedOption", "InvalidTokenizerConfig", "AmbiguousFolder", "__version__",
]
