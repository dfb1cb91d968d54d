"""The protocol's life (SPEC §12, protocol art. 8 and 12): its state, and the steps that
change it — each stored and audited in one transaction, and in force from that moment for
every flow (REST, SOAP, batch, the list's delivery and pull)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import Any

from kbi_exchange.domain.access import Actor, Node, Permissie, vereist
from kbi_exchange.domain.audit import AuditGebeurtenis
from kbi_exchange.domain.audit_inhoud import ProtocolGemeldInhoud
from kbi_exchange.domain.bewaring import (
    VOOR_STROOM,
    Bewaartermijnen,
    Opdracht,
    StroomEinde,
    einde_van_stroom,
    weg_op,
)
from kbi_exchange.domain.dates import (
    OngeldigeTijd,
    begin_van_dag,
    dag_in_brussel,
    rfc3339_uit_tekst,
)
from kbi_exchange.domain.gemeld import KLOKVERSCHIL
from kbi_exchange.domain.incident import PartijWeigert
from kbi_exchange.domain.protocol import (
    GeenWettelijkeContext,
    ProtocolDefinitie,
    ProtocolFout,
    ProtocolGebeurtenis,
    ProtocolStaat,
    Soort,
    Stroom,
    controleer_stap,
    staat_nu,
    staat_op,
)
from kbi_exchange.domain.protocol_stap import ontvangen_stap, te_melden
from kbi_exchange.parameters import protocol_definitie
from kbi_exchange.services.ports import (
    AnnulatieWerk,
    BewaringWerk,
    Messenger,
    MetProtocol,
    ProtocolWerk,
)

# the DPO of the node the step is taken on decides it (art. 8, 12)
BEHEER = {Node.AII: Permissie.KBI_PROTOCOL_BEHEER, Node.VSB: Permissie.VSB_PROTOCOL_BEHEER}


def status(*, uow: ProtocolWerk, definitie: ProtocolDefinitie, nu: datetime) -> ProtocolStaat:
    with uow as werk:
        return staat_op(definitie, werk.protocol.gebeurtenissen(), nu)


@vereist(BEHEER)
def stap(
    *,
    uow: ProtocolWerk,
    definitie: ProtocolDefinitie,
    soort: Soort,
    door: Actor,
    reden: str,
    nu: datetime,
    partij: str | None = None,
    stroom: Stroom | None = None,
    datum: date | None = None,
    gebeurtenis: AuditGebeurtenis = AuditGebeurtenis.PROTOCOL_STAP,
) -> tuple[ProtocolGebeurtenis, ProtocolStaat]:
    """Record one step in this node's record (audited as ``gebeurtenis``); returns it and the
    state it leaves."""
    if not reden.strip() or len(reden) > 500:
        raise ProtocolFout("reden: 1 to 500 characters, saying why")
    with uow as werk:
        eerder = werk.protocol.gebeurtenissen()
        if eerder and eerder[-1].op > nu:
            raise ProtocolFout("this clock is behind the last recorded step: check the time")
        controleer_stap(staat_op(definitie, eerder, nu), soort)
        g = ProtocolGebeurtenis(
            id=str(uuid.uuid4()),
            soort=soort,
            op=nu,
            door=door.naam,
            reden=reden.strip(),
            partij=partij,
            stroom=stroom,
            datum=datum,
        )
        werk.protocol.voeg_toe(g)
        werk.audit.record(
            gebeurtenis=gebeurtenis,
            actor=door.naam,
            tijdstip=nu,
            inhoud=g.json(),
        )
        werk.commit()
    return g, staat_op(definitie, [*eerder, g], nu)


@vereist(Permissie.PARTIJ_MELDING)
def ontvang_stap(
    *,
    door: Actor,
    uow: ProtocolWerk,
    node: Node,
    van: Node,
    inhoud: object,
    nu: datetime,
) -> tuple[ProtocolGebeurtenis, bool]:
    """A step the other party took (its suspension, resumption or end, a lapse, a notice), as
    it signed it: recorded in this node's record under the sender's id at the moment it is
    taken here, so this node's flows follow it from now. A repeat changes nothing; a second
    notice, and anything but a lapse after the end, is refused (`AlGegeven`). Returns it and
    whether it is new."""
    definitie = protocol_definitie()
    g = ontvangen_stap(inhoud, van=van, nu=nu, definitie=definitie)
    with uow as werk:
        eerder = werk.protocol.gebeurtenissen()
        gezien = next((e for e in eerder if e.id == g.id), None)
        if gezien is not None:
            return gezien, False
        controleer_stap(staat_nu(definitie, eerder, nu), g.soort, van_de_andere=True)
        werk.protocol.voeg_toe(g)
        werk.audit.record(
            gebeurtenis=PROTOCOL_STAP[node],
            actor=g.door,
            tijdstip=nu,
            inhoud={**g.json(), "op_bij_afzender": str(inhoud["op"])},  # type: ignore[index]  # checked by ontvangen_stap
        )
        werk.commit()
    return g, True


def te_melden_nu(*, uow: ProtocolWerk, node: Node) -> list[ProtocolGebeurtenis]:
    """This node's steps the other party's node has not taken yet."""
    with uow as werk:
        return te_melden(node, werk.protocol.gebeurtenissen())


@dataclass(frozen=True, slots=True)
class Gemeld:
    """What became of one step told to the other party's node: taken, or refused for good."""

    stap: ProtocolGebeurtenis
    geweigerd: str | None = None

    def zin(self, andere: str) -> str:
        g = self.stap
        if self.geweigerd is not None:
            return f"{andere} refused {g.soort} ({g.id}) for good: {self.geweigerd}"
        return f"{andere} took {g.soort} ({g.id}) at {g.ontvangen_op:%Y-%m-%d %H:%M:%S} UTC"


