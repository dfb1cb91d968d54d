"""What the services need from storage, declared here and implemented by the adapters.

The SQL adapters (`adapters/db`) implement these for the nodes' databases; `tests/fakes.py`
implements them in memory, so that the services' rules are tested in milliseconds.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, Literal, Protocol, Self, TypeVar

from kbi_exchange.domain.aanvraag import Aanvraag, BronAntwoord
from kbi_exchange.domain.access import Account, Actor, Gebruiker, Node
from kbi_exchange.domain.audit import AuditGebeurtenis, AuditRegel, Checkpoint, Verstrekking
from kbi_exchange.domain.beslissingsrecord import Beslissing, EerdereBeslissing
from kbi_exchange.domain.bewaring import Gegevens, Opdracht
from kbi_exchange.domain.client import Client, ClientOverzicht
from kbi_exchange.domain.dossier import Dossier, Wijzigingen
from kbi_exchange.domain.incident import Incident
from kbi_exchange.domain.kwaliteit import (
    Melding,
    Rectificatie,
    Uitkomst,
    Uitvoering,
    VsbMelding,
    ZorgkasBericht,
)
from kbi_exchange.domain.lid import Lid
from kbi_exchange.domain.lijst_staat import Lijst
from kbi_exchange.domain.protocol import ProtocolGebeurtenis, Stroom, Weigering
from kbi_exchange.domain.registers import Ontvanger, Verwerker
from kbi_exchange.domain.verdeling import Zending

if TYPE_CHECKING:
    from kbi_exchange.services.line_import import RegelTelling

T = TypeVar("T")


class UnitOfWork(Protocol):
    """What every unit of work is: one transaction, entered, committed once; left without a
    commit, nothing it did stays. A commit that breaks a uniqueness raises `Conflict`."""

    def __enter__(self) -> Self: ...

    def __exit__(self, *exc: object) -> None: ...

    def commit(self) -> None: ...


class AuditWerk(UnitOfWork, Protocol):
    """A unit of work with its node's audit log: what it commits, the log holds."""

    @property
    def audit(self) -> AuditLog: ...


class AiiUnitOfWork(AuditWerk, Protocol):
    """A unit of work on the AII node: an AII use case takes no other."""

    @property
    def node(self) -> Literal[Node.AII]: ...


class VsbUnitOfWork(AuditWerk, Protocol):
    """A unit of work on the VSB node: a VSB use case takes no other."""

    @property
    def node(self) -> Literal[Node.VSB]: ...


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

    def get(self, beslissing_id: str) -> Beslissing | None: ...

    def voeg_toe(self, rij: dict[str, Any]) -> None: ...


class AuditSleutels(Protocol):
    """The node's keys as its audit log uses them (`adapters.keys.Keys`), kept beside, never
    in, its database."""

    def insz_hashes(self, insz: str) -> list[str]:
        """The keyed hashes of a number under every key, the current one first."""
        ...

    def sign(self, gegevens: bytes) -> tuple[str, str]:
        """(key id, signature in hex) with the checkpoint key."""
        ...

    def verify_signature(self, gegevens: bytes, handtekening: str) -> bool: ...


class AuditLog(Protocol):
    """A node's audit log within one unit of work, built with the node's keys; entries take
    their place in the chain, signed, when the unit of work commits."""

    def record(
        self,
        gebeurtenis: AuditGebeurtenis,
        actor: Actor | str,
        tijdstip: datetime,
        inhoud: Mapping[str, Any],
        *,
        insz: str | None = None,
    ) -> None:
        """Append one entry in the caller's transaction: what it commits, the log holds. An
        INSZ is stored only as its keyed hash; ``inhoud`` must not contain it."""
        ...

    def insz_hashes(self, insz: str) -> list[str]:
        """The keyed hashes a person's entries (and lists) carry, the current key's first."""
        ...

    def handtekening_klopt(self, gegevens: bytes, handtekening: str) -> bool:
        """Whether this node's checkpoint key made the signature."""
        ...

    def vergrendel(self) -> None: ...

    def kop(self) -> tuple[int, str, Any, str | None]: ...

    def regels(self) -> Iterator[AuditRegel]: ...

    def checkpoints(self) -> list[Checkpoint]: ...

    def over(self, insz_hashes: list[str]) -> list[AuditRegel]: ...

    def over_lijsten(
        self, gebeurtenissen: list[str], lijst_ids: list[str], *, sleutel: str = "lijst"
    ) -> list[AuditRegel]: ...


