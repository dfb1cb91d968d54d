"""Member import benchmark: synthetic VSB members into a fresh registry, time and peak memory.

Issue 12 asks for the figure of 6 000 000 members (SPEC §13 sets no goal for this import on
its own; it is the set-up of the distribution's goal). The baseline, measured in the same run
on the same file, only reads every line and decodes its JSON — the floor of any import.

    .venv/bin/python benchmarks/bench_leden.py [--count 6000000] [--database-url URL]

Runs `kbi vsb import` as a child process and samples the resident memory of it and its
parsing workers together (Linux /proc).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from bench_import import BASELINE, kind


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=6_000_000)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--database-url", help="the VSB database (default: a fresh SQLite file)")
    parser.add_argument("--data", type=Path, default=Path(tempfile.gettempdir()) / "kbi-bench")
    args = parser.parse_args()

    bin_ = Path(sys.executable).parent
    args.data.mkdir(parents=True, exist_ok=True)
    bestand = args.data / f"members-{args.count}-{args.seed}.jsonl"
    if not bestand.exists():
        print(f"generating {args.count:,} synthetic members → {bestand}", flush=True)
        subprocess.run(
            [str(bin_ / "kbi"), "synth", "members", "--count", str(args.count),
             "--seed", str(args.seed), "--out", str(bestand)],
            check=True,
        )  # fmt: skip
    with tempfile.TemporaryDirectory(prefix="kbi-bench-home-") as home:
        env = dict(os.environ, KBI_HOME=home)
        if args.database_url:
            env["KBI_VSB_DATABASE_URL"] = args.database_url
        subprocess.run([str(bin_ / "kbi"), "init"], env=env, check=True, capture_output=True)
        t_basis, rss_basis, regels = kind([sys.executable, "-c", BASELINE, str(bestand)], env)
        t_import, rss_import, _ = kind(
            [str(bin_ / "kbi"), "vsb", "import", str(bestand), "--json"], env
        )
        t_opnieuw, _, _ = kind([str(bin_ / "kbi"), "vsb", "import", str(bestand), "--json"], env)
    regels_n = int(regels.strip())
    grootte = bestand.stat().st_size / 2**20
    print(f"file: {regels_n:,} members, {grootte:.0f} MiB")
    print(f"baseline (read + decode JSON): {t_basis:.1f} s, peak {rss_basis:.0f} MiB")
    print(
        f"kbi vsb import: {t_import:.1f} s ({regels_n / t_import:,.0f} members/s, "
        f"{t_import / t_basis:.1f}× baseline), peak {rss_import:.0f} MiB"
    )
    print(f"the same file again (nothing changes): {t_opnieuw:.1f} s")


if __name__ == "__main__":
    main()
