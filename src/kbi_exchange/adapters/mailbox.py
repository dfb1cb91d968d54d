"""The exchange mailbox (SPEC §2), as MAGDA's file exchange: ``<party>/out/`` and ``in/``.

A party writes a file into its own ``out/``; the mailbox moves it, by the recipient its name
implies, into that party's ``in/``. Files appear under their final name only when whole
(written to a hidden ``.part`` name first, then renamed), and moving between folders of one
file system is a rename, so a recipient never sees part of a file. In the embedded set-up the
routing happens at once; `kbi mailbox serve` routes each file an FTPS client finishes.
"""

from __future__ import annotations

import hashlib
import os
import re
import threading
from datetime import date
from pathlib import Path

from kbi_exchange.adapters.files import write_atomic
from kbi_exchange.crash_points import crash_point
from kbi_exchange.domain.fouten import KbiFout
from kbi_exchange.domain.verdeling import zorgkas_bestand_dag, zorgkas_van_bestand
from kbi_exchange.schemas import zorgkas_codes

AII, VSB = "aii", "vsb"
IN, UIT = "in", "out"

# Who may send a file and whom it is for, by its name (SPEC §8.3, §8.6): the list goes from
# AII to VSB, its receipt back.
_ROUTES: tuple[tuple[re.Pattern[str], str, str], ...] = (
    (re.compile(r"KBI_VSB_LIJST_\d{4}_\d{17}\.p7m"), AII, VSB),
    (re.compile(r"KBI_VSB_ONTVANGST_\d{4}_\d{17}\.p7s"), VSB, AII),
)


# a file name as the exchange makes them: no separators, no wildcards
_NAAM = re.compile(r"[A-Za-z0-9_]+\.p7[ms]")


class MailboxError(KbiFout):
    """A file the mailbox cannot take or route."""


def recipient_of(naam: str, afzender: str) -> str:
    """The party a file is addressed to, by its name; refused unless ``afzender`` may send it.

    Besides the list and its receipt, VSB sends each zorgkas its part of the list (SPEC §9),
    ``VSB_ZORGKAS_<CODE>_LIJST_...``, into ``zorgkas-<CODE>/in/`` for a known code only.
    """
    routes = list(_ROUTES)
    zorgkas = zorgkas_van_bestand(naam)
    if zorgkas is not None and zorgkas in zorgkas_codes():
        routes.append((re.compile(re.escape(naam)), VSB, f"zorgkas-{zorgkas}"))
    for patroon, van, naar in routes:
        if patroon.fullmatch(naam):
            if van != afzender:
                raise MailboxError(f"{naam}: only {van} sends such a file, not {afzender}")
            return naar
    raise MailboxError(f"{naam}: the name does not say whom the file is for")


def _zelfde(a: Path, b: Path) -> bool:
    return hashlib.sha256(a.read_bytes()).digest() == hashlib.sha256(b.read_bytes()).digest()