class ProtocolLog(Protocol):
    """The protocol's recorded life."""

    def gebeurtenissen(self) -> list[ProtocolGebeurtenis]: ...

    def voeg_toe(self, g: ProtocolGebeurtenis) -> None: ...

    def ontvangen(self, gebeurtenis_id: str, moment: datetime) -> None: ...

    def geweigerd(self, gebeurtenis_id: str, reden: str) -> None: ...


class MetProtocol(Protocol):
    """A unit of work that reads the node's record of the protocol."""

    @property
    def protocol(self) -> ProtocolLog: ...


class ProtocolWerk(AuditWerk, Protocol):
    """A unit of work over the protocol's life and the audit log."""

    @property
    def protocol(self) -> ProtocolLog: ...


class Bewaarplaats(Protocol):
    """What a node keeps, as the retention run sees it: found by kind, removed by id; what is
    removed is not found again."""

    def te_verwijderen(self, opdracht: Opdracht) -> list[str]: ...

    def verwijder(
        self,
        gegevens: Gegevens,
        ids: Sequence[str],
        nu: datetime,
        sleutels: Callable[[str], list[str]],
    ) -> list[str]:
        """Remove them; the names of the exchange files that carried what went (taken out of
        the mailbox once the removal is committed)."""
        ...


class Postvak(Protocol):
    """The exchange mailbox as the retention run clears it (`adapters.mailbox`)."""

    def zorgkas_files_before(self, grens: date) -> list[str]: ...

    def remove_waiting(self, naam: str) -> None: ...

    def remove_anywhere(self, naam: str) -> None: ...


class BewaringWerk(ProtocolWerk, Protocol):
    """A unit of work over a node's protocol record, its data and its audit log."""

    @property
    def bewaring(self) -> Bewaarplaats: ...


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
    def van_insz(self, insz: str) -> list[Beslissing]: ...


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


class Clients(Protocol):
    """The machine clients of the advice service."""

    def zoek(self, naam_of_id: str) -> ClientOverzicht | None: ...

    def voeg_toe(self, client: Client, aangemaakt_op: datetime) -> None: ...

    def trek_in(self, client_id: str, moment: datetime) -> None: ...

    def alle(self) -> list[ClientOverzicht]: ...

    def actief(self) -> dict[str, Client]: ...


class ClientenWerk(AuditWerk, Protocol):
    """A unit of work over the clients and the audit log: entered, committed once."""

    @property
    def clients(self) -> Clients: ...


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


class Verstrekkingen(Protocol):
    """The disclosures of the lists and files a person is in, on one node."""

    def met_insz(self, insz: str, sleutels: Collection[str] = ()) -> list[Verstrekking]: ...


