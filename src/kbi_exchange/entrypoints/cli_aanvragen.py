"""`kbi vsb application ...`: care-budget applications (SPEC §9, §14)."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from kbi_exchange.bootstrap import aii_client, uow
from kbi_exchange.domain.aanvraag import Aanvraag, AanvraagStatus
from kbi_exchange.domain.access import Node
from kbi_exchange.domain.dates import OngeldigeTijd, datum_uit_tekst
from kbi_exchange.entrypoints.cli_users import actor
from kbi_exchange.schemas import zorgkas_codes, zorgkas_namen
from kbi_exchange.services import aanvragen
from kbi_exchange.settings import load_settings

app = typer.Typer(
    help="Care-budget applications: recorded, advised by AII, decided.", no_args_is_help=True
)
console = Console(stderr=True, soft_wrap=True)


def dag(waarde: str) -> date:
    """A ``YYYY-MM-DD`` option, or a usage error naming it."""
    try:
        return datum_uit_tekst(waarde)
    except OngeldigeTijd as fout:
        raise typer.BadParameter(f"{waarde!r}: {fout}") from None


Als = Annotated[
    str | None,
    typer.Option(
        "--as",
        help="Act as this person (a zorgkas handler sees their zorgkas only); else the OS account.",
    ),
]
Json = Annotated[bool, typer.Option("--json", help="Print the result as JSON.")]


def _nu() -> datetime:
    return datetime.now(UTC)


def _json(aanvraag: Aanvraag) -> dict[str, object]:
    return aanvraag.json(zorgkas_namen().get(aanvraag.zorgkas, aanvraag.zorgkas))


def _zeg(aanvraag: Aanvraag) -> None:
    """One line on how the application stands, and the letter of a refusal."""
    if aanvraag.status is AanvraagStatus.TOEGEKEND:
        waarom = (
            f"the condition does not apply ({aanvraag.niet_gevraagd}); AII was not asked"
            if aanvraag.niet_gevraagd
            else "AII: OK"
        )
        console.print(f"{aanvraag.id}: toegekend — {waarom}")
    elif aanvraag.status is AanvraagStatus.GEWEIGERD:
        console.print(f"{aanvraag.id}: geweigerd — AII: NOK ({aanvraag.reden_code})")
        console.print(_json(aanvraag)["brief"])
    elif aanvraag.status is AanvraagStatus.WACHT_OP_BRON:
        console.print(
            f"{aanvraag.id}: wacht_op_bron — AII could not answer; "
            "`kbi vsb application retry` asks again with the same referte"
        )
    else:
        codes = ", ".join(f"{u['identificatie']} {u['diagnose']}" for u in aanvraag.uitzonderingen)
        console.print(f"{aanvraag.id}: vraag_geweigerd — AII refused the question: {codes}")


@app.command("add")
def add(
    insz: Annotated[str, typer.Option("--insz", help="The applicant's INSZ.")],
    opening: Annotated[
        date, typer.Option(parser=dag, metavar="YYYY-MM-DD", help="The opening of the right.")
    ],
    zorgkas: Annotated[str, typer.Option(help="The zorgkas that handles the application.")],
    als_: Als = None,
    json_uit: Json = False,
) -> None:
    """Record an application, ask AII (not for an applicant under 18), and decide."""
    settings = load_settings()
    door = actor(als_, Node.VSB)
    with aii_client(settings) as bron:
        aanvraag = aanvragen.dien_in(
            uow=uow(settings, Node.VSB),
            bron=bron,
            insz=insz,
            opening=opening,
            zorgkas=zorgkas,
            zorgkassen=zorgkas_codes(),
            door=door,
            nu=_nu,
        )
    if json_uit:
        typer.echo(json.dumps(_json(aanvraag)))
    else:
        typer.echo(aanvraag.id)
        _zeg(aanvraag)


@app.command("end")
def end(
    aanvraag_id: Annotated[str, typer.Argument(metavar="ID", help="The application.")],
    datum: Annotated[
        date,
        typer.Option("--date", parser=dag, metavar="YYYY-MM-DD", help="The last day."),
    ],
    reden: Annotated[
        str | None, typer.Option("--reason", help="Why it ends: death, end of the right, ...")
    ] = None,
    als_: Als = None,
    json_uit: Json = False,
) -> None:
    """Record the end of the zorgbudget: the 5-year retention clock starts (SPEC §10)."""
    settings = load_settings()
    aanvraag = aanvragen.beeindig(
        uow=uow(settings, Node.VSB),
        aanvraag_id=aanvraag_id,
        einde=datum,
        reden=reden,
        door=actor(als_, Node.VSB),
        nu=_nu(),
    )
    if json_uit:
        typer.echo(json.dumps(_json(aanvraag)))
        return
    typer.echo(aanvraag.id)
    bewaren = aanvraag.bewaren_tot.isoformat() if aanvraag.bewaren_tot else "?"
    console.print(f"ended on {datum.isoformat()}; its answer is kept until {bewaren}")


@app.command("show")
def show(
    aanvraag_id: Annotated[str, typer.Argument(metavar="ID", help="The application.")],
    als_: Als = None,
    json_uit: Json = False,
) -> None:
    """One application: AII's answer, the decision, the letter of a refusal, retention."""
    settings = load_settings()
    aanvraag = aanvragen.toon(
        uow=uow(settings, Node.VSB),
        aanvraag_id=aanvraag_id,
        door=actor(als_, Node.VSB),
        nu=_nu(),
    )
    gegevens = _json(aanvraag)
    if json_uit:
        typer.echo(json.dumps(gegevens))
        return
    for veld, waarde in gegevens.items():
        if veld != "brief" and waarde not in (None, []):
            typer.echo(f"{veld:>14}: {waarde}")
    if gegevens["brief"]:
        typer.echo(f"\n{gegevens['brief']}")


