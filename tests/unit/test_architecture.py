"""The domain is pure: it imports no I/O library and never reads the clock."""

from __future__ import annotations

import ast
from pathlib import Path

import kbi_exchange.domain

DOMAIN = Path(kbi_exchange.domain.__file__).parent
VERBODEN_MODULES = {
    "os",
    "sys",
    "io",
    "pathlib",
    "shutil",
    "socket",
    "subprocess",
    "sqlite3",
    "time",
    "random",
    "secrets",
    "logging",
    "urllib",
    "http",
    "requests",
    "httpx",
    "sqlalchemy",
    "alembic",
    "fastapi",
    "starlette",
    "uvicorn",
    "typer",
    "rich",
    "yaml",
    "json",
    "importlib",
    "kbi_exchange.adapters",
    "kbi_exchange.services",
    "kbi_exchange.entrypoints",
    "kbi_exchange.parameters",
}
KLOK = {"now", "today", "utcnow", "time", "monotonic", "perf_counter"}
VERBODEN_AANROEPEN = {"open", "input", "print", "exec", "eval"}


def overtredingen(bron: str, naam: str = "<src>") -> list[str]:
    """Every forbidden import, clock read or I/O call in one module's source."""
    gevonden = []
    for knoop in ast.walk(ast.parse(bron)):
        modules: list[str] = []
        if isinstance(knoop, ast.Import):
            modules = [alias.name for alias in knoop.names]
        elif isinstance(knoop, ast.ImportFrom) and knoop.module:
            modules = [knoop.module]
        for module in modules:
            if any(module == v or module.startswith(v + ".") for v in VERBODEN_MODULES):
                gevonden.append(f"{naam}:{getattr(knoop, 'lineno', 0)} imports {module}")
        if isinstance(knoop, ast.Call):
            functie = knoop.func
            if isinstance(functie, ast.Attribute) and functie.attr in KLOK:
                gevonden.append(f"{naam}:{knoop.lineno} reads the clock ({functie.attr})")
            if isinstance(functie, ast.Name) and functie.id in VERBODEN_AANROEPEN:
                gevonden.append(f"{naam}:{knoop.lineno} calls {functie.id}()")
    return gevonden


def test_the_domain_imports_no_io_and_reads_no_clock() -> None:
    gevonden = [
        fout
        for pad in sorted(DOMAIN.rglob("*.py"))
        for fout in overtredingen(pad.read_text(encoding="utf-8"), str(pad.relative_to(DOMAIN)))
    ]
    assert gevonden == []


def test_the_check_catches_io_imports_and_clock_reads() -> None:
    slecht = (
        "import os\nfrom sqlalchemy import select\nfrom datetime import datetime\n"
        "x = datetime.now()\ny = date.today()\nopen('f')\n"
    )
    assert len(overtredingen(slecht)) == 5


SERVICES = Path(kbi_exchange.domain.__file__).parent.parent / "services"
# what a use case must not reach for: SQL, any adapter (storage, CMS, PKI, mailbox, files,
# passwords, processes), the wiring and the entry points: it is given ports (issue 21)
VERBODEN = (
    "sqlalchemy",
    "kbi_exchange.adapters",
    "kbi_exchange.bootstrap",
    "kbi_exchange.entrypoints",
    "kbi_exchange.demo",
)


def _importeert_infrastructuur(pad: Path, pakket: str = "kbi_exchange.services") -> list[str]:
    gevonden = []
    for knoop in ast.walk(ast.parse(pad.read_text(encoding="utf-8"))):
        modules: list[str] = []
        if isinstance(knoop, ast.Import):
            modules = [alias.name for alias in knoop.names]
        elif isinstance(knoop, ast.ImportFrom):
            basis = knoop.module or ""
            if knoop.level:  # relative: from the package the module lives in
                delen = pakket.split(".")[: len(pakket.split(".")) - knoop.level + 1]
                basis = ".".join([*delen, basis] if basis else delen)
            modules = [basis] + [f"{basis}.{alias.name}" for alias in knoop.names]
        gevonden += [m for m in modules if any(m == o or m.startswith(o + ".") for o in VERBODEN)]
    return list(dict.fromkeys(gevonden))


