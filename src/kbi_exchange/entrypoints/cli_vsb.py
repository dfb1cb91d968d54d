"""`kbi vsb ...`: the VSB node's commands (SPEC §9, §14)."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from kbi_exchange.adapters.line_file import member_file
from kbi_exchange.bootstrap import aii_client, mailbox, uow, vault, werk_statistieken_bij
from kbi_exchange.crash_points import crash_point
from kbi_exchange.domain.access import Node
from kbi_exchange.entrypoints.cli_aanvragen import Als, dag
from kbi_exchange.entrypoints.cli_aanvragen import app as aanvraag_app
from kbi_exchange.entrypoints.cli_import import (
    Json,
    Rejects,
    SkipBad,
    Workers,
    controleer_opties,
    voer_uit,
)
from kbi_exchange.entrypoints.cli_users import actor
from kbi_exchange.parameters import premie_bedragen
from kbi_exchange.services import premie
from kbi_exchange.services.aanvraag_controle import vraag_advies
from kbi_exchange.services.leden_import import import_leden
from kbi_exchange.services.lijst_ontvangst import ontvang_lijst
from kbi_exchange.services.verdeling import verdeel
from kbi_exchange.settings import load_settings

app = typer.Typer(help="The VSB node.", no_args_is_help=True)
lijst_app = typer.Typer(help="Yearly lists received from AII.", no_args_is_help=True)
app.add_typer(lijst_app, name="list")
app.add_typer(aanvraag_app, name="application")
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
    door = actor(als_, Node.VSB)
    nu = datetime.now(UTC)
    voer_uit(
        bestand,
        json_uit=json_uit,
        rejects=rejects,
        importeer=lambda voortgang: import_leden(
            uow=uow(settings, Node.VSB),
            bestand=member_file(
                bestand,
                skip_bad=skip_bad,
                rejects=rejects,
                voortgang=voortgang,
                aantal_werkers=workers,
            ),
            door=door,
            nu=nu,
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
        daarna=lambda: werk_statistieken_bij(settings, Node.VSB, ("lid", "lid_versie")),
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
    door = actor(als_, Node.VSB)
    bus = mailbox(settings)
    lijst = ontvang_lijst(
        uow=uow(settings, Node.VSB),
        vault=vault(settings, Node.VSB),
        outbox=bus,
        bestand=bestand.read_bytes(),
        naam=bestand.name,
        door=door,
        nu=datetime.now(UTC),
        vsb=settings.vsb_identification,
        aii=settings.aii_identification,
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


@app.command("check")
def check(
    insz: Annotated[str, typer.Option("--insz", help="The person's INSZ.")],
    datum: Annotated[
        date,
        typer.Option("--date", parser=dag, metavar="YYYY-MM-DD", help="The reference date."),
    ],
    als_: Als = None,
    json_uit: Annotated[bool, typer.Option("--json", help="Print the answer as JSON.")] = False,
) -> None:
    """Ask the AII node again the question of a recorded application: that of this person
    opening on this date (purpose ZORGBUDGET), under its referte, so AII answers from its
    decision record. A question that belongs to no application is refused (protocol art. 3).

    Exits 0 when AII answered, 1 when it refused the question or could not be reached.
    """
    settings = load_settings()
    with aii_client(settings) as bron:
        _, antwoord = vraag_advies(
            uow=uow(settings, Node.VSB),
            bron=bron,
            insz=insz,
            datum=datum,
            door=actor(als_, Node.VSB),
            nu=datetime.now(UTC),
        )
    gegevens = {"insz": insz, "datum": datum.isoformat(), **antwoord.json()}
    if json_uit:
        typer.echo(json.dumps(gegevens))
    elif antwoord.advies is not None:
        reden = antwoord.reden_code
        typer.echo(f"{antwoord.advies} ({reden}: {antwoord.reden_omschrijving})" if reden else "OK")
    if antwoord.advies is None:
        codes = "; ".join(f"{u['identificatie']} {u['diagnose']}" for u in antwoord.uitzonderingen)
        console.print(f"kbi: error: AII refused the question: {codes}")
        raise typer.Exit(1)


@app.command("premium")
def premium(
    insz: Annotated[str, typer.Option("--insz", help="The member's INSZ.")],
    jaar: Annotated[int, typer.Option("--year", help="The premium year (2023 or later).")],
    als_: Als = None,
    json_uit: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
) -> None:
    """Whether a member pays the reduced zorgpremie of a year, the amount, and why."""
    settings = load_settings()
    uitkomst = premie.bepaal(
        uow=uow(settings, Node.VSB),
        insz=insz,
        jaar=jaar,
        bedragen=premie_bedragen(),
        door=actor(als_, Node.VSB),
        nu=datetime.now(UTC),
    )
    if json_uit:
        typer.echo(json.dumps(uitkomst.json()))
        return
    soort = "reduced" if uitkomst.verlaagd else "full"
    typer.echo(f"{uitkomst.bedrag} EUR ({soort} premium {jaar}): {uitkomst.reden}")
    console.print(f"amount source: {uitkomst.bron}")


@lijst_app.command("distribute")
def distribute(
    jaar: Annotated[int, typer.Option("--year", help="The list year to distribute.")],
    als_: Annotated[
        str | None,
        typer.Option("--as", help="Distribute as this VSB operator; else as the OS account."),
    ] = None,
    json_uit: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
) -> None:
    """Send each zorgkas its listed members (VT on 1 January, affiliated today), signed by VSB
    and encrypted to its certificate, into mailbox/zorgkas-<CODE>/in/.

    Rerunning sends nothing twice; a member who moved since is forwarded to the new zorgkas.
    """
    settings = load_settings()
    door = actor(als_, Node.VSB)
    verslag = verdeel(
        uow=uow(settings, Node.VSB),
        vault=vault(settings, Node.VSB),
        outbox=mailbox(settings),
        jaar=jaar,
        door=door,
        nu=datetime.now(UTC),
        vsb=settings.vsb_identification,
        voortgang=(
            (lambda i, n: console.print(f"members looked up: {i}/{n}", end="\r"))
            if console.is_terminal
            else lambda _i, _n: None
        ),
    )
    if json_uit:
        typer.echo(json.dumps(verslag.json()))
        return
    typer.echo(verslag.lijst_id)
    for zending in verslag.nagestuurd:
        console.print(f"sent what an earlier run left: {zending.bestand_naam}")
    t = verslag.toewijzing
    for zending in verslag.zendingen:
        doorgestuurd = t.doorgestuurd.get(zending.zorgkas, 0)
        extra = f" ({doorgestuurd} forwarded after a move)" if doorgestuurd else ""
        console.print(
            f"{zending.zorgkas}: {zending.aantal} members{extra} → {zending.bestand_naam}"
        )
    if not verslag.zendingen:
        console.print("nothing new to send")
    console.print(
        f"not sent: {t.geen_lid} listed INSZ are no member on {verslag.verdeeldag}, "
        f"{t.zonder_vt} members had no VT on {jaar}-01-01, {t.al_verzonden} were sent before"
    )
    if t.van_de_lijst:
        console.print(
            f"{len(t.van_de_lijst)} sent before are no longer on the list (a rectification): "
            "no zorgkas has them now; each zorgkas that had them has a message"
        )
