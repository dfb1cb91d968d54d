"""Long-running processes leave their start-up heap out of the garbage collector.

A full collection in the server or the writer walked the whole framework and stopped answers
for up to 145 ms under load (the advice service's p99 on PostgreSQL); `freeze_heap` after
start-up removes that pause.
"""

from __future__ import annotations

import asyncio
import gc
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from kbi_exchange.adapters.group_commit import ProcessWriter
from kbi_exchange.adapters.process import freeze_heap
from kbi_exchange.bootstrap import init_home
from kbi_exchange.entrypoints.api import app as aii_app
from kbi_exchange.entrypoints.api import vsb_app
from kbi_exchange.settings import load_settings


def test_the_writer_process_freezes_what_its_start_up_built() -> None:
    def handler() -> Any:
        return lambda jobs: [(True, gc.get_freeze_count()) for _ in jobs]

    async def ask() -> int:
        writer = ProcessWriter(handler)
        try:
            return int(await writer.ask("how many are frozen?"))
        finally:
            await writer.stop()

    assert gc.get_freeze_count() == 0, "the test process itself must not be frozen"
    assert asyncio.run(ask()) > 10_000  # the forked heap: modules, framework, the handler


@pytest.mark.parametrize("module", [aii_app, vsb_app], ids=["aii", "vsb"])
def test_a_served_app_freezes_its_heap_once_started_and_a_test_app_does_not(
    module: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KBI_HOME", str(tmp_path / "home"))
    init_home(tmp_path / "home")
    served = module.maak_app_uit_omgeving()
    # the last start-up step, after the node's own (which forks the writer)
    assert served.router.on_startup[-1] is freeze_heap
    # tests build many apps in one process: freezing there would keep every one forever
    assert freeze_heap not in module.maak_app(load_settings()).router.on_startup


def test_freezing_keeps_later_garbage_collectable() -> None:
    script = (
        "import gc\n"
        "from kbi_exchange.adapters.process import freeze_heap\n"
        "freeze_heap()\n"
        "frozen = gc.get_freeze_count()\n"
        "gc.disable()  # only the collection below may collect them\n"
        "class Kring: pass\n"
        "for _ in range(1000):\n"
        "    a = Kring(); a.zelf = a\n"
        "del a\n"
        "assert gc.collect() >= 1000, 'cycles made after the freeze are collected'\n"
        "assert gc.get_freeze_count() == frozen\n"
        "print(frozen)\n"
    )
    uit = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert int(uit.stdout) > 1_000
