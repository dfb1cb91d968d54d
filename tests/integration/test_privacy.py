"""What must never leak: INSZ into logs and error messages, personal data into world-readable
files, demo data into a production home (SPEC §11)."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

from kbi_exchange.bootstrap import engine, sluit_engines
from tests.conftest import EXAMPLES, kbi, stel_in

Cap = pytest.CaptureFixture[str]


def _inszen() -> set[str]:
    regels = (EXAMPLES / "dossiers.jsonl").read_text(encoding="utf-8").splitlines()
    return {json.loads(r)["insz"] for r in regels if r.strip()}


def test_a_database_error_names_no_insz(home: Path, database_url: str, capsys: Cap) -> None:
    assert engine(database_url).hide_parameters
    with engine(database_url).begin() as verbinding:
        verbinding.execute(text("DROP TABLE dossierveld"))
    uit = kbi(capsys, "aii", "import", str(EXAMPLES / "dossiers.jsonl"))
    assert uit.code == 1
    assert "the database could not do this" in uit.err
    assert not [insz for insz in _inszen() if insz in uit.err + uit.out]


@pytest.fixture
def lege_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A home path on the embedded SQLite default, not yet made."""
    monkeypatch.delenv("KBI_AII_DATABASE_URL", raising=False)
    monkeypatch.delenv("KBI_VSB_DATABASE_URL", raising=False)
    pad = tmp_path / "home"
    monkeypatch.setenv("KBI_HOME", str(pad))
    yield pad
    sluit_engines()


def test_the_home_and_its_databases_are_readable_by_their_owner_only(
    lege_home: Path, capsys: Cap
) -> None:
    vorige = os.umask(0o022)  # a shell's usual umask: world-readable by default
    try:
        assert kbi(capsys, "init").code == 0
        assert kbi(capsys, "aii", "import", str(EXAMPLES / "dossiers.jsonl")).code == 0
    finally:
        os.umask(vorige)
    assert lege_home.stat().st_mode & 0o077 == 0
    bestanden = [lege_home / n for n in ("aii.db", "aii.db-wal", "vsb.db")]
    for bestand in bestanden:
        assert bestand.exists(), bestand
        assert bestand.stat().st_mode & 0o077 == 0, f"{bestand.name} is readable by others"


def test_the_demo_refuses_a_production_home_and_adds_nothing(lege_home: Path, capsys: Cap) -> None:
    assert kbi(capsys, "init").code == 0
    stel_in(lege_home, ('environment = "development"', 'environment = "production"'))
    uit = kbi(capsys, "demo", "--no-serve")
    assert uit.code == 1
    assert "runs only in a development home" in uit.err
    assert "demo" not in kbi(capsys, "users", "list", "--node", "aii").out
    assert kbi(capsys, "aii", "clients", "list").out.count("demo") == 0
    assert not (lege_home / "demo").exists()
