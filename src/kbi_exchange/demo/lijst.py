"""`kbi demo`, flow F2: the yearly list made, approved, delivered, ingested and receipted.

A rerun picks the year's list up where it is: it never makes a second one.
"""

from __future__ import annotations

import getpass
from contextlib import suppress
from datetime import datetime

from rich.console import Console
from rich.table import Table

from kbi_exchange.bootstrap import aii_uow, mailbox, uow, vault
from kbi_exchange.domain.access import Actor, Node
from kbi_exchange.domain.dates import BRUSSEL
from kbi_exchange.domain.lijst import LijstStatus
from kbi_exchange.domain.lijst_staat import Lijst
from kbi_exchange.services.lijst import alle_lijsten, keur_goed, maak_lijst
from kbi_exchange.services.lijst_levering import lever_lijst, verwerk_ontvangstbewijs
from kbi_exchange.services.lijst_ontvangst import ontvang_lijst
from kbi_exchange.services.users import GebruikerFout, authenticeer, voeg_gebruiker_toe
from kbi_exchange.settings import Settings

# (name, node, role): the people of the cycle; their password is shown at the end of the demo
DEMO_MENSEN = (
    ("demo-operator", Node.AII, "aii-operator"),
    ("demo-approver", Node.AII, "aii-approver"),
    ("demo-vsb", Node.VSB, "vsb-operator"),
)
DEMO_WACHTWOORD = "kbi-demo-password"
# and the other roles, for the pages: (name, node, role, zorgkas)
PAGINA_MENSEN = (
    ("demo-dpo", Node.AII, "aii-dpo", None),
    ("demo-auditor", Node.AII, "auditor", None),
    ("demo-vsb-dpo", Node.VSB, "vsb-dpo", None),
    ("demo-zorgkas-cm", Node.VSB, "zorgkas-handler", "CM"),
    ("demo-zorgkas-lm", Node.VSB, "zorgkas-handler", "LM"),
)


# everyone the demo makes, as the end of the demo lists them
DEMO_LOG_INS = (
    *((naam, node, rol, None) for naam, node, rol in DEMO_MENSEN),
    *PAGINA_MENSEN,
)


def pagina_mensen(settings: Settings, nu: datetime) -> None:
    """A person of every other role, so that each page can be seen (the same password)."""
    for naam, node, rol, zorgkas in PAGINA_MENSEN:
        with suppress(GebruikerFout):  # made by an earlier run
            voeg_gebruiker_toe(
                door=Actor.os_account(node, getpass.getuser()),
                uow=uow(settings, node),
                naam=naam,
                rol=rol,
                zorgkas=zorgkas,
                wachtwoord=DEMO_WACHTWOORD,
                nu=nu,
            )


def _persoon(settings: Settings, naam: str, node: Node, rol: str, nu: datetime) -> Actor:
    with suppress(GebruikerFout):  # made by an earlier run
        voeg_gebruiker_toe(
            door=Actor.os_account(node, getpass.getuser()),
            uow=uow(settings, node),
            naam=naam,
            rol=rol,
            zorgkas=None,
            wachtwoord=DEMO_WACHTWOORD,
            nu=nu,
        )
    return Actor.persoon(
        authenticeer(uow=uow(settings, node), naam=naam, wachtwoord=DEMO_WACHTWOORD, nu=nu)
    )


def _toon(console: Console, lijst: Lijst) -> None:
    tabel = Table(title=f"Yearly list {lijst.jaar} — {lijst.aantal} INSZ — {lijst.status}")
    for kolom in ("step", "by", "at"):
        tabel.add_column(kolom)
    for status, door, op in lijst.stappen():
        tabel.add_row(status, door or "", op.astimezone(BRUSSEL).isoformat(timespec="seconds"))
    console.print(tabel)


def _ontvangst(
    console: Console, settings: Settings, lijst: Lijst, *, maker: Actor, vsb: Actor, nu: datetime
) -> Lijst:
    """VSB takes in the file waiting for it and sends its receipt; AII verifies the receipt."""
    bus = mailbox(settings)
    for bestand in bus.waiting("vsb", "KBI_VSB_LIJST_*.p7m"):
        ontvangen = ontvang_lijst(
            uow=uow(settings, Node.VSB),
            vault=vault(settings, Node.VSB),
            outbox=bus,
            bestand=bestand.read_bytes(),
            naam=bestand.name,
            door=vsb,
            nu=nu,
            vsb=settings.vsb_identification,
            aii=settings.aii_identification,
        )
        bestand.unlink()
        console.print(
            f"VSB decrypted, verified and stored list {ontvangen.id} ({ontvangen.aantal} INSZ); "
            f"receipt {ontvangen.ontvangstbewijs} sent"
        )
    for bestand in bus.waiting("aii", "KBI_VSB_ONTVANGST_*.p7s"):
        lijst = verwerk_ontvangstbewijs(
            door=maker,
            uow=aii_uow(settings),
            vault=vault(settings, Node.AII),
            bestand=bestand.read_bytes(),
            nu=nu,
        )
        bestand.unlink()
        console.print(f"AII verified VSB's signed receipt: list {lijst.id} {lijst.status}")
    return lijst


def jaarlijst_cyclus(console: Console, settings: Settings, nu: datetime) -> Lijst:
    """Make (or pick up) the list of this year and take it through every state."""
    maker, keurder, vsb = (_persoon(settings, *mens, nu) for mens in DEMO_MENSEN)
    jaar = nu.year
    console.print(f"\n[bold]Yearly list {jaar}[/] (flow F2): reference date {jaar}-01-01")
    huidige = [
        lijst
        for lijst in alle_lijsten(door=maker, uow=aii_uow(settings))
        if lijst.jaar == jaar and lijst.status != LijstStatus.VERVANGEN.value
    ]
    if huidige:
        lijst = huidige[0]
        console.print(f"the list of {jaar} exists ({lijst.status}): picking it up, no new one")
    else:
        with console.status("evaluating every dossier…") as status:
            lijst = maak_lijst(
                uow=aii_uow(settings),
                jaar=jaar,
                door=maker,
                nu=nu,
                producent=settings.aii_identification,
                ontvanger=settings.vsb_identification,
                voortgang=lambda n: status.update(f"evaluating every dossier… {n:,} done"),
            )
        console.print(f"made by {maker.naam}: {lijst.aantal} INSZ, waiting for four eyes")
    if lijst.status == LijstStatus.GEMAAKT.value:
        lijst = keur_goed(
            uow=aii_uow(settings),
            lijst_id=lijst.id,
            door=keurder,
            nu=nu,
        )
        console.print(f"approved by {keurder.naam} (not the maker, may not change KBI data)")
    bus = mailbox(settings)
    if lijst.status == LijstStatus.GOEDGEKEURD.value:
        lijst = lever_lijst(
            uow=aii_uow(settings),
            vault=vault(settings, Node.AII),
            outbox=bus,
            lijst_id=lijst.id,
            door=maker,
            nu=nu,
            bestanden_tot=settings.list_files_until,
        )
        console.print(
            f"signed by AII, encrypted for VSB, delivered: {bus.folder('vsb', 'in')}/"
            f"{lijst.bestand_naam}"
        )
    lijst = _ontvangst(console, settings, lijst, maker=maker, vsb=vsb, nu=nu)
    _toon(console, lijst)
    return lijst