@app.command("list")
def list_(
    zorgkas: Annotated[str | None, typer.Option(help="Only this zorgkas's applications.")] = None,
    waiting: Annotated[
        bool, typer.Option("--waiting", help="Only those not decided (waiting for AII).")
    ] = False,
    als_: Als = None,
    json_uit: Json = False,
) -> None:
    """The applications, oldest first (a zorgkas handler sees their zorgkas's only)."""
    settings = load_settings()
    gevonden = aanvragen.overzicht(
        uow=uow(settings, Node.VSB),
        zorgkas=zorgkas,
        onbeslist=waiting,
        door=actor(als_, Node.VSB),
        nu=_nu(),
    )
    if json_uit:
        typer.echo(json.dumps({"aanvragen": [_json(a) for a in gevonden]}))
        return
    tabel = Table(title=f"{len(gevonden)} applications")
    for kolom in ("id", "zorgkas", "opening", "status", "reden", "ends", "kept until"):
        tabel.add_column(kolom, no_wrap=kolom != "reden")
    for a in gevonden:
        tabel.add_row(
            a.id,
            a.zorgkas,
            a.opening.isoformat(),
            a.status.value,
            a.reden_code or a.niet_gevraagd or "",
            a.einde.isoformat() if a.einde else "",
            a.bewaren_tot.isoformat() if a.bewaren_tot else "",
        )
    Console(width=None if console.is_terminal else 160).print(tabel)


@app.command("retry")
def retry(als_: Als = None, json_uit: Json = False) -> None:
    """Ask AII again, with the same referte, about every application waiting for it.

    Exits 1 when AII still cannot answer (the rest keep waiting for a later retry).
    """
    settings = load_settings()
    door = actor(als_, Node.VSB)
    with aii_client(settings) as bron:
        herhaling = aanvragen.herhaal_wachtende(
            uow=uow(settings, Node.VSB),
            bron=bron,
            door=door,
            nu=_nu,
            voortgang=(
                (lambda i, n: console.print(f"asked {i}/{n}", end="\r"))
                if console.is_terminal
                else lambda _i, _n: None
            ),
        )
    wacht = herhaling.niet_gevraagd + sum(
        1 for a in herhaling.gevraagd if a.status is AanvraagStatus.WACHT_OP_BRON
    )
    if json_uit:
        typer.echo(
            json.dumps(
                {
                    "gevraagd": len(herhaling.gevraagd),
                    "beslist": herhaling.beslist,
                    "wacht_op_bron": wacht,
                    "aanvragen": [_json(a) for a in herhaling.gevraagd],
                }
            )
        )
    else:
        for aanvraag in herhaling.gevraagd:
            _zeg(aanvraag)
        console.print(
            f"{len(herhaling.gevraagd)} asked, {herhaling.beslist} decided, {wacht} still waiting"
        )
    if wacht:
        console.print(f"kbi: error: {wacht} applications still wait for AII; retry later")
        raise typer.Exit(1)
