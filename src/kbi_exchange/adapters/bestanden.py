"""Files written so that no one ever sees half of one under its final name."""

from __future__ import annotations

import os
from pathlib import Path


def schrijf_atomisch(pad: Path, inhoud: bytes, *, modus: int = 0o644) -> None:
    """Write to a hidden temporary name beside ``pad``, flush to disk, then rename.

    A reader (or a crash) sees the old file, no file, or the whole new one — never a part.
    ``modus`` 0o600 keeps a secret readable by its owner only.
    """
    tijdelijk = pad.with_name(f".{pad.name}.part")
    fd = os.open(tijdelijk, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, modus)
    try:
        with os.fdopen(fd, "wb") as uit:
            uit.write(inhoud)
            uit.flush()
            os.fsync(uit.fileno())
        os.replace(tijdelijk, pad)
    except BaseException:
        tijdelijk.unlink(missing_ok=True)
        raise
    _fsync_map(pad.parent)


def _fsync_map(map_: Path) -> None:
    """Make a rename durable: the directory entry is on disk too."""
    fd = os.open(map_, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