@vereist(Permissie.MELDING_VERSTUUR)
def meld_stappen(
    *,
    door: Actor,
    uow: ProtocolWerk,
    node: Node,
    messenger: Messenger,
    nu: Callable[[], datetime],
) -> list[Gemeld]:
    """Tell the other party's node every own step that binds it and it has not taken yet,
    oldest first, each recorded as taken once its node answered. A step it reads and refuses
    for good (`PartijWeigert`: a second notice, one that crossed) is recorded as refused and
    the next goes on; the first that does not reach it stops the run (`PartijOnbereikbaar`):
    the rest stays to tell, in order."""
    with uow as werk:
        open_ = te_melden(node, werk.protocol.gebeurtenissen())
    uitkomsten = []
    for g in open_:
        try:
            antwoord = messenger.stuur(g.melding(nu()))
        except PartijWeigert as fout:
            reden = str(fout)[:500]
            uitkomsten.append(_leg_vast(uow, node, replace(g, geweigerd=reden), nu()))
            continue
        moment = nu()
        ontvangen = replace(g, ontvangen_op=_ontvangen_op(antwoord, g.op, moment))
        uitkomsten.append(_leg_vast(uow, node, ontvangen, moment))
    return uitkomsten


def _leg_vast(uow: ProtocolWerk, node: Node, g: ProtocolGebeurtenis, nu: datetime) -> Gemeld:
    """Record what the other node did with an own step — took it (``ontvangen_op``) or
    refused it for good (``geweigerd``) — audited with it."""
    with uow as werk:
        inhoud: ProtocolGemeldInhoud = {"gemeld": g.id, "soort": g.soort.value}
        if g.ontvangen_op is not None:
            werk.protocol.ontvangen(g.id, g.ontvangen_op)
            inhoud["ontvangen_op"] = g.ontvangen_op.isoformat()
        else:
            werk.protocol.geweigerd(g.id, g.geweigerd or "")
            inhoud["geweigerd"] = g.geweigerd or ""
        werk.audit.record(gebeurtenis=PROTOCOL_STAP[node], actor=g.door, tijdstip=nu, inhoud=inhoud)
        werk.commit()
    return Gemeld(g, g.geweigerd)


