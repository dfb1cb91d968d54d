"""The demo's VSB node: the list distributed, applications over HTTP (some under 18, some
waiting while AII is briefly stopped, then answered), and a summary per zorgkas."""

from __future__ import annotations

import getpass
import time
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path

import httpx
import orjson
from rich.console import Console
from rich.table import Table

from kbi_exchange.bootstrap import aii_client, mailbox, uow, vault
from kbi_exchange.demo.server import DemoServer
from kbi_exchange.domain.access import Actor, Node
from kbi_exchange.schemas import zorgkas_codes
from kbi_exchange.services import aanvragen
from kbi_exchange.services import verdeling as verdeling_
from kbi_exchange.services.clients import voeg_client_toe
from kbi_exchange.services.synth import insz_geboren
from kbi_exchange.services.verdeling import Verdeling, verdeel
from kbi_exchange.settings import Settings, zet_instellingen

PER_ZORGKAS = 3  # applications per zorgkas while AII serves
WACHTEND = 2  # applications made while AII is stopped


def verdeel_lijst(console: Console, settings: Settings, jaar: int, nu: datetime) -> Verdeling:
    """The year's list to the six zorgkassen; a rerun sends nothing twice."""
    verslag = verdeel(
        uow=uow(settings, Node.VSB),
        vault=vault(settings, Node.VSB),
        outbox=mailbox(settings),
        jaar=jaar,
        door=VSB,
        nu=nu,
        vsb=settings.vsb_identification,
    )
    t = verslag.toewijzing
    nieuw = ", ".join(f"{z.zorgkas} {z.aantal}" for z in verslag.zendingen) or "nothing new"
    console.print(
        f"\n[bold]Distribution[/] of the list of {jaar} to the zorgkassen: {nieuw} "
        f"(signed by VSB, encrypted per zorgkas, in mailbox/zorgkas-<CODE>/in/); not sent: "
        f"{t.geen_lid} listed INSZ no member, {t.zonder_vt} members without VT on "
        f"{jaar}-01-01, {t.al_verzonden} sent before"
    )
    return verslag


def zorgkas_tokens(settings: Settings) -> dict[str, str]:
    """One client of the zorgkas API per zorgkas, its token kept (0600) in the home."""
    tokens = {}
    for code in sorted(zorgkas_codes()):
        bestand = settings.home / "demo" / f"zorgkas-{code}.token"
        if not bestand.exists():
            _, token = voeg_client_toe(
                uow=uow(settings, Node.VSB),
                naam=f"demo-zorgkas-{code.lower()}-{uuid.uuid4().hex[:6]}",
                doelen=[],
                afzender=None,
                nu=datetime.now(UTC),
                door=Actor.os_account(Node.VSB, getpass.getuser()),
                zorgkas=code,
            )
            bestand.touch(mode=0o600)
            bestand.write_text(token + "\n", encoding="utf-8")
        tokens[code] = bestand.read_text(encoding="utf-8").strip()
    return tokens


def verbind_vsb_met_aii(settings: Settings, adres: str, token: str) -> Settings:
    """Write the demo AII node's address and VSB's client token into the home's settings, so
    that `kbi vsb check` and `application retry` work after the demo too."""
    # the demo stops AII for a moment and starts it again at once: retry and trial soon
    zet_instellingen(
        settings.home,
        "vsb",
        {
            "aii_url": adres,
            "aii_token": token,
            "aii_retry_pause_seconds": 0.1,
            "aii_breaker_seconds": 1.0,
        },
    )
    return replace(
        settings,
        vsb_aii_url=adres,
        vsb_aii_token=token,
        vsb_aii_retry_pause_seconds=0.1,
        vsb_aii_breaker_seconds=1.0,  # the demo restarts AII at once: do not wait 30 s
    )


# the demo acts as VSB's operating-system account
VSB = Actor.os_account(Node.VSB, "demo")


