"""Each step of the yearly list killed with SIGKILL at random moments, then rerun to the end.

After every kill: never a second list, never a second disclosure entry, never a file in the
mailbox that is not whole, never a list at VSB without all its INSZ (SPEC §8.1, §13).
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import Select, func, select

from kbi_exchange.adapters.crypto import cms
from kbi_exchange.adapters.crypto.pki import Pki
from kbi_exchange.adapters.db.aii_models import AuditRij, LijstRij
from kbi_exchange.adapters.db.vsb_models import VsbLijstInszRij, VsbLijstRij
from kbi_exchange.bootstrap import engine, sluit_engines
from tests.conftest import kbi

Cap = pytest.CaptureFixture[str]
JAAR = "2024"
KILLS_PER_STAP = 4


def _start(*args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "kbi_exchange", *args],
        env=dict(os.environ),
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
        if bestand.suffix == ".p7m":
            inhoud = cms.ontsleutel(inhoud, pki.certificaat("vsb"), pki.sleutel("vsb"))
        ondertekenaar = pki.certificaat("aii" if bestand.suffix == ".p7m" else "vsb")
        cms.verifieer(inhoud, ca=pki.ca(), ondertekenaar=ondertekenaar, moment=datetime.now(UTC))
    assert not list((home / "mailbox").glob("*/*/*.p7[ms].*")), "no final name with a suffix"


def _stap(
    rng: random.Random,
    home: Path,
    aii_url: str,
    vsb_url: str,
    *args: str,
    al_klaar: str | None = None,
) -> subprocess.CompletedProcess[str]:
    """Kill the step a few times at random moments, check, then run it to its end.

    ``al_klaar`` is how a run says that an earlier (killed) run had already finished the step.
    """
    for _ in range(KILLS_PER_STAP):
        proces = _start(*args)
        time.sleep(rng.uniform(0.2, 2.5))
        proces.send_signal(signal.SIGKILL)
        uit, fout = proces.communicate()
        klaar = al_klaar is not None and proces.returncode in (1, 2) and al_klaar in fout
        assert proces.returncode in (-signal.SIGKILL, 0) or klaar, fout
        _controleer(home, aii_url, vsb_url)
    proces = _start(*args)
    uit, fout = proces.communicate(timeout=120)
    _controleer(home, aii_url, vsb_url)
    return subprocess.CompletedProcess(proces.args, proces.returncode, uit, fout)


def test_every_step_killed_at_random_moments_and_rerun_ends_in_one_received_list(
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
    rng = random.Random(20261129)

    def stap(*args: str, al_klaar: str | None = None) -> subprocess.CompletedProcess[str]:
        return _stap(rng, twee_nodes, database_url, vsb_database_url, *args, al_klaar=al_klaar)

    gemaakt = stap(
        "aii", "list", "make", "--year", JAAR, "--as", "olga", "--json", al_klaar="already has list"
    )
    if gemaakt.returncode != 0:  # a killed run had finished: the rerun refuses a second list
        assert "already has list" in gemaakt.stderr
    lijsten = json.loads(kbi(capsys, "aii", "list", "all", "--json").out)
    assert len(lijsten) == 1
    lijst_id = lijsten[0]["id"]

    assert stap("aii", "list", "approve", lijst_id, "--as", "anna").returncode == 0
    geleverd = stap("aii", "list", "deliver", lijst_id, "--json")
    assert geleverd.returncode == 0, geleverd.stderr
    naam = json.loads(geleverd.stdout)["bestand"]
    in_vsb = twee_nodes / "mailbox" / "vsb" / "in" / naam
    assert in_vsb.exists()

    ingest = stap("vsb", "list", "ingest", str(in_vsb), "--as", "vera", al_klaar="does not exist")
    # the file is removed once it is in; a rerun after that finds nothing left to do
    assert ingest.returncode == 0 or "does not exist" in ingest.stderr
    assert not in_vsb.exists()
    assert stap("aii", "list", "receive").returncode == 0

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
    assert kbi(capsys, "audit", "verify").code == 0
