"""Retention (SPEC §10) on SQLite and PostgreSQL, through the command line: both sides of each
purge date, a lapsed F1 basis (GwH 112/2023) purging its data at both nodes after the grace
period, a rerun that removes nothing, the audit chains verifying after a purge, and a run
killed between two batches and rerun."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from kbi_exchange.adapters.db.aii_models import BeslissingRow, LijstRow
from kbi_exchange.adapters.db.vsb_models import (
    VerdelingRow,
    VsbAuditRow,
    VsbLijstInszRow,
    VsbLijstRow,
    ZendingRow,
)
from kbi_exchange.bootstrap import engine, keys, uow
from kbi_exchange.crash_points import CRASHED
from kbi_exchange.domain.aanvraag import BronAntwoord, BronOnbeschikbaar
from kbi_exchange.domain.access import Actor, Node
from kbi_exchange.domain.dates import dag_in_brussel
from kbi_exchange.domain.kwaliteit import MeldingStatus, VsbMelding, ZorgkasBericht
from kbi_exchange.domain.periods import plus_maanden
from kbi_exchange.entrypoints.api.app import maak_app
from kbi_exchange.entrypoints.api.vsb_app import maak_app as maak_vsb_app
from kbi_exchange.services import aanvragen, kwaliteit
from kbi_exchange.settings import SETTINGS_FILE, load_settings
from tests.actors import OLGA
from tests.aii_node import lijst_bij_vsb
from tests.conftest import EXAMPLES, kbi

Cap = pytest.CaptureFixture[str]
VANDAAG = dag_in_brussel(datetime.now(UTC))
VSB = Actor.os_account(Node.VSB, "test")


class Bron:
    """AII as a stub for the applications recorded in the past (the real AII is asked over
    HTTP in test_vsb_aanvragen.py)."""

    def vraag(self, insz: str, datum: date, referte: str) -> BronAntwoord:
        return BronAntwoord(referte, "NOK", "NIET_TIJDIG_AANGEMELD", "niet tijdig aangemeld")


def _zet(home: Path, **waarden: int) -> None:
    """Change [retention] settings in the home's settings file."""
    bestand = home / SETTINGS_FILE
    tekst = bestand.read_text(encoding="utf-8")
    for naam, waarde in waarden.items():
        regels = [
            f"{naam} = {waarde}" if regel.startswith(f"{naam} = ") else regel
            for regel in tekst.splitlines()
        ]
        tekst = "\n".join(regels) + "\n"
    bestand.write_text(tekst, encoding="utf-8")


def _aanvraag(insz: str, opening: date, nu: datetime, einde: date | None = None) -> str:
    settings = load_settings()
    aanvraag = aanvragen.dien_in(
        uow=uow(settings, Node.VSB),
        bron=Bron(),
        insz=insz,
        opening=opening,
        zorgkas="CM",
        zorgkassen=frozenset({"CM"}),
        door=VSB,
        nu=lambda: nu,
    )
    if einde is not None:
        aanvragen.beeindig(
            uow=uow(settings, Node.VSB),
            aanvraag_id=aanvraag.id,
            einde=einde,
            reden="overleden",
            door=VSB,
            nu=nu,
        )
    return aanvraag.id


def _rapport(capsys: Cap, *args: str) -> dict[str, Any]:
    uit = kbi(capsys, "retention", "run", *args, "--json")
    assert uit.code == 0, uit
    [rapport] = json.loads(uit.out)
    return dict(rapport)


def _ids(rapport: dict[str, Any], gegevens: str) -> list[str]:
    return next((v["ids"] for v in rapport["verwijderd"] if v["gegevens"] == gegevens), [])


def _leden(home: Path, capsys: Cap, *regels: dict[str, Any]) -> None:
    """Import these members at VSB (an application is recorded for a member only)."""
    bestand = home / f"leden-{uuid.uuid4().hex[:6]}.jsonl"
    bestand.write_text("".join(json.dumps(r) + "\n" for r in regels), encoding="utf-8")
    assert kbi(capsys, "vsb", "import", str(bestand)).code == 0


