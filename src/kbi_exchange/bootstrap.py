"""Wiring a home: settings, engines and migrated databases for the nodes present."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Literal, overload

from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

from kbi_exchange.adapters.aii_client import AiiClient, CircuitBreaker
from kbi_exchange.adapters.crypto.pki import Pki, maak_ontwikkel_pki
from kbi_exchange.adapters.crypto.vault import CmsVault
from kbi_exchange.adapters.db.engine import maak_engine
from kbi_exchange.adapters.db.migrate import is_actueel, migreer
from kbi_exchange.adapters.db.uow import SqlAiiUnitOfWork, SqlVsbUnitOfWork
from kbi_exchange.adapters.getuige import Getuige
from kbi_exchange.adapters.group_commit import GroupHandler, ProcessWriter, commit_groups
from kbi_exchange.adapters.keys import Keys
from kbi_exchange.adapters.mailbox import Mailbox
from kbi_exchange.adapters.party_messenger import INCIDENTEN, ONTVANGERS, PartyMessenger
from kbi_exchange.domain.access import Node
from kbi_exchange.domain.bewaring import Bewaartermijnen
from kbi_exchange.domain.fouten import Conflict
from kbi_exchange.parameters import standaard_parameters
from kbi_exchange.schemas import zorgkas_codes
from kbi_exchange.services.advies import Opdracht, gewicht, voer_groep_uit
from kbi_exchange.settings import (
    DEFAULT_SETTINGS,
    NietGeinitialiseerd,
    Settings,
    home_from_env,
    load_settings,
)


def init_home(home: Path | None = None) -> Settings:
    """Create the home (settings, migrated databases); rerunning it changes nothing."""
    pad = home_from_env(home)
    pad.mkdir(parents=True, exist_ok=True, mode=0o700)
    if pad.stat().st_uid == os.getuid():
        pad.chmod(0o700)  # it holds INSZ (SPEC §11): for its owner only
    bestand = pad / "settings.toml"
    if not bestand.exists():
        tijdelijk = bestand.with_suffix(".toml.tmp")
        tijdelijk.write_text(DEFAULT_SETTINGS, encoding="utf-8")
        os.replace(tijdelijk, bestand)
    settings = load_settings(pad)
    for node in Node:
        migreer(engine(settings.database_url(node)), node.value)
        keys(settings, node).create()
    Mailbox(settings.mailbox_folder).create([stam for stam, _ in pki_partijen(settings)])
    if settings.environment == "development":
        maak_ontwikkel_pki(
            settings.home / settings.pki_folder,
            pki_partijen(settings),
            nu=datetime.now(UTC) - timedelta(hours=1),  # a little slack for clock skew
        )
    return settings


def pki_partijen(settings: Settings) -> list[tuple[str, str]]:
    """Each party's certificate file stem and common name: AII, VSB and the zorgkassen."""
    return [
        ("aii", settings.aii_identification),
        ("vsb", settings.vsb_identification),
        *((f"zorgkas-{code}", f"Zorgkas {code}") for code in sorted(zorgkas_codes())),
    ]


def mailbox(settings: Settings) -> Mailbox:
    """The exchange mailbox in the home; routing happens at once (the embedded set-up)."""
    return Mailbox(settings.mailbox_folder)


def pki(settings: Settings) -> Pki:
    """The certificates and keys the settings point at."""
    return Pki(settings.pki_file)


def vault(settings: Settings, node: Node) -> CmsVault:
    """A node's party's CMS: its own key and certificate, the others' certificates."""
    return CmsVault(pki(settings), node.value)


_KEYS: dict[tuple[Path, Node], Keys] = {}


def keys(settings: Settings, node: Node = Node.AII) -> Keys:
    """A node's keys, kept in the home beside (never in) its database: one object per home
    and node for the life of the process, so that they are read once and a rotation made
    here is seen by every unit of work after it."""
    sleutel = (settings.home, node)
    if sleutel not in _KEYS:
        _KEYS[sleutel] = Keys.for_node(settings.home, node.value)
    return _KEYS[sleutel]


_ENGINES: dict[str, Engine] = {}
# Databases found at the newest schema in this process: asking Alembic again on every unit of
# work reads the migration scripts each time (milliseconds per request).
_ACTUEEL: set[str] = set()


def engine(url: str) -> Engine:
    """One engine per database URL for the life of the process."""
    if url not in _ENGINES:
        _ENGINES[url] = maak_engine(url)
    return _ENGINES[url]


def sluit_engines() -> None:
    """Close every pooled connection (tests, and before a database is dropped)."""
    while _ENGINES:
        _ENGINES.popitem()[1].dispose()
    _ACTUEEL.clear()
    _KEYS.clear()


def na_fork() -> None:
    """In a forked child: forget the parent's pooled connections without closing them.

    A connection must never be used by two processes; the parent keeps using its own.
    """
    while _ENGINES:
        _ENGINES.popitem()[1].dispose(close=False)


