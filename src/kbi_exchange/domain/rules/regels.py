"""The catalogue of rules: name, what the law requires, where it says so, and when it applies."""

from __future__ import annotations

from kbi_exchange.domain.decision import Regel, Regime

__all__ = ["REGELS", "Regel"]

DECREET_2013 = "Decreet 7 juni 2013 (integratie- en inburgeringsbeleid)"
DECREET_2021 = "decreet 9 juli 2021"

DOELGROEP_PLICHT = Regel(
    "doelgroep_plicht",
    "De persoon behoort op de datum tot de doelgroep met inburgeringsplicht.",
    f"{DECREET_2013}, art. 27, §1",
)
VRIJSTELLING = Regel(
    "vrijstelling",
    "Een vrijstelling van de plicht dekt de datum.",
    f"{DECREET_2013}, art. 27, §2",
)
OVERLEDEN = Regel(
    "overleden",
    "De persoon is op of vóór de datum overleden; een plicht rust enkel op levenden.",
    f"{DECREET_2013}, art. 27, §1",
)
REGIME = Regel(
    "regime",
    "Het begin van de plicht bepaalt het regime: vanaf 1 maart 2022 dat van het decreet van "
    "9 juli 2021, daarvoor dat van 2013.",
    f"{DECREET_2021} tot wijziging van het decreet van 7 juni 2013, art. 35",
)
ATTEST_VERVULT = Regel(
    "attest_vervult_aanmelding_en_contract",
    "Een attest van inburgering of een verklaring van geleverde inspanning vervult de plicht "
    "tot aanmelden en tot ondertekenen van het contract.",
    f"{DECREET_2013}, art. 27, §3",
)
INBREUK_VASTGESTELD = Regel(
    "inbreuk_vastgesteld",
    "Er is een inbreuk op de plicht vastgesteld en niet rechtgezet.",
    f"{DECREET_2013}, hoofdstuk 6, afdeling 3, onderafdeling 4 (sanctionering)",
)
NIET_TIJDIG_AANGEMELD = Regel(
    "niet_tijdig_aangemeld",
    "De persoon heeft zich niet aangemeld en de aanmeldingstermijn (eventueel uitgesteld) is "
    "verstreken.",
    f"{DECREET_2013}, art. 27, §3",
)
CONTRACT_NIET_ONDERTEKEND = Regel(
    "contract_niet_ondertekend",
    "De persoon heeft zich aangemeld maar het inburgeringscontract niet binnen de termijn "
    "ondertekend, zonder uitstel van ondertekening.",
    f"{DECREET_2013}, art. 27, §3 (tekst vóór 1 maart 2022)",
    frozenset({Regime.R2013}),
)
B1_NIET_AANGETOOND = Regel(
    "b1_niet_aangetoond",
    "De persoon heeft niet binnen de termijn na het inburgeringsattest het taalniveau B1 "
    "mondeling aangetoond.",
    f"{DECREET_2013}, art. 27, §3, zoals gewijzigd bij {DECREET_2021}",
    frozenset({Regime.R2022}),
)

REGELS: tuple[Regel, ...] = (
    DOELGROEP_PLICHT,
    VRIJSTELLING,
    OVERLEDEN,
    REGIME,
    ATTEST_VERVULT,
    INBREUK_VASTGESTELD,
    NIET_TIJDIG_AANGEMELD,
    CONTRACT_NIET_ONDERTEKEND,
    B1_NIET_AANGETOOND,
)
