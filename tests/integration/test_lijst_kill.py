"""Each step of the yearly list ended right after each of its named steps (`crash_points`:
no cleanup, as SIGKILL), then rerun to the end.

After every crash: never a second list, never a second disclosure entry, never a file in the
mailbox that is not whole, never a list at VSB without all its INSZ (SPEC §8.1, §13).
"""

from __future__ import annotations

import json
import os
import select as io_select
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import Select, func, select

from kbi_exchange.adapters.crypto import cms
from kbi_exchange.adapters.crypto.pki import Pki
from kbi_exchange.adapters.db.aii_models import AuditRow, LijstRow
from kbi_exchange.adapters.db.vsb_models import (
    VerdelingRow,
    VsbAuditRow,
    VsbLijstInszRow,
    VsbLijstRow,
)
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


def _omgeving(crash_at: str | None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "KBI_CRASH_AT"}
    if crash_at is not None:
        env["KBI_CRASH_AT"] = crash_at
    return env


def _start(*args: str, crash_at: str | None = None) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "kbi_exchange", *args],
        env=_omgeving(crash_at),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


# A zygote: imports the command line once, then forks a child per run that does what
# `python -m kbi_exchange ARGS` does (`main(ARGS)`) with the environment, stdout and stderr it
# is given; KBI_CRASH_AT is read anew in each child. Each run is still a process of its own,
# ended at its crash point by `os._exit` (no cleanup, no flush, no rollback); only the ~2 s of
# imports that start-up costs are paid once per test instead of once per run.
_ZYGOTE = """
import importlib, json, os, sys
from kbi_exchange import crash_points
from kbi_exchange.entrypoints.cli import main

def naar(fd, pad, vlaggen):
    nieuw = os.open(pad, vlaggen, 0o600)
    os.dup2(nieuw, fd)
    os.close(nieuw)

for regel in iter(sys.stdin.readline, ""):
    opdracht = json.loads(regel)
    pid = os.fork()
    if pid == 0:
        os.environ.clear()
        os.environ.update(opdracht["env"])
        importlib.reload(crash_points)
        naar(0, os.devnull, os.O_RDONLY)
        for fd, pad in ((1, opdracht["out"]), (2, opdracht["err"])):
            naar(fd, pad, os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
        main(opdracht["args"])  # ends through sys.exit, as the command line does
    _, status = os.waitpid(pid, 0)
    print(os.waitstatus_to_exitcode(status), flush=True)
"""


