"""An import ended at each of its crash points (`crash_points`: no cleanup, as SIGKILL) leaves
the store as before or as after it, and no parsing worker behind."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select

from kbi_exchange.adapters.db.aii_models import FeitRij, ImportRij, IntrekkingRij, VeldRij
from kbi_exchange.bootstrap import engine, sluit_engines
from kbi_exchange.crash_points import CRASHED
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


def _kbi(env: dict[str, str], *args: str, crash_at: str | None = None) -> subprocess.Popen[bytes]:
    env = {k: v for k, v in env.items() if k != "KBI_CRASH_AT"}
    if crash_at is not None:
        env["KBI_CRASH_AT"] = crash_at
    return subprocess.Popen(
        [sys.executable, "-m", "kbi_exchange", *args],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


# 8 000 dossiers are four batches of 2 000: the first and the last batch written, then the
# moment before and after the commit
BEFORE = ["import:batch-written", "import:batch-written@4", "import:before-commit"]


@pytest.mark.parametrize("workers", ["0", "1"])
def test_an_import_ended_at_each_crash_point_leaves_the_store_before_or_after(
    home: Path, database_url: str, tmp_path: Path, workers: str
) -> None:
    env = dict(os.environ)
    assert _kbi(env, "aii", "import", str(EXAMPLES / "dossiers.jsonl")).wait() == 0
    voor = _stand(database_url)
    bestand = tmp_path / "groot.jsonl"
    schrijf_dossiers(8_000, seed=4, out=bestand)
    for punt in [*BEFORE, "import:committed"]:
        proces = _kbi(env, "aii", "import", str(bestand), "--workers", workers, crash_at=punt)
        assert proces.wait() == CRASHED, f"{punt} not reached"
        assert _wacht_tot_weg(str(bestand)) == [], "a parsing worker outlived the ended import"
        if punt in BEFORE:
            assert _stand(database_url) == voor, f"ended at {punt}: the store as before"
    na = _stand(database_url)
    assert na[0] > voor[0]
    assert na[3] == voor[3] + 1, "one import record: the one that committed"
    proces = _kbi(env, "aii", "import", str(bestand))
    assert proces.wait() == 0, proces.stderr.read() if proces.stderr else ""
    assert _stand(database_url)[:3] == na[:3], "the rerun adds nothing"


@pytest.mark.usefixtures("home")
def test_an_import_ended_before_its_rejects_file_is_in_place_leaves_no_half_of_one(
    tmp_path: Path,
) -> None:
    bestand = tmp_path / "groot.jsonl"
    schrijf_dossiers(8_000, seed=4, out=bestand)
    with bestand.open("a", encoding="utf-8") as f:
        f.write("{bad\n")
    afgewezen = tmp_path / "rejects.jsonl"
    args = ("aii", "import", str(bestand), "--skip-bad", "--rejects", str(afgewezen))
    for punt in ("import:before-commit", "import:committed"):
        assert _kbi(dict(os.environ), *args, crash_at=punt).wait() == CRASHED
        assert not afgewezen.exists()
    assert _kbi(dict(os.environ), *args).wait() == 0
    assert afgewezen.read_text(encoding="utf-8") == "{bad\n"
    assert list(tmp_path.glob(".rejects.jsonl.*")) == [], "the temporary file is cleaned up"
