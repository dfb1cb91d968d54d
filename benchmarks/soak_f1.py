"""Soak of flow F1 at a steady open-loop rate (issue 23, `make reliability`): `kbi serve --node
aii` on a fresh home with synthetic dossiers, questions sent on a fixed schedule — each at its
moment whether or not earlier ones were answered (open loop: a slow server is not given time to
catch up, as a closed loop of N connections would), each a new referte — for a number of
minutes. Latency is counted from each question's scheduled moment, so waiting in the client
counts too. The server's memory (its process and the writer's) is sampled every few seconds.

    .venv/bin/python benchmarks/soak_f1.py [--minutes 10] [--rate 200] [--database-url URL]

Prints what it sent, what came back (by status, and transport errors), the latency
percentiles, and the memory of the first and the last minute; exits 1 on any error or when the
memory of the last minute is more than 20 % above the first's (not flat).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from pathlib import Path

import httpx

HIER = Path(__file__).parent
sys.path.insert(0, str(HIER))
from bench_advies import _home  # noqa: E402 - the same home set-up as the throughput benchmark

MAX_IN_VLUCHT = 512  # past this many unanswered questions the client counts a drop


def _rss_mib(pid: int) -> float:
    """The resident memory of a process and its children (the writer), in MiB."""
    totaal = 0
    kinderen = Path(f"/proc/{pid}/task/{pid}/children")
    pids = [pid, *(int(p) for p in kinderen.read_text().split())] if kinderen.exists() else [pid]
    for p in pids:
        try:
            for regel in Path(f"/proc/{p}/status").read_text().splitlines():
                if regel.startswith("VmRSS:"):
                    totaal += int(regel.split()[1])
        except OSError:
            continue
    return totaal / 1024


async def _soak(
    adres: str, token: str, inszen: list[str], rate: float, seconden: float, pid: int
) -> tuple[Counter[str], list[float], list[tuple[float, float]], int]:
    uitkomsten: Counter[str] = Counter()
    latenties: list[float] = []
    geheugen: list[tuple[float, float]] = []
    in_vlucht = 0
    begin = time.monotonic()
    limieten = httpx.Limits(max_connections=64, max_keepalive_connections=64)
    async with httpx.AsyncClient(
        base_url=adres,
        headers={"Authorization": f"Bearer {token}"},
        limits=limieten,
        timeout=30,
    ) as http:

        async def vraag(i: int, gepland: float) -> None:
            nonlocal in_vlucht
            in_vlucht += 1
            try:
                antwoord = await http.post(
                    "/api/v1/advies",
                    json={
                        "insz": inszen[i % len(inszen)],
                        "datum": "2025-06-01",
                        "doel": "ZORGBUDGET",
                        "referte": str(uuid.uuid4()),
                    },
                )
                uitkomsten[f"HTTP {antwoord.status_code}"] += 1
            except httpx.HTTPError as fout:
                uitkomsten[type(fout).__name__] += 1
            finally:
                in_vlucht -= 1
                latenties.append(time.monotonic() - gepland)

        taken: set[asyncio.Task[None]] = set()
        i = 0
        volgende_meting = begin
        while (nu := time.monotonic()) - begin < seconden:
            while begin + i / rate <= nu:  # every question due by now goes out now
                if in_vlucht >= MAX_IN_VLUCHT:
                    uitkomsten["dropped (client: too many unanswered)"] += 1
                else:
                    taak = asyncio.create_task(vraag(i, begin + i / rate))
                    taken.add(taak)
                    taak.add_done_callback(taken.discard)
                i += 1
            if nu >= volgende_meting:
                geheugen.append((nu - begin, _rss_mib(pid)))
                volgende_meting += 5
            await asyncio.sleep(max(0.0, min(begin + i / rate - time.monotonic(), 0.01)))
        await asyncio.gather(*taken)
    return uitkomsten, latenties, geheugen, i


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=10)
    parser.add_argument("--rate", type=float, default=200, help="questions per second")
    parser.add_argument("--dossiers", type=int, default=20_000)
    parser.add_argument("--port", type=int, default=18_070)
    parser.add_argument("--database-url", help="the AII database (default: SQLite); empty")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="kbi-soak-") as home:
        env = dict(os.environ, KBI_HOME=home)
        env.pop("KBI_AII_DATABASE_URL", None)
        if args.database_url:
            env["KBI_AII_DATABASE_URL"] = args.database_url
        kbi = str(Path(sys.executable).parent / "kbi")
        bestand, token = _home(kbi, Path(home), env, args.dossiers)
        inszen = [json.loads(r)["insz"] for r in bestand.read_text().splitlines()[:2000]]
        server = subprocess.Popen(
            [kbi, "serve", "--node", "aii", "--port", str(args.port)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        adres = f"http://127.0.0.1:{args.port}"
        try:
            for _ in range(150):
                try:
                    if httpx.get(f"{adres}/api/v1/health", timeout=1).status_code == 200:
                        break
                except httpx.HTTPError:
                    time.sleep(0.1)
            uitkomsten, latenties, geheugen, verstuurd = asyncio.run(
                _soak(adres, token, inszen, args.rate, args.minutes * 60, server.pid)
            )
        finally:
            server.terminate()
            server.wait(timeout=20)
    latenties.sort()

    def pct(p: float) -> float:
        return latenties[min(len(latenties) - 1, int(len(latenties) * p))] * 1000

    eerste = [m for t, m in geheugen if t < 60] or [geheugen[0][1]]
    laatste = [m for t, m in geheugen if t >= geheugen[-1][0] - 60] or [geheugen[-1][1]]
    groei = (sum(laatste) / len(laatste)) / (sum(eerste) / len(eerste)) - 1
    fouten = sum(n for soort, n in uitkomsten.items() if soort != "HTTP 200")
    print(
        f"soak F1: {args.minutes:g} min at {args.rate:g}/s open loop, "
        f"{'PostgreSQL' if args.database_url else 'SQLite'}; kbi serve --node aii, 1 process"
    )
    print(f"sent {verstuurd}, answered: " + ", ".join(f"{k} {v}" for k, v in uitkomsten.items()))
    print(
        f"latency from the scheduled moment: p50 {pct(0.5):.1f} ms, p99 {pct(0.99):.1f} ms, "
        f"p99.9 {pct(0.999):.1f} ms, max {latenties[-1] * 1000:.1f} ms"
    )
    print(
        f"server memory (process and writer): first minute {sum(eerste) / len(eerste):.0f} MiB, "
        f"last minute {sum(laatste) / len(laatste):.0f} MiB ({groei:+.1%})"
    )
    geslaagd = fouten == 0 and groei <= 0.20
    print(f"goal: no errors and flat memory (≤ +20 %) — {'PASS' if geslaagd else 'FAIL'}")
    return 0 if geslaagd else 1


if __name__ == "__main__":
    raise SystemExit(main())
