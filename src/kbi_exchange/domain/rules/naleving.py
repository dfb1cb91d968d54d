"""Rules 4.1–4.4 of SPEC §4: when a person under the obligation does not comply."""

from __future__ import annotations

from datetime import date
from typing import NamedTuple

from kbi_exchange.domain.decision import Regime, UitlegStap
from kbi_exchange.domain.dossier import (
    Aanmelding,
    Attest,
    AttestSoort,
    Contract,
    Inbreuk,
    UitstelAanmelding,
    UitstelOndertekening,
)
from kbi_exchange.domain.parameters import Termijnen
from kbi_exchange.domain.periods import plus_maanden
from kbi_exchange.domain.rules import regels as r

VERVULLENDE_ATTESTEN = (AttestSoort.INBURGERINGSATTEST, AttestSoort.VERKLARING_INSPANNING)


class Traject(NamedTuple):
    """The known facts of one obligation period, counted from its begin up to the date."""

    datum: date
    begin: date
    regime: Regime
    termijnen: Termijnen
    aanmeldingen: list[Aanmelding]
    contracten: list[Contract]
    attesten: list[Attest]
    inbreuken: list[Inbreuk]
    uitstel_aanmelding: list[UitstelAanmelding]
    uitstel_ondertekening: list[UitstelOndertekening]


# Steps whose words do not depend on the dossier are made once.
_GEEN_ATTEST = UitlegStap(
    r.ATTEST_VERVULT, False, "Geen attest van inburgering of verklaring van inspanning."
)
_GEEN_INBREUK = UitlegStap(r.INBREUK_VASTGESTELD, False, "Geen openstaande inbreuk op de datum.")
_AANMELDING_VERVULD = UitlegStap(
    r.NIET_TIJDIG_AANGEMELD, False, "Niet van toepassing: een attest vervult de aanmeldingsplicht."
)
_CONTRACT_REGIME_2022 = UitlegStap(
    r.CONTRACT_NIET_ONDERTEKEND, False, "Niet van toepassing in het regime 2022."
)
_CONTRACT_VERVULD = UitlegStap(
    r.CONTRACT_NIET_ONDERTEKEND, False, "Niet van toepassing: een attest vervult de contractplicht."
)
_CONTRACT_NIET_AANGEMELD = UitlegStap(
    r.CONTRACT_NIET_ONDERTEKEND, False, "Niet van toepassing: nog geen aanmelding."
)
_B1_REGIME_2013 = UitlegStap(r.B1_NIET_AANGETOOND, False, "Niet van toepassing in het regime 2013.")
_B1_GEEN_ATTEST = UitlegStap(
    r.B1_NIET_AANGETOOND, False, "Niet van toepassing: nog geen inburgeringsattest."
)


def attest_vervult(t: Traject) -> UitlegStap:
    """An inburgeringsattest or verklaring van geleverde inspanning fulfils rules 4.2 and 4.3."""
    for attest in t.attesten:
        if attest.soort in VERVULLENDE_ATTESTEN:
            return UitlegStap(
                r.ATTEST_VERVULT,
                True,
                "{} van {} vervult de plicht tot aanmelden en ondertekenen.",
                (attest.soort.value, attest.datum),
                (attest.id,),
            )
    return _GEEN_ATTEST


def inbreuk_vastgesteld(t: Traject) -> UitlegStap:
    """Rule 4.1: an infringement established on or before the date and not remedied by then."""
    for inbreuk in t.inbreuken:
        if inbreuk.datum_vaststelling > t.datum:
            continue
        if inbreuk.datum_rechtzetting is not None and inbreuk.datum_rechtzetting <= t.datum:
            continue
        return UitlegStap(
            r.INBREUK_VASTGESTELD,
            True,
            "Inbreuk ({}) vastgesteld op {}, niet rechtgezet op de datum.",
            (inbreuk.type or "zonder type", inbreuk.datum_vaststelling),
            (inbreuk.id,),
        )
    return _GEEN_INBREUK


def aanmeldingstermijn(t: Traject) -> tuple[date, tuple[str, ...]]:
    """The registration deadline: begin + term, moved to the end of each covering postponement."""
    termijn = plus_maanden(t.begin, t.termijnen.aanmeldingstermijn_maanden)
    gebruikt: list[str] = []
    verschoven = bool(t.uitstel_aanmelding)
    while verschoven:
        verschoven = False
        for uitstel in t.uitstel_aanmelding:
            einde = uitstel.periode.einde
            if einde is not None and einde > termijn and uitstel.periode.dekt(termijn):
                termijn = einde
                gebruikt.append(uitstel.id)
                verschoven = True
    return termijn, tuple(gebruikt)


