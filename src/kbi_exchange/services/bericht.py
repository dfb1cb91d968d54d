"""An answer of the advice service as it leaves (SPEC §7), whatever the channel: the fields
REST, batch and SOAP render, and nothing more."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from kbi_exchange.domain.advies import Antwoord
from kbi_exchange.domain.uitzondering import Code, Uitzondering, UitzonderingType

MAX_REFERTE = 36


class Kanaal(StrEnum):
    """How a question arrived; recorded with each audit entry."""

    REST = "rest"
    SOAP = "soap"


@dataclass(frozen=True, slots=True)
class BerichtReden:
    """The reported reason of a NOK: its code and the text for the citizen's letter."""

    code: str
    omschrijving: str


@dataclass(frozen=True, slots=True)
class Bericht:
    """An answer as it leaves (SPEC §7), and nothing more: each channel renders these fields."""

    referte: str | None
    insz: str | None
    datum: str | None
    advies: str | None
    reden: BerichtReden | None
    uitzonderingen: tuple[Uitzondering, ...]

    @property
    def weigering(self) -> Code | None:
        """The code that refused the question, if it was refused."""
        fouten = [u.identificatie for u in self.uitzonderingen if u.type is UitzonderingType.FOUT]
        return fouten[0] if fouten else None

    def json(self) -> dict[str, Any]:
        """The REST body of SPEC §7 (also what a decision record stores)."""
        return {
            "referte": self.referte,
            "insz": self.insz,
            "datum": self.datum,
            "advies": self.advies,
            "reden": (
                {"code": self.reden.code, "omschrijving": self.reden.omschrijving}
                if self.reden
                else None
            ),
            "uitzonderingen": [
                {
                    "identificatie": u.identificatie.value,
                    "oorsprong": u.oorsprong,
                    "type": u.type.value,
                    "diagnose": u.diagnose,
                }
                for u in self.uitzonderingen
            ],
        }

    @classmethod
    def uit_json(cls, body: dict[str, Any]) -> Bericht:
        """A stored answer read back."""
        reden = body["reden"]
        return cls(
            body["referte"],
            body["insz"],
            body["datum"],
            body["advies"],
            BerichtReden(reden["code"], reden["omschrijving"]) if reden else None,
            tuple(
                Uitzondering(
                    Code(u["identificatie"]),
                    UitzonderingType(u["type"]),
                    u["diagnose"],
                    u["oorsprong"],
                )
                for u in body["uitzonderingen"]
            ),
        )


def weigering(referte: object, insz: object, datum: object, u: Uitzondering) -> Bericht:
    """A refused question: the same fields (as far as a field can hold: what was sent in
    their place is echoed cut to that length, as the decision record keeps it), no advies,
    and the uitzondering."""
    return Bericht(
        referte[:MAX_REFERTE] if isinstance(referte, str) else None,
        insz[:32] if isinstance(insz, str) else None,
        datum[:32] if isinstance(datum, str) else None,
        None,
        None,
        (u,),
    )


def antwoord_bericht(referte: str, antwoord: Antwoord) -> Bericht:
    """Only what SPEC §7 allows to leave the AII node: no uitleg, no facts, no new number."""
    beslissing = antwoord.beslissing
    reden = beslissing.reden if beslissing else None
    return Bericht(
        referte,
        antwoord.insz if antwoord.insz is not None else antwoord.vraag.insz[:32],
        antwoord.datum.isoformat() if antwoord.datum else str(antwoord.vraag.datum)[:32],
        beslissing.advies.value if beslissing else None,
        BerichtReden(reden.code.value, reden.omschrijving) if reden else None,
        antwoord.uitzonderingen,
    )
