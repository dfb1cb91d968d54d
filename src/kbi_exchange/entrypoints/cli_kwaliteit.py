"""`kbi aii report ...` and `kbi vsb report|messages ...`: data quality (SPEC §12, art. 7)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from kbi_exchange.adapters.line_file import dossier_file
from kbi_exchange.bootstrap import aii_client, aii_uow, uow
from kbi_exchange.domain.access import Node
from kbi_exchange.domain.kwaliteit import Melding, Rectificatie
from kbi_exchange.entrypoints.cli_users import actor
from kbi_exchange.services import kwaliteit, vsb_kwaliteit
from kbi_exchange.services.kbi_import import import_dossiers
from kbi_exchange.settings import load_settings

aii_app = typer.Typer(
    help="Data-quality reports received from VSB (art. 7): investigate, correct, close.",
    no_args_is_help=True,
)
vsb_app = typer.Typer(
    help="Data-quality reports to AII (art. 7) and the rectifications that follow.",
    no_args_is_help=True,
)
console = Console(soft_wrap=True, width=None if Console().is_terminal else 160)

Json = Annotated[bool, typer.Option("--json", help="Print the result as JSON.")]
Open = Annotated[bool, typer.Option("--open", help="Only the reports not closed.")]
AiiAls = Annotated[
    str | None,
    typer.Option("--as", help="An aii-operator (kbi:melding:handle); else the OS account."),
]
VsbAls = Annotated[
    str | None,
    typer.Option("--as", help="VSB staff or a zorgkas handler; else the OS account."),
]


def _zeg_rectificatie(r: Rectificatie) -> str:
    if r.oud is not None and r.nieuw is not None:
        return (
            f"  F1 {r.client} referte {r.referte} (datum {r.datum}): "
            f"{r.oud.advies} {r.oud.reden or ''} → {r.nieuw.advies} {r.nieuw.reden or ''}"
        )
    wat = "belongs on" if r.op_lijst else "does not belong on"
    return (
        f"  F2 the person {wat} list {r.jaar} ({r.lijst_id}): rectify it with "
        f"`kbi aii list make --year {r.jaar} --rectifies {r.lijst_id}` (four eyes)"
    )


@aii_app.command("list")
def aii_list(open_: Open = False, als_: AiiAls = None, json_uit: Json = False) -> None:
    """The reports, oldest first, with their 2-week due dates; overdue ones are flagged."""
    nu = datetime.now(UTC)
    alle = kwaliteit.meldingen(
        door=actor(als_, Node.AII), uow=aii_uow(load_settings()), open_=open_
    )
    if json_uit:
        typer.echo(json.dumps([m.json(nu) for m in alle]))
        return
    tabel = Table(title="Data-quality reports from VSB")
    for kolom in ("id", "received", "due", "status", "referte", "description"):
        tabel.add_column(kolom)
    for m in alle:
        due = f"{m.vervalt_op:%Y-%m-%d %H:%M}" + (" OVERDUE" if m.achterstallig(nu) else "")
        tabel.add_row(m.id, f"{m.gemeld_op:%Y-%m-%d}", due, m.status, m.referte or "—",
                      m.omschrijving[:60])  # fmt: skip
    console.print(tabel)
    te_laat = [m for m in alle if m.achterstallig(nu)]
    if te_laat:
        console.print(f"[bold red]warning:[/] {len(te_laat)} report(s) past their 2 weeks (art. 7)")


def _toon(melding: Melding, rectificaties: list[Rectificatie], nu: datetime) -> None:
    console.print(f"{melding.id}: {melding.status}, due {melding.vervalt_op:%Y-%m-%d %H:%M}")
    if melding.achterstallig(nu):
        console.print("[bold red]warning:[/] past its 2 weeks (art. 7)")
    console.print(f"from {melding.gemeld_door}: {melding.omschrijving}", markup=False)
    if melding.bevinding:
        console.print(f"finding: {melding.bevinding}", markup=False)
    for r in rectificaties:
        console.print(_zeg_rectificatie(r), markup=False)


@aii_app.command("show")
def aii_show(
    melding_id: Annotated[str, typer.Argument(metavar="ID")],
    als_: AiiAls = None,
    json_uit: Json = False,
) -> None:
    """One report with its rectifications."""
    nu = datetime.now(UTC)
    melding, rectificaties = kwaliteit.toon(
        door=actor(als_, Node.AII), uow=aii_uow(load_settings()), melding_id=melding_id
    )
    if json_uit:
        typer.echo(
            json.dumps(
                {
                    **melding.json(nu),
                    "rectificaties": [{**r.json(), "client": r.client} for r in rectificaties],
                }
            )
        )
    else:
        _toon(melding, rectificaties, nu)


@aii_app.command("correct")
def aii_correct(
    melding_id: Annotated[str, typer.Argument(metavar="ID")],
    bestand: Annotated[
        Path,
        typer.Argument(
            metavar="FILE",
            help="KBI lines (SPEC §5) for the reported person: the wrong fact again with "
            "ingetrokken_op, the right one registered.",
            exists=True,
            dir_okay=False,
            readable=True,
        ),
    ],
    als_: Annotated[str, typer.Option("--as", help="The aii-operator correcting.")],
    json_uit: Json = False,
) -> None:
    """Import the correction (add-only: withdraw and register, never overwrite), then answer
    every earlier question about the person again and check every list: a rectification for
    each result that changed (F1: fetched by VSB; F2: rectify the list, four eyes)."""
    settings = load_settings()
    door = actor(als_, Node.AII)
    melding, _ = kwaliteit.toon(door=door, uow=aii_uow(settings), melding_id=melding_id)
    kwaliteit.controleer_correctie(bestand, melding)
    geimporteerd = import_dossiers(
        uow=aii_uow(settings), bestand=dossier_file(bestand), door=door, nu=datetime.now(UTC)
    )
    nu = datetime.now(UTC)
    uitkomst = kwaliteit.herbeoordeel(
        uow=aii_uow(settings),
        melding_id=melding_id,
        import_id=geimporteerd.import_id,
        door=door,
        nu=nu,
        lijst_ontvanger=settings.vsb_identification,
    )
    if json_uit:
        typer.echo(json.dumps(uitkomst.json(nu)))
        return
    typer.echo(melding_id)
    console.print(
        f"import {geimporteerd.import_id}: {geimporteerd.feiten_toegevoegd} facts registered, "
        f"{geimporteerd.feiten_ingetrokken} withdrawn; {uitkomst.antwoorden_bekeken} earlier "
        f"answers and {uitkomst.lijsten_bekeken} lists re-evaluated; "
        f"{len(uitkomst.rectificaties)} rectification(s)"
    )
    for r in uitkomst.rectificaties:
        console.print(_zeg_rectificatie(r), markup=False)


@aii_app.command("close")
def aii_close(
    melding_id: Annotated[str, typer.Argument(metavar="ID")],
    bevinding: Annotated[
        str, typer.Option("--finding", help="What AII found and did (VSB reads it).")
    ],
    als_: Annotated[str, typer.Option("--as", help="The aii-operator closing it.")],
    json_uit: Json = False,
) -> None:
    """Close a report with AII's finding: VSB is informed when it next reads its reports."""
    settings = load_settings()
    nu = datetime.now(UTC)
    melding = kwaliteit.sluit(
        uow=aii_uow(settings),
        melding_id=melding_id,
        bevinding=bevinding,
        door=actor(als_, Node.AII),
        nu=nu,
    )
    if json_uit:
        typer.echo(json.dumps(melding.json(nu)))
    else:
        typer.echo(melding.id)
        console.print(f"closed: {melding.bevinding}", markup=False)


