"""Each step of the yearly list ended right after each of its named steps (`crash_points`:
no cleanup, as SIGKILL), then rerun to the end.

After every crash: never a second list, never a second disclosure entry, never a file in the
mailbox that is not whole, never a list at VSB without all its INSZ (SPEC §8.1, §13).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import Select, func, select

from kbi_exchange.adapters.crypto import cms
from kbi_exchange.adapters.crypto.pki import Pki
from kbi_exchange.adapters.db.aii_models import AuditRij, LijstRij
from kbi_exchange.adapters.db.vsb_models import VsbAuditRij, VsbLijstInszRij, VsbLijstRij
from kbi_exchange.bootstrap import engine, sluit_engines
from kbi_exchange.crash_points import CRASHED, POINTS
from kbi_exchange.domain.verdeling import zorgkas_van_bestand
from tests.conftest import kbi

Cap = pytest.CaptureFixture[str]
JAAR = "2024"

# Each step's crash points, in the order a run reaches them: a rerun after a crash at one
# reaches the next.
STAPPEN = {
    "make": ["list.make:evaluated", "list.make:committed"],
    "approve": ["list.approve:before-commit", "list.approve:committed"],
    "deliver": [
        "list.deliver:file-stored",
        "file:temp-written",
        "mailbox:in-out",
        "list.deliver:sent",
    ],
    "ingest": [
        "list.ingest:verified",
        "list.ingest:stored",
        "file:temp-written",
        "mailbox:in-out",
        "list.ingest:receipt-sent",
        "list.ingest:done",
    ],
    "receive": ["list.receive:recorded"],
    "distribute": [
        "list.distribute:stored",
        "file:temp-written",
        "mailbox:in-out",
        "list.distribute:sent",
    ],
}


def _start(*args: str, crash_at: str | None = None) -> subprocess.Popen[str]:
    env = {k: v for k, v in os.environ.items() if k != "KBI_CRASH_AT"}
    if crash_at is not None:
        env["KBI_CRASH_AT"] = crash_at
    return subprocess.Popen(
        [sys.executable, "-m", "kbi_exchange", *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _tel(url: str, stmt: Select[int]) -> int:
    with engine(url).connect() as verbinding:
        waarde = verbinding.scalar(stmt)
    sluit_engines()
    return int(waarde or 0)


def _controleer(home: Path, aii_url: str, vsb_url: str) -> None:
    """What must hold whenever a step was killed, wherever it was."""
    assert _tel(aii_url, select(func.count()).where(LijstRij.jaar == int(JAAR))) <= 1
    assert (
        _tel(aii_url, select(func.count()).where(AuditRij.gebeurtenis == "kbi:lijst:deliver")) <= 1
    )
    with engine(vsb_url).connect() as verbinding:
        lijsten = list(verbinding.execute(select(VsbLijstRij.id, VsbLijstRij.aantal)))
        for lijst_id, aantal in lijsten:
            opgeslagen = verbinding.scalar(
                select(func.count()).where(VsbLijstInszRij.lijst_id == lijst_id)
            )
            assert opgeslagen == aantal, "a list at VSB holds all its INSZ or is not there"
    sluit_engines()
    assert len(lijsten) <= 1
    pki = Pki(lambda naam: home / "pki" / naam)
    for bestand in (home / "mailbox").glob("*/*/*"):
        if bestand.name.startswith("."):
            continue  # a temporary name, never a final one
        inhoud = bestand.read_bytes()
        zorgkas = zorgkas_van_bestand(bestand.name)  # in vsb/out/ or in its own in/
        ontvanger = f"zorgkas-{zorgkas}" if zorgkas else "vsb"
        if bestand.suffix == ".p7m":
            inhoud = cms.decrypt(inhoud, pki.certificaat(ontvanger), pki.sleutel(ontvanger))
        ondertekenaar = pki.certificaat(
            "aii" if bestand.suffix == ".p7m" and not zorgkas else "vsb"
        )
        cms.verify(inhoud, ca=pki.ca(), ondertekenaar=ondertekenaar, moment=datetime.now(UTC))
    zichtbaar = [p for p in (home / "mailbox").glob("*/*/*.p7[ms].*") if p.name[0] != "."]
    assert zichtbaar == [], "no final name with a suffix"


def _stap(
    home: Path, aii_url: str, vsb_url: str, punten: list[str], *args: str
) -> subprocess.CompletedProcess[str]:
    """End the step at each of its crash points in turn (each must be reached), check what
    must hold, then run it to its end."""
    for punt in punten:
        proces = _start(*args, crash_at=punt)
        uit, fout = proces.communicate(timeout=120)
        assert proces.returncode == CRASHED, f"{punt} not reached: {fout}"
        _controleer(home, aii_url, vsb_url)
    proces = _start(*args)
    uit, fout = proces.communicate(timeout=120)
    _controleer(home, aii_url, vsb_url)
    return subprocess.CompletedProcess(proces.args, proces.returncode, uit, fout)


def test_the_steps_name_every_crash_point_of_the_list() -> None:
    genoemd = {punt for punten in STAPPEN.values() for punt in punten}
    assert genoemd == {
        p for p in POINTS if not p.startswith(("import:", "members:", "application:", "retention:"))
    }


def test_every_step_ended_at_each_crash_point_and_rerun_ends_in_one_received_list(
    twee_nodes: Path, capsys: Cap, monkeypatch: pytest.MonkeyPatch, database_url: str,
    vsb_database_url: str,
) -> None:  # fmt: skip
    monkeypatch.setenv("KBI_PASSWORD", "correct horse battery")
    bestand = twee_nodes / "dossiers.jsonl"
    for args in (
        ("synth", "dossiers", "--count", "4000", "--seed", "8", "--out", str(bestand)),
        ("aii", "import", str(bestand)),
        ("users", "add", "olga", "--node", "aii", "--role", "aii-operator"),
        ("users", "add", "anna", "--node", "aii", "--role", "aii-approver"),
        ("users", "add", "vera", "--node", "vsb", "--role", "vsb-operator"),
    ):
        assert kbi(capsys, *args).code == 0, args

    def stap(naam: str, *args: str) -> subprocess.CompletedProcess[str]:
        return _stap(twee_nodes, database_url, vsb_database_url, STAPPEN[naam], *args)

    gemaakt = stap("make", "aii", "list", "make", "--year", JAAR, "--as", "olga", "--json")
    # the run that crashed after its commit had made it: the rerun refuses a second list
    assert gemaakt.returncode == 1
    assert "already has list" in gemaakt.stderr
    lijsten = json.loads(kbi(capsys, "aii", "list", "all", "--json").out)
    assert len(lijsten) == 1
    lijst_id = lijsten[0]["id"]

    assert stap("approve", "aii", "list", "approve", lijst_id, "--as", "anna").returncode == 0
    geleverd = stap("deliver", "aii", "list", "deliver", lijst_id, "--json")
    assert geleverd.returncode == 0, geleverd.stderr
    naam = json.loads(geleverd.stdout)["bestand"]
    in_vsb = twee_nodes / "mailbox" / "vsb" / "in" / naam
    assert in_vsb.exists()

    ingest = stap("ingest", "vsb", "list", "ingest", str(in_vsb), "--as", "vera", "--json")
    # the last crash came after everything but removing the file: the rerun stores nothing
    assert ingest.returncode == 0, ingest.stderr
    assert json.loads(ingest.stdout)["al_ontvangen"] is True
    assert not in_vsb.exists()
    assert stap("receive", "aii", "list", "receive").returncode == 0

    getoond = json.loads(kbi(capsys, "aii", "list", "show", lijst_id, "--json").out)
    assert getoond["status"] == "ontvangen"
    assert (
        _tel(database_url, select(func.count()).where(AuditRij.gebeurtenis == "kbi:lijst:deliver"))
        == 1
    )
    with engine(vsb_database_url).connect() as verbinding:
        assert list(verbinding.execute(select(VsbLijstRij.id, VsbLijstRij.status))) == [
            (lijst_id, "ontvangen")
        ]

    # the distribution to the zorgkassen: killed at each point, rerun; each file once
    leden = twee_nodes / "leden.jsonl"
    assert (
        kbi(capsys, "synth", "members", "--count", "3000", "--seed", "3", "--kbi", str(bestand),
            "--out", str(leden)).code == 0
    )  # fmt: skip
    assert kbi(capsys, "vsb", "import", str(leden)).code == 0
    verdeeld = stap("distribute", "vsb", "list", "distribute", "--year", JAAR, "--json")
    assert verdeeld.returncode == 0, verdeeld.stderr
    zendingen = _tel(
        vsb_database_url,
        select(func.count()).where(VsbAuditRij.gebeurtenis == "vsb:lijst:distribute"),
    )
    bestanden = sorted((twee_nodes / "mailbox").glob("zorgkas-*/in/*.p7m"))
    assert len(bestanden) == zendingen >= 2, "one file per zorgkas with members, each once"
    assert len({p.parent.parent.name for p in bestanden}) == len(bestanden)
    opnieuw = _start("vsb", "list", "distribute", "--year", JAAR, "--json")
    uit, fout = opnieuw.communicate(timeout=120)
    assert opnieuw.returncode == 0, fout
    assert json.loads(uit)["zendingen"] == []
    assert kbi(capsys, "audit", "verify").code == 0
    assert list((twee_nodes / "mailbox").rglob("*.part")) == [], "no temporary file left over"
