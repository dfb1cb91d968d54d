"""The advice use case on fakes (SPEC §7): validity, purposes, referte idempotency, records and
audit — every channel's rules, in milliseconds."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from typing import Any

import pytest

from kbi_exchange.domain.client import FailedAuthentications
from kbi_exchange.domain.uitzondering import Code, Uitzondering
from kbi_exchange.services.advies import MislukteAanmeldingen, VerzoekGeweigerd
from kbi_exchange.services.bericht import Bericht, Kanaal
from tests.fakes import insz_hash
from tests.services.conftest import VSB, Writer

INSZ = "85073003328"


def _vraag(insz: str = INSZ, datum: str = "2023-01-01", **extra: str) -> dict[str, str]:
    return {
        "insz": insz,
        "datum": datum,
        "doel": "ZORGBUDGET",
        "referte": str(uuid.uuid4()),
        **extra,
    }


def _codes(bericht: Bericht) -> list[str]:
    return [u.identificatie.value for u in bericht.uitzonderingen]


def test_an_answer_is_recorded_and_audited_under_the_persons_keyed_hash(writer: Writer) -> None:
    (bericht,) = writer.vraag(_vraag())
    assert bericht.advies in {"OK", "NOK"}
    assert len(writer.beslissingen.rijen) == 1
    (regel,) = writer.audit.posten_
    assert regel.gebeurtenis == "kbi:advies:answer"
    assert regel.insz_hash == insz_hash(INSZ)
    assert INSZ not in (regel.inhoud or "")


def test_every_answer_and_refusal_about_a_person_is_audited_under_their_keyed_hash(
    writer: Writer,
) -> None:
    vraag = _vraag(INSZ)
    writer.vraag(vraag)
    writer.vraag(vraag)  # a repeat
    writer.vraag(_vraag(INSZ, doel="VERLAAGDE_PREMIE", datum="2024-01-01"))
    gezocht = insz_hash(INSZ)
    assert [r.gebeurtenis for r in writer.audit.over([gezocht])] == [
        "kbi:advies:answer",
        "kbi:advies:repeat",
        "kbi:advies:refuse",
    ]


def test_the_same_referte_for_the_same_question_returns_the_stored_answer(
    writer: Writer,
) -> None:
    vraag = _vraag()
    (eerste,) = writer.vraag(vraag)
    (tweede,) = writer.vraag(vraag)
    assert tweede == eerste
    assert len(writer.beslissingen.rijen) == 1
    assert writer.audit.posten_[-1].gebeurtenis == "kbi:advies:repeat"


def test_the_same_referte_for_another_question_is_refused_with_50000(writer: Writer) -> None:
    vraag = _vraag()
    writer.vraag(vraag)
    (anders,) = writer.vraag(dict(vraag, datum="2024-01-01"))
    assert (anders.advies, _codes(anders)) == (None, ["50000"])
    assert len(writer.beslissingen.rijen) == 1


def test_a_referte_whose_record_retention_emptied_is_refused_not_a_server_error(
    writer: Writer,
) -> None:
    vraag = _vraag()
    writer.vraag(vraag)
    writer.beslissingen.rijen[0].update(insz="", datum="", antwoord="", feit_ids="[]")
    (opnieuw,) = writer.vraag(vraag)
    assert (opnieuw.advies, _codes(opnieuw)) == (None, ["50000"])
    assert "niet meer bewaard" in opnieuw.uitzonderingen[0].diagnose
    assert len(writer.beslissingen.rijen) == 1  # nothing decided anew under the referte


def test_a_referte_repeated_within_one_group_is_answered_once(writer: Writer) -> None:
    vraag = _vraag()
    eerste, herhaald, anders = writer.vraag(vraag, vraag, dict(vraag, datum="2024-01-01"))
    assert herhaald == eerste
    assert _codes(anders) == ["50000"]
    assert len(writer.beslissingen.rijen) == 1


def test_a_purpose_the_client_may_not_ask_is_refused_with_40006_and_recorded(
    writer: Writer,
) -> None:
    (bericht,) = writer.vraag(_vraag(doel="VERLAAGDE_PREMIE", datum="2024-01-01"))
    assert (bericht.advies, bericht.weigering) == (None, Code.AUTORISATIE)
    assert len(writer.beslissingen.rijen) == 1
    assert writer.audit.posten_[-1].gebeurtenis == "kbi:advies:refuse"


@pytest.mark.parametrize(
    ("vraag", "diagnose"),
    [
        ("not an object", "JSON-object"),
        ({"insz": INSZ, "datum": "2023-01-01", "doel": "ZORGBUDGET"}, "'referte'"),
        ({**_vraag(), "naam": "x"}, "Onbekend veld: naam"),
        (_vraag(referte="r" * 37), "Referte heeft 1 tot 36 tekens"),
    ],
)
def test_a_malformed_question_is_refused_with_50000_naming_what_is_wrong(
    writer: Writer, vraag: Any, diagnose: str
) -> None:
    (bericht,) = writer.vraag(vraag)
    assert bericht.weigering is Code.ONGELDIGE_VRAAG
    assert diagnose in bericht.uitzonderingen[0].diagnose
    assert writer.beslissingen.rijen == []
    assert writer.audit.posten_[-1].gebeurtenis == "kbi:advies:refuse"


def test_an_invalid_insz_is_refused_with_20002_and_no_hash(writer: Writer) -> None:
    (bericht,) = writer.vraag(_vraag("85073003329"))
    assert bericht.weigering is Code.INSZ_ONGELDIG
    assert writer.audit.posten_[-1].insz_hash is None


def test_a_group_reads_its_dossiers_at_once_not_per_question(writer: Writer) -> None:
    writer.vraag(*[_vraag() for _ in range(50)])
    assert writer.kbi.zoekopdrachten == 1


def test_a_refused_message_and_security_events_are_audited_without_answers(
    writer: Writer,
) -> None:
    moment = datetime(2026, 1, 15, tzinfo=UTC)
    fout = Uitzondering.fout(Code.AFZENDER_ONJUIST, "andere afzender")
    uitkomsten = writer.groep(
        VerzoekGeweigerd(VSB, fout, Kanaal.SOAP),
        MislukteAanmeldingen((FailedAuthentications("10.0.0.1", 42, moment, moment),)),
    )
    assert uitkomsten == [None, None]
    geweigerd, beveiliging = writer.audit.posten_
    assert json.loads(geweigerd.inhoud or "") == {"kanaal": "soap", "uitzonderingen": ["20005"]}
    assert beveiliging.gebeurtenis == "kbi:security:auth-failed"
    assert json.loads(beveiliging.inhoud or "")["aantal"] == 42
    assert writer.beslissingen.rijen == []
