"""People of a node: adding them, passwords, lockout and `--as` (SPEC §11, §14)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import select

from kbi_exchange.adapters.db.aii_models import AiiGebruikerRow, ImportRow
from kbi_exchange.bootstrap import engine
from tests.conftest import EXAMPLES, kbi

Cap = pytest.CaptureFixture[str]
WACHTWOORD = "correct horse battery"


@pytest.fixture
def met_wachtwoord(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KBI_PASSWORD", WACHTWOORD)


@pytest.mark.usefixtures("home", "met_wachtwoord")
def test_a_person_is_added_with_an_argon2id_hash_and_listed(database_url: str, capsys: Cap) -> None:
    uit = kbi(capsys, "users", "add", "olga", "--node", "aii", "--role", "aii-operator", "--json")
    assert uit.code == 0, uit
    assert json.loads(uit.out)["id"] == "olga"
    with engine(database_url).connect() as verbinding:
        opgeslagen = verbinding.scalar(select(AiiGebruikerRow.wachtwoord_hash))
    assert opgeslagen is not None
    assert opgeslagen.startswith("$argon2id$")
    assert WACHTWOORD not in opgeslagen
    assert "olga" in kbi(capsys, "users", "list", "--node", "aii").out


@pytest.mark.usefixtures("home", "met_wachtwoord")
@pytest.mark.parametrize(
    ("args", "reden"),
    # every rule of who may exist is tested on fakes (tests/services/test_users.py); here the
    # command line's one-line refusal
    [(["olga", "--node", "aii", "--role", "vsb-operator"], "does not exist on the aii node")],
)
def test_a_person_that_cannot_exist_is_refused_in_one_line(
    args: list[str], reden: str, capsys: Cap
) -> None:
    uit = kbi(capsys, "users", "add", *args)
    assert uit.code == 1
    assert reden in uit.err
    assert uit.err.count("\n") == 1


@pytest.mark.usefixtures("home")
def test_a_short_password_and_a_duplicate_are_refused(
    capsys: Cap, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KBI_PASSWORD", "kort")
    assert (
        "at least 12"
        in kbi(capsys, "users", "add", "olga", "--node", "aii", "--role", "aii-operator").err
    )
    monkeypatch.setenv("KBI_PASSWORD", WACHTWOORD)
    assert kbi(capsys, "users", "add", "olga", "--node", "aii", "--role", "aii-operator").code == 0
    assert (
        "already exists"
        in kbi(capsys, "users", "add", "olga", "--node", "aii", "--role", "aii-approver").err
    )


@pytest.mark.usefixtures("home", "met_wachtwoord")
def test_a_zorgkas_handler_lives_on_the_vsb_node_bound_to_one_zorgkas(capsys: Cap) -> None:
    uit = kbi(
        capsys,
        "users",
        "add",
        "zoe",
        "--node",
        "vsb",
        "--role",
        "zorgkas-handler",
        "--zorgkas",
        "CM",
        "--json",
    )
    assert json.loads(uit.out)["zorgkas"] == "CM"
    assert "zoe" not in kbi(capsys, "users", "list", "--node", "aii").out


@pytest.mark.usefixtures("met_wachtwoord")
def test_import_as_an_operator_records_the_person(
    home: Path, database_url: str, capsys: Cap
) -> None:
    assert kbi(capsys, "users", "add", "olga", "--node", "aii", "--role", "aii-operator").code == 0
    uit = kbi(capsys, "aii", "import", str(EXAMPLES / "dossiers.jsonl"), "--as", "olga", "--json")
    assert uit.code == 0, uit
    with engine(database_url).connect() as verbinding:
        assert verbinding.scalar(select(ImportRow.door)) == "olga"


@pytest.mark.usefixtures("home", "met_wachtwoord")
def test_import_as_an_approver_is_refused_with_the_reason(capsys: Cap) -> None:
    assert kbi(capsys, "users", "add", "anna", "--node", "aii", "--role", "aii-approver").code == 0
    uit = kbi(capsys, "aii", "import", str(EXAMPLES / "dossiers.jsonl"), "--as", "anna")
    assert uit.code == 1
    assert "does not grant kbi:dossier:import" in uit.err


@pytest.mark.usefixtures("home")
def test_without_a_terminal_or_kbi_password_the_command_says_how(
    capsys: Cap, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("KBI_PASSWORD", raising=False)
    uit = kbi(capsys, "users", "add", "olga", "--node", "aii", "--role", "aii-operator")
    assert uit.code == 2
    assert "KBI_PASSWORD" in uit.err


@pytest.mark.usefixtures("home", "met_wachtwoord")
def test_every_command_acting_as_a_person_checks_that_persons_permission(capsys: Cap) -> None:
    for naam, rol in (("olga", "aii-operator"), ("anna", "aii-approver"), ("dora", "aii-dpo")):
        assert kbi(capsys, "users", "add", naam, "--node", "aii", "--role", rol).code == 0
    onbekend = "6f1c7a56-1111-4c4c-8888-000000000000"
    gevallen = [
        (("audit", "verify", "--alone", "--node", "aii"), "dora", "anna", "audit:log:verify"),
        (("audit", "search", "--insz", "85073003328"), "dora", "olga", "kbi:audit:search"),
        (("aii", "decision", "show", onbekend), "olga", "anna", "kbi:advies:view"),
    ]
    for args, mag, mag_niet, permissie in gevallen:
        geweigerd = kbi(capsys, *args, "--as", mag_niet)
        assert geweigerd.code == 1, args
        assert f"does not grant {permissie}" in geweigerd.err
        toegelaten = kbi(capsys, *args, "--as", mag)
        assert "does not grant" not in toegelaten.err, args
        assert toegelaten.code == (1 if args[1] == "decision" else 0), toegelaten
    assert f"no decision {onbekend}" in kbi(capsys, "aii", "decision", "show", onbekend).err
