from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from kbi_exchange.adapters.kbi_jsonl import lees_object
from kbi_exchange.domain.dossier import Dossier, StrijdigFeit, pas_toe

T1 = datetime(2025, 1, 1, tzinfo=UTC)
T2 = datetime(2025, 6, 1, tzinfo=UTC)
INSZ = "85073003328"


def _regel(**velden: object) -> object:
    return lees_object({"insz": INSZ, **velden}, nu=T2)


def _toe(dossier: Dossier | None, opgenomen_op: datetime, **velden: object) -> Dossier:
    return pas_toe(dossier, _regel(**velden), opgenomen_op)  # type: ignore[arg-type]


def test_repeating_a_known_fact_changes_nothing() -> None:
    eens = _toe(None, T1, aanmeldingen=[{"datum": "2022-05-01"}])
    tweemaal = _toe(eens, T2, aanmeldingen=[{"datum": "2022-05-01"}])
    assert tweemaal == eens


def test_a_fact_without_id_is_identified_by_its_content_without_timestamps() -> None:
    eens = _toe(None, T1, aanmeldingen=[{"datum": "2022-05-01"}])
    nogmaals = _toe(
        eens, T2, aanmeldingen=[{"datum": "2022-05-01", "geregistreerd_op": "2025-01-01T00:00:00Z"}]
    )
    assert len(nogmaals.aanmeldingen) == 1


def test_repeating_a_fact_with_ingetrokken_op_withdraws_it_without_deleting_it() -> None:
    eens = _toe(None, T1, inbreuken=[{"id": "ib-1", "datum_vaststelling": "2023-01-01"}])
    ingetrokken = _toe(
        eens,
        T2,
        inbreuken=[
            {
                "id": "ib-1",
                "datum_vaststelling": "2023-01-01",
                "ingetrokken_op": "2025-05-01T10:00:00+02:00",
            }
        ],
    )
    (inbreuk,) = ingetrokken.inbreuken
    assert inbreuk.ingetrokken_op is not None
    assert inbreuk.opgenomen_op == T1
    assert inbreuk.gekend(datetime(2025, 5, 1, 7, 59, tzinfo=UTC))
    assert not inbreuk.gekend(datetime(2025, 5, 1, 8, 0, tzinfo=UTC))


def test_a_known_id_with_other_content_is_refused() -> None:
    eens = _toe(None, T1, inbreuken=[{"id": "ib-1", "datum_vaststelling": "2023-01-01"}])
    with pytest.raises(StrijdigFeit, match="ib-1"):
        _toe(eens, T2, inbreuken=[{"id": "ib-1", "datum_vaststelling": "2023-02-01"}])


def test_dossier_level_fields_are_versioned_by_recording_time() -> None:
    eens = _toe(None, T1, overlijdensdatum=None)
    later = _toe(eens, T2, overlijdensdatum="2025-05-20")
    assert later.overlijdensdatum_op(T1) is None
    assert later.overlijdensdatum_op(T2) == date(2025, 5, 20)
    assert later.overlijdensdatum_op(datetime(2024, 1, 1, tzinfo=UTC)) is None


def test_a_line_that_does_not_state_a_field_keeps_its_value() -> None:
    eens = _toe(None, T1, vervangen_door="85073003130")
    later = _toe(eens, T2, aanmeldingen=[{"datum": "2022-05-01"}])
    assert later.vervangen_door_op(T2) == "85073003130"
    assert len(later.vervangen_door) == 1


def test_a_fact_registered_after_the_knowledge_time_is_not_known_then() -> None:
    dossier = _toe(
        None, T2, aanmeldingen=[{"datum": "2022-05-01", "geregistreerd_op": "2025-03-01T00:00:00Z"}]
    )
    (aanmelding,) = dossier.aanmeldingen
    assert not aanmelding.gekend(datetime(2025, 2, 28, tzinfo=UTC))
    assert aanmelding.gekend(datetime(2025, 3, 1, tzinfo=UTC))
