"""The yearly list distributed to the zorgkassen (SPEC §9), on SQLite and PostgreSQL: each
file opens with its own zorgkas's key (openssl) and no other's, holds exactly the listed
members affiliated with that zorgkas today who had VT on 1 January; nothing twice; a member
who moved is forwarded."""

from __future__ import annotations

import json
import subprocess
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from kbi_exchange.adapters.db.vsb_models import VsbAuditRow
from kbi_exchange.bootstrap import engine
from kbi_exchange.domain.dates import BRUSSEL
from kbi_exchange.settings import load_settings
from tests.aii_node import lijst_bij_vsb
from tests.conftest import kbi

Cap = pytest.CaptureFixture[str]
VANDAAG = datetime.now(
    BRUSSEL
).date()  # the distribution date is today: the command reads the clock
VT = [{"begin": "2020-01-01", "einde": None}]


def _json(capsys: Cap, *args: str) -> dict[str, Any]:
    uit = kbi(capsys, *args, "--json")
    assert uit.code == 0, uit
    return dict(json.loads(uit.out))


def _lid(insz: str, *aansluitingen: tuple[str, str, str | None], **extra: object) -> str:
    return json.dumps(
        {
            "insz": insz,
            "aansluitingen": [{"zorgkas": z, "begin": b, "einde": e} for z, b, e in aansluitingen],
            **extra,
        }
    )


