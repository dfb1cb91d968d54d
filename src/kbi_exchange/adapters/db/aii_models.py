"""The AII node's tables: the KBI store. Rows are only ever added (SPEC §4–§5)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from kbi_exchange.adapters.db.types import (
    AuditCheckpointColumns,
    AuditColumns,
    AuditKopColumns,
    ClientColumns,
    GebruikerColumns,
    GetuigdeKopColumns,
    IncidentColumns,
    LijstSleutelColumns,
    OntvangerColumns,
    ProtocolColumns,
    Sleutel,
    UtcDateTime,
    VerwerkerColumns,
    WebSessieColumns,
    metadata,
)


class AiiBase(DeclarativeBase):
    metadata = metadata()


class ImportRow(AiiBase):
    """One import of a dossier file: who, what, when, and what it changed."""

    __tablename__ = "kbi_import"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    bestand: Mapped[str] = mapped_column(String(255))
    sha256: Mapped[str] = mapped_column(String(64))
    door: Mapped[str] = mapped_column(String(100))
    gestart_op: Mapped[datetime] = mapped_column(UtcDateTime)
    voltooid_op: Mapped[datetime] = mapped_column(UtcDateTime)
    regels: Mapped[int]
    feiten_toegevoegd: Mapped[int]
    feiten_ingetrokken: Mapped[int]
    velden_gewijzigd: Mapped[int]
    regels_geweigerd: Mapped[int]


class PersoonRow(AiiBase):
    """Every INSZ the KBI holds a dossier for, with when this system first stored it."""

    __tablename__ = "persoon"

    insz: Mapped[str] = mapped_column(String(11), primary_key=True)
    opgenomen_op: Mapped[datetime] = mapped_column(UtcDateTime)


class FeitRow(AiiBase):
    """A fact as registered by the KBI; its content is the import format's item, as JSON."""

    __tablename__ = "feit"
    __table_args__ = (UniqueConstraint("insz", "feit_id"),)

    id: Mapped[int] = mapped_column(Sleutel, primary_key=True, autoincrement=True)
    insz: Mapped[str] = mapped_column(String(11), ForeignKey("persoon.insz"))
    feit_id: Mapped[str] = mapped_column(String(64))
    soort: Mapped[str] = mapped_column(String(32))
    inhoud: Mapped[str] = mapped_column(Text)
    geregistreerd_op: Mapped[datetime | None] = mapped_column(UtcDateTime)
    opgenomen_op: Mapped[datetime] = mapped_column(UtcDateTime)
    import_id: Mapped[str] = mapped_column(String(36), ForeignKey("kbi_import.id"))


class IntrekkingRow(AiiBase):
    """The withdrawal of a fact: a new row, the fact itself is never changed."""

    __tablename__ = "feit_intrekking"
    __table_args__ = (UniqueConstraint("insz", "feit_id"),)

    id: Mapped[int] = mapped_column(Sleutel, primary_key=True, autoincrement=True)
    insz: Mapped[str] = mapped_column(String(11), ForeignKey("persoon.insz"))
    feit_id: Mapped[str] = mapped_column(String(64))
    ingetrokken_op: Mapped[datetime] = mapped_column(UtcDateTime)
    opgenomen_op: Mapped[datetime] = mapped_column(UtcDateTime)
    import_id: Mapped[str] = mapped_column(String(36), ForeignKey("kbi_import.id"))


class VeldRow(AiiBase):
    """One recorded value of a dossier-level field (vervangen_door, overlijdensdatum, ...)."""

    __tablename__ = "dossierveld"
    __table_args__ = (Index(None, "insz", "id"),)

    id: Mapped[int] = mapped_column(Sleutel, primary_key=True, autoincrement=True)
    insz: Mapped[str] = mapped_column(String(11), ForeignKey("persoon.insz"))
    veld: Mapped[str] = mapped_column(String(32))
    waarde: Mapped[str | None] = mapped_column(String(32))
    opgenomen_op: Mapped[datetime] = mapped_column(UtcDateTime)
    import_id: Mapped[str] = mapped_column(String(36), ForeignKey("kbi_import.id"))


