"""The ports of the VSB node's use cases: received lists, members, applications, the
distribution to the zorgkassen, data quality as VSB sees it, onward disclosure."""

from __future__ import annotations

from collections.abc import Callable, Collection
from datetime import date, datetime
from typing import Any, Protocol

from kbi_exchange.domain.aanvraag import Aanvraag, BronAntwoord
from kbi_exchange.domain.kwaliteit import (
    Uitvoering,
    VsbMelding,
    ZorgkasBericht,
)
from kbi_exchange.domain.lid import Lid
from kbi_exchange.domain.lijst_staat import Lijst
from kbi_exchange.domain.verdeling import Zending
from kbi_exchange.services.ports.gedeeld import ProtocolLog, RegisterWerk, VsbUnitOfWork


class OntvangenLijsten(Protocol):
    """The yearly lists the VSB node received, each with its INSZ and signed receipt."""

    def zoek(self, lijst_id: str) -> Lijst | None: ...

    def huidige(self, jaar: int) -> Lijst | None: ...

    def voeg_toe(
        self, lijst: Lijst, inszen: list[str], *, ontvangstbewijs: tuple[str, bytes]
    ) -> None: ...

    def bewaar(self, *lijsten: Lijst) -> None: ...

    def te_versturen_ontvangstbewijs(self, lijst_id: str) -> tuple[str, bytes] | None: ...

    def ontvangstbewijs_verstuurd(self, lijst_id: str) -> None: ...

    def ontvangstbewijs_naam(self, lijst_id: str) -> str: ...


class OntvangstWerk(VsbUnitOfWork, Protocol):
    """A unit of work on the VSB node over its received lists: entered, committed once;
    a commit that breaks a uniqueness raises `Conflict`."""

    @property
    def ontvangen_lijsten(self) -> OntvangenLijsten: ...

    @property
    def protocol(self) -> ProtocolLog: ...


class AdviesBron(Protocol):
    """The AII node's advice service as VSB asks it (`adapters.aii_client`)."""

    def vraag(self, insz: str, datum: date, referte: str) -> BronAntwoord: ...


class Aanvragen(Protocol):
    """The care-budget applications on the VSB node."""

    def bewaar(self, aanvraag: Aanvraag) -> None: ...

    def get(self, aanvraag_id: str) -> Aanvraag | None: ...

    def met_referte(self, referte: str) -> Aanvraag | None: ...

    def alle(
        self, *, zorgkas: str | None = None, onbeslist: bool = False, insz: str | None = None
    ) -> list[Aanvraag]: ...


class LedenLezer(Protocol):
    def op(
        self, inszen: Collection[str], *, gekend_op: datetime | None = None
    ) -> dict[str, Lid]: ...


class LijstenMetInsz(Protocol):
    def bevat(self, jaar: int, insz: str, sleutels: Collection[str] = ()) -> bool | None: ...


class AanvraagWerk(VsbUnitOfWork, Protocol):
    """A unit of work on the VSB node over applications, members and its audit log; it can
    be entered again after it is left (one short transaction per step)."""

    @property
    def aanvragen(self) -> Aanvragen: ...

    @property
    def leden(self) -> LedenLezer: ...

    @property
    def ontvangen_lijsten(self) -> LijstenMetInsz: ...

    @property
    def protocol(self) -> ProtocolLog: ...


class Zendingen(Protocol):
    """The distribution of the yearly lists to the zorgkassen."""

    def voeg_toe(self, zending: Zending, bestand: bytes) -> None: ...

    def te_versturen(self) -> list[tuple[Zending, bytes]]: ...

    def verzonden(self, zending_id: str, moment: datetime) -> None: ...

    def van(self, *, jaar: int | None = None, zorgkas: str | None = None) -> list[Zending]: ...

    def verdeeld(self, jaar: int) -> dict[str, str]: ...

    def leg_vast(
        self, *, jaar: int, zorgkas: str, zending_id: str, nieuw: list[str], verhuisd: list[str]
    ) -> None: ...

    def niet_meer(self, jaar: int, inszen: list[str]) -> None: ...

    def bestand(self, zending_id: str) -> bytes | None: ...

    def inszen_van(self, *, jaar: int, zorgkas: str) -> list[str]: ...

    def gedownload(self, zending_id: str, moment: datetime) -> None: ...


