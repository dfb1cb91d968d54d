"""An import killed with SIGKILL at any moment leaves the store as before or as after it."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select

from kbi_exchange.adapters.db.aii_models import FeitRij, ImportRij, IntrekkingRij, VeldRij
from kbi_exchange.bootstrap import engine, sluit_engines
from kbi_exchange.entrypoints.cli_synth import schrijf_dossiers
from tests.conftest import EXAMPLES


def _stand(url: str) -> tuple[int, int, int, int]:
    with engine(url).connect() as verbinding:
        stand = tuple(
            verbinding.scalar(select(func.count()).select_from(model)) or 0
            for model in (FeitRij, IntrekkingRij, VeldRij, ImportRij)
        )
    sluit_engines()
    return stand  # type: ignore[return-value]


def _nog_levend(kenmerk: str) -> list[int]:
    """Processes whose command line mentions ``kenmerk`` (the import and its workers)."""
    levend = []
    for pad in Path("/proc").iterdir():
        if pad.name.isdigit():
            try:
                if kenmerk.encode() in (pad / "cmdline").read_bytes():
                    levend.append(int(pad.name))
            except OSError:
                continue
    return levend


def _wacht_tot_weg(kenmerk: str) -> list[int]:
    for _ in range(50):
        if not (levend := _nog_levend(kenmerk)):
            return []
        time.sleep(0.1)
    return levend


def _kbi(env: dict[str, str], *args: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "kbi_exchange", *args],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


@pytest.mark.parametrize("workers", ["0", "1"])
def test_an_import_killed_at_random_moments_leaves_the_store_before_or_after(
    home: Path, database_url: str, tmp_path: Path, workers: str
) -> None:
    env = dict(os.environ)
    assert _kbi(env, "aii", "import", str(EXAMPLES / "dossiers.jsonl")).wait() == 0
    voor = _stand(database_url)
    bestand = tmp_path / "groot.jsonl"
    schrijf_dossiers(8_000, seed=4, out=bestand)

    rng = random.Random(2026)
    gezien_tussen = []
    for _ in range(5):
        proces = _kbi(env, "aii", "import", str(bestand), "--workers", workers)
        time.sleep(rng.uniform(0.3, 2.5))
        proces.send_signal(signal.SIGKILL)
        # killed mid-import, or finished just before: never refused for another reason
        assert proces.wait() in (-signal.SIGKILL, 0)
        assert _wacht_tot_weg(str(bestand)) == [], "a parsing worker outlived the killed import"
        stand = _stand(database_url)
        gezien_tussen.append(stand)
        if stand != voor:
            break  # the import had finished before the kill: "after"
    for stand in gezien_tussen[:-1]:
        assert stand == voor
    proces = _kbi(env, "aii", "import", str(bestand))
    assert proces.wait() == 0, proces.stderr.read() if proces.stderr else ""
    na = _stand(database_url)
    assert na[0] > voor[0]
    if gezien_tussen[-1] != voor:
        # the last kill came too late; what it left must then equal the finished state,
        # apart from the one extra import record of the rerun that changed nothing
        assert gezien_tussen[-1][:3] == na[:3]
    assert _kbi(env, "aii", "import", str(bestand)).wait() == 0
    assert _stand(database_url)[:3] == na[:3]


@pytest.mark.usefixtures("home")
def test_a_killed_import_leaves_no_half_written_rejects_file(tmp_path: Path) -> None:
    bestand = tmp_path / "groot.jsonl"
    schrijf_dossiers(8_000, seed=4, out=bestand)
    with bestand.open("a", encoding="utf-8") as f:
        f.write("{bad\n")
    afgewezen = tmp_path / "rejects.jsonl"
    proces = _kbi(
        dict(os.environ), "aii", "import", str(bestand), "--skip-bad", "--rejects", str(afgewezen)
    )
    time.sleep(1.0)
    proces.send_signal(signal.SIGKILL)
    proces.wait()
    assert not afgewezen.exists() or afgewezen.read_text(encoding="utf-8") == "{bad\n"
