"""The INSZ: the 11-digit Belgian social security number (rijksregister- or BIS-nummer)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from stdnum.be import nn, ssn
from stdnum.exceptions import (
    InvalidChecksum,
    InvalidComponent,
    InvalidFormat,
    InvalidLength,
    ValidationError,
)

from kbi_exchange.domain.fouten import Ongeldig


class InszFout(StrEnum):
    """Why a written number is not a valid INSZ."""

    LEEG = "empty"
    FORMAAT = "must be 11 digits 0-9, without dots, dashes, spaces or other characters"
    LENGTE = "does not have 11 digits"
    DATUMDEEL = "month or day part is impossible for a national or BIS number"
    CONTROLEGETAL = "check digits do not match (modulo 97, before and after 2000)"


class OngeldigInsz(Ongeldig):
    """A number that is not a valid INSZ; the message never repeats the number itself."""

    def __init__(self, fout: InszFout) -> None:
        super().__init__(f"invalid INSZ: {fout.value}")
        self.fout = fout


class InszSoort(StrEnum):
    RIJKSREGISTER = "nn"
    BIS = "bis"


@dataclass(frozen=True, slots=True)
class Insz:
    """A validated INSZ, kept as its 11 digits. Its repr is masked so it cannot leak into logs."""

    cijfers: str

    @classmethod
    def parse(cls, tekst: str) -> Insz:
        """Exactly 11 ASCII digits (SPEC §7), checked before stdnum sees them, then validated.

        No written forms: a number with dots, full-width digits or 5 000 digits is refused
        here, so that no parsing library ever gets more than 11 plain digits.
        """
        if not tekst or not tekst.strip():
            raise OngeldigInsz(InszFout.LEEG)
        if not (tekst.isascii() and tekst.isdigit()):
            raise OngeldigInsz(InszFout.FORMAAT)
        if len(tekst) != 11:
            raise OngeldigInsz(InszFout.LENGTE)
        try:
            # stdnum's ssn tries the BIS rules first and falls back to the national number;
            # asking the right module first (by the month field) halves the cost of a check.
            if int(tekst[2:4]) <= 12:
                return cls(nn.validate(tekst))
            return cls(ssn.validate(tekst))
        except InvalidLength:
            raise OngeldigInsz(InszFout.LENGTE) from None
        except InvalidFormat:
            raise OngeldigInsz(InszFout.FORMAAT) from None
        except InvalidComponent:
            raise OngeldigInsz(InszFout.DATUMDEEL) from None
        except InvalidChecksum:
            raise OngeldigInsz(InszFout.CONTROLEGETAL) from None
        except ValidationError:  # any future stdnum refinement
            raise OngeldigInsz(InszFout.FORMAAT) from None

    @property
    def soort(self) -> InszSoort:
        soort = ssn.guess_type(self.cijfers)
        return InszSoort.BIS if soort == "bis" else InszSoort.RIJKSREGISTER

    def opgemaakt(self) -> str:
        """The official written form, ``YY.MM.DD-SSS.CC``."""
        return str(ssn.format(self.cijfers))

    def __repr__(self) -> str:
        return f"Insz(*********{self.cijfers[-2:]})"

    __str__ = __repr__


def is_geldig(tekst: str) -> bool:
    """True when the text is a valid INSZ in any usual written form."""
    try:
        Insz.parse(tekst)
    except OngeldigInsz:
        return False
    return True
