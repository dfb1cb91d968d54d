from __future__ import annotations

import pytest

from kbi_exchange.domain.insz import Insz, InszFout, InszSoort, OngeldigInsz, is_geldig


def test_eleven_digits_are_accepted_and_kept() -> None:
    assert Insz.parse("85073003328").cijfers == "85073003328"


@pytest.mark.parametrize(
    "geschreven",
    [
        "85.07.30-033.28",
        " 85073003328",
        "85073003328\n",
        "８５０７３００３３２８",  # full-width digits: isdigit() is true for them
        "85073003３28",
        "٨٥٠٧٣٠٠٣٣٢٨",  # Arabic-Indic digits
        "8" * 5_000,
        "+85073003328",
    ],
)
def test_anything_but_eleven_ascii_digits_is_refused_before_stdnum_sees_it(
    geschreven: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from stdnum.be import nn, ssn  # noqa: PLC0415 - only to prove they are never called

    def nooit(_: str) -> str:
        raise AssertionError("stdnum was asked")

    monkeypatch.setattr(nn, "validate", nooit)
    monkeypatch.setattr(ssn, "validate", nooit)
    with pytest.raises(OngeldigInsz) as info:
        Insz.parse(geschreven)
    assert info.value.fout in (InszFout.FORMAAT, InszFout.LENGTE)


def test_national_number_born_after_2000_uses_the_second_check() -> None:
    assert Insz.parse("17073003384").soort is InszSoort.RIJKSREGISTER


@pytest.mark.parametrize("nummer", ["98472899765", "01490700185", "00200100112"])
def test_bis_numbers_are_accepted(nummer: str) -> None:
    assert Insz.parse(nummer).soort is InszSoort.BIS


@pytest.mark.parametrize(
    ("tekst", "fout"),
    [
        ("", InszFout.LEEG),
        ("   ", InszFout.LEEG),
        ("8507300332", InszFout.LENGTE),
        ("850730033288", InszFout.LENGTE),
        ("85O73003328", InszFout.FORMAAT),
        ("85073003329", InszFout.CONTROLEGETAL),
        ("85130100102", InszFout.DATUMDEEL),
    ],
)
def test_an_invalid_number_says_exactly_why(tekst: str, fout: InszFout) -> None:
    with pytest.raises(OngeldigInsz) as info:
        Insz.parse(tekst)
    assert info.value.fout is fout
    assert not is_geldig(tekst)


def test_the_error_message_never_repeats_the_number() -> None:
    with pytest.raises(OngeldigInsz) as info:
        Insz.parse("85073003329")
    assert "85073003329" not in str(info.value)


def test_repr_and_str_are_masked_so_an_insz_cannot_leak_into_logs() -> None:
    insz = Insz.parse("85073003328")
    assert "850730033" not in repr(insz)
    assert "850730033" not in f"{insz}"
    assert insz.opgemaakt() == "85.07.30-033.28"
