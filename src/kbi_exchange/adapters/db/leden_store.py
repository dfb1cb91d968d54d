"""The VSB member registry on SQL (SPEC §6): every version kept, the current one's hash at hand."""

from __future__ import annotations

from collections.abc import Collection
from datetime import date, datetime
from typing import Any, cast

import orjson
from sqlalchemy import Table, bindparam, insert, select, update
from sqlalchemy.orm import Session

from kbi_exchange.adapters.db.driver import omzetter, voeg_rijen_toe
from kbi_exchange.adapters.db.types import moment_uit_db
from kbi_exchange.adapters.db.vsb_models import LedenImportRow, LidRow, LidVersieRow
from kbi_exchange.domain.lid import Aansluiting, Lid
from kbi_exchange.domain.periods import Periode

_LID = cast(Table, LidRow.__table__)
_VERSIE = cast(Table, LidVersieRow.__table__)
# SQLite allows 32 766 bound parameters per statement; stay well below.
IN_BLOK = 5_000


def lid_uit_inhoud(tekst: str) -> Lid:
    """A member from their stored content (`Lid.inhoud` as JSON)."""
    ruw: dict[str, Any] = orjson.loads(tekst)

    def dag(waarde: str | None) -> date | None:
        return date.fromisoformat(waarde) if waarde else None

    def periode(p: dict[str, str | None]) -> Periode:
        return Periode(date.fromisoformat(str(p["begin"])), dag(p["einde"]))

    return Lid(
        insz=ruw["insz"],
        aansluitingen=tuple(Aansluiting(a["zorgkas"], periode(a)) for a in ruw["aansluitingen"]),
        vt=tuple(periode(p) for p in ruw["vt"]),
        geboortedatum=dag(ruw["geboortedatum"]),
        overlijdensdatum=dag(ruw["overlijdensdatum"]),
    )


class SqlLeden:
    """The member registry within one transaction; never commits."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def huidige_hashes(self, inszen: Collection[str]) -> dict[str, str]:
        """The SHA-256 of the current version of each of these members VSB knows."""
        lijst = sorted(set(inszen))
        verbinding = self.session.connection()
        gevonden: dict[str, str] = {}
        for start in range(0, len(lijst), IN_BLOK):
            stmt = select(_LID.c.insz, _LID.c.inhoud_sha256).where(
                _LID.c.insz.in_(lijst[start : start + IN_BLOK])
            )
            gevonden.update((insz, sha) for insz, sha in verbinding.execute(stmt))
        return gevonden

    def begin_import(self, rij: dict[str, object]) -> None:
        self.session.execute(insert(LedenImportRow), [rij])

    def sluit_import(self, import_id: str, **tellers: object) -> None:
        self.session.execute(
            update(LedenImportRow).where(LedenImportRow.id == import_id).values(**tellers)
        )

    def voeg_toe(
        self,
        versies: list[tuple[str, str, str, bool]],
        *,
        opgenomen_op: datetime,
        import_id: str,
    ) -> None:
        """Append versions (insz, content, its SHA-256, new member?) and make them current."""
        verbinding = self.session.connection()
        nieuw = [(insz, sha) for insz, _, sha, is_nieuw in versies if is_nieuw]
        gewijzigd = [
            {"b_insz": insz, "b_sha": sha} for insz, _, sha, is_nieuw in versies if not is_nieuw
        ]
        voeg_rijen_toe(verbinding, _LID, ("insz", "inhoud_sha256"), nieuw)
        if gewijzigd:
            verbinding.execute(
                update(_LID)
                .where(_LID.c.insz == bindparam("b_insz"))
                .values(inhoud_sha256=bindparam("b_sha")),
                gewijzigd,
            )
        opgenomen = omzetter(verbinding)(opgenomen_op)
        voeg_rijen_toe(
            verbinding,
            _VERSIE,
            ("insz", "inhoud", "opgenomen_op", "import_id"),
            [(insz, inhoud, opgenomen, import_id) for insz, inhoud, _, _ in versies],
        )

    def op(self, inszen: Collection[str], *, gekend_op: datetime | None = None) -> dict[str, Lid]:
        """These members as VSB knew them at ``gekend_op`` (default: now); the others absent."""
        lijst = sorted(set(inszen))
        verbinding = self.session.connection()
        gevonden: dict[str, Lid] = {}
        for start in range(0, len(lijst), IN_BLOK):
            stmt = (
                select(_VERSIE.c.insz, _VERSIE.c.inhoud, _VERSIE.c.opgenomen_op)
                .where(_VERSIE.c.insz.in_(lijst[start : start + IN_BLOK]))
                .order_by(_VERSIE.c.insz, _VERSIE.c.id)
            )
            laatste: dict[str, str] = {}
            for insz, inhoud, opgenomen_op in verbinding.execute(stmt):
                if gekend_op is None or moment_uit_db(opgenomen_op) <= gekend_op:
                    laatste[insz] = inhoud  # later versions come later
            gevonden.update({insz: lid_uit_inhoud(tekst) for insz, tekst in laatste.items()})
        return gevonden
