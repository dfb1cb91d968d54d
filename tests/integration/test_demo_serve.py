"""`kbi demo` as a newcomer runs it (issue 23): both nodes as `kbi serve` processes, a busy
default port replaced by a free one and said so, the pages served, Ctrl-C stopping everything
with nothing left running; killed outright, its nodes die with it."""

from __future__ import annotations

import contextlib
import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx


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
