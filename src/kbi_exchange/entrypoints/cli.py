"""The `kbi` command line (SPEC §14)."""

from __future__ import annotations

from datetime import UTC, datetime

import typer
from rich.console import Console
from rich.table import Table

from kbi_exchange.domain.rules import REGELS
from kbi_exchange.entrypoints.demo import run_demo
from kbi_exchange.parameters import standaard_parameters

app = typer.Typer(
    help="kbi-exchange: the KBI → VSB civic-integration data exchange (AII and VSB nodes).",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
console = Console()


@app.command()
def demo() -> None:
    """Run the demo: the rules engine on the example dossiers, with explanations."""
    raise typer.Exit(run_demo(console, nu=datetime.now(UTC)))


@app.command()
def rules() -> None:
    """List the rules with their legal basis, and the parameters with their sources."""
    regels = Table(title="Rules (SPEC §4)", show_lines=True)
    for kolom in ("Rule", "What the law requires", "Legal basis", "Regimes"):
        regels.add_column(kolom)
    for regel in REGELS:
        regels.add_row(
            regel.naam,
            regel.omschrijving,
            regel.wettelijke_basis,
            ", ".join(sorted(r.value for r in regel.regimes)),
        )
    console.print(regels)
    parameters = standaard_parameters()
    tabel = Table(title=f"Parameters (version {parameters.versie})", show_lines=True)
    for kolom in ("Parameter", "From", "Value", "Source"):
        tabel.add_column(kolom)
    for naam, parameter in sorted(parameters.parameters.items()):
        for waarde in parameter.waarden:
            bron = (
                waarde.bron
                if waarde.publieke_bron
                else f"[yellow]NO PUBLIC SOURCE[/] {waarde.bron}"
            )
            tabel.add_row(naam, waarde.vanaf.isoformat(), str(waarde.waarde), bron)
    console.print(tabel)


def main() -> None:
    app()
