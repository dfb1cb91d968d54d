"""A member of the VSB registry (SPEC §6): affiliations with a zorgkas, VT periods, birth and
death. VSB's own data: a newer line replaces what VSB knew, earlier versions are kept."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from itertools import pairwise
from typing import Any

from kbi_exchange.domain.periods import Periode


@dataclass(frozen=True, slots=True)
class Aansluiting:
    """Affiliated with one zorgkas for a period."""

    zorgkas: str
    periode: Periode


@dataclass(frozen=True, slots=True)
class Lid:
    insz: str
    aansluitingen: tuple[Aansluiting, ...]
    vt: tuple[Periode, ...] = ()
    geboortedatum: date | None = None
    overlijdensdatum: date | None = None

    def zorgkas_op(self, dag: date) -> str | None:
        """The zorgkas the member is affiliated with on ``dag`` (none after death)."""
        if self.overlijdensdatum is not None and dag > self.overlijdensdatum:
            return None
        return next((a.zorgkas for a in self.aansluitingen if a.periode.dekt(dag)), None)

    def vt_op(self, dag: date) -> bool:
        """Whether the member had verhoogde tegemoetkoming on ``dag``."""
        return any(p.dekt(dag) for p in self.vt)

    def inhoud(self) -> dict[str, Any]:
        """The member in the import format's shape, sorted: equal members give equal text."""

        def periode(p: Periode) -> dict[str, str | None]:
            return {"begin": p.begin.isoformat(), "einde": dag(p.einde)}

        def dag(d: date | None) -> str | None:
            return d.isoformat() if d else None

        return {
            "insz": self.insz,
            "aansluitingen": [
                {"zorgkas": a.zorgkas, **periode(a.periode)}
                for a in sorted(self.aansluitingen, key=lambda a: a.periode.begin)
            ],
            "vt": [periode(p) for p in sorted(self.vt, key=lambda p: p.begin)],
            "geboortedatum": self.geboortedatum.isoformat() if self.geboortedatum else None,
            "overlijdensdatum": self.overlijdensdatum.isoformat()
            if self.overlijdensdatum
            else None,
        }


def overlappen(perioden: list[Periode]) -> tuple[Periode, Periode] | None:
    """The first two periods that share a day, if any."""
    gesorteerd = sorted(perioden, key=lambda p: p.begin)
    for vorige, volgende in pairwise(gesorteerd):
        if vorige.einde is None or volgende.begin <= vorige.einde:
            return vorige, volgende
    return None
