"""Micro-benchmark of the rules engine: decisions per second on one core (goal ≥ 100 000/s).

Realistic dossiers from the synthetic generator are evaluated with `evaluate` (full explanation
included). As a baseline measured in the same run, the same loop only walks every dossier's facts
and checks whether each is known — the least work any evaluation must do — so the ratio stays
comparable when the machine is faster or slower.

    .venv/bin/python benchmarks/bench_rules.py [--count 50000] [--repeat 5]
"""

from __future__ import annotations

import argparse
import gc
import json
import time
from datetime import UTC, date, datetime

from kbi_exchange.adapters.kbi_jsonl import lees_lijn
from kbi_exchange.domain.dossier import Dossier, pas_toe
from kbi_exchange.domain.rules import evaluate
from kbi_exchange.parameters import standaard_parameters
from kbi_exchange.services.synth import synth_dossiers

DOEL = 100_000


def baseline(dossiers: list[Dossier], gekend_op: datetime) -> int:
    gekend = 0
    for dossier in dossiers:
        for feit in dossier.feiten():
            gekend += feit.gekend(gekend_op)
    return gekend


def beslis_alles(dossiers: list[Dossier], datum: date, gekend_op: datetime) -> int:
    parameters = standaard_parameters()
    nok = 0
    for dossier in dossiers:
        nok += evaluate(dossier, datum, gekend_op=gekend_op, parameters=parameters).redenen != ()
    return nok


def best_of(repeat: int, functie: object, *args: object) -> float:
    tijden = []
    for _ in range(repeat):
        gc.collect()
        begin = time.perf_counter()
        functie(*args)  # type: ignore[operator]
        tijden.append(time.perf_counter() - begin)
    return min(tijden)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=50_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    nu = datetime.now(UTC)
    per_insz: dict[str, Dossier] = {}
    for d in synth_dossiers(args.count, seed=7):
        regel = lees_lijn(json.dumps(d), nu=nu)
        per_insz[regel.insz] = pas_toe(per_insz.get(regel.insz), regel, nu)
    dossiers = list(per_insz.values())
    feiten = sum(1 for d in dossiers for _ in d.feiten())
    datum = date(2025, 6, 1)

    t_basis = best_of(args.repeat, baseline, dossiers, nu)
    t_regels = best_of(args.repeat, beslis_alles, dossiers, datum, nu)
    per_seconde = len(dossiers) / t_regels
    basis_per_seconde = len(dossiers) / t_basis
    print(f"dossiers: {len(dossiers)} ({feiten / len(dossiers):.1f} facts each), one core")
    print(f"baseline (walk facts, check knowledge time): {basis_per_seconde:,.0f} dossiers/s")
    print(
        f"evaluate (decision + reasons + explanation): {per_seconde:,.0f} decisions/s "
        f"({per_seconde / basis_per_seconde:.2f}× baseline)"
    )
    print(f"goal: ≥ {DOEL:,} decisions/s — {'PASS' if per_seconde >= DOEL else 'FAIL'}")


if __name__ == "__main__":
    main()