def test_services_reach_storage_and_the_world_through_their_ports_only() -> None:
    overtreders = {
        pad.name: _importeert_infrastructuur(pad)
        for pad in sorted(SERVICES.rglob("*.py"))
        if _importeert_infrastructuur(pad)
    }
    assert overtreders == {}


def test_the_adapter_check_catches_every_form_of_import(tmp_path: Path) -> None:
    slecht = [
        "import sqlalchemy",
        "from sqlalchemy.orm import Session",
        "from kbi_exchange.adapters.db.uow import SqlUnitOfWork",
        "import kbi_exchange.adapters.crypto.cms as e",
        "from ..adapters import mailbox",  # relative, from kbi_exchange.services
        "from kbi_exchange import bootstrap",
        "from kbi_exchange.entrypoints.api import http",
    ]
    goed = [
        "from kbi_exchange.adaptersx import y",  # a sibling name, not the package
        "from kbi_exchange.domain import audit",
        "from .ports import Vault",
    ]
    module = tmp_path / "module.py"
    for regel in slecht + goed:
        module.write_text(regel + "\n", encoding="utf-8")
        assert bool(_importeert_infrastructuur(module)) is (regel in slecht), regel


ENTRYPOINTS = DOMAIN.parent / "entrypoints"
# what deciding who may do what needs; an entry point only authenticates (issue 21)
BESLISSEN = {"Permissie", "PERMISSIES", "OS_PERMISSIES", "mag", "vereis", "vereist", "permissies"}


def beslist_toegang(bron: str) -> list[str]:
    """Every name in a module's source that decides a permission rather than authenticate."""
    return sorted(
        {
            naam
            for knoop in ast.walk(ast.parse(bron))
            for naam in (
                [knoop.id] if isinstance(knoop, ast.Name)
                else [knoop.attr] if isinstance(knoop, ast.Attribute)
                else [a.name for a in knoop.names] if isinstance(knoop, ast.ImportFrom)
                else []
            )
            if naam in BESLISSEN
        }
    )  # fmt: skip


def test_entry_points_authenticate_and_leave_every_permission_to_the_use_case() -> None:
    overtreders = {
        str(pad.relative_to(ENTRYPOINTS)): gevonden
        for pad in sorted(ENTRYPOINTS.rglob("*.py"))
        if (gevonden := beslist_toegang(pad.read_text(encoding="utf-8")))
    }
    assert overtreders == {}


def test_the_permission_check_catches_a_check_in_an_entry_point() -> None:
    bron = (
        "from kbi_exchange.domain.access import Permissie, vereis\n"
        "def f(actor):\n    vereis(actor, Permissie.KBI_LIJST_MAAK)\n"
        "    return Permissie.KBI_LIJST_MAAK in actor.permissies\n"
    )
    assert beslist_toegang(bron) == ["Permissie", "permissies", "vereis"]


def test_the_type_checker_refuses_one_nodes_unit_of_work_in_the_others_use_case(
    tmp_path: Path,
) -> None:
    from mypy import api  # noqa: PLC0415

    proef = tmp_path / "proef.py"
    proef.write_text(
        "from kbi_exchange.adapters.db.uow import SqlAiiUnitOfWork, SqlVsbUnitOfWork\n"
        "from kbi_exchange.services.ports import AanvraagWerk, IncidentWerk, LijstWerk\n"
        "def a(w: SqlAiiUnitOfWork) -> LijstWerk: return w\n"  # 3: AII in AII: fine
        "def b(w: SqlVsbUnitOfWork) -> LijstWerk: return w\n"  # 4: refused
        "def c(w: SqlVsbUnitOfWork) -> AanvraagWerk: return w\n"  # 5: fine
        "def d(w: SqlAiiUnitOfWork) -> AanvraagWerk: return w\n"  # 6: refused
        "def e(w: SqlVsbUnitOfWork) -> IncidentWerk: return w\n",  # 7: both nodes: fine
        encoding="utf-8",
    )
    uit, _, _ = api.run(["--strict", "--no-error-summary", str(proef)])
    fouten = sorted({int(r.split(":")[1]) for r in uit.splitlines() if ": error:" in r})
    assert fouten == [4, 6], uit