class Zygote:
    """Runs of `kbi`, each a fork of one interpreter that has imported the command line.

    ``kenmerk`` is added to the interpreter's command line, so that its runs and the processes
    they fork can be found by it, as those of `kbi aii import FILE` by FILE.
    """

    def __init__(self, map_: Path, kenmerk: str = "") -> None:
        self.map = map_
        self.map.mkdir()
        self.proces = subprocess.Popen(
            [sys.executable, "-c", _ZYGOTE, *([kenmerk] if kenmerk else [])],
            env=_omgeving(None),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        self.pid = self.proces.pid
        self.runs = 0

    def run(self, *args: str, crash_at: str | None = None) -> subprocess.CompletedProcess[str]:
        """A run of `kbi ARGS` to its end (or its crash point); waits at most 120 s."""
        assert self.proces.stdin is not None
        assert self.proces.stdout is not None
        self.runs += 1
        uit, fout = self.map / f"{self.runs}.out", self.map / f"{self.runs}.err"
        opdracht = {
            "args": list(args),
            "env": _omgeving(crash_at),
            "out": str(uit),
            "err": str(fout),
        }
        self.proces.stdin.write(json.dumps(opdracht) + "\n")
        self.proces.stdin.flush()
        klaar, _, _ = io_select.select([self.proces.stdout], [], [], 120)
        assert klaar, f"kbi {' '.join(args)} did not end within 120 s"
        code = self.proces.stdout.readline()
        assert code, f"the zygote ended: {fout.read_text() if fout.exists() else ''}"
        return subprocess.CompletedProcess(args, int(code), uit.read_text(), fout.read_text())

    def stop(self) -> None:
        assert self.proces.stdin is not None
        self.proces.stdin.close()
        try:
            self.proces.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proces.kill()
            self.proces.wait()


@pytest.fixture
def zygote(tmp_path: Path) -> Iterator[Zygote]:
    z = Zygote(tmp_path / "runs")
    yield z
    z.stop()


def _tel(url: str, stmt: Select[int]) -> int:
    with engine(url).connect() as verbinding:
        waarde = verbinding.scalar(stmt)
    sluit_engines()
    return int(waarde or 0)


def _controleer(home: Path, aii_url: str, vsb_url: str) -> None:
    """What must hold whenever a step was killed, wherever it was."""
    assert _tel(aii_url, select(func.count()).where(LijstRow.jaar == int(JAAR))) <= 1
    assert (
        _tel(aii_url, select(func.count()).where(AuditRow.gebeurtenis == "kbi:lijst:deliver")) <= 1
    )
    with engine(vsb_url).connect() as verbinding:
        lijsten = list(
            verbinding.execute(select(VsbLijstRow.id, VsbLijstRow.aantal, VsbLijstRow.verdeeld_op))
        )
        for lijst_id, aantal, verdeeld_op in lijsten:
            opgeslagen = int(
                verbinding.scalar(select(func.count()).where(VsbLijstInszRow.lijst_id == lijst_id))
                or 0
            )
            verdeeld = int(verbinding.scalar(select(func.count()).select_from(VerdelingRow)) or 0)
            if verdeeld_op is None:
                assert opgeslagen == aantal, "a list at VSB holds all its INSZ or is not there"
            else:  # distributed: who was sent is kept, who is no member with VT is not
                assert verdeeld <= opgeslagen <= aantal, "kept with its distribution, at once"
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
    zygote: Zygote, home: Path, aii_url: str, vsb_url: str, punten: list[str], *args: str
) -> subprocess.CompletedProcess[str]:
    """End the step at each of its crash points in turn (each must be reached), check what
    must hold, then run it to its end."""
    for punt in punten:
        gestopt = zygote.run(*args, crash_at=punt)
        assert gestopt.returncode == CRASHED, f"{punt} not reached: {gestopt.stderr}"
        _controleer(home, aii_url, vsb_url)
    proces = zygote.run(*args)
    _controleer(home, aii_url, vsb_url)
    return proces


def test_the_steps_name_every_crash_point_of_the_list() -> None:
    genoemd = {punt for punten in STAPPEN.values() for punt in punten}
    assert genoemd == {
        p for p in POINTS if not p.startswith(("import:", "members:", "application:", "retention:"))
    }


def test_every_step_ended_at_each_crash_point_and_rerun_ends_in_one_received_list(
    twee_nodes: Path, capsys: Cap, monkeypatch: pytest.MonkeyPatch, database_url: str,
    vsb_database_url: str, zygote: Zygote,
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
        return _stap(zygote, twee_nodes, database_url, vsb_database_url, STAPPEN[naam], *args)

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
        _tel(database_url, select(func.count()).where(AuditRow.gebeurtenis == "kbi:lijst:deliver"))
        == 1
    )
    with engine(vsb_database_url).connect() as verbinding:
        assert list(verbinding.execute(select(VsbLijstRow.id, VsbLijstRow.status))) == [
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
        select(func.count()).where(VsbAuditRow.gebeurtenis == "vsb:lijst:distribute"),
    )
    bestanden = sorted((twee_nodes / "mailbox").glob("zorgkas-*/in/*.p7m"))
    assert len(bestanden) == zendingen >= 2, "one file per zorgkas with members, each once"
    assert len({p.parent.parent.name for p in bestanden}) == len(bestanden)
    # the last run is started as an operator starts it: a new interpreter, `python -m kbi_exchange`
    opnieuw = _start("vsb", "list", "distribute", "--year", JAAR, "--json")
    uit, fout = opnieuw.communicate(timeout=120)
    assert opnieuw.returncode == 0, fout
    assert json.loads(uit)["zendingen"] == []
    assert kbi(capsys, "audit", "verify", "--alone").code == 0
    assert list((twee_nodes / "mailbox").rglob("*.part")) == [], "no temporary file left over"