class AuditZoekWerk(AuditWerk, Protocol):
    """A unit of work in which the DPO searches the audit log (and the lists a person is on)."""

    @property
    def verstrekkingen(self) -> Verstrekkingen: ...


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

    def lijst(
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
    def vsb_rectificaties(self) -> VsbRectificaties: ...

    @property
    def berichten(self) -> ZorgkasBerichten: ...


class Incidenten(Protocol):
    def bewaar(self, incident: Incident) -> None: ...

    def get(self, incident_id: str) -> Incident | None: ...

    def alle(self, *, open_: bool = False) -> list[Incident]: ...


class IncidentWerk(AuditWerk, Protocol):
    """A unit of work over a node's incidents and its audit log."""

    @property
    def incidenten(self) -> Incidenten: ...


class Bode(Protocol):
    """Carries a notification to the other party's node (`adapters.partij_bode`): returns
    that node's answer once it has taken it; raises `PartijOnbereikbaar` otherwise."""

    def stuur(self, melding: dict[str, Any]) -> dict[str, Any]: ...


class Registers(Protocol):
    def bewaar_verwerker(self, verwerker: Verwerker) -> None: ...

    def bewaar_ontvanger(self, ontvanger: Ontvanger) -> None: ...

    def verwerkers(self) -> list[Verwerker]: ...

    def ontvangers(self) -> list[Ontvanger]: ...


class RegisterWerk(AuditWerk, Protocol):
    """A unit of work over a node's registers and its audit log."""

    @property
    def registers(self) -> Registers: ...


class ExportWerk(RegisterWerk, VsbUnitOfWork, Protocol):
    """VSB's registers with its received lists and members, for a disclosure to a registered
    recipient."""

    @property
    def protocol(self) -> ProtocolLog: ...

    @property
    def leden(self) -> LedenLezer: ...

    @property
    def ontvangen_lijsten(self) -> LijstenTeVerdelen: ...


class Vault(Protocol):
    """This party's CMS (`adapters.crypto.vault`): its key signs and opens, another party's
    certificate encrypts; a file that does not open or whose signature does not hold raises
    `CmsError`, a certificate or key that cannot be read `PkiError`. Parties are named by
    their certificate's file stem: ``aii``, ``vsb``, ``zorgkas-<code>``."""

    def sign(self, inhoud: bytes) -> bytes: ...

    def encrypt(self, inhoud: bytes, voor: str) -> bytes: ...

    def decrypt(self, bestand: bytes) -> bytes: ...

    def verify(self, ondertekend: bytes, *, van: str, moment: datetime) -> bytes:
        """The signed content, once the signature is checked as ``van``'s at ``moment``."""
        ...


class Outbox(Protocol):
    """Where a party puts a file for another (`adapters.mailbox`): the name says to whom."""

    def send(self, afzender: str, naam: str, inhoud: bytes) -> object: ...


class PasswordHasher(Protocol):
    """Password hashes (`adapters.passwords`): made, checked in constant time (no hash: the
    same time spent, and no), and found weaker than today's parameters."""

    def hash(self, wachtwoord: str) -> str: ...

    def verify(self, wachtwoord_hash: str | None, wachtwoord: str) -> bool: ...

    def needs_rehash(self, wachtwoord_hash: str) -> bool: ...


class Gebruikers(Protocol):
    """The people of one node (`kbi users`)."""

    node: Node

    def account(self, naam: str) -> Account | None: ...

    def bewaar(self, account: Account) -> None: ...

    def alle(self) -> list[Account]: ...

    def voeg_toe(
        self, gebruiker: Gebruiker, wachtwoord_hash: str, aangemaakt_op: datetime
    ) -> None: ...


class GebruikersWerk(UnitOfWork, Protocol):
    """A unit of work over a node's people, with the password hasher they are checked with."""

    @property
    def gebruikers(self) -> Gebruikers: ...

    @property
    def wachtwoorden(self) -> PasswordHasher: ...


class LineFile(Protocol[T]):
    """An import file being read (`adapters.line_file`): entered, it reads; the good lines
    come a block at a time, the bad ones are counted in the use case's `RegelTelling` (and kept
    for a rejects file); `rond_af`, after the use case's commit, puts that file in place."""

    naam: str
    nu: datetime

    def __enter__(self) -> Self: ...

    def __exit__(self, *exc: object) -> None: ...

    @property
    def weigert(self) -> bool:
        """After a bad line without skipping bad lines: only validate the rest, store nothing."""
        ...

    @property
    def sha256(self) -> str: ...

    def fout(self, nummer: int, veld: str, reden: str, ruw: bytes) -> None:
        """Count a bad line the use case's own rules found."""
        ...

    def batches(self) -> Iterator[list[tuple[int, T, bytes]]]: ...

    def rond_af(self) -> None: ...


class LineFileOpener(Protocol[T]):
    """How a use case opens its import file, with its own count and moment."""

    def __call__(self, telling: RegelTelling, nu: datetime) -> LineFile[T]: ...


class KbiOpslag(Protocol):
    """The KBI as an import adds to it."""

    def dossiers(self, inszen: list[str]) -> dict[str, Dossier]: ...
    def begin_import(self, rij: dict[str, object]) -> None: ...
    def sluit_import(self, import_id: str, **tellers: object) -> None: ...
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
