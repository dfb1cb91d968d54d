"""Files written so that no one ever sees half of one under its final name."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from kbi_exchange.crash_points import crash_point


def write_atomic(pad: Path, inhoud: bytes, *, modus: int = 0o644) -> None:
    """Write to a new hidden temporary name beside ``pad``, flush to disk, then rename.

    A reader (or a crash) sees the old file, no file, or the whole new one — never a part.
    ``modus`` 0o600 keeps a secret readable by its owner only. The temporary name is new for
    every write and opened only if it does not exist yet, never through a symbolic link: a
    link planted in the folder cannot make this write into another file. The rename replaces
    ``pad`` itself, also when ``pad`` is a link, never the file a link points to.
    """
    tijdelijk = pad.with_name(f".{pad.name}.{secrets.token_hex(6)}.part")
    fd = os.open(tijdelijk, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, modus)
    try:
        with os.fdopen(fd, "wb") as uit:
            uit.write(inhoud)
            uit.flush()
            os.fsync(uit.fileno())
        crash_point("file:temp-written")
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
