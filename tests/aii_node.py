"""A real AII node for the VSB node's tests: `kbi serve --node aii` in a subprocess."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from kbi_exchange.settings import load_settings
from tests.conftest import kbi


def vrije_poort() -> int:
    """A port free now, from the kernel's ephemeral range: tests running in parallel (pytest
    -n) never share one, as a port derived from the process id could."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def serveer(node: str, poort: int, pad: str = "/api/v1/live") -> subprocess.Popen[bytes]:
    """`kbi serve --node NODE --port PORT` on this home, once ``pad`` answers 200."""
    proces = subprocess.Popen(
        [sys.executable, "-m", "kbi_exchange", "serve", "--node", node, "--port", str(poort)],
        env=dict(os.environ),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    for _ in range(150):
        if proces.poll() is not None:  # it could not start (the port taken): never ask another
            raise AssertionError(f"the {node} node exited with {proces.returncode} at start")
        try:
            if httpx.get(f"http://127.0.0.1:{poort}{pad}", timeout=1).status_code == 200:
                return proces
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    proces.kill()
    raise AssertionError(f"the {node} node did not start")


class AiiNode:
    """`kbi serve --node aii` in a subprocess on this home, stopped and started at will."""

    def __init__(self, poort: int) -> None:
        self.poort = poort
        self.proces: subprocess.Popen[bytes] | None = None

    @property
    def adres(self) -> str:
        return f"http://127.0.0.1:{self.poort}"

    def start(self) -> None:
        self.proces = serveer("aii", self.poort, "/api/v1/health")

    def stop(self) -> None:
        if self.proces is not None:
            self.proces.terminate()
            self.proces.wait(timeout=20)
            self.proces = None


class NodeServer:
    """`kbi serve --node NODE` in a subprocess on this home."""

    def __init__(self, node: str, poort: int) -> None:
        self.adres = f"http://127.0.0.1:{poort}"
        self.proces = serveer(node, poort)

    def stop(self) -> None:
        self.proces.terminate()
        self.proces.wait(timeout=20)


def start_beide(monkeypatch: pytest.MonkeyPatch) -> tuple[NodeServer, NodeServer]:
    """`kbi serve` for both nodes of this home, each told the other's address."""
    aii, vsb = vrije_poort(), vrije_poort()
    monkeypatch.setenv("KBI_AII_VSB_URL", f"http://127.0.0.1:{vsb}")
    monkeypatch.setenv("KBI_VSB_AII_URL", f"http://127.0.0.1:{aii}")
    return NodeServer("aii", aii), NodeServer("vsb", vsb)


def leden_bij_vsb(
    home: Path, capsys: pytest.CaptureFixture[str], per_zorgkas: dict[str, list[str]]
) -> None:
    """Import these people as members of these zorgkassen since 2010, with VT since 2020 (an
    application is recorded only for a member of its zorgkas on the opening date)."""
    bestand = home / f"leden-{len(list(home.glob('leden-*.jsonl')))}.jsonl"
    bestand.write_text(
        "".join(
            json.dumps(
                {
                    "insz": insz,
                    "aansluitingen": [{"zorgkas": zorgkas, "begin": "2010-01-01"}],
                    "vt": [{"begin": "2020-01-01"}],
                }
            )
            + "\n"
            for zorgkas, inszen in per_zorgkas.items()
            for insz in inszen
        ),
        encoding="utf-8",
    )
    assert kbi(capsys, "vsb", "import", str(bestand)).code == 0


def verbind_met_aii(
    home: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> AiiNode:
    """VSB's client token made at AII and wired in the environment, quick retries and a short
    pause of the breaker in the home's settings, and the AII node started."""
    uit = kbi(capsys, "aii", "clients", "add", "vsb", "--purpose", "ZORGBUDGET")
    monkeypatch.setenv("KBI_VSB_AII_TOKEN", json.loads(uit.out)["token"])
    node = AiiNode(vrije_poort())
    monkeypatch.setenv("KBI_VSB_AII_URL", node.adres)
    instellingen = home / "settings.toml"
    tekst = instellingen.read_text().replace(
        "aii_retry_pause_seconds = 0.5", "aii_retry_pause_seconds = 0.05"
    )
    instellingen.write_text(tekst.replace("aii_breaker_seconds = 30", "aii_breaker_seconds = 1"))
    assert load_settings().vsb_aii_breaker_seconds == 1
    node.start()
    return node


def lijst_bij_vsb(
    home: Path, capsys: pytest.CaptureFixture[str], jaar: int, *mensen: tuple[str, ...]
) -> tuple[Path, list[str]]:
    """300 synthetic dossiers at AII, the list of ``jaar`` made, approved, delivered and
    ingested at VSB (by ``vera``, a vsb-operator); ``mensen`` are further `users add`
    arguments. Returns the dossier file and the INSZ on the list as VSB holds them."""
    from sqlalchemy import select  # noqa: PLC0415 - the tests that travel a list only

    from kbi_exchange.adapters.db.vsb_models import VsbLijstInszRow  # noqa: PLC0415
    from kbi_exchange.bootstrap import engine  # noqa: PLC0415

    dossiers = home / "dossiers.jsonl"
    for args in (
        ("synth", "dossiers", "--count", "300", "--seed", "5", "--out", str(dossiers)),
        ("aii", "import", str(dossiers)),
        ("users", "add", "olga", "--node", "aii", "--role", "aii-operator"),
        ("users", "add", "anna", "--node", "aii", "--role", "aii-approver"),
        ("users", "add", "vera", "--node", "vsb", "--role", "vsb-operator"),
        *(("users", "add", *m) for m in mensen),
    ):
        assert kbi(capsys, *args).code == 0, args
    uit = kbi(capsys, "aii", "list", "make", "--year", str(jaar), "--as", "olga", "--json")
    lijst_id = json.loads(uit.out)["id"]
    assert kbi(capsys, "aii", "list", "approve", lijst_id, "--as", "anna").code == 0
    assert kbi(capsys, "aii", "list", "deliver", lijst_id).code == 0
    (bestand,) = (home / "mailbox" / "vsb" / "in").glob(f"KBI_VSB_LIJST_{jaar}_*.p7m")
    assert kbi(capsys, "vsb", "list", "ingest", str(bestand), "--as", "vera").code == 0
    with engine(load_settings().vsb_database_url).connect() as verbinding:
        return dossiers, sorted(verbinding.scalars(select(VsbLijstInszRow.insz)))
