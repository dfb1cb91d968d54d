"""Every benchmark of SPEC §13 in one run (`make bench`), on SQLite and PostgreSQL, ending with
one table: each benchmark's figures as it printed them (each measures its own baseline in the
same run and prints the ratio), its verdict against its goal, its wall time and the peak memory
of its processes.

    .venv/bin/python benchmarks/run_all.py [--quick] [--only NAME ...] [--no-postgres]
    .venv/bin/python benchmarks/run_all.py --scale      # the list and distribution at 100 000,
                                                        # 1 000 000 and 3 000 000 dossiers

``--quick`` runs each at a tenth of its size (minutes instead of most of an hour: a smoke run,
not the figures the README claims). PostgreSQL is the machine's (``KBI_BENCH_PG``, default
``postgresql+psycopg://postgres@127.0.0.1:5432``): each benchmark gets a database of its own,
dropped afterwards. Each benchmark's own output is shown as it runs.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import psycopg
from rich.console import Console
from rich.table import Table

HIER = Path(__file__).parent
PG = os.environ.get("KBI_BENCH_PG", "postgresql+psycopg://postgres@127.0.0.1:5432")


@dataclass(frozen=True)
class Bench:
    naam: str
    script: str
    args: tuple[str, ...]
    snel: tuple[str, ...]  # the --quick arguments
    pg: tuple[str, ...] = ()  # its options naming a database, when it runs on PostgreSQL too


BENCHES = [
    Bench("rules", "bench_rules.py", (), ("--count", "5000", "--repeat", "2")),
    Bench("import", "bench_import.py", (), ("--count", "100000"), ("--database-url",)),
    Bench("advies F1", "bench_advies.py", (), ("--seconds", "5"), ("--database-url",)),
    Bench("list F2", "bench_lijst.py", (), ("--count", "100000"), ("--database-url",)),
    Bench("members", "bench_leden.py", (), ("--count", "600000"), ("--database-url",)),
    Bench(
        "distribution",
        "bench_verdeling.py",
        (),
        ("--dossiers", "100000", "--members", "600000"),
        ("--aii-database-url", "--vsb-database-url"),
    ),
    Bench("pages", "bench_paginas.py", (), ("--seconds", "2", "--dossiers", "5000")),
]


def _schaal() -> list[Bench]:
    """How the list and the distribution grow: 100 000, 1 000 000, 3 000 000 dossiers (the
    members stay 6 000 000, as SPEC §13 sets them)."""
    return [
        b
        for n in (100_000, 1_000_000, 3_000_000)
        for b in (
            Bench(f"list F2 ({n:,})", "bench_lijst.py", ("--count", str(n)), ()),
            Bench(f"distribution ({n:,})", "bench_verdeling.py", ("--dossiers", str(n)), ()),
        )
    ]


@contextmanager
def _databases(aantal: int) -> Iterator[list[str]]:
    namen = [f"kbi_bench_{uuid.uuid4().hex[:10]}" for _ in range(aantal)]
    beheer = PG.replace("postgresql+psycopg", "postgresql") + "/postgres"
    with psycopg.connect(beheer, autocommit=True) as verbinding:
        for naam in namen:
            verbinding.execute(f'CREATE DATABASE "{naam}"')
    try:
        yield [f"{PG}/{naam}" for naam in namen]
    finally:
        with psycopg.connect(beheer, autocommit=True) as verbinding:
            for naam in namen:
                verbinding.execute(f'DROP DATABASE IF EXISTS "{naam}" WITH (FORCE)')


@dataclass
class Uitkomst:
    naam: str
    db: str
    figuren: list[str]
    oordeel: str
    seconden: float
    piek_mib: float


FIGUUR = re.compile(r"(/s\b|\bs\b.*goal|×|MiB|ms|per second|seconds?\b)")


def _oordeel(regel: str) -> str:
    """A benchmark's verdict line: against its goal (PASS, FAIL), or against a guide where the
    goal is set at another size (within, over)."""
    if regel.startswith("guide"):
        return "within guide" if "within" in regel else "over guide"
    return "PASS" if "PASS" in regel else "FAIL"


def _draai(bench: Bench, extra: tuple[str, ...], db: str, console: Console) -> Uitkomst:
    args = [sys.executable, str(HIER / bench.script), *bench.args, *extra]
    console.rule(f"[bold]{bench.naam}[/] on {db}: {' '.join(args[1:])}")
    begin = time.monotonic()
    proces = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    regels: list[str] = []
    assert proces.stdout is not None
    for regel in proces.stdout:
        console.print(regel.rstrip("\n"), markup=False, highlight=False)
        regels.append(regel.strip())
    _, status, gebruik = os.wait4(proces.pid, 0)
    proces.returncode = os.waitstatus_to_exitcode(status)
    seconden = time.monotonic() - begin
    oordeel = next((_oordeel(r) for r in reversed(regels) if r.startswith(("goal", "guide"))), "—")
    if proces.returncode != 0:
        oordeel = f"ERROR (exit {proces.returncode})"
    figuren = [r for r in regels if not r.startswith(("goal", "guide")) and FIGUUR.search(r)][-4:]
    return Uitkomst(bench.naam, db, figuren, oordeel, seconden, gebruik.ru_maxrss / 1024)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a tenth of each size: a smoke run")
    parser.add_argument("--only", nargs="*", help="these benchmarks (by name) only")
    parser.add_argument("--no-postgres", action="store_true", help="SQLite only")
    parser.add_argument("--scale", action="store_true", help="the list and distribution growth")
    args = parser.parse_args()
    console = Console()
    benches = _schaal() if args.scale else BENCHES
    if args.only:
        benches = [b for b in benches if any(o in b.naam for o in args.only)]
    uitkomsten: list[Uitkomst] = []
    for bench in benches:
        snel = bench.snel if args.quick else ()
        uitkomsten.append(_draai(bench, snel, "SQLite", console))
        if bench.pg and not args.no_postgres:
            with _databases(len(bench.pg)) as urls:
                opties = tuple(x for optie, url in zip(bench.pg, urls, strict=True)
                               for x in (optie, url))  # fmt: skip
                uitkomsten.append(_draai(bench, snel + opties, "PostgreSQL", console))
    tabel = Table(title="make bench" + (" --quick (smoke run)" if args.quick else ""))
    for kolom in ("benchmark", "database", "figures (as printed, baseline in the same run)",
                  "goal", "wall", "peak RSS"):  # fmt: skip
        tabel.add_column(kolom)
    for u in uitkomsten:
        tabel.add_row(
            u.naam,
            u.db,
            "\n".join(u.figuren),
            u.oordeel,
            f"{u.seconden:.0f} s",
            f"{u.piek_mib:.0f} MiB",
        )
    console.print(tabel)
    return 1 if any(u.oordeel.startswith("ERROR") for u in uitkomsten) else 0


if __name__ == "__main__":
    raise SystemExit(main())
