"""A unit of work on one node's database: one transaction, committed once; one class per node."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any, Literal, Self

from sqlalchemy import Engine, Table
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from kbi_exchange.adapters.db.aanvragen_store import SqlAanvragen
from kbi_exchange.adapters.db.aii_models import IncidentRow, OntvangerRow, VerwerkerRow
from kbi_exchange.adapters.db.audit_store import AII_AUDIT, VSB_AUDIT, SqlAudit
from kbi_exchange.adapters.db.beslissingen_store import SqlBeslissingen
from kbi_exchange.adapters.db.bewaring_store import SqlBewaring
from kbi_exchange.adapters.db.clients_store import SqlClients
from kbi_exchange.adapters.db.driver import voeg_dicts_toe
from kbi_exchange.adapters.db.incident_store import SqlIncidenten
from kbi_exchange.adapters.db.kbi_store import SqlKbi
from kbi_exchange.adapters.db.kwaliteit_store import SqlMeldingen, SqlRectificaties
from kbi_exchange.adapters.db.leden_store import SqlLeden
from kbi_exchange.adapters.db.lijsten_store import SqlLijsten
from kbi_exchange.adapters.db.protocol_store import SqlProtocol
from kbi_exchange.adapters.db.registers_store import SqlRegisters
from kbi_exchange.adapters.db.users_store import SqlGebruikers
from kbi_exchange.adapters.db.vsb_kwaliteit_store import (
    SqlVsbMeldingen,
    SqlVsbRectificaties,
    SqlZorgkasBerichten,
)
from kbi_exchange.adapters.db.vsb_lijsten_store import SqlOntvangenLijsten
from kbi_exchange.adapters.db.vsb_models import (
    VsbIncidentRow,
    VsbOntvangerRow,
    VsbProtocolGebeurtenisRow,
    VsbVerwerkerRow,
)
from kbi_exchange.adapters.db.zendingen_store import SqlZendingen
from kbi_exchange.adapters.passwords import ARGON2, Argon2Passwords
from kbi_exchange.domain.access import Node
from kbi_exchange.domain.audit import Verstrekking, verstrekkingen
from kbi_exchange.domain.fouten import Conflict
from kbi_exchange.services.ports import AuditKeys


class _SqlUnitOfWork:
    """Repositories of one node within one transaction; rolled back unless committed. What
    both nodes hold is here; `SqlAiiUnitOfWork` and `SqlVsbUnitOfWork` add their own, so
    that the type checker refuses one node's unit of work in the other's use case."""

    node: Node

    def __init__(self, engine: Engine, sleutels: AuditKeys) -> None:
        self.engine = engine
        self.sleutels = sleutels  # the audit log's: kept beside, never in, the database

    def __enter__(self) -> Self:
        self.session = Session(self.engine, expire_on_commit=False)
        self.gebruikers = SqlGebruikers(self.session, self.node)
        self._audit: SqlAudit | None = None
        self._later: list[tuple[Table, dict[str, Any]]] = []
        return self

    def later(self, tabel: Table, rij: dict[str, Any]) -> None:
        """Insert this row at commit, with the others, to keep write transactions short."""
        self._later.append((tabel, rij))

    @property
    def wachtwoorden(self) -> Argon2Passwords:
        """How this node's people's passwords are hashed and checked."""
        return ARGON2

    @property
    def protocol(self) -> SqlProtocol:
        """The protocol's recorded life: AII's record (it suspends and ends the protocol), or
        VSB's own (a lapsed legal basis binds VSB too, SPEC §10, §12)."""
        if self.node is Node.VSB:
            return SqlProtocol(self.session, VsbProtocolGebeurtenisRow)
        return SqlProtocol(self.session)

    @property
    def incidenten(self) -> SqlIncidenten:
        """This node's incidents: its own and those the other party notified."""
        return SqlIncidenten(self.session, VsbIncidentRow if self.node is Node.VSB else IncidentRow)

    @property
    def registers(self) -> SqlRegisters:
        """This node's registers: processors; recipients other than a zorgkas."""
        if self.node is Node.VSB:
            return SqlRegisters(self.session, VsbVerwerkerRow, VsbOntvangerRow)
        return SqlRegisters(self.session, VerwerkerRow, OntvangerRow)

    @property
    def bewaring(self) -> SqlBewaring:
        """What the retention run finds and removes on this node."""
        return SqlBewaring(self.session, self.node)

    @property
    def clients(self) -> SqlClients:
        """The machine clients of this node's web service (at VSB: of the zorgkas API)."""
        return SqlClients(self.session, vsb=self.node is Node.VSB)

    @property
    def audit(self) -> SqlAudit:
        """The audit log of this node."""
        if self._audit is None:
            tabellen = AII_AUDIT if self.node is Node.AII else VSB_AUDIT
            self._audit = SqlAudit(self.session, tabellen, self.sleutels)
        return self._audit

    def __exit__(self, *exc: object) -> None:
        self.session.rollback()
        self.session.close()

    def commit(self) -> None:
        """Write what waits (rows, then audit entries), then commit: all or nothing."""
        if self._later:
            verbinding = self.session.connection()
            for tabel in dict.fromkeys(t for t, _ in self._later):
                voeg_dicts_toe(verbinding, tabel, [r for t, r in self._later if t is tabel])
            self._later = []
        try:
            if self._audit is not None:
                self._audit.spoel()
            self.session.commit()
        except IntegrityError as fout:  # a uniqueness the data keeps: another run was first
            raise Conflict(str(fout.orig.__class__.__name__)) from fout


