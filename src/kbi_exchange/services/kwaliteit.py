"""Data quality at AII (SPEC §12, protocol art. 7): a report received from VSB, the
correction, the re-evaluation of every earlier answer and list entry it touches, the
rectifications that follow, and the finding that closes the report and informs VSB.

Every step is stored and audited in one transaction; a rectification is audited again when
it leaves (fetched by the client that asked the question).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import orjson

from kbi_exchange.domain.access import Actor, Permissie, vereist
from kbi_exchange.domain.advies import Vraag, beantwoord
from kbi_exchange.domain.audit import AuditGebeurtenis
from kbi_exchange.domain.dates import dag_in_brussel
from kbi_exchange.domain.fouten import Conflict, NotFound
from kbi_exchange.domain.insz import Insz, OngeldigInsz
from kbi_exchange.domain.kwaliteit import (
    KwaliteitFout,
    Melding,
    MeldingStatus,
    Rectificatie,
    Uitkomst,
    controleer_tekst,
)
from kbi_exchange.domain.lijst import op_lijst
from kbi_exchange.domain.parameters import ParameterSet
from kbi_exchange.domain.protocol import Stroom, staat_nu
from kbi_exchange.parameters import protocol_definitie, standaard_parameters
from kbi_exchange.services.bericht import antwoord_bericht
from kbi_exchange.services.ports import KwaliteitWerk
from kbi_exchange.services.protocol import vereis_stroom

MAX_PER_KEER = 1_000  # rectifications per fetch


class OnbekendeMelding(NotFound):
    """No such report (also when it is another client's)."""


def _insz(tekst: object, veld: str = "insz") -> str:
    if not isinstance(tekst, str):
        raise KwaliteitFout(f"{veld}: required, a string of 11 digits")
    try:
        return Insz.parse(tekst).cijfers
    except OngeldigInsz as fout:
        raise KwaliteitFout(f"{veld}: {fout}") from None


@vereist(Permissie.KBI_MELDING_STUUR)
def ontvang(
    *,
    door: Actor,
    uow: KwaliteitWerk,
    insz: object,
    omschrijving: object,
    referte: object = None,
    nu: datetime,
    melding_id: object = None,
) -> tuple[Melding, bool]:
    """Record a report of VSB about a person's data: due for a finding within 2 weeks.

    ``melding_id`` is the sender's id for it: sent again (its answer was lost), the same
    report comes back and nothing is stored twice. Returns it and whether it is new."""
    if not isinstance(omschrijving, str):
        raise KwaliteitFout("omschrijving: a text of 1 to 2 000 characters")
    if referte is not None and (not isinstance(referte, str) or not 0 < len(referte) <= 36):
        raise KwaliteitFout("referte: the referte of the question, at most 36 characters")
    if melding_id is not None and (
        not isinstance(melding_id, str) or not 0 < len(melding_id) <= 36
    ):
        raise KwaliteitFout("id: the sender's id for the report, at most 36 characters")
    melding = Melding(
        id=melding_id or str(uuid.uuid4()),
        insz=_insz(insz),
        omschrijving=controleer_tekst(omschrijving, "omschrijving"),
        gemeld_door=door.naam,
        gemeld_op=nu,
        referte=referte,
    )
    with uow as werk:
        eerder = werk.meldingen.get(melding.id)
        if eerder is not None:
            if eerder.gemeld_door != door.naam:
                raise KwaliteitFout("id: in use for another report")
            return eerder, False
        werk.meldingen.bewaar(melding)
        werk.audit.record(
            gebeurtenis=AuditGebeurtenis.MELDING_ONTVANGEN,
            actor=door.naam,
            tijdstip=nu,
            insz=melding.insz,
            inhoud={"melding": melding.id, "referte": referte},
        )
        try:
            werk.commit()
        except Conflict:  # the same id sent twice at once: the other one stored it
            raise KwaliteitFout("id: in use for another report; send it again") from None
    return melding, True


def controleer_correctie(bestand: Path, melding: Melding) -> None:
    """A correction file holds lines for the reported person only: another person's data is
    corrected under a report of their own (nothing is imported otherwise)."""
    if melding.status is MeldingStatus.GESLOTEN:
        raise KwaliteitFout(f"report {melding.id} is closed: make a new one")
    regels = 0
    with bestand.open("rb") as f:
        for nummer, regel in enumerate(f, start=1):
            if not regel.strip():
                continue
            regels += 1
            try:
                insz = orjson.loads(regel).get("insz")
            except (orjson.JSONDecodeError, AttributeError):
                raise KwaliteitFout(f"{bestand.name} line {nummer}: not a JSON object") from None
            if not isinstance(insz, str) or insz != melding.insz:
                raise KwaliteitFout(
                    f"{bestand.name} line {nummer}: insz is not the reported person's; "
                    "correct another person under a report of their own"
                )
    if regels == 0:
        raise KwaliteitFout(f"{bestand.name}: no lines: a correction withdraws or registers facts")


@vereist(Permissie.KBI_MELDING_BEHANDEL)
def meldingen(*, door: Actor, uow: KwaliteitWerk, open_: bool = False) -> list[Melding]:
    with uow as werk:
        return werk.meldingen.alle(open_=open_)


@vereist(Permissie.KBI_MELDING_BEHANDEL)
def toon(*, door: Actor, uow: KwaliteitWerk, melding_id: str) -> tuple[Melding, list[Rectificatie]]:
    with uow as werk:
        melding = werk.meldingen.get(melding_id)
        if melding is None:
            raise OnbekendeMelding(f"no report {melding_id}")
        return melding, werk.rectificaties.van_melding(melding_id)


@dataclass(frozen=True, slots=True)
class Herbeoordeling:
    """What a correction changed: the rectifications made, and what was checked."""

    melding: Melding
    rectificaties: list[Rectificatie]
    antwoorden_bekeken: int
    lijsten_bekeken: int

    def json(self, nu: datetime) -> dict[str, Any]:
        return {
            "id": self.melding.id,
            "melding": self.melding.json(nu),
            "antwoorden_bekeken": self.antwoorden_bekeken,
            "lijsten_bekeken": self.lijsten_bekeken,
            "rectificaties": [{**r.json(), "client": r.client} for r in self.rectificaties],
        }


@vereist(Permissie.KBI_MELDING_BEHANDEL)
def herbeoordeel(
    *,
    uow: KwaliteitWerk,
    melding_id: str,
    import_id: str,
    door: Actor,
    nu: datetime,
    lijst_ontvanger: str,
) -> Herbeoordeling:
    """After the correction (import ``import_id``), answer every earlier question about the
    person again on what is known now — with the validity checks of the day it was first
    answered — and check every current list; a rectification for each result that changed.

    Run again for the same report, it finds the same changes and adds none twice.
    """
    parameters = standaard_parameters()
    with uow as werk:
        # one correction at a time, each reading what the one before it rectified, and the
        # rectifications numbered in the order they are committed (VSB fetches by number)
        werk.audit.vergrendel()
        melding = werk.meldingen.get(melding_id)
        if melding is None:
            raise OnbekendeMelding(f"no report {melding_id}")
        gecorrigeerd = melding.corrigeer(import_id, door.naam, nu)
        records, antwoorden = _antwoorden_opnieuw(werk, melding, nu, parameters)
        lijsten, op_lijsten = _lijsten_opnieuw(werk, melding, nu, parameters, lijst_ontvanger)
        nieuw = antwoorden + op_lijsten
        werk.meldingen.bewaar(gecorrigeerd)
        for r in nieuw:
            werk.rectificaties.voeg_toe(r)
        werk.audit.record(
            gebeurtenis=AuditGebeurtenis.MELDING_GECORRIGEERD,
            actor=door.naam,
            tijdstip=nu,
            insz=melding.insz,
            inhoud={
                "melding": melding.id,
                "import": import_id,
                "rectificaties": [r.id for r in nieuw],
                "antwoorden_bekeken": records,
                "lijsten_bekeken": lijsten,
            },
        )
        werk.commit()
        alle = werk.rectificaties.van_melding(melding_id)
    return Herbeoordeling(gecorrigeerd, alle, records, lijsten)


def _antwoorden_opnieuw(
    werk: KwaliteitWerk, melding: Melding, nu: datetime, parameters: ParameterSet
) -> tuple[int, list[Rectificatie]]:
    """Every earlier answer about the person, given again on what is known now: how many
    were looked at, and a rectification (F1) for each that changed."""
    nieuw: list[Rectificatie] = []
    records = [b for b in werk.beslissingen.van_insz(melding.insz) if b.antwoord]
    # what each answer says now: as given, or as an earlier correction rectified it
    rechtgezet = werk.rectificaties.laatste([b.id for b in records])
    for b in records:
        oud = rechtgezet.get(b.id) or Uitkomst.uit_antwoord(orjson.loads(b.antwoord))
        if oud.advies is None:
            continue  # a refused question gave no answer to rectify
        antwoord = beantwoord(
            Vraag(b.insz, b.datum, b.doel),
            zoek=werk.kbi.zoek,
            vandaag=dag_in_brussel(b.gegeven_op),
            gekend_op=nu,
            parameters=parameters,
        )
        opnieuw = Uitkomst.uit_antwoord(antwoord_bericht(b.referte, antwoord).json())
        if opnieuw.zelfde(oud) or opnieuw.advies is None:
            # unchanged; or the question is refused now (a data error at the source):
            # no answer to send, the report stays for a person to look at
            continue
        beslissing = antwoord.beslissing
        nieuw.append(
            Rectificatie(
                id=str(uuid.uuid4()),
                melding_id=melding.id,
                stroom=Stroom.F1,
                client=b.client,
                gemaakt_op=nu,
                insz=melding.insz,
                oud=oud,
                nieuw=opnieuw,
                referte=b.referte,
                beslissing_id=b.id,
                datum=date.fromisoformat(b.datum),
                gekend_op=nu,
                feit_ids=tuple(sorted(beslissing.feiten)) if beslissing else (),
            )
        )
    return len(records), nieuw


def _lijsten_opnieuw(
    werk: KwaliteitWerk,
    melding: Melding,
    nu: datetime,
    parameters: ParameterSet,
    lijst_ontvanger: str,
) -> tuple[int, list[Rectificatie]]:
    """Every list that counts for its year, checked again for the person: how many were
    looked at, and a rectification (F2) for each on which they should (not) be."""
    dossier = werk.kbi.zoek(melding.insz)
    op = set(werk.lijsten.met_insz(melding.insz, werk.audit.insz_hashes(melding.insz)))
    # the lists that count for their year; none once F2 may not disclose (their INSZ
    # are purged after the grace period)
    f2 = staat_nu(protocol_definitie(), werk.protocol.gebeurtenissen(), nu)
    lijsten = (
        [x for x in werk.lijsten.alle() if x.telt_voor_jaar]
        if f2.weigering(Stroom.F2) is None
        else []
    )
    nieuw: list[Rectificatie] = []
    for lijst in lijsten:
        nu_op = dossier is not None and op_lijst(
            dossier, lijst.jaar, gekend_op=nu, parameters=parameters
        )
        eerder = [r.op_lijst for r in werk.rectificaties.van_lijst(lijst.id, melding.insz)]
        was_op = eerder[-1] if eerder else lijst.id in op
        if nu_op == was_op:
            continue
        nieuw.append(
            Rectificatie(
                id=str(uuid.uuid4()),
                melding_id=melding.id,
                stroom=Stroom.F2,
                client=lijst_ontvanger,
                gemaakt_op=nu,
                insz=melding.insz,
                jaar=lijst.jaar,
                lijst_id=lijst.id,
                op_lijst=nu_op,
            )
        )
    return len(lijsten), nieuw


@vereist(Permissie.KBI_MELDING_BEHANDEL)
def sluit(
    *, uow: KwaliteitWerk, melding_id: str, bevinding: str, door: Actor, nu: datetime
) -> Melding:
    """Close a report with what AII found and did: VSB reads it (and so is informed)."""
    with uow as werk:
        melding = werk.meldingen.get(melding_id)
        if melding is None:
            raise OnbekendeMelding(f"no report {melding_id}")
        gesloten = melding.sluit(bevinding, door.naam, nu)
        werk.meldingen.bewaar(gesloten)
        werk.audit.record(
            gebeurtenis=AuditGebeurtenis.MELDING_GESLOTEN,
            actor=door.naam,
            tijdstip=nu,
            insz=melding.insz,
            inhoud={"melding": melding.id, "status": gesloten.status.value},
        )
        werk.commit()
    return gesloten


@vereist(Permissie.KBI_MELDING_STUUR)
def status_voor(*, door: Actor, uow: KwaliteitWerk, melding_id: str, nu: datetime) -> Melding:
    """A report as the client that sent it (``door``) sees it (another client's: unknown)."""
    with uow as werk:
        melding = werk.meldingen.get(melding_id)
    if melding is None or melding.gemeld_door != door.naam:
        raise OnbekendeMelding(f"no report {melding_id}")
    return melding


@vereist(Permissie.KBI_ADVIES_VRAAG)
def haal_rectificaties(
    *, door: Actor, uow: KwaliteitWerk, na: int, nu: datetime
) -> tuple[list[tuple[int, Rectificatie]], int]:
    """The client's F1 rectifications after sequence number ``na`` (at most `MAX_PER_KEER`),
    each audited before it leaves, and the number to ask after next time. F1 must be
    allowed now: a rectification is a disclosure of F1."""
    with uow as werk:
        vereis_stroom(werk, Stroom.F1, nu)
        gevonden = werk.rectificaties.voor_client(door.naam, Stroom.F1, na, MAX_PER_KEER)
        for _, r in gevonden:
            werk.audit.record(
                gebeurtenis=AuditGebeurtenis.RECTIFICATIE_VERSTREKT,
                actor=door.naam,
                tijdstip=nu,
                insz=r.insz,
                inhoud={"rectificatie": r.id, "melding": r.melding_id, "referte": r.referte},
            )
        werk.commit()
    return gevonden, max((seq for seq, _ in gevonden), default=na)


def achterstallig(*, uow: KwaliteitWerk, nu: datetime) -> list[tuple[str, datetime]]:
    """The reports past their 2 weeks without a finding: their ids and due moments, nothing
    about anyone (the node's own warnings: `kbi protocol status`, the overdue count)."""
    with uow as werk:
        return [
            (m.id, m.vervalt_op) for m in werk.meldingen.alle(open_=True) if m.achterstallig(nu)
        ]
