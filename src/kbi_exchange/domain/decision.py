"""What the rules decide: status, advice, structured reasons and the full explanation."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import NamedTuple


class Status(StrEnum):
    NIET_VERPLICHT = "NIET_VERPLICHT"
    VERPLICHT_VOLDOET = "VERPLICHT_VOLDOET"
    VERPLICHT_VOLDOET_NIET = "VERPLICHT_VOLDOET_NIET"


class Advies(StrEnum):
    OK = "OK"
    NOK = "NOK"


class Regime(StrEnum):
    R2013 = "2013"
    R2022 = "2022"


class Regel(NamedTuple):
    """One named legal condition. ``regimes`` are the obligation regimes it applies to."""

    naam: str
    omschrijving: str
    wettelijke_basis: str
    regimes: frozenset[Regime] = frozenset(Regime)


class RedenCode(StrEnum):
    """The reasons reported to VSB, in the order in which the first one is reported."""

    INBREUK_VASTGESTELD = "INBREUK_VASTGESTELD"
    NIET_TIJDIG_AANGEMELD = "NIET_TIJDIG_AANGEMELD"
    CONTRACT_NIET_ONDERTEKEND = "CONTRACT_NIET_ONDERTEKEND"
    B1_NIET_AANGETOOND = "B1_NIET_AANGETOOND"


OMSCHRIJVING: dict[RedenCode, str] = {
    RedenCode.INBREUK_VASTGESTELD: (
        "Er werd een inbreuk op de inburgeringsplicht vastgesteld die niet is rechtgezet."
    ),
    RedenCode.NIET_TIJDIG_AANGEMELD: (
        "De persoon heeft zich niet tijdig aangemeld bij het Agentschap Integratie en Inburgering."
    ),
    RedenCode.CONTRACT_NIET_ONDERTEKEND: (
        "De persoon heeft het inburgeringscontract niet binnen de termijn ondertekend."
    ),
    RedenCode.B1_NIET_AANGETOOND: (
        "De persoon heeft niet binnen 24 maanden na het attest van inburgering het taalniveau "
        "B1 mondeling aangetoond."
    ),
}


class UitlegStap(NamedTuple):
    """One rule as applied: whether it held, why, and the facts and parameters it used.

    The words are kept as a template and its values and rendered only when read, so that the
    engine explains every decision without paying for text nobody reads.
    """

    regel: Regel
    geldt: bool
    sjabloon: str
    waarden: tuple[object, ...] = ()
    feiten: tuple[str, ...] = ()
    parameters: tuple[tuple[str, object], ...] = ()

    @property
    def naam(self) -> str:
        return self.regel.naam

    @property
    def wettelijke_basis(self) -> str:
        return self.regel.wettelijke_basis

    @property
    def toelichting(self) -> str:
        return self.sjabloon.format(*self.waarden)


class Reden(NamedTuple):
    """One reason for non-compliance: code, citizen-facing text, law, and what it rests on."""

    code: RedenCode
    stap: UitlegStap

    @property
    def omschrijving(self) -> str:
        return OMSCHRIJVING[self.code]

    @property
    def wettelijke_basis(self) -> str:
        return self.stap.regel.wettelijke_basis

    @property
    def feiten(self) -> tuple[str, ...]:
        return self.stap.feiten

    @property
    def parameters(self) -> tuple[tuple[str, object], ...]:
        return self.stap.parameters


class Beslissing(NamedTuple):
    """The decision on one dossier for one reference date, as known at one moment."""

    datum: date
    gekend_op: datetime
    status: Status
    redenen: tuple[Reden, ...]
    uitleg: tuple[UitlegStap, ...]
    regime: Regime | None
    feiten: tuple[str, ...]
    parameterversie: str

    @property
    def advies(self) -> Advies:
        return Advies.NOK if self.status is Status.VERPLICHT_VOLDOET_NIET else Advies.OK

    @property
    def reden(self) -> Reden | None:
        """The reported reason: the first in the order of ``RedenCode``, or none."""
        return self.redenen[0] if self.redenen else None