@vsb_app.command("add")
def vsb_add(
    omschrijving: Annotated[
        str, typer.Option("--description", help="What is wrong (1 to 2 000 characters).")
    ],
    insz: Annotated[str | None, typer.Option("--insz", help="The person.")] = None,
    aanvraag_id: Annotated[
        str | None,
        typer.Option("--application", help="The application whose answer seems wrong."),
    ] = None,
    als_: VsbAls = None,
    json_uit: Json = False,
) -> None:
    """Report to AII an error in a person's data (art. 7); prints AII's id for it."""
    settings = load_settings()
    door = actor(als_, Node.VSB)
    with aii_client(settings) as bron:
        melding = vsb_kwaliteit.meld(
            uow=uow(settings, Node.VSB),
            bron=bron,
            omschrijving=omschrijving,
            door=door,
            nu=datetime.now(UTC),
            insz=insz,
            aanvraag_id=aanvraag_id,
        )
    if json_uit:
        typer.echo(json.dumps(melding.json()))
    else:
        typer.echo(melding.id)
        console.print(f"AII acts on it by {melding.vervalt_op:%Y-%m-%d %H:%M} UTC (2 weeks)")


@vsb_app.command("list")
def vsb_list(open_: Open = False, json_uit: Json = False) -> None:
    """The reports VSB sent, with AII's state and finding as last read."""
    alle = vsb_kwaliteit.meldingen(
        door=actor(None, Node.VSB), uow=uow(load_settings(), Node.VSB), open_=open_
    )
    if json_uit:
        typer.echo(json.dumps([m.json() for m in alle]))
        return
    for m in alle:
        console.print(
            f"{m.id} {m.gemeld_op:%Y-%m-%d} {m.status} (due {m.vervalt_op:%Y-%m-%d}): "
            f"{m.omschrijving[:60]}" + (f" — finding: {m.bevinding}" if m.bevinding else ""),
            markup=False,
        )


