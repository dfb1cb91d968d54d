"""The VSB node with a real AII node (`kbi serve --node aii` in a subprocess), on SQLite and
PostgreSQL: application → advice → decision; AII stopped → wacht_op_bron; AII back → retry
answers with the same referte. And the premium from a list that really travelled."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from kbi_exchange.adapters.db.aii_models import BeslissingRow
from kbi_exchange.bootstrap import engine
from kbi_exchange.crash_points import CRASHED
from kbi_exchange.settings import load_settings
from tests.aii_node import AiiNode, leden_bij_vsb, lijst_bij_vsb, verbind_met_aii
from tests.conftest import EXAMPLES, kbi

Cap = pytest.CaptureFixture[str]
NOK_INSZ = "85073001546"  # NIET_TIJDIG_AANGEMELD on 2022-01-01 (examples)
OK_INSZ = "85073001348"  # complies on 2023-01-01
VRIJ_INSZ = "85073001150"  # not obliged on 2023-05-01
KIND = "100505001" + f"{97 - int('2100505001') % 97:02d}"  # born 2010-05-05


@pytest.fixture
def aii(twee_nodes: Path, capsys: Cap, monkeypatch: pytest.MonkeyPatch) -> Iterator[AiiNode]:
    """Both nodes; the examples at AII, VSB's client token, people at VSB, AII serving."""
    monkeypatch.setenv("KBI_PASSWORD", "correct horse battery")
    for args in (
        ("aii", "import", str(EXAMPLES / "dossiers.jsonl")),
        ("users", "add", "zoe", "--node", "vsb", "--role", "zorgkas-handler", "--zorgkas", "CM"),
        ("users", "add", "lou", "--node", "vsb", "--role", "zorgkas-handler", "--zorgkas", "LM"),
        ("users", "add", "vera", "--node", "vsb", "--role", "vsb-operator"),
    ):
        assert kbi(capsys, *args).code == 0, args
    leden_bij_vsb(twee_nodes, capsys, {"CM": [NOK_INSZ, OK_INSZ, KIND, VRIJ_INSZ]})
    node = verbind_met_aii(twee_nodes, capsys, monkeypatch)
    yield node
    node.stop()


def _json(capsys: Cap, *args: str, code: int = 0) -> dict[str, Any]:
    uit = kbi(capsys, *args, "--json")
    assert uit.code == code, uit
    return dict(json.loads(uit.out))


def _beslissingen(referte: object = None) -> int:
    url = load_settings().aii_database_url
    stmt = select(func.count()).select_from(BeslissingRow)
    if referte is not None:
        stmt = stmt.where(BeslissingRow.referte == referte)
    with engine(url).connect() as verbinding:
        return int(verbinding.scalar(stmt) or 0)


