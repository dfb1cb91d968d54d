"""Driver-level statements for the hot paths: where SQLAlchemy's per-row work costs most.

The advice service answers a question with two small reads and a few appended rows; the import
appends millions of rows. SQLAlchemy's per-execution and per-row processing (compiling, binding,
result metadata) cost more there than the database work itself, so these helpers hand rows in
the database's own form straight to the DBAPI cursor. Table and column names come from the
models, never from input; values are always bound parameters.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import Connection, Dialect, Select, String, Table
from sqlalchemy.types import TypeEngine

from kbi_exchange.adapters.db.types import UtcDateTime

# rows per statement on PostgreSQL: a large import's arrays stay a few megabytes
_RIJEN_PER_INSERT = 10_000
_GECOMPILEERD: dict[tuple[int, str], tuple[str, tuple[str, ...], dict[str, Any]]] = {}


def omzetter(verbinding: Connection) -> Callable[[Any], Any]:
    """The database form of a moment, as a `UtcDateTime` column stores it on this dialect."""
    dialect = verbinding.dialect
    omzet = UtcDateTime().dialect_impl(dialect).bind_processor(dialect)
    return omzet if omzet is not None else (lambda waarde: waarde)


def fetch_all(verbinding: Connection, stmt: Select[Any], **waarden: Any) -> Sequence[Any]:
    """Rows of a query with named bound parameters, as the driver returns them.

    The statement is compiled once per dialect; callers convert raw values themselves (moments
    with `types.moment_uit_db`).
    """
    dialect = verbinding.dialect
    sleutel = (id(stmt), dialect.name)
    gecompileerd = _GECOMPILEERD.get(sleutel)
    if gecompileerd is None:
        vorm = stmt.compile(dialect=dialect)
        gecompileerd = _GECOMPILEERD[sleutel] = (
            str(vorm),
            tuple(vorm.positiontup or ()),
            dict(vorm.params),  # values fixed in the statement, e.g. its LIMIT
        )
    sql, volgorde, vast = gecompileerd
    alle = {**vast, **waarden}
    cursor = verbinding.connection.cursor()
    try:
        cursor.execute(sql, tuple(alle[n] for n in volgorde) if dialect.positional else alle)
        return cursor.fetchall()
    finally:
        cursor.close()


def voeg_rijen_toe(
    verbinding: Connection, tabel: Table, kolommen: Sequence[str], rijen: list[tuple[Any, ...]]
) -> None:
    """Rows already in the database's form, values in `kolommen` order, appended in one
    statement (PostgreSQL) or one executemany (SQLite)."""
    if not rijen:
        return
    if len(kolommen) != len(rijen[0]):
        raise ValueError(f"{tabel.name}: rows do not match the columns {list(kolommen)}")
    onbekend = [k for k in kolommen if k not in tabel.c]
    if onbekend:
        raise ValueError(f"{tabel.name}: no such columns {onbekend}")
    dialect = verbinding.dialect
    kop = f"INSERT INTO {tabel.name} ({', '.join(kolommen)}) "
    if dialect.name != "postgresql":  # in-process: a statement per row costs nothing more
        plaats = "?" if dialect.paramstyle == "qmark" else "%s"
        verbinding.exec_driver_sql(f"{kop}VALUES ({', '.join(plaats for _ in kolommen)})", rijen)
        return
    # Over the network, one statement for all rows: a column each as an array. Its text depends
    # only on the columns, so the driver prepares it once (executemany sent a statement per row,
    # 5 ms for 16 rows; a VALUES list per row count was parsed anew each time). The arrays go
    # in psycopg's binary format (%b): in text, every element was escaped with a regular
    # expression, half of a write group's time in the driver.
    soorten = ", ".join(f"%b::{_array_soort(tabel.c[k].type, dialect)}[]" for k in kolommen)
    sql = f"{kop}SELECT * FROM unnest({soorten})"  # noqa: S608 - names from the models
    for start in range(0, len(rijen), _RIJEN_PER_INSERT):
        blok = rijen[start : start + _RIJEN_PER_INSERT]
        # through SQLAlchemy, so that a failure is its error (a uniqueness: IntegrityError)
        verbinding.exec_driver_sql(sql, tuple(list(kolom) for kolom in zip(*blok, strict=True)))


def _array_soort(soort: TypeEngine[Any], dialect: Dialect) -> str:
    """The element type of a column's array: a string without its length, so that a value too
    long for the column fails the insert (a cast to VARCHAR(n) would cut it silently)."""
    return "TEXT" if isinstance(soort, String) else soort.compile(dialect=dialect)


def alle_kolommen(tabel: Table) -> list[str]:
    """A table's columns in order, without an auto-incremented key."""
    return [k.name for k in tabel.columns if not (k.primary_key and k.autoincrement is True)]


def voeg_dicts_toe(verbinding: Connection, tabel: Table, rijen: list[dict[str, Any]]) -> None:
    """Rows given as dicts of Python values (all with the same keys); moments converted."""
    if not rijen:
        return
    kolommen = list(rijen[0])
    onbekend = [k for k in kolommen if k not in tabel.c]
    if onbekend:
        raise ValueError(f"{tabel.name}: no such columns {onbekend}")
    naar_db = omzetter(verbinding)
    moment = [isinstance(tabel.c[k].type, UtcDateTime) for k in kolommen]
    voeg_rijen_toe(
        verbinding,
        tabel,
        kolommen,
        [
            tuple(
                naar_db(rij[k]) if m and rij[k] is not None else rij[k]
                for k, m in zip(kolommen, moment, strict=True)
            )
            for rij in rijen
        ],
    )
