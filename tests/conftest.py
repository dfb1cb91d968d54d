"""Shared test helpers: the examples of the spec (project copy) and an in-memory KBI."""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psycopg
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from kbi_exchange.adapters.crypto import pki
from kbi_exchange.bootstrap import init_home, sluit_engines
from kbi_exchange.entrypoints.cli import main
from tests.fakes import InMemoryKbi

_SLEUTELS: dict[str, rsa.RSAPrivateKey] = {}


@pytest.fixture(autouse=True, scope="session")
def _een_sleutel_per_partij() -> Iterator[None]:
    """Every test home's development PKI reuses one RSA key per party: each costs ~60 ms.

    Certificates are made per home, but with the same keys one home's CA would vouch for
    another's: tests of trust make their own keys (see tests/unit/test_cms.py).
    """
    echte = pki.nieuwe_sleutel

    def uit_voorraad(naam: str) -> rsa.RSAPrivateKey:
        if naam not in _SLEUTELS:
            _SLEUTELS[naam] = echte(naam)
        return _SLEUTELS[naam]

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(pki, "nieuwe_sleutel", uit_voorraad)
        yield


DATA = Path(__file__).parent / "data"
EXAMPLES = DATA / "examples"
# The moment the examples are loaded and asked "as known now"; passed in, never read from a clock.
NU = datetime(2026, 1, 15, 12, 0, tzinfo=UTC)


def example_cases() -> list[dict[str, Any]]:
    with (EXAMPLES / "expected.jsonl").open(encoding="utf-8") as regels:
        return [json.loads(regel) for regel in regels if regel.strip()]


@pytest.fixture
def example_kbi() -> InMemoryKbi:
    kbi = InMemoryKbi()
    with (EXAMPLES / "dossiers.jsonl").open(encoding="utf-8") as regels:
        kbi.laad_jsonl(regels, opgenomen_op=NU)
    return kbi


def assert_matches_expected(antwoord: dict[str, Any], verwacht: dict[str, Any]) -> None:
    """Compare as examples/README.md says: redenen as a set, uitzonderingen must be present."""
    for veld, waarde in verwacht.items():
        if veld == "redenen":
            assert set(antwoord["redenen"]) == set(waarde), veld
        elif veld == "uitzonderingen":
            if waarde == []:
                assert antwoord["uitzonderingen"] == [], veld
            assert set(waarde) <= set(antwoord["uitzonderingen"]), veld
        else:
            assert antwoord[veld] == waarde, veld


# --- databases: every store test runs on SQLite and on PostgreSQL -------------------------

PG_SERVER = os.environ.get("KBI_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432")


def _pg_beheer() -> psycopg.Connection[Any]:
    return psycopg.connect(
        PG_SERVER.replace("postgresql+psycopg", "postgresql") + "/test",
        autocommit=True,
        connect_timeout=3,
    )


def pg_beschikbaar() -> str | None:
    """None when PostgreSQL answers, else why not."""
    try:
        with _pg_beheer():
            return None
    except Exception as fout:
        return f"{type(fout).__name__}: {fout}"


def vereis_pg() -> None:
    """Under CI a missing PostgreSQL fails the test; locally it skips with the reason."""
    reden = pg_beschikbaar()
    if reden is None:
        return
    bericht = f"PostgreSQL at {PG_SERVER} is needed: {reden}"
    if os.environ.get("CI") == "true":
        pytest.fail(bericht)
    pytest.skip(bericht)


@contextmanager
def _pg_database() -> Iterator[str]:
    vereis_pg()
    naam = f"kbi_test_{uuid.uuid4().hex[:12]}"
    with _pg_beheer() as verbinding:
        verbinding.execute(f'CREATE DATABASE "{naam}"')
    try:
        yield f"{PG_SERVER}/{naam}"
    finally:
        sluit_engines()
        with _pg_beheer() as verbinding:
            verbinding.execute(f'DROP DATABASE IF EXISTS "{naam}" WITH (FORCE)')


@pytest.fixture
def pg_url() -> Iterator[str]:
    """A fresh, empty PostgreSQL database for one test, dropped afterwards."""
    with _pg_database() as url:
        yield url


@pytest.fixture
def vsb_database_url(database_url: str, tmp_path: Path) -> Iterator[str]:
    """The VSB node's own database, of the same kind as the AII one: never the same database."""
    if database_url.startswith("sqlite"):
        yield f"sqlite:///{tmp_path / 'vsb.db'}"
        return
    with _pg_database() as url:
        yield url


@pytest.fixture
def twee_nodes(
    tmp_path: Path, database_url: str, vsb_database_url: str, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Path]:
    """An initialised home with both nodes, each on its own database of the parametrised kind."""
    monkeypatch.setenv("KBI_VSB_DATABASE_URL", vsb_database_url)
    pad = tmp_path / "home"
    monkeypatch.setenv("KBI_HOME", str(pad))
    monkeypatch.setenv("KBI_AII_DATABASE_URL", database_url)
    init_home(pad)
    yield pad
    sluit_engines()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'aii.db'}"
    return str(request.getfixturevalue("pg_url"))


@pytest.fixture
def home(tmp_path: Path, database_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """An initialised home whose AII database is the parametrised one."""
    pad = tmp_path / "home"
    monkeypatch.setenv("KBI_HOME", str(pad))
    monkeypatch.setenv("KBI_AII_DATABASE_URL", database_url)
    init_home(pad)
    yield pad
    sluit_engines()


@dataclass
class Uitvoer:
    code: int
    out: str
    err: str


def kbi(capsys: pytest.CaptureFixture[str], *args: str) -> Uitvoer:
    """Run the `kbi` command line in-process, as a user would, and capture what it says."""
    capsys.readouterr()
    try:
        main(list(args))
        code = 0
    except SystemExit as einde:
        code = int(einde.code or 0)
    uit = capsys.readouterr()
    return Uitvoer(code, uit.out, uit.err)


def stel_in(home: Path, *vervangingen: tuple[str, str]) -> None:
    """Change lines of a home's settings.toml as an operator would; each line to change must be
    there, so that a renamed setting cannot turn a test's set-up into nothing."""
    bestand = home / "settings.toml"
    tekst = bestand.read_text(encoding="utf-8")
    for oud, nieuw in vervangingen:
        assert oud in tekst, f"settings.toml has no line {oud!r}"
        tekst = tekst.replace(oud, nieuw)
    bestand.write_text(tekst, encoding="utf-8")
