"""Page benchmark (issue 22): how fast the AII node's pages answer a logged-in person.

Starts `kbi serve --node aii` on a fresh home with synthetic dossiers and a person of each AII
role, logs in through the form, and drives each page with wrk (8 connections, each request
with the session cookie): requests per second, median and p99, beside the same server's
trivial endpoint (`GET /api/v1/live`) measured in the same run as the ceiling.

    .venv/bin/python benchmarks/bench_paginas.py [--dossiers 20000] [--seconds 5]

Every request is a real page: the session read from the database, the use case called with
the person as actor (and, where the use case audits, its audit entry written), the template
rendered. There is no pass mark in SPEC §13 for pages; the figure goes in the issue's note.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import httpx

from bench_advies import meet, wrk_pad

WACHTWOORD = "correct horse battery"
MENSEN = (("olga", "aii-operator"), ("dora", "aii-dpo"))


def log_in(basis: str, naam: str) -> str:
    """The session cookie's value after the log-in form, as a browser gets it."""
    with httpx.Client(base_url=basis) as client:
        pagina = client.get("/login")
        token = pagina.text.split('name="csrf" value="', 1)[1].split('"', 1)[0]
        antwoord = client.post(
            "/login",
            data={"csrf": token, "naam": naam, "wachtwoord": WACHTWOORD, "volgende": "/start"},
        )
        if antwoord.status_code != 303:
            sys.exit(f"log-in as {naam} failed: {antwoord.status_code}")
        return str(antwoord.cookies["kbi_sessie"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dossiers", type=int, default=20_000)
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--port", type=int, default=18_090)
    args = parser.parse_args()
    wrk = wrk_pad()
    kbi = str(Path(sys.executable).parent / "kbi")
    with tempfile.TemporaryDirectory(prefix="kbi-bench-paginas-") as home:
        env = dict(os.environ, KBI_HOME=home, KBI_PASSWORD=WACHTWOORD)
        env.pop("KBI_AII_DATABASE_URL", None)

        def kbi_(*opdracht: str) -> None:
            subprocess.run([kbi, *opdracht], env=env, check=True, capture_output=True)

        kbi_("init")
        bestand = Path(home) / "dossiers.jsonl"
        kbi_(
            "synth", "dossiers", "--count", str(args.dossiers), "--seed", "5", "--out", str(bestand)
        )
        kbi_("aii", "import", str(bestand))
        for naam, rol in MENSEN:
            kbi_("users", "add", naam, "--node", "aii", "--role", rol)
        with bestand.open(encoding="utf-8") as regels:
            insz = str(json.loads(next(regels))["insz"])
        server = subprocess.Popen(
            [kbi, "serve", "--node", "aii", "--port", str(args.port)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        basis = f"http://127.0.0.1:{args.port}"
        resultaten: list[tuple[str, dict[str, float]]] = []
        try:
            for _ in range(100):
                try:
                    urllib.request.urlopen(f"{basis}/api/v1/live", timeout=1)  # noqa: S310
                    break
                except OSError:
                    time.sleep(0.1)
            koekjes = {naam: log_in(basis, naam) for naam, _ in MENSEN}
            resultaten.append(
                ("/api/v1/live (ceiling)", meet(wrk, f"{basis}/api/v1/live", args.seconds, None, 8))
            )
            paginas: list[tuple[str | None, str]] = [
                (None, "/protocol"),
                ("olga", "/start"),
                ("olga", f"/aii/dossiers?insz={insz}&datum=2025-06-01"),
                ("olga", "/aii/lijsten"),
                ("dora", "/incidenten"),
            ]
            for wie, pad in paginas:
                script = Path(home) / "koekje.lua"
                koek = f'wrk.headers["Cookie"] = "kbi_sessie={koekjes[wie]}"' if wie else ""
                script.write_text(koek + "\n", encoding="utf-8")
                resultaten.append(
                    (f"{pad.split('?')[0]} ({wie or 'no log-in'})",
                     meet(wrk, f"{basis}{pad}", args.seconds, script, 8))
                )  # fmt: skip
        finally:
            server.terminate()
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()
    plafond = resultaten[0][1]["per_seconde"]
    print(
        f"kbi serve --node aii (1 process, SQLite), {args.dossiers} dossiers; "
        f"wrk -t2 -c8, {args.seconds} s a page"
    )
    print(f"{'page':<34} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'× ceiling':>10}")
    for naam, r in resultaten:
        print(
            f"{naam:<34} {r['per_seconde']:>8.0f} {r.get('P50_US', 0) / 1000:>8.1f} "
            f"{r.get('P99_US', 0) / 1000:>8.1f} {r['per_seconde'] / plafond:>10.2f}"
        )
    mediaan = sorted(r.get("P50_US", 0) for n, r in resultaten[1:])[len(resultaten[1:]) // 2]
    print(f"median page time (median of the pages' p50 at 8 connections): {mediaan / 1000:.1f} ms")


if __name__ == "__main__":
    main()
