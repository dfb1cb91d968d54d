"""One writer with group commit, in a child process the event loop never blocks on.

SQLite allows one writer at a time; many threads each opening a write transaction spend their
time waiting on its lock. Here one writer takes whatever jobs are waiting, runs them in one
transaction, commits once, and only then releases their results — so every answer is in the
audit log before it leaves, and a commit is paid once per group, not per question.

The writer runs in a forked child: in a thread it would share one interpreter lock with the web
server, and every database call would hand that lock back and forth (measured: ~800/s in a
thread, ~1 200/s in a process, on two cores).

Jobs and results cross a socket pair as length-prefixed pickles. The parent side is an asyncio
stream: its writes are buffered by the event loop and its reads are callbacks, so a message of
any size in either direction, or both at once, never blocks the loop. (The multiprocessing
pipe this replaces was written with blocking calls; under uvloop its descriptor turned
non-blocking and any message larger than the socket buffer failed: batches of a few thousand
questions were answered 99996 at once.) The child's side is blocking, which is safe: the parent
always reads.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import multiprocessing
import os
import pickle
import signal
import socket
import struct
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from kbi_exchange.adapters.process import die_with_parent, freeze_heap

# Questions per write group: a 10 000-question batch is cut into jobs of at most this many and
# fed a few at a time, so that it shares the writer with everyone else.
MAX_GROUP_WEIGHT = 256
_HEADER = struct.Struct("!Q")
_STOP = b""
# (True, value) or (False, the exception)
Outcome = tuple[bool, Any]
GroupHandler = Callable[[list[Any]], list[Outcome]]


class WriterUnavailable(Exception):
    """The writer could not use the database (or is gone): nothing was committed or sent."""


class WriterBusy(Exception):
    """Too many jobs are waiting: refuse at once instead of queueing."""


@dataclass
class _Link:
    """The parent's end of one child: its stream, and the jobs it has not answered yet."""

    loop: asyncio.AbstractEventLoop
    process: Any
    writer: asyncio.StreamWriter
    reader_task: asyncio.Task[None] | None = None
    waiting: dict[int, asyncio.Future[Any]] = field(default_factory=dict)
    closed: bool = False


class ProcessWriter:
    """A group-commit writer in a child process, asked from one event loop at a time.

    Started with the server (or at the first job), restarted at the next job if it died. The
    child dies with this process (also on SIGKILL) and when the socket closes. A group's results
    come back only after its commit, so a killed writer loses no audit record of an answer that
    was sent; jobs in flight when it dies fail with `WriterUnavailable`. Asked from another event
    loop (a test client's), it starts a new child for that loop.
    """

    def __init__(
        self,
        make_handler: Callable[[], GroupHandler],
        *,
        weight: Callable[[Any], int] = lambda _: 1,
        max_waiting: int = 10_000,
        name: str = "kbi-group-commit",
    ) -> None:
        self._make_handler = make_handler
        self._weight = weight
        self._max_waiting = max_waiting
        self._name = name
        self._link: _Link | None = None
        self._connecting: asyncio.Future[_Link] | None = None
        self._numbers = itertools.count()

    @property
    def pid(self) -> int | None:
        """The writer process, while it runs."""
        link = self._link
        if link is None or link.closed or not link.process.is_alive():
            return None
        return int(link.process.pid)

    @property
    def waiting(self) -> int:
        return len(self._link.waiting) if self._link is not None else 0

    async def start(self) -> None:
        """Start the child now (at the server's start-up) rather than at the first job."""
        await self._link_for(asyncio.get_running_loop())

    async def ask(self, job: Any) -> Any:
        """Run ``job`` in the writer; its result once its group has committed."""
        loop = asyncio.get_running_loop()
        link = await self._link_for(loop)
        if len(link.waiting) >= self._max_waiting:
            raise WriterBusy
        number = next(self._numbers)
        future: asyncio.Future[Any] = loop.create_future()
        link.waiting[number] = future
        payload = pickle.dumps((number, job), protocol=pickle.HIGHEST_PROTOCOL)
        try:
            link.writer.write(_HEADER.pack(len(payload)) + payload)
            await link.writer.drain()
        except (ConnectionError, OSError):
            self._gone(link)
        return await future

    async def _link_for(self, loop: asyncio.AbstractEventLoop) -> _Link:
        link = self._link
        if link is not None and link.loop is loop and not link.closed:
            return link
        if self._connecting is not None and self._connecting.get_loop() is loop:
            return await asyncio.shield(self._connecting)
        if link is not None:  # another loop (a test client's), or a dead child: let it go
            self._gone(link)
            self._stop_process(link)
        self._connecting = loop.create_future()
        try:
            link = await self._connect(loop)
        except BaseException as error:
            self._connecting.set_exception(error)
            self._connecting.exception()  # retrieved: the waiters re-raise it
            self._connecting = None
            raise
        self._link = link
        self._connecting.set_result(link)
        self._connecting = None
        return link

    async def _connect(self, loop: asyncio.AbstractEventLoop) -> _Link:
        # Forked: a spawned interpreter takes a second or more to start. The child must forget
        # the parent's database connections and open its own (the handler factory does so).
        context = multiprocessing.get_context("fork")
        ours, theirs = socket.socketpair()
        process = context.Process(
            target=_child_main,
            args=(theirs, os.getpid(), self._make_handler, self._weight),
            name=self._name,
            daemon=True,
        )
        process.start()
        theirs.close()
        reader, writer = await asyncio.open_connection(sock=ours)
        link = _Link(loop=loop, process=process, writer=writer)
        link.reader_task = loop.create_task(self._read(link, reader))
        return link

    async def _read(self, link: _Link, reader: asyncio.StreamReader) -> None:
        """Results as they arrive; an end of file means the child is gone."""
        try:
            while True:
                header = await reader.readexactly(_HEADER.size)
                payload = await reader.readexactly(_HEADER.unpack(header)[0])
                results = pickle.loads(payload)  # noqa: S301 - from our own child
                for number, (ok, value) in results:
                    future = link.waiting.pop(number, None)
                    if future is None or future.done():
                        continue
                    if ok:
                        future.set_result(value)
                    else:
                        future.set_exception(value)
        except (asyncio.IncompleteReadError, ConnectionError, OSError):
            pass
        finally:
            self._gone(link)

    def _gone(self, link: _Link) -> None:
        """The child is gone: what was in flight was not committed, so nothing of it leaves."""
        if link.closed:
            return
        link.closed = True
        if not link.loop.is_closed():
            link.writer.close()
        waiting, link.waiting = link.waiting, {}
        for future in waiting.values():
            if not future.done() and not future.get_loop().is_closed():
                future.set_exception(WriterUnavailable("the writer process stopped"))
        if self._link is link:
            self._link = None

    async def stop(self) -> None:
        """Let the child answer what it holds, then end it."""
        link = self._link
        if link is None:
            return
        if link.loop is not asyncio.get_running_loop():  # its loop is gone: end the child
            self._gone(link)
            self._stop_process(link)
            return
        with contextlib.suppress(ConnectionError, OSError):
            link.writer.write(_HEADER.pack(len(_STOP)) + _STOP)
            await link.writer.drain()
        await asyncio.to_thread(link.process.join, 10)
        if link.reader_task is not None:
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(asyncio.shield(link.reader_task), 5)
        self._gone(link)
        self._stop_process(link)

    @staticmethod
    def _stop_process(link: _Link) -> None:
        if link.process.is_alive():
            link.process.kill()
        link.process.join(timeout=5)