class LijstenTeVerdelen(Protocol):
    def huidige(self, jaar: int) -> Lijst | None: ...

    def inszen(self, lijst_id: str) -> list[str]: ...

    def verdeeld(self, lijst_id: str, moment: datetime) -> None: ...

    def laat_weg(self, lijst_id: str, inszen: list[str], sleutel: Callable[[str], str]) -> None: ...


class VerdelingWerk(VsbUnitOfWork, Protocol):
    """A unit of work on the VSB node over received lists, members, the distribution and
    the audit log; entered once per step; a commit that breaks a uniqueness raises
    `Conflict`."""

    @property
    def ontvangen_lijsten(self) -> LijstenTeVerdelen: ...

    @property
    def leden(self) -> LedenLezer: ...

    @property
    def zendingen(self) -> Zendingen: ...

    @property
    def berichten(self) -> ZorgkasBerichten: ...

    @property
    def protocol(self) -> ProtocolLog: ...


class KwaliteitBron(Protocol):
    """AII's data-quality service as VSB calls it (`adapters.aii_client`)."""

    def meld(
        self, melding_id: str, insz: str, omschrijving: str, referte: str | None
    ) -> dict[str, Any]: ...

    def melding(self, melding_id: str) -> dict[str, Any]: ...

    def rectificaties(self, na: int) -> tuple[list[dict[str, Any]], int]: ...


class VsbMeldingen(Protocol):
    def bewaar(self, melding: VsbMelding) -> None: ...

    def alle(self, *, open_: bool = False) -> list[VsbMelding]: ...


class VsbRectificaties(Protocol):
    def bekend(self, rectificatie_id: str) -> bool: ...

    def laatste_seq(self) -> int: ...

    def voeg_toe(
        self,
        ruw: dict[str, object],
        *,
        aanvraag_id: str | None,
        uitvoering: Uitvoering,
        ontvangen_op: object,
    ) -> None: ...


class ZorgkasBerichten(Protocol):
    def voeg_toe(self, bericht: ZorgkasBericht) -> None: ...

    def van(self, zorgkas: str | None, hoeveel: int = 500) -> list[ZorgkasBericht]: ...


class VsbKwaliteitWerk(VsbUnitOfWork, Protocol):
    @property
    def protocol(self) -> ProtocolLog: ...

    """A unit of work on the VSB node over its reports, the rectifications it received, the
    applications they change, the zorgkassen's messages and its audit log."""

    @property
    def aanvragen(self) -> Aanvragen: ...

    @property
    def vsb_meldingen(self) -> VsbMeldingen: ...

    @property
    def leden(self) -> LedenLezer: ...

    @property
    def vsb_rectificaties(self) -> VsbRectificaties: ...

    @property
    def berichten(self) -> ZorgkasBerichten: ...


class ExportWerk(RegisterWerk, VsbUnitOfWork, Protocol):
    """VSB's registers with its received lists and members, for a disclosure to a registered
    recipient."""

    @property
    def protocol(self) -> ProtocolLog: ...

    @property
    def leden(self) -> LedenLezer: ...

    @property
    def ontvangen_lijsten(self) -> LijstenTeVerdelen: ...


class Leden(Protocol):
    """The member registry as the import needs it."""

    def huidige_hashes(self, inszen: Collection[str]) -> dict[str, str]: ...
    def begin_import(self, rij: dict[str, object]) -> None: ...
    def sluit_import(self, import_id: str, **tellers: object) -> None: ...
    def voeg_toe(
        self, versies: list[tuple[str, str, str, bool]], *, opgenomen_op: datetime, import_id: str
    ) -> None: ...


class LedenWerk(VsbUnitOfWork, Protocol):
    """A unit of work in which a member file is imported."""

    @property
    def leden(self) -> Leden: ...