def kinderen(opening: date) -> dict[str, str]:
    """Per zorgkas, a child of 10 who applies (the condition does not apply to them)."""
    return {
        zorgkas: insz_geboren(date(opening.year - 10, 3, 1 + i), 101 + i)
        for i, zorgkas in enumerate(sorted(zorgkas_codes()))
    }


def extra_leden(map_: Path, opening: date, *, cm: tuple[str, ...]) -> Path:
    """The demo's own members beside the synthetic ones: the children who apply, each
    affiliated with their zorgkas since birth, and ``cm``'s people with CM (an application
    is recorded for a member of its zorgkas only)."""
    bestand = map_ / f"members-demo-{opening.year}.jsonl"
    regels = [
        {
            "insz": insz,
            "aansluitingen": [{"zorgkas": zorgkas, "begin": f"{opening.year - 10}-03-01"}],
        }
        for zorgkas, insz in kinderen(opening).items()
    ]
    regels += [{"insz": i, "aansluitingen": [{"zorgkas": "CM", "begin": "2010-01-01"}]} for i in cm]
    bestand.write_bytes(b"".join(orjson.dumps(r) + b"\n" for r in regels))
    return bestand


def _aanvragers(leden: Path, kbi: set[str]) -> dict[str, list[str]]:
    """Per zorgkas, members that are in the KBI (so AII has something to say)."""
    per_zorgkas: dict[str, list[str]] = {z: [] for z in sorted(zorgkas_codes())}
    with leden.open("rb") as regels:
        for regel in regels:
            lid = orjson.loads(regel)
            if lid["insz"] in kbi and lid["aansluitingen"] and not lid.get("overlijdensdatum"):
                zorgkas = lid["aansluitingen"][-1]["zorgkas"]
                if len(per_zorgkas[zorgkas]) < PER_ZORGKAS + WACHTEND:
                    per_zorgkas[zorgkas].append(lid["insz"])
    return per_zorgkas


def aanvragen_over_http(
    console: Console,
    settings: Settings,
    vsb: DemoServer,
    aii: DemoServer,
    herstart_aii: Callable[[], DemoServer],
    tokens: dict[str, str],
    leden: Path,
    kbi: set[str],
) -> DemoServer:
    """Each zorgkas records applications over the VSB node's API; some are under 18; AII is
    stopped for a moment and the applications then made wait, until a retry answers them.
    Returns the AII node as it runs afterwards."""
    tabel = Table(title=f"Applications over HTTP: POST {vsb.adres}/api/v1/zorgkas/aanvragen")
    for kolom in ("zorgkas", "applicant", "HTTP", "status", "advies / why not asked", "reden"):
        tabel.add_column(kolom)

    opening = datetime.now(UTC).date()  # AII advises on dates up to today

    def dien_in(http: httpx.Client, zorgkas: str, insz: str) -> dict[str, object]:
        antwoord = http.post(
            "/api/v1/zorgkas/aanvragen",
            json={"insz": insz, "opening": opening.isoformat()},
            headers={"Authorization": f"Bearer {tokens[zorgkas]}"},
        )
        body: dict[str, object] = antwoord.json()
        tabel.add_row(
            zorgkas,
            f"*********{insz[-2:]}",
            str(antwoord.status_code),
            str(body.get("status", body.get("detail"))),
            str(body.get("advies") or body.get("niet_gevraagd") or "—"),
            str(body.get("reden") or ""),
        )
        return body

    aanvragers = _aanvragers(leden, kbi)
    kind = kinderen(opening)
    wie = {i for inszen in aanvragers.values() for i in inszen} | set(kind.values())
    if _al_ingediend(settings, wie):
        # one application per person and opening, none while another is open: a rerun
        # records nothing new for the same people (a zorgkas would not either)
        console.print(
            "Applications over HTTP: recorded by an earlier run (one per person and opening, "
            "none while another is open); `kbi vsb application list` shows them"
        )
        return aii
    with httpx.Client(base_url=vsb.adres, timeout=30) as http:
        for zorgkas, inszen in aanvragers.items():
            for insz in inszen[:PER_ZORGKAS]:
                dien_in(http, zorgkas, insz)
            # a child: the condition does not apply, AII is not asked
            dien_in(http, zorgkas, kind[zorgkas])
        aii.stop()
        wachtend = [
            dien_in(http, zorgkas, insz)
            for zorgkas, inszen in list(aanvragers.items())[:WACHTEND]
            for insz in inszen[PER_ZORGKAS : PER_ZORGKAS + 1]
        ]
    console.print(tabel)
    return _herhaal_na_herstart(console, settings, herstart_aii, wachtend)


