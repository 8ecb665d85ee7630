"""Decoding, the other direction: ids (or an Encoding) -> text, and how exactly a text comes back.

`tok.decode(ids, style=...)` delegates to `decode` here; `tok.roundtrip(text)` to `roundtrip`.
Nothing here imports transformers: the reference decodes are reproduced, and tested against them.
"""

from .decoder import STYLES, decode, natural_pieces, tokens_of
from .roundtrip import CAUSES, LossySpan, RoundTrip, Summary, explain, roundtrip
from .source import source_pieces, source_text

__all__ = ["decode", "natural_pieces", "tokens_of", "STYLES", "roundtrip", "explain", "RoundTrip", "LossySpan",
           "Summary", "CAUSES",
           "source_pieces", "source_text"]
