"""`kbi aii clients ...` and `kbi vsb clients ...`: machine clients of the advice service
(SPEC §7, §14), and of the VSB node's zorgkas API, each bound to one zorgkas."""

from __future__ import annotations

import getpass
import json
from datetime import UTC, datetime
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from kbi_exchange.bootstrap import uow
from kbi_exchange.domain.access import Actor, Node
from kbi_exchange.services.clients import alle_clients, trek_client_in, voeg_client_toe
from kbi_exchange.settings import load_settings

app = typer.Typer(help="Machine clients of the advice service.", no_args_is_help=True)
vsb_app = typer.Typer(
    help="Machine clients of the VSB node's zorgkas API, each bound to one zorgkas.",
    no_args_is_help=True,
)
console = Console()


def _voeg_toe(
    node: Node, naam: str, doelen: list[str], afzender: str | None, zorgkas: str | None
) -> None:
    settings = load_settings()
    client, token = voeg_client_toe(
        uow=uow(settings, node),
        naam=naam,
        doelen=doelen,
        afzender=afzender,
        nu=datetime.now(UTC),
        door=Actor.os_account(node, getpass.getuser()),
        zorgkas=zorgkas,
    )
    uit = {"id": client.id, "client": client.naam, "token": token}
    typer.echo(json.dumps({**uit, "zorgkas": zorgkas} if zorgkas else uit))


def _toon(node: Node) -> None:
    titel = "Clients of the zorgkas API" if node is Node.VSB else "Clients of the advice service"
    tabel = Table(title=titel)
    for kolom in ("name", "id", "purposes", "afzender", "zorgkas", "since", "revoked"):
        tabel.add_column(kolom)
    door = Actor.os_account(node, getpass.getuser())
    for rij in alle_clients(uow=uow(load_settings(), node), door=door):
        tabel.add_row(
            rij.client.naam,
            rij.client.id,
            ",".join(sorted(d.value for d in rij.client.doelen)),
            rij.client.afzender,
            rij.client.zorgkas or "",
            f"{rij.aangemaakt_op:%Y-%m-%d}",
            f"{rij.ingetrokken_op:%Y-%m-%d %H:%M}" if rij.ingetrokken_op else "",
        )
    console.print(tabel)


def _trek_in(node: Node, naam: str) -> None:
    settings = load_settings()
    client = trek_client_in(
        uow=uow(settings, node),
        naam=naam,
        nu=datetime.now(UTC),
        door=Actor.os_account(node, getpass.getuser()),
    )
    typer.echo(client.id)


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
    _voeg_toe(Node.AII, naam, purpose, afzender, None)


@app.command("list")
def list_() -> None:
    """The clients, their purposes and whether they are revoked (never their tokens)."""
    _toon(Node.AII)


@app.command("revoke")
def revoke(naam: Annotated[str, typer.Argument(help="The client's name or id.")]) -> None:
    """Revoke a client: its token stops working at once."""
    _trek_in(Node.AII, naam)


@vsb_app.command("add")
def vsb_add(
    naam: Annotated[str, typer.Argument(help="The client's name.")],
    zorgkas: Annotated[str, typer.Option(help="The one zorgkas whose data it may see.")],
) -> None:
    """Register a zorgkas's client; prints its id and its token, which is shown only now."""
    _voeg_toe(Node.VSB, naam, [], None, zorgkas)


@vsb_app.command("list")
def vsb_list() -> None:
    """The zorgkas clients, their zorgkas and whether they are revoked (never their tokens)."""
    _toon(Node.VSB)


@vsb_app.command("revoke")
def vsb_revoke(naam: Annotated[str, typer.Argument(help="The client's name or id.")]) -> None:
    """Revoke a zorgkas client: its token stops working within a second."""
    _trek_in(Node.VSB, naam)
