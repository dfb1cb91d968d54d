"""`evaluate`: the one pure function that decides SPEC §4 for one dossier and one date."""

from __future__ import annotations

from datetime import date, datetime
from typing import TypeVar

from kbi_exchange.domain.decision import Beslissing, Reden, RedenCode, Regime, Status, UitlegStap
from kbi_exchange.domain.dossier import DoelgroepType, Dossier, Feit
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


def evaluate(
    dossier: Dossier, datum: date, *, gekend_op: datetime, parameters: ParameterSet
) -> Beslissing:
    """Decide whether the person is under the obligation on ``datum`` and complies, and why.

    Only facts registered at or before ``gekend_op`` and not withdrawn by then count (SPEC §4).
    The decision records the ids of every fact known then and the parameter version, so that it
    can be replayed exactly.
    """
    if dossier.alles_gekend(gekend_op):  # the common case: nothing to filter
        doelgroepen = dossier.doelgroepen
        vrijstellingen = dossier.vrijstellingen
        aanmeldingen = dossier.aanmeldingen
        contracten = dossier.contracten
        attesten = dossier.attesten
        inbreuken = dossier.inbreuken
        uitstel_aanmelding = dossier.uitstel_aanmelding
        uitstel_ondertekening = dossier.uitstel_ondertekening
        ids = dossier.feit_ids
    else:
        doelgroepen = _gekend(dossier.doelgroepen, gekend_op)
        vrijstellingen = _gekend(dossier.vrijstellingen, gekend_op)
        aanmeldingen = _gekend(dossier.aanmeldingen, gekend_op)
        contracten = _gekend(dossier.contracten, gekend_op)
        attesten = _gekend(dossier.attesten, gekend_op)
        inbreuken = _gekend(dossier.inbreuken, gekend_op)
        uitstel_aanmelding = _gekend(dossier.uitstel_aanmelding, gekend_op)
        uitstel_ondertekening = _gekend(dossier.uitstel_ondertekening, gekend_op)
        ids = tuple(
            f.id
            for groep in (
                doelgroepen,
                vrijstellingen,
                aanmeldingen,
                contracten,
                attesten,
                inbreuken,
                uitstel_aanmelding,
                uitstel_ondertekening,
            )
            for f in groep
        )

    plicht = None
    for doelgroep in doelgroepen:
        if (
            doelgroep.type is _PLICHT
            and doelgroep.periode.dekt(datum)
            and (plicht is None or doelgroep.periode.begin < plicht.periode.begin)
        ):
            plicht = doelgroep
    stap_plicht = (
        UitlegStap(
            r.DOELGROEP_PLICHT,
            True,
            "Plichtperiode {} dekt de datum.",
            (plicht.periode,),
            (plicht.id,),
        )
        if plicht
        else UitlegStap(r.DOELGROEP_PLICHT, False, _GEEN_PLICHT, (datum,))
    )
    stap_vrijstelling = _GEEN_VRIJSTELLING
    for vrijstelling in vrijstellingen:
        if vrijstelling.periode.dekt(datum):
            stap_vrijstelling = UitlegStap(
                r.VRIJSTELLING,
                True,
                "Vrijstelling {} ({}) dekt de datum.",
                (vrijstelling.reden, vrijstelling.periode),
                (vrijstelling.id,),
            )
            break
    overleden_op = dossier.overlijdensdatum_op(gekend_op) if dossier.overlijdensdatum else None
    stap_overleden = (
        UitlegStap(r.OVERLEDEN, True, "Overleden op {}.", (overleden_op,))
        if overleden_op is not None and overleden_op <= datum
        else _NIET_OVERLEDEN
    )
    if plicht is None or stap_vrijstelling.geldt or stap_overleden.geldt:
        return Beslissing(
            datum,
            gekend_op,
            Status.NIET_VERPLICHT,
            (),
            (stap_plicht, stap_vrijstelling, stap_overleden, *_NIET_VERPLICHT_STAPPEN),
            None,
            ids,
            parameters.versie,
        )

    termijnen = parameters.termijnen(datum)
    begin = plicht.periode.begin
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
        _op_datum(aanmeldingen, begin, datum, "datum"),
        _op_datum(contracten, begin, datum, "datum_ondertekening"),
        _op_datum(attesten, begin, datum, "datum"),
        [i for i in inbreuken if i.datum_vaststelling >= begin],
        list(uitstel_aanmelding),
        list(uitstel_ondertekening),
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
        (
            stap_plicht,
            stap_vrijstelling,
            stap_overleden,
            stap_regime,
            vervult,
            inbreuk,
            aanmelding,
            contract,
            b1,
        ),
        regime,
        ids,
        parameters.versie,
    )
