"""Data quality at VSB (SPEC §12, protocol art. 7): VSB reports an error in data it
received, follows AII's handling of it, applies the rectifications AII sends (the
application's decision follows the new answer) and tells the zorgkas concerned.

A report is audited before it leaves for AII; each rectification is applied, audited and the
zorgkas's message stored in one transaction, so a run cut short is finished by the next,
which skips what it already applied.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from kbi_exchange.domain.aanvraag import Aanvraag, AanvraagFout, BronOnbeschikbaar, brief
from kbi_exchange.domain.access import Actor, Permissie, vereist
from kbi_exchange.domain.audit import AuditGebeurtenis
from kbi_exchange.domain.audit_inhoud_vsb import RectificatieSamenvatting
from kbi_exchange.domain.dates import dag_in_brussel
from kbi_exchange.domain.fouten import Conflict
from kbi_exchange.domain.kwaliteit import (
    TERMIJN,
    KwaliteitFout,
    MeldingGeweigerd,
    MeldingStatus,
    Uitvoering,
    VsbMelding,
    ZorgkasBericht,
    controleer_tekst,
)
from kbi_exchange.schemas import zorgkas_namen
from kbi_exchange.services.aanvragen import NietGevonden, geldig_insz
from kbi_exchange.services.ports import KwaliteitBron, VsbKwaliteitWerk
from kbi_exchange.services.protocol import vereis_gang


@vereist(Permissie.VSB_AANVRAAG_BEHANDEL)
def meld(
    *,
    uow: VsbKwaliteitWerk,
    bron: KwaliteitBron,
    omschrijving: str,
    door: Actor,
    nu: datetime,
    insz: str | None = None,
    aanvraag_id: str | None = None,
) -> VsbMelding:
    """Report to AII an error in a person's data — about an application's answer (then AII
    gets its referte) or about a person — and keep the report under AII's id."""
    tekst = controleer_tekst(omschrijving, "omschrijving")
    referte = None
    with uow as werk:
        if aanvraag_id is not None:
            aanvraag = werk.aanvragen.get(aanvraag_id)
            if aanvraag is None or not door.ziet(aanvraag.zorgkas):
                raise NietGevonden(f"no application {aanvraag_id}")
            if insz is not None and geldig_insz(insz) != aanvraag.insz:
                raise KwaliteitFout("insz: not the applicant of aanvraag")
            insz, referte = aanvraag.insz, aanvraag.referte
        if insz is None:
            raise KwaliteitFout("give the insz or the aanvraag it is about")
        if aanvraag_id is None and not _eigen_lid(werk, door, geldig_insz(insz), nu):
            # need-to-know: a zorgkas passes on complaints of its own members only, and the
            # refusal says nothing about the person (SPEC §9)
            raise NietGevonden(f"no member of {door.zorgkas} with that insz")
        melding = VsbMelding(
            id=str(uuid.uuid4()),  # VSB's id: sent again, AII recognises it
            insz=geldig_insz(insz),
            omschrijving=tekst,
            gemeld_op=nu,
            gemeld_door=door.naam,
            status=MeldingStatus.OPEN,
            vervalt_op=nu + TERMIJN,  # AII's due date replaces it once it has the report
            aanvraag_id=aanvraag_id,
            referte=referte,
        )
        # kept, and audited before it leaves (as every disclosure, SPEC §11): if AII cannot be
        # reached, or its answer is lost, `werk_bij` sends it again under the same id
        werk.vsb_meldingen.bewaar(melding)
        werk.audit.record(
            gebeurtenis=AuditGebeurtenis.VSB_MELDING_VERSTUURD,
            actor=door.naam,
            tijdstip=nu,
            insz=melding.insz,
            inhoud={"melding": melding.id, "aanvraag": aanvraag_id, "referte": referte},
        )
        werk.commit()
    try:
        return _verstuur(uow=uow, bron=bron, melding=melding, nu=nu)
    except (BronOnbeschikbaar, MeldingGeweigerd) as fout:
        raise KwaliteitFout(
            f"report {melding.id} is recorded at VSB but AII did not take it ({fout}); "
            "`kbi vsb report fetch` sends it again"
        ) from None


def _verstuur(
    *, uow: VsbKwaliteitWerk, bron: KwaliteitBron, melding: VsbMelding, nu: datetime
) -> VsbMelding:
    """Send a recorded report to AII (again): recorded as sent, with AII's due date."""
    antwoord = bron.meld(melding.id, melding.insz, melding.omschrijving, melding.referte)
    verstuurd = replace(
        melding,
        status=MeldingStatus(antwoord["status"]),
        vervalt_op=datetime.fromisoformat(antwoord["vervalt_op"]),
        verstuurd_op=melding.verstuurd_op or nu,
    )
    with uow as werk:
        werk.vsb_meldingen.bewaar(verstuurd)
        werk.commit()
    return verstuurd


