"""Encoding many texts: an ordered, streaming map of chunks over worker processes.

`encode_stream` reads its input lazily, cuts it into chunks, and yields each text's ids in input order as
soon as they and every earlier text's are done; at most `max_in_flight` chunks are read ahead, so memory is
bounded whatever the input's length. The calling process works too: chunks wait unassigned until a worker has
room (four queued) and the caller encodes one itself whenever none has, so `workers=2` means the caller and
one child.

Workers are plain `multiprocessing` processes, one pipe each, watched through their sentinels:
- forked workers inherit the tokenizer (no reload, warm caches); spawned ones unpickle it, which rebuilds it
  from its load recipe (`Tokenizer.__reduce__`);
- a worker whose parent dies exits (it polls its parent's pid), so no worker outlives its caller;
- a worker that dies is `WorkerDied`, after which every other worker is stopped and the caller can exit.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import queue
import threading
import time
from array import array
from collections import deque
from itertools import accumulate, islice
from multiprocessing.connection import Connection, wait
from typing import TYPE_CHECKING, Iterable, Iterator, Literal, Optional, Union

from .errors import CpmtokError, WorkerDied

if TYPE_CHECKING:
    from .base import Tokenizer

Ids = list[int]
OnError = Literal["raise", "return"]
_QUEUED_PER_WORKER = 4  # the caller refills between chunks of its own: a worker's queue outlasts one
_PARENT_POLL_SECONDS = 0.2


def encode_stream(tokenizer: "Tokenizer", texts: Iterable[str], *, add_special_tokens: bool = False,
                  workers: int = 1, chunk_size: int = 256, max_in_flight: Optional[int] = None,
                  on_error: OnError = "raise") -> Iterator[Union[Ids, CpmtokError]]:
    """Each text's ids, in input order; `workers` processes in all, the caller included.

    A text whose encode raises a `CpmtokError` (or a TypeError for a non-str) is raised in input order with
    `record_index` set and a note naming the record; with `on_error="return"` the error is yielded in its
    place and the stream goes on.
    """
    if workers < 1:
        raise ValueError(f"workers must be at least 1, got {workers}")
    if chunk_size < 1:
        raise ValueError(f"chunk_size must be at least 1, got {chunk_size}")
    if on_error not in ("raise", "return"):
        raise ValueError(f"on_error must be 'raise' or 'return', got {on_error!r}")
    chunks = _chunks(iter(texts), chunk_size)
    if workers == 1:
        for first, chunk in chunks:
            yield from _emit(encode_chunk(tokenizer, chunk, add_special_tokens, first), on_error)
        return
    with _Pool(tokenizer, workers - 1, add_special_tokens) as pool:
        for results in pool.ordered(chunks, max_in_flight or 8 * workers):
            yield from _emit(results, on_error)


def encode_chunk(tokenizer: "Tokenizer", texts: list[str], add_special_tokens: bool,
                 first_index: int = 0) -> list[Union[Ids, BaseException]]:
    """Ids per text; a text that fails gives its error (tagged with its record index) in its place."""
    encode_ids = tokenizer.encode_ids
    results: list[Union[Ids, BaseException]] = []
    for index, text in enumerate(texts, start=first_index):
        try:
            results.append(encode_ids(text, add_special_tokens=add_special_tokens))
        except (CpmtokError, TypeError) as err:
            err.record_index = index  # type: ignore[attr-defined]
            err.add_note(f"(record {index} of the batch, counting from 0)")
            results.append(err)
    return results


def _emit(results: list[Union[Ids, BaseException]], on_error: OnError) -> Iterator[Union[Ids, CpmtokError]]:
    for result in results:
        if isinstance(result, BaseException) and (on_error == "raise" or not isinstance(result, CpmtokError)):
            raise result
        yield result  # type: ignore[misc]


def _chunks(texts: Iterator[str], chunk_size: int) -> Iterator[tuple[int, list[str]]]:
    """(index of the chunk's first text, texts), reading the input only as far as asked."""
    first = 0
    while chunk := list(islice(texts, chunk_size)):
        yield first, chunk
        first += len(chunk)


class _Pool:
    """`workers` child processes and the ordered, bounded schedule that feeds them and the caller."""

    def __init__(self, tokenizer: "Tokenizer", workers: int, add_special_tokens: bool) -> None:
        self._tokenizer = tokenizer
        self._add_special_tokens = add_special_tokens
        methods = multiprocessing.get_all_start_methods()
        context = multiprocessing.get_context("fork" if "fork" in methods else "spawn")
        self._workers: list[_Worker] = []
        # A forked worker's garbage collector would walk (and so copy, page by page) the caller's whole heap;
        # frozen objects are skipped (gc.freeze's documented use before fork). A caller that froze objects of
        # its own keeps its freeze as it is.
        freeze = gc.get_freeze_count() == 0
        if freeze:
            gc.freeze()
        try:
            for _ in range(workers):
                self._workers.append(_Worker(context, tokenizer, add_special_tokens))
        except BaseException:
            self.close()
            raise
        finally:
            if freeze:
                gc.unfreeze()

    def __enter__(self) -> "_Pool":
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def ordered(self, chunks: Iterator[tuple[int, list[str]]], max_in_flight: int
                ) -> Iterator[list[Union[Ids, BaseException]]]:
        """Each chunk's results in input order, with at most `max_in_flight` chunks read and not yet yielded.

        Chunks wait unassigned until a worker has room or the caller is free: assigning them as they are read
        would leave a fast worker idle behind the caller's own backlog.
        """
        done: dict[int, list[Union[Ids, BaseException]]] = {}
        pending: deque[tuple[int, list[str]]] = deque()  # read, not yet given to anyone
        in_flight: deque[int] = deque()  # first text index of every chunk read and not yet yielded, in order
        exhausted = False
        while True:
            while not exhausted and len(in_flight) < max_in_flight:
                item = next(chunks, None)
                if item is None:
                    exhausted = True
                    break
                in_flight.append(item[0])
                pending.append(item)
            self._collect(done, block=False)
            for worker in self._workers:
                while pending and worker.queued() < _QUEUED_PER_WORKER:
                    worker.send(pending.popleft())
            if in_flight and in_flight[0] in done:
                yield done.pop(in_flight.popleft())
            elif pending:
                first, texts = pending.popleft()
                done[first] = encode_chunk(self._tokenizer, texts, self._add_special_tokens, first)
            elif in_flight:
                self._collect(done, block=True)
            else:
                return

    def _collect(self, done: dict[int, list[Union[Ids, BaseException]]], *, block: bool) -> None:
        """Move every finished chunk into `done`; WorkerDied if a worker's process ended."""
        ready = wait([w.connection for w in self._workers] + [w.process.sentinel for w in self._workers],
                     timeout=None if block else 0)
        for worker in self._workers:
            if worker.connection in ready:
                try:
                    while True:  # every result waiting: each one frees room for the worker's next chunk
                        first, results = worker.receive()
                        done[first] = results
                        if not worker.connection.poll():
                            break
                except (EOFError, OSError):
                    raise worker.died() from None
            elif worker.process.sentinel in ready:
                raise worker.died()

    def close(self) -> None:
        """Stop every worker: a polite end-of-work message, then terminate whatever is still running."""
        for worker in self._workers:
            worker.stop()
        deadline = time.monotonic() + 1.0
        for worker in self._workers:
            worker.process.join(max(0.0, deadline - time.monotonic()))
            if worker.process.is_alive():
                worker.process.kill()
                worker.process.join()
        self._workers = []


class _Worker:
    """One child process and the caller's end of its pipe; counts the chunks sent and not yet received."""

    def __init__(self, context: multiprocessing.context.BaseContext, tokenizer: "Tokenizer",
                 add_special_tokens: bool) -> None:
        self.connection, child_end = context.Pipe()
        self.process = context.Process(target=_worker_main, daemon=True,
                                       args=(tokenizer, child_end, os.getpid(), add_special_tokens))
        self.process.start()
        child_end.close()
        self._queued: deque[int] = deque()

    def queued(self) -> int:
        return len(self._queued)

    def send(self, item: tuple[int, list[str]]) -> None:
        self._queued.append(item[0])
        try:
            self.connection.send(item)
        except OSError:  # a broken pipe: the worker is gone
            raise self.died() from None

    def receive(self) -> tuple[int, list[Union[Ids, BaseException]]]:
        first, packed = self.connection.recv()
        self._queued.remove(first)
        return first, _unpack(packed)

    def died(self) -> WorkerDied:
        self.process.join(1.0)
        code = self.process.exitcode
        how = f"was killed by signal {-code}" if code is not None and code < 0 else f"exited with code {code}"
        return WorkerDied(f"an encoding worker process (pid {self.process.pid}) {how} while "
                          f"{len(self._queued)} chunk(s) were assigned to it; the batch was abandoned and every "
                          "other worker stopped")

    def stop(self) -> None:
        try:
            self.connection.send(None)
        except (OSError, ValueError):
            pass  # the worker is gone already
        self.connection.close()


def _worker_main(tokenizer: "Tokenizer", connection: Connection, parent_pid: int, add_special_tokens: bool) -> None:
    """A worker's life: encode each chunk received until told to stop, or until the parent is gone.

    One thread receives and one sends while the main thread encodes: the caller reads results only between
    chunks of its own, so a worker that sent its results itself would wait on a full pipe for that long (and
    two full pipes would wait on each other).
    """
    threading.Thread(target=_exit_when_orphaned, args=(parent_pid,), daemon=True).start()
    inbox: queue.SimpleQueue = queue.SimpleQueue()
    outbox: queue.SimpleQueue = queue.SimpleQueue()
    threading.Thread(target=_receive_all, args=(connection, inbox), daemon=True).start()
    sender = threading.Thread(target=_send_all, args=(connection, outbox), daemon=True)
    sender.start()
    try:
        while (item := inbox.get()) is not None:
            first, texts = item
            outbox.put((first, _pack(encode_chunk(tokenizer, texts, add_special_tokens, first))))
    except KeyboardInterrupt:
        pass  # the terminal's Ctrl-C reached the whole process group
    outbox.put(None)
    sender.join()


def _receive_all(connection: Connection, inbox: queue.SimpleQueue) -> None:
    """Put every chunk the caller sends into `inbox`; None at the end (a stop message or a closed pipe)."""
    try:
        while (item := connection.recv()) is not None:
            inbox.put(item)
    except (EOFError, OSError):
        pass
    inbox.put(None)


def _send_all(connection: Connection, outbox: queue.SimpleQueue) -> None:
    """Send each finished chunk from `outbox` until None; stop quietly when the caller has closed its end."""
    try:
        while (item := outbox.get()) is not None:
            connection.send(item)
    except OSError:
        pass


_Packed = tuple[bytes, bytes, list[tuple[int, BaseException]]]


def _pack(results: list[Union[Ids, BaseException]]) -> _Packed:
    """A chunk's ids as two int32 arrays (all ids, then each text's count) and its errors by position.

    Arrays cross the pipe as bytes: unpickling millions of small ints one object at a time cost the caller
    more than encoding them, once the native segmenter made encoding cheap.
    """
    ids, counts = array("i"), array("i")
    errors: list[tuple[int, BaseException]] = []
    for position, result in enumerate(results):
        if isinstance(result, BaseException):
            errors.append((position, _picklable(result)))
            counts.append(0)
        else:
            ids.extend(result)
            counts.append(len(result))
    return ids.tobytes(), counts.tobytes(), errors


def _unpack(packed: _Packed) -> list[Union[Ids, BaseException]]:
    id_bytes, count_bytes, errors = packed
    ids, counts = array("i"), array("i")
    ids.frombytes(id_bytes)
    counts.frombytes(count_bytes)
    flat = ids.tolist()
    results: list[Union[Ids, BaseException]] = [flat[end - count:end] for count, end in zip(counts, accumulate(counts))]
    for position, error in errors:
        results[position] = error
    return results


def _picklable(error: BaseException) -> BaseException:
    """Errors travel back by pickle; one that cannot is replaced by a CpmtokError with its text."""
    try:
        multiprocessing.reduction.ForkingPickler.dumps(error)
        return error
    except Exception:
        return CpmtokError(f"{type(error).__name__}: {error}")


def _exit_when_orphaned(parent_pid: int) -> None:
    """Exit at once when the parent process is gone (re-parented workers would otherwise live forever)."""
    while os.getppid() == parent_pid:
        time.sleep(_PARENT_POLL_SECONDS)
    os._exit(1)
