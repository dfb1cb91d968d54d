"""The ports of the AII node's use cases: the KBI, decision records, yearly lists, data
quality, the annulment report, the KBI import."""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterator
from datetime import datetime
from typing import Any, Protocol

from kbi_exchange.domain.beslissingsrecord import Beslissingsrecord, EerdereBeslissing
from kbi_exchange.domain.dossier import Dossier, Wijzigingen
from kbi_exchange.domain.kwaliteit import (
    Melding,
    Rectificatie,
    Uitkomst,
)
from kbi_exchange.domain.lijst_staat import Lijst
from kbi_exchange.domain.protocol import Stroom, Weigering
from kbi_exchange.services.ports.gedeeld import AiiUnitOfWork, ProtocolLog, ProtocolWerk, UnitOfWork


class KbiLezer(Protocol):
    """Dossiers of the KBI as known now (the rules apply the knowledge time themselves)."""

    def zoek(self, insz: str) -> Dossier | None: ...

    def zoek_veel(self, inszen: Collection[str]) -> dict[str, Dossier | None]: ...


class KbiGeheel(KbiLezer, Protocol):
    """The whole KBI, read a block of dossiers at a time."""

    def aantal_personen(self) -> int: ...

    def stroom(self) -> Iterator[list[Dossier]]: ...


class KbiOverzichtWerk(UnitOfWork, Protocol):
    """A unit of work that reads the whole KBI (the summary of every dossier on a date)."""

    @property
    def kbi(self) -> KbiGeheel: ...


class Beslissingen(Protocol):
    """The advice service's decision records."""

    def eerdere(self, client: str, refertes: Collection[str]) -> dict[str, EerdereBeslissing]: ...

    def get(self, beslissing_id: str) -> Beslissingsrecord | None: ...

    def voeg_toe(self, rij: dict[str, Any]) -> None: ...


class Meldingen(Protocol):
    """Data-quality reports received from VSB (AII)."""

    def bewaar(self, melding: Melding) -> None: ...

    def get(self, melding_id: str) -> Melding | None: ...

    def alle(self, *, open_: bool = False) -> list[Melding]: ...


class Rectificaties(Protocol):
    """The rectifications corrections gave rise to (AII)."""

    def voeg_toe(self, r: Rectificatie) -> None: ...

    def van_melding(self, melding_id: str) -> list[Rectificatie]: ...

    def laatste(self, beslissing_ids: list[str]) -> dict[str, Uitkomst]: ...

    def van_lijst(self, lijst_id: str, insz: str) -> list[Rectificatie]: ...

    def voor_client(
        self, client: str, stroom: Stroom, na: int, hoeveel: int
    ) -> list[tuple[int, Rectificatie]]: ...


class BeslissingenVanPersoon(Protocol):
    def van_insz(self, insz: str) -> list[Beslissingsrecord]: ...


class LijstenMetPersoon(Protocol):
    def alle(self) -> list[Lijst]: ...

    def met_insz(self, insz: str, sleutels: Collection[str] = ()) -> list[str]: ...


class KwaliteitWerk(ProtocolWerk, AiiUnitOfWork, Protocol):
    """A unit of work at AII over reports, rectifications, what they re-evaluate (decision
    records, the KBI, the lists), the protocol and the audit log."""

    @property
    def meldingen(self) -> Meldingen: ...

    @property
    def rectificaties(self) -> Rectificaties: ...

    @property
    def beslissingen(self) -> BeslissingenVanPersoon: ...

    @property
    def kbi(self) -> KbiLezer: ...

    @property
    def lijsten(self) -> LijstenMetPersoon: ...


class Weigeringen(Protocol):
    def weigeringen(self, doel: str) -> list[Weigering]: ...

    def gegeven_vanaf(self, doel: str, moment: datetime) -> list[Weigering]: ...


class AlleLijsten(Protocol):
    def alle(self) -> list[Lijst]: ...


class AnnulatieWerk(ProtocolWerk, AiiUnitOfWork, Protocol):
    """The protocol's life with what AII holds for each flow: decision records, lists."""

    @property
    def beslissingen(self) -> Weigeringen: ...

    @property
    def lijsten(self) -> AlleLijsten: ...


class AdviesWerk(AiiUnitOfWork, Protocol):
    """The unit of work of the advice service's write group (the writer commits it)."""

    @property
    def protocol(self) -> ProtocolLog: ...

    @property
    def kbi(self) -> KbiLezer: ...

    @property
    def beslissingen(self) -> Beslissingen: ...


class HerspeelWerk(UnitOfWork, Protocol):
    """A unit of work that reads a decision record and the KBI it was answered from."""

    @property
    def kbi(self) -> KbiLezer: ...

    @property
    def beslissingen(self) -> Beslissingen: ...


class KbiVoorLijst(Protocol):
    """The KBI as the yearly list reads it: everyone, as known at a moment."""

    def op_lijst(
        self,
        *,
        jaar: int,
        nu: datetime,
        aantal_werkers: int | None = None,
        voortgang: Callable[[int], None] = ...,
    ) -> list[str]: ...


class Lijsten(Protocol):
    """The AII node's yearly lists."""

    def get(self, lijst_id: str) -> Lijst: ...

    def huidige(self, jaar: int) -> Lijst | None: ...

    def voeg_toe(self, lijst: Lijst, payload: str) -> None: ...

    def bewaar(self, *lijsten: Lijst) -> None: ...

    def payload(self, lijst_id: str) -> str: ...

    def bestand(self, lijst_id: str) -> bytes | None: ...

    def zet_bestand(self, lijst_id: str, bestand: bytes) -> None: ...

    def zet_ontvangstbewijs(self, lijst_id: str, bewijs: bytes) -> None: ...

    def geleverd_van(self, jaar: int) -> Lijst | None: ...

    def alle(self) -> list[Lijst]: ...

    def met_insz(self, insz: str, sleutels: Collection[str] = ()) -> list[str]: ...


class LijstWerk(AiiUnitOfWork, Protocol):
    """A unit of work over the lists, the KBI and the audit log: entered, committed once;
    a commit that breaks a uniqueness raises `Conflict`."""

    @property
    def kbi(self) -> KbiVoorLijst: ...

    @property
    def lijsten(self) -> Lijsten: ...

    @property
    def protocol(self) -> ProtocolLog: ...


class KbiOpslag(Protocol):
    """The KBI as an import adds to it."""

    def dossiers(self, inszen: list[str]) -> dict[str, Dossier]: ...
    def begin_import(self, rij: dict[str, object]) -> None: ...
    def sluit_import(self, import_id: str, **tellers: object) -> None: ...
    def recente_imports(self, aantal: int) -> list[dict[str, object]]:
        """The last ``aantal`` imports as recorded (`begin_import`, `sluit_import`), newest
        first."""
        ...

    def voeg_toe(
        self,
        veranderd: dict[str, tuple[bool, Wijzigingen]],
        *,
        opgenomen_op: datetime,
        import_id: str,
    ) -> None: ...


class KbiImportWerk(UnitOfWork, Protocol):
    """A unit of work in which a dossier file is imported."""

    @property
    def kbi(self) -> KbiOpslag: ...