def _cm_lid(insz: str, **extra: object) -> dict[str, Any]:
    return {"insz": insz, "aansluitingen": [{"zorgkas": "CM", "begin": "2010-01-01"}], **extra}


@pytest.fixture
def dpos(twee_nodes: Path, capsys: Cap, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("KBI_PASSWORD", "correct horse battery")
    for naam, node, rol in (("dora", "aii", "aii-dpo"), ("vic", "vsb", "vsb-dpo")):
        assert kbi(capsys, "users", "add", naam, "--node", node, "--role", rol).code == 0
    _leden(twee_nodes, capsys, _cm_lid("85073001546"), _cm_lid("85073001348"))
    return twee_nodes


def test_retention_on_both_sides_of_each_date_and_after_f1_lapsed(dpos: Path, capsys: Cap) -> None:
    _zet(dpos, grace_days=0, audit_content_years=3)
    # ended 5 years and a day ago: its last day was yesterday; ended 5 years ago: kept today
    vijf_jaar = plus_maanden(VANDAAG, -60)
    lang_geleden = datetime(2021, 6, 15, 10, tzinfo=UTC)
    weg = _aanvraag("85073001546", date(2021, 6, 1), lang_geleden, vijf_jaar - timedelta(days=1))
    blijft = _aanvraag("85073001348", date(2021, 6, 1), lang_geleden, vijf_jaar)
    gevraagd = _aanvraag("85073001546", date(2024, 2, 1), datetime(2024, 3, 1, tzinfo=UTC))

    droog = _rapport(capsys, "--node", "vsb", "--dry-run")
    assert _ids(droog, "aanvraag") == [weg]
    morgen = _rapport(capsys, "--node", "vsb", "--dry-run", "--on", str(VANDAAG + timedelta(1)))
    assert _ids(morgen, "aanvraag") == [weg, blijft]
    # audit content older than 3 years: the 2021 entries, not the 2024 ones
    with engine(load_settings().vsb_database_url).connect() as v:
        oud = [
            str(s)
            for s, t in v.execute(select(VsbAuditRow.seq, VsbAuditRow.tijdstip))
            if t.year == 2021
        ]
    assert sorted(_ids(droog, "audit")) == sorted(oud)
    assert oud
    assert not _ids(droog, "aanvraag_f1")  # F1 still has its ground

    # F1's basis lapsed (GwH 112/2023): VSB's dry run names the applications holding AII's answer
    basis = ("protocol", "basis", "end", "--flow", "F1", "--date", "2023-07-20", "--reason",
             "GwH 112/2023")  # fmt: skip
    uit = kbi(capsys, *basis, "--node", "vsb", "--as", "vic", "--dry-run", "--json")
    assert uit.code == 0, uit
    assert json.loads(uit.out)["gegevens"] == {"aanvraag_f1": [gevraagd]}
    assert json.loads(uit.out)["weg_op"] == VANDAAG.isoformat()  # recorded today, no grace
    assert kbi(capsys, *basis, "--node", "vsb", "--as", "vic").code == 0
    assert _ids(_rapport(capsys, "--node", "vsb", "--dry-run"), "aanvraag_f1") == [gevraagd]

    gedaan = _rapport(capsys, "--node", "vsb")
    assert (_ids(gedaan, "aanvraag"), _ids(gedaan, "aanvraag_f1")) == ([weg], [gevraagd])
    assert not gedaan["dry_run"]
    assert gedaan["aantal"] == 2 + len(oud)
    # a rerun removes nothing; what is kept is still there; the chain still verifies
    assert _rapport(capsys, "--node", "vsb")["aantal"] == 0
    assert kbi(capsys, "vsb", "application", "show", blijft).code == 0
    weg_show = kbi(capsys, "vsb", "application", "show", weg)
    assert weg_show.code == 1
    assert weg in weg_show.err
    assert kbi(capsys, "audit", "verify", "--alone", "--node", "vsb").code == 0
    with engine(load_settings().vsb_database_url).connect() as v:
        inhoud = dict(v.execute(select(VsbAuditRow.seq, VsbAuditRow.inhoud)).all())
    assert all(inhoud[int(s)] is None for s in oud)
    purges = [json.loads(t) for t in inhoud.values() if t and '"gegevens":"aanvraag' in t]
    assert {i for p in purges for i in p["ids"]} == {weg, gevraagd}
    assert all("GwH" in p["reden"] or "5 years" in p["reden"] for p in purges)


def test_aii_purges_f1_decision_records_after_the_lapse_and_keeps_its_chain(
    dpos: Path, capsys: Cap
) -> None:
    _zet(dpos, grace_days=0)
    assert kbi(capsys, "aii", "import", str(EXAMPLES / "dossiers.jsonl")).code == 0
    uit = kbi(capsys, "aii", "clients", "add", "vsb-node", "--purpose", "ZORGBUDGET")
    auth = {"Authorization": f"Bearer {json.loads(uit.out)['token']}"}
    with TestClient(maak_app(load_settings())) as http:
        for insz in ("85073001546", "85073001348"):
            vraag = {"insz": insz, "datum": "2023-01-01", "doel": "ZORGBUDGET",
                     "referte": str(uuid.uuid4())}  # fmt: skip
            assert http.post("/api/v1/advies", json=vraag, headers=auth).status_code == 200
    with engine(load_settings().aii_database_url).connect() as v:
        records = sorted(v.scalars(select(BeslissingRow.id)))
    assert len(records) == 2
    assert _ids(_rapport(capsys, "--node", "aii", "--dry-run"), "beslissing_f1") == []
    basis = ("protocol", "basis", "end", "--flow", "F1", "--date", "2023-07-20", "--reason",
             "GwH 112/2023", "--as", "dora")  # fmt: skip
    droog = kbi(capsys, *basis, "--dry-run")
    assert droog.code == 0, droog
    assert all(r in droog.out for r in records), droog
    assert kbi(capsys, *basis).code == 0
    assert sorted(_ids(_rapport(capsys, "--node", "aii"), "beslissing_f1")) == records
    assert _rapport(capsys, "--node", "aii")["aantal"] == 0
    with engine(load_settings().aii_database_url).connect() as v:
        b = BeslissingRow
        rijen = v.execute(select(b.insz, b.antwoord, b.gewist_op)).all()
    assert all(r.insz == "" and r.antwoord == "" and r.gewist_op is not None for r in rijen)
    assert kbi(capsys, "audit", "verify", "--alone", "--node", "aii").code == 0
    # the report names what it removed; a person's number appears nowhere in it
    assert "85073001546" not in kbi(capsys, "retention", "run", "--dry-run", "--json").out


def test_bad_use_is_refused_with_the_reason(dpos: Path, capsys: Cap) -> None:
    vooruit = kbi(capsys, "retention", "run", "--on", "2030-01-01")
    assert vooruit.code == 2
    assert "--on" in vooruit.err
    assert "--dry-run" in vooruit.err
    assert kbi(capsys, "retention", "run", "--dry-run", "--on", "2030-13-01").code == 2
    zonder_node = kbi(capsys, "retention", "run", "--as", "dora")
    assert zonder_node.code == 2
    assert "--node" in zonder_node.err
    geen_dpo = kbi(capsys, "protocol", "basis", "end", "--node", "vsb", "--flow", "F1", "--date",
                   "2023-07-20", "--reason", "x", "--as", "dora")  # fmt: skip
    assert geen_dpo.code == 1  # dora works at AII, not at VSB
    _zet(dpos, grace_days=-1)
    fout = kbi(capsys, "retention", "run", "--dry-run")
    assert fout.code == 1
    assert "grace_days" in fout.err


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_a_killed_run_is_finished_by_the_rerun(dpos: Path, capsys: Cap) -> None:
    _zet(dpos, audit_content_years=0)
    lang_geleden = datetime(2021, 6, 15, 10, tzinfo=UTC)
    ids = {  # one application per opening
        _aanvraag("85073001546", date(2021, 6, dag), lang_geleden, date(2021, 6, 30))
        for dag in (1, 2, 3)
    }
    omgeving = {**os.environ, "KBI_CRASH_AT": "retention:batch-committed"}
    commando = [sys.executable, "-m", "kbi_exchange", "retention", "run", "--node", "vsb", "--json"]
    gekild = subprocess.run(
        commando, check=False, env=omgeving, capture_output=True, text=True, timeout=120
    )
    assert gekild.returncode == CRASHED, gekild.stderr
    # the first batch (the applications) is gone and audited; the audit content is not yet
    halverwege = _rapport(capsys, "--node", "vsb", "--dry-run")
    assert _ids(halverwege, "aanvraag") == []
    assert _ids(halverwege, "audit")
    klaar = subprocess.run(commando[:-1], check=False, capture_output=True, text=True, timeout=120)
    assert klaar.returncode == 0, klaar.stderr
    assert _rapport(capsys, "--node", "vsb", "--dry-run")["aantal"] == 0
    assert kbi(capsys, "audit", "verify", "--alone", "--node", "vsb").code == 0
    with engine(load_settings().vsb_database_url).connect() as v:
        teksten = [t for (t,) in v.execute(select(VsbAuditRow.inhoud)) if t]
    weg = {i for t in teksten if '"gegevens":"aanvraag"' in t for i in json.loads(t)["ids"]}
    assert weg == ids


def test_list_data_goes_at_death_and_after_f2_lapsed_at_both_nodes(
    twee_nodes: Path, capsys: Cap, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KBI_PASSWORD", "correct horse battery")
    _, op_lijst = lijst_bij_vsb(
        twee_nodes, capsys, 2025, ("vic", "--node", "vsb", "--role", "vsb-dpo"),
        ("dora", "--node", "aii", "--role", "aii-dpo"),
    )  # fmt: skip
    _zet(twee_nodes, grace_days=0)
    dood, levend = op_lijst[0], op_lijst[1]
    leden = twee_nodes / "leden.jsonl"
    regels = [
        {"insz": insz, "overlijdensdatum": overleden, "vt": [{"begin": "2020-01-01"}],
         "aansluitingen": [{"zorgkas": "CM", "begin": "2010-01-01"}]}
        for insz, overleden in ((dood, "2025-03-01"), (levend, None))
    ]  # fmt: skip
    leden.write_text("".join(json.dumps(r) + "\n" for r in regels), encoding="utf-8")
    assert kbi(capsys, "vsb", "import", str(leden), "--as", "vera").code == 0
    assert kbi(capsys, "vsb", "list", "distribute", "--year", "2025", "--as", "vera").code == 0

    droog = _rapport(capsys, "--node", "vsb", "--dry-run")
    sleutel = keys(load_settings(), Node.VSB).insz_keys()[0]
    assert _ids(droog, "overleden") == [sleutel.hash(dood)]  # named by its keyed hash only
    assert dood not in json.dumps(droog)
    assert _ids(_rapport(capsys, "--node", "vsb"), "overleden") == [sleutel.hash(dood)]
    url = load_settings().vsb_database_url
    with engine(url).connect() as v:
        over = set(v.scalars(select(VsbLijstInszRow.insz))) | set(
            v.scalars(select(VerdelingRow.insz))
        )
    assert dood not in over
    assert levend in over

    # F2's basis lapses: AII's lists and VSB's received list, files and distribution go
    basis = ("protocol", "basis", "end", "--flow", "F2", "--date", "2023-07-20", "--reason",
             "GwH 112/2023")  # fmt: skip
    aii_lijsten = json.loads(kbi(capsys, *basis, "--as", "dora", "--dry-run", "--json").out)
    vsb_lijsten = json.loads(
        kbi(capsys, *basis, "--node", "vsb", "--as", "vic", "--dry-run", "--json").out
    )
    assert len(aii_lijsten["gegevens"]["lijst_f2"]) == 1
    assert vsb_lijsten["gegevens"]["ontvangen_lijst_f2"] == aii_lijsten["gegevens"]["lijst_f2"]
    assert kbi(capsys, *basis, "--as", "dora").code == 0
    assert kbi(capsys, *basis, "--node", "vsb", "--as", "vic").code == 0
    lijst_ids = aii_lijsten["gegevens"]["lijst_f2"]
    assert _ids(_rapport(capsys, "--node", "aii"), "lijst_f2") == lijst_ids
    assert _ids(_rapport(capsys, "--node", "vsb"), "ontvangen_lijst_f2") == lijst_ids
    assert _rapport(capsys, "--node", "aii")["aantal"] == 0
    assert _rapport(capsys, "--node", "vsb")["aantal"] == 0
    with engine(url).connect() as v:
        assert v.scalar(select(func.count()).select_from(VsbLijstInszRow)) == 0
        assert v.scalar(select(func.count()).select_from(VerdelingRow)) == 0
        assert all(b == b"" for b in v.scalars(select(ZendingRow.bestand)))
    with engine(load_settings().aii_database_url).connect() as v:
        assert [(p, b) for p, b in v.execute(select(LijstRow.payload, LijstRow.bestand))] == [
            ("", None)
        ]
    assert kbi(capsys, "audit", "verify", "--alone").code == 0


VSB_CLIENT = Actor.client("vsb", Node.AII)  # VSB's machine client of AII


def test_closed_data_quality_reports_and_old_messages_go(dpos: Path, capsys: Cap) -> None:
    settings = load_settings()
    lang_geleden = datetime(2014, 3, 1, 9, tzinfo=UTC)
    melding, _ = kwaliteit.ontvang(
        uow=uow(settings, Node.AII), door=VSB_CLIENT, insz="85073001546",
        omschrijving="fout", nu=lang_geleden,
    )  # fmt: skip
    open_, _ = kwaliteit.ontvang(
        uow=uow(settings, Node.AII), door=VSB_CLIENT, insz="85073001546",
        omschrijving="nog open", nu=lang_geleden,
    )  # fmt: skip
    kwaliteit.sluit(uow=uow(settings, Node.AII), melding_id=melding.id,
                    bevinding="geen fout", door=OLGA, nu=lang_geleden)  # fmt: skip
    bij_vsb = VsbMelding(
        id=melding.id, insz="85073001546", omschrijving="fout", gemeld_op=lang_geleden,
        gemeld_door="vera", status=MeldingStatus.GESLOTEN, vervalt_op=lang_geleden,
        gesloten_op=lang_geleden,
    )  # fmt: skip
    bericht = ZorgkasBericht("b-1", "CM", "beslissing_rechtgezet", lang_geleden, {"x": 1})
    with uow(settings, Node.VSB) as werk:
        werk.vsb_meldingen.bewaar(bij_vsb)
        werk.berichten.voeg_toe(bericht)
        werk.commit()
    aii = _rapport(capsys, "--node", "aii")
    assert _ids(aii, "melding") == [melding.id]  # not the open one
    vsb = _rapport(capsys, "--node", "vsb")
    assert (_ids(vsb, "melding"), _ids(vsb, "bericht")) == ([melding.id], ["b-1"])
    assert _rapport(capsys, "--node", "aii")["aantal"] == 0
    assert _rapport(capsys, "--node", "vsb")["aantal"] == 0
    with uow(settings, Node.AII) as werk:  # emptied, the open one untouched
        assert {m.id: m.insz for m in werk.meldingen.alle()} == {
            melding.id: "",
            open_.id: "85073001546",
        }
    with uow(settings, Node.VSB) as werk:
        assert [(m.insz, m.omschrijving) for m in werk.vsb_meldingen.alle()] == [("", "")]
        assert werk.berichten.van(None) == []
    assert kbi(capsys, "audit", "verify", "--alone").code == 0


def test_what_vsb_has_no_use_for_goes_with_its_reason(
    twee_nodes: Path, capsys: Cap, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Listed numbers of no member or of members without VT (counted at distribution, not
    kept), applications never decided, zorgkas files once downloaded or after their period
    (API and mailbox), a deceased member inside the files and messages, and at AII a list's
    file once VSB has a later one (SPEC §10)."""
    monkeypatch.setenv("KBI_PASSWORD", "correct horse battery")
    _, op_lijst = lijst_bij_vsb(twee_nodes, capsys, 2025)
    met_vt, zonder_vt, dood = op_lijst[:3]
    _leden(
        twee_nodes, capsys,
        _cm_lid(met_vt, vt=[{"begin": "2020-01-01"}]),
        _cm_lid(zonder_vt),
        _cm_lid(dood, vt=[{"begin": "2020-01-01"}], overlijdensdatum="2025-06-01"),
    )  # fmt: skip
    url = load_settings().vsb_database_url
    # the distribution keeps what the list can change; the rest is counted and let go
    verdeeld = json.loads(
        kbi(capsys, "vsb", "list", "distribute", "--year", "2025", "--as", "vera", "--json").out
    )
    assert verdeeld["niet_bewaard"] == len(op_lijst) - 2
    with engine(url).connect() as v:
        assert set(v.scalars(select(VsbLijstInszRow.insz))) == {met_vt, dood}
    # a list distributed before this version still holds them: the run names each by its hash
    with engine(url).begin() as v:
        [lijst_id] = v.scalars(select(VsbLijstRow.id))
        v.execute(
            VsbLijstInszRow.__table__.insert(),  # type: ignore[attr-defined]
            [{"lijst_id": lijst_id, "insz": i} for i in (zonder_vt, op_lijst[5])],
        )
    droog = _rapport(capsys, "--node", "vsb", "--dry-run")
    sleutel = keys(load_settings(), Node.VSB).insz_keys()[0]
    assert sorted(_ids(droog, "lijst_overtollig")) == sorted(
        f"{lijst_id}/{sleutel.hash(i)}" for i in (zonder_vt, op_lijst[5])
    )
    redenen = {v["gegevens"]: v["reden"] for v in droog["verwijderd"]}
    assert "no member at all, or a member without VT" in redenen["lijst_overtollig"]
    assert "downloaded, or made before" in redenen["zorgkas_bestand"]
    assert "never decided" in redenen["aanvraag_onbeslist"]
    # the zorgkas downloads its file: its content goes at the next run (name and hash stay)
    token = json.loads(kbi(capsys, "vsb", "clients", "add", "api-cm", "--zorgkas", "CM").out)
    with engine(url).connect() as v:
        [(zending_id, sha)] = v.execute(select(ZendingRow.id, ZendingRow.bestand_sha256)).all()
    with TestClient(maak_vsb_app(load_settings())) as http:
        kop = {"Authorization": f"Bearer {token['token']}"}
        assert http.get(f"/api/v1/zorgkas/bestanden/{zending_id}", headers=kop).status_code == 200
    assert _ids(_rapport(capsys, "--node", "vsb", "--dry-run"), "zorgkas_bestand") == [zending_id]

    # an application never decided: recorded 400 days ago, still waiting
    class Weg:
        def vraag(self, insz: str, datum: date, referte: str) -> BronAntwoord:
            raise BronOnbeschikbaar("down")

    settings = load_settings()
    wachtend = aanvragen.dien_in(
        uow=uow(settings, Node.VSB), bron=Weg(), insz=met_vt,
        opening=date(2024, 1, 2), zorgkas="CM", zorgkassen=frozenset({"CM"}), door=VSB,
        nu=lambda: datetime.now(UTC) - timedelta(days=400),
    )  # fmt: skip
    # the mailbox: the zorgkas never took its file; dated 100 days ago it has had its time
    (postvak,) = (twee_nodes / "mailbox" / "zorgkas-CM" / "in").glob("*.p7m")
    oud = postvak.with_name(re.sub(r"_\d{17}\.", "_20250101000000000.", postvak.name))
    postvak.rename(oud)

    gedaan = _rapport(capsys, "--node", "vsb")
    assert _ids(gedaan, "aanvraag_onbeslist") == [wachtend.id]
    assert _ids(gedaan, "zorgkas_bestand") == [zending_id]
    assert _ids(gedaan, "postvak") == [oud.name]
    assert len(_ids(gedaan, "lijst_overtollig")) == 2
    assert _ids(gedaan, "overleden") == [sleutel.hash(dood)]
    assert not oud.exists()
    with engine(url).connect() as v:
        assert set(v.scalars(select(VsbLijstInszRow.insz))) == {met_vt}
        assert v.execute(select(ZendingRow.bestand, ZendingRow.bestand_sha256)).all() == [
            (b"", sha)
        ]
    assert _rapport(capsys, "--node", "vsb")["aantal"] == 0  # a rerun removes nothing
    assert dood not in json.dumps(gedaan)
    # the zorgkas whose application went undecided is told, by its id (no INSZ)
    with uow(load_settings(), Node.VSB) as werk:
        [bericht] = [b for b in werk.berichten.van("CM") if b.soort == "aanvraag_verwijderd"]
    assert bericht.inhoud["aanvraag"] == wachtend.id
    assert met_vt not in json.dumps(bericht.inhoud)
    assert kbi(capsys, "audit", "verify", "--alone", "--node", "vsb").code == 0


def test_the_annulment_rehearsal_both_flows_lapse_decided_as_the_law_now_reads(
    twee_nodes: Path, capsys: Cap, monkeypatch: pytest.MonkeyPatch
) -> None:
    """GwH 112/2023 recorded for F1 and F2 at both nodes from the parameters: a care-budget
    application is granted without the condition (AII not asked), the premium of a year
    after the lapse is reduced for a listed member with VT, and once the grace period has
    passed the retention run purges what has no ground at both nodes."""
    monkeypatch.setenv("KBI_PASSWORD", "correct horse battery")
    _, op_lijst = lijst_bij_vsb(
        twee_nodes, capsys, 2023, ("vic", "--node", "vsb", "--role", "vsb-dpo"),
        ("dora", "--node", "aii", "--role", "aii-dpo"),
        ("zoe", "--node", "vsb", "--role", "zorgkas-handler", "--zorgkas", "CM"),
    )  # fmt: skip
    lid = op_lijst[0]
    _leden(twee_nodes, capsys, _cm_lid(lid, vt=[{"begin": "2020-01-01"}]))
    _zet(twee_nodes, grace_days=0)
    for stroom in ("F1", "F2"):
        for node, dpo in (("aii", "dora"), ("vsb", "vic")):
            uit = kbi(capsys, "protocol", "basis", "end", "--flow", stroom, "--annulment",
                      "--node", node, "--as", dpo, "--json")  # fmt: skip
            assert uit.code == 0, uit
            assert json.loads(uit.out)["datum"] == "2023-07-20"
    aanvraag = json.loads(
        kbi(
            capsys,
            "vsb",
            "application",
            "add",
            "--insz",
            lid,
            "--opening",
            "2024-05-01",
            "--zorgkas",
            "CM",
            "--as",
            "zoe",
            "--json",
        ).out
    )
    assert (aanvraag["status"], aanvraag["niet_gevraagd"], aanvraag["referte"]) == (
        "toegekend",
        "voorwaarde_vernietigd",
        None,
    )
    premie = json.loads(
        kbi(capsys, "vsb", "premium", "--insz", lid, "--year", "2024", "--json").out
    )
    # on the list of 2023, yet reduced: the year began after the lapse, the list no longer counts
    assert (premie["verlaagd"], premie["bedrag"]) == (True, 31)
    assert "de lijst telt niet meer" in premie["reden"]
    for node, soort in (("aii", "lijst_f2"), ("vsb", "ontvangen_lijst_f2")):
        assert _ids(_rapport(capsys, "--node", node), soort)
        assert _rapport(capsys, "--node", node)["aantal"] == 0
    with engine(load_settings().vsb_database_url).connect() as v:
        assert v.scalar(select(func.count()).select_from(VsbLijstInszRow)) == 0
    assert kbi(capsys, "audit", "verify", "--alone").code == 0


def test_a_listed_person_stays_known_by_their_keyed_hash_once_the_numbers_went(
    twee_nodes: Path, capsys: Cap, monkeypatch: pytest.MonkeyPatch
) -> None:
    """AII's list of 2024 loses its numbers once VSB has the list of 2025, VSB lets go of
    listed people it has no use for at the distribution: the DPO still finds the list a
    person was on, and a member whose VT is recorded after the distribution still pays the
    full premium the list decides (SPEC §10, art. 5)."""
    monkeypatch.setenv("KBI_PASSWORD", "correct horse battery")
    _, op_lijst = lijst_bij_vsb(
        twee_nodes, capsys, 2024, ("vic", "--node", "vsb", "--role", "vsb-dpo"),
        ("dora", "--node", "aii", "--role", "aii-dpo"),
    )  # fmt: skip
    aii_url = load_settings().aii_database_url
    with engine(aii_url).begin() as v:  # as if it left last year (art. 5: one a year)
        [(lijst_2024, payload)] = v.execute(select(LijstRow.id, LijstRow.payload)).all()
        v.execute(
            LijstRow.__table__.update().values(  # type: ignore[attr-defined]
                geleverd_op=datetime(2025, 1, 20, tzinfo=UTC)
            )
        )
    gelijst = payload.partition("\n\n")[2].split()
    uit = kbi(capsys, "aii", "list", "make", "--year", "2025", "--as", "olga", "--json")
    lijst_2025 = json.loads(uit.out)["id"]
    assert kbi(capsys, "aii", "list", "approve", lijst_2025, "--as", "anna").code == 0
    assert kbi(capsys, "aii", "list", "deliver", lijst_2025).code == 0
    (bestand,) = (twee_nodes / "mailbox" / "vsb" / "in").glob("KBI_VSB_LIJST_2025_*.p7m")
    assert kbi(capsys, "vsb", "list", "ingest", str(bestand), "--as", "vera").code == 0
    assert kbi(capsys, "aii", "list", "receive").code == 0

    # AII: the 2024 numbers go; the DPO still finds the list a listed person was on
    assert _ids(_rapport(capsys, "--node", "aii"), "lijst_inhoud") == [lijst_2024]
    with engine(aii_url).connect() as v:
        assert v.scalar(select(LijstRow.payload).where(LijstRow.id == lijst_2024)) == ""
    wie = gelijst[0]
    gezocht = kbi(capsys, "audit", "search", "--node", "aii", "--insz", wie, "--as", "dora",
                  "--json")  # fmt: skip
    assert gezocht.code == 0, gezocht
    assert lijst_2024 in gezocht.out

    # VSB: a listed member without VT on 1 January is let go at the distribution of 2024 ...
    zonder_vt = op_lijst[0]
    _leden(twee_nodes, capsys, _cm_lid(zonder_vt))
    assert kbi(capsys, "vsb", "list", "distribute", "--year", "2024", "--as", "vera").code == 0
    with engine(load_settings().vsb_database_url).connect() as v:
        bewaard = v.scalars(
            select(VsbLijstInszRow.insz).where(VsbLijstInszRow.lijst_id == lijst_2024)
        )
        assert zonder_vt not in set(bewaard)
    # ... then VT since 2023 is recorded: the premium of 2025 still follows the list
    _leden(twee_nodes, capsys, _cm_lid(zonder_vt, vt=[{"begin": "2023-01-01"}]))
    premie = kbi(capsys, "vsb", "premium", "--insz", zonder_vt, "--year", "2025", "--json")
    assert premie.code == 0, premie
    assert json.loads(premie.out)["verlaagd"] is False
    gezocht = kbi(capsys, "audit", "search", "--node", "vsb", "--insz", zonder_vt, "--as", "vic",
                  "--json")  # fmt: skip
    assert gezocht.code == 0, gezocht
    assert lijst_2024 in gezocht.out
    assert kbi(capsys, "audit", "verify", "--alone").code == 0
