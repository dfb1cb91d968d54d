"""What the advice service keeps of an answer it gave, to answer a repeated referte."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class EerdereBeslissing:
    """A stored answer: its record id, the hash of its question, the body sent, the INSZ asked."""

    id: str
    vraag_sha256: str
    antwoord: str
    insz: str
