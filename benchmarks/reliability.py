"""The reliability suite (`make reliability`, issue 23): what it tries and what was lost.

1. **kill -9 at every named step** (`kbi_exchange.crash_points.POINTS`: import, members, list
   make/approve/deliver, ingest, receipt, distribution, applications, retention): each
   long operation ended at each point with no cleanup, then run again; the tests count the
   rows, files and audit entries afterwards — nothing lost, nothing twice — on SQLite and
   PostgreSQL. (These tests also run in `make test`: that is the short form.)
2. **Fuzzing every input format**: the REST API against its OpenAPI description
   (schemathesis), SOAP, both JSON Lines imports, CMS files, settings, FTPS commands.
3. **PostgreSQL stopped and restarted under load**: a server of the test's own, stopped for
   four seconds while questions arrive (99996 at once meanwhile), then started: the node
   answers again without a restart, and every answer given was recorded and audited.
4. **A soak of flow F1** at a steady open-loop rate for ``--minutes`` (default 10) on SQLite
   and PostgreSQL: zero errors and flat memory (`benchmarks/soak_f1.py`).

    .venv/bin/python benchmarks/reliability.py [--minutes 10] [--rate 200] [--no-postgres]

Each prints what it tried; the table at the end says what was lost (nothing, or the failure).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import psycopg
from rich.console import Console
from rich.table import Table

from kbi_exchange.crash_points import POINTS

HIER = Path(__file__).parent
WORTEL = HIER.parent
PG = os.environ.get("KBI_BENCH_PG", "postgresql+psycopg://postgres@127.0.0.1:5432")

KILL = [
    "tests/integration/test_import_kill.py",
    "tests/integration/test_leden.py",
    "tests/integration/test_lijst_kill.py",
    "tests/integration/test_vsb_aanvragen.py",
    "tests/integration/test_bewaring.py",
    "tests/integration/test_api_kill.py",
]
FUZZ = [
    "tests/integration/test_api_fuzz.py",
    "tests/integration/test_api_hostile.py",
    "tests/integration/test_strikte_invoer.py",
    "tests/integration/test_soap.py",
    "tests/integration/test_mailbox_ftps.py",
    "tests/unit/test_cms.py",
]


def _pytest(bestanden: list[str], console: Console) -> tuple[str, float]:
    begin = time.monotonic()
    uit = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *bestanden],
        check=False,
        cwd=WORTEL,
        env={**os.environ, "CI": "true"},  # PostgreSQL missing is a failure, not a skip
        capture_output=True,
        text=True,
    )
    laatste = (uit.stdout.strip().splitlines() or ["(no output)"])[-1]
    console.print(laatste, markup=False)
    return ("PASS: " if uit.returncode == 0 else "FAIL: ") + laatste.strip("= "), (
        time.monotonic() - begin
    )


def _soak(minuten: float, rate: float, url: str | None, console: Console) -> tuple[str, float]:
    begin = time.monotonic()
    args = [sys.executable, str(HIER / "soak_f1.py"), "--minutes", str(minuten)]
    args += ["--rate", str(rate)] + (["--database-url", url] if url else [])
    uit = subprocess.run(args, check=False, capture_output=True, text=True)
    console.print(uit.stdout, markup=False)
    regels = [
        r for r in uit.stdout.splitlines() if r.startswith(("warm-up", "sent", "latency", "server"))
    ]
    oordeel = "PASS" if uit.returncode == 0 else "FAIL"
    return f"{oordeel}: " + "; ".join(regels), time.monotonic() - begin


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=10)
    parser.add_argument("--rate", type=float, default=200)
    parser.add_argument("--no-postgres", action="store_true")
    args = parser.parse_args()
    console = Console()
    rijen: list[tuple[str, str, float]] = []
    console.rule(f"kill -9 at every named step ({len(POINTS)} points), then rerun")
    rijen.append((f"kill -9 at {len(POINTS)} named steps, rerun", *_pytest(KILL, console)))
    console.rule("fuzzing every input format")
    rijen.append(("fuzzing (REST, SOAP, imports, CMS, FTPS)", *_pytest(FUZZ, console)))
    console.rule("PostgreSQL stopped and restarted under load")
    rijen.append(
        (
            "PostgreSQL stopped 4 s under load, restarted",
            *_pytest(["-s", "tests/integration/test_pg_herstart.py"], console),
        )
    )
    console.rule(f"soak F1 {args.minutes:g} min at {args.rate:g}/s (SQLite)")
    rijen.append(("soak F1, SQLite", *_soak(args.minutes, args.rate, None, console)))
    if not args.no_postgres:
        naam = f"kbi_soak_{uuid.uuid4().hex[:8]}"
        beheer = PG.replace("postgresql+psycopg", "postgresql") + "/postgres"
        with psycopg.connect(beheer, autocommit=True) as verbinding:
            verbinding.execute(f'CREATE DATABASE "{naam}"')
        try:
            console.rule(f"soak F1 {args.minutes:g} min at {args.rate:g}/s (PostgreSQL)")
            rijen.append(
                ("soak F1, PostgreSQL", *_soak(args.minutes, args.rate, f"{PG}/{naam}", console))
            )
        finally:
            with psycopg.connect(beheer, autocommit=True) as verbinding:
                verbinding.execute(f'DROP DATABASE IF EXISTS "{naam}" WITH (FORCE)')
    tabel = Table(title="make reliability: what was tried, and what was lost")
    for kolom in ("tried", "outcome", "wall"):
        tabel.add_column(kolom)
    for wat, uitkomst, seconden in rijen:
        tabel.add_row(wat, uitkomst, f"{seconden:.0f} s")
    console.print(tabel)
    return 0 if all(u.startswith("PASS") for _, u, _ in rijen) else 1


if __name__ == "__main__":
    raise SystemExit(main())
