"""Periods with inclusive ends and the month arithmetic of SPEC §4."""

from __future__ import annotations

from calendar import monthrange
from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True, slots=True)
class Periode:
    """A period of calendar days; both ends are inclusive and an empty end is open."""

    begin: date
    einde: date | None = None

    def __post_init__(self) -> None:
        if self.einde is not None and self.einde < self.begin:
            raise ValueError("a period cannot end before it begins")

    def __reduce__(self) -> tuple[object, ...]:
        # positional rebuild: the default for slotted dataclasses looks up fields() per object
        return (Periode, (self.begin, self.einde))

    def dekt(self, dag: date) -> bool:
        """True when ``dag`` lies in the period, both ends included."""
        return self.begin <= dag and (self.einde is None or dag <= self.einde)

    def __str__(self) -> str:
        einde = self.einde.isoformat() if self.einde else "…"
        return f"{self.begin.isoformat()} – {einde}"


def plus_maanden(dag: date, maanden: int) -> date:
    """The same day number ``maanden`` months later, or that month's last day when shorter.

    2022-11-30 + 3 months = 2023-02-28, exactly as ``dateutil.relativedelta`` does.
    """
    index = dag.month - 1 + maanden
    jaar = dag.year + index // 12
    maand = index % 12 + 1
    return date(jaar, maand, min(dag.day, monthrange(jaar, maand)[1]))
