"""`evaluate`: the one pure function that decides SPEC §4 for one dossier and one date."""

from __future__ import annotations

from datetime import date, datetime
from typing import NamedTuple, TypeVar

from kbi_exchange.domain.decision import Beslissing, Reden, RedenCode, Regime, Status, UitlegStap
from kbi_exchange.domain.dossier import (
    Aanmelding,
    Attest,
    Contract,
    Doelgroep,
    DoelgroepType,
    Dossier,
    Feit,
    Inbreuk,
    UitstelAanmelding,
    UitstelOndertekening,
    Vrijstelling,
)
from kbi_exchange.domain.parameters import ParameterSet
from kbi_exchange.domain.rules import regels as r
from kbi_exchange.domain.rules.naleving import (
    Traject,
    attest_vervult,
    b1_niet_aangetoond,
    contract_niet_ondertekend,
    inbreuk_vastgesteld,
    niet_tijdig_aangemeld,
)

F = TypeVar("F", bound=Feit)
_PLICHT = DoelgroepType.PLICHT
_R2013, _R2022 = Regime.R2013, Regime.R2022

_NIET_BEOORDEELD = "Niet beoordeeld: de persoon valt op deze datum niet onder de plicht."
_NIET_VERPLICHT_STAPPEN = tuple(
    UitlegStap(regel, False, _NIET_BEOORDEELD)
    for regel in (
        r.REGIME,
        r.ATTEST_VERVULT,
        r.INBREUK_VASTGESTELD,
        r.NIET_TIJDIG_AANGEMELD,
        r.CONTRACT_NIET_ONDERTEKEND,
        r.B1_NIET_AANGETOOND,
    )
)
_GEEN_PLICHT = "Geen plichtperiode dekt {}."
_GEEN_VRIJSTELLING = UitlegStap(r.VRIJSTELLING, False, "Geen vrijstelling dekt de datum.")
_NIET_OVERLEDEN = UitlegStap(r.OVERLEDEN, False, "Niet overleden op of vóór de datum.")


def _gekend(feiten: tuple[F, ...], gekend_op: datetime) -> tuple[F, ...]:
    return tuple(f for f in feiten if f.gekend(gekend_op)) if feiten else feiten


def _op_datum(feiten: tuple[F, ...], begin: date, datum: date, veld: str) -> list[F]:
    """Facts dated from the obligation begin up to the date, oldest first (periods start afresh)."""
    geteld = [f for f in feiten if begin <= getattr(f, veld) <= datum]
    if len(geteld) > 1:
        geteld.sort(key=lambda f: getattr(f, veld))
    return geteld


class _Gekend(NamedTuple):
    """The facts of a dossier known at a moment, by kind, and their ids: read as a `Dossier`
    is (which, when every fact is known, is used as it is)."""

    doelgroepen: tuple[Doelgroep, ...]
    vrijstellingen: tuple[Vrijstelling, ...]
    aanmeldingen: tuple[Aanmelding, ...]
    contracten: tuple[Contract, ...]
    attesten: tuple[Attest, ...]
    inbreuken: tuple[Inbreuk, ...]
    uitstel_aanmelding: tuple[UitstelAanmelding, ...]
    uitstel_ondertekening: tuple[UitstelOndertekening, ...]
    feit_ids: tuple[str, ...]


def _gekende_feiten(dossier: Dossier, gekend_op: datetime) -> Dossier | _Gekend:
    """Only facts registered at or before ``gekend_op`` and not withdrawn by then count."""
    if dossier.alles_gekend(gekend_op):  # the common case: nothing to filter, nothing to copy
        return dossier
    groepen = (
        _gekend(dossier.doelgroepen, gekend_op),
        _gekend(dossier.vrijstellingen, gekend_op),
        _gekend(dossier.aanmeldingen, gekend_op),
        _gekend(dossier.contracten, gekend_op),
        _gekend(dossier.attesten, gekend_op),
        _gekend(dossier.inbreuken, gekend_op),
        _gekend(dossier.uitstel_aanmelding, gekend_op),
        _gekend(dossier.uitstel_ondertekening, gekend_op),
    )
    return _Gekend(*groepen, tuple(f.id for groep in groepen for f in groep))


def _plicht(doelgroepen: tuple[Doelgroep, ...], datum: date) -> tuple[Doelgroep | None, UitlegStap]:
    """The obligation period that covers the date (the earliest begun), and the step saying so."""
    plicht = None
    for doelgroep in doelgroepen:
        if (
            doelgroep.type is _PLICHT
            and doelgroep.periode.dekt(datum)
            and (plicht is None or doelgroep.periode.begin < plicht.periode.begin)
        ):
            plicht = doelgroep
    if plicht is None:
        return None, UitlegStap(r.DOELGROEP_PLICHT, False, _GEEN_PLICHT, (datum,))
    stap = UitlegStap(
        r.DOELGROEP_PLICHT, True, "Plichtperiode {} dekt de datum.", (plicht.periode,), (plicht.id,)
    )
    return plicht, stap


