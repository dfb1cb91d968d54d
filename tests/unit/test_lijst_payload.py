"""The list's payload (SPEC §8.3) written and read back, and every way a payload is refused."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from kbi_exchange.domain.lijst import (
    LijstFout,
    LijstKop,
    Ontvangstbewijs,
    jaar_van_bestand,
    lees_payload,
    lijst_bestandsnaam,
    payload,
)

LIJST_ID = "4f0c2b1e-9d1a-4c3e-8b7a-0123456789ab"


def _insz(volgnummer: int) -> str:
    basis = f"850101{volgnummer:03d}"
    return f"{basis}{97 - int(basis) % 97:02d}"


INSZEN = [_insz(3), _insz(1), _insz(2)]


def _kop(**anders: object) -> LijstKop:
    velden: dict[str, object] = {
        "lijst_id": LIJST_ID,
        "jaar": 2024,
        "gemaakt_op": datetime(2024, 1, 15, 9, 2, 11, tzinfo=UTC),
        "producent": "AII-KBI",
        "ontvanger": "VSB",
        "vervangt": None,
        "aantal": 3,
    } | anders
    return LijstKop(**velden)  # type: ignore[arg-type]


def test_a_payload_reads_back_to_its_header_and_its_sorted_insz() -> None:
    tekst = payload(_kop(), INSZEN)
    assert tekst.startswith(b"KBI-LIJST 1\nlijst-id: " + LIJST_ID.encode())
    assert b"\nvervangt: -\naantal: 3\n\n" in tekst
    assert tekst.endswith(f"{sorted(INSZEN)[-1]}\n".encode())
    kop, inszen = lees_payload(tekst)
    assert kop == _kop()
    assert inszen == sorted(INSZEN)


@pytest.mark.parametrize(
    ("vervalsing", "reden"),
    [
        (lambda t: t.replace(b"\n", b"\r\n"), "LF line ends"),
        (lambda t: t[:-1], "LF line ends"),
        (lambda t: t.replace(b"KBI-LIJST 1", b"KBI-LIJST 2"), "not a KBI-LIJST 1 payload"),
        (lambda t: t.replace(b"jaar: 2024\n", b""), "header keys"),
        (lambda t: t.replace(b"aantal: 3", b"aantal: 4"), "header aantal is 4"),
        (lambda t: t.replace(b"aantal: 3", b"aantal: drie"), "not a whole number"),
        (lambda t: t.replace(b"referentiedatum: 2024-01-01", b"referentiedatum: 2024-02-01"),
         "is not 2024-01-01"),
        (lambda t: t.replace(LIJST_ID.encode(), b"list-1"), "is not a UUID"),
        (lambda t: t.replace(_insz(2).encode(), b"85010100299"), "line 2 .*: not a valid INSZ"),
        (lambda t: t.replace(_insz(2).encode(), _insz(1).encode()), "line 2 .*: not sorted"),
        (lambda t: t + b"\n", "header aantal is 3, the list holds 4 lines"),
        (lambda t: t.replace(b"VSB", b"V\xffB"), "not UTF-8"),
    ],
)  # fmt: skip
def test_a_payload_that_is_not_exactly_the_format_is_refused_with_its_reason(
    vervalsing: object, reden: str
) -> None:
    tekst = payload(_kop(), INSZEN)
    with pytest.raises(LijstFout, match=reden):
        lees_payload(vervalsing(tekst))  # type: ignore[operator]


def test_a_header_that_does_not_match_the_list_cannot_be_written() -> None:
    with pytest.raises(ValueError, match="header says 2"):
        payload(_kop(aantal=2), INSZEN)
    with pytest.raises(ValueError, match="occurs twice"):
        payload(_kop(), [_insz(1), _insz(1), _insz(2)])


def test_file_names_carry_the_year_and_the_moment_to_the_millisecond() -> None:
    moment = datetime(2024, 1, 15, 10, 2, 11, 123456, tzinfo=UTC)
    assert lijst_bestandsnaam(2024, moment) == "KBI_VSB_LIJST_2024_20240115100211123.p7m"
    assert jaar_van_bestand("KBI_VSB_LIJST_2024_20240115100211123.p7m") == 2024
    assert jaar_van_bestand("lijst.p7m") is None


def test_a_receipt_reads_back_and_anything_else_is_refused() -> None:
    bewijs = Ontvangstbewijs(LIJST_ID, "a" * 64, 3, datetime(2024, 1, 16, 8, 0, tzinfo=UTC))
    assert Ontvangstbewijs.parse(bewijs.tekst()) == bewijs
    with pytest.raises(LijstFout, match="not a KBI-ONTVANGSTBEWIJS 1"):
        Ontvangstbewijs.parse(b"KBI-LIJST 1\n")
    with pytest.raises(LijstFout, match="not a SHA-256"):
        Ontvangstbewijs.parse(bewijs.tekst().replace(b"a" * 64, b"xyz"))
