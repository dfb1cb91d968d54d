"""Importing a KBI dossier file from the AII pages, with its progress shown while it runs.

The upload is written to the home's `imports/` folder (only the node's account can read it),
imported by the same use case as `kbi aii import` in a thread of its own — all or nothing: a
bad line refuses the whole file, naming the line and field, never its content — and removed
afterwards. Progress is a small JSON file beside it (lines read, then the counts), so that any
server process can show it; it holds no personal data.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import shutil
import threading
import time
import uuid
from pathlib import Path
from typing import Any

from fastapi import Request, Response
from starlette.datastructures import UploadFile
from starlette.formparsers import MultiPartException

from kbi_exchange.adapters.files import write_atomic
from kbi_exchange.adapters.line_file import dossier_file
from kbi_exchange.bootstrap import uow, werk_statistieken_bij
from kbi_exchange.domain.access import Actor, Node
from kbi_exchange.domain.fouten import KbiFout
from kbi_exchange.entrypoints.web.kern import (
    CIJFERS,
    Bezoek,
    PaginaFout,
    Paginas,
    naar,
    nu,
    van_deze_site,
    zelfde,
)
from kbi_exchange.services import kbi_import

# what a browser sends within `kbi serve`'s body time (2 × --body-timeout, 60 s by default):
# a larger file goes through `kbi aii import` on the node, or a longer --body-timeout
MAX_BESTAND = 512 * 1024**2
VERGETEN = 600.0  # a running import that wrote no progress for this long is taken as gone
_ID = re.compile(r"[0-9a-f-]{36}")
SLOT = ".bezig"  # made exclusively by the one import that runs (any server process)


def _map(home: Path) -> Path:
    pad = home / "imports"
    pad.mkdir(mode=0o700, exist_ok=True)
    return pad


def _schrijf(pad: Path, stand: dict[str, Any]) -> None:
    """A progress file, replaced whole (a reader never sees half of one)."""
    write_atomic(pad, json.dumps(stand).encode(), modus=0o600)


def _lees(pad: Path) -> dict[str, Any] | None:
    try:
        gelezen: dict[str, Any] = json.loads(pad.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return gelezen


def _neem_slot(map_: Path, import_id: str) -> bool:
    """The one import's slot, taken atomically (an exclusive create), or False when another
    import holds it; a slot left by a process that died is taken over after `VERGETEN`."""
    slot = map_ / SLOT
    for _ in range(2):
        try:
            handvat = os.open(slot, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
        except FileExistsError:
            try:
                if time.time() - slot.stat().st_mtime < VERGETEN:
                    return False
                slot.unlink()
            except FileNotFoundError:
                pass
            continue
        os.write(handvat, import_id.encode())
        os.close(handvat)
        return True
    return False


def _lopend(map_: Path) -> str | None:
    """The id of the import running now, in any server process, if any."""
    try:
        slot = map_ / SLOT
        if time.time() - slot.stat().st_mtime < VERGETEN:
            return slot.read_text(encoding="utf-8")[:36]
    except FileNotFoundError:
        pass
    return None


def ruim_op(map_: Path) -> None:
    """What a process that died mid-import left: its upload (personal data) removed, its
    progress said to be interrupted (nothing was stored: one transaction)."""
    if _lopend(map_) is not None:
        return
    for pad in map_.glob("*.json"):
        stand = _lees(pad)
        if stand is not None and stand.get("status") == "bezig":
            _schrijf(pad, {**stand, "status": "onderbroken", "fout": "the import was stopped"})
    for folder in map_.iterdir():
        if folder.is_dir():
            shutil.rmtree(folder, ignore_errors=True)


class ImportPaginas(Paginas):
    """`/aii/import`: the upload, the imports that ran, and one import's progress."""

    _opgeruimd = False

    def _map(self) -> Path:
        map_ = _map(self.settings.home)
        if not self._opgeruimd:
            ruim_op(map_)
            self._opgeruimd = True
        return map_

    async def _recent(self, bezoek: Bezoek) -> list[dict[str, object]]:
        """The imports that ran — a use case that also says whether this person imports."""
        return await self.in_draad(
            lambda: kbi_import.recente_imports(uow=uow(self.settings, Node.AII), door=bezoek.actor)
        )

    async def importeren(self, request: Request) -> Response:
        bezoek = await self.vereist_bezoek(request)
        recent = await self._recent(bezoek)
        lopend = await asyncio.to_thread(lambda: _lopend(self._map()))
        return self.toon(
            request, "aii_import.html", bezoek, imports=recent, lopend=lopend, stand=None,
            max_mib=MAX_BESTAND // 1024**2,
        )  # fmt: skip

    async def import_stand(self, request: Request) -> Response:
        """One import's progress; the page reloads itself every 2 s while it runs."""
        bezoek = await self.vereist_bezoek(request)
        recent = await self._recent(bezoek)
        import_id = str(request.path_params["import_id"])
        stand = (
            await asyncio.to_thread(lambda: _lees(self._map() / f"{import_id}.json"))
            if _ID.fullmatch(import_id)
            else None
        )
        if stand is None:
            raise PaginaFout(404, "Geen import met dit nummer.")
        return self.toon(
            request, "aii_import.html", bezoek, imports=recent, lopend=None, stand=stand,
            max_mib=MAX_BESTAND // 1024**2,
        )  # fmt: skip

    async def import_starten(self, request: Request) -> Response:
        """The uploaded file kept, its import started in a thread, its progress page shown.

        Everything that needs no body comes first: who (the use case), from where, how much,
        and whether an import runs; only then is the file read, into this import's slot."""
        bezoek = await self.vereist_bezoek(request)
        await self._recent(bezoek)
        van_deze_site(request)
        lengte = request.headers.get("content-length", "")
        if not CIJFERS.fullmatch(lengte):
            raise PaginaFout(411, "Verstuur het bestand vanuit het formulier (lengte onbekend).")
        if int(lengte) > MAX_BESTAND:
            raise PaginaFout(
                413,
                f"Het bestand is groter dan {MAX_BESTAND // 1024**2} MiB: importeer het op de "
                "node met `kbi aii import`.",
            )
        map_ = await asyncio.to_thread(self._map)
        import_id = str(uuid.uuid4())
        if not await asyncio.to_thread(_neem_slot, map_, import_id):
            raise PaginaFout(409, "Er loopt al een import; wacht tot ze klaar is.")
        try:
            bestand = await self._upload(request, bezoek)
            # the file keeps its name (the import records it), in a folder of its own
            naam = re.sub(r"[^A-Za-z0-9._-]", "_", Path(bestand.filename or "").name)
            naam = naam.lstrip(".")[:100] or "dossiers.jsonl"
            doel = map_ / import_id / naam
            await asyncio.to_thread(_bewaar, bestand, doel)
        except BaseException:
            await asyncio.to_thread(_geef_vrij, map_, import_id)
            raise
        stand = {"id": import_id, "bestand": naam, "door": bezoek.gebruiker.naam,
                 "gestart": nu().isoformat(), "status": "bezig", "regels": 0}  # fmt: skip
        _schrijf(map_ / f"{import_id}.json", stand)
        threading.Thread(
            target=self._voer_uit,
            args=(bezoek.actor, doel, map_ / f"{import_id}.json", stand),
            name=f"import-{import_id[:8]}",
            daemon=True,  # one transaction: a stop mid-way stores nothing
        ).start()
        return naar(f"/aii/import/{import_id}")

    async def _upload(self, request: Request, bezoek: Bezoek) -> UploadFile:
        soort = request.headers.get("content-type", "")
        if not soort.startswith("multipart/form-data"):
            raise PaginaFout(415, "Verstuur het bestand vanuit het formulier.")
        try:
            formulier = await request.form(max_files=1, max_fields=4, max_part_size=4096)
        except MultiPartException:
            raise PaginaFout(400, "Het formulier kon niet gelezen worden.") from None
        gegeven = formulier.get("csrf")
        if not isinstance(gegeven, str) or not zelfde(gegeven, bezoek.csrf):
            raise PaginaFout(
                403, "Het formulier is verlopen of niet van deze site (CSRF-controle)."
            )
        bestand = formulier.get("bestand")
        if not isinstance(bestand, UploadFile) or not bestand.filename:
            raise PaginaFout(400, "Kies een bestand (JSON Lines, één dossier per regel).")
        return bestand

    def _voer_uit(self, door: Actor, bestand: Path, voortgang: Path, stand: dict[str, Any]) -> None:
        laatst = 0.0

        def gelezen(regels: int) -> None:
            nonlocal laatst
            if time.monotonic() - laatst > 0.5:
                laatst = time.monotonic()
                _schrijf(voortgang, {**stand, "regels": regels})
                (voortgang.parent / SLOT).touch()  # still running: the slot stays taken

        try:
            resultaat = kbi_import.import_dossiers(
                uow=uow(self.settings, Node.AII),
                bestand=dossier_file(bestand, voortgang=gelezen),
                door=door,
                nu=nu(),
            )
            werk_statistieken_bij(
                self.settings, Node.AII, ("persoon", "feit", "feit_intrekking", "dossierveld")
            )
            einde = {
                "status": "klaar",
                "regels": resultaat.regels,
                "import_id": resultaat.import_id,
                "feiten_toegevoegd": resultaat.feiten_toegevoegd,
                "feiten_ingetrokken": resultaat.feiten_ingetrokken,
                "velden_gewijzigd": resultaat.velden_gewijzigd,
            }
        except KbiFout as fout:  # a bad line, a refusal: nothing was stored, say why
            einde = {"status": "geweigerd", "fout": str(fout)[:1000]}
        except Exception as fout:  # a defect: named, nothing stored (one transaction)
            einde = {"status": "mislukt", "fout": type(fout).__name__}
        finally:  # personal data: not kept past the import
            shutil.rmtree(bestand.parent, ignore_errors=True)
        _schrijf(voortgang, {**stand, **einde, "klaar": nu().isoformat()})
        _geef_vrij(voortgang.parent, str(stand["id"]))


def _bewaar(bestand: UploadFile, doel: Path) -> None:
    doel.parent.mkdir(mode=0o700)
    with doel.open("wb") as uit:
        os.chmod(doel, 0o600)
        shutil.copyfileobj(bestand.file, uit, 1024 * 1024)


def _geef_vrij(map_: Path, import_id: str) -> None:
    """Give the slot back (only this import's) and remove what it kept of the upload."""
    shutil.rmtree(map_ / import_id, ignore_errors=True)
    slot = map_ / SLOT
    try:
        if slot.read_text(encoding="utf-8") == import_id:
            slot.unlink()
    except FileNotFoundError:
        pass