def _vrijstelling(vrijstellingen: tuple[Vrijstelling, ...], datum: date) -> UitlegStap:
    for vrijstelling in vrijstellingen:
        if vrijstelling.periode.dekt(datum):
            return UitlegStap(
                r.VRIJSTELLING,
                True,
                "Vrijstelling {} ({}) dekt de datum.",
                (vrijstelling.reden, vrijstelling.periode),
                (vrijstelling.id,),
            )
    return _GEEN_VRIJSTELLING


def _overleden(dossier: Dossier, datum: date, gekend_op: datetime) -> UitlegStap:
    overleden_op = dossier.overlijdensdatum_op(gekend_op) if dossier.overlijdensdatum else None
    if overleden_op is not None and overleden_op <= datum:
        return UitlegStap(r.OVERLEDEN, True, "Overleden op {}.", (overleden_op,))
    return _NIET_OVERLEDEN


def evaluate(
    dossier: Dossier, datum: date, *, gekend_op: datetime, parameters: ParameterSet
) -> Beslissing:
    """Decide whether the person is under the obligation on ``datum`` and complies, and why.

    Only facts registered at or before ``gekend_op`` and not withdrawn by then count (SPEC §4).
    The decision records the ids of every fact known then and the parameter version, so that it
    can be replayed exactly.
    """
    feiten = _gekende_feiten(dossier, gekend_op)
    plicht, stap_plicht = _plicht(feiten.doelgroepen, datum)
    # most dossiers have no exemption and no date of death: no call for those
    stap_vrijstelling = (
        _vrijstelling(feiten.vrijstellingen, datum) if feiten.vrijstellingen else _GEEN_VRIJSTELLING
    )
    stap_overleden = (
        _overleden(dossier, datum, gekend_op) if dossier.overlijdensdatum else _NIET_OVERLEDEN
    )
    if plicht is None or stap_vrijstelling.geldt or stap_overleden.geldt:
        return Beslissing(
            datum,
            gekend_op,
            Status.NIET_VERPLICHT,
            (),
            (stap_plicht, stap_vrijstelling, stap_overleden, *_NIET_VERPLICHT_STAPPEN),
            None,
            feiten.feit_ids,
            parameters.versie,
        )
    return _naleving(
        feiten,
        plicht.periode.begin,
        datum,
        gekend_op,
        parameters,
        (stap_plicht, stap_vrijstelling, stap_overleden),
    )


def _naleving(
    feiten: Dossier | _Gekend,
    begin: date,
    datum: date,
    gekend_op: datetime,
    parameters: ParameterSet,
    stappen: tuple[UitlegStap, UitlegStap, UitlegStap],
) -> Beslissing:
    """Under the obligation since ``begin``: does the person comply on ``datum`` (SPEC §4)?"""
    termijnen = parameters.termijnen(datum)
    regime = _R2022 if begin >= termijnen.regime_2022_vanaf else _R2013
    stap_regime = UitlegStap(
        r.REGIME,
        True,
        "Plicht begonnen op {}: regime {} (grens {}).",
        (begin, regime, termijnen.regime_2022_vanaf),
    )
    traject = Traject(
        datum,
        begin,
        regime,
        termijnen,
        _op_datum(feiten.aanmeldingen, begin, datum, "datum"),
        _op_datum(feiten.contracten, begin, datum, "datum_ondertekening"),
        _op_datum(feiten.attesten, begin, datum, "datum"),
        [i for i in feiten.inbreuken if i.datum_vaststelling >= begin],
        list(feiten.uitstel_aanmelding),
        list(feiten.uitstel_ondertekening),
    )
    vervult = attest_vervult(traject)
    inbreuk = inbreuk_vastgesteld(traject)
    aanmelding = niet_tijdig_aangemeld(traject, vervult.geldt)
    contract = contract_niet_ondertekend(traject, vervult.geldt)
    b1 = b1_niet_aangetoond(traject)
    redenen = tuple(
        Reden(code, stap)
        for code, stap in (
            (RedenCode.INBREUK_VASTGESTELD, inbreuk),
            (RedenCode.NIET_TIJDIG_AANGEMELD, aanmelding),
            (RedenCode.CONTRACT_NIET_ONDERTEKEND, contract),
            (RedenCode.B1_NIET_AANGETOOND, b1),
        )
        if stap.geldt
    )
    return Beslissing(
        datum,
        gekend_op,
        Status.VERPLICHT_VOLDOET_NIET if redenen else Status.VERPLICHT_VOLDOET,
        redenen,
        (*stappen, stap_regime, vervult, inbreuk, aanmelding, contract, b1),
        regime,
        feiten.feit_ids,
        parameters.versie,
    )
