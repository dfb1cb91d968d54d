"""Soak of flow F1 at a steady open-loop rate (issue 23, `make reliability`): `kbi serve --node
aii` on a fresh home with synthetic dossiers, questions sent on a fixed schedule — each at its
moment whether or not earlier ones were answered (open loop: a slow server is not given time to
catch up, as a closed loop of N connections would), each a new referte — for a number of
minutes. Latency is counted from each question's scheduled moment, so waiting in the client
counts too. The server's memory (its process and the writer's) is sampled every few seconds.

    .venv/bin/python benchmarks/soak_f1.py [--minutes 10] [--rate 200] [--database-url URL]

Prints what it sent, what came back (by status, and transport errors), the latency
percentiles, and the memory of the first and the last minute; exits 1 on any error or when the
memory of the last minute is more than 20 % above the first's (not flat). Before the soak, a
warm-up (100 000 questions closed loop, not measured) fills what is bounded by design — the
writer's SQLite page cache grows to its 64 MiB cap as the database grows, which is not a leak —
so that what is compared is growth past the caps.
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

MAX_IN_VLUCHT = 512  # past this many questions waiting for a connection the client drops one


def _rss(pid: int) -> float:
    try:
        for regel in Path(f"/proc/{pid}/status").read_text().splitlines():
            if regel.startswith("VmRSS:"):
                return int(regel.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def _rss_mib(pid: int) -> tuple[float, float]:
    """The resident memory of the server process and of its children (the writer), in MiB."""
    kinderen = Path(f"/proc/{pid}/task/{pid}/children")
    schrijver = [int(p) for p in kinderen.read_text().split()] if kinderen.exists() else []
    return _rss(pid), sum(_rss(p) for p in schrijver)


class _Verbinding:
    """One keep-alive HTTP/1.1 connection on asyncio streams: a request's bytes out, the
    status and body back. Cheap enough per request (tens of microseconds) that the load
    generator is not what is measured — httpx's client took a whole core at 200/s."""

    def __init__(self, host: str, poort: int) -> None:
        self.host, self.poort = host, poort
        self.lezer: asyncio.StreamReader | None = None
        self.schrijver: asyncio.StreamWriter | None = None

    async def vraag(self, verzoek: bytes) -> int:
        if self.schrijver is None or self.lezer is None:
            self.lezer, self.schrijver = await asyncio.open_connection(self.host, self.poort)
        try:
            self.schrijver.write(verzoek)
            kop = await self.lezer.readuntil(b"\r\n\r\n")
            status = int(kop[9:12])
            lengte = 0
            for regel in kop.split(b"\r\n"):
                if regel[:15].lower() == b"content-length:":
                    lengte = int(regel[15:])
            await self.lezer.readexactly(lengte)
            if b"connection: close" in kop.lower():
                self.sluit()
            return status
        except (OSError, asyncio.IncompleteReadError, ValueError):
            self.sluit()
            raise

    def sluit(self) -> None:
        if self.schrijver is not None:
            self.schrijver.close()
        self.lezer = self.schrijver = None


VERBINDINGEN = 64


