"""What both nodes' web services share: JSON responses, bounded bodies, bearer tokens."""

from __future__ import annotations

import orjson
from fastapi import Request, Response


def json_antwoord(
    body: object, status: int = 200, headers: dict[str, str] | None = None
) -> Response:
    return Response(
        orjson.dumps(body), status_code=status, media_type="application/json", headers=headers
    )


async def lees_begrensd(request: Request, maximum: int) -> bytes | None:
    """The body, or None as soon as it is larger than ``maximum`` bytes.

    Read as it streams in, so that a body without `Content-Length` (chunked) is refused at the
    limit instead of being held whole; what the caller still sends is discarded unread.
    """
    lengte = request.headers.get("content-length")
    if lengte is not None and lengte.isdigit() and int(lengte) > maximum:
        return None
    ruw = bytearray()
    async for stuk in request.stream():
        ruw += stuk
        if len(ruw) > maximum:
            return None
    return bytes(ruw)


def bearer_token(request: Request) -> str | None:
    soort, _, token = request.headers.get("authorization", "").partition(" ")
    return token.strip() if soort.lower() == "bearer" and token.strip() else None


def adres(request: Request) -> str:
    return request.client.host if request.client else "unknown"
