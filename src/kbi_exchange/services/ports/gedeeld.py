"""The ports both nodes' use cases share: units of work (one base, one per node), the audit
log with its keys, the protocol's record, retention, clients, people, incidents, registers,
and the world outside a database: the vault (CMS), the outbox (mailbox), password hashing
and import files."""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterator, Sequence
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, Literal, Protocol, Self, TypeVar

from kbi_exchange.domain.access import Account, Actor, Gebruiker, Node
from kbi_exchange.domain.audit import (
    AuditGebeurtenis,
    AuditKop,
    AuditPost,
    Checkpoint,
    GetekendeKop,
    Verstrekking,
)
from kbi_exchange.domain.audit_inhoud import AuditInhoud
from kbi_exchange.domain.bewaring import Gegevens, Opdracht
from kbi_exchange.domain.client import Client, ClientOverzicht
from kbi_exchange.domain.incident import Incident
from kbi_exchange.domain.protocol import ProtocolGebeurtenis
from kbi_exchange.domain.registers import Ontvanger, Verwerker
from kbi_exchange.domain.websessie import WebSessie

if TYPE_CHECKING:
    from kbi_exchange.services.line_import import LijnTelling

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


class AuditKeys(Protocol):
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
        inhoud: AuditInhoud,
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

    def onderteken(self, gegevens: bytes) -> tuple[str, str]:
        """(key id, signature in hex) with this node's checkpoint key: a head of any size."""
        ...

    def vergrendel(self) -> None: ...

    def kop(self) -> AuditKop | None:
        """The stored head; None when its row is gone (named so, not a database error)."""
        ...

    def bladen(self, tot: int) -> Iterator[bytes]:
        """The Merkle tree's leaves (`domain.audit.blad`) of the first ``tot`` entries, in
        order, streamed."""
        ...

    def post(self, seq: int) -> AuditPost | None: ...

    def getuig(
        self,
        kop: GetekendeKop,
        tijdstip: datetime,
        sleutel_id: str,
        handtekening: str,
        ontvangen_op: datetime,
    ) -> bool:
        """Keep a head of the other node's log; False when it was witnessed before."""
        ...

    def getuigde_koppen(self, na: int, hoeveel: int) -> list[dict[str, Any]]:
        """The other node's heads witnessed here, by size, after size ``na``."""
        ...

    def getuigd(self, seq: int, wortel: str) -> bool:
        """Whether this head of the other node's log was witnessed here before."""
        ...

    def grootste_getuigde_kop(self) -> dict[str, Any] | None:
        """The other node's largest head witnessed here (None: none yet)."""
        ...

    def posten(self) -> Iterator[AuditPost]: ...

    def checkpoints(self) -> list[Checkpoint]: ...

    def over(self, insz_hashes: list[str]) -> list[AuditPost]: ...

    def over_lijsten(
        self, gebeurtenissen: list[str], lijst_ids: list[str], *, sleutel: str = "lijst"
    ) -> list[AuditPost]: ...


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


class MailboxFiles(Protocol):
    """The exchange mailbox as the retention run clears it (`adapters.mailbox`)."""

    def zorgkas_files_before(self, grens: date) -> list[str]: ...

    def remove_waiting(self, naam: str) -> None: ...

    def remove_anywhere(self, naam: str) -> None: ...


class BewaringWerk(ProtocolWerk, Protocol):
    """A unit of work over a node's protocol record, its data and its audit log."""

    @property
    def bewaring(self) -> Bewaarplaats: ...


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


class Verstrekkingen(Protocol):
    """The disclosures of the lists and files a person is in, on one node."""

    def met_insz(self, insz: str, sleutels: Collection[str] = ()) -> list[Verstrekking]: ...


class AuditZoekWerk(AuditWerk, Protocol):
    """A unit of work in which the DPO searches the audit log (and the lists a person is on)."""

    @property
    def verstrekkingen(self) -> Verstrekkingen: ...


class Incidenten(Protocol):
    def bewaar(self, incident: Incident) -> None: ...

    def get(self, incident_id: str) -> Incident | None: ...

    def alle(self, *, open_: bool = False) -> list[Incident]: ...


class IncidentWerk(AuditWerk, Protocol):
    """A unit of work over a node's incidents and its audit log."""

    @property
    def incidenten(self) -> Incidenten: ...


class Messenger(Protocol):
    """Carries a notification to the other party's node (`adapters.party_messenger`): returns
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
    """The people of one node (`kbi users`) and their sessions on its web pages."""

    node: Node

    def account(self, naam: str) -> Account | None: ...

    def bewaar(self, account: Account) -> None: ...

    def alle(self) -> list[Account]: ...

    def voeg_toe(
        self, gebruiker: Gebruiker, wachtwoord_hash: str, aangemaakt_op: datetime
    ) -> None: ...

    def sessie(self, token_hash: str) -> WebSessie | None: ...

    def bewaar_sessie(self, sessie: WebSessie) -> None: ...

    def verwijder_sessie(self, token_hash: str) -> None: ...

    def verwijder_verlopen_sessies(self, nu: datetime) -> int: ...


class GebruikersWerk(UnitOfWork, Protocol):
    """A unit of work over a node's people, with the password hasher they are checked with."""

    @property
    def gebruikers(self) -> Gebruikers: ...

    @property
    def wachtwoorden(self) -> PasswordHasher: ...


class LineFile(Protocol[T]):
    """An import file being read (`adapters.line_file`): entered, it reads; the good lines
    come a block at a time, the bad ones are counted in the use case's `LijnTelling` (and kept
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

    def __call__(self, telling: LijnTelling, nu: datetime) -> LineFile[T]: ...
