"""The fuzz campaign's verdicts and mutations (the campaign itself runs from .ci/run: python -m fuzz.run)."""

import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from fuzz.mutate import mutated_ids, text_inputs  # noqa: E402
from fuzz.targets import Target, compare  # noqa: E402

import cpmtok  # noqa: E402


def _target(ours, reference):
    return Target("t", "bert", "text", ours, reference, None)


def _raise(error):
    def run(_):
        raise error
    return run


def test_verdicts():
    assert compare(_target(len, len), "abc").verdict == "same"
    assert compare(_target(len, lambda t: 4), "abc").verdict == "mismatch"
    assert compare(_target(_raise(cpmtok.UnsupportedText("x")), _raise(TypeError())), "a").verdict == "same"
    assert compare(_target(_raise(IndexError()), _raise(IndexError())), "a").verdict == "same"
    assert compare(_target(_raise(cpmtok.UnsupportedText("x")), len), "a").verdict == "mismatch"
    assert compare(_target(len, _raise(TypeError())), "a").verdict == "mismatch"
    assert compare(_target(_raise(KeyError()), len), "a").verdict == "untyped"
    assert compare(_target(_raise(KeyError()), _raise(TypeError())), "a").verdict == "untyped"


def test_mutations_reach_what_the_corpus_lacks():
    rng = random.Random(0)
    next_text = text_inputs(rng, ["今天天气不错，我们去公园散步吧！", "Hello, World! 1234 abc"])
    texts = [next_text() for _ in range(3_000)]
    joined = "".join(texts)
    assert any(0xD800 <= ord(c) < 0xE000 for c in joined)  # lone surrogates
    assert any(ord(c) > 0xFFFF for c in joined)  # astral planes
    assert any(c in joined for c in "\u3000\u2028\x85\x0b")
    assert "[SEP]" in joined and any(len(t) > 200 for t in texts)
    ids = [mutated_ids(rng, [101, 5, 6, 102], 21128, [100, 101, 102]) for _ in range(200)]
    assert all(0 <= i < 21128 for row in ids for i in row) and len({tuple(r) for r in ids}) > 20
