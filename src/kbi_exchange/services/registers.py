"""The registers (SPEC §12): each party's processors (art. 6), exportable for the other
party; VSB's recipients other than a zorgkas (art. 4), notified to AII before a first
disclosure, which is refused until then. Every change is stored and audited at once."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import replace
from datetime import date, datetime
from typing import Any

import orjson

from kbi_exchange.domain.access import Actor, Node, Permissie, vereist
from kbi_exchange.domain.audit import AuditGebeurtenis
from kbi_exchange.domain.audit_inhoud import RegisterInhoud
from kbi_exchange.domain.audit_inhoud_vsb import ExportInhoud
from kbi_exchange.domain.dates import dag_in_brussel
from kbi_exchange.domain.fouten import NotFound
from kbi_exchange.domain.lijst import LijstFout
from kbi_exchange.domain.protocol import Stroom
from kbi_exchange.domain.registers import (
    Ontvanger,
    RegisterFout,
    Verwerker,
    gegevens,
    gemelde_ontvanger,
    gemelde_verwerker,
    lijkt_op_zorgkas,
    naam,
    tekst,
)
from kbi_exchange.schemas import zorgkas_namen
from kbi_exchange.services.ports import ExportWerk, Messenger, RegisterWerk
from kbi_exchange.services.protocol import vereis_stroom

_GEWIJZIGD = {
    Node.AII: AuditGebeurtenis.REGISTER_GEWIJZIGD,
    Node.VSB: AuditGebeurtenis.VSB_REGISTER_GEWIJZIGD,
}
_EXPORT = {
    Node.AII: AuditGebeurtenis.REGISTER_GEEXPORTEERD,
    Node.VSB: AuditGebeurtenis.VSB_REGISTER_GEEXPORTEERD,
}


class OnbekendeInschrijving(NotFound):
    """No processor or recipient of that name."""


def _audit(
    werk: RegisterWerk,
    gebeurtenis: AuditGebeurtenis,
    door: str,
    nu: datetime,
    inhoud: RegisterInhoud | ExportInhoud,
) -> None:
    werk.audit.record(gebeurtenis=gebeurtenis, actor=door, tijdstip=nu, inhoud=inhoud)


@vereist(Permissie.REGISTER_BEHEER)
def voeg_verwerker_toe(
    *,
    uow: RegisterWerk,
    node: Node,
    naam_: str,
    taak: str,
    gegevens_: list[str],
    overeenkomst: str,
    overeenkomst_datum: date,
    locatie: str,
    door: Actor,
    nu: datetime,
) -> Verwerker:
    verwerker = Verwerker(
        id=str(uuid.uuid4()),
        partij=node.value,
        naam=naam(naam_),
        taak=tekst(taak, "taak"),
        gegevens=gegevens(gegevens_),
        overeenkomst=tekst(overeenkomst, "overeenkomst"),
        overeenkomst_datum=overeenkomst_datum,
        locatie=tekst(locatie, "locatie"),
        geregistreerd_op=nu,
        geregistreerd_door=door.naam,
    )
    with uow as werk:
        if any(v.naam == verwerker.naam for v in _eigen(werk, node)):
            raise RegisterFout(f"a processor named {verwerker.naam} is registered already")
        werk.registers.bewaar_verwerker(verwerker)
        _audit(werk, _GEWIJZIGD[node], door.naam, nu, {"verwerker": verwerker.json()})
        werk.commit()
    return verwerker


@vereist(Permissie.REGISTER_BEHEER)
def beeindig_verwerker(
    *, uow: RegisterWerk, node: Node, naam_: str, door: Actor, nu: datetime
) -> Verwerker:
    with uow as werk:
        gevonden = next((v for v in _eigen(werk, node) if v.naam == naam_), None)
        if gevonden is None:
            raise OnbekendeInschrijving(f"no processor of {node.value} named {naam_}")
        beeindigd = gevonden.beeindig(nu)
        werk.registers.bewaar_verwerker(beeindigd)
        _audit(
            werk,
            _GEWIJZIGD[node],
            door.naam,
            nu,
            {"verwerker": beeindigd.id, "beeindigd": True},
        )
        werk.commit()
    return beeindigd


def _eigen(werk: RegisterWerk, node: Node) -> list[Verwerker]:
    return [v for v in werk.registers.verwerkers() if v.partij == node.value]


@vereist(Permissie.REGISTER_BEHEER)
def verwerkers(*, door: Actor, uow: RegisterWerk) -> list[Verwerker]:
    """The node's register: its own party's processors, and the other party's as told."""
    with uow as werk:
        return werk.registers.verwerkers()