class AiiGebruikerRow(GebruikerColumns, AiiBase):
    """A person on the AII node."""


class AiiWebSessieRow(WebSessieColumns, AiiBase):
    """A person's log-in on the node's web pages."""


class ClientRow(ClientColumns, AiiBase):
    """A machine client of the advice service: its token only as a SHA-256 hash (SPEC §7)."""


class BeslissingRow(AiiBase):
    """An answer given (or a refusal), with what it rested on, so that it can be replayed."""

    __tablename__ = "beslissing"
    # the referte first: the earlier-answer lookup uses both columns without statistics (0016)
    __table_args__ = (UniqueConstraint("referte", "client"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    client: Mapped[str] = mapped_column(String(64))
    referte: Mapped[str] = mapped_column(String(36))
    vraag_sha256: Mapped[str] = mapped_column(String(64))
    insz: Mapped[str] = mapped_column(String(32))
    datum: Mapped[str] = mapped_column(String(32))
    doel: Mapped[str] = mapped_column(String(32))
    gekend_op: Mapped[datetime] = mapped_column(UtcDateTime)
    gegeven_op: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    antwoord: Mapped[str] = mapped_column(Text)
    feit_ids: Mapped[str] = mapped_column(Text)
    parameterversie: Mapped[str] = mapped_column(String(32))
    # set when the retention run removed the personal content (INSZ, answer, facts, SPEC §10)
    gewist_op: Mapped[datetime | None] = mapped_column(UtcDateTime)


class LijstRow(AiiBase):
    """A yearly list (SPEC §8) and the steps it went through, each with who and when.

    ``enig_jaar`` holds the year of the list that counts for it (`Lijst.telt_voor_jaar`: not
    replaced, and not a rectification still waiting for approval), NULL otherwise: the unique
    constraint makes a second list for a year impossible, also for two runs at once;
    ``vervangt`` is unique, so a list is rectified at most once.
    """

    __tablename__ = "lijst"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    jaar: Mapped[int] = mapped_column(index=True)
    enig_jaar: Mapped[int | None] = mapped_column(unique=True)
    vervangt: Mapped[str | None] = mapped_column(String(36), unique=True)
    status: Mapped[str] = mapped_column(String(16))
    aantal: Mapped[int]
    payload_sha256: Mapped[str] = mapped_column(String(64))
    payload: Mapped[str] = mapped_column(Text)
    gemaakt_op: Mapped[datetime] = mapped_column(UtcDateTime)
    gemaakt_door: Mapped[str] = mapped_column(String(64))
    goedgekeurd_op: Mapped[datetime | None] = mapped_column(UtcDateTime)
    goedgekeurd_door: Mapped[str | None] = mapped_column(String(64))
    vervangen_op: Mapped[datetime | None] = mapped_column(UtcDateTime)
    # the signed and encrypted file, kept from the first delivery attempt on, so that a rerun
    # sends the very same bytes (encryption is randomised) and the API serves them
    bestand_naam: Mapped[str | None] = mapped_column(String(64))
    bestand: Mapped[bytes | None] = mapped_column(LargeBinary)
    bestand_sha256: Mapped[str | None] = mapped_column(String(64))
    geleverd_op: Mapped[datetime | None] = mapped_column(UtcDateTime)
    geleverd_door: Mapped[str | None] = mapped_column(String(64))
    ontvangen_op: Mapped[datetime | None] = mapped_column(UtcDateTime)
    ontvangen_door: Mapped[str | None] = mapped_column(String(64))
    ontvangstbewijs: Mapped[bytes | None] = mapped_column(LargeBinary)
    # set when the retention run removed the INSZ (payload and file) after F2 ended (SPEC §10)
    gewist_op: Mapped[datetime | None] = mapped_column(UtcDateTime)


class LijstSleutelRow(LijstSleutelColumns, AiiBase):
    """A person on a list whose payload retention removed, by the keyed hash of the number."""


class AuditRow(AuditColumns, AiiBase):
    """An entry of the AII node's audit log."""


class AuditCheckpointRow(AuditCheckpointColumns, AiiBase):
    """A signed checkpoint of the AII node's audit chain."""


class AuditKopRow(AuditKopColumns, AiiBase):
    """The head of the AII node's audit chain."""


class ProtocolGebeurtenisRow(ProtocolColumns, AiiBase):
    """A step in the protocol's life recorded at AII (suspension, notice, end, a lapse)."""


class MeldingRow(AiiBase):
    """A data-quality report of VSB about one person's data (art. 7), and what AII did."""

    __tablename__ = "melding"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    insz: Mapped[str] = mapped_column(String(11), index=True)
    omschrijving: Mapped[str] = mapped_column(Text)
    referte: Mapped[str | None] = mapped_column(String(36))
    gemeld_door: Mapped[str] = mapped_column(String(64))
    gemeld_op: Mapped[datetime] = mapped_column(UtcDateTime)
    status: Mapped[str] = mapped_column(String(16), index=True)
    import_id: Mapped[str | None] = mapped_column(String(36))
    gecorrigeerd_op: Mapped[datetime | None] = mapped_column(UtcDateTime)
    gecorrigeerd_door: Mapped[str | None] = mapped_column(String(100))
    bevinding: Mapped[str | None] = mapped_column(Text)
    gesloten_op: Mapped[datetime | None] = mapped_column(UtcDateTime)
    gesloten_door: Mapped[str | None] = mapped_column(String(100))


class RectificatieRow(AiiBase):
    """A result a correction changed: an F1 answer (for the client that asked) or an F2 list
    entry; ``seq`` orders them for the client that fetches its own. A record can be rectified
    again by a later correction (corrections run one at a time, see `herbeoordeel`)."""

    __tablename__ = "rectificatie"
    __table_args__ = (Index(None, "beslissing_id"), Index(None, "lijst_id", "insz"))

    seq: Mapped[int] = mapped_column(Sleutel, primary_key=True, autoincrement=True)
    id: Mapped[str] = mapped_column(String(36), unique=True)
    melding_id: Mapped[str] = mapped_column(String(36), ForeignKey("melding.id"))
    stroom: Mapped[str] = mapped_column(String(4))
    client: Mapped[str] = mapped_column(String(64), index=True)
    gemaakt_op: Mapped[datetime] = mapped_column(UtcDateTime)
    insz: Mapped[str] = mapped_column(String(11))
    referte: Mapped[str | None] = mapped_column(String(36))
    beslissing_id: Mapped[str | None] = mapped_column(String(36))
    datum: Mapped[date | None] = mapped_column(Date)
    gekend_op: Mapped[datetime | None] = mapped_column(UtcDateTime)
    feit_ids: Mapped[str] = mapped_column(Text)
    oud: Mapped[str | None] = mapped_column(Text)
    nieuw: Mapped[str | None] = mapped_column(Text)
    jaar: Mapped[int | None]
    lijst_id: Mapped[str | None] = mapped_column(String(36))
    op_lijst: Mapped[bool | None]


class IncidentRow(IncidentColumns, AiiBase):
    """An incident of this node's party, or of the other party as it notified it."""


class VerwerkerRow(VerwerkerColumns, AiiBase):
    """A processor of this node's party (art. 6)."""


class OntvangerRow(OntvangerColumns, AiiBase):
    """A recipient other than a zorgkas (art. 4): as VSB notified it."""


class GetuigdeKopRow(GetuigdeKopColumns, AiiBase):
    """A signed head of VSB's audit log, witnessed here."""
