"""The reduced zorgpremie (SPEC §9, flow F2's use): who pays it, how much, and why.

For premium year P ≥ 2023 a member pays the reduced premium when they had verhoogde
tegemoetkoming on 1 January of P−1 and are not on the yearly list of P−1 — until the list's
legal basis lapsed: a premium year that begins on or after that day is reduced for every
member with VT, as the law then reads (GwH 112/2023). The amounts are per year with their
source; a year or an amount without one is an error, never a guess.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from kbi_exchange.domain.fouten import Ongeldig
from kbi_exchange.domain.lid import Lid

EERSTE_PREMIEJAAR = 2023  # the first list is of 2022 and counts for the premium of 2023


def lijst_telt_niet(jaar: int, lijst_vervallen_op: date | None) -> bool:
    """Whether the premium of ``jaar`` is decided without the yearly list: its year begins
    on or after the day the list's basis lapsed (the condition is then no longer the law)."""
    return lijst_vervallen_op is not None and date(jaar, 1, 1) >= lijst_vervallen_op


class PremieFout(Ongeldig):
    """The premium cannot be decided as asked; the reason says what is missing."""


@dataclass(frozen=True, slots=True)
class PremieBedragen:
    """The amounts of one premium year in euro; None where no source gives it."""

    jaar: int
    volledig: int | None
    verlaagd: int | None
    bron: str


@dataclass(frozen=True, slots=True)
class Premie:
    insz: str
    jaar: int
    verlaagd: bool
    bedrag: int
    reden: str
    bron: str

    def json(self) -> dict[str, Any]:
        return {
            "insz": self.insz,
            "jaar": self.jaar,
            "verlaagd": self.verlaagd,
            "bedrag": self.bedrag,
            "reden": self.reden,
        }


def bepaal_premie(
    *,
    insz: str,
    jaar: int,
    lid: Lid | None,
    op_lijst: bool | None,
    bedragen: Mapping[int, PremieBedragen],
    lijst_vervallen_op: date | None = None,
) -> Premie:
    """The premium of ``jaar`` for a member.

    ``op_lijst`` is whether the person is on the yearly list of ``jaar - 1`` as VSB received
    it, or None when VSB holds no list of that year. ``lijst_vervallen_op`` is the first day
    on which the list's legal basis (flow F2) no longer holds, if it lapsed.
    """
    if jaar < EERSTE_PREMIEJAAR:
        raise PremieFout(
            f"premium year {jaar}: the rule with the yearly list applies from "
            f"{EERSTE_PREMIEJAAR} (the first list is of {EERSTE_PREMIEJAAR - 1})"
        )
    if lid is None:
        raise PremieFout("this INSZ is not in the member registry: no premium to decide")
    peildag = date(jaar - 1, 1, 1)
    if not lid.vt_op(peildag):
        verlaagd, reden = False, f"geen verhoogde tegemoetkoming op {peildag.isoformat()}"
    elif lijst_telt_niet(jaar, lijst_vervallen_op):
        verlaagd, reden = (
            True,
            f"verhoogde tegemoetkoming op {peildag.isoformat()}; de lijst telt niet meer: de "
            f"inburgeringsvoorwaarde heeft geen rechtsgrond meer sinds "
            f"{lijst_vervallen_op.isoformat() if lijst_vervallen_op else '?'}",
        )
    elif op_lijst is None:
        raise PremieFout(
            f"no yearly list of {jaar - 1} was received from AII: the premium of {jaar} "
            "cannot be decided before it is in"
        )
    elif op_lijst:
        verlaagd, reden = (
            False,
            f"verhoogde tegemoetkoming op {peildag.isoformat()}, maar op de lijst van "
            f"{jaar - 1} (inburgeringsplicht niet nageleefd op {peildag.isoformat()})",
        )
    else:
        verlaagd, reden = (
            True,
            f"verhoogde tegemoetkoming op {peildag.isoformat()} en niet op de lijst van {jaar - 1}",
        )
    jaarbedragen = bedragen.get(jaar)
    bedrag = None
    if jaarbedragen is not None:
        bedrag = jaarbedragen.verlaagd if verlaagd else jaarbedragen.volledig
    if jaarbedragen is None or bedrag is None:
        soort = "reduced" if verlaagd else "full"
        raise PremieFout(
            f"no sourced {soort} premium amount for {jaar}: add it with its source to the "
            "zorgpremie parameters; it is never guessed"
        )
    return Premie(insz, jaar, verlaagd, bedrag, reden, jaarbedragen.bron)
