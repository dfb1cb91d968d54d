"""The other node as witness of this node's audit log (issue 23): the heads of this log it
witnessed, read over its `GET /api/v1/audit/koppen`. Each head carries this node's own
signature, so no one can add or alter one; the answer as a whole is CMS signed by the other
party and names both nodes, the page asked for and when it was said, so that no one on the way
can drop the newest heads from it either (a page older than `VERS` is refused: replayed). A
new head is sent with `PartyMessenger` (`KOPPEN`), CMS signed."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
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
# an answer said longer ago (or further ahead) than this is refused, as witness requests are:
# the nodes' clocks agree within it (NTP), and it bounds what a replayed answer can hide
VERS = timedelta(minutes=10)


class Getuige:
    def __init__(
        self,
        url: str,
        *,
        pki: Pki,
        node: Node,
        timeout: float = 10.0,
        transport: httpx.BaseTransport | None = None,
        nu: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.url = url.rstrip("/")
        self.pki = pki
        self.node = node  # whose log: this node's
        self.andere = Node.VSB if node is Node.AII else Node.AII  # the witness
        self.timeout = timeout
        self.transport = transport
        self.nu = nu

    def _haal(self, http: httpx.Client, pad: str, params: dict[str, str]) -> dict[str, Any]:
        """The other party's signed answer, checked: its signature, both nodes, the page
        asked for (``na``) and its freshness; else `PartijOnbereikbaar` saying why."""
        try:
            antwoord = http.get(self.url + pad, params=params, headers={"Accept": MEDIA})
        except httpx.HTTPError as fout:
            raise PartijOnbereikbaar(
                f"the other node at {self.url} did not answer ({type(fout).__name__})"
            ) from None
        if antwoord.status_code != 200:
            raise PartijOnbereikbaar(
                f"the other node at {self.url} answered HTTP {antwoord.status_code} to {pad}"
            )
        nu = self.nu()
        try:
            inhoud = cms.verify(
                antwoord.content,
                ca=self.pki.ca(),
                ondertekenaar=self.pki.certificaat(self.andere.value),
                moment=nu,
            )
            body = orjson.loads(inhoud)
        except (CmsError, orjson.JSONDecodeError) as fout:
            raise PartijOnbereikbaar(
                f"the other node at {self.url} answered {pad} without {self.andere.name}'s "
                f"signature over JSON ({fout})"
            ) from None
        if not isinstance(body, dict):
            raise PartijOnbereikbaar(f"the other node at {self.url} answered {pad} without JSON")
        self._controleer(body, pad, params, nu)
        return body

    def _controleer(
        self, body: dict[str, Any], pad: str, params: dict[str, str], nu: datetime
    ) -> None:
        """A signed answer about this node's log, to this question, said just now."""
        verwacht: dict[str, object] = {"getuige": self.andere.value, "van": self.node.value}
        if "na" in params:
            verwacht["na"] = int(params["na"])
        for veld, waarde in verwacht.items():
            if body.get(veld) != waarde:
                raise PartijOnbereikbaar(
                    f"the other node at {self.url} answered {pad} with {veld} "
                    f"{body.get(veld)!r}, not {waarde!r}: not the answer to this question"
                )
        try:
            op = datetime.fromisoformat(str(body.get("op")))
        except ValueError:
            op = None
        if op is None or op.tzinfo is None or abs(nu - op) > VERS:
            raise PartijOnbereikbaar(
                f"the other node at {self.url} answered {pad} with an answer said at "
                f"{body.get('op')!r}, not within {VERS.total_seconds() / 60:.0f} minutes of now: "
                "replayed, or a clock is off"
            )

    def laatste(self) -> dict[str, Any] | None:
        """The largest head of this node's log the other node witnessed (None: none yet)."""
        with httpx.Client(timeout=self.timeout, transport=self.transport) as http:
            kop = self._haal(http, KOPPEN + "/laatste", {}).get("kop")
        return kop if isinstance(kop, dict) else None

    def alle(self) -> list[dict[str, Any]]:
        """Every head of this node's log the other node witnessed, by size; an answer whose
        heads are not in increasing size, across its pages too, fails (nothing is skipped)."""
        koppen: list[dict[str, Any]] = []
        na = 0
        with httpx.Client(timeout=self.timeout, transport=self.transport) as http:
            for _ in range(MAX_PAGINAS):
                body = self._haal(http, KOPPEN, {"na": str(na)})
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
