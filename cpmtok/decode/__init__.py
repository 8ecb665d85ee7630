"""Decoding, the other direction: ids (or an Encoding) -> text, and how exactly a text comes back.

Only what every family shares lives here: the styles and id checks (decoder.py), the text back from an
Encoding's offsets (source.py), the round-trip engine and report (roundtrip.py, lossy.py), and character
classes (chars.py). Each family's own decodes are in cpmtok/bert/decode.py and cpmtok/cpm/decode.py and reach
this package as `tokenizer.decoding` (the `FamilyDecoding` protocol). Nothing here imports transformers: the
reference decodes are reproduced, and tested against them.
"""

from .decoder import STYLES, FamilyDecoding, decode, natural_pieces, tokens_of
from .lossy import CAUSES, LossySpan
from .roundtrip import RoundTrip, Summary, explain, roundtrip
from .source import source_pieces, source_text

__all__ = ["decode", "natural_pieces", "tokens_of", "STYLES", "FamilyDecoding", "roundtrip", "explain", "RoundTrip",
           "LossySpan", "Summary", "CAUSES", "source_pieces", "source_text"]
