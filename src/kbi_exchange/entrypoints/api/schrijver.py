"""One writer with group commit: requests queue up, are answered together in one transaction.

SQLite allows one writer at a time; many threads each opening a write transaction spend their
time waiting on its lock. Here one writer takes whatever requests are waiting, answers them in
one transaction, commits once, and only then releases their answers — so every answer is still
in the audit log before it leaves, and a commit is paid once per group, not per question.

The writer runs in a child process: in a thread it would share one interpreter lock with the
web server, and every database call would hand that lock back and forth (measured: ~800/s in a
thread, ~1 200/s in a process, on two cores).
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import multiprocessing
import os
import pickle
import queue
import signal
from collections.abc import Callable
from multiprocessing.connection import Connection
from typing import Any

from sqlalchemy.exc import SQLAlchemyError

from kbi_exchange.adapters.db.uow import SqlUnitOfWork
from kbi_exchange.adapters.proces import sterf_met_ouder
from kbi_exchange.bootstrap import aii_uow, na_fork
from kbi_exchange.entrypoints.api.werk import Beantwoorder, Opdracht
from kbi_exchange.services.advies_dienst import OPTIMISTISCH
from kbi_exchange.settings import Settings

MAX_GROEP = 256
# The pipe joins this process and the child it started; nothing else can write to it, so
# pickle carries the requests and answers.
# (True, value) or (False, the exception)
Uitkomst = tuple[bool, Any]


class DatabaseFout(Exception):
    """The writer could not use the database (or is gone): nothing was committed or sent."""


def voer_groep_uit(
    uow: Callable[[], SqlUnitOfWork],
    beantwoord: Callable[[SqlUnitOfWork, Opdracht], Any],
    groep: list[Opdracht],
    *,
    optimistisch: bool = True,
) -> list[Uitkomst]:
    """Answer a group in one transaction; if anything fails, each on its own instead."""
    try:
        with uow() as werk:
            werk.memo[OPTIMISTISCH] = optimistisch and len(groep) > 1
            waarden = [beantwoord(werk, opdracht) for opdracht in groep]
            werk.commit()
    except Exception as fout:  # one bad request must not spoil the others: one by one
        if len(groep) > 1:
            return [
                voer_groep_uit(uow, beantwoord, [opdracht], optimistisch=False)[0]
                for opdracht in groep
            ]
        db = isinstance(fout, SQLAlchemyError)
        return [(False, DatabaseFout(type(fout).__name__) if db else fout)]
    return [(True, waarde) for waarde in waarden]


class ProcesSchrijver:
    """The writer in a child process, fed over a pipe that the event loop reads.

    Started with the server (or at the first request), restarted at the next request if it
    died. The child dies with this process (also on SIGKILL) and when the pipe closes. A
    group's answers come back only after its commit, so a killed writer loses no audit record
    of an answer that was sent; requests in flight when it dies are answered 99996. It serves
    one event loop; asked from another one, it starts a new child for that loop.
    """

    def __init__(self, settings: Settings, max_wachtend: int = 10_000) -> None:
        self._settings = settings
        self._max = max_wachtend
        self._lopend: dict[int, asyncio.Future[Any]] = {}
        self._nummers = itertools.count()
        self._pijp: Connection | None = None
        self._lus: asyncio.AbstractEventLoop | None = None
        self._kind: Any = None

    def start(self) -> None:
        """Start the child now (at the server's start-up) rather than at the first request."""
        self._pijp_voor(asyncio.get_running_loop())

    @property
    def pid(self) -> int | None:
        """The writer process, while it runs."""
        return self._kind.pid if self._pijp is not None and self._kind.is_alive() else None

    def _pijp_voor(self, lus: asyncio.AbstractEventLoop) -> Connection:
        if self._pijp is not None and self._lus is lus:
            return self._pijp
        if self._pijp is not None:  # another loop (a test client's): let the old child go
            self._weg(self._pijp)
        # Forked: a spawned interpreter takes a second or more to start. The child forgets
        # the parent's database connections (`na_fork`) and opens its own.
        context = multiprocessing.get_context("fork")
        pijp, kind = context.Pipe(duplex=True)
        self._kind = context.Process(
            target=_kind_lus,
            args=(self._settings, kind, os.getpid()),
            name="kbi-group-commit",
            daemon=True,
        )
        self._kind.start()
        kind.close()
        lus.add_reader(pijp.fileno(), self._ontvang, pijp)
        self._pijp, self._lus = pijp, lus
        return pijp

    async def vraag(self, opdracht: Opdracht) -> Any:
        if len(self._lopend) >= self._max:
            raise queue.Full
        lus = asyncio.get_running_loop()
        pijp = self._pijp_voor(lus)
        nummer = next(self._nummers)
        toekomst = lus.create_future()
        self._lopend[nummer] = toekomst
        try:
            pijp.send_bytes(pickle.dumps((nummer, opdracht)))
        except OSError:
            self._weg(pijp)
        return await toekomst

    def _ontvang(self, pijp: Connection) -> None:
        """Answers that arrived; an end of file means the child is gone."""
        try:
            while pijp.poll():
                antwoorden = pickle.loads(pijp.recv_bytes())  # noqa: S301 - our own child
                for nummer, uitkomst in antwoorden:
                    toekomst = self._lopend.pop(nummer, None)
                    if toekomst is not None and not toekomst.done():
                        gelukt, waarde = uitkomst
                        if gelukt:
                            toekomst.set_result(waarde)
                        else:
                            toekomst.set_exception(waarde)
        except (EOFError, OSError):
            self._weg(pijp)

    def _weg(self, pijp: Connection) -> None:
        """The child is gone: what was in flight was not committed, so nothing of it leaves."""
        if self._pijp is not pijp:
            return
        if self._lus is not None and not self._lus.is_closed():
            self._lus.remove_reader(pijp.fileno())
        pijp.close()
        self._pijp = self._lus = None
        weg, self._lopend = self._lopend, {}
        for toekomst in weg.values():
            if not toekomst.done() and not toekomst.get_loop().is_closed():
                toekomst.set_exception(DatabaseFout("the writer process stopped"))

    def stop(self) -> None:
        """Let the child answer what it holds, then end it.

        The last answers and the end of file are read on the event loop that owns the pipe:
        called from another thread while that loop runs, `stop` hands the reading to it, so
        that the pipe is never read or closed from two threads at once.
        """
        pijp, kind, lus = self._pijp, self._kind, self._lus
        if pijp is None:
            return
        with contextlib.suppress(OSError):
            pijp.send_bytes(pickle.dumps(None))
        if kind is not None:
            kind.join(timeout=10)
            if kind.is_alive():
                kind.kill()
        if lus is not None and lus.is_running() and not _draait_op(lus):
            lus.call_soon_threadsafe(self._ontvang, pijp)
        else:
            self._ontvang(pijp)  # the last answers, then the end of file
            self._weg(pijp)


def _draait_op(lus: asyncio.AbstractEventLoop) -> bool:
    """Whether this thread is the one running ``lus``."""
    try:
        return asyncio.get_running_loop() is lus
    except RuntimeError:
        return False


def _kind_lus(settings: Settings, pijp: Connection, ouder: int) -> None:
    """The writer process: groups in, answers out, until the pipe closes or says stop."""
    sterf_met_ouder(ouder)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C stops the server, which stops us
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    na_fork()

    beantwoord = Beantwoorder(settings)
    uow = lambda: aii_uow(settings)  # noqa: E731
    stoppen = False
    try:
        while not stoppen:
            eerste = pickle.loads(pijp.recv_bytes())  # noqa: S301 - from our parent
            if eerste is None:
                return
            groep = [eerste]
            while len(groep) < MAX_GROEP and pijp.poll():
                meer = pickle.loads(pijp.recv_bytes())  # noqa: S301 - from our parent
                if meer is None:
                    stoppen = True  # answer what came before the stop, then stop
                    break
                groep.append(meer)
            uitkomsten = voer_groep_uit(uow, beantwoord, [o for _, o in groep])
            pijp.send_bytes(
                pickle.dumps(
                    [
                        (nummer, _draagbaar(uitkomst))
                        for (nummer, _), uitkomst in zip(groep, uitkomsten, strict=True)
                    ]
                )
            )
    except (EOFError, OSError):
        return


def _draagbaar(uitkomst: Uitkomst) -> Uitkomst:
    """Exceptions cross the pipe as what they mean, not as objects that may not pickle."""
    gelukt, waarde = uitkomst
    if gelukt or isinstance(waarde, DatabaseFout):
        return uitkomst
    return (False, RuntimeError(f"the writer failed: {type(waarde).__name__}"))
