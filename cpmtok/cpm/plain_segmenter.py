"""The readable segmenter: jieba 0.42.1's `Tokenizer.cut(text)` (accurate mode, HMM on), line by line.

The oracle beside the fast `segmenter.Segmenter` (tests check one against the other and both against jieba).
It keeps jieba's rules: the block regexes, the DAG of dictionary words, the route maximised right to left over
`(score, end)` pairs (a tie goes to the longer word), `log(freq) - log(total)` per word with `or 1` for a
character that starts no word, and the HMM on runs of single characters that are not a dictionary word.
"""

from __future__ import annotations

import re

from .dictionary import JiebaModel
from .hmm import HmmSegmenter

# jieba.re_han_default and jieba.re_skip_default, verbatim
HAN_BLOCK = re.compile("([\u4E00-\u9FD5a-zA-Z0-9+#&\\._%\\-]+)", re.U)
SKIP = re.compile("(\r\n|\\s)", re.U)


class PlainSegmenter:
    def __init__(self, model: JiebaModel) -> None:
        self._weights = model.word_weights
        self._unknown_char_weight = model.unknown_char_weight
        self._hmm = HmmSegmenter(model.hmm_start, model.hmm_trans, model.hmm_emit)

    def cut(self, text: str) -> list[str]:
        """jieba.Tokenizer.cut(text, cut_all=False, HMM=True)."""
        words: list[str] = []
        for block in HAN_BLOCK.split(text):
            if not block:
                continue
            if HAN_BLOCK.match(block):
                words.extend(self._cut_dag(block))
            else:
                for part in SKIP.split(block):
                    if SKIP.match(part):
                        words.append(part)
                    else:
                        words.extend(part)
        return words

    def _dag(self, sentence: str) -> list[list[int]]:
        """jieba.get_DAG: for each start, the ends of dictionary words found by growing a prefix."""
        dag = []
        for start in range(len(sentence)):
            ends = []
            end = start
            fragment = sentence[start]
            while end < len(sentence) and fragment in self._weights:
                if self._weights[fragment] is not None:
                    ends.append(end)
                end += 1
                fragment = sentence[start:end + 1]
            dag.append(ends or [start])
        return dag

    def _route(self, sentence: str) -> list[tuple[float, int]]:
        """jieba.calc: best (score, end) from each start, right to left."""
        route = [(0.0, 0)] * (len(sentence) + 1)
        for start, ends in reversed(list(enumerate(self._dag(sentence)))):
            route[start] = max((self._weight(sentence[start:end + 1]) + route[end + 1][0], end) for end in ends)
        return route

    def _weight(self, word: str) -> float:
        weight = self._weights.get(word)
        return self._unknown_char_weight if weight is None else weight

    def _cut_dag(self, sentence: str) -> list[str]:
        """jieba.__cut_DAG: follow the route; runs of single characters go through _flush."""
        route = self._route(sentence)
        words: list[str] = []
        single_run = ""
        start = 0
        while start < len(sentence):
            end = route[start][1] + 1
            if end - start == 1:
                single_run += sentence[start]
            else:
                words.extend(self._flush(single_run))
                single_run = ""
                words.append(sentence[start:end])
            start = end
        words.extend(self._flush(single_run))
        return words

    def _flush(self, run: str) -> list[str]:
        if len(run) <= 1:
            return [run] if run else []
        if self._weights.get(run) is None:  # jieba: `not self.FREQ.get(buf)`
            return self._hmm.cut(run)
        return list(run)
