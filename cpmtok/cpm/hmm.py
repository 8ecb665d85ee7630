"""jieba 0.42.1's `finalseg`: the BMES hidden Markov model that splits runs of single characters.

jieba hands it every run of single-character words that is not itself a dictionary word. This is a port of
`finalseg.cut` with the same float operations in the same order (`V[t-1][y0] + trans + emit`, left to right),
the same `MIN_FLOAT` for unseen characters and transitions, and the same ties: `max` over `(prob, state)` pairs,
so an exact tie goes to the later state letter. `finalseg.Force_Split_Words` is empty in a fresh jieba (only a
process-wide `del_word` fills it), so CPM-Generate never split a word for it and neither does this port.
"""

from __future__ import annotations

import re

MIN_FLOAT = -3.14e100
STATES = "BMES"
PREVIOUS_STATES = {"B": "ES", "M": "MB", "S": "SE", "E": "BM"}

# finalseg's own block rules (not the ones of jieba.cut): Han runs go to the HMM, the rest is split into
# alphanumeric runs (with an optional decimal part and percent sign) and what lies between them.
HMM_HAN = re.compile("([\u4E00-\u9FD5]+)")
HMM_HAN_ONLY = re.compile("[\u4E00-\u9FD5]+")
HMM_SKIP = re.compile(r"([a-zA-Z0-9]+(?:\.\d+)?%?)")


TRANSITIONS = [("E", "B"), ("S", "B"), ("M", "M"), ("B", "M"), ("S", "S"), ("E", "S"), ("B", "E"), ("M", "E")]
_POINTER_INDEX = {"B": 0, "M": 1, "E": 2, "S": 3}
_UNSEEN = (MIN_FLOAT,) * 4


class HmmSegmenter:
    """`cut(text)` as jieba's `finalseg.cut(text)`, on tables given at construction (never jieba's globals)."""

    def __init__(self, start: dict[str, float], trans: dict[str, dict[str, float]],
                 emit: dict[str, dict[str, float]]) -> None:
        self._start = tuple(start[y] for y in STATES)
        self._transitions = tuple(trans[prev].get(state, MIN_FLOAT) for prev, state in TRANSITIONS)
        chars = set().union(*(emit[y] for y in STATES))
        # one lookup per character: its emission log-probs in STATES order
        self._emissions = {c: tuple(emit[y].get(c, MIN_FLOAT) for y in STATES) for c in chars}

    def cut(self, text: str) -> list[str]:
        if HMM_HAN_ONLY.fullmatch(text):  # the common case: one Han block, nothing to split around it
            return self._cut_han(text)
        words: list[str] = []
        for block in HMM_HAN.split(text):
            if HMM_HAN.match(block):
                words.extend(self._cut_han(block))
            else:
                words.extend(part for part in HMM_SKIP.split(block) if part)
        return words

    def _cut_han(self, sentence: str) -> list[str]:
        """finalseg.__cut: words from the Viterbi state path (B begins, E ends, S stands alone)."""
        words = []
        begin = next_index = 0
        for i, state in enumerate(self._viterbi(sentence)):
            if state == "B":
                begin = i
            elif state == "E":
                words.append(sentence[begin:i + 1])
                next_index = i + 1
            elif state == "S":
                words.append(sentence[i])
                next_index = i + 1
        if next_index < len(sentence):
            words.append(sentence[next_index:])
        return words

    def _viterbi(self, observations: str) -> str:
        """finalseg.viterbi unrolled over its four states; back-pointers instead of copied paths.

        Each state has two predecessors (PREVIOUS_STATES); jieba takes `max` of `(prob, state)` pairs, so the
        later letter wins an exact tie: B <- E|S (tie S), M <- M|B (tie M), S <- S|E (tie S), E <- B|M (tie M).
        A step's back-pointers are one tuple, the predecessors of B, M, E, S in that order.
        """
        t_eb, t_sb, t_mm, t_bm, t_ss, t_es, t_be, t_me = self._transitions
        emissions = self._emissions
        unseen = _UNSEEN
        e_b, e_m, e_e, e_s = emissions.get(observations[0], unseen)
        s_b, s_m, s_e, s_s = self._start
        v_b, v_m, v_e, v_s = s_b + e_b, s_m + e_m, s_e + e_e, s_s + e_s
        pointers = []  # per step, the predecessors of B, M, E, S
        append = pointers.append
        for char in observations[1:]:
            e_b, e_m, e_e, e_s = emissions.get(char, unseen)
            x, y = v_e + t_eb + e_b, v_s + t_sb + e_b
            if x > y:
                n_b, p_b = x, "E"
            else:
                n_b, p_b = y, "S"
            x, y = v_m + t_mm + e_m, v_b + t_bm + e_m
            if x >= y:
                n_m, p_m = x, "M"
            else:
                n_m, p_m = y, "B"
            x, y = v_s + t_ss + e_s, v_e + t_es + e_s
            if x >= y:
                n_s, p_s = x, "S"
            else:
                n_s, p_s = y, "E"
            x, y = v_b + t_be + e_e, v_m + t_me + e_e
            if x > y:
                n_e, p_e = x, "B"
            else:
                n_e, p_e = y, "M"
            append((p_b, p_m, p_e, p_s))
            v_b, v_m, v_e, v_s = n_b, n_m, n_e, n_s
        state = "S" if v_s >= v_e else "E"
        path = [state]
        for step in reversed(pointers):
            state = step[_POINTER_INDEX[state]]
            path.append(state)
        return "".join(reversed(path))
