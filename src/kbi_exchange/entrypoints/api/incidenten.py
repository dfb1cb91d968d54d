"""What the other party notifies over the API (SPEC §12): `POST /api/v1/incidenten` (art. 9),
`POST /api/v1/protocol/stappen` (art. 8, 12: suspension, resumption, end, a lapse, a notice)
and `POST /api/v1/verwerkers` (art. 6, 9) on both nodes, `POST /api/v1/ontvangers` on AII's
(art. 4), each as CMS SignedData signed with that party's key — verified before anything is
read or stored. A failed verification counts against the address in a limiter of these
routes' own: failed bearer tokens from the same address never hold back the other party's
valid signature."""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import orjson
from fastapi import Request, Response

from kbi_exchange.adapters import strict_json
from kbi_exchange.adapters.crypto import cms
from kbi_exchange.adapters.keys import klopt_met
from kbi_exchange.adapters.party_messenger import MEDIA
from kbi_exchange.bootstrap import pki, uow
from kbi_exchange.domain.access import Actor, Node
from kbi_exchange.domain.fouten import CmsError, Conflict, KbiFout
from kbi_exchange.entrypoints.api.http import adres, fout_antwoord, json_antwoord, lees_begrensd
from kbi_exchange.services import audit, incidenten, protocol, registers
from kbi_exchange.services.authentication import AuthenticationGuard
from kbi_exchange.settings import Settings

MAX_MELDING = 64 * 1024
GELDIG = 2.0  # seconds a public read of witnessed heads is served again
BEWAARD = 64  # such reads kept per process (pages of 1 000 heads)
ONDERTEKENINGEN = 4  # signed answers of witnessed heads being made at once per process
_NONCE = re.compile(r"[0-9a-f]{32,64}")
VERIFICATIES = 16  # signature checks at once per process (to_thread's pool bounds the CPU)


