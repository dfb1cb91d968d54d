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
OPSLAG = ("sqlalchemy", "kbi_exchange.adapters.db")


def _importeert_opslag(pad: Path) -> list[str]:
    gevonden = []
    for knoop in ast.walk(ast.parse(pad.read_text(encoding="utf-8"))):
        modules: list[str] = []
        if isinstance(knoop, ast.Import):
            modules = [alias.name for alias in knoop.names]
        elif isinstance(knoop, ast.ImportFrom) and knoop.module:
            modules = [knoop.module]
        gevonden += [m for m in modules if any(m == o or m.startswith(o + ".") for o in OPSLAG)]
    return gevonden


def test_services_speak_to_storage_through_their_ports_not_sql() -> None:
    overtreders = {
        pad.name: _importeert_opslag(pad)
        for pad in sorted(SERVICES.rglob("*.py"))
        if _importeert_opslag(pad)
    }
    assert overtreders == {}


def test_the_storage_check_catches_every_form_of_import(tmp_path: Path) -> None:
    slecht = tmp_path / "slecht.py"
    slecht.write_text(
        "import sqlalchemy\nfrom sqlalchemy.orm import Session\n"
        "from kbi_exchange.adapters.db.uow import SqlUnitOfWork\n"
        "import kbi_exchange.adapters.db.engine as e\n"
        "from kbi_exchange.adapters.dbx import y\n",  # a sibling name, not the package
        encoding="utf-8",
    )
    assert _importeert_opslag(slecht) == [
        "sqlalchemy",
        "sqlalchemy.orm",
        "kbi_exchange.adapters.db.uow",
        "kbi_exchange.adapters.db.engine",
    ]


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
