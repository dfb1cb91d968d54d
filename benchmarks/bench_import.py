"""Import benchmark: synthetic KBI dossiers into a fresh store, time and peak memory.

Goal (issue 3): 1 000 000 dossiers imported in at most 3 minutes on this machine, with memory
that does not grow with the file. The baseline, measured in the same run on the same file, is
a process that only reads every line and decodes its JSON — the floor of any import.

    .venv/bin/python benchmarks/bench_import.py [--count 1000000] [--database-url URL]

Runs `kbi aii import` as a child process and samples the resident memory of it and its
parsing workers together (Linux /proc), so the peak is that of the whole import.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

DOEL_SECONDEN_PER_MILJOEN = 180.0
BASELINE = """
import sys, orjson
n = 0
with open(sys.argv[1], "rb") as f:
    for regel in f:
        orjson.loads(regel)
        n += 1
print(n)
"""


def _rss_boom(pid: int) -> int:
    """Resident memory in KiB of a process and all its descendants (Linux /proc)."""
    totaal = 0
    te_doen = [pid]
    while te_doen:
        huidig = te_doen.pop()
        try:
            status = Path(f"/proc/{huidig}/status").read_text()
            totaal += int(next(r for r in status.splitlines() if r.startswith("VmRSS:")).split()[1])
            for taak in Path(f"/proc/{huidig}/task").iterdir():
                te_doen.extend(int(c) for c in (taak / "children").read_text().split())
        except (OSError, StopIteration):
            continue
    return totaal


def kind(args: list[str], env: dict[str, str]) -> tuple[float, float, str]:
    """Run a child; wall time (s), peak RSS of it and its workers together (MiB), output."""
    begin = time.perf_counter()
    proces = subprocess.Popen(args, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    piek = 0
    while proces.poll() is None:
        piek = max(piek, _rss_boom(proces.pid))
        time.sleep(0.2)
    duur = time.perf_counter() - begin
    status = proces.returncode
    uit = proces.stdout.read().decode() if proces.stdout else ""
    fout = proces.stderr.read().decode() if proces.stderr else ""
    if status != 0:
        sys.exit(f"{args[1:3]} failed: {fout.strip()}")
    return duur, piek / 1024, uit


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--database-url", help="default: a fresh SQLite file")
    parser.add_argument("--data", type=Path, default=Path(tempfile.gettempdir()) / "kbi-bench")
    args = parser.parse_args()

    bin_ = Path(sys.executable).parent
    args.data.mkdir(parents=True, exist_ok=True)
    bestand = args.data / f"dossiers-{args.count}-{args.seed}.jsonl"
    if not bestand.exists():
        print(f"generating {args.count:,} synthetic dossiers → {bestand}", flush=True)
        subprocess.run(
            [
                str(bin_ / "kbi"),
                "synth",
                "dossiers",
                "--count",
                str(args.count),
                "--seed",
                str(args.seed),
                "--out",
                str(bestand),
            ],
            check=True,
        )
    with tempfile.TemporaryDirectory(prefix="kbi-bench-home-") as home:
        env = dict(os.environ, KBI_HOME=home)
        if args.database_url:
            env["KBI_AII_DATABASE_URL"] = args.database_url
        subprocess.run([str(bin_ / "kbi"), "init"], env=env, check=True, capture_output=True)
        t_basis, rss_basis, regels = kind([sys.executable, "-c", BASELINE, str(bestand)], env)
        t_import, rss_import, _ = kind(
            [str(bin_ / "kbi"), "aii", "import", str(bestand), "--json"], env
        )
    regels_n = int(regels.strip())
    doel = DOEL_SECONDEN_PER_MILJOEN * args.count / 1_000_000
    grootte = bestand.stat().st_size / 2**20
    print(f"file: {regels_n:,} lines for {args.count:,} persons, {grootte:.0f} MiB")
    print(f"baseline (read + decode JSON): {t_basis:.1f} s, peak {rss_basis:.0f} MiB")
    print(
        f"kbi aii import: {t_import:.1f} s ({regels_n / t_import:,.0f} lines/s, "
        f"{t_import / t_basis:.1f}× baseline), peak {rss_import:.0f} MiB"
    )
    print(f"goal: ≤ {doel:.0f} s — {'PASS' if t_import <= doel else 'FAIL'}")


if __name__ == "__main__":
    main()
