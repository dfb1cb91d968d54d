"""Care-budget applications at VSB (SPEC §9): recorded, advised by AII, decided.

An application is recorded, with the referte of its question and an audit entry, before the
question leaves; the answer and the decision are stored in a second short transaction. No
transaction is open while AII is asked. Killed in between, the application waits for the
source and `herhaal_wachtende` asks again with the same referte: AII answers a repeated
referte from its decision record, so the answer is the one it gave.

A zorgkas handler sees and handles the applications of their own zorgkas only; another
zorgkas's application is "not found", exactly as one that does not exist.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime

from kbi_exchange.crash_points import crash_point
from kbi_exchange.domain.aanvraag import (
    Aanvraag,
    AanvraagFout,
    AanvraagStatus,
    BronAntwoord,
    BronOnbeschikbaar,
    NietGevraagd,
    controleer_nieuwe,
    geboortedatum_uit_insz,
    niet_te_vragen,
)
from kbi_exchange.domain.access import Actor, Permissie, vereist
from kbi_exchange.domain.audit import AuditGebeurtenis
from kbi_exchange.domain.audit_inhoud_vsb import AanvraagBeslistInhoud, AanvraagIngediendInhoud
from kbi_exchange.domain.dates import dag_in_brussel
from kbi_exchange.domain.fouten import NotFound
from kbi_exchange.domain.insz import Insz, OngeldigInsz
from kbi_exchange.domain.lid import Lid
from kbi_exchange.domain.protocol import Stroom
from kbi_exchange.parameters import standaard_parameters
from kbi_exchange.services.ports import AanvraagWerk, AdviesBron
from kbi_exchange.services.protocol import staat_van, vereis_gang, vereis_stroom


class NietGevonden(NotFound):
    """No such application for this actor (also when it belongs to another zorgkas)."""


def geldig_insz(tekst: str) -> str:
    """The INSZ's 11 digits, or `AanvraagFout` naming what is wrong (never the number)."""
    try:
        return Insz.parse(tekst).cijfers
    except OngeldigInsz as fout:
        raise AanvraagFout(f"insz: {fout}") from None


def _antwoord_audit(aanvraag: Aanvraag) -> AanvraagBeslistInhoud:
    return {
        "aanvraag": aanvraag.id,
        "zorgkas": aanvraag.zorgkas,
        "referte": aanvraag.referte,
        "status": aanvraag.status.value,
        "advies": aanvraag.advies,
        "reden": aanvraag.reden_code,
        "uitzonderingen": [u["identificatie"] for u in aanvraag.uitzonderingen],
        "niet_gevraagd": aanvraag.niet_gevraagd.value if aanvraag.niet_gevraagd else None,
        "poging": aanvraag.pogingen,
    }


def _eerste_datum(moment: datetime) -> date:
    """The first opening date the condition applies to, as the parameters say today (a
    moment before the parameter's first value takes that value: an opening before it is a
    clear decision, never an error)."""
    parameter = standaard_parameters()["zorgbudget_eerste_datum"]
    dag = max(dag_in_brussel(moment), parameter.waarden[0].vanaf)
    waarde = parameter.waarde_op(dag).waarde
    if not isinstance(waarde, date):
        raise TypeError("zorgbudget_eerste_datum is not a date")
    return waarde