def _ontvangen_op(antwoord: dict[str, Any], gegeven: datetime, terug: datetime) -> datetime:
    """When the other node took a step, as it says: its record is what counts (a repeat
    answers with the first receipt, also one whose answer was lost), when that lies between
    the step being given and its answer coming back, give or take the clocks' difference;
    else the moment the answer came."""
    try:
        gezegd = rfc3339_uit_tekst(antwoord.get("ontvangen_op"))
    except OngeldigeTijd:
        return terug
    if gegeven - KLOKVERSCHIL <= gezegd <= terug + KLOKVERSCHIL:
        return gezegd
    return terug


def staat_van(werk: MetProtocol, nu: datetime) -> ProtocolStaat:
    """The protocol as this node's own record has it, for a step taken at ``nu`` inside the
    caller's open unit of work (each node obeys its own record, which follows the other's)."""
    return staat_nu(protocol_definitie(), werk.protocol.gebeurtenissen(), nu)


def vereis_stroom(werk: MetProtocol, stroom: Stroom, nu: datetime) -> None:
    """Refuse a disclosure of ``stroom`` at ``nu`` that the protocol does not allow, inside the
    caller's open unit of work."""
    reden = staat_van(werk, nu).weigering(stroom)
    if reden is not None:
        raise GeenWettelijkeContext(reden)


def vereis_gang(werk: MetProtocol, nu: datetime) -> None:
    """Refuse a step while the protocol stands still: suspended, ended by a party, not yet
    in force (a lapsed basis is not this: the law then asks something else)."""
    reden = staat_van(werk, nu).stilgelegd()
    if reden is not None:
        raise GeenWettelijkeContext(reden)


@dataclass(frozen=True, slots=True)
class Verval:
    """What a lapsed legal basis stops, and what this node then removes for that flow (the
    ids, by kind) on the day the grace period has passed."""

    stroom: Stroom
    datum: date
    stopt: str
    gegevens: dict[str, list[str]]
    weg_op: date
    gebeurtenis: ProtocolGebeurtenis | None  # None: a dry run

    def json(self) -> dict[str, object]:
        return {
            "id": self.gebeurtenis.id if self.gebeurtenis else None,
            "stroom": self.stroom.value,
            "datum": self.datum.isoformat(),
            "stopt": self.stopt,
            "gegevens": self.gegevens,
            "weg_op": self.weg_op.isoformat(),
            "dry_run": self.gebeurtenis is None,
        }


@vereist(BEHEER)
def grond_vervalt(
    *,
    uow: BewaringWerk,
    definitie: ProtocolDefinitie,
    termijnen: Bewaartermijnen,
    stroom: Stroom,
    datum: date,
    reden: str,
    door: Actor,
    nu: datetime,
    dry_run: bool,
    node: Node = Node.AII,
) -> Verval:
    """A flow's legal basis lapses on ``datum`` (e.g. GwH 112/2023 on 2023-07-20): the flow
    stops from that day. Says what stops and what this node will purge for the flow, and
    when (the retention run removes it); the dry run records nothing."""
    if datum < definitie.in_werking:
        raise ProtocolFout(f"datum: before the protocol came into force ({definitie.in_werking})")
    with uow as werk:
        eerder = werk.protocol.gebeurtenissen()
        staat = staat_op(definitie, eerder, nu)
        controleer_stap(staat, Soort.GROND_VERVALT)
        al = [
            g.datum
            for g in eerder
            if g.soort is Soort.GROND_VERVALT and g.stroom is stroom and g.datum is not None
        ]
        if al and min(al) <= datum:
            raise ProtocolFout(f"the basis of {stroom.value} lapsed already on {min(al)}")
        kanalen = (
            "REST, batch and SOAP answer 40001"
            if stroom is Stroom.F1
            else ("no list is delivered, the pull answers 40001")
        )
        stopt = f"{stroom.value} ({definitie.stroom(stroom).doel}) from {datum}: {kanalen}"
        dag = _weg_op_na_verval(definitie, termijnen, eerder, stroom, datum, reden, door, nu)
        soort = VOOR_STROOM[node][stroom]
        gegevens = {
            soort.value: werk.bewaring.te_verwijderen(
                Opdracht(soort, max(dag, dag_in_brussel(nu)) + timedelta(days=1), reden)
            )
        }
    if dry_run:
        return Verval(stroom, datum, stopt, gegevens, dag, None)
    g, _ = stap(
        uow=uow,
        definitie=definitie,
        soort=Soort.GROND_VERVALT,
        door=door,
        reden=reden,
        nu=nu,
        stroom=stroom,
        datum=datum,
        gebeurtenis=PROTOCOL_STAP[node],
    )
    return Verval(stroom, datum, stopt, gegevens, dag, g)


