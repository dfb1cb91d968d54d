"""The decision records of the advice service (SPEC §4, §7): looked up by referte, appended."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from typing import Any, cast

import orjson
from sqlalchemy import Table, select
from sqlalchemy.orm import Session

from kbi_exchange.adapters.db.aii_models import BeslissingRow
from kbi_exchange.adapters.db.types import moment_uit_db
from kbi_exchange.domain.beslissingsrecord import Beslissingsrecord, EerdereBeslissing
from kbi_exchange.domain.protocol import Weigering

_BESLISSING = cast(Table, BeslissingRow.__table__)
# SQLite allows 32 766 bound parameters per statement; a write group holds far fewer refertes.
_IN_BLOK = 1_000


class SqlBeslissingen:
    """Decision records within one transaction; rows are written at commit with the others."""

    def __init__(self, session: Session, later: Any) -> None:
        self.session = session
        self._later = later

    def eerdere(self, client: str, refertes: Collection[str]) -> dict[str, EerdereBeslissing]:
        """The records this client already holds under these refertes, by referte."""
        gevonden: dict[str, EerdereBeslissing] = {}
        lijst = sorted(set(refertes))
        verbinding = self.session.connection()
        for start in range(0, len(lijst), _IN_BLOK):
            for rij in verbinding.execute(
                select(
                    _BESLISSING.c.id,
                    _BESLISSING.c.referte,
                    _BESLISSING.c.vraag_sha256,
                    _BESLISSING.c.antwoord,
                    _BESLISSING.c.insz,
                ).where(
                    _BESLISSING.c.client == client,
                    _BESLISSING.c.referte.in_(lijst[start : start + _IN_BLOK]),
                )
            ):
                gevonden[rij.referte] = EerdereBeslissing(
                    rij.id, rij.vraag_sha256, rij.antwoord, rij.insz
                )
        return gevonden

    def get(self, beslissing_id: str) -> Beslissingsrecord | None:
        """The whole record with this id, if any."""
        rij = self.session.get(BeslissingRow, beslissing_id)
        if rij is None:
            return None
        return Beslissingsrecord(
            id=rij.id,
            client=rij.client,
            referte=rij.referte,
            insz=rij.insz,
            datum=rij.datum,
            doel=rij.doel,
            gekend_op=rij.gekend_op,
            gegeven_op=rij.gegeven_op,
            parameterversie=rij.parameterversie,
            feit_ids=frozenset(orjson.loads(rij.feit_ids)),
            antwoord=rij.antwoord,
        )

    def van_insz(self, insz: str) -> list[Beslissingsrecord]:
        """Every record of a question about this INSZ whose content is still held, oldest
        first (a data-quality correction re-evaluates them)."""
        ids = self.session.scalars(
            select(BeslissingRow.id)
            .where(BeslissingRow.insz == insz, BeslissingRow.gewist_op.is_(None))
            .order_by(BeslissingRow.gegeven_op, BeslissingRow.id)
        ).all()
        return [b for i in ids if (b := self.get(i)) is not None]

    def voeg_toe(self, rij: dict[str, Any]) -> None:
        """Append a record when the unit of work commits."""
        self._later(_BESLISSING, rij)

    def weigeringen(self, doel: str) -> list[Weigering]:
        """Every NOK answer given for this purpose, oldest first: who asked, under which
        referte, about which date, the reason; never the person's number."""
        return self._antwoorden(doel, _BESLISSING.c.antwoord.contains('"advies":"NOK"'))

    def gegeven_vanaf(self, doel: str, moment: datetime) -> list[Weigering]:
        """Every answer (OK or NOK) given for this purpose from ``moment`` on, oldest first."""
        return self._antwoorden(doel, _BESLISSING.c.gegeven_op >= moment)

    def _antwoorden(self, doel: str, voorwaarde: Any) -> list[Weigering]:
        stmt = (
            select(
                _BESLISSING.c.id,
                _BESLISSING.c.client,
                _BESLISSING.c.referte,
                _BESLISSING.c.datum,
                _BESLISSING.c.gegeven_op,
                _BESLISSING.c.antwoord,
            )
            .where(_BESLISSING.c.doel == doel, _BESLISSING.c.gewist_op.is_(None), voorwaarde)
            .order_by(_BESLISSING.c.gegeven_op, _BESLISSING.c.id)
        )
        gevonden = []
        for rij in self.session.connection().execute(stmt):
            antwoord = orjson.loads(rij.antwoord)
            if antwoord.get("advies") not in ("OK", "NOK"):
                continue  # a refused question gave no answer
            gevonden.append(
                Weigering(
                    rij.id,
                    rij.client,
                    rij.referte,
                    rij.datum,
                    moment_uit_db(rij.gegeven_op),
                    (antwoord.get("reden") or {}).get("code"),
                    antwoord["advies"],
                )
            )
        return gevonden
