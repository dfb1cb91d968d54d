"""The crash points of the kill tests: each named once in the code, each described, and the
hook ends the process exactly where and when it is told."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import kbi_exchange
from kbi_exchange.crash_points import CRASHED, POINTS

SRC = Path(kbi_exchange.__file__).parent
AANROEP = re.compile(r'crash_point\("([^"]+)"\)')


def test_every_crash_point_in_the_code_is_described_and_every_described_one_is_there() -> None:
    genoemd = [
        naam for pad in sorted(SRC.rglob("*.py")) for naam in AANROEP.findall(pad.read_text())
    ]
    assert sorted(genoemd) == sorted(POINTS), "each point once in the code, and in POINTS"


def _run(omgeving: dict[str, str]) -> subprocess.CompletedProcess[str]:
    code = (
        "from kbi_exchange.crash_points import crash_point\n"
        "for i in range(3):\n"
        "    print(i, flush=True)\n"
        "    crash_point('list.make:evaluated')\n"
        "print('end', flush=True)\n"
    )
    return subprocess.run(
        [sys.executable, "-c", code], env=omgeving, capture_output=True, text=True, check=False
    )


def test_the_process_ends_the_nth_time_it_reaches_the_named_point() -> None:
    basis = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(SRC.parent)}
    geen = _run(basis)
    assert (geen.returncode, geen.stdout.split()) == (0, ["0", "1", "2", "end"])
    ander = _run({**basis, "KBI_CRASH_AT": "list.make:committed"})
    assert ander.returncode == 0
    eerste = _run({**basis, "KBI_CRASH_AT": "list.make:evaluated"})
    assert (eerste.returncode, eerste.stdout.split()) == (CRASHED, ["0"])
    derde = _run({**basis, "KBI_CRASH_AT": "list.make:evaluated@3"})
    assert (derde.returncode, derde.stdout.split()) == (CRASHED, ["0", "1", "2"])


def test_an_unknown_point_or_a_bad_count_stops_the_process_at_start() -> None:
    basis = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(SRC.parent)}
    gevallen = (
        ("list.make:evaluatd", "no crash point"),
        ("list.make:evaluated@x", "not a positive count"),
        ("list.make:evaluated@0", "not a positive count"),
    )
    for waarde, reden in gevallen:
        uit = _run({**basis, "KBI_CRASH_AT": waarde})
        assert uit.returncode == 1
        assert reden in uit.stderr
        assert uit.stdout == "", "nothing ran"