def _weg_op_na_verval(
    definitie: ProtocolDefinitie,
    termijnen: Bewaartermijnen,
    eerder: list[ProtocolGebeurtenis],
    stroom: Stroom,
    datum: date,
    reden: str,
    door: Actor,
    nu: datetime,
) -> date:
    """The day from which the retention run removes the flow's data once this lapse is
    recorded (its grace period counted as the run will count it)."""
    als_vastgelegd = ProtocolGebeurtenis(
        id="", soort=Soort.GROND_VERVALT, op=nu, door=door.naam, reden=reden, stroom=stroom,
        datum=datum,
    )  # fmt: skip
    einde = einde_van_stroom(
        staat_op(definitie, [*eerder, als_vastgelegd], nu), stroom
    ) or StroomEinde(datum, max(datum, dag_in_brussel(nu)), reden)
    return weg_op(termijnen, einde)


PROTOCOL_STAP = {
    Node.AII: AuditGebeurtenis.PROTOCOL_STAP,
    Node.VSB: AuditGebeurtenis.VSB_PROTOCOL_STAP,
}


@vereist({Node.AII: Permissie.KBI_PROTOCOL_BEHEER})
def annulatierapport(
    *, uow: AnnulatieWerk, definitie: ProtocolDefinitie, door: Actor, nu: datetime
) -> list[dict[str, Any]]:
    """For each lapsed basis, every earlier refusal that rested on it, for remediation: the
    NOK answers of its purpose (by client and referte, so that VSB finds its applications;
    no INSZ) and, for F2, its lists. The report is audited: it is personal data under a
    pseudonym."""
    with uow as werk:
        rapport: list[dict[str, Any]] = []
        for g in staat_nu(definitie, werk.protocol.gebeurtenissen(), nu).gebeurtenissen:
            if g.soort is not Soort.GROND_VERVALT or g.stroom is None:
                continue
            doel = definitie.stroom(g.stroom).doel
            regel: dict[str, Any] = {
                "vervallen": g.json(),
                "weigeringen": [w.json() for w in werk.beslissingen.weigeringen(doel)],
                # answered after the day the basis lapsed, before the lapse was recorded: they
                # had no ground (for remediation too)
                "zonder_grond": [
                    w.json() for w in werk.beslissingen.gegeven_vanaf(doel, begin_van_dag(g.datum))
                ]
                if g.datum is not None and g.stroom is Stroom.F1
                else [],
            }
            if g.stroom is Stroom.F2:
                regel["lijsten"] = [
                    {"lijst": x.id, "jaar": x.jaar, "aantal": x.aantal, "status": x.status.value}
                    for x in werk.lijsten.alle()
                ]
            rapport.append(regel)
        werk.audit.record(
            gebeurtenis=AuditGebeurtenis.PROTOCOL_RAPPORT,
            actor=door.naam,
            tijdstip=nu,
            inhoud={
                "rapport": "annulment",
                "weigeringen": sum(len(r["weigeringen"]) for r in rapport),
            },
        )
        werk.commit()
        return rapport
