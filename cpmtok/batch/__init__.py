"""Encoding many texts: an ordered, streaming map of chunks over worker processes.

`encode_stream` reads its input lazily, cuts it into chunks, and yields each text's ids in input order as
soon as they and every earlier text's are done; at most `max_in_flight` chunks are read ahead, so memory is
bounded whatever the input's length. The calling process works too: chunks wait unassigned until a worker has
room (sixteen queued) and the caller encodes one itself whenever none has, or, with nothing left to assign,
takes back the last chunk of the longest queue; so `workers=2` means the caller and one child, and neither
waits for the other until the last chunk.

Workers are plain `multiprocessing` processes, one pipe each, watched through their sentinels:
- forked workers inherit the tokenizer (no reload, warm caches); spawned ones unpickle it, which rebuilds it
  from its load recipe (`Tokenizer.__reduce__`);
- a chunk goes to a worker as its texts or, when the input is a tuple a forked worker inherited
  (`encode_batch`'s), as where it ends; its ids come back as int32 arrays (`pack_ids`, in C where built);
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
from dataclasses import dataclass
from functools import lru_cache
from itertools import accumulate
from multiprocessing.connection import Connection, wait
from types import ModuleType
from typing import TYPE_CHECKING, Callable, Iterable, Iterator, Literal, Optional, Sequence, Union

from ..compiled import pure_forced
from ..errors import CpmtokError, WorkerDied

if TYPE_CHECKING:
    from ..base import Tokenizer

Ids = list[int]
_Chunk = tuple[int, list[str]]  # the index of its first text, its texts
OnError = Literal["raise", "return"]
_QUEUED_PER_WORKER = 16  # chunks: outlasts the caller's longest pause (a full garbage collection, ~70 ms)
_CHUNK_CHARACTERS = 1 << 15  # a few milliseconds of encoding
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
    with _Pool(tokenizer, workers - 1, add_special_tokens, texts if isinstance(texts, tuple) else None) as pool:
        for results in pool.ordered(chunks, max_in_flight or 32 * workers):
            yield from _emit(results, on_error)


def encode_chunk(tokenizer: "Tokenizer", texts: Sequence[str], add_special_tokens: bool,
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


def _chunks(texts: Iterator[str], chunk_size: int) -> Iterator[_Chunk]:
    """(index of the chunk's first text, texts), reading the input only as far as asked.

    A chunk ends at `chunk_size` texts or once its texts reach `_CHUNK_CHARACTERS` characters: the caller
    refills the workers' queues only between chunks of its own, so one chunk of long texts (a novel's chapters)
    would leave a worker idle for its whole length.
    """
    first, chunk, characters = 0, [], 0
    for text in texts:
        chunk.append(text)
        characters += len(text) if isinstance(text, str) else 0
        if len(chunk) == chunk_size or characters >= _CHUNK_CHARACTERS:
            yield first, chunk
            first, chunk, characters = first + len(chunk), [], 0
    if chunk:
        yield first, chunk


class _Pool:
    """`workers` child processes and the ordered, bounded schedule that feeds them and the caller."""

    def __init__(self, tokenizer: "Tokenizer", workers: int, add_special_tokens: bool,
                 shared: Optional[tuple[str, ...]] = None) -> None:
        """`shared`: the whole input, if it is a tuple; forked workers then slice their own copy of it and a
        chunk crosses the pipe as its index range (no pickling of its texts on either side)."""
        self._tokenizer = tokenizer
        self._add_special_tokens = add_special_tokens
        self._packing = _Packing.chosen()
        methods = multiprocessing.get_all_start_methods()
        context = multiprocessing.get_context("fork" if "fork" in methods else "spawn")
        shared = shared if context.get_start_method() == "fork" else None
        self._workers: list[_Worker] = []
        # A forked worker's garbage collector would walk (and so copy, page by page) the caller's whole heap;
        # frozen objects are skipped (gc.freeze's documented use before fork). A caller that froze objects of
        # its own keeps its freeze as it is.
        freeze = gc.get_freeze_count() == 0
        if freeze:
            gc.freeze()
        try:
            for _ in range(workers):
                self._workers.append(_Worker(context, tokenizer, add_special_tokens, self._packing, shared))
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

    def ordered(self, chunks: Iterator[_Chunk], max_in_flight: int) -> Iterator[list[Union[Ids, BaseException]]]:
        """Each chunk's results in input order, with at most `max_in_flight` chunks read and not yet yielded.

        Chunks wait unassigned until a worker has room or the caller is free: assigning them as they are read
        would leave a fast worker idle behind the caller's own backlog. Each worker's queue is deep enough to
        outlast the caller's pauses (a chunk of its own, a full garbage collection); when nothing is left
        to assign, the caller takes back the last chunk of the longest queue instead of waiting for it, so
        the queues never leave a tail.
        """
        done: dict[int, list[Union[Ids, BaseException]]] = {}
        pending: deque[_Chunk] = deque()  # read, not yet given to anyone
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
            elif pending or self._take_back_into(pending):
                first, texts = pending.popleft()
                done[first] = encode_chunk(self._tokenizer, texts, self._add_special_tokens, first)
            elif in_flight:
                self._collect(done, block=True)
            else:
                return

    def _take_back_into(self, pending: deque[_Chunk]) -> bool:
        """Move the last chunk of the longest worker queue into `pending`, if that queue holds two or more (its
        first may be under way)."""
        longest = max(self._workers, key=_Worker.queued)
        if longest.queued() < 2:
            return False
        pending.append(longest.take_back())
        return True

    def _collect(self, done: dict[int, list[Union[Ids, BaseException]]], *, block: bool) -> None:
        """Move every finished chunk into `done`; WorkerDied if a worker's process ended."""
        ready = wait([w.connection for w in self._workers] + [w.process.sentinel for w in self._workers],
                     timeout=None if block else 0)
        for worker in self._workers:
            if worker.connection in ready:
                try:
                    while True:  # every result waiting: each one frees room for the worker's next chunk
                        first, packed = worker.receive()
                        if packed is not None:
                            done[first] = self._packing.unpack(packed)
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
                 add_special_tokens: bool, packing: "_Packing", shared: Optional[tuple[str, ...]]) -> None:
        self.connection, child_end = context.Pipe()
        self.process = context.Process(target=_worker_main, daemon=True,
                                       args=(tokenizer, child_end, os.getpid(), add_special_tokens, packing, shared))
        self.process.start()
        child_end.close()
        self._queued: deque[_Chunk] = deque()  # sent, not yet received, in the worker's order
        self._shared = shared is not None

    def queued(self) -> int:
        return len(self._queued)

    def send(self, item: _Chunk) -> None:
        """Give the worker a chunk: its texts, or where the worker shares the input, where they end."""
        first, texts = item
        self._queued.append(item)
        try:
            self.connection.send((first, first + len(texts)) if self._shared else item)
        except OSError:  # a broken pipe: the worker is gone
            raise self.died() from None

    def take_back(self) -> _Chunk:
        """The last chunk sent: the caller encodes it; the worker's result for it will be dropped."""
        return self._queued.pop()

    def receive(self) -> tuple[int, Optional["_Packed"]]:
        """The next result, or None in its place for a chunk taken back (the worker works in order: a result
        that is not for the oldest chunk sent is for one taken back)."""
        first, packed = self.connection.recv()
        if not self._queued or self._queued[0][0] != first:
            return first, None
        self._queued.popleft()
        return first, packed

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


