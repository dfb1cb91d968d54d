"""The VSB node's distribution of yearly lists to the zorgkassen (SPEC §9): the files as sent,
and per list year which zorgkas last received each INSZ."""

from __future__ import annotations

from datetime import datetime
from typing import cast

from sqlalchemy import Table, bindparam, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from kbi_exchange.adapters.db.driver import voeg_rijen_toe
from kbi_exchange.adapters.db.lijsten_store import schrijf_door
from kbi_exchange.adapters.db.types import moment_uit_db
from kbi_exchange.adapters.db.vsb_models import VerdelingRow, ZendingRow
from kbi_exchange.domain.fouten import Conflict
from kbi_exchange.domain.verdeling import Zending

_VERDELING = cast(Table, VerdelingRow.__table__)
BLOK = 10_000


def _als_zending(rij: ZendingRow) -> Zending:
    return Zending(
        id=rij.id,
        lijst_id=rij.lijst_id,
        jaar=rij.jaar,
        zorgkas=rij.zorgkas,
        aantal=rij.aantal,
        gemaakt_op=moment_uit_db(rij.gemaakt_op),
        door=rij.door,
        bestand_naam=rij.bestand_naam,
        bestand_sha256=rij.bestand_sha256,
        verzonden_op=moment_uit_db(rij.verzonden_op) if rij.verzonden_op else None,
    )


class SqlZendingen:
    """Within one transaction; never commits."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def voeg_toe(self, zending: Zending, bestand: bytes) -> None:
        self.session.add(
            ZendingRow(
                id=zending.id,
                lijst_id=zending.lijst_id,
                jaar=zending.jaar,
                zorgkas=zending.zorgkas,
                aantal=zending.aantal,
                gemaakt_op=zending.gemaakt_op,
                door=zending.door,
                bestand_naam=zending.bestand_naam,
                bestand=bestand,
                bestand_sha256=zending.bestand_sha256,
                verzonden_op=None,
            )
        )
        schrijf_door(self.session)

    def te_versturen(self) -> list[tuple[Zending, bytes]]:
        """Files stored but not yet in the mailbox (a run ended before it sent them)."""
        stmt = select(ZendingRow).where(ZendingRow.verzonden_op.is_(None)).order_by(ZendingRow.id)
        return [(_als_zending(r), r.bestand) for r in self.session.scalars(stmt)]

    def verzonden(self, zending_id: str, moment: datetime) -> None:
        rij = self.session.get(ZendingRow, zending_id)
        if rij is not None:
            rij.verzonden_op = moment
            schrijf_door(self.session)

    def van(self, *, jaar: int | None = None, zorgkas: str | None = None) -> list[Zending]:
        stmt = select(ZendingRow).order_by(ZendingRow.gemaakt_op, ZendingRow.id)
        if jaar is not None:
            stmt = stmt.where(ZendingRow.jaar == jaar)
        if zorgkas is not None:
            stmt = stmt.where(ZendingRow.zorgkas == zorgkas)
        return [_als_zending(r) for r in self.session.scalars(stmt)]

    def bestand(self, zending_id: str) -> bytes | None:
        rij = self.session.get(ZendingRow, zending_id)
        return rij.bestand if rij is not None else None

    def verdeeld(self, jaar: int) -> dict[str, str]:
        """Per INSZ of this list year, the zorgkas that last received it."""
        verbinding = self.session.connection()
        stmt = select(_VERDELING.c.insz, _VERDELING.c.zorgkas).where(
            _VERDELING.c.jaar == jaar, _VERDELING.c.huidig
        )
        # not dict(result): a Result has keys() (its column names) and would be read as a mapping
        return {insz: zorgkas for insz, zorgkas in verbinding.execute(stmt)}  # noqa: C416

    def leg_vast(
        self, *, jaar: int, zorgkas: str, zending_id: str, nieuw: list[str], verhuisd: list[str]
    ) -> None:
        """Record that these INSZ went to ``zorgkas`` in this file: ``nieuw`` ones for the
        first time, ``verhuisd`` ones forwarded from another zorgkas. `Conflict` when another
        run sent one of them meanwhile."""
        try:
            self._leg_vast(jaar, zorgkas, zending_id, nieuw, verhuisd)
        except IntegrityError as fout:
            raise Conflict(type(fout.orig).__name__) from fout

    def niet_meer(self, jaar: int, inszen: list[str]) -> None:
        """These INSZ are no longer on the year's list (a rectification took them off): no
        zorgkas has them now."""
        stmt = (
            update(_VERDELING)
            .where(
                _VERDELING.c.jaar == jaar,
                _VERDELING.c.insz == bindparam("b_insz"),
                _VERDELING.c.huidig,
            )
            .values(huidig=False)
        )
        verbinding = self.session.connection()
        for start in range(0, len(inszen), BLOK):
            verbinding.execute(stmt, [{"b_insz": i} for i in inszen[start : start + BLOK]])

    def _leg_vast(
        self, jaar: int, zorgkas: str, zending_id: str, nieuw: list[str], verhuisd: list[str]
    ) -> None:
        verbinding = self.session.connection()
        self.niet_meer(jaar, verhuisd)  # the zorgkas they left no longer has them
        alle = nieuw + verhuisd
        for start in range(0, len(alle), BLOK):
            voeg_rijen_toe(
                verbinding,
                _VERDELING,
                ("jaar", "insz", "zending_id", "zorgkas", "huidig"),
                [(jaar, i, zending_id, zorgkas, True) for i in alle[start : start + BLOK]],
            )

    def inszen_van(self, *, jaar: int, zorgkas: str) -> list[str]:
        """The listed members a zorgkas has received for a year (and still belongs to)."""
        stmt = (
            select(_VERDELING.c.insz)
            .where(_VERDELING.c.jaar == jaar, _VERDELING.c.zorgkas == zorgkas, _VERDELING.c.huidig)
            .order_by(_VERDELING.c.insz)
        )
        return list(self.session.connection().execute(stmt).scalars())

    def gedownload(self, zending_id: str, moment: datetime) -> None:
        """The zorgkas took the file over the API: the first time is kept."""
        rij = self.session.get(ZendingRow, zending_id)
        if rij is not None and rij.gedownload_op is None:
            rij.gedownload_op = moment
            schrijf_door(self.session)

    def met_insz(self, insz: str) -> list[str]:
        """The files (zending ids) that carried this INSZ to a zorgkas, every year."""
        stmt = select(_VERDELING.c.zending_id).where(_VERDELING.c.insz == insz)
        return list(self.session.connection().execute(stmt).scalars())
