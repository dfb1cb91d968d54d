"""What both nodes' web services share: JSON responses, bounded bodies, bearer tokens, and the
bounds of the HTTP server that `kbi serve` runs them in."""

from __future__ import annotations

import asyncio
import functools
import os
from http import HTTPStatus

import orjson
from fastapi import Request, Response
from starlette.requests import ClientDisconnect
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from kbi_exchange.domain.fouten import KbiFout, Unavailable
from kbi_exchange.entrypoints.api.grenzen import (
    BODY_TIMEOUT,
    BODY_TIMEOUT_ENV,
    HEADER_TIMEOUT,
    HEADER_TIMEOUT_ENV,
    KEEP_ALIVE_TIMEOUT,
    MAX_CONCURRENCY,
    MAX_HEADERS,
)

__all__ = [
    "BODY_TIMEOUT",
    "BODY_TIMEOUT_ENV",
    "HEADER_TIMEOUT",
    "HEADER_TIMEOUT_ENV",
    "KEEP_ALIVE_TIMEOUT",
    "MAX_CONCURRENCY",
    "MAX_HEADERS",
]


class BodyNotReceived(Exception):
    """A request's body did not arrive whole: too slowly, or the client left."""


@functools.cache
def timeouts() -> tuple[float, float]:
    """The header and body timeouts of this process: `kbi serve`'s, else the defaults."""
    return (
        float(os.environ.get(HEADER_TIMEOUT_ENV) or HEADER_TIMEOUT),
        float(os.environ.get(BODY_TIMEOUT_ENV) or BODY_TIMEOUT),
    )


def json_antwoord(
    body: object, status: int = 200, headers: dict[str, str] | None = None
) -> Response:
    return Response(
        orjson.dumps(body), status_code=status, media_type="application/json", headers=headers
    )


def fout_antwoord(fout: KbiFout) -> Response:
    """The one mapping of refused work to an HTTP answer (both nodes): its status, its
    message and its code; a caller told to wait is told when to try again."""
    kop = {"Retry-After": "30"} if isinstance(fout, Unavailable) else None
    return json_antwoord({"detail": str(fout), "code": fout.code}, fout.status, kop)


async def lees_begrensd(request: Request, maximum: int) -> bytes | None:
    """The body, or None as soon as it is larger than ``maximum`` bytes.

    Read as it streams in, so that a body without `Content-Length` (chunked) is refused at the
    limit instead of being held whole; what the caller still sends is discarded unread. A body
    not in within the body timeout raises `BodyNotReceived`, which both apps answer with 408.
    """
    lengte = request.headers.get("content-length")
    if lengte is not None and lengte.isdigit() and int(lengte) > maximum:
        return None
    ruw = bytearray()
    termijn = timeouts()[1]
    try:
        async with asyncio.timeout(termijn):
            async for stuk in request.stream():
                ruw += stuk
                if len(ruw) > maximum:
                    return None
    except TimeoutError:
        raise BodyNotReceived(f"the body did not arrive within {termijn:g} s") from None
    except ClientDisconnect:
        raise BodyNotReceived("the client left before its body arrived") from None
    return bytes(ruw)


async def body_not_received(_: Request, fout: Exception) -> Response:
    """408, and the connection closed: what the client still sends is not read."""
    return json_antwoord({"detail": str(fout)}, 408, {"Connection": "close"})


def bearer_token(request: Request) -> str | None:
    soort, _, token = request.headers.get("authorization", "").partition(" ")
    return token.strip() if soort.lower() == "bearer" and token.strip() else None


def adres(request: Request) -> str:
    return request.client.host if request.client else "unknown"


class _HeadersTooLarge(Exception):
    """Raised in the parser's callback: httptools stops, and uvicorn calls `send_400_response`."""


class BoundedHttpToolsProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol with bounds on each request's headers and on its body.

    uvicorn (0.55) has none: its keep-alive timer runs only between requests and the first byte
    of the next one stops it, so a client that sends a header byte a second holds a connection
    for ever (slowloris), as does one that trickles a body no handler reads (after a 401, or a
    413 said from `Content-Length`); and httptools buffers headers of any size. uvicorn's h11
    protocol bounds their size, but served half the requests a second on /api/v1/live (8 900
    against 19 000) and 10-18 % fewer advice questions (benchmarks/bench_advies.py, 2026-12-03);
    these bounds cost httptools nothing measurable.
    """

    _deadline: asyncio.TimerHandle | None = None
    _phase: str | None = None  # what the client is sending: "headers", "body", or nothing
    _headers_read = 0  # bytes received since the request began, while in its headers
    _too_large = False

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._phase = "headers"
        self._arm(timeouts()[0])  # uvicorn times no connection before its first request

    def connection_lost(self, exc: Exception | None) -> None:
        self._arm(None)
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        if self.transport.is_closing():
            return
        if self._phase == "headers":
            # httptools keeps a header until it is whole: count what comes in before it is
            self._headers_read += len(data)
            if self._headers_read > MAX_HEADERS:
                self._too_large = True
                self.send_400_response("")
                return
        if self._phase is not None and self._deadline is None:
            # armed only here, so that a request that came whole in one read costs no timer
            kop, body = timeouts()
            self._arm(kop if self._phase == "headers" else 2 * body)

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._phase, self._headers_read = "headers", 0

    def on_headers_complete(self) -> None:
        grootte = len(self.url) + sum(len(naam) + len(waarde) + 4 for naam, waarde in self.headers)
        if grootte > MAX_HEADERS:  # they came in one read
            self._too_large = True
            raise _HeadersTooLarge
        super().on_headers_complete()
        # a handler reading the body answers 408 at the body timeout; the later deadline that
        # `data_received` sets closes the connections whose bodies no handler reads
        self._phase = "body"
        self._arm(None)

    def on_message_complete(self) -> None:
        super().on_message_complete()
        self._phase = None
        self._arm(None)

    def send_400_response(self, msg: str) -> None:
        """400 for a malformed request; 431 when its line and headers outgrew `MAX_HEADERS`."""
        if not self._too_large:
            super().send_400_response(msg)
            return
        self._answer_and_close(
            HTTPStatus.REQUEST_HEADER_FIELDS_TOO_LARGE,
            f"The request's line and headers are larger than {MAX_HEADERS} bytes.",
        )

    def _arm(self, seconden: float | None) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
        self._deadline = None if seconden is None else self.loop.call_later(seconden, self._late)

    def _late(self) -> None:
        self._deadline = None
        if self.transport.is_closing():
            return
        if self._phase == "headers" and self._headers_read:  # part of a request came
            tekst = "The request's headers did not arrive in time."
            self._answer_and_close(HTTPStatus.REQUEST_TIMEOUT, tekst)
        else:
            self.transport.close()

    def _answer_and_close(self, status: HTTPStatus, tekst: str) -> None:
        """A plain-text answer outside any request cycle (written as is), then close."""
        inhoud = (tekst + "\n").encode()
        kop = [f"HTTP/1.1 {status.value} {status.phrase}".encode()]
        kop += [naam + b": " + waarde for naam, waarde in self.server_state.default_headers]
        kop += [
            b"content-type: text/plain; charset=utf-8",
            b"content-length: %d" % len(inhoud),
            b"connection: close",
        ]
        self.transport.write(b"\r\n".join(kop) + b"\r\n\r\n" + inhoud)
        self.transport.close()
