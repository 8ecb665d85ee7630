"""cpmtok.batch: ordered streaming over processes, bounded read-ahead, per-record errors, workers that die
with their caller and a dead worker that becomes a typed error. Signals go to real processes."""

from __future__ import annotations

import itertools
import os
import pickle
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

import cpmtok
from cpmtok.batch import _CHUNK_CHARACTERS, _chunks, encode_stream
from cpmtok.compiled import ENV_PURE
from cpmtok.bert.tokenizer import load_path
from cpmtok.errors import UnsupportedText, WorkerDied
from cpmtok.vocab import locate
from corpus import corpus_files, corpus_texts


def sample_texts(count: int) -> list[str]:
    """`count` corpus records, taken from every genre in turn."""
    per_file = [corpus_texts(path)[:count] for path in corpus_files()]
    return [text for row in itertools.zip_longest(*per_file) for text in row if text is not None][:count]


@pytest.fixture(scope="module")
def bert():
    return cpmtok.load("clue-small")


@pytest.mark.parametrize("workers", [1, 2, 3])
@pytest.mark.parametrize("given_as", [iter, list, tuple])  # a tuple is shared with forked workers, not sent
@pytest.mark.parametrize("packing", ["native", "pure"])
def test_stream_equals_sequential_in_order(bert, workers, given_as, packing, monkeypatch):
    monkeypatch.setenv(ENV_PURE, "1" if packing == "pure" else "0")
    texts = sample_texts(300)
    expected = [bert.encode_ids(text) for text in texts]
    assert list(encode_stream(bert, given_as(texts), workers=workers, chunk_size=7)) == expected


class _SlowInWorkers:
    """A tokenizer whose workers are far slower than the caller: the caller takes back the workers' queued
    chunks, and the workers' late results for them must be dropped."""

    def __init__(self, inner):
        self.inner, self.caller = inner, os.getpid()

    def encode_ids(self, text, add_special_tokens=False):
        if os.getpid() != self.caller:
            time.sleep(0.003)
        return self.inner.encode_ids(text, add_special_tokens=add_special_tokens)


@pytest.mark.parametrize("given_as", [iter, tuple])
@pytest.mark.parametrize("max_in_flight", [6, 40])  # a small window takes back mid-stream, late results arrive
def test_chunks_taken_back_from_slow_workers_are_encoded_once_in_order(given_as, max_in_flight):
    cpm = cpmtok.load("cpm")
    texts = sample_texts(240)
    texts[7] = texts[200] = "好\ud800"  # errors too, in chunks a worker holds and the caller may take back
    expected = list(encode_stream(cpm, texts, on_error="return"))
    got = list(encode_stream(_SlowInWorkers(cpm), given_as(texts), workers=3, chunk_size=4, on_error="return",
                             max_in_flight=max_in_flight))
    assert [type(result) for result in got] == [type(result) for result in expected]
    assert [(result.record_index if isinstance(result, UnsupportedText) else result) for result in got] == [
        (result.record_index if isinstance(result, UnsupportedText) else result) for result in expected]


