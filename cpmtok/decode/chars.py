"""Character classes the decoders reason with, as BERT's basic tokenizer defines them.

BERT splits text into words at whitespace, around every CJK ideograph and around every punctuation
character; everything else stays in one run. Which class a token's characters belong to therefore
tells the decoders where the original text could have had a space.
"""

from __future__ import annotations

import unicodedata

_CJK_IDEOGRAPH_RANGES = (
    (0x4E00, 0x9FFF), (0x3400, 0x4DBF), (0x20000, 0x2A6DF), (0x2A700, 0x2B73F),
    (0x2B740, 0x2B81F), (0x2B820, 0x2CEAF), (0xF900, 0xFAFF), (0x2F800, 0x2FA1F),
)


def is_cjk_ideograph(char: str) -> bool:
    """BERT's `_is_chinese_char` (bert4keras' `_is_cjk_character` has the same ranges)."""
    code = ord(char)
    return any(low <= code <= high for low, high in _CJK_IDEOGRAPH_RANGES)


def is_punctuation(char: str) -> bool:
    """BERT's `_is_punctuation` (and bert4keras'): ASCII non-alphanumeric printables and Unicode P*."""
    code = ord(char)
    return (33 <= code <= 47 or 58 <= code <= 64 or 91 <= code <= 96 or 123 <= code <= 126
            or unicodedata.category(char).startswith("P"))


def is_wide(char: str) -> bool:
    """Full-width or wide (East Asian Width F/W): text around such a character is written without spaces."""
    return unicodedata.east_asian_width(char) in ("W", "F")