@vsb_app.command("fetch")
def vsb_fetch(als_: VsbAls = None, json_uit: Json = False) -> None:
    """Read AII's handling of the open reports and apply every rectification AII has for
    VSB's questions: the application's decision follows the new answer, its zorgkas gets a
    message. Rerunning applies nothing twice."""
    settings = load_settings()
    door = actor(als_, Node.VSB)
    with aii_client(settings) as bron:
        uit = vsb_kwaliteit.werk_bij(
            uow=uow(settings, Node.VSB),
            bron=bron,
            door=door,
            nu=datetime.now(UTC),
        )
    if json_uit:
        typer.echo(json.dumps(uit.json()))
        return
    for m in uit.meldingen:
        console.print(f"report {m.id}: {m.status}" + (f" — {m.bevinding}" if m.bevinding else ""),
                      markup=False)  # fmt: skip
    for t in uit.toegepast:
        console.print(f"application {t['aanvraag']}: now {t['status']} (rectification "
                      f"{t['rectificatie']}); its zorgkas has a message")  # fmt: skip
    for z in uit.zonder_aanvraag:
        console.print(f"rectification {z['rectificatie']}: no application holds referte "
                      f"{z['referte']} (a check, or purged)")  # fmt: skip
    for m in uit.verstuurd:
        console.print(f"report {m.id}: sent to AII now (due {m.vervalt_op:%Y-%m-%d})")
    for n in uit.niet_gevonden:
        console.print(f"report {n['melding']}: AII does not show it ({n['reden']})", markup=False)
    if not (uit.meldingen or uit.toegepast or uit.zonder_aanvraag or uit.niet_gevonden
            or uit.verstuurd):  # fmt: skip
        console.print("nothing new from AII")


def messages(als_: VsbAls = None, json_uit: Json = False) -> None:
    """The messages to a zorgkas: a decision rectified after AII corrected its data, members
    a rectified list no longer holds (a zorgkas handler: their own zorgkas's; VSB staff:
    all); the look is audited."""
    settings = load_settings()
    door = actor(als_, Node.VSB)
    gevonden = vsb_kwaliteit.berichten(uow=uow(settings, Node.VSB), door=door, nu=datetime.now(UTC))
    if json_uit:
        typer.echo(json.dumps([b.json() for b in gevonden]))
        return
    for b in gevonden:
        wat = (
            f"application {b.aanvraag_id}: {b.inhoud['was']['status']} → "
            f"{b.inhoud['wordt']['status']}"
            if "wordt" in b.inhoud
            else f"{len(b.inhoud.get('inszen', []))} member(s) off the list of "
            f"{b.inhoud.get('jaar')}"
        )
        console.print(f"{b.gemaakt_op:%Y-%m-%d %H:%M} {b.zorgkas} {b.soort}: {wat}", markup=False)
