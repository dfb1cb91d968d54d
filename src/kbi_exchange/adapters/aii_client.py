"""The VSB node's client of the AII node's advice service (SPEC §7, §9).

Timeouts on every call; retries of the same question with the same referte (AII answers a
repeated referte from its decision record, so a retry never counts twice); a circuit breaker
that stops calling a node that keeps failing and lets one trial call through after a pause.
Whatever cannot be read as an answer is `BronOnbeschikbaar`: never a silent OK.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from datetime import date
from typing import Any

import httpx

from kbi_exchange.domain.aanvraag import BronAntwoord, BronOnbeschikbaar
from kbi_exchange.domain.kwaliteit import MeldingGeweigerd

log = logging.getLogger(__name__)

DOEL = "ZORGBUDGET"
MAX_RETRY_AFTER = 5.0


class CircuitBreaker:
    """Open after ``drempel`` failures in a row: calls fail at once for ``pauze`` seconds,
    then one trial call decides whether it closes again. Shared by the threads of a process."""

    def __init__(
        self, drempel: int, pauze: float, klok: Callable[[], float] = time.monotonic
    ) -> None:
        self.drempel = drempel
        self.pauze = pauze
        self.klok = klok
        self._fouten = 0
        self._open_sinds: float | None = None
        self._proef_bezig = False
        self._slot = threading.Lock()

    @property
    def open(self) -> bool:
        with self._slot:
            return self._open_sinds is not None and self.klok() - self._open_sinds < self.pauze

    def toegestaan(self) -> bool:
        """Whether a call may go out now (one trial at a time once the pause is over)."""
        with self._slot:
            if self._open_sinds is None:
                return True
            if self.klok() - self._open_sinds < self.pauze or self._proef_bezig:
                return False
            self._proef_bezig = True
            return True

    def gelukt(self) -> None:
        with self._slot:
            self._fouten, self._open_sinds, self._proef_bezig = 0, None, False

    def mislukt(self) -> None:
        with self._slot:
            self._fouten += 1
            if self._proef_bezig or self._fouten >= self.drempel:
                self._open_sinds = self.klok()
            self._proef_bezig = False


class _Tijdelijk(Exception):
    """One attempt failed in a way that a later attempt may not: try again."""

    def __init__(self, reden: str, wacht: float | None = None) -> None:
        super().__init__(reden)
        self.wacht = wacht


def _uitzonderingen(ruw: object) -> tuple[dict[str, str], ...]:
    if not isinstance(ruw, list):
        raise ValueError("uitzonderingen is not a list")
    gelezen = []
    for u in ruw:
        if not isinstance(u, dict) or not isinstance(u.get("identificatie"), str):
            raise ValueError("an uitzondering without identificatie")
        gelezen.append({k: str(u.get(k, "")) for k in ("identificatie", "type", "diagnose")})
    return tuple(gelezen)


def lees_antwoord(body: Any, referte: str) -> BronAntwoord:
    """An answer body of SPEC §7 as a `BronAntwoord`; ValueError when it is not one."""
    if not isinstance(body, dict):
        raise ValueError("the answer is not a JSON object")
    advies = body.get("advies")
    if advies not in ("OK", "NOK", None):
        raise ValueError(f"unknown advies {str(advies)[:10]!r}")
    gegeven = body.get("referte")
    if gegeven is not None and gegeven != referte:
        raise ValueError("the answer carries another referte")
    if advies is not None and gegeven != referte:
        raise ValueError("an advice without our referte")
    reden = body.get("reden")
    if reden is not None and not (isinstance(reden, dict) and isinstance(reden.get("code"), str)):
        raise ValueError("a reason without its code")
    if advies == "NOK" and reden is None:
        raise ValueError("a NOK without its reason")
    uitzonderingen = _uitzonderingen(body.get("uitzonderingen", []))
    if advies is None and not uitzonderingen:
        raise ValueError("a refusal without an uitzondering")
    return BronAntwoord(
        referte=referte,
        advies=advies,
        reden_code=reden["code"] if isinstance(reden, dict) else None,
        reden_omschrijving=str(reden.get("omschrijving", "")) if isinstance(reden, dict) else None,
        uitzonderingen=uitzonderingen,
    )


class AiiClient:
    """Asks the AII node one question at a time over REST (`POST /api/v1/advies`)."""

    def __init__(
        self,
        url: str,
        token: str,
        *,
        timeout: float,
        pogingen: int,
        wacht: float,
        breaker: CircuitBreaker,
        transport: httpx.BaseTransport | None = None,
        slaap: Callable[[float], None] = time.sleep,
    ) -> None:
        # a missing token is said when AII would be asked, not before: the question is
        # checked first, and a bad one refused as such
        self._zonder_token = not token
        self.pogingen = max(1, pogingen)
        self.wacht = wacht
        self.breaker = breaker
        self.slaap = slaap
        self._http = httpx.Client(
            base_url=url,
            headers={"Authorization": f"Bearer {token}"},
            timeout=httpx.Timeout(timeout),
            transport=transport,
        )

    def close(self) -> None:
        self._http.close()

    def _vereis_token(self) -> None:
        if self._zonder_token:
            raise BronOnbeschikbaar(
                "no client token for the AII node: set KBI_VSB_AII_TOKEN or [vsb] aii_token"
            )

    def __enter__(self) -> AiiClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def vraag(self, insz: str, datum: date, referte: str) -> BronAntwoord:
        """AII's answer to "does this person comply on ``datum``?" for purpose ZORGBUDGET.

        Retries with the same referte on timeouts, lost connections and 5xx; raises
        `BronOnbeschikbaar` when no attempt got an answer, or the circuit is open.
        """
        self._vereis_token()
        vraag = {"insz": insz, "datum": datum.isoformat(), "doel": DOEL, "referte": referte}
        laatste = "not asked"
        for poging in range(self.pogingen):
            if not self.breaker.toegestaan():
                raise BronOnbeschikbaar("AII is not called for a while: it failed repeatedly")
            try:
                try:
                    antwoord = self._een_keer(vraag, referte)
                except _Tijdelijk:
                    raise
                except Exception as onverwacht:  # whatever else: never an answer, never stuck
                    raise _Tijdelijk(f"unexpected {type(onverwacht).__name__}") from None
            except _Tijdelijk as fout:
                self.breaker.mislukt()
                laatste = str(fout)
                log.info("AII attempt %d for referte %s failed: %s", poging + 1, referte, fout)
                if poging + 1 < self.pogingen:
                    pauze = self.wacht * 2**poging
                    if fout.wacht is not None:
                        pauze = max(pauze, min(fout.wacht, MAX_RETRY_AFTER))
                    self.slaap(pauze)
                continue
            self.breaker.gelukt()
            return antwoord
        raise BronOnbeschikbaar(f"AII did not answer after {self.pogingen} attempts: {laatste}")

    def _een_keer(self, vraag: dict[str, str], referte: str) -> BronAntwoord:
        try:
            antwoord = self._http.post("/api/v1/advies", json=vraag)
        except httpx.TimeoutException:
            raise _Tijdelijk("timed out") from None
        except httpx.TransportError as fout:
            raise _Tijdelijk(f"cannot reach AII ({type(fout).__name__})") from None
        if antwoord.status_code >= 500 or antwoord.status_code == 429:
            wacht = antwoord.headers.get("retry-after", "")
            raise _Tijdelijk(
                f"HTTP {antwoord.status_code}", float(wacht) if wacht.isdigit() else None
            )
        try:
            return lees_antwoord(antwoord.json(), referte)
        except (ValueError, TypeError, KeyError) as fout:  # also a body that is no JSON at all
            raise _Tijdelijk(f"HTTP {antwoord.status_code}, unreadable answer: {fout}") from None

    # --- data quality (art. 7) -------------------------------------------------------------

    def _json(self, methode: str, pad: str, **kwargs: Any) -> tuple[int, Any]:
        """One call: its status and JSON body; `BronOnbeschikbaar` when AII cannot be reached
        or answers with no readable JSON (these calls change nothing twice when repeated by
        the operator: a report is sent once per command, fetches are by sequence number)."""
        self._vereis_token()
        if not self.breaker.toegestaan():
            raise BronOnbeschikbaar("AII is not called for a while: it failed repeatedly")
        try:
            antwoord = self._http.request(methode, pad, **kwargs)
            body = antwoord.json()
        except (httpx.HTTPError, ValueError) as fout:
            self.breaker.mislukt()
            raise BronOnbeschikbaar(f"AII did not answer ({type(fout).__name__})") from None
        if antwoord.status_code >= 500 or antwoord.status_code == 429:
            self.breaker.mislukt()
            raise BronOnbeschikbaar(f"AII answered HTTP {antwoord.status_code}")
        self.breaker.gelukt()
        return antwoord.status_code, body

    @staticmethod
    def _fout(status: int, body: Any) -> str:
        if isinstance(body, dict) and isinstance(body.get("detail"), str):
            return str(body["detail"])
        uitzonderingen = body.get("uitzonderingen") if isinstance(body, dict) else None
        if uitzonderingen:
            return "; ".join(str(u.get("diagnose")) for u in uitzonderingen)
        return f"HTTP {status}"

    def meld(
        self, melding_id: str, insz: str, omschrijving: str, referte: str | None
    ) -> dict[str, Any]:
        """Report an error in a person's data under VSB's id for it (sent again, the same
        report comes back): AII's record of it (id, status, due date)."""
        body: dict[str, Any] = {"id": melding_id, "insz": insz, "omschrijving": omschrijving}
        if referte is not None:
            body["referte"] = referte
        status, antwoord = self._json("POST", "/api/v1/meldingen", json=body)
        if status not in (200, 201) or not isinstance(antwoord, dict) or "id" not in antwoord:
            raise MeldingGeweigerd(self._fout(status, antwoord))
        return antwoord

    def melding(self, melding_id: str) -> dict[str, Any]:
        status, antwoord = self._json("GET", f"/api/v1/meldingen/{melding_id}")
        if status != 200 or not isinstance(antwoord, dict):
            raise MeldingGeweigerd(self._fout(status, antwoord))
        return antwoord

    def rectificaties(self, na: int) -> tuple[list[dict[str, Any]], int]:
        """AII's rectified answers to VSB's questions after sequence number ``na``."""
        status, antwoord = self._json("GET", "/api/v1/rectificaties", params={"na": na})
        if status != 200 or not isinstance(antwoord, dict):
            raise MeldingGeweigerd(self._fout(status, antwoord))
        return list(antwoord["rectificaties"]), int(antwoord["volgende"])
