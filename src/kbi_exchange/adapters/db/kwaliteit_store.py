"""Data-quality reports and rectifications on the AII node's database (art. 7)."""

from __future__ import annotations

from typing import Any

import orjson
from sqlalchemy import select
from sqlalchemy.orm import Session

from kbi_exchange.adapters.db.aii_models import MeldingRow, RectificatieRow
from kbi_exchange.adapters.db.lijsten_store import schrijf_door
from kbi_exchange.domain.kwaliteit import Melding, MeldingStatus, Rectificatie, Uitkomst
from kbi_exchange.domain.protocol import Stroom

_MELDING_VELDEN = (
    "insz",
    "omschrijving",
    "referte",
    "gemeld_door",
    "gemeld_op",
    "import_id",
    "gecorrigeerd_op",
    "gecorrigeerd_door",
    "bevinding",
    "gesloten_op",
    "gesloten_door",
)


def _melding(rij: MeldingRow) -> Melding:
    return Melding(
        id=rij.id,
        status=MeldingStatus(rij.status),
        **{veld: getattr(rij, veld) for veld in _MELDING_VELDEN},
    )


class SqlMeldingen:
    """Within one transaction; never commits."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def bewaar(self, melding: Melding) -> None:
        """Insert or update a report as it now stands."""
        rij = self.session.get(MeldingRow, melding.id) or MeldingRow(id=melding.id)
        for veld in _MELDING_VELDEN:
            setattr(rij, veld, getattr(melding, veld))
        rij.status = melding.status.value
        self.session.add(rij)
        schrijf_door(self.session)

    def get(self, melding_id: str) -> Melding | None:
        rij = self.session.get(MeldingRow, melding_id)
        return _melding(rij) if rij is not None else None

    def alle(self, *, open_: bool = False) -> list[Melding]:
        """Reports, oldest first; ``open_``: those not closed."""
        stmt = select(MeldingRow).order_by(MeldingRow.gemeld_op, MeldingRow.id)
        if open_:
            stmt = stmt.where(MeldingRow.status != MeldingStatus.GESLOTEN.value)
        return [_melding(rij) for rij in self.session.scalars(stmt)]


def _uitkomst(tekst: str | None) -> Uitkomst | None:
    inhoud = orjson.loads(tekst) if tekst else None
    return Uitkomst(**inhoud) if inhoud else None  # None: emptied by retention


def _rectificatie(rij: RectificatieRow) -> Rectificatie:
    return Rectificatie(
        id=rij.id,
        melding_id=rij.melding_id,
        stroom=Stroom(rij.stroom),
        client=rij.client,
        gemaakt_op=rij.gemaakt_op,
        oud=_uitkomst(rij.oud),
        nieuw=_uitkomst(rij.nieuw),
        referte=rij.referte,
        beslissing_id=rij.beslissing_id,
        datum=rij.datum,
        gekend_op=rij.gekend_op,
        feit_ids=tuple(orjson.loads(rij.feit_ids)),
        jaar=rij.jaar,
        lijst_id=rij.lijst_id,
        insz=rij.insz,
        op_lijst=rij.op_lijst,
    )


class SqlRectificaties:
    """Within one transaction; never commits."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def voeg_toe(self, r: Rectificatie) -> None:
        velden: dict[str, Any] = {
            "id": r.id,
            "melding_id": r.melding_id,
            "stroom": r.stroom.value,
            "client": r.client,
            "gemaakt_op": r.gemaakt_op,
            "insz": r.insz,
            "referte": r.referte,
            "beslissing_id": r.beslissing_id,
            "datum": r.datum,
            "gekend_op": r.gekend_op,
            "feit_ids": orjson.dumps(list(r.feit_ids)).decode(),
            "oud": orjson.dumps(r.oud.json()).decode() if r.oud else None,
            "nieuw": orjson.dumps(r.nieuw.json()).decode() if r.nieuw else None,
            "jaar": r.jaar,
            "lijst_id": r.lijst_id,
            "op_lijst": r.op_lijst,
        }
        self.session.add(RectificatieRow(**velden))
        schrijf_door(self.session)

    def van_melding(self, melding_id: str) -> list[Rectificatie]:
        stmt = (
            select(RectificatieRow)
            .where(RectificatieRow.melding_id == melding_id)
            .order_by(RectificatieRow.seq)
        )
        return [_rectificatie(rij) for rij in self.session.scalars(stmt)]

    def van_lijst(self, lijst_id: str, insz: str) -> list[Rectificatie]:
        """The rectifications of a person's entry on one list, oldest first (any report)."""
        stmt = (
            select(RectificatieRow)
            .where(RectificatieRow.lijst_id == lijst_id, RectificatieRow.insz == insz)
            .order_by(RectificatieRow.seq)
        )
        return [_rectificatie(rij) for rij in self.session.scalars(stmt)]

    def laatste(self, beslissing_ids: list[str]) -> dict[str, Uitkomst]:
        """The latest rectified answer of each of these decision records (of any report)."""
        gevonden: dict[str, Uitkomst] = {}
        stmt = (
            select(RectificatieRow.beslissing_id, RectificatieRow.nieuw)
            .where(RectificatieRow.beslissing_id.in_(beslissing_ids))
            .order_by(RectificatieRow.seq)
        )
        for beslissing_id, nieuw in self.session.execute(stmt):
            uitkomst = _uitkomst(nieuw)
            if uitkomst is not None and beslissing_id is not None:
                gevonden[beslissing_id] = uitkomst  # later rows come later
        return gevonden

    def voor_client(
        self, client: str, stroom: Stroom, na: int, hoeveel: int
    ) -> list[tuple[int, Rectificatie]]:
        """This client's rectifications of ``stroom`` after sequence number ``na``, in order."""
        stmt = (
            select(RectificatieRow)
            .where(
                RectificatieRow.client == client,
                RectificatieRow.stroom == stroom.value,
                RectificatieRow.seq > na,
            )
            .order_by(RectificatieRow.seq)
            .limit(hoeveel)
        )
        return [(rij.seq, _rectificatie(rij)) for rij in self.session.scalars(stmt)]