@vereist(Permissie.VSB_AANVRAAG_BEHANDEL)
def meldingen(*, door: Actor, uow: VsbKwaliteitWerk, open_: bool = False) -> list[VsbMelding]:
    """The reports VSB sent (a zorgkas handler: those about its zorgkas's applications, and
    those they sent themselves)."""
    with uow as werk:
        alle = werk.vsb_meldingen.alle(open_=open_)
        if door.zorgkas is None:
            return alle
        return [m for m in alle if _van_zorgkas(werk, door, m)]


def _eigen_lid(werk: VsbKwaliteitWerk, door: Actor, insz: str, nu: datetime) -> bool:
    """Whether ``insz`` is affiliated today with the actor's zorgkas (VSB staff: always)."""
    if door.zorgkas is None:
        return True
    lid = werk.leden.op([insz]).get(insz)
    return lid is not None and lid.zorgkas_op(dag_in_brussel(nu)) == door.zorgkas


def _van_zorgkas(werk: VsbKwaliteitWerk, door: Actor, melding: VsbMelding) -> bool:
    """A report a zorgkas handler may see: about one of their zorgkas's applications, or one
    they sent themselves. Not by the member's affiliation today: after a move the new zorgkas
    would read what the old one reported, and the old one lose it."""
    if melding.aanvraag_id is not None:
        aanvraag = werk.aanvragen.get(melding.aanvraag_id)
        return aanvraag is not None and door.ziet(aanvraag.zorgkas)
    return melding.gemeld_door == door.naam


@dataclass
class Bijgewerkt:
    """What one `werk_bij` did."""

    meldingen: list[VsbMelding] = field(default_factory=list)  # whose state changed
    toegepast: list[dict[str, Any]] = field(default_factory=list)
    zonder_aanvraag: list[dict[str, Any]] = field(default_factory=list)
    niet_gevonden: list[dict[str, Any]] = field(default_factory=list)  # reports AII did not show
    verstuurd: list[VsbMelding] = field(default_factory=list)  # recorded earlier, sent now

    def json(self) -> dict[str, Any]:
        return {
            "meldingen": [m.json() for m in self.meldingen],
            "toegepast": self.toegepast,
            "zonder_aanvraag": self.zonder_aanvraag,
            "niet_gevonden": self.niet_gevonden,
            "verstuurd": [m.json() for m in self.verstuurd],
        }


@vereist(Permissie.VSB_AANVRAAG_BEHANDEL)
def werk_bij(
    *, uow: VsbKwaliteitWerk, bron: KwaliteitBron, door: Actor, nu: datetime
) -> Bijgewerkt:
    """Read AII's handling of every open report (a closed one brings AII's finding), then
    fetch and apply every rectification AII has for VSB's questions."""
    uit = Bijgewerkt()
    for melding in meldingen(uow=uow, open_=True, door=door):
        if melding.verstuurd_op is None:
            try:
                uit.verstuurd.append(_verstuur(uow=uow, bron=bron, melding=melding, nu=nu))
            except MeldingGeweigerd as fout:
                uit.niet_gevonden.append({"melding": melding.id, "reden": str(fout)})
            continue
        try:
            stand = bron.melding(melding.id)
        except MeldingGeweigerd as fout:
            # AII does not show it (e.g. sent by a client since revoked): say so, go on
            uit.niet_gevonden.append({"melding": melding.id, "reden": str(fout)})
            continue
        gesloten = stand.get("gesloten_op")
        nieuw = replace(
            melding,
            status=MeldingStatus(stand["status"]),
            bevinding=stand.get("bevinding"),
            gesloten_op=datetime.fromisoformat(gesloten) if gesloten else None,
        )
        if nieuw == melding:
            continue
        with uow as werk:
            werk.vsb_meldingen.bewaar(nieuw)
            werk.audit.record(
                gebeurtenis=AuditGebeurtenis.VSB_MELDING_BIJGEWERKT,
                actor=door.naam,
                tijdstip=nu,
                insz=melding.insz,
                inhoud={"melding": melding.id, "status": nieuw.status.value},
            )
            werk.commit()
        uit.meldingen.append(nieuw)
    with uow as werk:
        na = werk.vsb_rectificaties.laatste_seq()
    while True:
        gekregen, volgende = bron.rectificaties(na)
        for ruw in gekregen:
            try:
                _pas_toe(uow=uow, ruw=ruw, door=door.naam, nu=nu, uit=uit)
            except Conflict:
                continue  # another fetch applied it meanwhile: nothing of this one was kept
        if not gekregen or volgende <= na:
            return uit
        na = volgende


