"""Machine clients and the audit log through the command line, on both databases."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import insert, select, text, update

from kbi_exchange.adapters.db.aii_models import (
    AuditCheckpointRow,
    AuditKopRow,
    AuditRow,
    ClientRow,
)
from kbi_exchange.bootstrap import aii_uow, engine
from kbi_exchange.domain.audit import BEGIN_HASH, AuditGebeurtenis, keten_hash
from kbi_exchange.domain.audit_inhoud import AdviesInhoud
from kbi_exchange.settings import load_settings
from tests.conftest import NU, kbi

Cap = pytest.CaptureFixture[str]
INSZ = "85073003328"


def _antwoord(referte: str) -> AdviesInhoud:
    return {
        "kanaal": "REST",
        "beslissing": None,
        "referte": referte,
        "datum": "2023-01-01",
        "advies": "OK",
        "reden": None,
        "uitzonderingen": [],
    }


def _schrijf(aantal: int, *, insz: str | None = INSZ) -> None:
    """Write entries in one transaction (which signs the chain's head)."""
    settings = load_settings()
    with aii_uow(settings) as werk:
        for i in range(aantal):
            werk.audit.record(
                gebeurtenis=AuditGebeurtenis.ADVIES_GEGEVEN,
                actor="vsb",
                tijdstip=NU,
                insz=insz,
                inhoud=_antwoord(f"r-{i}"),
            )
        werk.commit()


@pytest.mark.usefixtures("home")
def test_a_client_gets_a_token_once_and_only_its_hash_is_kept(
    database_url: str, capsys: Cap
) -> None:
    uit = kbi(capsys, "aii", "clients", "add", "vsb-node", "--purpose", "ZORGBUDGET")
    assert uit.code == 0, uit
    antwoord = json.loads(uit.out)
    assert set(antwoord) == {"id", "client", "token"}
    assert len(antwoord["token"]) >= 40
    with engine(database_url).connect() as verbinding:
        rij = verbinding.execute(select(ClientRow)).one()
    assert rij.token_sha256 != antwoord["token"]
    assert antwoord["token"] not in kbi(capsys, "aii", "clients", "list").out
    assert kbi(capsys, "aii", "clients", "revoke", "vsb-node").out.strip() == antwoord["id"]


@pytest.mark.usefixtures("home")
@pytest.mark.parametrize(
    ("args", "reden"),
    [
        (["x", "--purpose", "ZORGBUDGET"], "client name"),
        (["vsb", "--purpose", "HUISVESTING"], "unknown purpose"),
    ],
)
def test_a_client_that_cannot_exist_is_refused_in_one_line(
    args: list[str], reden: str, capsys: Cap
) -> None:
    uit = kbi(capsys, "aii", "clients", "add", *args)
    assert uit.code == 1
    assert reden in uit.err


@pytest.mark.usefixtures("home")
def test_an_untouched_log_verifies_and_the_dpo_finds_the_person(capsys: Cap) -> None:
    _schrijf(3)
    _schrijf(2, insz="85073001348")
    assert kbi(capsys, "audit", "verify", "--alone").code == 0
    gevonden = json.loads(kbi(capsys, "audit", "search", "--insz", INSZ, "--json").out)
    assert [g["inhoud"]["referte"] for g in gevonden] == ["r-0", "r-1", "r-2"]
    assert "entries verified" in kbi(capsys, "audit", "verify", "--alone").out


@pytest.mark.usefixtures("home")
def test_the_insz_never_appears_in_plain_text_in_the_log(database_url: str) -> None:
    _schrijf(3)
    with engine(database_url).connect() as verbinding:
        for rij in verbinding.execute(select(AuditRow)):
            assert INSZ not in " ".join(str(v) for v in rij)


def _sabotage(database_url: str, sql: str) -> None:
    with engine(database_url).begin() as verbinding:
        verbinding.execute(text(sql))


@pytest.mark.usefixtures("home")
@pytest.mark.parametrize(
    ("sabotage", "melding"),
    [
        ('UPDATE audit SET inhoud = \'{"advies": "NOK"}\' WHERE seq = 2', "entry 2"),
        ("UPDATE audit SET actor = 'iemand' WHERE seq = 2", "entry 2"),
        ("DELETE FROM audit WHERE seq = 2", "entry 3"),
        ("DELETE FROM audit WHERE seq = 4", "entries at its end were removed"),
        ("UPDATE audit_kop SET handtekening = NULL", "not signed"),
        ("UPDATE audit_kop SET seq = 3", "signature does not verify"),
        ("UPDATE audit SET seq = seq + 100 WHERE seq = 1", "entry 2"),
    ],
)
def test_verify_detects_every_change_deletion_and_reordering(
    database_url: str, capsys: Cap, sabotage: str, melding: str
) -> None:
    _schrijf(4)
    _sabotage(database_url, sabotage)
    uit = kbi(capsys, "audit", "verify", "--alone")
    assert uit.code == 1
    assert "NOT intact" in uit.err
    assert melding in uit.err


@pytest.mark.usefixtures("home")
def test_verify_detects_a_forged_checkpoint(database_url: str, capsys: Cap) -> None:
    _schrijf(1_000)
    with engine(database_url).begin() as verbinding:
        verbinding.execute(update(AuditCheckpointRow).values(handtekening="00" * 64))
    uit = kbi(capsys, "audit", "verify", "--alone")
    assert uit.code == 1
    assert "signature does not verify" in uit.err


def test_the_keys_live_beside_the_database_not_in_it(home: Path) -> None:
    sleutelmap = home / "keys" / "aii"
    assert list(sleutelmap.glob("insz-hmac-*.key"))
    assert (sleutelmap / "audit-checkpoint.key").stat().st_mode & 0o077 == 0


@pytest.mark.usefixtures("home")
def test_every_thousandth_entry_gets_a_signed_checkpoint(database_url: str, capsys: Cap) -> None:
    settings = load_settings()
    for _ in range(2):  # across transactions: 600 + 600 entries
        with aii_uow(settings) as werk:
            for i in range(600):
                werk.audit.record(
                    gebeurtenis=AuditGebeurtenis.ADVIES_GEGEVEN,
                    actor="vsb",
                    tijdstip=NU,
                    inhoud=_antwoord(f"r-{i}"),
                )
            werk.commit()
    with engine(database_url).connect() as verbinding:
        assert list(verbinding.scalars(select(AuditCheckpointRow.seq))) == [1000]
    assert "1200 entries verified" in kbi(capsys, "audit", "verify", "--alone").out


def _herbereken_keten(database_url: str) -> None:
    """What a forger with write access does after deleting entries: renumber them, recompute
    every hash, and set the head row to the new end (they cannot sign it)."""
    with engine(database_url).begin() as verbinding:
        rijen = list(verbinding.execute(select(AuditRow).order_by(AuditRow.seq)))
        verbinding.execute(text("DELETE FROM audit"))
        vorige = BEGIN_HASH
        for nieuw_seq, rij in enumerate(rijen, start=1):
            h = keten_hash(
                vorige,
                nieuw_seq,
                rij.tijdstip,
                rij.gebeurtenis,
                rij.actor,
                rij.insz_hash,
                rij.inhoud_sha256,
            )
            verbinding.execute(
                insert(AuditRow).values(
                    seq=nieuw_seq,
                    tijdstip=rij.tijdstip,
                    gebeurtenis=rij.gebeurtenis,
                    actor=rij.actor,
                    insz_hash=rij.insz_hash,
                    inhoud=rij.inhoud,
                    inhoud_sha256=rij.inhoud_sha256,
                    vorige_hash=vorige,
                    hash=h,
                )
            )
            vorige = h
        verbinding.execute(update(AuditKopRow).values(seq=len(rijen), hash=vorige))


@pytest.mark.usefixtures("home")
def test_verify_detects_the_last_five_entries_deleted(database_url: str, capsys: Cap) -> None:
    for _ in range(3):
        _schrijf(4)
    assert kbi(capsys, "audit", "verify", "--alone").code == 0
    _sabotage(database_url, "DELETE FROM audit WHERE seq > 7")
    uit = kbi(capsys, "audit", "verify", "--alone")
    assert uit.code == 1
    assert "signed at entry 12, but the log ends at entry 7" in uit.err


@pytest.mark.usefixtures("home")
def test_verify_detects_entries_deleted_and_the_chain_recomputed(
    database_url: str, capsys: Cap
) -> None:
    for _ in range(3):
        _schrijf(4)
    _sabotage(database_url, "DELETE FROM audit WHERE seq IN (5, 6)")
    _herbereken_keten(database_url)
    uit = kbi(capsys, "audit", "verify", "--alone")
    assert uit.code == 1
    assert "the chain's head" in uit.err


@pytest.mark.usefixtures("home")
def test_verify_detects_a_deleted_checkpoint(database_url: str, capsys: Cap) -> None:
    _schrijf(1_005)
    assert kbi(capsys, "audit", "verify", "--alone").code == 0
    _sabotage(database_url, "DELETE FROM audit_checkpoint WHERE seq = 1000")
    uit = kbi(capsys, "audit", "verify", "--alone")
    assert uit.code == 1
    assert "checkpoint 1000: missing" in uit.err