class _Inbox:
    """Length-prefixed frames from the parent, read blocking or only if already there."""

    NOTHING = object()

    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        self.buffer = bytearray()
        self.ended = False

    def next(self, *, block: bool) -> bytes | object | None:
        """A frame; None at the end; NOTHING when ``block`` is False and no frame is whole."""
        while True:
            if len(self.buffer) >= _HEADER.size:
                size = _HEADER.unpack_from(self.buffer)[0]
                if len(self.buffer) >= _HEADER.size + size:
                    frame = bytes(self.buffer[_HEADER.size : _HEADER.size + size])
                    del self.buffer[: _HEADER.size + size]
                    return frame
            if self.ended:
                return None
            try:
                data = self.sock.recv(1 << 20, 0 if block else socket.MSG_DONTWAIT)
            except BlockingIOError:
                return self.NOTHING
            if not data:
                self.ended = True
            self.buffer += data


def _child_main(
    sock: socket.socket,
    parent: int,
    make_handler: Callable[[], GroupHandler],
    weight: Callable[[Any], int],
) -> None:
    """The writer process: groups in, results out, until the socket closes or says stop."""
    die_with_parent(parent)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C stops the server, which stops us
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    handle = make_handler()
    freeze_heap()  # the forked heap and the handler's set-up stay out of every collection
    inbox = _Inbox(sock)
    stopping = False
    try:
        while not stopping:
            first = inbox.next(block=True)
            if not isinstance(first, bytes) or first == _STOP:
                return
            group = [pickle.loads(first)]  # noqa: S301 - from our parent
            load = weight(group[0][1])
            while load < MAX_GROUP_WEIGHT:
                more = inbox.next(block=False)
                if more is _Inbox.NOTHING:
                    break
                if not isinstance(more, bytes) or more == _STOP:
                    stopping = True  # answer what came before the stop, then stop
                    break
                group.append(pickle.loads(more))  # noqa: S301 - from our parent
                load += weight(group[-1][1])
            outcomes = handle([job for _, job in group])
            payload = pickle.dumps(
                [
                    (number, _portable(outcome))
                    for (number, _), outcome in zip(group, outcomes, strict=True)
                ],
                protocol=pickle.HIGHEST_PROTOCOL,
            )
            sock.sendall(_HEADER.pack(len(payload)) + payload)
    except (ConnectionError, OSError):
        return


def _portable(outcome: Outcome) -> Outcome:
    """Exceptions cross the socket as what they mean, not as objects that may not pickle."""
    ok, value = outcome
    if ok or isinstance(value, WriterUnavailable):
        return outcome
    return (False, RuntimeError(f"the writer failed: {type(value).__name__}"))


def commit_groups(
    run: Callable[[list[Any]], list[Any]],
    jobs: list[Any],
    *,
    unavailable: tuple[type[BaseException], ...],
) -> list[Outcome]:
    """Run a group with ``run`` (one transaction, committed); if it fails, each job on its own.

    ``unavailable`` are the errors that mean the database could not be used; they become
    `WriterUnavailable`, anything else stays the job's own failure.
    """
    try:
        return [(True, value) for value in run(jobs)]
    except Exception as error:  # one bad job must not spoil the others: one by one
        if len(jobs) > 1:
            return [commit_groups(run, [job], unavailable=unavailable)[0] for job in jobs]
        if isinstance(error, unavailable):
            return [(False, WriterUnavailable(type(error).__name__))]
        return [(False, error)]
