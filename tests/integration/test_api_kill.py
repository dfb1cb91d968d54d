"""Killing the AII node under load loses no audit record of an answer that was sent."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select

from kbi_exchange.adapters.db.aii_models import AuditRow, BeslissingRow
from kbi_exchange.bootstrap import engine, sluit_engines
from tests.aii_node import vrije_poort
from tests.conftest import EXAMPLES, kbi

Cap = pytest.CaptureFixture[str]


def _leeft(pid: str) -> bool:
    """Running, not gone and not a zombie waiting to be reaped."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rpartition(")")[2].split()[0] != "Z"


def test_every_answer_received_before_a_kill_is_recorded_and_audited(
    home: Path, database_url: str, capsys: Cap
) -> None:
    assert kbi(capsys, "aii", "import", str(EXAMPLES / "dossiers.jsonl")).code == 0
    token = json.loads(kbi(capsys, "aii", "clients", "add", "vsb", "--purpose", "ZORGBUDGET").out)[
        "token"
    ]
    poort = vrije_poort()
    server = subprocess.Popen(
        [sys.executable, "-m", "kbi_exchange", "serve", "--node", "aii", "--port", str(poort)],
        env=dict(os.environ),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    adres = f"http://127.0.0.1:{poort}"
    for _ in range(100):
        try:
            httpx.get(f"{adres}/api/v1/live", timeout=1)
            break
        except httpx.HTTPError:
            time.sleep(0.1)
    ontvangen: list[str] = []
    stop = threading.Event()

    def belast() -> None:
        with httpx.Client(
            base_url=adres, headers={"Authorization": f"Bearer {token}"}, timeout=5
        ) as http:
            while not stop.is_set():
                referte = str(uuid.uuid4())
                try:
                    antwoord = http.post(
                        "/api/v1/advies",
                        json={
                            "insz": "85073001546",
                            "datum": "2022-01-01",
                            "doel": "ZORGBUDGET",
                            "referte": referte,
                        },
                    )
                except httpx.HTTPError:
                    return  # the server is gone
                if antwoord.status_code == 200:
                    ontvangen.append(referte)

    draden = [threading.Thread(target=belast) for _ in range(8)]
    for draad in draden:
        draad.start()
    time.sleep(2.5)
    kinderen = Path(f"/proc/{server.pid}/task/{server.pid}/children").read_text().split()
    assert kinderen, "the server runs its writer in a child process"
    server.send_signal(signal.SIGKILL)
    server.wait()
    for _ in range(100):  # the writer dies with the server, it is not left behind
        if not any(_leeft(pid) for pid in kinderen):
            break
        time.sleep(0.05)
    assert not any(_leeft(pid) for pid in kinderen), "an orphaned writer"
    stop.set()
    for draad in draden:
        draad.join(timeout=10)
    assert len(ontvangen) > 20, "the load did not get going"
    sluit_engines()
    with engine(database_url).connect() as verbinding:
        opgeslagen = set(verbinding.scalars(select(BeslissingRow.referte)))
        geaudit = {
            json.loads(inhoud)["referte"]
            for inhoud in verbinding.scalars(select(AuditRow.inhoud))
            if inhoud and "referte" in json.loads(inhoud)
        }
    vermist = set(ontvangen) - opgeslagen
    assert not vermist, f"{len(vermist)} answers were sent without a decision record"
    assert not set(ontvangen) - geaudit, "an answer was sent without its audit entry"
    assert kbi(capsys, "audit", "verify", "--alone").code == 0
