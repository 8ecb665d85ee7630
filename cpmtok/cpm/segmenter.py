"""The fast pure-Python segmenter: jieba 0.42.1's `Tokenizer.cut(text)` (HMM on), bit-identical, several times faster.

Where the time goes in jieba is per character: a generator chain, `get_DAG` building lists, `calc` calling
`log` and `max` over a generator of tuples for each position, and three probes of its big prefix dictionary per
candidate word. Here each word weight (`log(freq) - log(total)`, precomputed) is looked up once; the one- and
two-character lookups, which every position needs, run in C through `map` (the two-character ones in small
per-first-character dicts that stay in the CPU cache); one right-to-left pass per block extends longer prefixes
and keeps the best route, with jieba's tie rule written as `>=` over ends in increasing order (= `max` over
`(score, end)` pairs) and the same float additions. Han blocks and the text between them are memoised in
bounded caches (real text repeats them), looked up in C by `map`.
`plain_segmenter.PlainSegmenter` is the readable version of the same algorithm and `_jieba.c` the compiled one
(the default where it was built); tests hold all three to jieba itself.
"""

from __future__ import annotations

import re
from itertools import repeat
from typing import Callable, Optional

from .dictionary import JiebaModel
from .hmm import HmmSegmenter
from .plain_segmenter import HAN_BLOCK

WORD_JOINER = " "  # CPM-Generate joins jieba's words with one space before SentencePiece
CPM_SUBSTITUTION = str.maketrans(" \n", "\u2582\u2583")  # inside a word: space -> ▂, newline -> ▃
_NON_HAN_WORD = re.compile("\r\n|.", re.S)  # between blocks jieba yields "\r\n" whole, every other char alone
_CACHE_LIMIT = 1 << 17  # entries per cache; cleared when full (memory stays bounded, results never change)
_ABSENT = object()
_NO_SECOND_CHARS: dict[str, Optional[float]] = {}
_NO_SCORE = float("-inf")  # below every real score (all are finite), so the first candidate always wins


