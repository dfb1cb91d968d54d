"""Ingest-and-distribute benchmark: the yearly list of a KBI of synthetic dossiers, taken in at
VSB and distributed to the six zorgkassen against a registry of synthetic members.

Goal (SPEC §13, issue 12): for the list of 1 000 000 dossiers against 6 000 000 members,
`kbi vsb list ingest` plus `kbi vsb list distribute` in at most 120 s together, with at most
1 GiB peak memory (each command with its children). The baseline, measured in the same run on
the same home, is a process that only decrypts and verifies the list file and reads and
decodes the current version of every listed person's member row — the floor of the work.

    .venv/bin/python benchmarks/bench_verdeling.py [--dossiers 1000000] [--members 6000000]
        [--home DIR] [--aii-database-url URL] [--vsb-database-url URL]

Setting up is not timed and takes a while for the full size (dossiers synthesised and
imported, the list made, approved and delivered by AII, members synthesised with `--kbi`, so
that most KBI persons are members, and imported). On SQLite the VSB database is copied
before the list comes in, so that a rerun with the same `--home` measures again; on
PostgreSQL give a new `--home` and fresh databases for another run.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
from argparse import ArgumentParser
from datetime import UTC, datetime
from pathlib import Path

from bench_import import kind

DOEL_SECONDEN = 120.0
DOEL_MIB = 1024.0
WACHTWOORD = "benchmark password"
BASELINE = """
import sys, orjson
from kbi_exchange.settings import load_settings
from kbi_exchange.bootstrap import pki
from kbi_exchange.adapters.crypto import cms
from kbi_exchange.adapters.db.engine import maak_engine
from kbi_exchange.domain.lijst import lees_payload
from datetime import UTC, datetime
settings = load_settings()
p = pki(settings)
ondertekend = cms.decrypt(open(sys.argv[1], "rb").read(), p.certificaat("vsb"), p.sleutel("vsb"))
payload = cms.verify(ondertekend, ca=p.ca(), ondertekenaar=p.certificaat("aii"),
                     moment=datetime.now(UTC))
_, inszen = lees_payload(payload)
engine = maak_engine(settings.vsb_database_url)
n = 0
with engine.connect() as verbinding:
    cursor = verbinding.connection.cursor()
    plaats = "?" if verbinding.dialect.paramstyle == "qmark" else "%s"
    for start in range(0, len(inszen), 5000):
        blok = inszen[start : start + 5000]
        cursor.execute(
            "SELECT insz, inhoud FROM lid_versie WHERE insz IN (" + ",".join([plaats] * len(blok))
            + ") ORDER BY insz, id", blok)
        for _, inhoud in cursor.fetchall():
            orjson.loads(inhoud)
            n += 1
