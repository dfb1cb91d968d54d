"""The other node as witness of this node's audit log (issue 23): the heads of this log it
witnessed, read over its `GET /api/v1/audit/koppen`. Each head carries this node's own
signature, so no one can add or alter one; the answer as a whole is CMS signed by the other
party over the question (which list, which page) and a nonce this node chose for it, so that no
one on the way can drop the newest heads from it or give an answer from before either. A new
head is sent with `PartyMessenger` (`KOPPEN`), CMS signed."""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import httpx
import orjson

from kbi_exchange.adapters.crypto import cms
from kbi_exchange.adapters.crypto.pki import Pki
from kbi_exchange.adapters.party_messenger import MEDIA
from kbi_exchange.domain.access import Node
from kbi_exchange.domain.fouten import CmsError
from kbi_exchange.domain.incident import PartijOnbereikbaar

KOPPEN = "/api/v1/audit/koppen"
MAX_PAGINAS = 10_000  # 10 million heads: far past a head every five minutes for 50 years
# a page of 1 000 heads is about half a megabyte: an answer past this is not read on
MAX_ANTWOORD = 4 * 1024 * 1024
POGINGEN = 4  # tries of a read the other node answers 503 (too many signed reads at once)


class Getuige:
    def __init__(
        self,
        url: str,
        *,
        pki: Pki,
        node: Node,
        timeout: float = 10.0,
        transport: httpx.BaseTransport | None = None,
        wacht: Callable[[float], None] = time.sleep,
    ) -> None:
        self.url = url.rstrip("/")
        self.pki = pki
        self.node = node  # whose log: this node's
        self.andere = Node.VSB if node is Node.AII else Node.AII  # the witness
        self.timeout = timeout
        self.transport = transport
        self.wacht = wacht

    def _lees(self, http: httpx.Client, pad: str, params: dict[str, str]) -> bytes:
        """The body of a 200 answer (at most `MAX_ANTWOORD` bytes), after up to `POGINGEN`
        tries of a 503; else `PartijOnbereikbaar` saying why."""
        wachttijd = 0.0
        for poging in range(POGINGEN):
            if poging:
                self.wacht(wachttijd)
            try:
                with http.stream(
                    "GET", self.url + pad, params=params, headers={"Accept": MEDIA}
                ) as a:
                    if a.status_code == 503:  # busy signing for others: as it says, a moment
                        wachttijd = min(2.0, max(0.1, float(a.headers.get("retry-after") or 1)))
                        continue
                    if a.status_code != 200:
                        raise PartijOnbereikbaar(
                            f"the other node at {self.url} answered HTTP {a.status_code} to {pad}"
                        )
                    body = bytearray()
                    for stuk in a.iter_bytes():
                        body += stuk
                        if len(body) > MAX_ANTWOORD:
                            raise PartijOnbereikbaar(
                                f"the other node at {self.url} answered {pad} with more than "
                                f"{MAX_ANTWOORD} bytes: not read on"
                            )
                    return bytes(body)
            except (httpx.HTTPError, ValueError) as fout:
                raise PartijOnbereikbaar(
                    f"the other node at {self.url} did not answer ({type(fout).__name__})"
                ) from None
        raise PartijOnbereikbaar(
            f"the other node at {self.url} stayed too busy to answer {pad} ({POGINGEN} tries)"
        )

    def _haal(
        self, http: httpx.Client, pad: str, vraag: str, params: dict[str, str]
    ) -> dict[str, Any]:
        """The other party's signed answer to this very question: its signature (the other
        party's pinned certificate), both nodes, the question, the page asked for (``na``) and
        the nonce chosen for it here; else `PartijOnbereikbaar` saying why."""
        nonce = secrets.token_hex(16)
        ruw = self._lees(http, pad, {**params, "nonce": nonce})
        try:
            inhoud = cms.verify(
                ruw,
                ca=self.pki.ca(),
                ondertekenaar=self.pki.certificaat(self.andere.value),
                moment=datetime.now(UTC),
            )
            body = orjson.loads(inhoud)
        except (CmsError, orjson.JSONDecodeError) as fout:
            raise PartijOnbereikbaar(
                f"the other node at {self.url} answered {pad} without {self.andere.name}'s "
                f"signature over JSON ({fout})"
            ) from None
        if not isinstance(body, dict):
            raise PartijOnbereikbaar(f"the other node at {self.url} answered {pad} without JSON")
        verwacht: dict[str, object] = {
            "vraag": vraag,
            "getuige": self.andere.value,
            "van": self.node.value,
            "nonce": nonce,
            **({"na": int(params["na"])} if "na" in params else {}),
        }
        for veld, waarde in verwacht.items():
            if body.get(veld) != waarde:
                raise PartijOnbereikbaar(
                    f"the other node at {self.url} answered {pad} with {veld} "
                    f"{body.get(veld)!r}, not {waarde!r}: not the answer to this question"
                )
        return body

    def laatste(self) -> dict[str, Any] | None:
        """The largest head of this node's log the other node witnessed (None: none yet)."""
        with httpx.Client(timeout=self.timeout, transport=self.transport) as http:
            body = self._haal(http, KOPPEN + "/laatste", "laatste", {})
        kop = body.get("kop", False)
        if kop is not None and not isinstance(kop, dict):
            raise PartijOnbereikbaar(
                f"the other node at {self.url} answered {KOPPEN}/laatste without a head or null"
            )
        return kop

    def alle(self) -> list[dict[str, Any]]:
        """Every head of this node's log the other node witnessed, by size; an answer whose
        heads are not in increasing size, across its pages too, fails (nothing is skipped)."""
        koppen: list[dict[str, Any]] = []
        na = 0
        with httpx.Client(timeout=self.timeout, transport=self.transport) as http:
            for _ in range(MAX_PAGINAS):
                body = self._haal(http, KOPPEN, "koppen", {"na": str(na)})
                pagina = body.get("koppen")
                if not isinstance(pagina, list):
                    raise PartijOnbereikbaar(f"the other node at {self.url}: no list of heads")
                for kop in pagina:
                    seq = kop.get("seq") if isinstance(kop, dict) else None
                    vorige = koppen[-1]["seq"] if koppen else na
                    # by size, each once: an answer that is not cannot be read as the whole list
                    if not isinstance(seq, int) or isinstance(seq, bool) or seq <= vorige:
                        raise PartijOnbereikbaar(
                            f"the other node at {self.url} answered {KOPPEN} with heads out of "
                            f"order (a head of {seq!r} entries after {vorige})"
                        )
                    koppen.append(kop)
                volgende = body.get("volgende_na")
                if not isinstance(volgende, int) or volgende <= na:
                    return koppen
                na = volgende
        return koppen
