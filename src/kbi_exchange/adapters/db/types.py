"""Column types shared by both nodes' schemas."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import overload

from sqlalchemy import (
    BigInteger,
    Date,
    DateTime,
    Dialect,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def metadata() -> MetaData:
    return MetaData(naming_convention=NAMING_CONVENTION)


# A 64-bit key on PostgreSQL; SQLite only auto-increments an INTEGER PRIMARY KEY.
Sleutel = BigInteger().with_variant(Integer(), "sqlite")


class UtcDateTime(TypeDecorator[datetime]):
    """A timezone-aware moment, stored in UTC on every database (SQLite keeps no offset)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are not stored: give the offset")
        moment = value.astimezone(UTC)
        return moment.replace(tzinfo=None) if dialect.name == "sqlite" else moment

    def process_result_value(
        self, value: str | datetime | None, dialect: Dialect
    ) -> datetime | None:
        return moment_uit_db(value)


@overload
def moment_uit_db(value: None) -> None: ...
@overload
def moment_uit_db(value: str | datetime) -> datetime: ...
def moment_uit_db(value: str | datetime | None) -> datetime | None:
    """A `UtcDateTime` as the driver returns it (text on SQLite), as an aware UTC moment."""
    if value is None:
        return None
    moment: datetime = datetime.fromisoformat(value) if isinstance(value, str) else value
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


class GebruikerColumns:
    """The people of a node (SPEC §11): the same table in each node's own database."""

    __tablename__ = "gebruiker"

    naam: Mapped[str] = mapped_column(String(64), primary_key=True)
    rol: Mapped[str] = mapped_column(String(32))
    zorgkas: Mapped[str | None] = mapped_column(String(16))
    wachtwoord_hash: Mapped[str] = mapped_column(String(255))
    mislukte_pogingen: Mapped[int] = mapped_column(default=0)
    geblokkeerd_tot: Mapped[datetime | None] = mapped_column(UtcDateTime)
    aangemaakt_op: Mapped[datetime] = mapped_column(UtcDateTime)


class WebSessieColumns:
    """Log-ins on a node's web pages: the cookie's token only as a SHA-256 hash."""

    __tablename__ = "websessie"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    naam: Mapped[str] = mapped_column(String(64), index=True)
    via: Mapped[str] = mapped_column(String(16))
    aangemaakt_op: Mapped[datetime] = mapped_column(UtcDateTime)
    gezien_op: Mapped[datetime] = mapped_column(UtcDateTime)


class ClientColumns:
    """Machine clients of a node's web service: the token only as a SHA-256 hash (SPEC §7);
    the same table in each node's own database (VSB's are bound to a zorgkas)."""

    __tablename__ = "client"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    naam: Mapped[str] = mapped_column(String(64), unique=True)
    token_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    doelen: Mapped[str] = mapped_column(String(200))
    afzender: Mapped[str] = mapped_column(String(100))
    aangemaakt_op: Mapped[datetime] = mapped_column(UtcDateTime)
    ingetrokken_op: Mapped[datetime | None] = mapped_column(UtcDateTime)


class ProtocolColumns:
    """What happened to the protocol (SPEC §12): suspended, resumed, notice, end, a lapsed
    legal basis; only ever appended."""

    __tablename__ = "protocol_gebeurtenis"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    soort: Mapped[str] = mapped_column(String(16))
    op: Mapped[datetime] = mapped_column(UtcDateTime)
    door: Mapped[str] = mapped_column(String(100))
    reden: Mapped[str] = mapped_column(String(500))
    partij: Mapped[str | None] = mapped_column(String(8))
    stroom: Mapped[str | None] = mapped_column(String(4))
    datum: Mapped[date | None] = mapped_column(Date)
    # a step that binds the other party: when its node took it (a notice runs from then);
    # a step received from the other party: the moment this node took it (= op)
    ontvangen_op: Mapped[datetime | None] = mapped_column(UtcDateTime)
    # an own step the other party's node refused for good, and why
    geweigerd: Mapped[str | None] = mapped_column(String(500))


class LijstSleutelColumns:
    """A person who was on a list whose INSZ this node no longer keeps in the clear, by the
    keyed hash of the number (SPEC §8.7, §10): the DPO's search by person still finds the list,
    and VSB still knows its member was listed; the same table on each node."""

    __tablename__ = "lijst_sleutel"

    lijst_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    insz_hash: Mapped[str] = mapped_column(String(64), primary_key=True, index=True)


class IncidentColumns:
    """An incident (SPEC §12, art. 6 and 9): the node's own, or the other party's as received;
    the same table in each node's own database."""

    __tablename__ = "incident"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    partij: Mapped[str] = mapped_column(String(8))
    vastgesteld_op: Mapped[datetime] = mapped_column(UtcDateTime)
    omschrijving: Mapped[str] = mapped_column(Text)
    betrokkenen: Mapped[int]
    categorieen: Mapped[str] = mapped_column(String(200))
    datalek: Mapped[bool]
    geregistreerd_op: Mapped[datetime] = mapped_column(UtcDateTime)
    geregistreerd_door: Mapped[str] = mapped_column(String(100))
    status: Mapped[str] = mapped_column(String(16))
    partij_gemeld_op: Mapped[datetime | None] = mapped_column(UtcDateTime)
    vtc_gemeld_op: Mapped[datetime | None] = mapped_column(UtcDateTime)
    vtc_referentie: Mapped[str | None] = mapped_column(String(200))
    gesloten_op: Mapped[datetime | None] = mapped_column(UtcDateTime)
    ontvangen_op: Mapped[datetime | None] = mapped_column(UtcDateTime)


