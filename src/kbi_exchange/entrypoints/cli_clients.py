"""`kbi aii clients ...`: machine clients of the advice service (SPEC §7, §14)."""

from __future__ import annotations

import getpass
import json
from datetime import UTC, datetime
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from kbi_exchange.bootstrap import aii_uow, keys
from kbi_exchange.services.clients import alle_clients, trek_client_in, voeg_client_toe
from kbi_exchange.settings import load_settings

app = typer.Typer(help="Machine clients of the advice service.", no_args_is_help=True)
console = Console()


@app.command("add")
def add(
    naam: Annotated[str, typer.Argument(help="The client's name.")],
    purpose: Annotated[
        list[str],
        typer.Option(help="A purpose it may ask for (repeatable): ZORGBUDGET, VERLAAGDE_PREMIE."),
    ],
    afzender: Annotated[
        str | None, typer.Option(help="Its MAGDA Afzender identification (default: its name).")
    ] = None,
) -> None:
    """Register a client; prints its id and its token, which is shown only now."""
    settings = load_settings()
    client, token = voeg_client_toe(
        uow=aii_uow(settings),
        keys=keys(settings),
        naam=naam,
        doelen=purpose,
        afzender=afzender,
        nu=datetime.now(UTC),
        door=f"os:{getpass.getuser()}",
    )
    typer.echo(json.dumps({"id": client.id, "client": client.naam, "token": token}))


@app.command("list")
def list_() -> None:
    """The clients, their purposes and whether they are revoked (never their tokens)."""
    tabel = Table(title="Clients of the advice service")
    for kolom in ("name", "id", "purposes", "afzender", "since", "revoked"):
        tabel.add_column(kolom)
    for rij in alle_clients(uow=aii_uow(load_settings())):
        tabel.add_row(
            rij.client.naam,
            rij.client.id,
            ",".join(sorted(d.value for d in rij.client.doelen)),
            rij.client.afzender,
            f"{rij.aangemaakt_op:%Y-%m-%d}",
            f"{rij.ingetrokken_op:%Y-%m-%d %H:%M}" if rij.ingetrokken_op else "",
        )
    console.print(tabel)


@app.command("revoke")
def revoke(naam: Annotated[str, typer.Argument(help="The client's name or id.")]) -> None:
    """Revoke a client: its token stops working at once."""
    settings = load_settings()
    client = trek_client_in(
        uow=aii_uow(settings),
        keys=keys(settings),
        naam=naam,
        nu=datetime.now(UTC),
        door=f"os:{getpass.getuser()}",
    )
    typer.echo(client.id)
