"""`kbi demo` as a newcomer runs it (issue 23): the whole cycle, rerun adding nothing, the
nodes' JSON logs naming no one; both nodes as `kbi serve` processes and the mailbox, a busy
default port replaced by a free one and said so, the pages served, Ctrl-C stopping everything
with nothing left running; killed outright, its processes die with it.

One module, so that its demos never run at once (pytest-xdist keeps a module in one process):
two demos on one machine both prefer ports 8000 and 8001, and the one whose AII node restarts
could find its port taken by the other's."""

from __future__ import annotations

import contextlib
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from kbi_exchange.adapters.json_log import GEMASKEERD, INSZ_PATROON
from kbi_exchange.bootstrap import sluit_engines
from kbi_exchange.entrypoints.cli import app

runner = CliRunner()


def _leeft(pid: int) -> bool:
    """Running, not gone and not a zombie waiting to be reaped."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rpartition(")")[2].split()[0] != "Z"


def _start(home: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "kbi_exchange", "demo", "--dossiers", "1000"],
        env={**{k: v for k, v in os.environ.items() if not k.startswith("KBI_")},
             "KBI_HOME": str(home), "COLUMNS": "200"},
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )  # fmt: skip


def _tot_klaar(demo: subprocess.Popen[str]) -> str:
    """What the demo printed up to its 'Press Ctrl-C' (it then serves)."""
    uit = ""
    einde = time.monotonic() + 240
    assert demo.stdout is not None
    while time.monotonic() < einde:
        regel = demo.stdout.readline()
        if not regel:
            raise AssertionError(f"the demo ended early ({demo.wait()}):\n{uit}")
        uit += regel
        if "Press Ctrl-C" in regel:
            return uit
    raise AssertionError(f"the demo did not start serving in time:\n{uit}")


def _nodes(uit: str) -> dict[str, tuple[int, str]]:
    """node → (process id, address) as the demo printed them (the last AII: it restarts)."""
    gevonden = re.findall(r"(AII|VSB) node: `kbi serve` \(process (\d+)\) at (http://\S+),", uit)
    uit_map = {node: (int(pid), adres) for node, pid, adres in gevonden}
    postbus = re.search(r"mailbox: `kbi mailbox serve` \(process (\d+)\) at (ftps://\S+),", uit)
    if postbus:
        uit_map["mailbox"] = (int(postbus.group(1)), postbus.group(2))
    return uit_map


def test_the_demo_serves_both_nodes_and_ctrl_c_stops_everything(tmp_path: Path) -> None:
    bezet = socket.socket()
    with contextlib.suppress(OSError):  # VSB's default port, taken (or taken already)
        bezet.bind(("127.0.0.1", 8001))
        bezet.listen()
    demo = _start(tmp_path / "home")
    try:
        uit = _tot_klaar(demo)
        nodes = _nodes(uit)
        assert set(nodes) == {"AII", "VSB", "mailbox"}, uit
        assert "port 8001 is in use" in uit
        assert not nodes["VSB"][1].endswith(":8001")
        for node in ("AII", "VSB"):
            adres = nodes[node][1]
            assert httpx.get(f"{adres}/protocol").status_code == 200
            assert httpx.get(f"{adres}/login").status_code == 200
        # and the mailbox, over FTPS
        postbus = re.search(
            r"mailbox: `kbi mailbox serve` \(process (\d+)\) at ftps://[\d.]+:(\d+)", uit
        )
        assert postbus, uit
        with socket.create_connection(("127.0.0.1", int(postbus.group(2))), timeout=5) as ftp:
            assert ftp.recv(3) == b"220"
        demo.send_signal(signal.SIGINT)  # Ctrl-C
        assert demo.wait(timeout=60) == 0
    finally:
        bezet.close()
        if demo.poll() is None:
            demo.kill()
    assert not any(_leeft(pid) for pid, _ in nodes.values())


def test_nodes_die_with_a_demo_killed_outright(tmp_path: Path) -> None:
    demo = _start(tmp_path / "home")
    try:
        nodes = _nodes(_tot_klaar(demo))
    finally:
        demo.kill()  # SIGKILL: no chance to stop anything
        demo.wait()
    einde = time.monotonic() + 20
    while time.monotonic() < einde and any(_leeft(p) for p, _ in nodes.values()):
        time.sleep(0.2)
    assert not any(_leeft(p) for p, _ in nodes.values())


def test_demo_runs_the_whole_cycle_and_a_rerun_adds_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KBI_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("KBI_AII_DATABASE_URL", raising=False)
    monkeypatch.delenv("KBI_VSB_DATABASE_URL", raising=False)
    resultaat = runner.invoke(
        app, ["demo", "--no-serve", "--dossiers", "3000", "--detail"], env={"COLUMNS": "200"}
    )
    assert resultaat.exit_code == 0, resultaat.output
    for verwacht in (
        "VERPLICHT_VOLDOET_NIET",
        "NIET_TIJDIG_AANGEMELD",
        "B1_NIET_AANGETOOND",
        "30004",
        "doelgroep_plicht",
        "Advice over HTTP",
        "20002",
        "Yearly list",
        "ontvangen",
        "VSB imported members-8000-2026.jsonl: 8000 new members",
        "Distribution of the list",
        "Applications over HTTP",
        "onder_18",
        "wacht_op_bron",
        "(as recorded)",
        "Data quality (art. 7)",
        "geweigerd (NOK",
        "1 rectification(s)",
        "the application is now toegekend (OK)",
        "Per zorgkas",
    ):
        assert verwacht in resultaat.output, verwacht
    # the zorgkassen's files are in their mailboxes; the applications that waited are answered
    assert len(list((tmp_path / "home" / "mailbox").glob("zorgkas-*/in/*.p7m"))) >= 2
    # both nodes ran as `kbi serve` processes, each writing JSON lines, none naming anyone
    logs = {n: tmp_path / "home" / "demo" / "logs" / f"{n}.jsonl" for n in ("aii", "vsb")}
    regels = {n: [json.loads(r) for r in pad.read_text().splitlines()] for n, pad in logs.items()}
    assert {"/api/v1/advies", "/api/v1/health"} <= {r.get("route") for r in regels["aii"]}
    assert "/api/v1/zorgkas/aanvragen" in {r.get("route") for r in regels["vsb"]}
    for pad in logs.values():
        tekst = pad.read_text()
        assert not INSZ_PATROON.search(tekst), pad
        assert GEMASKEERD not in tekst, f"{pad}: a line tried to name someone (masked)"
    # again, without --detail: the examples are counted, not shown
    opnieuw = runner.invoke(
        app, ["demo", "--no-serve", "--dossiers", "3000"], env={"COLUMNS": "200"}
    )
    assert opnieuw.exit_code == 0, opnieuw.output
    assert "the 10 example dossiers on 2022-01-01: 3 NOK, 7 OK" in opnieuw.output
    assert "doelgroep_plicht" not in opnieuw.output
    assert len(opnieuw.output.splitlines()) < len(resultaat.output.splitlines()) - 50
    assert "0 new facts" in opnieuw.output
    assert "0 new members, 8000 unchanged" in opnieuw.output
    assert "exists (ontvangen): picking it up, no new one" in opnieuw.output
    assert "nothing new (signed by VSB" in opnieuw.output  # the list is not sent twice
    # a new wrong fact each run: its own rectification, the earlier one not sent again
    assert "1 rectification(s)" in opnieuw.output
    assert "VSB fetches 1 rectification(s)" in opnieuw.output
    sluit_engines()
