"""Several server processes of one node on one database (issue 23, docs/operations.md): two
`kbi serve --node aii` processes — each with its own writer — on one PostgreSQL (and, as the
embedded default allows, one SQLite file) answer the same refertes at the same moment: each
question is answered once and repeated once, with the same answer, and the audit log stays one
verifiable chain."""

from __future__ import annotations

import json
import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest
from sqlalchemy import text

from kbi_exchange.bootstrap import engine
from kbi_exchange.domain.audit import AuditGebeurtenis
from tests.aii_node import NodeServer, vrije_poort
from tests.conftest import EXAMPLES, kbi

Cap = pytest.CaptureFixture[str]
VRAGEN = [
    ("85073001348", "2023-01-01"),
    ("85073001546", "2022-01-01"),
    ("85073002338", "2024-10-01"),
    ("85073003328", "2024-10-01"),
]
REFERTES = 60


@pytest.mark.usefixtures("home")
def test_two_server_processes_keep_one_chain_and_answer_a_referte_once(
    database_url: str, capsys: Cap
) -> None:
    assert kbi(capsys, "aii", "import", str(EXAMPLES / "dossiers.jsonl")).code == 0
    token = json.loads(kbi(capsys, "aii", "clients", "add", "vsb", "--purpose", "ZORGBUDGET").out)[
        "token"
    ]
    servers = [NodeServer("aii", vrije_poort()), NodeServer("aii", vrije_poort())]
    kop = {"Authorization": f"Bearer {token}"}

    def vraag(server: NodeServer, vraag_: dict[str, str]) -> tuple[int, dict[str, Any]]:
        antwoord = httpx.post(f"{server.adres}/api/v1/advies", json=vraag_, headers=kop, timeout=30)
        return antwoord.status_code, antwoord.json()

    vragen = [
        {"insz": insz, "datum": datum, "doel": "ZORGBUDGET", "referte": str(uuid.uuid4())}
        for i in range(REFERTES)
        for insz, datum in [VRAGEN[i % len(VRAGEN)]]
    ]
    try:
        with ThreadPoolExecutor(16) as pool:
            # every referte sent to both processes at the same moment
            paren = list(pool.map(lambda v: (vraag(servers[0], v), vraag(servers[1], v)), vragen))
            # and a mix of new questions to either, while the others are answered
            extra = list(pool.map(lambda i: vraag(servers[i % 2], {**vragen[0], "referte": str(
                uuid.uuid4())}), range(40)))  # fmt: skip
    finally:
        for server in servers:
            server.stop()
    for (status_a, a), (status_b, b) in paren:
        assert (status_a, status_b) == (200, 200), (a, b)
        assert (a["advies"], a["reden"], a["referte"]) == (b["advies"], b["reden"], b["referte"])
    assert all(status == 200 for status, _ in extra)

    uit = kbi(capsys, "audit", "verify", "--alone", "--node", "aii", "--alone")
    assert uit.code == 0, uit
    with engine(database_url).connect() as verbinding:
        per_soort: dict[str, int] = dict(
            verbinding.execute(
                text("SELECT gebeurtenis, count(*) FROM audit GROUP BY gebeurtenis")
            ).all()
        )
        beslissingen = verbinding.execute(text("SELECT count(*) FROM beslissing")).scalar_one()
    # one answer per referte, the other process's copy a repeat of it; no answer lost
    assert per_soort[AuditGebeurtenis.ADVIES_GEGEVEN.value] == REFERTES + 40
    assert per_soort[AuditGebeurtenis.ADVIES_HERHAALD.value] == REFERTES
    assert beslissingen == REFERTES + 40
