"""An in-memory KBI: dossiers kept in a dict, with the same add-only semantics as the store."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import datetime

from kbi_exchange.adapters.kbi_jsonl import lees_regel
from kbi_exchange.domain.dossier import Dossier, DossierRegel, pas_toe


class InMemoryKbi:
    """Dossiers by INSZ; for the demo, tests and benchmarks."""

    def __init__(self) -> None:
        self._dossiers: dict[str, Dossier] = {}

    def voeg_toe(self, regel: DossierRegel, opgenomen_op: datetime) -> None:
        self._dossiers[regel.insz] = pas_toe(self._dossiers.get(regel.insz), regel, opgenomen_op)

    def laad_jsonl(self, regels: Iterable[str], *, opgenomen_op: datetime) -> int:
        """Add every line of a JSON Lines text; returns the number of lines read."""
        aantal = 0
        for tekst in regels:
            if tekst.strip():
                self.voeg_toe(lees_regel(tekst, nu=opgenomen_op), opgenomen_op)
                aantal += 1
        return aantal

    def zoek(self, insz: str) -> Dossier | None:
        return self._dossiers.get(insz)

    def __iter__(self) -> Iterator[Dossier]:
        return iter(self._dossiers.values())

    def __len__(self) -> int:
        return len(self._dossiers)
