"""One writer with group commit: requests queue up, are answered together in one transaction.

SQLite allows one writer at a time; many threads each opening a write transaction spend their
time waiting on its lock. Here one thread takes whatever requests are waiting, answers them in
one transaction, commits once, and only then releases their answers — so every answer is still
in the audit log before it leaves, and a commit is paid once per group, not per question.
"""

from __future__ import annotations

import queue
import sys
import threading
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import Any

from kbi_exchange.adapters.db.uow import SqlUnitOfWork
from kbi_exchange.services.advies_dienst import OPTIMISTISCH

MAX_GROEP = 256


@dataclass
class Opdracht:
    """Work for the writer: a function of the open unit of work, and where its result goes."""

    werk: Callable[[SqlUnitOfWork], Any]
    resultaat: Future[Any] = field(default_factory=Future)


class GroepsSchrijver:
    """A daemon thread that runs queued work in shared transactions."""

    def __init__(self, uow: Callable[[], SqlUnitOfWork], max_wachtend: int = 10_000) -> None:
        self._uow = uow
        self._wachtrij: queue.Queue[Opdracht | None] = queue.Queue(maxsize=max_wachtend)
        self._draad = threading.Thread(target=self._lus, name="kbi-group-commit", daemon=True)
        self._draad.start()

    def doe(self, werk: Callable[[SqlUnitOfWork], Any]) -> Future[Any]:
        """Queue work; raises queue.Full at once when too much is waiting (overload)."""
        opdracht = Opdracht(werk)
        self._wachtrij.put_nowait(opdracht)
        return opdracht.resultaat

    def stop(self) -> None:
        self._wachtrij.put(None)
        self._draad.join(timeout=10)

    def _lus(self) -> None:
        while True:
            eerste = self._wachtrij.get()
            if eerste is None:
                return
            groep = [eerste]
            while len(groep) < MAX_GROEP:
                try:
                    volgende = self._wachtrij.get_nowait()
                except queue.Empty:
                    break
                if volgende is None:
                    self._voer_uit(groep)
                    return
                groep.append(volgende)
            self._voer_uit(groep)

    def _voer_uit(self, groep: list[Opdracht], *, optimistisch: bool = True) -> None:
        """Answer a group in one transaction; if anything fails, each on its own instead."""
        try:
            with self._uow() as werk:
                werk.memo[OPTIMISTISCH] = optimistisch and len(groep) > 1
                waarden = [opdracht.werk(werk) for opdracht in groep]
                werk.commit()
        except Exception:  # one bad request must not spoil the others: retry them one by one
            if len(groep) > 1:
                for opdracht in groep:
                    self._voer_uit([opdracht], optimistisch=False)
                return
            groep[0].resultaat.set_exception(sys.exc_info()[1] or RuntimeError("failed"))
            return
        for opdracht, waarde in zip(groep, waarden, strict=True):
            opdracht.resultaat.set_result(waarde)