@vereist(Permissie.MELDING_VERSTUUR)
def meld_verwerkers(
    *,
    door: Actor,
    uow: RegisterWerk,
    node: Node,
    messenger: Messenger,
    nu: Callable[[], datetime],
) -> list[Verwerker]:
    """Tell the other party's node of every own processor it has not been told of as it now
    stands (added, or ended since), each recorded as told once taken (art. 6, 9). Stops at
    the first that does not reach it (`PartijOnbereikbaar`)."""
    with uow as werk:
        open_ = [v for v in _eigen(werk, node) if v.gemeld_op is None]
    gemeld = []
    for verwerker in open_:
        messenger.stuur(verwerker.melding())
        moment = nu()
        with uow as werk:
            huidig = next((v for v in werk.registers.verwerkers() if v.id == verwerker.id), None)
            if huidig is None or huidig.beeindigd_op != verwerker.beeindigd_op:
                continue  # changed meanwhile: told again on the next run
            werk.registers.bewaar_verwerker(replace(huidig, gemeld_op=moment))
            _audit(werk, _GEWIJZIGD[node], door.naam, moment,
                   {"verwerker": verwerker.id, "gemeld": True})  # fmt: skip
            werk.commit()
        gemeld.append(verwerker)
    return gemeld


def te_melden_verwerkers(*, uow: RegisterWerk, node: Node) -> list[Verwerker]:
    """This node's own processors the other party has not been told of as they stand."""
    with uow as werk:
        return [v for v in _eigen(werk, node) if v.gemeld_op is None]


@vereist(Permissie.PARTIJ_MELDING)
def ontvang_verwerker(
    *,
    door: Actor,
    uow: RegisterWerk,
    node: Node,
    van: Node,
    inhoud: object,
    nu: datetime,
) -> tuple[Verwerker, bool]:
    """The other party's processor as it told it (verified by the caller): kept in this
    node's register as that party's; told again (ended), it is updated. Returns it and
    whether anything changed."""
    verwerker = gemelde_verwerker(inhoud, van.value, nu)
    with uow as werk:
        alle = werk.registers.verwerkers()
        eerder = next((v for v in alle if v.id == verwerker.id), None)
        if eerder is not None and eerder.partij != van.value:
            raise RegisterFout("id: that of another party's processor")
        if eerder is None and any(v.partij == van.value and v.naam == verwerker.naam for v in alle):
            raise RegisterFout("naam: another processor of that name was told")
        if eerder is not None and eerder.melding() == verwerker.melding():
            return eerder, False
        werk.registers.bewaar_verwerker(verwerker)
        _audit(werk, _GEWIJZIGD[node], f"partij:{van.value}", nu,
               {"verwerker": verwerker.melding(), "van": van.value})  # fmt: skip
        werk.commit()
    return verwerker, True


@vereist(Permissie.REGISTER_BEHEER)
def exporteer_verwerkers(
    *,
    uow: RegisterWerk,
    node: Node,
    onderteken: Callable[[bytes], bytes],
    door: Actor,
    nu: datetime,
) -> bytes:
    """The processors register for the other party: JSON, signed (CMS) by this party."""
    with uow as werk:
        alle = _eigen(werk, node)
        inhoud = orjson.dumps(
            {
                "partij": node.value,
                "op": nu.isoformat(),
                "verwerkers": [v.json() for v in alle],
            },
            option=orjson.OPT_INDENT_2,
        )
        _audit(werk, _EXPORT[node], door.naam, nu, {"verwerkers": len(alle)})
        werk.commit()
    return onderteken(inhoud)


def _ontvanger(werk: RegisterWerk, naam_: str) -> Ontvanger:
    gevonden = next((o for o in werk.registers.ontvangers() if o.naam == naam_), None)
    if gevonden is None:
        raise OnbekendeInschrijving(f"no recipient named {naam_}: register it first (art. 4)")
    return gevonden


@vereist(Permissie.REGISTER_BEHEER)
def voeg_ontvanger_toe(
    *,
    uow: RegisterWerk,
    naam_: str,
    doel: str,
    rechtsgrond: str,
    gegevens_: list[str],
    door: Actor,
    nu: datetime,
) -> Ontvanger:
    """Register a recipient other than a zorgkas at VSB (not yet notified to AII)."""
    ontvanger = Ontvanger(
        id=str(uuid.uuid4()),
        naam=naam(naam_),
        doel=tekst(doel, "doel"),
        rechtsgrond=tekst(rechtsgrond, "rechtsgrond"),
        gegevens=gegevens(gegevens_),
        geregistreerd_op=nu,
        geregistreerd_door=door.naam,
    )
    if lijkt_op_zorgkas(ontvanger.naam, zorgkas_namen()):
        raise RegisterFout(
            "NAME: a zorgkas needs no registration (it receives its part by distribution), "
            "and another recipient may not be named like one"
        )
    with uow as werk:
        if any(o.naam == ontvanger.naam for o in werk.registers.ontvangers()):
            raise RegisterFout(f"a recipient named {ontvanger.naam} is registered already")
        werk.registers.bewaar_ontvanger(ontvanger)
        _audit(
            werk,
            AuditGebeurtenis.VSB_REGISTER_GEWIJZIGD,
            door.naam,
            nu,
            {"ontvanger": ontvanger.melding()},
        )
        werk.commit()
    return ontvanger


