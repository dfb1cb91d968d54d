"""`kbi users ...` and `--as NAME`: people of a node (SPEC §11, §14)."""

from __future__ import annotations

import getpass
import json
import os
import sys
from datetime import UTC, datetime
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from kbi_exchange.bootstrap import uow
from kbi_exchange.domain.access import Actor, Node
from kbi_exchange.services.users import authenticeer, gebruikers, voeg_gebruiker_toe
from kbi_exchange.settings import load_settings

app = typer.Typer(help="People of a node: roles and passwords (Argon2id).", no_args_is_help=True)
console = Console()


def wachtwoord(vraag: str, *, bevestig: bool = False) -> str:
    """A password from KBI_PASSWORD, else from a hidden prompt; never from an argument."""
    uit_omgeving = os.environ.get("KBI_PASSWORD")
    if uit_omgeving:
        return uit_omgeving
    if not sys.stdin.isatty():
        raise typer.BadParameter("no terminal to ask a password: set KBI_PASSWORD")
    return str(typer.prompt(vraag, hide_input=True, confirmation_prompt=bevestig))


def als(naam: str, node: Node) -> Actor:
    """Authenticate `--as NAME` on a node (their password): the person as an actor. What
    they may do is decided by the use case they call, never here."""
    gebruiker = authenticeer(
        uow=uow(load_settings(), node),
        naam=naam,
        wachtwoord=wachtwoord(f"password for {naam}"),
        nu=datetime.now(UTC),
    )
    return Actor.persoon(gebruiker)


def bestaat(naam: str, node: Node) -> bool:
    """Whether a person of that name has an account on the node (no password asked)."""
    with uow(load_settings(), node) as werk:
        return werk.gebruikers.account(naam) is not None


def actor(als_: str | None, node: Node) -> Actor:
    """Who a command acts as: the person of ``--as`` (authenticated), or else the node's
    operating-system account, recorded as ``os:<name>`` (see `ALLEEN_PERSONEN` for what it
    may not do)."""
    if not als_:
        return Actor.os_account(node, getpass.getuser())
    return als(als_, node)


@app.command("add")
def add(
    naam: Annotated[str, typer.Argument(help="The person's user name.")],
    node: Annotated[Node, typer.Option(help="The node the person works on.")],
    role: Annotated[str, typer.Option(help="The person's role on that node.")],
    zorgkas: Annotated[str | None, typer.Option(help="For a zorgkas-handler: its zorgkas.")] = None,
    json_uit: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
) -> None:
    """Add a person; the password comes from KBI_PASSWORD or a prompt."""
    gebruiker = voeg_gebruiker_toe(
        door=Actor.os_account(node, getpass.getuser()),
        uow=uow(load_settings(), node),
        naam=naam,
        rol=role,
        zorgkas=zorgkas,
        wachtwoord=wachtwoord(f"password for {naam}", bevestig=True),
        nu=datetime.now(UTC),
    )
    if json_uit:
        typer.echo(
            json.dumps(
                {
                    "id": gebruiker.naam,
                    "node": gebruiker.node.value,
                    "rol": gebruiker.rol.value,
                    "zorgkas": gebruiker.zorgkas,
                }
            )
        )
    else:
        typer.echo(gebruiker.naam)


@app.command("list")
def list_(node: Annotated[Node, typer.Option(help="The node.")] = Node.AII) -> None:
    """The people of a node, their roles, and whether they are locked out."""
    nu = datetime.now(UTC)
    tabel = Table(title=f"People of the {node.value.upper()} node")
    for kolom in ("name", "role", "zorgkas", "since", "locked until"):
        tabel.add_column(kolom)
    for rij in gebruikers(uow=uow(load_settings(), node), door=actor(None, node)):
        geblokkeerd = (
            rij.geblokkeerd_tot if rij.geblokkeerd_tot and rij.geblokkeerd_tot > nu else None
        )
        tabel.add_row(
            rij.gebruiker.naam,
            rij.gebruiker.rol.value,
            rij.gebruiker.zorgkas or "",
            f"{rij.aangemaakt_op:%Y-%m-%d}",
            f"{geblokkeerd:%Y-%m-%d %H:%M} UTC" if geblokkeerd else "",
        )
    console.print(tabel)
