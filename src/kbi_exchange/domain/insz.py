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


class InszFout(StrEnum):
    """Why a written number is not a valid INSZ."""

    LEEG = "empty"
    FORMAAT = "contains characters other than digits, spaces, dots and dashes"
    LENGTE = "does not have 11 digits"
    DATUMDEEL = "month or day part is impossible for a national or BIS number"
    CONTROLEGETAL = "check digits do not match (modulo 97, before and after 2000)"


class OngeldigInsz(ValueError):
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
        """Accept the usual written forms (``85.07.30-033.28``, spaces) and validate with stdnum."""
        if not tekst or not tekst.strip():
            raise OngeldigInsz(InszFout.LEEG)
        try:
            # stdnum's ssn tries the BIS rules first and falls back to the national number;
            # asking the right module first (by the month field) halves the cost of a check.
            cijfers = tekst if len(tekst) == 11 else nn.compact(tekst)
            if len(cijfers) == 11 and cijfers.isdigit() and int(cijfers[2:4]) <= 12:
                return cls(nn.validate(cijfers))
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