@vereist(Permissie.VSB_AANVRAAG_BEHANDEL)
def dien_in(
    *,
    uow: AanvraagWerk,
    bron: AdviesBron,
    insz: str,
    opening: date,
    zorgkas: str,
    zorgkassen: frozenset[str],
    door: Actor,
    nu: Callable[[], datetime],
) -> Aanvraag:
    """Record an application, ask AII unless the condition does not apply, and decide.

    Only for a person affiliated with ``zorgkas`` on the opening date (SPEC §9, protocol
    art. 4: a zorgkas learns AII's answer about its own members only), whoever records it;
    anyone else is refused before anything is stored or asked, with the same words whether
    the person is a member elsewhere or not at all. While the protocol stands still (VSB's
    record) nothing is asked; once the condition's basis has lapsed it is decided as the law
    now reads.
    """
    cijfers = geldig_insz(insz)
    moment = _controleer_aanvraag(zorgkas, zorgkassen, opening, door, nu)
    with uow as werk:
        lid = werk.leden.op([cijfers]).get(cijfers)
        if lid is None or lid.zorgkas_op(opening) != zorgkas:
            raise AanvraagFout(
                f"insz: not a member of {zorgkas} on {opening.isoformat()}; an application "
                "is recorded by the zorgkas the person is affiliated with on the opening date"
            )
        # one recording at a time (behind the audit head's lock), so that two at once cannot
        # both find no earlier application of the person
        werk.audit.vergrendel()
        controleer_nieuwe(
            [a for a in werk.aanvragen.alle(insz=cijfers) if a.zorgkas == zorgkas], opening
        )
        reden = _niet_te_vragen(werk, lid, opening, moment)
        if reden is None:
            vereis_stroom(werk, Stroom.F1, moment)  # suspended or ended: nothing is asked
        aanvraag = Aanvraag(
            id=str(uuid.uuid4()),
            insz=cijfers,
            opening=opening,
            zorgkas=zorgkas,
            status=AanvraagStatus.TOEGEKEND if reden else AanvraagStatus.WACHT_OP_BRON,
            aangemaakt_op=moment,
            aangemaakt_door=door.naam,
            referte=None if reden else str(uuid.uuid4()),
            niet_gevraagd=reden,
            beslist_op=moment if reden else None,
        )
        werk.aanvragen.bewaar(aanvraag)
        _audit_ingediend(werk, aanvraag, door, moment)
        if reden is not None:  # decided without asking anyone
            _audit_beslissing(werk, aanvraag, door, moment)
        werk.commit()
    crash_point("application:recorded")
    if reden is not None:
        return aanvraag
    return _vraag_en_beslis(uow=uow, bron=bron, aanvraag=aanvraag, door=door, nu=nu)


def _niet_te_vragen(
    werk: AanvraagWerk, lid: Lid, opening: date, moment: datetime
) -> NietGevraagd | None:
    """Why AII is not asked about this application (too young, too early, the condition's
    basis lapsed), or None: it is asked."""
    vervallen = staat_van(werk, moment).vervallen_op(Stroom.F1)
    return niet_te_vragen(
        geboren=lid.geboortedatum or geboortedatum_uit_insz(Insz(lid.insz)),
        opening=opening,
        eerste_datum=_eerste_datum(moment),
        vernietigd=vervallen is not None and vervallen <= dag_in_brussel(moment),
    )


def _controleer_aanvraag(
    zorgkas: str,
    zorgkassen: frozenset[str],
    opening: date,
    door: Actor,
    nu: Callable[[], datetime],
) -> datetime:
    """What an application must be before anything about the person is looked at; the
    moment it is recorded."""
    if zorgkas not in zorgkassen:
        raise AanvraagFout(f"zorgkas: unknown zorgkas {zorgkas!r}; codes: {sorted(zorgkassen)}")
    if not door.ziet(zorgkas):
        raise AanvraagFout(f"zorgkas: you handle the applications of {door.zorgkas} only")
    moment = nu()
    if opening > dag_in_brussel(moment):
        raise AanvraagFout(
            f"opening: {opening.isoformat()} lies in the future; AII advises on dates up to "
            "today, so record the application on or after its opening"
        )
    return moment


def _audit_ingediend(werk: AanvraagWerk, aanvraag: Aanvraag, door: Actor, moment: datetime) -> None:
    """The application recorded: audited before any question about the person leaves."""
    ingediend: AanvraagIngediendInhoud = {
        "aanvraag": aanvraag.id,
        "zorgkas": aanvraag.zorgkas,
        "opening": aanvraag.opening.isoformat(),
    }
    if aanvraag.referte:
        ingediend["referte"] = aanvraag.referte
    werk.audit.record(
        gebeurtenis=AuditGebeurtenis.VSB_AANVRAAG_INGEDIEND,
        actor=door.naam,
        tijdstip=moment,
        insz=aanvraag.insz,
        inhoud=ingediend,
    )


def _audit_beslissing(
    werk: AanvraagWerk, aanvraag: Aanvraag, door: Actor, moment: datetime
) -> None:
    werk.audit.record(
        gebeurtenis=AuditGebeurtenis.VSB_AANVRAAG_BESLIST,
        actor=door.naam,
        tijdstip=moment,
        insz=aanvraag.insz,
        inhoud=_antwoord_audit(aanvraag),
    )


