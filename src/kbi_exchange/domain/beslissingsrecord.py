"""What the advice service keeps of an answer it gave, to answer a repeated referte."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True, slots=True)
class EerdereBeslissing:
    """A stored answer: its record id, the hash of its question, the body sent, the INSZ asked."""

    id: str
    vraag_sha256: str
    antwoord: str
    insz: str


@dataclass(frozen=True, slots=True)
class Beslissingsrecord:
    """A whole decision record: the question, when it was answered on which knowledge, the
    parameter version and the facts it rested on, and the body sent (JSON text)."""

    id: str
    client: str
    referte: str
    insz: str
    datum: str
    doel: str
    gekend_op: datetime
    gegeven_op: datetime
    parameterversie: str
    feit_ids: frozenset[str]
    antwoord: str
