"""Every command of the command line is documented in the README."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer.main

import kbi_exchange
from kbi_exchange.entrypoints.cli import app

README = Path(__file__).parents[2] / "README.md"


def _commands(groep: Any, prefix: str = "kbi") -> list[str]:
    """Every leaf command, e.g. ``kbi aii import`` (the lazy groups made as a user's call would)."""
    namen = []
    ctx = typer.Context(groep)
    for naam in groep.list_commands(ctx):
        command = groep.get_command(ctx, naam)
        if hasattr(command, "commands"):
            namen.extend(_commands(command, f"{prefix} {naam}"))
        else:
            namen.append(f"{prefix} {naam}")
    return namen


def test_every_command_is_in_the_readme() -> None:
    tekst = README.read_text(encoding="utf-8")
    commands = _commands(typer.main.get_group(app))
    assert "kbi aii import" in commands
    for command in commands:
        assert f"`{command}" in tekst, f"{command} is not documented in README.md"


def test_the_readme_opens_with_the_two_commands() -> None:
    begin = README.read_text(encoding="utf-8")[:400]
    assert "make run" in begin
    assert "make test" in begin


def _kaart() -> set[str]:
    """The modules the README's map names, as paths under src/kbi_exchange/."""
    tekst = README.read_text(encoding="utf-8").split("## Layout", 1)[1]
    tekst = tekst.split("src/kbi_exchange/\n", 1)[1].split("\ntests/", 1)[0]
    genoemd, map_ = set(), ""
    for regel in tekst.splitlines():
        inspringing = len(regel) - len(regel.lstrip(" "))
        naam = regel.split()[0] if regel.strip() else ""
        if inspringing == 2 and naam.endswith("/"):
            map_ = naam
        elif inspringing == 2 and naam.endswith(".py"):
            genoemd.add(naam)
        elif inspringing == 4 and naam.endswith(".py"):
            genoemd.add(map_ + naam)
    return genoemd


def test_every_module_is_in_the_readmes_map_and_the_map_names_no_other() -> None:
    bron = Path(kbi_exchange.__file__).parent
    modules = {
        str(p.relative_to(bron))
        for p in bron.rglob("*.py")
        if p.name != "__init__.py" and "migrations" not in p.parts
    }
    kaart = _kaart()
    assert sorted(modules - kaart) == []
    assert sorted(kaart - modules) == []
