"""The yearly list travels: deliver, ingest at VSB, receipt back at AII (SPEC §8.3–§8.7)."""

from __future__ import annotations

import json
import re
import subprocess
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy import func, select

from kbi_exchange.adapters.crypto import cms
from kbi_exchange.adapters.crypto.pki import Pki, Uitgever
from kbi_exchange.adapters.db.aii_models import AuditRow, LijstRow
from kbi_exchange.adapters.db.vsb_lijsten_store import SqlOntvangenLijsten
from kbi_exchange.adapters.db.vsb_models import VsbLijstInszRow, VsbLijstRow
from kbi_exchange.bootstrap import engine
from kbi_exchange.domain.lijst import LijstKop, lijst_bestandsnaam, payload
from kbi_exchange.entrypoints.api.app import maak_app
from kbi_exchange.settings import load_settings
from tests.conftest import kbi, stel_in

Cap = pytest.CaptureFixture[str]
JAAR = 2024


def _insz(volgnummer: int) -> str:
    """A valid INSZ of someone born in 1985 (check digits mod 97)."""
    basis = f"850101{volgnummer:03d}"
    return f"{basis}{97 - int(basis) % 97:02d}"


@pytest.fixture
def cyclus(twee_nodes: Path, capsys: Cap, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Dossiers imported; an operator and an approver at AII, an operator at VSB."""
    monkeypatch.setenv("KBI_PASSWORD", "correct horse battery")
    bestand = twee_nodes / "dossiers.jsonl"
    for args in (
        ("synth", "dossiers", "--count", "300", "--seed", "5", "--out", str(bestand)),
        ("aii", "import", str(bestand)),
        ("users", "add", "olga", "--node", "aii", "--role", "aii-operator"),
        ("users", "add", "anna", "--node", "aii", "--role", "aii-approver"),
        ("users", "add", "vera", "--node", "vsb", "--role", "vsb-operator"),
    ):
        assert kbi(capsys, *args).code == 0, args
    return twee_nodes


def _json(capsys: Cap, *args: str) -> dict[str, object]:
    uit = kbi(capsys, *args, "--json")
    assert uit.code == 0, uit
    return dict(json.loads(uit.out))


def _gemaakt_en_goedgekeurd(capsys: Cap, *extra: str) -> str:
    lijst_id = str(
        _json(capsys, "aii", "list", "make", "--year", str(JAAR), "--as", "olga", *extra)["id"]
    )
    assert kbi(capsys, "aii", "list", "approve", lijst_id, "--as", "anna").code == 0
    return lijst_id


def _in(home: Path, partij: str) -> list[Path]:
    return sorted((home / "mailbox" / partij / "in").iterdir())


def _vsb_lijsten(url: str) -> list[tuple[str, str]]:
    with engine(url).connect() as verbinding:
        return [(r.id, r.status) for r in verbinding.execute(select(VsbLijstRow))]


def test_a_delivered_list_opens_with_openssl_and_comes_back_as_received(
    cyclus: Path, capsys: Cap, database_url: str, vsb_database_url: str, tmp_path: Path
) -> None:
    lijst_id = _gemaakt_en_goedgekeurd(capsys)
    geleverd = _json(capsys, "aii", "list", "deliver", lijst_id, "--as", "olga")
    assert geleverd["status"] == "geleverd"
    # routed at once, whole, under its SPEC name; nothing left in out/, no partial file
    (bestand,) = _in(cyclus, "vsb")
    assert bestand.name == geleverd["bestand"]
    assert bestand.name.startswith(f"KBI_VSB_LIJST_{JAAR}_")
    assert bestand.suffix == ".p7m"
    assert not list((cyclus / "mailbox" / "aii" / "out").iterdir())

    pki = cyclus / "pki"
    subprocess.run(
        ["openssl", "cms", "-decrypt", "-binary", "-inform", "DER", "-in", bestand,
         "-recip", pki / "vsb.crt", "-inkey", pki / "vsb.key", "-out", tmp_path / "signed.der"],
        check=True, capture_output=True,
    )  # fmt: skip
    verify = subprocess.run(
        ["openssl", "cms", "-verify", "-binary", "-inform", "DER", "-in", tmp_path / "signed.der",
         "-CAfile", pki / "ca.crt", "-out", tmp_path / "payload"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert verify.returncode == 0, verify.stderr
    with engine(database_url).connect() as verbinding:
        opgeslagen = verbinding.scalar(select(LijstRow.payload).where(LijstRow.id == lijst_id))
    assert (tmp_path / "payload").read_text(encoding="utf-8") == opgeslagen

    ontvangen = _json(capsys, "vsb", "list", "ingest", str(bestand), "--as", "vera")
    assert ontvangen["id"] == lijst_id
    assert ontvangen["al_ontvangen"] is False
    assert not _in(cyclus, "vsb"), "an ingested file is removed from VSB's in/"
    with engine(vsb_database_url).connect() as verbinding:
        aantal = verbinding.scalar(select(func.count()).select_from(VsbLijstInszRow))
    assert aantal == geleverd["aantal"] == ontvangen["aantal"]
    (bewijs,) = _in(cyclus, "aii")
    assert bewijs.name.startswith(f"KBI_VSB_ONTVANGST_{JAAR}_")
    assert bewijs.suffix == ".p7s"

    assert kbi(capsys, "aii", "list", "receive").code == 0
    getoond = _json(capsys, "aii", "list", "show", lijst_id)
    assert getoond["status"] == "ontvangen"
    stappen = getoond["stappen"]
    assert isinstance(stappen, list)
    assert [(s["status"], s["door"]) for s in stappen] == [
        ("gemaakt", "olga"),
        ("goedgekeurd", "anna"),
        ("geleverd", "olga"),
        ("ontvangen", "vsb"),
    ]
    with engine(database_url).connect() as verbinding:
        levering = list(
            verbinding.scalars(
                select(AuditRow.inhoud).where(AuditRow.gebeurtenis == "kbi:lijst:deliver")
            )
        )
    assert len(levering) == 1, "one disclosure entry per list"
    inhoud = json.loads(str(levering[0]))
    assert inhoud["lijst"] == lijst_id
    assert inhoud["aantal"] == geleverd["aantal"]
    assert (inhoud["gemaakt_door"], inhoud["goedgekeurd_door"], inhoud["geleverd_door"]) == (
        "olga",
        "anna",
        "olga",
    )
    assert inhoud["sha256"] == getoond["payload_sha256"]
    geverifieerd = kbi(capsys, "audit", "verify", "--alone")
    assert geverifieerd.code == 0
    assert "vsb audit log intact: 1 entries verified" in geverifieerd.out, "the ingest"


def test_only_an_approved_list_leaves_and_delivering_again_sends_nothing_new(
    cyclus: Path, capsys: Cap, database_url: str
) -> None:
    lijst_id = str(_json(capsys, "aii", "list", "make", "--year", str(JAAR), "--as", "olga")["id"])
    uit = kbi(capsys, "aii", "list", "deliver", lijst_id)
    assert uit.code == 1
    assert "only an approved list can leave" in uit.err
    assert not _in(cyclus, "vsb")
    assert kbi(capsys, "aii", "list", "approve", lijst_id, "--as", "anna").code == 0
    eerste = _json(capsys, "aii", "list", "deliver", lijst_id)
    tweede = _json(capsys, "aii", "list", "deliver", lijst_id)
    assert eerste["bestand_sha256"] == tweede["bestand_sha256"]
    assert len(_in(cyclus, "vsb")) == 1
    with engine(database_url).connect() as verbinding:
        entries = verbinding.scalar(
            select(func.count()).where(AuditRow.gebeurtenis == "kbi:lijst:deliver")
        )
    assert entries == 1


def _bestand(
    home: Path,
    *,
    lijst_id: str | None = None,
    jaar: int = JAAR,
    ontvanger: str = "VSB",
    ondertekenaar: str = "aii",
    voor: str = "vsb",
    verlopen: bool = False,
) -> bytes:
    """A list file made here with the home's keys, as AII would — or as it must not be."""
    pki = Pki(lambda naam: home / "pki" / naam)
    kop = LijstKop(
        lijst_id=lijst_id or str(uuid.uuid4()),
        jaar=jaar,
        gemaakt_op=datetime.now(UTC),
        producent="AII-KBI",
        ontvanger=ontvanger,
        vervangt=None,
        aantal=3,
    )
    certificaat = pki.certificaat(ondertekenaar)
    if verlopen:
        nu = datetime.now(UTC)
        certificaat = Uitgever(pki.ca(), pki.sleutel("ca")).geef_uit(
            "AII-KBI", pki.sleutel("aii"), van=nu - timedelta(days=30), tot=nu - timedelta(days=1)
        )
    ondertekend = cms.sign(
        payload(kop, [_insz(i) for i in (1, 2, 3)]), certificaat, pki.sleutel(ondertekenaar)
    )
    return cms.encrypt(ondertekend, pki.certificaat(voor))


def _ingest(capsys: Cap, home: Path, inhoud: bytes, naam: str | None = None) -> tuple[int, str]:
    pad = home / (naam or lijst_bestandsnaam(JAAR, datetime.now(UTC)))
    pad.write_bytes(inhoud)
    uit = kbi(capsys, "vsb", "list", "ingest", str(pad), "--as", "vera")
    return uit.code, uit.err


def _geflipt(inhoud: bytes) -> bytes:
    kapot = bytearray(inhoud)
    kapot[len(kapot) // 2] ^= 0x01
    return bytes(kapot)


@pytest.mark.parametrize(
    ("hoe", "reden"),
    [
        # CBC: the flip garbles a block of the signed data inside, or the padding at its end
        ("flipped byte", r"signature refused|not encrypted for VSB"),
        ("wrong recipient", "not encrypted for VSB"),
        ("wrong signer", r"signature refused: signed by CN=Zorgkas CM"),
        ("expired certificate", "its certificate expired on"),
        ("addressed to another", r"addressed to 'RIZIV', not to 'VSB'"),
        ("wrong year in the name", "the name says 2023, the list says 2024"),
    ],
)
def test_a_bad_file_is_refused_with_its_reason_and_nothing_is_stored(
    cyclus: Path, capsys: Cap, vsb_database_url: str, hoe: str, reden: str
) -> None:
    naam = None
    match hoe:
        case "flipped byte":
            inhoud = _geflipt(_bestand(cyclus))
        case "wrong recipient":
            inhoud = _bestand(cyclus, voor="zorgkas-CM")
        case "wrong signer":
            inhoud = _bestand(cyclus, ondertekenaar="zorgkas-CM")
        case "expired certificate":
            inhoud = _bestand(cyclus, verlopen=True)
        case "addressed to another":
            inhoud = _bestand(cyclus, ontvanger="RIZIV")
        case _:
            inhoud = _bestand(cyclus)
            naam = lijst_bestandsnaam(2023, datetime.now(UTC))
    code, fout = _ingest(capsys, cyclus, inhoud, naam)
    assert code == 1
    assert re.search(reden, fout), fout
    assert fout.count("\n") == 1, "one line"
    assert _vsb_lijsten(vsb_database_url) == []
    assert not _in(cyclus, "aii"), "no receipt for a refused file"


def test_a_replay_is_known_by_its_list_id_and_a_second_list_for_a_year_is_refused(
    cyclus: Path, capsys: Cap, vsb_database_url: str
) -> None:
    lijst_id = str(uuid.uuid4())
    eerste = _bestand(cyclus, lijst_id=lijst_id)
    assert _ingest(capsys, cyclus, eerste)[0] == 0
    # the very same file again (a rerun or the mailbox delivering twice) changes nothing
    code, fout = _ingest(capsys, cyclus, eerste)
    assert code == 0
    assert "already in; nothing stored again" in fout
    # the same list encrypted anew: other bytes, same id — a replay
    code, fout = _ingest(capsys, cyclus, _bestand(cyclus, lijst_id=lijst_id))
    assert code == 1
    assert f"replay — list {lijst_id} was received on" in fout
    code, fout = _ingest(capsys, cyclus, _bestand(cyclus))
    assert code == 1
    assert f"at VSB, year {JAAR} already has list {lijst_id}" in fout
    assert _vsb_lijsten(vsb_database_url) == [(lijst_id, "ontvangen")]
    assert len(_in(cyclus, "aii")) == 1, "one receipt"


def test_a_rectification_replaces_the_list_on_both_nodes(
    cyclus: Path, capsys: Cap, vsb_database_url: str
) -> None:
    eerste = _gemaakt_en_goedgekeurd(capsys)
    assert kbi(capsys, "aii", "list", "deliver", eerste).code == 0
    (bestand,) = _in(cyclus, "vsb")
    assert kbi(capsys, "vsb", "list", "ingest", str(bestand)).code == 0
    tweede = _gemaakt_en_goedgekeurd(capsys, "--rectifies", eerste)
    assert kbi(capsys, "aii", "list", "deliver", tweede).code == 0
    (bestand,) = _in(cyclus, "vsb")
    ontvangen = _json(capsys, "vsb", "list", "ingest", str(bestand))
    assert ontvangen["vervangt"] == eerste
    assert sorted(_vsb_lijsten(vsb_database_url)) == sorted(
        [(eerste, "vervangen"), (tweede, "ontvangen")]
    )
    assert kbi(capsys, "aii", "list", "receive").code == 0
    assert _json(capsys, "aii", "list", "show", tweede)["status"] == "ontvangen"
    assert _json(capsys, "aii", "list", "show", eerste)["status"] == "vervangen"


def test_the_dpo_finds_every_list_a_person_was_on_and_no_other(
    cyclus: Path, capsys: Cap, database_url: str
) -> None:
    lijst_id = _gemaakt_en_goedgekeurd(capsys)
    assert kbi(capsys, "aii", "list", "deliver", lijst_id).code == 0
    with engine(database_url).connect() as verbinding:
        tekst = str(verbinding.scalar(select(LijstRow.payload).where(LijstRow.id == lijst_id)))
    op_lijst = tekst.partition("\n\n")[2].splitlines()
    niet_op_lijst = next(
        json.loads(regel)["insz"]
        for regel in (cyclus / "dossiers.jsonl").read_text().splitlines()
        if json.loads(regel)["insz"] not in op_lijst
    )

    def leveringen(insz: str) -> list[str]:
        uit = kbi(capsys, "audit", "search", "--insz", insz, "--json")
        assert uit.code == 0, uit
        return [
            e["inhoud"]["lijst"]
            for e in json.loads(uit.out)
            if e["gebeurtenis"] == "kbi:lijst:deliver"
        ]

    assert leveringen(op_lijst[0]) == [lijst_id]
    assert leveringen(op_lijst[-1]) == [lijst_id]
    assert leveringen(niet_op_lijst) == []


def test_vsb_clients_allowed_verlaagde_premie_pull_the_same_file_over_the_api(
    cyclus: Path, capsys: Cap, database_url: str
) -> None:
    lijst_id = _gemaakt_en_goedgekeurd(capsys)
    premie = json.loads(
        kbi(capsys, "aii", "clients", "add", "vsb-premie", "--purpose", "VERLAAGDE_PREMIE").out
    )
    budget = json.loads(
        kbi(capsys, "aii", "clients", "add", "vsb-budget", "--purpose", "ZORGBUDGET").out
    )
    with TestClient(maak_app(load_settings())) as client:

        def haal(token: object, jaar: int = JAAR) -> Response:
            return client.get(  # type: ignore[no-any-return]
                f"/api/v1/lijsten/{jaar}", headers={"Authorization": f"Bearer {token}"}
            )

        assert haal(premie["token"]).status_code == 404, "not delivered yet"
        geleverd = _json(capsys, "aii", "list", "deliver", lijst_id)
        antwoord = haal(premie["token"])
        assert antwoord.status_code == 200
        assert antwoord.headers["content-type"] == "application/pkcs7-mime"
        assert str(geleverd["bestand"]) in antwoord.headers["content-disposition"]
        (bestand,) = _in(cyclus, "vsb")
        assert antwoord.content == bestand.read_bytes()
        assert haal(budget["token"]).status_code == 403
        assert haal("wrong").status_code == 401
        assert client.get(f"/api/v1/lijsten/{JAAR}").status_code == 401
        assert haal(premie["token"], 2023).status_code == 404
        assert (
            client.get("/api/v1/lijsten/abc", headers={"Authorization": "Bearer x"}).status_code
            == 400
        )
    with engine(database_url).connect() as verbinding:
        actoren = list(
            verbinding.scalars(
                select(AuditRow.actor).where(AuditRow.gebeurtenis == "kbi:lijst:pull")
            )
        )
    assert actoren == ["vsb-premie"], "each pull is audited; refusals disclose nothing"


def test_after_the_transitional_period_the_file_no_longer_goes_through_the_mailbox(
    cyclus: Path, capsys: Cap
) -> None:
    stel_in(cyclus, ("list_files_until = 2026-12-31", "list_files_until = 2024-12-31"))
    lijst_id = _gemaakt_en_goedgekeurd(capsys)
    assert _json(capsys, "aii", "list", "deliver", lijst_id)["status"] == "geleverd"
    assert not _in(cyclus, "vsb")


def test_a_second_list_stored_meanwhile_by_another_run_is_refused_in_words(
    cyclus: Path, capsys: Cap, vsb_database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two ingests at once: both checked the year before either committed. The database's
    unique year refuses the second; the operator reads why, not a driver's traceback."""
    eerste = str(uuid.uuid4())
    assert _ingest(capsys, cyclus, _bestand(cyclus, lijst_id=eerste))[0] == 0
    monkeypatch.setattr(SqlOntvangenLijsten, "huidige", lambda self, jaar: None)
    code, fout = _ingest(capsys, cyclus, _bestand(cyclus, lijst_id=str(uuid.uuid4())))
    assert code == 1
    assert f"another list for {JAAR} was stored meanwhile" in fout
    assert "Traceback" not in fout
    assert "INSERT" not in fout
    assert _vsb_lijsten(vsb_database_url) == [(eerste, "ontvangen")]


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)  # the rule is the domain's
def test_one_list_goes_to_vsb_per_calendar_year_and_a_correction_may_follow(
    cyclus: Path, capsys: Cap
) -> None:
    eerste = _gemaakt_en_goedgekeurd(capsys)
    assert kbi(capsys, "aii", "list", "deliver", eerste).code == 0
    # another year's list, made and approved: it may not leave in this calendar year
    ander = str(_json(capsys, "aii", "list", "make", "--year", str(JAAR + 1), "--as", "olga")["id"])
    assert kbi(capsys, "aii", "list", "approve", ander, "--as", "anna").code == 0
    geweigerd = kbi(capsys, "aii", "list", "deliver", ander)
    assert geweigerd.code == 1
    assert "at most one list leaves per calendar year (protocol art. 5)" in geweigerd.err
    assert len(_in(cyclus, "vsb")) == 1
    assert _json(capsys, "aii", "list", "show", ander)["status"] == "goedgekeurd"
    # a rectification of the list that left this year may follow
    rechtzetting = _gemaakt_en_goedgekeurd(capsys, "--rectifies", eerste)
    assert kbi(capsys, "aii", "list", "deliver", rechtzetting).code == 0
    assert len(_in(cyclus, "vsb")) == 2
    assert kbi(capsys, "audit", "verify", "--alone", "--node", "aii").code == 0