class SqlAiiUnitOfWork(_SqlUnitOfWork):
    """The AII node's unit of work: the KBI, decision records, lists, data quality."""

    node: Literal[Node.AII] = Node.AII

    @property
    def kbi(self) -> SqlKbi:
        return SqlKbi(self.session)

    @property
    def lijsten(self) -> SqlLijsten:
        """The yearly lists AII made (VSB keeps its own received ones)."""
        return SqlLijsten(self.session)

    @property
    def meldingen(self) -> SqlMeldingen:
        """Data-quality reports received from VSB."""
        return SqlMeldingen(self.session)

    @property
    def rectificaties(self) -> SqlRectificaties:
        """The rectifications a correction gave rise to."""
        return SqlRectificaties(self.session)

    @property
    def beslissingen(self) -> SqlBeslissingen:
        """The advice service's decision records."""
        return SqlBeslissingen(self.session, self.later)

    @property
    def verstrekkingen(self) -> _AiiVerstrekkingen:
        """The disclosures of the lists a person is on."""
        return _AiiVerstrekkingen(self)


class SqlVsbUnitOfWork(_SqlUnitOfWork):
    """The VSB node's unit of work: members, applications, received lists and their
    distribution, data quality as VSB sees it."""

    node: Literal[Node.VSB] = Node.VSB

    @property
    def ontvangen_lijsten(self) -> SqlOntvangenLijsten:
        """The yearly lists VSB received."""
        return SqlOntvangenLijsten(self.session)

    @property
    def leden(self) -> SqlLeden:
        """The member registry."""
        return SqlLeden(self.session)

    @property
    def aanvragen(self) -> SqlAanvragen:
        """The care-budget applications."""
        return SqlAanvragen(self.session)

    @property
    def vsb_meldingen(self) -> SqlVsbMeldingen:
        """The reports VSB sent to AII."""
        return SqlVsbMeldingen(self.session)

    @property
    def vsb_rectificaties(self) -> SqlVsbRectificaties:
        """The rectifications VSB received and applied."""
        return SqlVsbRectificaties(self.session)

    @property
    def berichten(self) -> SqlZorgkasBerichten:
        """The messages to the zorgkassen."""
        return SqlZorgkasBerichten(self.session)

    @property
    def zendingen(self) -> SqlZendingen:
        """The lists' distribution to the zorgkassen."""
        return SqlZendingen(self.session)

    @property
    def verstrekkingen(self) -> _VsbVerstrekkingen:
        """The disclosures of the lists, files, applications and messages a person is in."""
        return _VsbVerstrekkingen(self)


class _AiiVerstrekkingen:
    """`Verstrekkingen` from AII's lists."""

    def __init__(self, werk: SqlAiiUnitOfWork) -> None:
        self.werk = werk

    def met_insz(self, insz: str, sleutels: Collection[str] = ()) -> list[Verstrekking]:
        return verstrekkingen(lijsten=self.werk.lijsten.met_insz(insz, sleutels))


class _VsbVerstrekkingen:
    """`Verstrekkingen` from VSB's received lists, files, applications and messages."""

    def __init__(self, werk: SqlVsbUnitOfWork) -> None:
        self.werk = werk

    def met_insz(self, insz: str, sleutels: Collection[str] = ()) -> list[Verstrekking]:
        aanvragen = [a.id for a in self.werk.aanvragen.alle(insz=insz)]
        return verstrekkingen(
            ontvangen=self.werk.ontvangen_lijsten.met_insz(insz, sleutels),
            zendingen=self.werk.zendingen.met_insz(insz),
            aanvragen=aanvragen,
            berichten=self.werk.berichten.over(insz, aanvragen),
        )