class Segmenter:
    """jieba's words for a text (`cut`), or straight away CPM-Generate's SentencePiece input (`join`)."""

    def __init__(self, model: JiebaModel) -> None:
        self._weights = model.word_weights
        self._unknown_char_weight = model.unknown_char_weight
        self._hmm = HmmSegmenter(model.hmm_start, model.hmm_trans, model.hmm_emit)
        # small tables for the lookups every position makes, so they stay in the CPU cache
        self._single_weights = {word: weight for word, weight in model.word_weights.items() if len(word) == 1}
        self._second_chars = _second_chars(model.word_weights)
        self._han_forms = _Memo(self._han_form)  # Han block -> its words joined by WORD_JOINER
        self._other_forms = _Memo(_join_non_han)  # text between blocks -> its CPM form (substituted, joined)

    def cut(self, text: str) -> list[str]:
        """jieba.Tokenizer().cut(text, cut_all=False, HMM=True), as a list."""
        words: list[str] = []
        for index, block in enumerate(HAN_BLOCK.split(text)):
            if index & 1:
                words.extend(self._han_forms[block].split(WORD_JOINER))
            elif block:
                words.extend(_NON_HAN_WORD.findall(block))
        return words

    def join(self, text: str) -> str:
        """`" ".join(w.translate(CPM_SUBSTITUTION) for w in cut(text))`: CPM-Generate's SentencePiece input."""
        parts = HAN_BLOCK.split(text)  # the Han blocks at odd indices, the (maybe empty) text around them at even
        parts[1::2] = map(self._han_forms.__getitem__, parts[1::2])
        parts[::2] = map(self._other_forms.__getitem__, parts[::2])
        return WORD_JOINER.join(filter(None, parts))

    def _han_form(self, block: str) -> str:
        return WORD_JOINER.join(self._cut_han_block(block))

    def _cut_han_block(self, block: str) -> list[str]:
        """jieba's get_DAG + calc + __cut_DAG in one right-to-left pass and one forward walk.

        The one- and two-character lookups, which every position needs, are done up front by `map` (in C);
        the Python loop only extends prefixes that are three characters or longer.
        """
        weights_get = self._weights.get
        unknown_char_weight = self._unknown_char_weight
        size = len(block)
        chars = list(block)  # one str object per character, hashed once for all the lookups below
        singles = list(map(self._single_weights.get, chars))  # None: no word (absent, or only a prefix)
        pairs = list(map(dict.get, map(self._second_chars.get, chars, repeat(_NO_SECOND_CHARS, size - 1)),
                         chars[1:], repeat(_ABSENT)))  # the weight of block[i:i + 2], or None, or _ABSENT
        pairs.append(_ABSENT)
        score = [0.0] * (size + 1)
        best_end = list(range(size + 1))
        for start in range(size - 1, -1, -1):
            single = singles[start]
            pair = pairs[start]
            if pair is _ABSENT:  # only a one-character word can start here (or none: jieba's `or 1`)
                score[start] = (unknown_char_weight if single is None else single) + score[start + 1]
                continue
            best = _NO_SCORE if single is None else single + score[start + 1]
            if pair is not None:
                candidate = pair + score[start + 2]
                if candidate >= best:  # ends ascend: ties go to the longer word
                    best = candidate
                    best_end[start] = start + 1
            end = start + 2
            while end < size:
                weight = weights_get(block[start:end + 1], _ABSENT)
                if weight is _ABSENT:
                    break
                if weight is not None:
                    candidate = weight + score[end + 1]
                    if candidate >= best:
                        best = candidate
                        best_end[start] = end
                end += 1
            score[start] = unknown_char_weight + score[start + 1] if best is _NO_SCORE else best

        words: list[str] = []
        run_start = 0  # start of the current run of single characters
        start = 0
        while start < size:
            end = best_end[start] + 1
            if end - start > 1:
                if run_start < start:
                    self._flush_single_run(block[run_start:start], words)
                words.append(block[start:end])
                run_start = end
            start = end
        if run_start < size:
            self._flush_single_run(block[run_start:], words)
        return words

    def _flush_single_run(self, run: str, words: list[str]) -> None:
        """jieba: one char stays; a run that is a dictionary word splits into chars; others go to the HMM."""
        if len(run) == 1:
            words.append(run)
        elif self._weights.get(run) is None:
            words.extend(self._hmm.cut(run))
        else:
            words.extend(run)


def _second_chars(weights: dict[str, Optional[float]]) -> dict[str, dict[str, Optional[float]]]:
    """The two-character keys of jieba's prefix dictionary as first char -> {second char: weight or None}.

    Small dicts, mostly in the CPU cache, looked up with the block's own one-character strings: cheaper than
    slicing and hashing a two-character string per position and probing the big dictionary with it. Their
    keys share one str object per character (a few thousand, all hot) instead of one per entry.
    """
    second_chars: dict[str, dict[str, Optional[float]]] = {}
    one_object_per_char: dict[str, str] = {}
    for word, weight in weights.items():
        if len(word) == 2:
            first, second = (one_object_per_char.setdefault(char, char) for char in word)
            second_chars.setdefault(first, {})[second] = weight
    return second_chars


def _join_non_han(text: str) -> str:
    if "\r\n" not in text:
        return WORD_JOINER.join(text.translate(CPM_SUBSTITUTION))
    return WORD_JOINER.join(word.translate(CPM_SUBSTITUTION) for word in _NON_HAN_WORD.findall(text))


class _Memo(dict):
    """key -> compute(key), computed on the first lookup (`memo[key]`, in C when the key is known).

    Cleared when full: memory stays bounded and results never change.
    """

    def __init__(self, compute: Callable[[str], str]) -> None:
        super().__init__()
        self._compute = compute

    def __missing__(self, key: str) -> str:
        value = self._compute(key)
        if len(self) >= _CACHE_LIMIT:
            self.clear()
        self[key] = value
        return value
