"""Rule 1 of SPEC §4: a replaced INSZ is resolved to the current dossier."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from kbi_exchange.domain.dossier import Dossier
from kbi_exchange.domain.uitzondering import Code, Geweigerd, Uitzondering


@dataclass(frozen=True, slots=True)
class Identiteit:
    """The current dossier (``None`` when unknown) and whether the asked number was replaced."""

    dossier: Dossier | None
    vervangen: bool


def los_op(
    insz: str, zoek: Callable[[str], Dossier | None], *, gekend_op: datetime, max_keten: int
) -> Identiteit:
    """Follow ``vervangen_door`` to the current dossier; a cycle or a too long chain is 40083."""
    gezien = {insz}
    dossier = zoek(insz)
    stappen = 0
    while dossier is not None:
        volgende = dossier.vervangen_door_op(gekend_op)
        if volgende is None:
            return Identiteit(dossier, stappen > 0)
        stappen += 1
        if volgende in gezien:
            raise Geweigerd(
                Uitzondering.fout(
                    Code.GEGEVENSFOUT_BRON,
                    "Gegevensfout bij de bron: kringverwijzing in vervangen INSZ.",
                )
            )
        if stappen > max_keten:
            raise Geweigerd(
                Uitzondering.fout(
                    Code.GEGEVENSFOUT_BRON,
                    f"Gegevensfout bij de bron: meer dan {max_keten} vervangingen van het INSZ.",
                )
            )
        gezien.add(volgende)
        dossier = zoek(volgende)
    return Identiteit(None, stappen > 0)