print(len(inszen), n)
"""


def _kbi(env: dict[str, str], *args: str) -> str:
    kbi = str(Path(sys.executable).parent / "kbi")
    uit = subprocess.run([kbi, *args], env=env, capture_output=True, text=True, check=False)
    if uit.returncode != 0:
        sys.exit(f"kbi {' '.join(args)} failed: {uit.stderr.strip()}")
    return uit.stdout


def _zet_op(home: Path, data: Path, dossiers: int, leden: int, env: dict[str, str]) -> Path:
    """Everything before the list reaches VSB; returns the list file (kept in the home)."""
    lijst_bestand = home / "bench-list.p7m"
    if lijst_bestand.exists():
        return lijst_bestand
    print(f"setting up {home} (not timed)…", flush=True)
    _kbi(env, "init")
    kbi_bestand = data / f"dossiers-{dossiers}-11.jsonl"
    if not kbi_bestand.exists():
        print(f"  synthesising {dossiers:,} dossiers", flush=True)
        _kbi(env, "synth", "dossiers", "--count", str(dossiers), "--seed", "11",
             "--out", str(kbi_bestand))  # fmt: skip
    print("  importing them at AII", flush=True)
    _kbi(env, "aii", "import", str(kbi_bestand))
    _kbi(env, "users", "add", "bench-maker", "--node", "aii", "--role", "aii-operator")
    _kbi(env, "users", "add", "bench-approver", "--node", "aii", "--role", "aii-approver")
    jaar = datetime.now(UTC).year
    print(f"  making, approving and delivering the list of {jaar}", flush=True)
    lijst = json.loads(
        _kbi(env, "aii", "list", "make", "--year", str(jaar), "--as", "bench-maker", "--json")
    )
    _kbi(env, "aii", "list", "approve", lijst["id"], "--as", "bench-approver")
    geleverd = json.loads(_kbi(env, "aii", "list", "deliver", lijst["id"], "--json"))
    leden_bestand = data / f"members-{leden}-11-kbi{dossiers}.jsonl"
    if not leden_bestand.exists():
        print(f"  synthesising {leden:,} members", flush=True)
        _kbi(env, "synth", "members", "--count", str(leden), "--seed", "11",
             "--kbi", str(kbi_bestand), "--out", str(leden_bestand))  # fmt: skip
    print("  importing them at VSB", flush=True)
    _kbi(env, "vsb", "import", str(leden_bestand))
    (home / "mailbox" / "vsb" / "in" / geleverd["bestand"]).rename(lijst_bestand)
    (home / "bench-year").write_text(str(jaar))
    return lijst_bestand


def main() -> None:
    parser = ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dossiers", type=int, default=1_000_000)
    parser.add_argument("--members", type=int, default=6_000_000)
    parser.add_argument("--home", type=Path, help="keep the set-up home here (default: temp)")
    parser.add_argument("--aii-database-url", help="default: SQLite in the home")
    parser.add_argument("--vsb-database-url", help="default: SQLite in the home")
    parser.add_argument("--data", type=Path, default=Path(tempfile.gettempdir()) / "kbi-bench")
    args = parser.parse_args()

    home = args.home or Path(tempfile.mkdtemp(prefix="kbi-bench-verdeling-"))
    home.mkdir(parents=True, exist_ok=True)
    args.data.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ, KBI_HOME=str(home), KBI_PASSWORD=WACHTWOORD)
    if args.aii_database_url:
        env["KBI_AII_DATABASE_URL"] = args.aii_database_url
    if args.vsb_database_url:
        env["KBI_VSB_DATABASE_URL"] = args.vsb_database_url
    lijst_bestand = _zet_op(home, args.data, args.dossiers, args.members, env)
    vsb_db = home / "vsb.db"
    kopie = home / "vsb.db.before-ingest"
    if (home / "bench-done").exists():
        if args.vsb_database_url or not kopie.exists():
            sys.exit(f"{home} was measured before (the list is in): use a new --home")
        shutil.copyfile(kopie, vsb_db)  # the VSB node as it was before the list came in
    elif not args.vsb_database_url:
        with sqlite3.connect(vsb_db) as db:  # the WAL into the file, so that a copy is whole
            db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        shutil.copyfile(vsb_db, kopie)
    jaar = (home / "bench-year").read_text().strip()

    # the baseline twice, the second counted: both it and the commands then read warm pages
    kind([sys.executable, "-c", BASELINE, str(lijst_bestand)], env)
    t_basis, rss_basis, uit = kind([sys.executable, "-c", BASELINE, str(lijst_bestand)], env)
    gelijst, rijen = (int(x) for x in uit.split())
    kbi = str(Path(sys.executable).parent / "kbi")
    t_in, rss_in, uit = kind([kbi, "vsb", "list", "ingest", str(lijst_bestand), "--json"], env)
    if json.loads(uit)["al_ontvangen"]:
        sys.exit("the list was in already: this run measured no ingest")
    t_uit, rss_uit, uit = kind([kbi, "vsb", "list", "distribute", "--year", jaar, "--json"], env)
    (home / "bench-done").write_text("measured")
    verslag = json.loads(uit)

    totaal = t_in + t_uit
    piek = max(rss_in, rss_uit)
    verzonden = sum(verslag["per_zorgkas"].values())
    print(
        f"list of {jaar} for {args.dossiers:,} dossiers: {gelijst:,} INSZ; "
        f"{args.members:,} members, {rijen:,} member rows read for the listed"
    )
    print(f"baseline (decrypt + verify + read the listed members): {t_basis:.1f} s, "
          f"peak {rss_basis:.0f} MiB")  # fmt: skip
    print(f"ingest: {t_in:.1f} s, peak {rss_in:.0f} MiB")
    print(
        f"distribute: {t_uit:.1f} s, peak {rss_uit:.0f} MiB — {verzonden:,} sent "
        f"{verslag['per_zorgkas']}, {verslag['geen_lid']:,} no member, "
        f"{verslag['zonder_vt']:,} without VT"
    )
    print(f"ingest + distribute: {totaal:.1f} s ({totaal / t_basis:.1f}× baseline)")
    geslaagd = totaal <= DOEL_SECONDEN and piek <= DOEL_MIB
    print(
        f"goal: ≤ {DOEL_SECONDEN:.0f} s and ≤ {DOEL_MIB:.0f} MiB — {'PASS' if geslaagd else 'FAIL'}"
    )


if __name__ == "__main__":
    main()
