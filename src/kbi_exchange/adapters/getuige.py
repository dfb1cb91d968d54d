"""The other node as witness of this node's audit log (issue 23): the heads of this log it
witnessed, read over its public `GET /api/v1/audit/koppen` (each head carries this node's own
signature, so the answer needs no trust in the channel: a head this node did not sign is named
by `kbi audit verify`). A new head is sent with `PartyMessenger` (`KOPPEN`), CMS signed."""

from __future__ import annotations

from typing import Any

import httpx

from kbi_exchange.domain.incident import PartijOnbereikbaar

KOPPEN = "/api/v1/audit/koppen"
MAX_PAGINAS = 10_000  # 10 million heads: far past a head every five minutes for 50 years


class Getuige:
    def __init__(
        self, url: str, *, timeout: float = 10.0, transport: httpx.BaseTransport | None = None
    ) -> None:
        self.url = url.rstrip("/")
        self.timeout = timeout
        self.transport = transport

    def _haal(self, http: httpx.Client, pad: str, params: dict[str, str]) -> dict[str, Any]:
        try:
            antwoord = http.get(self.url + pad, params=params)
        except httpx.HTTPError as fout:
            raise PartijOnbereikbaar(
                f"the other node at {self.url} did not answer ({type(fout).__name__})"
            ) from None
        if antwoord.status_code != 200:
            raise PartijOnbereikbaar(
                f"the other node at {self.url} answered HTTP {antwoord.status_code} to {pad}"
            )
        try:
            body = antwoord.json()
        except ValueError:
            body = None
        if not isinstance(body, dict):
            raise PartijOnbereikbaar(f"the other node at {self.url} answered {pad} without JSON")
        return body

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