def test_a_chunk_ends_at_its_count_or_its_characters():
    """Chunks of long texts are cut short, so the caller (which refills the workers between chunks of its own)
    never keeps a worker waiting for the length of a chunk of novels."""
    long, short = "长" * (_CHUNK_CHARACTERS // 2), "短"
    texts = [short] * 5 + [long] * 4 + ["x" * (_CHUNK_CHARACTERS * 2)] + [short] * 3 + [b"not text"]
    chunks = list(_chunks(iter(texts), 4))
    assert [first for first, _ in chunks] == [0, 4, 7, 9, 10]
    assert [text for _, chunk in chunks for text in chunk] == texts


def test_the_callers_freeze_is_as_it_was(bert):
    """Workers fork from a frozen heap; afterwards the caller's garbage collector sees its objects again, and a
    caller that froze objects itself keeps exactly its own freeze."""
    import gc

    texts = sample_texts(40)
    assert gc.get_freeze_count() == 0
    list(encode_stream(bert, texts, workers=2, chunk_size=5))
    assert gc.get_freeze_count() == 0
    gc.freeze()
    try:
        frozen = gc.get_freeze_count()
        list(encode_stream(bert, texts, workers=2, chunk_size=5))
        assert gc.get_freeze_count() == frozen
    finally:
        gc.unfreeze()


@pytest.mark.parametrize("workers", [1, 2])
def test_stream_reads_ahead_a_bounded_amount(bert, workers):
    """An endless input still streams: by the 500th result at most max_in_flight chunks were read ahead."""
    consumed = itertools.count()
    texts = (f"第{next(consumed)}条 text" for _ in itertools.count())
    results = encode_stream(bert, texts, workers=workers, chunk_size=10, max_in_flight=4)
    assert len(list(itertools.islice(results, 500))) == 500
    results.close()
    assert next(consumed) <= 500 + 4 * 10 + 1


@pytest.mark.parametrize("workers", [1, 2])
@pytest.mark.parametrize("given_as", [list, tuple])
def test_errors_in_order_with_record_index(workers, given_as):
    cpm = cpmtok.load("cpm")
    texts = sample_texts(40)
    texts[3] = texts[33] = "好\ud800"  # a lone surrogate: SentencePiece cannot encode it
    texts = given_as(texts)
    with pytest.raises(UnsupportedText) as raised:
        list(encode_stream(cpm, texts, workers=workers, chunk_size=4))
    assert raised.value.record_index == 3
    assert "record 3" in "".join(raised.value.__notes__)
    results = list(encode_stream(cpm, texts, workers=workers, chunk_size=4, on_error="return"))
    assert [i for i, r in enumerate(results) if isinstance(r, UnsupportedText)] == [3, 33]
    assert results[0] == cpm.encode_ids(texts[0]) and results[39] == cpm.encode_ids(texts[39])


def test_non_str_is_raised_even_when_errors_are_returned(bert):
    with pytest.raises(TypeError, match="bytes"):
        list(encode_stream(bert, ["ok", b"bytes"], on_error="return"))


@pytest.mark.parametrize("bad", [{"workers": 0}, {"chunk_size": 0}, {"on_error": "skip"}])
def test_bad_arguments(bert, bad):
    with pytest.raises(ValueError):
        list(encode_stream(bert, ["a"], **bad))


@pytest.mark.parametrize("name", ["clue-small", "cpm-v0"])
def test_tokenizers_pickle_by_recipe(name):
    tokenizer = cpmtok.load(name)
    payload = pickle.dumps(tokenizer)
    assert len(payload) < 2000  # the recipe, not the tables
    again = pickle.loads(payload)
    assert type(again) is type(tokenizer) and again.name == tokenizer.name
    assert [again.encode_ids(t) for t in sample_texts(20)] == [tokenizer.encode_ids(t) for t in sample_texts(20)]


def test_tokenizer_without_recipe_does_not_pickle():
    direct = load_path(locate("clue-small"))  # the family's loader, not cpmtok.load: no recipe
    with pytest.raises(TypeError, match="cpmtok.load"):
        pickle.dumps(direct)


_ENDLESS_ENCODE = textwrap.dedent("""
    import itertools, multiprocessing, os, sys
    import cpmtok
    from cpmtok.batch import encode_stream
    tok = cpmtok.load("clue-small")
    texts = ("第" + str(i) + "条 text" for i in itertools.count())
    for n, _ in enumerate(encode_stream(tok, texts, workers=3, chunk_size=50)):
        if n == 2000:
            print(*[p.pid for p in multiprocessing.active_children()], flush=True)
            {action}
""")


def _run(action: str) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(Path(cpmtok.__file__).parent.parent)}
    return subprocess.Popen([sys.executable, "-c", _ENDLESS_ENCODE.replace("{action}", action)], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _is_gone(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return True
    return state in ("Z", "X")  # a zombie has exited; only its parent's reaping is left


def test_workers_die_with_their_parent():
    """SIGKILL the caller mid-stream: its workers notice within a poll interval and exit."""
    process = _run("import time; time.sleep(60)")
    workers = [int(pid) for pid in process.stdout.readline().split()]
    assert len(workers) == 2
    process.kill()
    process.wait()
    deadline = time.monotonic() + 10
    while not all(map(_is_gone, workers)) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert all(map(_is_gone, workers)), [pid for pid in workers if not _is_gone(pid)]


def test_a_killed_worker_is_a_typed_error_and_the_caller_exits():
    """SIGKILL one worker: the caller raises WorkerDied naming the signal, stops the other one, and exits."""
    process = _run("os.kill(multiprocessing.active_children()[0].pid, 9)")
    workers = [int(pid) for pid in process.stdout.readline().split()]
    try:
        _, stderr = process.communicate(timeout=30)
    finally:
        process.kill()
    assert process.returncode == 1
    assert "cpmtok.errors.WorkerDied" in stderr and "killed by signal 9" in stderr, stderr[-2000:]
    assert all(map(_is_gone, workers))


def test_worker_died_is_a_cpmtok_error():
    assert issubclass(WorkerDied, cpmtok.CpmtokError)
    assert signal.SIGKILL == 9
