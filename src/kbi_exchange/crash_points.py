"""Named crash points: the kill tests end a run right after a named step, so every step is hit.

``KBI_CRASH_AT=<point>`` ends the process the first time it reaches ``<point>``;
``<point>@<n>`` the n-th time. It ends as SIGKILL would: `os._exit`, no cleanup, no flush,
no rollback, exit status `CRASHED` (128 + SIGKILL), which also tells the test the point was
reached. Unset — always, outside the tests — a crash point is one comparison.
"""

from __future__ import annotations

import os
from collections import Counter

CRASHED = 137

# Every point, in the order a run reaches them, with what holds when a run ends there.
POINTS: dict[str, str] = {
    "import:batch-written": "a batch of KBI rows written; the transaction open",
    "import:before-commit": "every row and the import record written; not committed",
    "import:committed": "committed; the rejects file still under its temporary name",
    "members:batch-written": "a batch of members written at VSB; the transaction open",
    "members:before-commit": "every member and the import record written; not committed",
    "members:committed": "committed; the rejects file still under its temporary name",
    "list.make:evaluated": "every dossier evaluated; nothing stored",
    "list.make:committed": "the list stored and audited; nothing printed",
    "list.approve:before-commit": "the approval written; not committed",
    "list.approve:committed": "approved and audited; nothing printed",
    "list.deliver:file-stored": "signed, encrypted, stored and audited; not in the mailbox",
    "file:temp-written": "a file's bytes on disk under a temporary name; not renamed",
    "mailbox:in-out": "a whole file in the sender's out/; not routed to the recipient",
    "list.deliver:sent": "the file in VSB's in/; the list not yet marked delivered",
    "list.ingest:verified": "decrypted, verified, header checked; nothing stored",
    "list.ingest:stored": "the list, its INSZ and its receipt stored; the receipt not sent",
    "list.ingest:receipt-sent": "the receipt in AII's in/; not yet marked sent",
    "list.ingest:done": "the receipt marked sent; the list file still in VSB's in/",
    "list.receive:recorded": "the receipt recorded at AII; its file still in AII's in/",
    "list.distribute:stored": "the zorgkas files, their INSZ and audit entries stored; none sent",
    "list.distribute:sent": "one zorgkas file in its in/; not yet marked sent",
    "application:recorded": "an application and its referte stored and audited; AII not asked",
    "application:answered": "AII answered (or could not); the answer not stored",
    "retention:batch-committed": "one batch removed and audited; the rest of the run not done",
}


def _target(waarde: str | None) -> tuple[str, int] | None:
    """``KBI_CRASH_AT`` read once, at start-up: a point that does not exist, or a count that
    is not a positive number, stops the process before it does anything."""
    if not waarde:
        return None
    point, _, times = waarde.partition("@")
    if point not in POINTS:
        raise SystemExit(f"KBI_CRASH_AT: no crash point {point!r}; see crash_points.POINTS")
    if times and (not times.isdigit() or int(times) < 1):
        raise SystemExit(f"KBI_CRASH_AT: {times!r} is not a positive count")
    return point, int(times or 1)


_TARGET = _target(os.environ.get("KBI_CRASH_AT"))
_reached: Counter[str] = Counter()


def crash_point(name: str) -> None:
    """End the process here if the environment names this point (see the module's text)."""
    if _TARGET is None or name != _TARGET[0]:
        return
    _reached[name] += 1
    if _reached[name] >= _TARGET[1]:
        os._exit(CRASHED)