def niet_tijdig_aangemeld(t: Traject, vervuld: bool) -> UitlegStap:
    """Rule 4.2: no registration on or before the date, and the date is after the deadline."""
    if vervuld:
        return _AANMELDING_VERVULD
    if t.aanmeldingen:
        eerste = t.aanmeldingen[0]
        return UitlegStap(
            r.NIET_TIJDIG_AANGEMELD, False, "Aangemeld op {}.", (eerste.datum,), (eerste.id,)
        )
    termijn, uitstel = aanmeldingstermijn(t)
    parameters = (("aanmeldingstermijn_maanden", t.termijnen.aanmeldingstermijn_maanden),)
    if t.datum > termijn:
        return UitlegStap(
            r.NIET_TIJDIG_AANGEMELD,
            True,
            "Niet aangemeld en de aanmeldingstermijn liep af op {}.",
            (termijn,),
            uitstel,
            parameters,
        )
    return UitlegStap(
        r.NIET_TIJDIG_AANGEMELD,
        False,
        "Nog niet aangemeld, maar de aanmeldingstermijn loopt tot {}.",
        (termijn,),
        uitstel,
        parameters,
    )


def contract_niet_ondertekend(t: Traject, vervuld: bool) -> UitlegStap:
    """Rule 4.3 (regime 2013): registered, no contract by the date, term after registration over."""
    if t.regime is not Regime.R2013:
        return _CONTRACT_REGIME_2022
    if vervuld:
        return _CONTRACT_VERVULD
    if not t.aanmeldingen:
        return _CONTRACT_NIET_AANGEMELD
    if t.contracten:
        contract = t.contracten[0]
        return UitlegStap(
            r.CONTRACT_NIET_ONDERTEKEND,
            False,
            "Contract ondertekend op {}.",
            (contract.datum_ondertekening,),
            (contract.id,),
        )
    eerste = t.aanmeldingen[0]
    maanden = t.termijnen.ondertekeningstermijn_maanden
    termijn = plus_maanden(eerste.datum, maanden)
    parameters = (("ondertekeningstermijn_maanden", maanden),)
    if t.datum <= termijn:
        return UitlegStap(
            r.CONTRACT_NIET_ONDERTEKEND,
            False,
            "Geen contract, maar de termijn na de aanmelding loopt tot {}.",
            (termijn,),
            (eerste.id,),
            parameters,
        )
    for uitstel in t.uitstel_ondertekening:
        if uitstel.periode.dekt(t.datum):
            return UitlegStap(
                r.CONTRACT_NIET_ONDERTEKEND,
                False,
                "Geen contract, maar uitstel van ondertekening ({}) dekt de datum.",
                (uitstel.periode,),
                (eerste.id, uitstel.id),
                parameters,
            )
    return UitlegStap(
        r.CONTRACT_NIET_ONDERTEKEND,
        True,
        "Aangemeld op {}, geen contract ondertekend en de termijn liep af op {}.",
        (eerste.datum, termijn),
        (eerste.id,),
        parameters,
    )


def b1_niet_aangetoond(t: Traject) -> UitlegStap:
    """Rule 4.4 (regime 2022): no B1 oral within the term after the first inburgeringsattest."""
    if t.regime is not Regime.R2022:
        return _B1_REGIME_2013
    eerste: Attest | None = None
    for attest in t.attesten:
        if attest.soort is AttestSoort.B1_MONDELING:
            return UitlegStap(
                r.B1_NIET_AANGETOOND,
                False,
                "B1 mondeling aangetoond op {}.",
                (attest.datum,),
                (attest.id,),
            )
        if eerste is None and attest.soort is AttestSoort.INBURGERINGSATTEST:
            eerste = attest
    if eerste is None:
        return _B1_GEEN_ATTEST
    maanden = t.termijnen.b1_termijn_maanden
    termijn = plus_maanden(eerste.datum, maanden)
    parameters = (("b1_termijn_maanden", maanden),)
    if t.datum > termijn:
        return UitlegStap(
            r.B1_NIET_AANGETOOND,
            True,
            "Inburgeringsattest van {}, geen B1 mondeling en de termijn liep af op {}.",
            (eerste.datum, termijn),
            (eerste.id,),
            parameters,
        )
    return UitlegStap(
        r.B1_NIET_AANGETOOND,
        False,
        "Geen B1 mondeling, maar de termijn na het inburgeringsattest loopt tot {}.",
        (termijn,),
        (eerste.id,),
        parameters,
    )