@vereist(Permissie.REGISTER_BEHEER)
def meld_ontvanger(
    *, uow: RegisterWerk, naam_: str, messenger: Messenger, door: Actor, nu: datetime
) -> Ontvanger:
    """Notify AII of the recipient over its API; from then on VSB may disclose to it."""
    with uow as werk:
        ontvanger = _ontvanger(werk, naam_)
    messenger.stuur(ontvanger.melding())
    gemeld = replace(ontvanger, aan_aii_gemeld_op=ontvanger.aan_aii_gemeld_op or nu)
    with uow as werk:
        werk.registers.bewaar_ontvanger(gemeld)
        _audit(
            werk,
            AuditGebeurtenis.VSB_ONTVANGER_GEMELD,
            door.naam,
            nu,
            {"ontvanger": gemeld.id, "naam": gemeld.naam},
        )
        werk.commit()
    return gemeld


@vereist(Permissie.REGISTER_BEHEER)
def ontvangers(*, door: Actor, uow: RegisterWerk) -> list[Ontvanger]:
    with uow as werk:
        return werk.registers.ontvangers()


@vereist(Permissie.PARTIJ_MELDING)
def ontvang_ontvanger(
    *, door: Actor, uow: RegisterWerk, inhoud: object, nu: datetime
) -> tuple[Ontvanger, bool]:
    """AII keeps VSB's notification of a recipient (verified by the caller); a repeat of the
    same id changes nothing. Returns it and whether it is new."""
    ontvanger = gemelde_ontvanger(inhoud, nu)
    if lijkt_op_zorgkas(ontvanger.naam, zorgkas_namen()):
        raise RegisterFout("naam: a recipient other than a zorgkas may not be named like one")
    with uow as werk:
        eerder = next((o for o in werk.registers.ontvangers() if o.id == ontvanger.id), None)
        if eerder is not None:
            return eerder, False
        if any(o.naam == ontvanger.naam for o in werk.registers.ontvangers()):
            raise RegisterFout("naam: another recipient of that name was notified")
        werk.registers.bewaar_ontvanger(ontvanger)
        _audit(
            werk,
            AuditGebeurtenis.ONTVANGER_ONTVANGEN,
            "partij:vsb",
            nu,
            {"ontvanger": ontvanger.melding()},
        )
        werk.commit()
    return ontvanger, True


@vereist(Permissie.VSB_EXPORT)
def exporteer_lijst(
    *, uow: ExportWerk, ontvanger_naam: str, jaar: int, door: Actor, nu: datetime
) -> tuple[Ontvanger, dict[str, Any]]:
    """VSB's members on the year's list, for a registered recipient other than a zorgkas
    (protocol art. 4) — refused unless it was notified to AII and registered for list data,
    unless a named person discloses it, and unless VSB's record of the protocol allows the
    list's flow now. Never the INSZ of a non-member VSB received: only members affiliated
    with a zorgkas today. Audited before it leaves (the audit search counts it for everyone
    on it)."""
    with uow as werk:
        vereis_stroom(werk, Stroom.F2, nu)
        ontvanger = _ontvanger(werk, ontvanger_naam)
        waarom = ontvanger.mag_ontvangen()
        if waarom is not None:
            raise RegisterFout(waarom)
        if "lijst" not in ontvanger.gegevens:
            raise RegisterFout(
                f"recipient {ontvanger.naam} is registered for {', '.join(ontvanger.gegevens)}, "
                "not for list data (lijst)"
            )
        lijst = werk.ontvangen_lijsten.huidige(jaar)
        if lijst is None:
            raise LijstFout(f"no list of {jaar} was received: nothing to export")
        vandaag = dag_in_brussel(nu)
        gelijst = werk.ontvangen_lijsten.inszen(lijst.id)
        leden = werk.leden.op(gelijst)
        inszen = [
            i for i in gelijst if (lid := leden.get(i)) is not None and lid.zorgkas_op(vandaag)
        ]
        _audit(
            werk,
            AuditGebeurtenis.VSB_EXPORT,
            door.naam,
            nu,
            {"ontvanger": ontvanger.naam, "lijst": lijst.id, "jaar": jaar, "aantal": len(inszen)},
        )
        werk.commit()
    return ontvanger, {
        "ontvanger": ontvanger.naam,
        "doel": ontvanger.doel,
        "jaar": jaar,
        "lijst": lijst.id,
        "aantal": len(inszen),
        "inszen": inszen,
    }