def test_application_advice_decision_wait_and_retry_with_the_same_referte(
    aii: AiiNode, capsys: Cap
) -> None:
    als = ("--as", "zoe")
    nok = _json(
        capsys, "vsb", "application", "add", "--insz", NOK_INSZ, "--opening", "2022-01-01",
        "--zorgkas", "CM", *als,
    )  # fmt: skip
    assert (nok["status"], nok["advies"], nok["reden"]) == (
        "geweigerd",
        "NOK",
        "NIET_TIJDIG_AANGEMELD",
    )
    assert "CM-Zorgkas" in str(nok["brief"])
    assert _beslissingen(nok["referte"]) == 1  # AII recorded this very question
    ok = _json(
        capsys, "vsb", "application", "add", "--insz", OK_INSZ, "--opening", "2023-01-01",
        "--zorgkas", "CM", *als,
    )  # fmt: skip
    assert (ok["status"], ok["advies"]) == ("toegekend", "OK")

    # under 18 on the opening date: AII is not asked at all
    voor = _beslissingen()
    kind = _json(
        capsys, "vsb", "application", "add", "--insz", KIND, "--opening", "2026-01-01",
        "--zorgkas", "CM", *als,
    )  # fmt: skip
    assert (kind["status"], kind["niet_gevraagd"], kind["referte"]) == (
        "toegekend",
        "onder_18",
        None,
    )
    assert _beslissingen() == voor

    # the granted one ends (the retention clock starts): a new application may follow
    einde = _json(
        capsys, "vsb", "application", "end", str(ok["id"]), "--date", "2024-02-01",
        "--reason", "einde recht", *als,
    )  # fmt: skip
    assert einde["bewaren_tot"] == "2029-02-01"

    # AII stopped: the application waits for the source, never a silent OK
    aii.stop()
    wachtend = _json(
        capsys, "vsb", "application", "add", "--insz", OK_INSZ, "--opening", "2024-03-01",
        "--zorgkas", "CM", *als,
    )  # fmt: skip
    assert (wachtend["status"], wachtend["advies"]) == ("wacht_op_bron", None)
    lijst = _json(capsys, "vsb", "application", "list", "--waiting", *als)
    assert [a["id"] for a in lijst["aanvragen"]] == [wachtend["id"]]
    nog = kbi(capsys, "vsb", "application", "retry", *als)
    assert nog.code == 1
    assert "1 applications still wait for AII" in nog.err

    # AII back: retry answers it, with the referte it was recorded with
    aii.start()
    time.sleep(1.1)  # the breaker's pause (1 s in this home's settings) is over
    herhaald = _json(capsys, "vsb", "application", "retry", *als)
    assert (herhaald["beslist"], herhaald["wacht_op_bron"]) == (1, 0)
    beslist = _json(capsys, "vsb", "application", "show", str(wachtend["id"]), *als)
    assert (beslist["status"], beslist["referte"]) == ("toegekend", wachtend["referte"])
    assert _beslissingen(wachtend["referte"]) == 1

    # the check asks AII the application's own question again: its answer, no new decision
    voor = _beslissingen()
    check = _json(capsys, "vsb", "check", "--insz", NOK_INSZ, "--date", "2022-01-01")
    assert check == {
        "insz": NOK_INSZ,
        "datum": "2022-01-01",
        "advies": "NOK",
        "reden": "NIET_TIJDIG_AANGEMELD",
        "uitzonderingen": [],
    }
    assert (_beslissingen(), _beslissingen(nok["referte"])) == (voor, 1)
    # a question that belongs to no application does not leave VSB
    geweigerd = kbi(capsys, "vsb", "check", "--insz", NOK_INSZ, "--date", "2021-06-01")
    assert geweigerd.code == 1
    assert "a question to AII belongs to a recorded application" in geweigerd.err
    assert _beslissingen() == voor

    # the ending starts the clock; both audit logs verify
    einde = _json(
        capsys, "vsb", "application", "end", str(wachtend["id"]), "--date", "2026-02-01",
        "--reason", "overlijden", *als,
    )  # fmt: skip
    assert einde["bewaren_tot"] == "2031-02-01"
    assert kbi(capsys, "audit", "verify", "--alone").code == 0


def test_a_zorgkas_handler_never_sees_another_zorgkas_s_applications(
    aii: AiiNode, capsys: Cap
) -> None:
    cm = _json(
        capsys, "vsb", "application", "add", "--insz", OK_INSZ, "--opening", "2023-01-01",
        "--zorgkas", "CM", "--as", "zoe",
    )  # fmt: skip
    geweigerd = kbi(
        capsys, "vsb", "application", "add", "--insz", OK_INSZ, "--opening", "2023-01-01",
        "--zorgkas", "CM", "--as", "lou",
    )  # fmt: skip
    assert geweigerd.code == 1
    assert "you handle the applications of LM only" in geweigerd.err
    for args in (("show", str(cm["id"])), ("end", str(cm["id"]), "--date", "2026-01-01")):
        uit = kbi(capsys, "vsb", "application", *args, "--as", "lou")
        assert uit.code == 1
        assert uit.err.strip() == f"kbi: error: no application '{cm['id']}'"
        assert OK_INSZ not in uit.out + uit.err
    leeg = _json(capsys, "vsb", "application", "list", "--as", "lou")
    assert leeg["aanvragen"] == []
    tabel = kbi(capsys, "vsb", "application", "list", "--as", "lou")
    assert str(cm["id"]) not in tabel.out
    assert len(_json(capsys, "vsb", "application", "list", "--as", "vera")["aanvragen"]) == 1


