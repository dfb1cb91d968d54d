"""Engines for either database: SQLite (WAL, embedded default) or PostgreSQL (production).

Bound parameters are never shown in errors or logs (``hide_parameters``): they hold INSZ
(SPEC §11). A new SQLite file is made readable by its owner only; SQLite gives its WAL and
shared-memory files the same permissions.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url


def maak_engine(url: str) -> Engine:
    """An engine for a node's database URL, with SQLite set up for safe concurrent use."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            _maak_privaat(Path(parsed.database))
        engine = create_engine(url, connect_args={"timeout": 30}, hide_parameters=True)

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            # 64 MiB of page cache (not the 8 MiB default): large imports and lists stay in
            # memory instead of re-reading index pages; a fixed cap, whatever the file size.
            cursor.execute("PRAGMA cache_size=-65536")
            cursor.close()

        return engine
    # No ping before each checkout: it costs a round trip per transaction, i.e. per write group
    # of the advice service. After a server restart the first use of a stale connection fails
    # (the writer answers 99996 once) and SQLAlchemy then replaces every pooled connection.
    # No JIT: every query here is a short lookup or a batch of them, for which compiling the
    # plan costs more than running it (seconds on a 6 000 000-row table whose statistics lag).
    return create_engine(url, hide_parameters=True, connect_args={"options": "-c jit=off"})


def _maak_privaat(bestand: Path) -> None:
    """Create an empty database file with mode 0600 before SQLite creates it with the umask."""
    if bestand.exists():
        return
    bestand.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    with contextlib.suppress(FileExistsError):  # another process made it a moment ago
        os.close(os.open(bestand, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600))
