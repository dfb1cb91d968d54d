"""What every JSON Lines import (SPEC §5, §6) counts and records, whatever the lines hold.

The file itself is read by a `services.ports.LineFile` (`adapters.line_file`): a bad line is
named by its number, field and reason, never its content. Without ``--skip-bad`` the first bad
line means nothing is stored, and the rest of the file is still checked so that every bad
line is reported at once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TypeVar

from kbi_exchange.domain.fouten import KbiFout
from kbi_exchange.services.ports import LineFile

T = TypeVar("T")

BATCH = 2_000  # lines a block: parsed together, stored together
GETOONDE_FOUTEN = 20


@dataclass(frozen=True)
class LijnFout:
    """A refused line: its number, the field and the reason (never the line's content)."""

    regel: int
    veld: str
    reden: str

    def __str__(self) -> str:
        return f"line {self.regel}: {self.veld}: {self.reden}"


@dataclass
class LijnTelling:
    """What every import counts: lines read, and the bad ones (the first few with reasons)."""

    import_id: str
    regels: int = 0
    fouten: list[LijnFout] = field(default_factory=list)
    aantal_fouten: int = 0


class ImportGeweigerd(KbiFout):
    """The file has bad lines and skipping them was not asked: nothing was stored."""

    def __init__(self, telling: LijnTelling) -> None:
        eerste = telling.fouten[0]
        meer = telling.aantal_fouten - 1
        super().__init__(
            f"{eerste}"
            + (f" (and {meer} more bad lines)" if meer else "")
            + "; nothing was imported"
        )
        self.resultaat = telling


def begin_record(
    telling: LijnTelling, naam: str, door: str, nu: datetime, tellers: tuple[str, ...]
) -> dict[str, object]:
    """The import's record as it starts: the file, who, when; every count at nought."""
    return {
        "id": telling.import_id,
        "bestand": naam[:255],
        "sha256": "",
        "door": door[:100],
        "gestart_op": nu,
        "voltooid_op": nu,
        "regels": 0,
        **dict.fromkeys(tellers, 0),
        "regels_geweigerd": 0,
    }


def sluit_record(
    lezer: LineFile[T], telling: LijnTelling, nu: datetime, tellers: tuple[str, ...]
) -> dict[str, object]:
    """What the record holds once the file was read: its digest and every count."""
    return {
        "sha256": lezer.sha256,
        "voltooid_op": nu,
        "regels": telling.regels,
        **{teller: getattr(telling, teller) for teller in tellers},
        "regels_geweigerd": telling.aantal_fouten,
    }
