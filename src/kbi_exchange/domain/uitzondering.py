"""MAGDA-style uitzonderingen: the codes with which a question is refused or warned about."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class UitzonderingType(StrEnum):
    FOUT = "FOUT"
    WAARSCHUWING = "WAARSCHUWING"
    INFORMATIE = "INFORMATIE"


class Code(StrEnum):
    """The MAGDA code used where its meaning matches (SPEC §7)."""

    INSZ_ONGELDIG = "20002"
    AFZENDER_ONJUIST = "20005"
    INSZ_VERVANGEN = "30004"
    GEEN_WETTELIJKE_CONTEXT = "40001"
    AUTORISATIE = "40006"
    GEGEVENSFOUT_BRON = "40083"
    ONGELDIGE_VRAAG = "50000"
    BRON_ONBESCHIKBAAR = "99996"


@dataclass(frozen=True, slots=True)
class Uitzondering:
    identificatie: Code
    type: UitzonderingType
    diagnose: str
    oorsprong: str = "KBI"

    @classmethod
    def fout(cls, code: Code, diagnose: str) -> Uitzondering:
        return cls(code, UitzonderingType.FOUT, diagnose)

    @classmethod
    def waarschuwing(cls, code: Code, diagnose: str) -> Uitzondering:
        return cls(code, UitzonderingType.WAARSCHUWING, diagnose)


class Geweigerd(Exception):
    """A question refused with an uitzondering instead of an answer."""

    def __init__(self, uitzondering: Uitzondering) -> None:
        super().__init__(uitzondering.diagnose)
        self.uitzondering = uitzondering
