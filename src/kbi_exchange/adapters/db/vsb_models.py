"""The VSB node's tables. VSB is a separate controller: its own database, never AII's."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, Date, ForeignKey, Index, LargeBinary, String, Text, text
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


class VsbBase(DeclarativeBase):
    metadata = metadata()


class VsbGebruikerRow(GebruikerColumns, VsbBase):
    """A person on the VSB node."""


class VsbWebSessieRow(WebSessieColumns, VsbBase):
    """A person's log-in on the node's web pages."""


class VsbLijstRow(VsbBase):
    """A yearly list VSB received (SPEC §8.6), verified before it was stored.

    One list per year as on the AII side: ``enig_jaar`` is unique and moves to an approved
    rectification (``vervangt``) when it arrives. The id is AII's lijst-id: a replay is
    recognised by it, not by the file's bytes.
    """

    __tablename__ = "lijst"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    jaar: Mapped[int] = mapped_column(index=True)
    enig_jaar: Mapped[int | None] = mapped_column(unique=True)
    vervangt: Mapped[str | None] = mapped_column(String(36), unique=True)
    status: Mapped[str] = mapped_column(String(16))
    aantal: Mapped[int]
    gemaakt_op: Mapped[datetime] = mapped_column(UtcDateTime)
    bestand_naam: Mapped[str] = mapped_column(String(64))
    bestand_sha256: Mapped[str] = mapped_column(String(64))
    payload_sha256: Mapped[str] = mapped_column(String(64))
    ontvangen_op: Mapped[datetime] = mapped_column(UtcDateTime)
    ontvangen_door: Mapped[str] = mapped_column(String(64))
    # the receipt as sent (SPEC §8.6); NULL until it is in the mailbox, so a rerun sends it
    ontvangstbewijs_naam: Mapped[str | None] = mapped_column(String(64))
    ontvangstbewijs: Mapped[bytes | None] = mapped_column(LargeBinary)
    ontvangstbewijs_verstuurd: Mapped[bool] = mapped_column(default=False)
    vervangen_op: Mapped[datetime | None] = mapped_column(UtcDateTime)
    # distributed to the zorgkassen: from then on only the listed members who had VT on
    # 1 January are kept (SPEC §10), the rest counted
    verdeeld_op: Mapped[datetime | None] = mapped_column(UtcDateTime)


class VsbLijstInszRow(VsbBase):
    """One INSZ on a received list: kept until the person's death (SPEC §10)."""

    __tablename__ = "lijst_insz"

    lijst_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("lijst.id", ondelete="CASCADE"), primary_key=True
    )
    insz: Mapped[str] = mapped_column(String(11), primary_key=True, index=True)


class VsbLijstSleutelRow(LijstSleutelColumns, VsbBase):
    """A listed person let go after the distribution (no member, or no VT then), by the keyed
    hash of the number: the list still counts for them if they turn out a member with VT."""


class LedenImportRow(VsbBase):
    """One import of the member registry (SPEC §6): the file, who, when, and what it changed."""

    __tablename__ = "leden_import"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    bestand: Mapped[str] = mapped_column(String(255))
    sha256: Mapped[str] = mapped_column(String(64))
    door: Mapped[str] = mapped_column(String(100))
    gestart_op: Mapped[datetime] = mapped_column(UtcDateTime)
    voltooid_op: Mapped[datetime] = mapped_column(UtcDateTime)
    regels: Mapped[int]
    leden_nieuw: Mapped[int]
    leden_gewijzigd: Mapped[int]
    leden_ongewijzigd: Mapped[int]
    regels_geweigerd: Mapped[int]


class LidRow(VsbBase):
    """A member as VSB knows them now: the hash of their current version, so that a line that
    changes nothing writes nothing."""

    __tablename__ = "lid"

    insz: Mapped[str] = mapped_column(String(11), primary_key=True)
    inhoud_sha256: Mapped[str] = mapped_column(String(64))