async def _soak(
    adres: str,
    token: str,
    inszen: list[str],
    rate: float,
    seconden: float,
    pid: int,
    opwarmen: int,
) -> tuple[
    Counter[str],
    list[float],
    list[tuple[float, tuple[float, float]]],
    int,
    tuple[Counter[str], float],
]:
    uitkomsten: Counter[str] = Counter()
    opgewarmd: Counter[str] = Counter()
    latenties: list[float] = []
    geheugen: list[tuple[float, tuple[float, float]]] = []
    host, poort = adres.removeprefix("http://").split(":")
    wachtrij: asyncio.Queue[tuple[int, float] | None] = asyncio.Queue()
    kop = (
        f"POST /api/v1/advies HTTP/1.1\r\nHost: {host}\r\nAuthorization: Bearer {token}\r\n"
        "Content-Type: application/json\r\nContent-Length: "
    ).encode()

    def verzoek(i: int) -> bytes:
        body = (
            f'{{"insz":"{inszen[i % len(inszen)]}","datum":"2025-06-01",'
            f'"doel":"ZORGBUDGET","referte":"{uuid.uuid4()}"}}'
        ).encode()
        return kop + str(len(body)).encode() + b"\r\n\r\n" + body

    async def werker() -> None:
        verbinding = _Verbinding(host, int(poort))
        while (taak := await wachtrij.get()) is not None:
            i, gepland = taak
            try:
                uitkomsten[f"HTTP {await verbinding.vraag(verzoek(i))}"] += 1
            except (OSError, asyncio.IncompleteReadError, ValueError) as fout:
                uitkomsten[type(fout).__name__] += 1
            latenties.append(time.monotonic() - gepland)
        verbinding.sluit()

    async def warm(teller: list[int]) -> None:
        """Closed loop, as fast as the server answers, until the warm-up's count is sent."""
        verbinding = _Verbinding(host, int(poort))
        while teller[0] < opwarmen:
            teller[0] += 1
            try:
                opgewarmd[f"HTTP {await verbinding.vraag(verzoek(teller[0]))}"] += 1
            except (OSError, asyncio.IncompleteReadError, ValueError) as fout:
                opgewarmd[type(fout).__name__] += 1
        verbinding.sluit()

    gedeeld = [0]
    opwarm_begin = time.monotonic()
    await asyncio.gather(*(warm(gedeeld) for _ in range(32)))
    opwarm_seconden = time.monotonic() - opwarm_begin
    werkers = [asyncio.create_task(werker()) for _ in range(VERBINDINGEN)]
    begin = time.monotonic()
    i = 0
    volgende_meting = begin
    while (nu := time.monotonic()) - begin < seconden:
        while begin + i / rate <= nu:  # every question due by now is put out now
            if wachtrij.qsize() >= MAX_IN_VLUCHT:
                uitkomsten["dropped (client: too many unanswered)"] += 1
            else:
                wachtrij.put_nowait((i, begin + i / rate))
            i += 1
        if nu >= volgende_meting:
            geheugen.append((nu - begin, _rss_mib(pid)))
            volgende_meting += 5
        await asyncio.sleep(max(0.0, min(begin + i / rate - time.monotonic(), 0.01)))
    for _ in werkers:
        wachtrij.put_nowait(None)
    await asyncio.gather(*werkers)
    return uitkomsten, latenties, geheugen, i, (opgewarmd, opwarm_seconden)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=10)
    parser.add_argument("--rate", type=float, default=200, help="questions per second")
    parser.add_argument("--dossiers", type=int, default=20_000)
    parser.add_argument("--port", type=int, default=18_070)
    parser.add_argument("--database-url", help="the AII database (default: SQLite); empty")
    parser.add_argument(
        "--warm-up",
        type=int,
        default=100_000,
        help="questions sent first, closed loop and not measured, so that the bounded caches "
        "(SQLite's page cache of up to 64 MiB, the connection pools) are full before memory "
        "is compared (default 100 000; 0 for none)",
    )
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
            uitkomsten, latenties, geheugen, verstuurd, (opgewarmd, opwarm_s) = asyncio.run(
                _soak(adres, token, inszen, args.rate, args.minutes * 60, server.pid, args.warm_up)
            )
        finally:
            server.terminate()
            server.wait(timeout=20)
    latenties.sort()

    def pct(p: float) -> float:
        return latenties[min(len(latenties) - 1, int(len(latenties) * p))] * 1000

    def gemiddeld(metingen: list[tuple[float, float]], i: int | None) -> float:
        waarden = [sum(m) if i is None else m[i] for m in metingen]
        return sum(waarden) / len(waarden)

    eerste = [m for t, m in geheugen if t < 60] or [geheugen[0][1]]
    laatste = [m for t, m in geheugen if t >= geheugen[-1][0] - 60] or [geheugen[-1][1]]
    groei = gemiddeld(laatste, None) / gemiddeld(eerste, None) - 1
    fouten = sum(n for soort, n in (uitkomsten + opgewarmd).items() if soort != "HTTP 200")
    print(
        f"soak F1: {args.minutes:g} min at {args.rate:g}/s open loop, "
        f"{'PostgreSQL' if args.database_url else 'SQLite'}; kbi serve --node aii, 1 process"
    )
    if args.warm_up:
        print(
            f"warm-up (not measured): {args.warm_up} questions closed loop, 32 connections, "
            f"in {opwarm_s:.0f} s: " + ", ".join(f"{k} {v}" for k, v in opgewarmd.items())
        )
    print(f"sent {verstuurd}, answered: " + ", ".join(f"{k} {v}" for k, v in uitkomsten.items()))
    print(
        f"latency from the scheduled moment: p50 {pct(0.5):.1f} ms, p99 {pct(0.99):.1f} ms, "
        f"p99.9 {pct(0.999):.1f} ms, max {latenties[-1] * 1000:.1f} ms"
    )
    print(
        "server memory (process and writer) after the warm-up: "
        f"first minute {gemiddeld(eerste, None):.0f} MiB, "
        f"last minute {gemiddeld(laatste, None):.0f} MiB ({groei:+.1%}); the process "
        f"{gemiddeld(eerste, 0):.0f} → {gemiddeld(laatste, 0):.0f} MiB, the writer "
        f"{gemiddeld(eerste, 1):.0f} → {gemiddeld(laatste, 1):.0f} MiB"
        + ("" if args.database_url else " (its SQLite page cache holds up to 64 MiB)")
    )
    geslaagd = fouten == 0 and groei <= 0.20
    print(f"goal: no errors and flat memory (≤ +20 %) — {'PASS' if geslaagd else 'FAIL'}")
    return 0 if geslaagd else 1


if __name__ == "__main__":
    raise SystemExit(main())