def _vraag_en_beslis(
    *,
    uow: AanvraagWerk,
    bron: AdviesBron,
    aanvraag: Aanvraag,
    door: Actor,
    nu: Callable[[], datetime],
) -> Aanvraag:
    if aanvraag.referte is None:
        raise AanvraagFout(f"application {aanvraag.id} has no question to AII")
    with uow as werk:
        staat = staat_van(werk, nu())
    vervallen = staat.vervallen_op(Stroom.F1)
    if vervallen is not None and vervallen <= dag_in_brussel(nu()):
        return _zonder_voorwaarde(uow=uow, aanvraag=aanvraag, door=door, nu=nu())
    if staat.weigering(Stroom.F1) is not None:
        return aanvraag  # not asked while the protocol stands still: it keeps waiting
    antwoord: BronAntwoord | None
    try:
        antwoord = bron.vraag(aanvraag.insz, aanvraag.opening, aanvraag.referte)
    except BronOnbeschikbaar:
        antwoord = None
    crash_point("application:answered")
    moment = nu()
    with uow as werk:
        huidig = werk.aanvragen.get(aanvraag.id)
        if huidig is None or huidig.status.beslist:  # decided meanwhile by another retry
            return huidig or aanvraag
        besloten = huidig.met_antwoord(antwoord, moment) if antwoord else huidig.wacht(moment)
        werk.aanvragen.bewaar(besloten)
        _audit_beslissing(werk, besloten, door, moment)
        werk.commit()
    return besloten


def _zonder_voorwaarde(
    *, uow: AanvraagWerk, aanvraag: Aanvraag, door: Actor, nu: datetime
) -> Aanvraag:
    """Decide a waiting application without the condition whose basis lapsed."""
    with uow as werk:
        huidig = werk.aanvragen.get(aanvraag.id)
        if huidig is None or huidig.status.beslist:
            return huidig or aanvraag
        besloten = huidig.zonder_voorwaarde(nu)
        werk.aanvragen.bewaar(besloten)
        _audit_beslissing(werk, besloten, door, nu)
        werk.commit()
    return besloten


@dataclass(frozen=True, slots=True)
class Herhaling:
    """What `herhaal_wachtende` did: the applications it asked about, and how they stand."""

    gevraagd: list[Aanvraag]
    niet_gevraagd: int  # left waiting because AII stopped answering (the breaker opened)

    @property
    def beslist(self) -> int:
        return sum(1 for a in self.gevraagd if a.status.beslist)


@vereist(Permissie.VSB_AANVRAAG_BEHANDEL)
def herhaal_wachtende(
    *,
    uow: AanvraagWerk,
    bron: AdviesBron,
    door: Actor,
    nu: Callable[[], datetime],
    voortgang: Callable[[int, int], None] = lambda _i, _n: None,
) -> Herhaling:
    """Ask AII again about every undecided application the actor may see: one that waits for
    the source with the same referte; one whose question AII refused with a new referte (the
    same one would only be refused again). Stop asking once AII is unavailable. Refused
    while the protocol stands still; once the condition's basis lapsed, each is decided
    without it."""
    with uow as werk:
        staat = staat_van(werk, nu())
        vervallen = staat.vervallen_op(Stroom.F1)
        if vervallen is None or vervallen > dag_in_brussel(nu()):
            vereis_stroom(werk, Stroom.F1, nu())
        wachtend = werk.aanvragen.alle(zorgkas=door.zorgkas, onbeslist=True)
    gevraagd: list[Aanvraag] = []
    for i, wacht in enumerate(wachtend):
        vraag = (
            _nieuwe_vraag(uow, wacht, door, nu())
            if wacht.status is AanvraagStatus.VRAAG_GEWEIGERD and vervallen is None
            else wacht
        )
        uitkomst = _vraag_en_beslis(uow=uow, bron=bron, aanvraag=vraag, door=door, nu=nu)
        gevraagd.append(uitkomst)
        voortgang(i + 1, len(wachtend))
        if uitkomst.status is AanvraagStatus.WACHT_OP_BRON:
            break
    return Herhaling(gevraagd, len(wachtend) - len(gevraagd))


