"""Every audit event has a typed payload; the keys the DPO's search looks up are in the
payloads of the events it searches; content that is not its event's payload is refused."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from kbi_exchange.domain.audit import AuditGebeurtenis, verstrekkingen
from kbi_exchange.domain.audit_inhoud import (
    INHOUD,
    OngeldigeInhoud,
    controleer,
    nieuwe_regel,
    sleutels,
)

NU = datetime(2026, 1, 15, 10, tzinfo=UTC)


def test_every_event_has_a_payload() -> None:
    assert set(AuditGebeurtenis) - set(INHOUD) == set()


def _soorten(g: AuditGebeurtenis) -> tuple[type, ...]:
    soort = INHOUD[g]
    return tuple(getattr(soort, "__args__", (soort,)))


def test_the_searchs_keys_are_in_every_payload_of_the_events_it_searches() -> None:
    alle = verstrekkingen(
        lijsten=["l"], ontvangen=["o"], zendingen=["z"], aanvragen=["a"], berichten=["b"]
    )
    assert len(alle) == 6
    for v in alle:
        for g in v.gebeurtenissen:
            # at least one payload of the event carries the key the search looks for
            assert any(v.sleutel in sleutels(s)[1] for s in _soorten(AuditGebeurtenis(g))), (
                g,
                v.sleutel,
            )


def test_no_payload_names_a_persons_number() -> None:
    verboden = {"insz", "inszen", "rijksregisternummer"}
    for g in INHOUD:
        for s in _soorten(g):
            assert not verboden & sleutels(s)[1], (g, s)


def test_content_that_is_not_the_events_payload_is_refused_before_it_is_an_entry() -> None:
    goed = {"lijst": "l-1", "jaar": 2026, "bestand_sha256": None}
    controleer(AuditGebeurtenis.LIJST_OPGEHAALD, goed)
    with pytest.raises(OngeldigeInhoud, match="kbi:lijst:pull"):
        controleer(AuditGebeurtenis.LIJST_OPGEHAALD, {**goed, "insz": "85073001348"})
    with pytest.raises(OngeldigeInhoud):
        controleer(AuditGebeurtenis.LIJST_OPGEHAALD, {"lijst": "l-1"})
    with pytest.raises(OngeldigeInhoud):
        nieuwe_regel(
            gebeurtenis=AuditGebeurtenis.AUDIT_GEZOCHT,
            actor="dora",
            tijdstip=NU,
            inhoud={"gevonden": 1, "extra": 2},  # type: ignore[arg-type]
            insz=None,
            insz_hashes=lambda _: [],
        )
    # an event with two payloads takes either
    controleer(AuditGebeurtenis.PROTOCOL_STAP, {"gemeld": "p", "soort": "opgezegd"})