class LidVersieRow(VsbBase):
    """Every version of a member, by recording time: a line replaces what VSB knew of the
    member, and what it knew before stays (kept until the person's death, SPEC §10)."""

    __tablename__ = "lid_versie"
    __table_args__ = (Index(None, "insz", "id"),)

    id: Mapped[int] = mapped_column(Sleutel, primary_key=True, autoincrement=True)
    insz: Mapped[str] = mapped_column(String(11), ForeignKey("lid.insz"))
    inhoud: Mapped[str] = mapped_column(Text)
    opgenomen_op: Mapped[datetime] = mapped_column(UtcDateTime)
    import_id: Mapped[str] = mapped_column(String(36), ForeignKey("leden_import.id"))


class AanvraagRow(VsbBase):
    """A care-budget application (SPEC §9) with AII's answer and the decision on it; kept
    until 5 years after the end of the zorgbudget, or after the refusal (SPEC §10)."""

    __tablename__ = "aanvraag"
    __table_args__ = (Index(None, "zorgkas", "aangemaakt_op"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    insz: Mapped[str] = mapped_column(String(11), index=True)
    opening: Mapped[date] = mapped_column(Date)
    zorgkas: Mapped[str] = mapped_column(String(8))
    status: Mapped[str] = mapped_column(String(16), index=True)
    aangemaakt_op: Mapped[datetime] = mapped_column(UtcDateTime)
    aangemaakt_door: Mapped[str] = mapped_column(String(100))
    referte: Mapped[str | None] = mapped_column(String(36), unique=True)
    niet_gevraagd: Mapped[str | None] = mapped_column(String(24))
    advies: Mapped[str | None] = mapped_column(String(3))
    reden_code: Mapped[str | None] = mapped_column(String(40))
    reden_omschrijving: Mapped[str | None] = mapped_column(Text)
    uitzonderingen: Mapped[str] = mapped_column(Text, default="[]")
    pogingen: Mapped[int] = mapped_column(default=0)
    gevraagd_op: Mapped[datetime | None] = mapped_column(UtcDateTime)
    beslist_op: Mapped[datetime | None] = mapped_column(UtcDateTime)
    einde: Mapped[date | None] = mapped_column(Date)
    einde_reden: Mapped[str | None] = mapped_column(String(200))
    bewaren_tot: Mapped[date | None] = mapped_column(Date, index=True)


class ZendingRow(VsbBase):
    """One zorgkas's part of a yearly list (SPEC §9): the signed and encrypted file as sent,
    stored and audited before it goes to the mailbox; ``verzonden`` once it is there."""

    __tablename__ = "zending"
    __table_args__ = (Index(None, "zorgkas", "jaar"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    lijst_id: Mapped[str] = mapped_column(String(36), ForeignKey("lijst.id"))
    jaar: Mapped[int]
    zorgkas: Mapped[str] = mapped_column(String(8))
    aantal: Mapped[int]
    gemaakt_op: Mapped[datetime] = mapped_column(UtcDateTime)
    door: Mapped[str] = mapped_column(String(100))
    bestand_naam: Mapped[str] = mapped_column(String(80), unique=True)
    bestand: Mapped[bytes] = mapped_column(LargeBinary)
    bestand_sha256: Mapped[str] = mapped_column(String(64))
    verzonden_op: Mapped[datetime | None] = mapped_column(UtcDateTime, index=True)
    # first taken by the zorgkas over the API: its content goes at the next retention run
    gedownload_op: Mapped[datetime | None] = mapped_column(UtcDateTime)


class VerdelingRow(VsbBase):
    """Which listed INSZ went to which zorgkas in which file, per list year: ``huidig`` marks
    the zorgkas that has them now (one per INSZ and year), so that a rerun sends nothing twice
    and a member who moved is forwarded; the earlier rows say who received what (SPEC §11;
    kept until death, SPEC §10)."""

    __tablename__ = "verdeling"
    __table_args__ = (
        Index(None, "zorgkas", "jaar", "huidig"),
        Index(None, "insz"),
        # one zorgkas has a member of a year's list at a time: two runs at once cannot both
        # send them (the second is refused whole)
        Index(
            "uq_verdeling_huidig",
            "jaar",
            "insz",
            unique=True,
            sqlite_where=text("huidig"),
            postgresql_where=text("huidig"),
        ),
    )

    jaar: Mapped[int] = mapped_column(primary_key=True)
    insz: Mapped[str] = mapped_column(String(11), primary_key=True)
    zending_id: Mapped[str] = mapped_column(String(36), ForeignKey("zending.id"), primary_key=True)
    zorgkas: Mapped[str] = mapped_column(String(8))
    huidig: Mapped[bool]


class VsbClientRow(ClientColumns, VsbBase):
    """A machine client of the VSB node's zorgkas API, bound to one zorgkas."""

    zorgkas: Mapped[str] = mapped_column(String(8))


class VsbAuditRow(AuditColumns, VsbBase):
    """An entry of the VSB node's audit log (SPEC §11): VSB is a controller of its own."""


class VsbAuditCheckpointRow(AuditCheckpointColumns, VsbBase):
    """A signed checkpoint of the VSB node's audit chain."""


class VsbAuditKopRow(AuditKopColumns, VsbBase):
    """The head of the VSB node's audit chain."""


class VsbProtocolGebeurtenisRow(ProtocolColumns, VsbBase):
    """A step in the protocol's life as VSB records it (a lapsed legal basis binds VSB too)."""


class VsbMeldingRow(VsbBase):
    """A data-quality report VSB sent AII (art. 7), under AII's id, with AII's finding."""

    __tablename__ = "melding"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    insz: Mapped[str] = mapped_column(String(11), index=True)
    omschrijving: Mapped[str] = mapped_column(Text)
    aanvraag_id: Mapped[str | None] = mapped_column(String(36))
    referte: Mapped[str | None] = mapped_column(String(36))
    gemeld_op: Mapped[datetime] = mapped_column(UtcDateTime)
    gemeld_door: Mapped[str] = mapped_column(String(100))
    status: Mapped[str] = mapped_column(String(16))
    vervalt_op: Mapped[datetime] = mapped_column(UtcDateTime)
    bevinding: Mapped[str | None] = mapped_column(Text)
    gesloten_op: Mapped[datetime | None] = mapped_column(UtcDateTime)
    # NULL: recorded at VSB, not yet taken by AII (`report fetch` sends it again, same id)
    verstuurd_op: Mapped[datetime | None] = mapped_column(UtcDateTime)


class VsbRectificatieRow(VsbBase):
    """A rectification of an answer received from AII, and what VSB did with it."""

    __tablename__ = "rectificatie"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    seq: Mapped[int] = mapped_column(BigInteger, index=True)
    melding_id: Mapped[str] = mapped_column(String(36))
    referte: Mapped[str | None] = mapped_column(String(36))
    aanvraag_id: Mapped[str | None] = mapped_column(String(36))
    oud: Mapped[str] = mapped_column(Text)
    nieuw: Mapped[str] = mapped_column(Text)
    ontvangen_op: Mapped[datetime] = mapped_column(UtcDateTime)
    uitkomst: Mapped[str] = mapped_column(String(24))


class ZorgkasBerichtRow(VsbBase):
    """A message to one zorgkas about what changed for one of its members (a rectified
    decision, a member taken off a list), read over the zorgkas API."""

    __tablename__ = "zorgkas_bericht"
    __table_args__ = (Index(None, "zorgkas", "gemaakt_op"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    zorgkas: Mapped[str] = mapped_column(String(8))
    soort: Mapped[str] = mapped_column(String(24))
    aanvraag_id: Mapped[str | None] = mapped_column(String(36))
    inhoud: Mapped[str] = mapped_column(Text)
    gemaakt_op: Mapped[datetime] = mapped_column(UtcDateTime)


class VsbIncidentRow(IncidentColumns, VsbBase):
    """An incident of this node's party, or of the other party as it notified it."""


class VsbVerwerkerRow(VerwerkerColumns, VsbBase):
    """A processor of this node's party (art. 6)."""


class VsbOntvangerRow(OntvangerColumns, VsbBase):
    """A recipient other than a zorgkas (art. 4): VSB's register."""


class VsbGetuigdeKopRow(GetuigdeKopColumns, VsbBase):
    """A signed head of AII's audit log, witnessed here."""
