"""`GET /metrics` in Prometheus's text format (the official client library), and the access
log: requests by route, method and status, their latency, the advice answers by result, the
writer's queue and how long an answer waits for its group — answer and audit entry — to be
committed (the audit lag: nothing leaves before its entry is committed).

Labels name a route by its template (``/api/v1/lijsten/{jaar}``), never the path a client sent:
no number, no INSZ, and a bounded set of series whatever junk arrives. Several server processes
(`kbi serve --workers N`) share their figures through ``PROMETHEUS_MULTIPROC_DIR``, which
`kbi serve` sets to a folder of the home it empties at start.

`/metrics` answers the machine itself only (a loopback address), as `/api/v1/health` is for
probes: Prometheus scrapes it beside the node, or through a tunnel, never through the public
proxy (which would make every request look local: do not route `/metrics` there).
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
)
from starlette.requests import Request
from starlette.responses import Response

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
LATENTIES = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)

VERZOEKEN = Counter(
    "kbi_http_requests_total",
    "HTTP requests answered, by route template, method and status",
    ["node", "route", "method", "status"],
)
DUUR = Histogram(
    "kbi_http_request_duration_seconds",
    "Time from a request's arrival to the end of its answer, by route template",
    ["node", "route"],
    buckets=LATENTIES,
)
ANTWOORDEN = Counter(
    "kbi_advies_answers_total",
    "Advice answers given (F1), by channel and advies (OK, NOK, none: an uitzondering)",
    ["node", "kanaal", "advies"],
)
WACHTEND = Gauge(
    "kbi_writer_waiting",
    "Jobs waiting for the group-commit writer (its queue), as last seen by each process",
    ["node"],
    multiprocess_mode="livesum",
)
AUDIT_VERTRAGING = Histogram(
    "kbi_audit_commit_seconds",
    "Time from a job reaching the writer until its group (answers and their audit entries) "
    "is committed: how long an answer waits for its audit entry",
    ["node"],
    buckets=LATENTIES,
)

toegang = logging.getLogger("kbi_exchange.access")

LOKAAL = frozenset({"127.0.0.1", "::1", "::ffff:127.0.0.1", "localhost"})

Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]
Asgi = Callable[[Scope, Receive, Send], Awaitable[None]]


def route_van(scope: Scope) -> str:
    """The template of the route that answered (set by the router), else ``unmatched``."""
    route = scope.get("route")
    return str(getattr(route, "path", None) or "unmatched")


class Meter:
    """ASGI middleware: every request counted and timed by its route's template, and written
    to the access log (``kbi_exchange.access``, when enabled) without path or query."""

    def __init__(self, app: Asgi, node: str) -> None:
        self.app = app
        self.node = node

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        begin = time.perf_counter()
        status = 500  # an answer that never began is a failure

        async def meet(bericht: MutableMapping[str, Any]) -> None:
            nonlocal status
            if bericht["type"] == "http.response.start":
                status = int(bericht["status"])
            await send(bericht)

        try:
            await self.app(scope, receive, meet)
        finally:
            duur = time.perf_counter() - begin
            route = route_van(scope)
            VERZOEKEN.labels(self.node, route, scope["method"], str(status)).inc()
            DUUR.labels(self.node, route).observe(duur)
            if toegang.isEnabledFor(logging.INFO):
                toegang.info(
                    "request",
                    extra={
                        "route": route,
                        "method": scope["method"],
                        "status": status,
                        "ms": round(duur * 1000, 2),
                    },
                )


def tel_antwoorden(node: str, kanaal: str, adviezen: list[str | None]) -> None:
    for advies in adviezen:
        ANTWOORDEN.labels(node, kanaal, advies or "none").inc()


def schrijver_gemeten(node: str, wachtend: int, seconden: float) -> None:
    WACHTEND.labels(node).set(wachtend)
    AUDIT_VERTRAGING.labels(node).observe(seconden)


async def metrics(request: Request) -> Response:
    """Prometheus's text format: this process's figures, or all processes' of the server."""
    client = request.client.host if request.client else ""
    # through a proxy (a forwarded header), the address may be the proxy's or a client's claim
    doorgestuurd = any(k in request.headers for k in ("x-forwarded-for", "forwarded"))
    if client not in LOKAAL or doorgestuurd:
        return Response(status_code=404)
    if os.environ.get(MULTIPROC_ENV):
        register = CollectorRegistry()
        multiprocess.MultiProcessCollector(register)  # type: ignore[no-untyped-call]
        inhoud = generate_latest(register)
    else:
        inhoud = generate_latest()
    return Response(inhoud, media_type=CONTENT_TYPE_LATEST)