def test_the_premium_from_a_list_that_travelled_and_the_member_registry(
    twee_nodes: Path, capsys: Cap, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KBI_PASSWORD", "correct horse battery")
    dossiers, gelijst = lijst_bij_vsb(
        twee_nodes, capsys, 2023, ("lou", "--node", "vsb", "--role", "zorgkas-handler",
                                   "--zorgkas", "LM"),
    )  # fmt: skip
    op_lijst, alle = gelijst[0], set(gelijst)
    niet_op_lijst = next(
        json.loads(r)["insz"]
        for r in dossiers.read_text().splitlines()
        if json.loads(r)["insz"] not in alle
    )
    leden = twee_nodes / "leden.jsonl"
    vt = [{"begin": "2020-01-01", "einde": None}]
    leden.write_text(
        "".join(
            json.dumps(
                {
                    "insz": insz,
                    "aansluitingen": [{"zorgkas": "CM", "begin": "2015-01-01"}],
                    "vt": vt,
                }
            )
            + "\n"
            for insz in (op_lijst, niet_op_lijst)
        )
    )
    assert kbi(capsys, "vsb", "import", str(leden), "--as", "vera").code == 0

    verlaagd = _json(capsys, "vsb", "premium", "--insz", niet_op_lijst, "--year", "2024")
    assert (verlaagd["verlaagd"], verlaagd["bedrag"]) == (True, 31)
    vol = _json(capsys, "vsb", "premium", "--insz", op_lijst, "--year", "2024")
    assert (vol["verlaagd"], vol["bedrag"]) == (False, 62)
    tekst = kbi(capsys, "vsb", "premium", "--insz", op_lijst, "--year", "2024")
    assert tekst.out.startswith("62 EUR (full premium 2024)")
    for jaar, fout in (
        ("2022", "applies from 2023"),
        ("2023", "no yearly list of 2022 was received"),
        ("2026", "no yearly list of 2025 was received"),
    ):
        uit = kbi(capsys, "vsb", "premium", "--insz", niet_op_lijst, "--year", jaar)
        assert uit.code == 1
        assert fout in uit.err
    # a handler of LM: the CM member is not theirs, said as for anyone who is no member
    uit = kbi(capsys, "vsb", "premium", "--insz", op_lijst, "--year", "2024", "--as", "lou")
    assert uit.code == 1
    assert "not in the member registry" in uit.err
    assert kbi(capsys, "audit", "verify", "--alone", "--node", "vsb").code == 0


def test_killed_before_or_after_aii_answered_the_application_waits_and_retry_finishes_it(
    aii: AiiNode, capsys: Cap
) -> None:
    ids = []
    # two people: while the first waits, a second application of theirs would be refused
    for punt, insz, opening in (
        ("application:recorded", OK_INSZ, "2023-01-01"),
        ("application:answered", VRIJ_INSZ, "2023-05-01"),
    ):
        proces = subprocess.run(
            [
                sys.executable,
                "-m",
                "kbi_exchange",
                "vsb",
                "application",
                "add",
                "--insz",
                insz,
                "--opening",
                opening,
                "--zorgkas",
                "CM",
                "--json",
            ],
            env={**os.environ, "KBI_CRASH_AT": punt},
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert proces.returncode == CRASHED, proces.stderr
        (wachtend,) = [
            a
            for a in _json(capsys, "vsb", "application", "list", "--waiting")["aanvragen"]
            if a["id"] not in ids
        ]
        assert (wachtend["status"], wachtend["advies"]) == ("wacht_op_bron", None)
        # killed before the question left, AII knows nothing of it; after, it has answered
        assert _beslissingen(wachtend["referte"]) == (punt == "application:answered")
        ids.append(wachtend["id"])
    herhaald = _json(capsys, "vsb", "application", "retry")
    assert (herhaald["beslist"], herhaald["wacht_op_bron"]) == (2, 0)
    for aanvraag in herhaald["aanvragen"]:
        assert aanvraag["status"] == "toegekend"
        assert _beslissingen(aanvraag["referte"]) == 1  # the answer AII gave, not a second one
    assert kbi(capsys, "audit", "verify", "--alone").code == 0