@pytest.fixture
def ontvangen(twee_nodes: Path, capsys: Cap, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The list of 2024 made, approved, delivered and ingested; its INSZ."""
    monkeypatch.setenv("KBI_PASSWORD", "correct horse battery")
    _, inszen = lijst_bij_vsb(
        twee_nodes, capsys, 2024, ("zoe", "--node", "vsb", "--role", "zorgkas-handler",
                                   "--zorgkas", "CM"),
    )  # fmt: skip
    assert len(inszen) >= 8
    return inszen


def _open(
    home: Path, bestand: Path, zorgkas: str, tmp_path: Path
) -> subprocess.CompletedProcess[str]:
    pki = home / "pki"
    ontsleuteld = subprocess.run(
        ["openssl", "cms", "-decrypt", "-binary", "-inform", "DER", "-in", bestand,
         "-recip", pki / f"zorgkas-{zorgkas}.crt", "-inkey", pki / f"zorgkas-{zorgkas}.key",
         "-out", tmp_path / "signed.der"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    if ontsleuteld.returncode != 0:
        return ontsleuteld
    return subprocess.run(
        ["openssl", "cms", "-verify", "-binary", "-inform", "DER", "-in", tmp_path / "signed.der",
         "-CAfile", pki / "ca.crt", "-certfile", pki / "vsb.crt", "-purpose", "any"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip


def _bestanden(home: Path) -> dict[str, list[Path]]:
    return {
        map_.name.removeprefix("zorgkas-"): sorted((map_ / "in").glob("*.p7m"))
        for map_ in sorted((home / "mailbox").glob("zorgkas-*"))
    }


def test_each_zorgkas_gets_exactly_its_listed_members_with_vt_and_nothing_twice(
    twee_nodes: Path, ontvangen: list[str], capsys: Cap, tmp_path: Path
) -> None:
    l1, l2, l3, l4, l5, _l6, l7 = ontvangen[:7]
    niet_op_lijst = next(
        json.loads(r)["insz"]
        for r in (twee_nodes / "dossiers.jsonl").read_text().splitlines()
        if json.loads(r)["insz"] not in ontvangen
    )
    leden = twee_nodes / "leden.jsonl"
    regels = [
        _lid(l1, ("CM", "2015-01-01", None), vt=VT),
        _lid(l2, ("LM", "2015-01-01", None), vt=VT),
        _lid(l3, ("OZ", "2015-01-01", None)),  # no VT: the list changes nothing for them
        _lid(l4, ("CM", "2015-01-01", "2023-12-31"), ("SOL", "2024-01-01", None), vt=VT),
        _lid(l5, ("CM", "2015-01-01", None), vt=VT, overlijdensdatum="2024-06-01"),
        _lid(l7, ("NZ", "2015-01-01", None), vt=[{"begin": "2020-01-01", "einde": "2023-12-31"}]),
        _lid(niet_op_lijst, ("CM", "2015-01-01", None), vt=VT),
    ]  # l6 and the rest of the list: no members at all
    leden.write_text("".join(r + "\n" for r in regels))
    assert kbi(capsys, "vsb", "import", str(leden)).code == 0

    verdeeld = _json(capsys, "vsb", "list", "distribute", "--year", "2024", "--as", "vera")
    assert verdeeld["per_zorgkas"] == {"CM": 1, "LM": 1, "SOL": 1}
    assert verdeeld["zonder_vt"] == 2  # l3, l7
    assert verdeeld["geen_lid"] == len(ontvangen) - 5  # l5 (deceased), l6 and the others
    assert verdeeld["verdeeldag"] == VANDAAG.isoformat()
    verwacht = {"CM": [l1], "LM": [l2], "SOL": [l4]}
    bestanden = _bestanden(twee_nodes)
    for zorgkas, paden in bestanden.items():
        assert len(paden) == (1 if zorgkas in verwacht else 0), zorgkas
    for zorgkas, (pad,) in ((z, p) for z, p in bestanden.items() if p):
        geopend = _open(twee_nodes, pad, zorgkas, tmp_path)
        assert geopend.returncode == 0, geopend.stderr
        kop, _, romp = geopend.stdout.partition("\n\n")
        assert kop.startswith("KBI-ZORGKAS-LIJST 1\n")
        assert f"zorgkas: {zorgkas}\n" in kop
        assert "aantal: 1" in kop
        assert romp.splitlines() == verwacht[zorgkas]
        for andere in sorted(set(bestanden) - {zorgkas}):  # no other zorgkas's key opens it
            assert _open(twee_nodes, pad, andere, tmp_path).returncode != 0, andere
    assert not list((twee_nodes / "mailbox" / "vsb" / "out").iterdir())

    # rerun: nothing twice
    opnieuw = _json(capsys, "vsb", "list", "distribute", "--year", "2024")
    assert (opnieuw["per_zorgkas"], opnieuw["al_verzonden"], opnieuw["zendingen"]) == ({}, 3, [])
    assert _bestanden(twee_nodes) == bestanden

    # l1 moves from CM to VZK today: after the next member import, forwarded to VZK only
    gisteren = (VANDAAG - timedelta(days=1)).isoformat()
    regels[0] = _lid(l1, ("CM", "2015-01-01", gisteren), ("VZK", VANDAAG.isoformat(), None), vt=VT)
    leden.write_text("".join(r + "\n" for r in regels))
    assert kbi(capsys, "vsb", "import", str(leden)).code == 0
    verhuisd = _json(capsys, "vsb", "list", "distribute", "--year", "2024")
    assert (verhuisd["per_zorgkas"], verhuisd["doorgestuurd"]) == ({"VZK": 1}, {"VZK": 1})
    (vzk,) = _bestanden(twee_nodes)["VZK"]
    geopend = _open(twee_nodes, vzk, "VZK", tmp_path)
    assert geopend.stdout.partition("\n\n")[2].splitlines() == [l1]
    assert _bestanden(twee_nodes)["CM"] == bestanden["CM"]

    # the VSB DPO finds who received what about l1: the list, and the two files that carried
    # them (CM's, then VZK's after the move), never the files of other zorgkassen
    assert kbi(capsys, "users", "add", "dirk", "--node", "vsb", "--role", "vsb-dpo").code == 0
    gevonden = json.loads(
        kbi(capsys, "audit", "search", "--insz", l1, "--as", "dirk", "--json").out
    )
    assert {g["node"] for g in gevonden} == {"vsb"}
    verdeeld_aan = [
        g["inhoud"]["zorgkas"] for g in gevonden if g["gebeurtenis"] == "vsb:lijst:distribute"
    ]
    assert verdeeld_aan == ["CM", "VZK"]
    assert "vsb:lijst:ingest" in [g["gebeurtenis"] for g in gevonden]
    geweigerd = kbi(capsys, "audit", "search", "--insz", l1, "--as", "zoe")
    assert geweigerd.code == 1
    assert "does not grant vsb:audit:search" in geweigerd.err

    # every file's disclosure audited, naming no one; the chain verifies
    with engine(load_settings().vsb_database_url).connect() as verbinding:
        inhoud = list(
            verbinding.scalars(
                select(VsbAuditRow.inhoud).where(VsbAuditRow.gebeurtenis == "vsb:lijst:distribute")
            )
        )
    assert len(inhoud) == 4
    for tekst in inhoud:
        assert not any(insz in (tekst or "") for insz in ontvangen)
    assert kbi(capsys, "audit", "verify", "--alone", "--node", "vsb").code == 0


def test_distributing_needs_a_received_list_and_the_right_role(
    ontvangen: list[str], capsys: Cap
) -> None:
    geen = kbi(capsys, "vsb", "list", "distribute", "--year", "2023")
    assert geen.code == 1
    assert "no list of 2023 was received" in geen.err
    handler = kbi(capsys, "vsb", "list", "distribute", "--year", "2024", "--as", "zoe")
    assert handler.code == 1
    assert "does not grant vsb:lijst:distribute" in handler.err