def _worker_main(tokenizer: "Tokenizer", connection: Connection, parent_pid: int, add_special_tokens: bool,
                 packing: "_Packing", shared: Optional[tuple[str, ...]]) -> None:
    """A worker's life: encode each chunk received until told to stop, or until the parent is gone.

    One thread receives and one sends while the main thread encodes: the caller reads results only between
    chunks of its own, so a worker that sent its results itself would wait on a full pipe for that long (and
    two full pipes would wait on each other).
    """
    threading.Thread(target=_exit_when_orphaned, args=(parent_pid,), daemon=True).start()
    inbox: queue.SimpleQueue = queue.SimpleQueue()
    outbox: queue.SimpleQueue = queue.SimpleQueue()
    stopping = threading.Event()  # the caller is done: chunks still queued (taken back) are dropped
    threading.Thread(target=_receive_all, args=(connection, inbox, stopping), daemon=True).start()
    sender = threading.Thread(target=_send_all, args=(connection, outbox), daemon=True)
    sender.start()
    try:
        while (item := inbox.get()) is not None and not stopping.is_set():
            first, texts_or_stop = item
            texts = shared[first:texts_or_stop] if shared is not None else texts_or_stop
            outbox.put((first, packing.pack(encode_chunk(tokenizer, texts, add_special_tokens, first))))
    except KeyboardInterrupt:
        pass  # the terminal's Ctrl-C reached the whole process group
    outbox.put(None)
    sender.join()


