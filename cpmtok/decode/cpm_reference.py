"""The string CPM-Generate gives back for ids, reproduced by calling sentencepiece as it does.

CPM-Generate's `GPT2Tokenizer.decode`: `sp.decode(ids)`, then remove every space (the spaces jieba's
words were joined with, and SentencePiece's own), then `▂` -> space and `▃` -> newline. The first
release (`cpm-v0`) maps ids to piece strings through vocab.json's inverse and decodes those pieces
with the v0 model: id 3 is `▃` there (not the model's `<cls>`), and id 7 `<eod>` is a control
piece of the v0 model, so it decodes to nothing (the current model renders it as the text `<eod>`).
"""

from __future__ import annotations

from typing import Sequence

BLOCK_SPACE = "\u2582"  # ▂: a space of the original text
BLOCK_NEWLINE = "\u2583"  # ▃: a newline of the original text


def post_replace(text: str) -> str:
    """CPM-Generate's last step: drop spaces, then ▂ -> space and ▃ -> newline."""
    return text.replace(" ", "").replace(BLOCK_SPACE, " ").replace(BLOCK_NEWLINE, "\n")


def cpm_generate(sp, ids: Sequence[int]) -> str:
    """Current model: `sp.decode(ids)` then `post_replace`."""
    return post_replace(sp.decode(list(ids)))


def cpm_v0(sp, pieces: Sequence[str]) -> str:
    """First release: the pieces vocab.json names for the ids, decoded by the v0 model, then `post_replace`."""
    return post_replace(sp.decode_pieces(list(pieces)))
