"""Structured logs: one JSON object per line (moment, level, logger, message, node, process and
the record's own fields), and never a person: any run of 11 digits — an INSZ, written plain or
with its dots and dash — is replaced by ``[INSZ]`` before a line is written, whatever a caller
put in the message or its fields (defence in depth: the code logs types and ids, not data).

`configure` is called by `kbi serve` (and the demo) in each server process; its lines go to
standard error, or to a file (``--log-file``), which a collector (journald, Loki, …) reads.
"""

from __future__ import annotations

import logging
import os
import re
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson

# 11 digits, plain or written as YY.MM.DD-NNN.CC, not inside a longer run of digits
INSZ_PATROON = re.compile(r"(?<!\d)(?:\d{11}|\d{2}\.\d{2}\.\d{2}-\d{3}\.\d{2})(?!\d)")
GEMASKEERD = "[INSZ]"
# what a LogRecord has of its own: everything else is a field the caller passed in `extra`
_EIGEN = frozenset(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {"message", "asctime"}


def maskeer(tekst: str) -> str:
    return INSZ_PATROON.sub(GEMASKEERD, tekst)


def _veilig(waarde: Any) -> Any:
    if isinstance(waarde, str):
        return maskeer(waarde)
    if isinstance(waarde, bool | int | float) or waarde is None:
        # an INSZ as a number loses its leading zero (born 2000–2009): 10 digits or more
        return GEMASKEERD if isinstance(waarde, int) and waarde >= 10**9 else waarde
    return maskeer(str(waarde))


class JsonFormatter(logging.Formatter):
    def __init__(self, node: str | None = None) -> None:
        super().__init__()
        self.node = node

    def format(self, record: logging.LogRecord) -> str:
        regel: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": maskeer(record.getMessage()),
            "pid": record.process,
        }
        if self.node:
            regel["node"] = self.node
        for sleutel, waarde in vars(record).items():
            if sleutel not in _EIGEN and not sleutel.startswith("_"):
                regel[sleutel] = _veilig(waarde)
        if record.exc_info and record.exc_info[0] is not None:
            # the kind of failure and where, not its message: a message may carry data
            regel["exc_type"] = record.exc_info[0].__name__
        return orjson.dumps(regel).decode()


LOG_FILE_ENV = "KBI_LOG_FILE"
LOG_LEVEL_ENV = "KBI_LOG_LEVEL"
ACCESS_LOG_ENV = "KBI_ACCESS_LOG"


def configure_from_env(node: str) -> None:
    """`configure` as `kbi serve` asked it, in one of its worker processes (the environment)."""
    bestand = os.environ.get(LOG_FILE_ENV)
    configure(
        node,
        level=os.environ.get(LOG_LEVEL_ENV, "INFO"),
        bestand=Path(bestand) if bestand else None,
        toegang=os.environ.get(ACCESS_LOG_ENV) == "1",
    )


def configure(
    node: str | None,
    *,
    level: str = "INFO",
    bestand: Path | None = None,
    toegang: bool = False,
) -> None:
    """Send the package's and the server's logs as JSON lines to standard error or ``bestand``
    (appended), at ``level``; uvicorn's own errors go the same way. ``toegang``: a line per
    request (`kbi_exchange.access`: route template, method, status, milliseconds)."""
    handler: logging.Handler
    if bestand is None:
        handler = logging.StreamHandler(sys.stderr)
    else:
        bestand.parent.mkdir(parents=True, exist_ok=True)
        handler = logging.FileHandler(bestand, encoding="utf-8")
    handler.setFormatter(JsonFormatter(node))
    for naam in ("kbi_exchange", "uvicorn", "uvicorn.error"):
        logger = logging.getLogger(naam)
        logger.handlers = [handler]
        logger.setLevel(level)
        logger.propagate = False
    logging.getLogger("kbi_exchange.access").setLevel(logging.INFO if toegang else logging.WARNING)
