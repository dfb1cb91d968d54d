"""`kbi vsb ...`: the VSB node's commands (SPEC §9, §14)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from kbi_exchange.bootstrap import keys, mailbox, pki, uow
from kbi_exchange.crash_points import crash_point
from kbi_exchange.domain.access import Node, Permissie
from kbi_exchange.entrypoints.cli_import import (
    Json,
    Rejects,
    SkipBad,
    Workers,
    controleer_opties,
    voer_uit,
)
from kbi_exchange.entrypoints.cli_users import actor
from kbi_exchange.services.leden_import import import_leden
from kbi_exchange.services.lijst_ontvangst import ontvang_lijst
from kbi_exchange.settings import load_settings

app = typer.Typer(help="The VSB node.", no_args_is_help=True)
lijst_app = typer.Typer(help="Yearly lists received from AII.", no_args_is_help=True)
app.add_typer(lijst_app, name="list")
console = Console(stderr=True, soft_wrap=True)


@app.command("import")
def import_(
    bestand: Annotated[
        Path,
        typer.Argument(
            metavar="FILE",
            help="JSON Lines file of members (SPEC §6).",
            exists=True,
            dir_okay=False,
            readable=True,
        ),
    ],
    skip_bad: SkipBad = False,
    rejects: Rejects = None,
    json_uit: Json = False,
    als_: Annotated[
        str | None,
        typer.Option("--as", help="Import as this VSB operator; else as the OS account."),
    ] = None,
    workers: Workers = None,
) -> None:
    """Import the member registry: validated, all or nothing unless --skip-bad; a line
    replaces what VSB knew of that member, earlier versions are kept."""
    controleer_opties(skip_bad, rejects)
    settings = load_settings()
    door = actor(als_, Node.VSB, Permissie.VSB_LEDEN_IMPORTEER)
    nu = datetime.now(UTC)
    voer_uit(
        bestand,
        json_uit=json_uit,
        rejects=rejects,
        importeer=lambda voortgang: import_leden(
            uow=uow(settings, Node.VSB),
            keys=keys(settings, Node.VSB),
            bestand=bestand,
            door=door,
            nu=nu,
            skip_bad=skip_bad,
            rejects=rejects,
            voortgang=voortgang,
            aantal_werkers=workers,
        ),
        samenvatting=lambda r: {
            "leden_nieuw": r.leden_nieuw,
            "leden_gewijzigd": r.leden_gewijzigd,
            "leden_ongewijzigd": r.leden_ongewijzigd,
        },
        zin=lambda r: (
            f"{r.leden_nieuw} new members, {r.leden_gewijzigd} changed, "
            f"{r.leden_ongewijzigd} unchanged"
        ),
    )


@lijst_app.command("ingest")
def ingest(
    bestand: Annotated[
        Path,
        typer.Argument(
            metavar="FILE",
            help="A KBI_VSB_LIJST_<jaar>_<ts>.p7m file.",
            exists=True,
            dir_okay=False,
        ),
    ],
    als_: Annotated[
        str | None,
        typer.Option("--as", help="Ingest as this VSB operator; else as the OS account."),
    ] = None,
    json_uit: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
) -> None:
    """Decrypt, verify and store a yearly list, then send AII the signed receipt.

    A file taken from the mailbox's vsb/in/ is removed from there once it is in.
    """
    settings = load_settings()
    door = actor(als_, Node.VSB, Permissie.VSB_LIJST_ONTVANG)
    bus = mailbox(settings)
    lijst = ontvang_lijst(
        uow=uow(settings, Node.VSB),
        keys=keys(settings, Node.VSB),
        pki=pki(settings),
        mailbox=bus,
        bestand=bestand.read_bytes(),
        naam=bestand.name,
        door=door,
        nu=datetime.now(UTC),
        vsb=settings.vsb_identificatie,
        aii=settings.aii_identificatie,
    )
    crash_point("list.ingest:done")
    if bestand.resolve().parent == bus.folder("vsb", "in").resolve():
        bestand.unlink(missing_ok=True)
    if json_uit:
        typer.echo(json.dumps(lijst.json()))
        return
    typer.echo(lijst.id)
    if lijst.al_ontvangen:
        console.print(f"list {lijst.id} ({lijst.jaar}) was already in; nothing stored again")
    else:
        console.print(
            f"list {lijst.id} for {lijst.jaar}: {lijst.aantal} INSZ stored; "
            f"receipt {lijst.ontvangstbewijs} sent"
        )