class PartijOntvanger:
    def __init__(self, settings: Settings, node: Node) -> None:
        self.settings = settings
        self.node = node
        self.van = Node.VSB if node is Node.AII else Node.AII
        # its own count of failures, for the audit only: a flood of bad bearer tokens or bad
        # signatures from the address the other party's node sends from (a shared NAT, a
        # proxy) must not refuse that party's signed word
        self._bezig = 0
        self.wacht = AuthenticationGuard(
            burst=settings.auth_failures_burst,
            per_second=settings.auth_failures_per_second,
            window=settings.security_event_window_seconds,
            now=lambda: datetime.now(UTC),
        )
        self.pki = pki(settings)
        # the public reads of witnessed heads: one database read at a time per process, the
        # same read served for `GELDIG` seconds (a flood of them never holds the database's
        # connections); a signed answer is made anew for each nonce (`_getuigenis`)
        self._lezen = asyncio.Lock()
        self._gelezen: dict[str, tuple[float, dict[str, Any]]] = {}
        self._ondertekenend = 0
        self._generatie = 0  # a new head witnessed here: what was read before is stale

    def _controleer(self, ruw: bytes) -> bytes:
        return cms.verify(
            ruw,
            ca=self.pki.ca(),
            ondertekenaar=self.pki.certificaat(self.van.value),
            moment=datetime.now(UTC),
        )

    async def _geverifieerd(self, request: Request) -> object | Response:
        """The JSON the other party signed, or the refusal to send.

        Every signature is checked, whoever else sends from the address: a flood of junk
        (bad tokens, bad signatures) from a shared address or proxy must never refuse the
        other party's valid word. What bounds the work instead is the number of checks at
        once (`VERIFICATIES`, each a few milliseconds in a thread): past it, 503 with
        Retry-After, the overload answer every route gives. Failures are still counted and
        audited per address.
        """
        herkomst = adres(request)
        ruw = await lees_begrensd(request, MAX_MELDING)
        if ruw is None:
            return json_antwoord({"detail": f"the body is larger than {MAX_MELDING} bytes"}, 413)
        if self._bezig >= VERIFICATIES:
            return json_antwoord(
                {"detail": "too many notifications at once; try again"}, 503, {"Retry-After": "1"}
            )
        self._bezig += 1
        try:
            inhoud = await asyncio.to_thread(self._controleer, ruw)
        except CmsError as fout:
            self.wacht.failed(herkomst)
            return json_antwoord(
                {"detail": f"not a notification signed by {self.van.value}: {fout}"}, 401
            )
        finally:
            self._bezig -= 1
        try:
            melding: object = strict_json.loads(inhoud)
        except strict_json.JsonError as fout:
            return json_antwoord({"detail": f"the signed content: {fout}"}, 400)
        return melding

    async def _neem_aan(
        self, request: Request, neem: Callable[[object, datetime], tuple[Any, bool]]
    ) -> Response:
        """Verify, then keep what was signed with ``neem`` (in a thread): 201 with the id, 200
        for a repeat, 400 naming what is wrong."""
        melding = await self._geverifieerd(request)
        if isinstance(melding, Response):
            return melding
        try:
            try:
                ding, nieuw = await asyncio.to_thread(neem, melding, datetime.now(UTC))
            except Conflict:  # the same notification, twice at once: the second is a repeat
                ding, nieuw = await asyncio.to_thread(neem, melding, datetime.now(UTC))
        except KbiFout as fout:
            return fout_antwoord(fout)
        ontvangen = getattr(ding, "ontvangen_op", None)
        body = {"id": ding.id, "ontvangen_op": ontvangen.isoformat() if ontvangen else None}
        return json_antwoord(body, 201 if nieuw else 200)

    def _werk(self) -> dict[str, Any]:
        # the other party's node, authenticated by its signature (`_geverifieerd`)
        return {
            "uow": uow(self.settings, self.node),
            "door": Actor.partij(self.van, self.node),
        }

    async def ontvang(self, request: Request) -> Response:
        """An incident of the other party (art. 9)."""
        return await self._neem_aan(
            request,
            lambda inhoud, nu: incidenten.ontvang(
                **self._werk(), node=self.node, van=self.van, inhoud=inhoud, nu=nu
            ),
        )

    async def ontvanger(self, request: Request) -> Response:
        """A recipient other than a zorgkas VSB registered (art. 4): AII's node only."""
        return await self._neem_aan(
            request,
            lambda inhoud, nu: registers.ontvang_ontvanger(**self._werk(), inhoud=inhoud, nu=nu),
        )

    async def verwerker(self, request: Request) -> Response:
        """A processor of the other party, added or ended (art. 6, 9)."""
        return await self._neem_aan(
            request,
            lambda inhoud, nu: registers.ontvang_verwerker(
                **self._werk(), node=self.node, van=self.van, inhoud=inhoud, nu=nu
            ),
        )

    async def stap(self, request: Request) -> Response:
        """A step the other party took in the protocol's life (art. 8, 12): this node's record
        follows it from the moment it is taken here."""
        return await self._neem_aan(
            request,
            lambda inhoud, nu: protocol.ontvang_stap(
                **self._werk(), node=self.node, van=self.van, inhoud=inhoud, nu=nu
            ),
        )

    async def kop(self, request: Request) -> Response:
        """A signed head of the other party's audit log, to witness (issue 23): kept when it
        extends the heads witnessed before, refused (409, audited) when it does not."""
        antwoord = await self._neem_aan(
            request,
            lambda inhoud, nu: audit.ontvang_kop(
                **self._werk(),
                van=self.van,
                inhoud=inhoud,
                klopt_met=klopt_met,
                nu=nu,
                sleutel=self.settings.witness_key(self.node.value),
            ),
        )
        # the public reads show the new head at once (in this process), also a read under way
        self._gelezen.clear()
        self._generatie += 1
        return antwoord

    async def _gedeeld(
        self, sleutel: str, lees: Callable[[], dict[str, Any]]
    ) -> dict[str, Any] | Response:
        """What was witnessed, read once per `GELDIG` seconds, one read at a time; at most
        `BEWAARD` reads kept, the oldest dropped first (a refusal is not kept)."""
        async with self._lezen:
            bewaard = self._gelezen.get(sleutel)
            if bewaard is not None and time.monotonic() - bewaard[0] < GELDIG:
                return bewaard[1]
            generatie = self._generatie
            try:
                gelezen = await asyncio.to_thread(lees)
            except KbiFout as fout:
                return fout_antwoord(fout)
            if generatie != self._generatie:  # a head came in meanwhile: not kept
                return gelezen
            self._gelezen.pop(sleutel, None)
            while len(self._gelezen) >= BEWAARD:
                del self._gelezen[next(iter(self._gelezen))]
            self._gelezen[sleutel] = (time.monotonic(), gelezen)
            return gelezen

    async def _getuigenis(
        self, request: Request, vraag: str, sleutel: str, lees: Callable[[], dict[str, Any]]
    ) -> Response:
        """What this node witnessed, said by it: the question (``vraag``), who witnessed whose
        heads, and when it said so. The other node's `kbi audit verify` and `witness` ask with
        ``Accept: application/pkcs7-mime`` and a ``nonce`` of their own: the answer is then CMS
        signed with this party's key over that nonce too, so that no one on the way can drop
        the newest heads from it, or give an answer from before. Anyone else gets plain JSON.
        Signatures are made `ONDERTEKENINGEN` at a time per process; past that, 503 with
        Retry-After, and the reader tries again."""
        ondertekend = MEDIA in request.headers.get("accept", "")
        nonce = request.query_params.get("nonce", "")
        if ondertekend and not _NONCE.fullmatch(nonce):
            return json_antwoord({"detail": "nonce: 32 to 64 hexadecimal digits are needed"}, 400)
        if ondertekend and self._ondertekenend >= ONDERTEKENINGEN:
            return json_antwoord(
                {"detail": "too many signed reads at once; try again"}, 503, {"Retry-After": "1"}
            )
        # a signed read holds its place from here (also while it waits for the read), so that
        # no more than the bound are ever signing or about to
        self._ondertekenend += int(ondertekend)
        try:
            gelezen = await self._gedeeld(sleutel, lees)
            if isinstance(gelezen, Response):
                return gelezen
            document = {
                "vraag": vraag,
                "getuige": self.node.value,
                "van": self.van.value,
                "op": datetime.now(UTC).isoformat(),
                **gelezen,
            }
            if not ondertekend:
                return json_antwoord(document)
            document["nonce"] = nonce
            getekend = await asyncio.to_thread(
                cms.sign,
                orjson.dumps(document),
                self.pki.certificaat(self.node.value),
                self.pki.sleutel(self.node.value),
            )
        finally:
            self._ondertekenend -= int(ondertekend)
        return Response(getekend, media_type=MEDIA)

    async def koppen(self, request: Request) -> Response:
        """The other party's heads witnessed here, by size (``?na=N``: after N entries), at
        most 1 000 an answer: public, as its own `kbi audit verify` reads them."""
        ruw = request.query_params.get("na", "0")
        if not (ruw.isascii() and ruw.isdigit() and len(ruw) <= 18):
            return json_antwoord({"detail": "na: a number of entries (0 or more) is needed"}, 400)
        na = int(ruw)

        def lees() -> dict[str, Any]:
            koppen = audit.getuigde_koppen(uow=uow(self.settings, self.node), van=self.van, na=na)
            volgende = koppen[-1]["seq"] if len(koppen) == audit.MAX_KOPPEN else None
            return {"na": na, "koppen": koppen, "volgende_na": volgende}

        return await self._getuigenis(request, "koppen", f"na={na}", lees)

    async def laatste_kop(self, request: Request) -> Response:
        """The largest head of the other party's log witnessed here (null: none yet)."""

        def lees() -> dict[str, Any]:
            kop = audit.laatste_getuigde_kop(uow=uow(self.settings, self.node), van=self.van)
            return {"kop": kop}

        return await self._getuigenis(request, "laatste", "laatste", lees)