@overload
def uow(settings: Settings, node: Literal[Node.AII]) -> SqlAiiUnitOfWork: ...
@overload
def uow(settings: Settings, node: Literal[Node.VSB]) -> SqlVsbUnitOfWork: ...
@overload
def uow(settings: Settings, node: Node) -> SqlAiiUnitOfWork | SqlVsbUnitOfWork: ...
def uow(settings: Settings, node: Node) -> SqlAiiUnitOfWork | SqlVsbUnitOfWork:
    """A unit of work on a node's database, with its keys; refused when it is not migrated.
    The node's own class: an AII use case does not take a VSB unit of work."""
    url = settings.database_url(node)
    db = engine(url)
    if url not in _ACTUEEL and not is_actueel(db, node.value):
        raise NietGeinitialiseerd(
            f"the {node.value.upper()} database is not at the newest schema: run `kbi init` first"
        )
    _ACTUEEL.add(url)
    if node is Node.AII:
        return SqlAiiUnitOfWork(db, keys(settings, node))
    return SqlVsbUnitOfWork(db, keys(settings, node))


def messenger(settings: Settings, node: Node, pad: str = INCIDENTEN) -> PartyMessenger:
    """How this node's party notifies the other party over its API: of an incident, or with
    ``pad`` `STAPPEN` of a step in the protocol's life, `VERWERKERS` of its processors."""
    return PartyMessenger(andere_node(settings, node), pki(settings), node, pad)


def andere_node(settings: Settings, node: Node) -> str:
    """The other party's node's address, as this node reaches it."""
    return settings.aii_vsb_url if node is Node.AII else settings.vsb_aii_url


def getuige(settings: Settings, node: Node) -> Getuige:
    """The other node as witness of this node's audit log (what it witnessed)."""
    return Getuige(andere_node(settings, node), pki=pki(settings), node=node)


def ontvanger_messenger(settings: Settings) -> PartyMessenger:
    """How VSB notifies AII of a recipient other than a zorgkas (art. 4)."""
    return PartyMessenger(settings.vsb_aii_url, pki(settings), Node.VSB, ONTVANGERS)


def termijnen(settings: Settings) -> Bewaartermijnen:
    """The retention periods of the settings (SPEC §10)."""
    return Bewaartermijnen(
        respijt_dagen=settings.retention_grace_days,
        beslissingen_jaren=settings.retention_decision_records_years,
        audit_jaren=settings.retention_audit_content_years,
        onbeslist_dagen=settings.retention_undecided_application_days,
        zorgkas_bestand_dagen=settings.retention_zorgkas_file_days,
    )


def aii_uow(settings: Settings) -> SqlAiiUnitOfWork:
    """A unit of work on the AII node's database."""
    return uow(settings, Node.AII)


def advies_schrijver(settings: Settings) -> ProcessWriter:
    """The AII node's group-commit writer: the advice service's write groups, in a child."""

    def maak_afhandelaar() -> GroupHandler:
        na_fork()  # the child opens its own connections

        def groep(opdrachten: list[Opdracht]) -> list[Any]:
            with aii_uow(settings) as werk:
                uitkomsten = voer_groep_uit(
                    werk=werk,
                    opdrachten=opdrachten,
                    nu=datetime.now(UTC),
                    parameters=standaard_parameters(),
                )
                werk.commit()
            return uitkomsten

        return lambda opdrachten: commit_groups(
            groep, opdrachten, unavailable=(SQLAlchemyError, NietGeinitialiseerd, Conflict)
        )

    return ProcessWriter(maak_afhandelaar, weight=gewicht)


def database_gereed(settings: Settings, node: Node = Node.AII) -> str:
    """``ok``, ``not migrated`` or ``unavailable``: a node's database, for health reports."""
    url = settings.database_url(node)
    try:
        db = engine(url)
        with db.connect() as verbinding:
            verbinding.exec_driver_sql("SELECT 1")
        if url not in _ACTUEEL:
            if not is_actueel(db, node.value):
                return "not migrated"
            _ACTUEEL.add(url)
    except Exception:  # health reports a failure, it does not raise one
        return "unavailable"
    return "ok"


_BREAKERS: dict[tuple[str, int, float], CircuitBreaker] = {}


def aii_client(settings: Settings) -> AiiClient:
    """The VSB node's client of the AII node, with one circuit breaker per AII address for
    the life of the process (a web service remembers that AII is down between requests)."""
    sleutel = (
        settings.vsb_aii_url,
        settings.vsb_aii_breaker_failures,
        settings.vsb_aii_breaker_seconds,
    )
    breaker = _BREAKERS.get(sleutel) or _BREAKERS.setdefault(sleutel, CircuitBreaker(*sleutel[1:]))
    return AiiClient(
        settings.vsb_aii_url,
        settings.vsb_aii_token,
        timeout=settings.vsb_aii_timeout_seconds,
        pogingen=settings.vsb_aii_attempts,
        wacht=settings.vsb_aii_retry_pause_seconds,
        breaker=breaker,
    )


def werk_statistieken_bij(settings: Settings, node: Node, tabellen: tuple[str, ...]) -> None:
    """After a large import on PostgreSQL: refresh the planner's statistics of the tables it
    filled at once, instead of waiting for autovacuum (until then a lookup by INSZ is planned
    as if each number had tens of thousands of rows). SQLite needs nothing here."""
    db = engine(settings.database_url(node))
    if db.dialect.name != "postgresql":
        return
    with db.connect().execution_options(isolation_level="AUTOCOMMIT") as verbinding:
        for tabel in tabellen:
            verbinding.exec_driver_sql(f'ANALYZE "{tabel}"')
