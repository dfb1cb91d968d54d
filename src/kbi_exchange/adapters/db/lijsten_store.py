"""The AII node's yearly lists: their states, payloads, files and receipts."""

from __future__ import annotations

from collections.abc import Collection
from typing import Generic, TypeVar

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from kbi_exchange.adapters.db.aii_models import LijstRow, LijstSleutelRow
from kbi_exchange.adapters.db.vsb_models import VsbLijstRow
from kbi_exchange.domain.fouten import Conflict
from kbi_exchange.domain.lijst import LijstFout, LijstStatus
from kbi_exchange.domain.lijst_staat import GEMAAKT_BIJ_AII, Lijst

# the columns a step may change; the rest is written once, when the list is made
_STAPVELDEN = (
    "goedgekeurd_op",
    "goedgekeurd_door",
    "vervangen_op",
    "bestand_naam",
    "bestand_sha256",
    "geleverd_op",
    "geleverd_door",
    "ontvangen_op",
    "ontvangen_door",
)


# the columns both nodes' list rows hold, read as the `Lijst` fields of the same names
_GEDEELD = (
    "id",
    "jaar",
    "aantal",
    "payload_sha256",
    "vervangt",
    "gemaakt_op",
    "bestand_naam",
    "bestand_sha256",
    "ontvangen_op",
    "ontvangen_door",
    "vervangen_op",
)


R = TypeVar("R", LijstRow, VsbLijstRow)


def schrijf_door(session: Session) -> None:
    """Flush, so that the next step sees this one; a uniqueness broken here (a second list for
    a year, a list rectified twice) is a `Conflict`, as it would be at commit."""
    try:
        session.flush()
    except IntegrityError as fout:
        raise Conflict(type(fout.orig).__name__) from fout


class JaarLijsten(Generic[R]):
    """What the list stores of both nodes share: rows of one model, read as `Lijst`, and the
    year held by the one list that `Lijst.telt_voor_jaar` (``enig_jaar``, unique: a second
    list for a year is impossible in the database too, also for two runs at once)."""

    model: type[R]
    stapvelden: tuple[str, ...]  # the columns a step may change
    eigen_velden: tuple[str, ...] = ()  # this node's columns beyond `_GEDEELD`

    def __init__(self, session: Session) -> None:
        self.session = session

    def _als_lijst(self, rij: R) -> Lijst:
        velden = {veld: getattr(rij, veld) for veld in (*_GEDEELD, *self.eigen_velden)}
        velden.setdefault("gemaakt_door", GEMAAKT_BIJ_AII)  # VSB knows the maker as AII
        return Lijst(status=LijstStatus(rij.status), **velden)

    def _rij(self, lijst_id: str) -> R:
        rij = self.session.get(self.model, lijst_id)
        if rij is None:
            raise LijstFout(f"no list {lijst_id}")
        return rij

    def huidige(self, jaar: int) -> Lijst | None:
        """The list that holds the year, if any."""
        rij = self.session.scalar(select(self.model).where(self.model.enig_jaar == jaar))
        return self._als_lijst(rij) if rij is not None else None

    def bewaar(self, *lijsten: Lijst) -> None:
        """Write the lists' steps; the one giving up its year first, so the year can move."""
        for lijst in sorted(lijsten, key=lambda lijst: lijst.telt_voor_jaar):
            rij = self._rij(lijst.id)
            rij.status = lijst.status.value
            rij.enig_jaar = lijst.jaar if lijst.telt_voor_jaar else None
            for veld in self.stapvelden:
                setattr(rij, veld, getattr(lijst, veld))
            schrijf_door(self.session)


class SqlLijsten(JaarLijsten[LijstRow]):
    """The AII node's lists within one transaction; never commits."""

    model = LijstRow
    stapvelden = _STAPVELDEN

    eigen_velden = (
        "gemaakt_door",
        "goedgekeurd_op",
        "goedgekeurd_door",
        "geleverd_op",
        "geleverd_door",
    )

    def get(self, lijst_id: str) -> Lijst:
        return self._als_lijst(self._rij(lijst_id))

    def voeg_toe(self, lijst: Lijst, payload: str) -> None:
        self.session.add(
            LijstRow(
                id=lijst.id,
                jaar=lijst.jaar,
                enig_jaar=lijst.jaar if lijst.telt_voor_jaar else None,
                vervangt=lijst.vervangt,
                status=lijst.status.value,
                aantal=lijst.aantal,
                payload_sha256=lijst.payload_sha256,
                payload=payload,
                gemaakt_op=lijst.gemaakt_op,
                gemaakt_door=lijst.gemaakt_door,
            )
        )

    def payload(self, lijst_id: str) -> str:
        return self._rij(lijst_id).payload

    def bestand(self, lijst_id: str) -> bytes | None:
        return self._rij(lijst_id).bestand

    def zet_bestand(self, lijst_id: str, bestand: bytes) -> None:
        self._rij(lijst_id).bestand = bestand

    def zet_ontvangstbewijs(self, lijst_id: str, bewijs: bytes) -> None:
        self._rij(lijst_id).ontvangstbewijs = bewijs

    def geleverd_van(self, jaar: int) -> Lijst | None:
        """The year's current list once it was delivered (what VSB may pull)."""
        rij = self.session.scalar(
            select(LijstRow).where(
                LijstRow.jaar == jaar,
                LijstRow.status.in_([LijstStatus.GELEVERD.value, LijstStatus.ONTVANGEN.value]),
            )
        )
        return self._als_lijst(rij) if rij is not None else None

    def alle(self) -> list[Lijst]:
        """Every list, newest year first."""
        return [
            self._als_lijst(rij)
            for rij in self.session.scalars(
                select(LijstRow).order_by(LijstRow.jaar.desc(), LijstRow.gemaakt_op.desc())
            )
        ]

    def met_insz(self, insz: str, sleutels: Collection[str] = ()) -> list[str]:
        """The ids of the lists a person is on: their INSZ is a line of the stored payload, or,
        once retention took the payload, one of ``sleutels`` (their keyed hashes) is kept."""
        ids = list(
            self.session.scalars(
                select(LijstRow.id).where(LijstRow.payload.contains(f"\n{insz}\n", autoescape=True))
            )
        )
        if sleutels:
            ids += self.session.scalars(
                select(LijstSleutelRow.lijst_id).where(LijstSleutelRow.insz_hash.in_(sleutels))
            )
        return list(dict.fromkeys(ids))
