"""The VSB node's received yearly lists: their states, INSZ and signed receipts."""

from __future__ import annotations

from collections.abc import Callable, Collection
from datetime import datetime

from sqlalchemy import delete, select

from kbi_exchange.adapters.db.driver import voeg_rijen_toe
from kbi_exchange.adapters.db.lijsten_store import JaarLijsten, schrijf_door
from kbi_exchange.adapters.db.vsb_models import VsbLijstInszRow, VsbLijstRow, VsbLijstSleutelRow
from kbi_exchange.domain.lijst import LijstFout
from kbi_exchange.domain.lijst_staat import Lijst

BLOK = 10_000  # INSZ rows per insert statement


class SqlOntvangenLijsten(JaarLijsten[VsbLijstRow]):
    """Received lists within one transaction; never commits. One list holds a year, as on
    the AII node."""

    model = VsbLijstRow
    stapvelden = ("vervangen_op",)

    def zoek(self, lijst_id: str) -> Lijst | None:
        rij = self.session.get(VsbLijstRow, lijst_id)
        return self._als_lijst(rij) if rij is not None else None

    def voeg_toe(
        self, lijst: Lijst, inszen: list[str], *, ontvangstbewijs: tuple[str, bytes]
    ) -> None:
        """Store a verified list, its INSZ and its signed receipt (not yet sent)."""
        if lijst.bestand_naam is None or lijst.bestand_sha256 is None:
            raise LijstFout(f"list {lijst.id}: received without its file")
        if lijst.ontvangen_op is None or lijst.ontvangen_door is None:
            raise LijstFout(f"list {lijst.id}: stored before it was received")
        naam, bewijs = ontvangstbewijs
        self.session.add(
            VsbLijstRow(
                id=lijst.id,
                jaar=lijst.jaar,
                enig_jaar=lijst.jaar if lijst.telt_voor_jaar else None,
                vervangt=lijst.vervangt,
                status=lijst.status.value,
                aantal=lijst.aantal,
                gemaakt_op=lijst.gemaakt_op,
                bestand_naam=lijst.bestand_naam,
                bestand_sha256=lijst.bestand_sha256,
                payload_sha256=lijst.payload_sha256,
                ontvangen_op=lijst.ontvangen_op,
                ontvangen_door=lijst.ontvangen_door,
                ontvangstbewijs_naam=naam,
                ontvangstbewijs=bewijs,
                ontvangstbewijs_verstuurd=False,
            )
        )
        schrijf_door(self.session)
        verbinding = self.session.connection()
        for start in range(0, len(inszen), BLOK):
            voeg_rijen_toe(
                verbinding,
                VsbLijstInszRow.__table__,  # type: ignore[arg-type]
                ("lijst_id", "insz"),
                [(lijst.id, insz) for insz in inszen[start : start + BLOK]],
            )

    def te_versturen_ontvangstbewijs(self, lijst_id: str) -> tuple[str, bytes] | None:
        """The list's signed receipt (name, bytes) while it is not yet in the mailbox."""
        rij = self._rij(lijst_id)
        if rij.ontvangstbewijs_verstuurd:
            return None
        if rij.ontvangstbewijs_naam is None or rij.ontvangstbewijs is None:
            raise LijstFout(f"list {rij.id}: stored without its receipt")
        return rij.ontvangstbewijs_naam, rij.ontvangstbewijs

    def ontvangstbewijs_verstuurd(self, lijst_id: str) -> None:
        self._rij(lijst_id).ontvangstbewijs_verstuurd = True

    def ontvangstbewijs_naam(self, lijst_id: str) -> str:
        return self._rij(lijst_id).ontvangstbewijs_naam or ""

    def bevat(self, jaar: int, insz: str, sleutels: Collection[str] = ()) -> bool | None:
        """Whether the INSZ is on the year's list as VSB holds it now (a rectification
        replaces the list) — in the clear, or let go after the distribution and kept as one of
        ``sleutels`` (its keyed hashes); None when VSB holds no list of that year."""
        lijst = self.huidige(jaar)
        if lijst is None:
            return None
        if self.session.get(VsbLijstInszRow, (lijst.id, insz)) is not None:
            return True
        return sleutels != () and (
            self.session.scalar(
                select(VsbLijstSleutelRow.lijst_id).where(
                    VsbLijstSleutelRow.lijst_id == lijst.id,
                    VsbLijstSleutelRow.insz_hash.in_(sleutels),
                )
            )
            is not None
        )

    def inszen(self, lijst_id: str) -> list[str]:
        """The INSZ of a received list, sorted."""
        stmt = (
            select(VsbLijstInszRow.insz)
            .where(VsbLijstInszRow.lijst_id == lijst_id)
            .order_by(VsbLijstInszRow.insz)
        )
        return list(self.session.scalars(stmt))

    def verdeeld(self, lijst_id: str, moment: datetime) -> None:
        """The list was distributed (its first distribution is kept)."""
        rij = self._rij(lijst_id)
        if rij.verdeeld_op is None:
            rij.verdeeld_op = moment
            schrijf_door(self.session)

    def laat_weg(self, lijst_id: str, inszen: list[str], sleutel: Callable[[str], str]) -> None:
        """Remove these INSZ from a received list: counted, not kept in the clear (SPEC §10);
        what stays is the keyed hash of each (``sleutel``), so that a member whose VT or
        affiliation on 1 January is recorded later is still known to have been listed."""
        verbinding = self.session.connection()
        for start in range(0, len(inszen), BLOK):
            voeg_rijen_toe(
                verbinding,
                VsbLijstSleutelRow.__table__,  # type: ignore[arg-type]
                ("lijst_id", "insz_hash"),
                list(dict.fromkeys((lijst_id, sleutel(i)) for i in inszen[start : start + BLOK])),
            )
        for start in range(0, len(inszen), BLOK):
            self.session.execute(
                delete(VsbLijstInszRow).where(
                    VsbLijstInszRow.lijst_id == lijst_id,
                    VsbLijstInszRow.insz.in_(inszen[start : start + BLOK]),
                ),
                execution_options={"synchronize_session": False},
            )

    def met_insz(self, insz: str, sleutels: Collection[str] = ()) -> list[str]:
        """The ids of the received lists this INSZ is on (in the clear, or by a keyed hash)."""
        stmt = select(VsbLijstInszRow.lijst_id).where(VsbLijstInszRow.insz == insz)
        ids = list(self.session.scalars(stmt))
        if sleutels:
            ids += self.session.scalars(
                select(VsbLijstSleutelRow.lijst_id).where(
                    VsbLijstSleutelRow.insz_hash.in_(sleutels)
                )
            )
        return list(dict.fromkeys(ids))
