"""JSON Schemas and code lists of the exchange formats (copies of the spec's, shipped)."""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import cache
from importlib import resources
from typing import Any

import fastjsonschema


@cache
def validator(naam: str) -> Callable[[Any], Any]:
    """A compiled validator for a shipped schema, e.g. ``kbi-dossier``."""
    tekst = resources.files(__package__).joinpath(f"{naam}.schema.json").read_text("utf-8")
    compiled: Callable[[Any], Any] = fastjsonschema.compile(json.loads(tekst))
    return compiled
