"""Importing a KBI dossier file from the AII pages, with its progress shown while it runs.

The upload is written to the home's `imports/` folder (only the node's account can read it),
imported by the same use case as `kbi aii import` in a thread of its own — all or nothing: a
bad line refuses the whole file, naming the line and field, never its content — and removed
afterwards. Progress is a small JSON file beside it (lines read, then the counts), so that any
server process can show it; it holds no personal data.
"""

from __future__ import annotations

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

from kbi_exchange.adapters.line_file import dossier_file
from kbi_exchange.bootstrap import uow, werk_statistieken_bij
from kbi_exchange.domain.access import Actor, Node
from kbi_exchange.domain.fouten import KbiFout
from kbi_exchange.entrypoints.web.kern import (
    Bezoek,
    PaginaFout,
    Paginas,
    naar,
    nu,
    van_deze_site,
    zelfde,
)
from kbi_exchange.services import kbi_import

MAX_BESTAND = 4 * 1024**3  # 4 GiB: a full KBI is a few hundred MiB
VERGETEN = 600.0  # a running import that wrote no progress for this long is taken as gone
_ID = re.compile(r"^[0-9a-f-]{36}$")


def _map(home: Path) -> Path:
    pad = home / "imports"
    pad.mkdir(mode=0o700, exist_ok=True)
    return pad


def _schrijf(pad: Path, stand: dict[str, Any]) -> None:
    """A progress file, replaced whole (a reader never sees half of one)."""
    tijdelijk = pad.with_suffix(".tmp")
    tijdelijk.write_text(json.dumps(stand), encoding="utf-8")
    os.replace(tijdelijk, pad)


def _lees(pad: Path) -> dict[str, Any] | None:
    try:
        gelezen: dict[str, Any] = json.loads(pad.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return gelezen


class ImportPaginas(Paginas):
    """`/aii/import`: the upload, the imports that ran, and one import's progress."""

    def _lopend(self) -> str | None:
        """The id of an import running now (in any server process), if any."""
        for pad in _map(self.settings.home).glob("*.json"):
            stand = _lees(pad)
            verloop = time.time() - pad.stat().st_mtime
            if stand and stand.get("status") == "bezig" and verloop < VERGETEN:
                return pad.stem
        return None

    async def importeren(self, request: Request) -> Response:
        bezoek = await self.vereist_bezoek(request)
        recent = await self.in_draad(
            lambda: kbi_import.recente_imports(uow=uow(self.settings, Node.AII), door=bezoek.actor)
        )
        return self.toon(
            request, "aii_import.html", bezoek, imports=recent, lopend=self._lopend(), stand=None
        )

    async def import_stand(self, request: Request) -> Response:
        """One import's progress; the page reloads itself every 2 s while it runs."""
        bezoek = await self.vereist_bezoek(request)
        recent = await self.in_draad(
            lambda: kbi_import.recente_imports(uow=uow(self.settings, Node.AII), door=bezoek.actor)
        )
        import_id = str(request.path_params["import_id"])
        stand = (
            _lees(_map(self.settings.home) / f"{import_id}.json") if _ID.match(import_id) else None
        )
        if stand is None:
            raise PaginaFout(404, "Geen import met dit nummer.")
        return self.toon(
            request, "aii_import.html", bezoek, imports=recent, lopend=None, stand=stand
        )

    async def import_starten(self, request: Request) -> Response:
        """The uploaded file kept, its import started in a thread, its progress page shown."""
        bezoek = await self.vereist_bezoek(request)
        van_deze_site(request)
        lengte = request.headers.get("content-length", "")
        if not lengte.isdigit():
            raise PaginaFout(411, "Verstuur het bestand vanuit het formulier (lengte onbekend).")
        if int(lengte) > MAX_BESTAND:
            raise PaginaFout(413, f"Het bestand is groter dan {MAX_BESTAND // 1024**3} GiB.")
        bestand = await self._upload(request, bezoek)
        if self._lopend() is not None:
            raise PaginaFout(409, "Er loopt al een import; wacht tot ze klaar is.")
        import_id = str(uuid.uuid4())
        map_ = _map(self.settings.home)
        # the file keeps its name (the import records it), in a folder of this import's own
        naam = re.sub(r"[^\w.-]", "_", Path(bestand.filename or "dossiers.jsonl").name)[:200]
        (map_ / import_id).mkdir(mode=0o700)
        doel = map_ / import_id / (naam.lstrip(".") or "dossiers.jsonl")
        await self.in_draad(lambda: _bewaar(bestand, doel))
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


def _bewaar(bestand: UploadFile, doel: Path) -> None:
    with doel.open("wb") as uit:
        os.chmod(doel, 0o600)
        shutil.copyfileobj(bestand.file, uit, 1024 * 1024)
