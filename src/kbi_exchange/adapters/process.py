"""Helper processes bound to the process that started them."""

from __future__ import annotations

import ctypes
import gc
import multiprocessing
import os
import signal
import sys
from collections.abc import Iterator
from concurrent.futures import Executor, ProcessPoolExecutor
from contextlib import contextmanager

_PR_SET_PDEATHSIG = 1


# `kbi serve` started by another program (the demo) with this set to that program's process id
# dies with it, even when it is SIGKILLed
PARENT_PID_ENV = "KBI_PARENT_PID"


def die_with_parent(parent: int) -> None:
    """Die with the parent, also when that one is SIGKILLed (Linux); call first in the child."""
    if sys.platform == "linux":
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent:  # the parent died before the line above took effect
        os._exit(1)


def freeze_heap() -> None:
    """Keep what start-up built (the framework, the app, its connections) out of every later
    garbage collection: a long-running process calls this once it is ready to serve.

    A full collection walks every tracked object; in a server process that is the whole of
    FastAPI, SQLAlchemy and the rules, and it stopped the event loop (or the writer) for up to
    145 ms a few times a minute under load — the p99 of the advice service on PostgreSQL.
    Frozen objects are never collected; garbage made after this is, as before.
    """
    gc.collect()
    gc.freeze()


@contextmanager
def worker_pool(count: int) -> Iterator[Executor | None]:
    """Worker processes, or None for none. They must open their own database connections.

    Forked, not spawned through a fork server: a fork server and its resource tracker outlive
    a killed parent, while forked workers are bound to it by the parent-death signal.
    """
    if count <= 0:
        yield None
        return
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(
        max_workers=count,
        mp_context=context,
        initializer=die_with_parent,
        initargs=(os.getpid(),),
    ) as pool:
        yield pool
