"""`kbi synth ...`: realistic synthetic data for demos and benchmarks."""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Annotated, Any

import orjson
import typer

from kbi_exchange.services.synth import synth_dossiers, synth_leden

app = typer.Typer(help="Synthetic data with valid INSZ numbers.", no_args_is_help=True)


def _schrijf(lijnen: Iterable[dict[str, Any]], out: Path) -> int:
    """Write import lines as JSON Lines, atomically (a temporary name, then a rename); returns
    the number of lines."""
    tijdelijk = out.with_name(f".{out.name}.tmp")
    regels = 0
    with tijdelijk.open("w", encoding="utf-8", newline="\n") as uit:
        for lijn in lijnen:
            uit.write(json.dumps(lijn, separators=(",", ":")) + "\n")
            regels += 1
    os.replace(tijdelijk, out)
    return regels


def schrijf_dossiers(count: int, seed: int, out: Path) -> int:
    """Write the synthetic dossiers; returns the number of lines."""
    return _schrijf(synth_dossiers(count, seed), out)


def schrijf_leden(count: int, seed: int, out: Path, kbi: Path | None = None) -> int:
    """Write synthetic members (most persons of ``kbi`` among them); returns their number."""
    return _schrijf(synth_leden(count, seed, kbi=_inszen_in(kbi) if kbi else ()), out)


def _inszen_in(bestand: Path) -> Iterator[str]:
    """The INSZ of each line of a KBI import file, read a line at a time."""
    with bestand.open("rb") as regels:
        for nummer, regel in enumerate(regels, start=1):
            if regel.strip():
                try:
                    yield str(orjson.loads(regel)["insz"])
                except (orjson.JSONDecodeError, KeyError, TypeError):
                    raise typer.BadParameter(
                        f"{bestand}: line {nummer} is not a dossier with an insz",
                        param_hint="--kbi",
                    ) from None


@app.command("dossiers")
def dossiers(
    count: Annotated[int, typer.Option(min=1, help="Number of persons.")],
    out: Annotated[Path, typer.Option(help="The JSON Lines file to write.", dir_okay=False)],
    seed: Annotated[int, typer.Option(help="Same seed, same file.")] = 1,
) -> None:
    """KBI dossiers in the import format, in which every rule of SPEC §4 occurs."""
    regels = schrijf_dossiers(count, seed, out)
    typer.echo(f"{regels} lines for {count} persons written to {out}")


@app.command("members")
def members(
    count: Annotated[int, typer.Option(min=1, help="Number of members.")],
    out: Annotated[Path, typer.Option(help="The JSON Lines file to write.", dir_okay=False)],
    seed: Annotated[int, typer.Option(help="Same seed, same file.")] = 1,
    kbi: Annotated[
        Path | None,
        typer.Option(
            help="A KBI dossier file: most of its persons become members (most members are not "
            "in it).",
            exists=True,
            dir_okay=False,
        ),
    ] = None,
) -> None:
    """VSB members in the import format (SPEC §6): the six zorgkassen with plausible shares,
    VT for about one in six, moves between funds, deaths."""
    regels = schrijf_leden(count, seed, out, kbi)
    typer.echo(f"{regels} members written to {out}")
