"""Operations (issue 23): `GET /metrics` in Prometheus's format, added up over several server
processes, for the machine itself only; JSON log lines per request with the route's template,
never a number a client sent."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families

from kbi_exchange.adapters.json_log import INSZ_PATROON
from kbi_exchange.entrypoints.api.app import maak_app
from kbi_exchange.settings import load_settings
from tests.aii_node import vrije_poort
from tests.conftest import EXAMPLES, kbi

Cap = pytest.CaptureFixture[str]
VRAGEN = [("85073001348", "2023-01-01"), ("85073003328", "2024-10-01")]


def _serveer(poort: int, log: Path) -> subprocess.Popen[bytes]:
    proces = subprocess.Popen(
        [sys.executable, "-m", "kbi_exchange", "serve", "--node", "aii", "--port", str(poort),
         "--workers", "2", "--log-file", str(log), "--access-log"],
        env=dict(os.environ),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )  # fmt: skip
    for _ in range(200):
        if proces.poll() is not None:
            raise AssertionError(proces.stderr.read() if proces.stderr else b"")
        try:
            if httpx.get(f"http://127.0.0.1:{poort}/api/v1/health", timeout=1).status_code == 200:
                return proces
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    proces.kill()
    raise AssertionError("the node did not start")


def _waarden(tekst: str, naam: str) -> dict[tuple[tuple[str, str], ...], float]:
    return {
        tuple(sorted(s.labels.items())): s.value
        for familie in text_string_to_metric_families(tekst)
        for s in familie.samples
        if s.name == naam
    }


@pytest.mark.usefixtures("home")
def test_metrics_add_up_over_two_processes_and_logs_name_no_one(
    capsys: Cap, tmp_path: Path
) -> None:
    assert kbi(capsys, "aii", "import", str(EXAMPLES / "dossiers.jsonl")).code == 0
    token = json.loads(kbi(capsys, "aii", "clients", "add", "vsb", "--purpose", "ZORGBUDGET").out)[
        "token"
    ]
    poort, log = vrije_poort(), tmp_path / "logs" / "aii.jsonl"
    proces = _serveer(poort, log)
    adres = f"http://127.0.0.1:{poort}"
    try:
        kop = {"Authorization": f"Bearer {token}"}
        # new connections, so that both worker processes answer some
        for i in range(20):
            insz, datum = VRAGEN[i % 2]
            antwoord = httpx.post(
                f"{adres}/api/v1/advies",
                json={"insz": insz, "datum": datum, "doel": "ZORGBUDGET",
                      "referte": str(uuid.uuid4())},
                headers=kop,
            )  # fmt: skip
            assert antwoord.status_code == 200, antwoord.text
        assert httpx.get(f"{adres}/api/v1/lijsten/{VRAGEN[0][0]}").status_code in (401, 404)
        assert httpx.get(f"{adres}/aii/dossiers?insz={VRAGEN[1][0]}").status_code in (200, 303)
        tekst = httpx.get(f"{adres}/metrics").text
    finally:
        proces.terminate()
        proces.wait(timeout=20)
    verzoeken = _waarden(tekst, "kbi_http_requests_total")
    advies = (("method", "POST"), ("node", "aii"), ("route", "/api/v1/advies"), ("status", "200"))
    assert verzoeken[advies] == 20
    antwoorden = _waarden(tekst, "kbi_advies_answers_total")
    assert sum(antwoorden.values()) == 20
    assert {dict(labels)["advies"] for labels in antwoorden} <= {"OK", "NOK", "none"}
    assert _waarden(tekst, "kbi_audit_commit_seconds_count")[(("node", "aii"),)] >= 1
    assert (("node", "aii"),) in _waarden(tekst, "kbi_writer_waiting")
    # labels are route templates: no number a client sent
    assert not INSZ_PATROON.search(tekst)
    regels = [json.loads(r) for r in log.read_text(encoding="utf-8").splitlines()]
    verzoek_regels = [r for r in regels if r["logger"] == "kbi_exchange.access"]
    assert len(verzoek_regels) >= 22
    # both processes answered (each connection is new): the 20 above are their sum
    assert {r["pid"] for r in verzoek_regels if r["route"] == "/api/v1/advies"}
    assert {"route", "method", "status", "ms", "ts", "node"} <= set(verzoek_regels[0])
    assert not INSZ_PATROON.search(log.read_text(encoding="utf-8"))


def test_metrics_answer_the_machine_itself_only(home: Path) -> None:
    with TestClient(maak_app(load_settings())) as client:  # its address is "testclient"
        assert client.get("/metrics").status_code == 404
    with TestClient(maak_app(load_settings()), client=("127.0.0.1", 5000)) as client:
        assert client.get("/metrics").status_code == 200
        # through a proxy the address is the proxy's, or a client's claim: not the machine
        doorgestuurd = client.get("/metrics", headers={"X-Forwarded-For": "127.0.0.1"})
        assert doorgestuurd.status_code == 404
        assert "/metrics" not in client.get("/api/v1/openapi.json").json()["paths"]