def _nieuwe_vraag(uow: AanvraagWerk, aanvraag: Aanvraag, door: Actor, moment: datetime) -> Aanvraag:
    """Give a refused question a new referte, stored and audited before it is asked."""
    with uow as werk:
        huidig = werk.aanvragen.get(aanvraag.id)
        if huidig is None or huidig.status is not AanvraagStatus.VRAAG_GEWEIGERD:
            return huidig or aanvraag
        opnieuw = huidig.nieuwe_vraag(str(uuid.uuid4()))
        werk.aanvragen.bewaar(opnieuw)
        werk.audit.record(
            gebeurtenis=AuditGebeurtenis.VSB_AANVRAAG_OPNIEUW,
            actor=door.naam,
            tijdstip=moment,
            insz=opnieuw.insz,
            inhoud={"aanvraag": opnieuw.id, "referte": opnieuw.referte, "vorige": huidig.referte},
        )
        werk.commit()
    return opnieuw


def _eigen(werk: AanvraagWerk, aanvraag_id: str, door: Actor) -> Aanvraag:
    aanvraag = werk.aanvragen.get(aanvraag_id)
    if aanvraag is None or not door.ziet(aanvraag.zorgkas):
        raise NietGevonden(f"no application {aanvraag_id!r}")
    return aanvraag


def _vereis_doorgifte(werk: AanvraagWerk, door: Actor, nu: datetime) -> None:
    """What VSB passes on to a zorgkas (AII's answers in its applications) stops while the
    protocol stands still (art. 4, 8: VSB's record)."""
    if door.zorgkas is not None:
        vereis_gang(werk, nu)


@vereist(Permissie.VSB_AANVRAAG_BEHANDEL)
def beeindig(
    *,
    uow: AanvraagWerk,
    aanvraag_id: str,
    einde: date,
    reden: str | None,
    door: Actor,
    nu: datetime,
) -> Aanvraag:
    """Record the end of the zorgbudget (death, end of the right): the retention clock runs."""
    if reden is not None and not 0 < len(reden) <= 200:
        raise AanvraagFout("reden: 1 to 200 characters")
    with uow as werk:
        beeindigd = _eigen(werk, aanvraag_id, door).beeindig(einde, reden)
        werk.aanvragen.bewaar(beeindigd)
        werk.audit.record(
            gebeurtenis=AuditGebeurtenis.VSB_AANVRAAG_BEEINDIGD,
            actor=door.naam,
            tijdstip=nu,
            insz=beeindigd.insz,
            inhoud={
                "aanvraag": beeindigd.id,
                "einde": einde.isoformat(),
                "reden": reden,
                "bewaren_tot": beeindigd.bewaren_tot.isoformat() if beeindigd.bewaren_tot else None,
            },
        )
        werk.commit()
    return beeindigd


@vereist(Permissie.VSB_AANVRAAG_BEHANDEL)
def toon(*, uow: AanvraagWerk, aanvraag_id: str, door: Actor, nu: datetime) -> Aanvraag:
    """One application, for the actor who may see it; the look is audited."""
    with uow as werk:
        aanvraag = _eigen(werk, aanvraag_id, door)
        _vereis_doorgifte(werk, door, nu)
        werk.audit.record(
            gebeurtenis=AuditGebeurtenis.VSB_AANVRAAG_BEKEKEN,
            actor=door.naam,
            tijdstip=nu,
            insz=aanvraag.insz,
            inhoud={"aanvraag": aanvraag.id, "zorgkas": aanvraag.zorgkas},
        )
        werk.commit()
    return aanvraag


@vereist(Permissie.VSB_AANVRAAG_BEHANDEL)
def overzicht(
    *,
    uow: AanvraagWerk,
    zorgkas: str | None,
    onbeslist: bool,
    door: Actor,
    nu: datetime,
) -> list[Aanvraag]:
    """The applications the actor may see (of one zorgkas, or undecided only); audited."""
    if zorgkas is not None and not door.ziet(zorgkas):
        raise AanvraagFout(f"zorgkas: you handle the applications of {door.zorgkas} only")
    with uow as werk:
        _vereis_doorgifte(werk, door, nu)
        gevonden = werk.aanvragen.alle(zorgkas=zorgkas or door.zorgkas, onbeslist=onbeslist)
        werk.audit.record(
            gebeurtenis=AuditGebeurtenis.VSB_AANVRAAG_BEKEKEN,
            actor=door.naam,
            tijdstip=nu,
            # the applications shown: a search for a person finds this look
            inhoud={
                "aanvraag": [a.id for a in gevonden],
                "zorgkas": zorgkas or door.zorgkas,
                "onbeslist": onbeslist,
            },
        )
        werk.commit()
    return gevonden