class Mailbox:
    """The mailbox folders under one root (``$KBI_HOME/mailbox``)."""

    def __init__(self, wortel: Path) -> None:
        self.wortel = wortel
        self._slot = threading.Lock()

    def folder(self, partij: str, richting: str) -> Path:
        return self.wortel / partij / richting

    def create(self, partijen: list[str]) -> None:
        for partij in partijen:
            for richting in (IN, UIT):
                self.folder(partij, richting).mkdir(parents=True, exist_ok=True, mode=0o700)

    def send(self, afzender: str, naam: str, inhoud: bytes) -> Path:
        """Put a whole file in the sender's ``out/`` and route it; returns where it landed."""
        recipient_of(naam, afzender)  # refuse an unroutable name before writing anything
        uit = self.folder(afzender, UIT)
        uit.mkdir(parents=True, exist_ok=True, mode=0o700)
        for achtergelaten in uit.glob(f".{naam}.*.part"):  # a crashed earlier send of this file
            achtergelaten.unlink(missing_ok=True)
        write_atomic(uit / naam, inhoud, modus=0o600)
        crash_point("mailbox:in-out")
        return self.route(uit / naam)

    def route(self, bestand: Path) -> Path:
        """Move one whole file from an ``out/`` to its recipient's ``in/``.

        The same file routed twice (a rerun) lands once; a different file under a name that
        is taken stays in ``out/`` and is refused.
        """
        afzender = bestand.parent.parent.name
        if bestand.parent != self.folder(afzender, UIT):
            raise MailboxError(f"{bestand}: not in a party's out/ folder of this mailbox")
        return self.route_part(bestand, afzender, bestand.name)

    def route_part(self, bestand: Path, afzender: str, naam: str) -> Path:
        """Move a whole file, sent by ``afzender`` as ``naam``, into its recipient's ``in/``.

        ``bestand`` may still carry a temporary name: it gets ``naam`` only in ``in/``. The
        same file routed twice lands once; a different file under a name that is taken is
        refused and stays where it is.
        """
        doel_map = self.folder(recipient_of(naam, afzender), IN)
        doel_map.mkdir(parents=True, exist_ok=True, mode=0o700)
        doel = doel_map / naam
        with self._slot:  # the FTPS server routes from one thread per connection
            if doel.exists():
                if not _zelfde(bestand, doel):
                    raise MailboxError(f"{naam}: a different file of that name is waiting")
                bestand.unlink()
                return doel
            os.replace(bestand, doel)
        return doel

    def route_all(self) -> tuple[list[Path], list[str]]:
        """Route every whole file waiting in any ``out/`` (hidden ``.part`` files are not).

        Returns where each went, and why each of the others could not go (they stay).
        """
        gerouteerd: list[Path] = []
        problemen: list[str] = []
        for bestand in sorted(self.wortel.glob(f"*/{UIT}/*")):
            if not bestand.is_file() or bestand.name.startswith("."):
                continue
            try:
                gerouteerd.append(self.route(bestand))
            except MailboxError as fout:
                problemen.append(str(fout))
        return gerouteerd, problemen

    def houd_vast(self, partij: str, patroon: str) -> list[Path]:
        """Move whole files a party has not yet had routed out of its ``out/`` into
        ``ingehouden/`` (held back), so that no server routes them; returns where they went."""
        map_ = self.wortel / partij / "ingehouden"
        vastgehouden = []
        with self._slot:
            for bestand in sorted(self.folder(partij, UIT).glob(patroon)):
                if bestand.is_file() and not bestand.name.startswith("."):
                    map_.mkdir(parents=True, exist_ok=True, mode=0o700)
                    os.replace(bestand, map_ / bestand.name)
                    vastgehouden.append(map_ / bestand.name)
        return vastgehouden

    def zorgkas_files_before(self, grens: date) -> list[str]:
        """The names of the zorgkas files still waiting in a zorgkas's ``in/`` that VSB made
        before ``grens`` (by the moment in their name, not the file's clock)."""
        return sorted(
            pad.name
            for pad in self.wortel.glob(f"zorgkas-*/{IN}/VSB_ZORGKAS_*.p7m")
            if pad.is_file()
            and (gemaakt := zorgkas_bestand_dag(pad.name)) is not None
            and gemaakt < grens
        )

    def remove_waiting(self, naam: str) -> None:
        """Take a zorgkas file out of its zorgkas's ``in/`` (gone already: nothing to do)."""
        zorgkas = zorgkas_van_bestand(naam)
        if zorgkas is None or zorgkas not in zorgkas_codes():
            raise MailboxError(f"{naam}: not a zorgkas file")
        (self.folder(f"zorgkas-{zorgkas}", IN) / naam).unlink(missing_ok=True)

    def remove_anywhere(self, naam: str) -> None:
        """Take a file of this name out of every party's folders (``in/``, ``out/``, held
        back): what it carried may no longer be kept."""
        if not _NAAM.fullmatch(naam):
            raise MailboxError(f"{naam!r}: not the name of an exchange file")
        with self._slot:
            for pad in self.wortel.glob(f"*/*/{naam}"):
                pad.unlink(missing_ok=True)

    def waiting(self, partij: str, patroon: str = "*") -> list[Path]:
        """The whole files waiting in a party's ``in/``, oldest name first."""
        return sorted(
            p
            for p in self.folder(partij, IN).glob(patroon)
            if p.is_file() and not p.name.startswith(".")
        )