def _pas_toe(
    *,
    uow: VsbKwaliteitWerk,
    ruw: dict[str, Any],
    door: str,
    nu: datetime,
    uit: Bijgewerkt,
) -> None:
    """Apply one rectification: the application asked under its referte is decided anew on
    AII's new answer, and its zorgkas gets a message with the new decision (and letter)."""
    with uow as werk:
        if werk.vsb_rectificaties.bekend(str(ruw["id"])):
            return
        referte = ruw.get("referte")
        aanvraag = werk.aanvragen.met_referte(str(referte)) if referte else None
        nieuw = ruw.get("nieuw") or {}
        samenvatting: RectificatieSamenvatting = {
            "rectificatie": ruw["id"],
            "melding": ruw["melding"],
            "referte": referte,
        }
        if aanvraag is None:
            werk.vsb_rectificaties.voeg_toe(
                ruw, aanvraag_id=None, uitvoering=Uitvoering.GEEN_AANVRAAG, ontvangen_op=nu
            )
            werk.audit.record(
                gebeurtenis=AuditGebeurtenis.VSB_RECTIFICATIE_TOEGEPAST,
                actor=door,
                tijdstip=nu,
                inhoud={**samenvatting, "uitkomst": Uitvoering.GEEN_AANVRAAG.value},
            )
            werk.commit()
            uit.zonder_aanvraag.append(dict(samenvatting))
            return
        try:
            gerectificeerd = aanvraag.rectificeer(
                str(nieuw.get("advies")), nieuw.get("reden"), nieuw.get("omschrijving"), nu
            )
        except AanvraagFout:
            # nothing VSB can decide on (no OK or NOK): kept as received, for a person
            werk.vsb_rectificaties.voeg_toe(
                ruw, aanvraag_id=aanvraag.id, uitvoering=Uitvoering.NIET_TOEPASBAAR,
                ontvangen_op=nu,
            )  # fmt: skip
            werk.commit()
            uit.zonder_aanvraag.append({**samenvatting, "uitkomst": "niet_toepasbaar"})
            return
        _leg_rectificatie_vast(werk, ruw, samenvatting, aanvraag, gerectificeerd, door, nu)
        werk.commit()
        uit.toegepast.append(
            {**samenvatting, "aanvraag": aanvraag.id, "status": gerectificeerd.status.value}
        )


def _leg_rectificatie_vast(
    werk: VsbKwaliteitWerk,
    ruw: dict[str, Any],
    samenvatting: RectificatieSamenvatting,
    aanvraag: Aanvraag,
    gerectificeerd: Aanvraag,
    door: str,
    nu: datetime,
) -> None:
    """The application decided anew, the rectification kept as applied, the zorgkas's
    message, audited (the caller commits)."""
    werk.aanvragen.bewaar(gerectificeerd)
    werk.vsb_rectificaties.voeg_toe(
        ruw, aanvraag_id=aanvraag.id, uitvoering=Uitvoering.TOEGEPAST, ontvangen_op=nu
    )
    werk.berichten.voeg_toe(_bericht(aanvraag, gerectificeerd, nu))
    werk.audit.record(
        gebeurtenis=AuditGebeurtenis.VSB_RECTIFICATIE_TOEGEPAST,
        actor=door,
        tijdstip=nu,
        insz=aanvraag.insz,
        inhoud={
            **samenvatting,
            "aanvraag": aanvraag.id,
            "zorgkas": aanvraag.zorgkas,
            "was": aanvraag.status.value,
            "wordt": gerectificeerd.status.value,
            "uitkomst": Uitvoering.TOEGEPAST.value,
        },
    )


def _bericht(oud: Aanvraag, nieuw: Aanvraag, nu: datetime) -> ZorgkasBericht:
    return ZorgkasBericht(
        id=str(uuid.uuid4()),
        zorgkas=nieuw.zorgkas,
        soort="beslissing_rechtgezet",
        gemaakt_op=nu,
        aanvraag_id=nieuw.id,
        inhoud={
            "was": {"status": oud.status.value, "advies": oud.advies, "reden": oud.reden_code},
            "wordt": {
                "status": nieuw.status.value,
                "advies": nieuw.advies,
                "reden": nieuw.reden_code,
            },
            "toelichting": (
                "Het Agentschap Integratie en Inburgering heeft de gegevens in de "
                "Kruispuntbank Inburgering rechtgezet; de beslissing over deze aanvraag volgt "
                "het nieuwe advies."
            ),
            "brief": brief(nieuw, zorgkas_namen().get(nieuw.zorgkas, nieuw.zorgkas)),
        },
    )


@vereist(Permissie.VSB_AANVRAAG_BEHANDEL)
def berichten(*, uow: VsbKwaliteitWerk, door: Actor, nu: datetime) -> list[ZorgkasBericht]:
    """The messages of the zorgkas a handler works for (VSB staff: all), the look audited;
    none reach a zorgkas while the protocol stands still (VSB's record)."""
    with uow as werk:
        if door.zorgkas is not None:
            vereis_gang(werk, nu)
        gevonden = werk.berichten.van(door.zorgkas)
        werk.audit.record(
            gebeurtenis=AuditGebeurtenis.VSB_BERICHT_BEKEKEN,
            actor=door.naam,
            tijdstip=nu,
            inhoud={"zorgkas": door.zorgkas, "berichten": [b.id for b in gevonden]},
        )
        werk.commit()
    return gevonden
