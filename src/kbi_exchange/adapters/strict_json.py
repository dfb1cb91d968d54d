"""JSON as this system accepts it from outside: RFC 8259 strictly, and no object that repeats
a key (SPEC §7: `50000`). A repeated key is a classic way to make two readers of one message
see two different questions — orjson keeps the last value, another parser the first — so it is
refused instead of resolved."""

from __future__ import annotations

import json
import re

import orjson

_VELDNAAM = re.compile(r"[a-z_]{1,40}")


class JsonError(ValueError):
    """The bytes are not one strict JSON value; the message says why, never what."""


class RepeatedKey(JsonError):
    """An object that holds one key twice."""


def _zonder_herhaling(paren: list[tuple[str, object]]) -> dict[str, object]:
    uit = dict(paren)
    if len(uit) != len(paren):
        gezien: set[str] = set()
        for sleutel, _ in paren:
            if sleutel in gezien:
                # named only when it looks like a field name: a key may be anything, an INSZ too
                naam = f" {sleutel!r}" if _VELDNAAM.fullmatch(sleutel) else ""
                raise RepeatedKey(f"the key{naam} appears twice in one object")
            gezien.add(sleutel)
    return uit


_HERHALING = json.JSONDecoder(object_pairs_hook=_zonder_herhaling)


def loads(ruw: bytes | str) -> object:
    """The value of ``ruw``; `JsonError` for anything but strict JSON without repeated keys.

    orjson checks the grammar first (no NaN, no lone surrogates, numbers a double holds, UTF-8);
    the standard library then finds a repeated key, which orjson silently resolves.
    """
    try:
        orjson.loads(ruw)
    except orjson.JSONDecodeError:
        raise JsonError("not valid JSON (or not UTF-8)") from None
    try:
        return _HERHALING.decode(ruw.decode("utf-8") if isinstance(ruw, bytes) else ruw)
    except ValueError as fout:  # JsonError itself, or a number past Python's digit limit
        if isinstance(fout, JsonError):
            raise
        raise JsonError("not valid JSON") from None
