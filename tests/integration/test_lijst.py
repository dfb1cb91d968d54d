"""The yearly list on the AII node: make, approve, show (SPEC §8)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import select

from kbi_exchange.adapters.db.aii_models import AuditRow, LijstRow
from kbi_exchange.bootstrap import engine
from tests.conftest import kbi

Cap = pytest.CaptureFixture[str]
JAAR = "2024"


@pytest.fixture
def mensen(home: Path, capsys: Cap, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Synthetic dossiers imported, an operator, a second operator and an approver."""
    monkeypatch.setenv("KBI_PASSWORD", "correct horse battery")
    bestand = home / "dossiers.jsonl"
    for args in (
        ("synth", "dossiers", "--count", "400", "--seed", "11", "--out", str(bestand)),
        ("aii", "import", str(bestand)),
        ("users", "add", "olga", "--node", "aii", "--role", "aii-operator"),
        ("users", "add", "otto", "--node", "aii", "--role", "aii-operator"),
        ("users", "add", "anna", "--node", "aii", "--role", "aii-approver"),
    ):
        assert kbi(capsys, *args).code == 0, args
    return bestand


def _maak(capsys: Cap, *extra: str) -> dict[str, object]:
    uit = kbi(capsys, "aii", "list", "make", "--year", JAAR, "--as", "olga", "--json", *extra)
    assert uit.code == 0, uit
    return dict(json.loads(uit.out))


def _payload(database_url: str, lijst_id: str) -> str:
    with engine(database_url).connect() as verbinding:
        return str(verbinding.scalar(select(LijstRow.payload).where(LijstRow.id == lijst_id)))


@pytest.mark.parametrize("workers", ["0", "2"])
def test_the_list_is_exactly_the_nok_answers_of_decide_for_every_current_dossier(
    mensen: Path, capsys: Cap, database_url: str, workers: str
) -> None:
    lijst = _maak(capsys, "--workers", workers)
    kop, _, romp = _payload(database_url, str(lijst["id"])).partition("\n\n")
    op_lijst = romp.splitlines()
    verwacht = set()
    for regel in mensen.read_text().splitlines():
        insz = json.loads(regel)["insz"]
        uit = kbi(capsys, "aii", "decide", "--insz", insz, "--date", f"{JAAR}-01-01", "--json")
        antwoord = json.loads(uit.out)
        # a replaced INSZ is answered for its successor, who is on the list in its place
        if antwoord["advies"] == "NOK" and "30004" not in antwoord["uitzonderingen"]:
            verwacht.add(insz)
    assert verwacht, "the synthetic data should hold people who do not comply"
    assert op_lijst == sorted(verwacht)
    assert f"aantal: {len(verwacht)}" in kop.splitlines()
    assert kop.splitlines()[0] == "KBI-LIJST 1"
    assert f"referentiedatum: {JAAR}-01-01" in kop.splitlines()


@pytest.mark.parametrize(
    ("jaar", "reden"), [("2021", "first yearly list is for 2022"), ("2099", "not before")]
)
def test_a_year_before_2022_or_still_to_come_is_refused_and_nothing_stored(
    mensen: Path, capsys: Cap, database_url: str, jaar: str, reden: str
) -> None:
    uit = kbi(capsys, "aii", "list", "make", "--year", jaar, "--as", "olga")
    assert uit.code == 1
    assert reden in uit.err
    with engine(database_url).connect() as verbinding:
        assert verbinding.scalar(select(LijstRow.id)) is None


def test_four_eyes_a_second_person_with_the_approver_role_approves(
    mensen: Path, capsys: Cap
) -> None:
    lijst_id = str(_maak(capsys)["id"])
    # the maker, and another operator (who may change KBI data), are both refused
    assert kbi(capsys, "aii", "list", "approve", lijst_id, "--as", "olga").code == 1
    uit = kbi(capsys, "aii", "list", "approve", lijst_id, "--as", "otto")
    assert uit.code == 1
    assert "does not grant kbi:lijst:approve" in uit.err
    uit = kbi(capsys, "aii", "list", "approve", lijst_id, "--as", "anna", "--json")
    assert uit.code == 0, uit
    getoond = json.loads(kbi(capsys, "aii", "list", "show", lijst_id, "--json").out)
    assert getoond["status"] == "goedgekeurd"
    assert [(s["status"], s["door"]) for s in getoond["stappen"]] == [
        ("gemaakt", "olga"),
        ("goedgekeurd", "anna"),
    ]
    # approving again changes nothing
    assert kbi(capsys, "aii", "list", "approve", lijst_id, "--as", "anna").code == 0


def test_a_second_list_for_a_year_is_refused_and_a_rectification_replaces_it(
    mensen: Path, capsys: Cap, database_url: str
) -> None:
    eerste = str(_maak(capsys)["id"])
    uit = kbi(capsys, "aii", "list", "make", "--year", JAAR, "--as", "olga")
    assert uit.code == 1
    assert f"already has list {eerste}" in uit.err
    fout = kbi(capsys, "aii", "list", "make", "--year", JAAR, "--as", "olga", "--rectifies", "x")
    assert fout.code == 1
    assert "not the current list" in fout.err
    tweede = str(_maak(capsys, "--rectifies", eerste)["id"])
    assert f"vervangt: {eerste}" in _payload(database_url, tweede)
    assert kbi(capsys, "aii", "list", "approve", tweede, "--as", "anna").code == 0
    assert json.loads(kbi(capsys, "aii", "list", "show", eerste, "--json").out)["status"] == (
        "vervangen"
    )
    # a list that is replaced cannot be approved or rectified any more
    assert kbi(capsys, "aii", "list", "approve", eerste, "--as", "anna").code == 1
    with engine(database_url).connect() as verbinding:
        gebeurtenissen = list(verbinding.scalars(select(AuditRow.gebeurtenis)))
    assert gebeurtenissen.count("kbi:lijst:make") == 2
    assert gebeurtenissen.count("kbi:lijst:approve") == 1
    assert kbi(capsys, "audit", "verify", "--alone").code == 0
