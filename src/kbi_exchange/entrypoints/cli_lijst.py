"""`kbi aii list ...`: the yearly list on the AII node (SPEC §8, §14)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from kbi_exchange.bootstrap import aii_uow, mailbox, vault
from kbi_exchange.crash_points import crash_point
from kbi_exchange.domain.access import Node
from kbi_exchange.domain.dates import BRUSSEL
from kbi_exchange.domain.fouten import CmsError
from kbi_exchange.domain.lijst import LijstFout
from kbi_exchange.domain.lijst_staat import Lijst
from kbi_exchange.entrypoints.cli_users import actor, als
from kbi_exchange.services.lijst import alle_lijsten, keur_goed, maak_lijst, toon_lijst
from kbi_exchange.services.lijst_levering import lever_lijst, verwerk_ontvangstbewijs
from kbi_exchange.settings import load_settings

app = typer.Typer(
    help="The yearly list (flow F2): make, approve, deliver, receive, show.", no_args_is_help=True
)
console = Console(stderr=True, soft_wrap=True)
JsonOptie = Annotated[bool, typer.Option("--json", help="Print the result as JSON.")]


def _druk(lijst: Lijst, json_uit: bool) -> None:
    if json_uit:
        typer.echo(json.dumps(lijst.json()))
        return
    tabel = Table(title=f"List {lijst.id} — {lijst.jaar}: {lijst.status}, {lijst.aantal} INSZ")
    for kolom in ("step", "by", "at"):
        tabel.add_column(kolom)
    for status, door, op in lijst.stappen():
        tabel.add_row(status, door or "", op.astimezone(BRUSSEL).isoformat(timespec="seconds"))
    Console().print(tabel)
    typer.echo(f"sha256 of the payload: {lijst.payload_sha256}")
    if lijst.bestand_naam:
        typer.echo(f"file: {lijst.bestand_naam} (sha256 {lijst.bestand_sha256})")


@app.command("make")
def make(
    year: Annotated[int, typer.Option(help="The list's year; reference date YEAR-01-01.")],
    als_: Annotated[str, typer.Option("--as", help="The AII operator making the list.")],
    rectifies: Annotated[
        str | None, typer.Option(help="The id of the year's list this one rectifies.")
    ] = None,
    json_uit: JsonOptie = False,
    workers: Annotated[
        int | None,
        typer.Option(
            min=0, help="Worker processes (default: one per core from 50 000 persons on)."
        ),
    ] = None,
) -> None:
    """Evaluate every dossier on YEAR-01-01 as known now; prints the new list's id."""
    settings = load_settings()
    door = als(als_, Node.AII)
    with console.status("evaluating dossiers…") as status:
        lijst = maak_lijst(
            uow=aii_uow(settings),
            jaar=year,
            door=door,
            nu=datetime.now(UTC),
            producent=settings.aii_identification,
            ontvanger=settings.vsb_identification,
            vervangt=rectifies,
            voortgang=lambda n: status.update(f"evaluating dossiers… {n:,} done"),
            aantal_werkers=workers,
        )
    if json_uit:
        typer.echo(json.dumps(lijst.json()))
    else:
        typer.echo(lijst.id)
        console.print(f"list for {year}: {lijst.aantal} INSZ, waiting for approval")


@app.command("approve")
def approve(
    lijst_id: Annotated[str, typer.Argument(metavar="ID", help="The list to approve.")],
    als_: Annotated[str, typer.Option("--as", help="The AII approver (not the maker).")],
    json_uit: JsonOptie = False,
) -> None:
    """Approve a made list: four eyes, by another person with the approver role."""
    settings = load_settings()
    door = als(als_, Node.AII)
    lijst = keur_goed(
        uow=aii_uow(settings),
        lijst_id=lijst_id,
        door=door,
        nu=datetime.now(UTC),
    )
    _druk(lijst, json_uit)


@app.command("show")
def show(
    lijst_id: Annotated[str, typer.Argument(metavar="ID", help="The list to show.")],
    json_uit: JsonOptie = False,
) -> None:
    """A list's state and each step with who and when (no INSZ)."""
    lijst = toon_lijst(door=actor(None, Node.AII), uow=aii_uow(load_settings()), lijst_id=lijst_id)
    _druk(lijst, json_uit)


@app.command("deliver")
def deliver(
    lijst_id: Annotated[str, typer.Argument(metavar="ID", help="The approved list to deliver.")],
    als_: Annotated[
        str | None,
        typer.Option("--as", help="Deliver as this AII person; else as the OS account."),
    ] = None,
    json_uit: JsonOptie = False,
) -> None:
    """Sign and encrypt an approved list for VSB and put it in the mailbox; rerunnable."""
    settings = load_settings()
    door = actor(als_, Node.AII)
    lijst = lever_lijst(
        uow=aii_uow(settings),
        vault=vault(settings, Node.AII),
        outbox=mailbox(settings),
        lijst_id=lijst_id,
        door=door,
        nu=datetime.now(UTC),
        bestanden_tot=settings.list_files_until,
    )
    _druk(lijst, json_uit)


@app.command("receive")
def receive(
    bestanden: Annotated[
        list[Path] | None,
        typer.Argument(
            metavar="[FILE]...",
            help="Receipts to take in; default: every receipt waiting in the mailbox's aii/in/.",
        ),
    ] = None,
    json_uit: JsonOptie = False,
) -> None:
    """Verify VSB's signed receipts and mark their lists received."""
    settings = load_settings()
    bus = mailbox(settings)
    from_mailbox = not bestanden
    lijsten, geweigerd = [], []
    for bestand in bestanden or bus.waiting("aii", "KBI_VSB_ONTVANGST_*.p7s"):
        try:
            lijst = verwerk_ontvangstbewijs(
                door=actor(None, Node.AII),
                uow=aii_uow(settings),
                vault=vault(settings, Node.AII),
                bestand=bestand.read_bytes(),
                nu=datetime.now(UTC),
            )
        except (LijstFout, CmsError) as fout:  # the others still count; this one stays put
            geweigerd.append(f"{bestand.name}: {fout}")
            continue
        crash_point("list.receive:recorded")
        if from_mailbox:
            bestand.unlink()  # taken in: a party removes what it read from its own in/
        lijsten.append(lijst)
        if not json_uit:
            console.print(f"{bestand.name}: list {lijst.id} ({lijst.jaar}) is {lijst.status}")
    if json_uit:
        typer.echo(json.dumps([lijst.json() for lijst in lijsten]))
    elif not lijsten and not geweigerd:
        console.print("no receipts waiting")
    if geweigerd:
        raise LijstFout(f"{len(geweigerd)} receipt(s) refused; " + "; ".join(geweigerd))


@app.command("all")
def all_(json_uit: JsonOptie = False) -> None:
    """Every list, newest year first, with its state (no INSZ)."""
    lijsten = alle_lijsten(door=actor(None, Node.AII), uow=aii_uow(load_settings()))
    if json_uit:
        typer.echo(json.dumps([lijst.json() for lijst in lijsten]))
        return
    tabel = Table(title="Yearly lists")
    for kolom in ("year", "id", "state", "INSZ", "rectifies"):
        tabel.add_column(kolom)
    for lijst in lijsten:
        tabel.add_row(
            str(lijst.jaar), lijst.id, lijst.status, str(lijst.aantal), lijst.vervangt or ""
        )
    Console().print(tabel)