class VerwerkerColumns:
    """A processor of the node's party and its agreement (art. 6); the same table on each
    node."""

    __tablename__ = "verwerker"
    # both parties' processors on each node (art. 6, 9): a name once per party
    __table_args__ = (UniqueConstraint("partij", "naam"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    partij: Mapped[str] = mapped_column(String(8))
    naam: Mapped[str] = mapped_column(String(100))
    taak: Mapped[str] = mapped_column(Text)
    gegevens: Mapped[str] = mapped_column(String(200))
    overeenkomst: Mapped[str] = mapped_column(String(1000))
    overeenkomst_datum: Mapped[date] = mapped_column(Date)
    locatie: Mapped[str] = mapped_column(String(1000))
    geregistreerd_op: Mapped[datetime] = mapped_column(UtcDateTime)
    geregistreerd_door: Mapped[str] = mapped_column(String(100))
    beeindigd_op: Mapped[datetime | None] = mapped_column(UtcDateTime)
    # own: when the other party's node took its current state (NULL: still to tell);
    # the other party's: when this node received it
    gemeld_op: Mapped[datetime | None] = mapped_column(UtcDateTime)
    ontvangen_op: Mapped[datetime | None] = mapped_column(UtcDateTime)


class OntvangerColumns:
    """A recipient other than a zorgkas (art. 4): VSB's register, and AII's record of what
    VSB notified; the same table on each node."""

    __tablename__ = "ontvanger"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    naam: Mapped[str] = mapped_column(String(100), unique=True)
    doel: Mapped[str] = mapped_column(Text)
    rechtsgrond: Mapped[str] = mapped_column(Text)
    gegevens: Mapped[str] = mapped_column(String(200))
    geregistreerd_op: Mapped[datetime] = mapped_column(UtcDateTime)
    geregistreerd_door: Mapped[str] = mapped_column(String(100))
    aan_aii_gemeld_op: Mapped[datetime | None] = mapped_column(UtcDateTime)


class AuditColumns:
    """One entry of a node's hash-chained audit log; only ever appended (SPEC §11); the same
    table in each node's own database.

    ``inhoud`` may be purged at the end of its retention; ``inhoud_sha256`` stays, so that the
    chain still verifies.
    """

    __tablename__ = "audit"

    seq: Mapped[int] = mapped_column(Sleutel, primary_key=True, autoincrement=False)
    tijdstip: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    gebeurtenis: Mapped[str] = mapped_column(String(64))
    actor: Mapped[str] = mapped_column(String(100))
    insz_hash: Mapped[str | None] = mapped_column(String(64), index=True)
    inhoud: Mapped[str | None] = mapped_column(Text)
    inhoud_sha256: Mapped[str] = mapped_column(String(64))
    vorige_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class AuditCheckpointColumns:
    """A signed statement of the chain's head at one entry."""

    __tablename__ = "audit_checkpoint"

    seq: Mapped[int] = mapped_column(Sleutel, primary_key=True, autoincrement=False)
    hash: Mapped[str] = mapped_column(String(64))
    tijdstip: Mapped[datetime] = mapped_column(UtcDateTime)
    sleutel_id: Mapped[str] = mapped_column(String(16))
    handtekening: Mapped[str] = mapped_column(String(200))


class AuditKopColumns:
    """The head of the audit chain: one row, updated first in every writing transaction, so
    that writers (threads, processes, both databases) append one after another.

    Signed at every commit that appends: entries cut off the end of the log no longer match
    the signed head, and no one without the node's key can sign a shorter one.
    """

    __tablename__ = "audit_kop"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    seq: Mapped[int] = mapped_column(Sleutel)
    hash: Mapped[str] = mapped_column(String(64))
    tijdstip: Mapped[datetime | None] = mapped_column(UtcDateTime)
    sleutel_id: Mapped[str | None] = mapped_column(String(16))
    handtekening: Mapped[str | None] = mapped_column(String(200))
    # the Merkle tree of the entries (`domain.merkle`): its root, signed with the head, and its
    # right edge (hex, comma-separated), so that appending reads no entries
    wortel: Mapped[str | None] = mapped_column(String(64))
    boom_rand: Mapped[str | None] = mapped_column(Text)


class GetuigdeKopColumns:
    """A signed head of the other node's audit log, as this node witnessed it: kept for good, so
    that the other node's log cannot be rolled back past it unnoticed (`kbi audit verify`
    there asks for these)."""

    __tablename__ = "getuigde_kop"
    __table_args__ = (UniqueConstraint("seq", "wortel"),)

    id: Mapped[int] = mapped_column(Sleutel, primary_key=True, autoincrement=True)
    seq: Mapped[int] = mapped_column(Sleutel, index=True)
    hash: Mapped[str] = mapped_column(String(64))
    wortel: Mapped[str] = mapped_column(String(64))
    tijdstip: Mapped[datetime] = mapped_column(UtcDateTime)
    sleutel_id: Mapped[str] = mapped_column(String(16))
    handtekening: Mapped[str] = mapped_column(String(200))
    ontvangen_op: Mapped[datetime] = mapped_column(UtcDateTime)
