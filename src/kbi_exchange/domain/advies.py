"""The F1 question as every entry point asks it: validity checks of SPEC §4 around `evaluate`."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from kbi_exchange.domain.dates import OngeldigeTijd, datum_uit_tekst
from kbi_exchange.domain.decision import Advies, Beslissing, Status
from kbi_exchange.domain.dossier import Dossier
from kbi_exchange.domain.identity import los_op
from kbi_exchange.domain.insz import Insz, InszFout, OngeldigInsz
from kbi_exchange.domain.parameters import ParameterSet
from kbi_exchange.domain.rules import evaluate
from kbi_exchange.domain.uitzondering import Code, Geweigerd, Uitzondering


class Doel(StrEnum):
    """The purposes of the protocol: individual advice and the yearly list."""

    ZORGBUDGET = "ZORGBUDGET"
    VERLAAGDE_PREMIE = "VERLAAGDE_PREMIE"


_INSZ_DIAGNOSE = {
    InszFout.LEEG: "INSZ ontbreekt.",
    InszFout.FORMAAT: "INSZ bevat andere tekens dan cijfers.",
    InszFout.LENGTE: "INSZ heeft geen 11 cijfers.",
    InszFout.DATUMDEEL: "INSZ heeft een onmogelijk maand- of dagdeel.",
    InszFout.CONTROLEGETAL: "INSZ heeft een ongeldig controlegetal (modulo 97).",
}


@dataclass(frozen=True, slots=True)
class Vraag:
    """A question as received: raw text, checked by `beantwoord`."""

    insz: str
    datum: str | date
    doel: str = Doel.ZORGBUDGET.value


@dataclass(frozen=True, slots=True)
class Antwoord:
    """The answer to one question: a decision, or refusal by an uitzondering (then no decision)."""

    vraag: Vraag
    insz: str | None
    datum: date | None
    beslissing: Beslissing | None
    uitzonderingen: tuple[Uitzondering, ...]

    @property
    def geweigerd(self) -> bool:
        return self.beslissing is None

    @property
    def advies(self) -> Advies | None:
        return self.beslissing.advies if self.beslissing else None

    @property
    def status(self) -> Status | None:
        return self.beslissing.status if self.beslissing else None


def _geen_context(diagnose: str) -> Geweigerd:
    return Geweigerd(Uitzondering.fout(Code.GEEN_WETTELIJKE_CONTEXT, diagnose))


def controleer_datum(doel: Doel, datum: date, *, vandaag: date, parameters: ParameterSet) -> None:
    """Refuse (40001) a question the protocol gives no ground for: a purpose without an
    individual question, or a reference date outside the purpose's legal window (SPEC §4)."""
    if doel is not Doel.ZORGBUDGET:
        # art. 3 and 5: the reduced premium is served by the yearly list (F2) alone; an
        # individual question for it would disclose outside what the protocol names
        raise _geen_context(
            "Het protocol kent geen individuele vraag voor de verlaagde premie: "
            "die loopt enkel via de jaarlijkse lijst."
        )
    if datum > vandaag:
        raise _geen_context("De referentiedatum ligt in de toekomst.")
    eerste = parameters.datum("zorgbudget_eerste_datum", vandaag)
    if datum < eerste:
        raise _geen_context(
            f"Voor het zorgbudget geldt de voorwaarde pas vanaf {eerste.isoformat()}."
        )


def _lees(vraag: Vraag) -> tuple[Insz, date, Doel]:
    try:
        insz = Insz.parse(vraag.insz)
    except OngeldigInsz as fout:
        raise Geweigerd(Uitzondering.fout(Code.INSZ_ONGELDIG, _INSZ_DIAGNOSE[fout.fout])) from None
    try:
        datum = vraag.datum if isinstance(vraag.datum, date) else datum_uit_tekst(vraag.datum)
    except OngeldigeTijd:
        raise Geweigerd(
            Uitzondering.fout(Code.ONGELDIGE_VRAAG, "Datum is geen geldige datum (JJJJ-MM-DD).")
        ) from None
    try:
        doel = Doel(vraag.doel)
    except ValueError:
        raise Geweigerd(
            Uitzondering.fout(
                Code.ONGELDIGE_VRAAG, f"Onbekend doel; toegelaten: {', '.join(Doel)}."
            )
        ) from None
    return insz, datum, doel


def beantwoord(
    vraag: Vraag,
    *,
    zoek: Callable[[str], Dossier | None],
    vandaag: date,
    gekend_op: datetime,
    parameters: ParameterSet,
) -> Antwoord:
    """Check the question, resolve the person, and decide — or refuse with an uitzondering."""
    insz: Insz | None = None
    datum: date | None = None
    try:
        insz, datum, doel = _lees(vraag)
        controleer_datum(doel, datum, vandaag=vandaag, parameters=parameters)
        identiteit = los_op(
            insz.cijfers,
            zoek,
            gekend_op=gekend_op,
            max_keten=parameters.geheel_getal("identiteit_max_keten", vandaag),
        )
    except Geweigerd as geweigerd:
        return Antwoord(
            vraag, insz.cijfers if insz else None, datum, None, (geweigerd.uitzondering,)
        )
    dossier = identiteit.dossier or Dossier(insz=insz.cijfers)
    beslissing = evaluate(dossier, datum, gekend_op=gekend_op, parameters=parameters)
    uitzonderingen: tuple[Uitzondering, ...] = ()
    if identiteit.vervangen:
        uitzonderingen = (
            Uitzondering.waarschuwing(
                Code.INSZ_VERVANGEN, "Het INSZ werd vervangen; het antwoord geldt voor het huidige."
            ),
        )
    return Antwoord(vraag, insz.cijfers, datum, beslissing, uitzonderingen)