def _receive_all(connection: Connection, inbox: queue.SimpleQueue, stopping: threading.Event) -> None:
    """Put every chunk the caller sends into `inbox`; at the end (a stop message or a closed pipe) set
    `stopping` and put None."""
    try:
        while (item := connection.recv()) is not None:
            inbox.put(item)
    except (EOFError, OSError):
        pass
    stopping.set()
    inbox.put(None)


def _send_all(connection: Connection, outbox: queue.SimpleQueue) -> None:
    """Send each finished chunk from `outbox` until None; stop quietly when the caller has closed its end."""
    try:
        while (item := outbox.get()) is not None:
            connection.send(item)
    except OSError:
        pass


@lru_cache(maxsize=1)
def packed_ids_extension() -> Optional[ModuleType]:
    """`cpmtok.batch._packed_ids`, the C twins of `pack_ids` / `unpack_ids`, or None where it was not built."""
    try:
        from . import _packed_ids
    except ImportError:
        return None
    return _packed_ids


def pack_ids(lists: list[Ids]) -> tuple[bytes, bytes]:
    """Every id as int32, then each list's count: the readable twin of the C `_packed_ids.pack_ids`."""
    ids, counts = array("i"), array("i")
    for each in lists:
        ids.extend(each)
        counts.append(len(each))
    return ids.tobytes(), counts.tobytes()


def unpack_ids(id_bytes: bytes, count_bytes: bytes) -> list[Ids]:
    """`pack_ids`'s lists back: the readable twin of the C `_packed_ids.unpack_ids` (whose lists share one int
    object per id value)."""
    ids, counts = array("i"), array("i")
    ids.frombytes(id_bytes)
    counts.frombytes(count_bytes)
    if any(count < 0 for count in counts) or sum(counts) != len(ids):
        raise ValueError("unpack_ids: the counts do not cover the ids exactly")
    flat = ids.tolist()
    return [flat[end - count:end] for count, end in zip(counts, accumulate(counts))]


_Packed = tuple[bytes, bytes, list[tuple[int, BaseException]]]


@dataclass(frozen=True)
class _Packing:
    """How a chunk's results cross the pipe: its ids as int32 arrays (`pack_ids`), its errors by position.

    Arrays cross as bytes: unpickling millions of small ints one object at a time cost the caller more than
    encoding them, once the native segmenter made encoding cheap; the C twins pack and unpack in a tenth of
    the Python ones' time.
    """

    pack_ids: Callable[[list[Ids]], tuple[bytes, bytes]]
    unpack_ids: Callable[[bytes, bytes], list[Ids]]

    @classmethod
    def chosen(cls) -> "_Packing":
        """The C twins where built (`_packed_ids.c` beside this file), unless CPMTOK_PURE=1."""
        extension = None if pure_forced() else packed_ids_extension()
        return cls(pack_ids, unpack_ids) if extension is None else cls(extension.pack_ids, extension.unpack_ids)

    def pack(self, results: list[Union[Ids, BaseException]]) -> _Packed:
        errors = [(position, _picklable(result)) for position, result in enumerate(results)
                  if isinstance(result, BaseException)]
        lists = [[] if isinstance(result, BaseException) else result for result in results] if errors else results
        return (*self.pack_ids(lists), errors)  # type: ignore[arg-type]

    def unpack(self, packed: _Packed) -> list[Union[Ids, BaseException]]:
        id_bytes, count_bytes, errors = packed
        results: list[Union[Ids, BaseException]] = self.unpack_ids(id_bytes, count_bytes)  # type: ignore[assignment]
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