def _al_ingediend(settings: Settings, wie: set[str]) -> bool:
    """Whether an earlier run recorded applications for these people already."""
    vorige = aanvragen.overzicht(
        uow=uow(settings, Node.VSB),
        zorgkas=None,
        onbeslist=False,
        door=VSB,
        nu=datetime.now(UTC),
    )
    return any(a.insz in wie for a in vorige)


def _herhaal_na_herstart(
    console: Console,
    settings: Settings,
    herstart_aii: Callable[[], DemoServer],
    wachtend: list[dict[str, object]],
) -> DemoServer:
    """AII back: the applications that waited are asked again under their referte."""
    console.print(
        f"AII was stopped for the last {len(wachtend)}: they wait for the source "
        "(wacht_op_bron), never a silent OK. AII is back; `application retry` asks again with "
        "the same referte:"
    )
    aii = herstart_aii()
    time.sleep(settings.vsb_aii_breaker_seconds)  # the breaker lets a trial call through
    with aii_client(settings) as bron:
        herhaling = aanvragen.herhaal_wachtende(
            uow=uow(settings, Node.VSB),
            bron=bron,
            door=VSB,
            nu=lambda: datetime.now(UTC),
        )
    eerder = {a.get("id"): a.get("referte") for a in wachtend}
    for aanvraag in herhaling.gevraagd:
        zelfde = " (as recorded)" if eerder.get(aanvraag.id) == aanvraag.referte else ""
        console.print(
            f"  {aanvraag.zorgkas} {aanvraag.id}: {aanvraag.status} "
            f"({aanvraag.advies or '—'}), referte {aanvraag.referte}{zelfde}"
        )
    return aii


def per_zorgkas(console: Console, settings: Settings, verdeling: Verdeling) -> None:
    """Per zorgkas: its applications and how they stand, and its members on the list."""
    alle = aanvragen.overzicht(
        uow=uow(settings, Node.VSB),
        zorgkas=None,
        onbeslist=False,
        door=VSB,
        nu=datetime.now(UTC),
    )
    gelijst = verdeling_.per_zorgkas(uow=uow(settings, Node.VSB), door=VSB, jaar=verdeling.jaar)
    telling: dict[str, Counter[str]] = {z: Counter() for z in gelijst}
    for aanvraag in alle:
        telling[aanvraag.zorgkas][aanvraag.status.value] += 1
    tabel = Table(title=f"Per zorgkas (list of {verdeling.jaar}, applications)")
    for kolom in ("zorgkas", "listed members sent", "toegekend", "geweigerd", "waiting"):
        tabel.add_column(kolom, justify="right")
    for zorgkas, aantal in gelijst.items():
        t = telling[zorgkas]
        tabel.add_row(
            zorgkas,
            str(aantal),
            str(t["toegekend"]),
            str(t["geweigerd"]),
            str(t["wacht_op_bron"] + t["vraag_geweigerd"]),
        )
    console.print(tabel)


def vsb_server(settings: Settings) -> DemoServer:
    """VSB's node, told AII's address and its client token by the home's settings."""
    return DemoServer(settings, Node.VSB)
