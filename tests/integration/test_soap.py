"""The SOAP service, called by a stock client (zeep) from its WSDL, and attacked (SPEC §7)."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import requests
import zeep
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree
from zeep.transports import Transport

from kbi_exchange.demo.server import DemoServer
from kbi_exchange.settings import load_settings
from tests.conftest import EXAMPLES, assert_matches_expected, example_cases, kbi, stel_in

Cap = pytest.CaptureFixture[str]
PAD = "/soap/GeefAdviesInburgeringsplicht"


@pytest.fixture
def server(home: Path, capsys: Cap) -> Iterator[tuple[str, str]]:
    """The AII node served over HTTP, the examples imported, and a VSB client's token."""
    assert kbi(capsys, "aii", "import", str(EXAMPLES / "dossiers.jsonl")).code == 0
    token = json.loads(
        kbi(
            capsys,
            "aii",
            "clients",
            "add",
            "vsb-node",
            "--purpose",
            "ZORGBUDGET",
            "--afzender",
            "vsb.vlaanderen.be/zorgbudget",
        ).out
    )["token"]
    dienst = DemoServer(load_settings(), poort=18_000)
    dienst.start()
    try:
        yield dienst.adres, token
    finally:
        dienst.stop()


def _zeep(adres: str, token: str) -> zeep.Client:
    sessie = requests.Session()
    sessie.headers["Authorization"] = f"Bearer {token}"
    transport = Transport(session=sessie)  # type: ignore[no-untyped-call]
    return zeep.Client(f"{adres}{PAD}?wsdl", transport=transport)  # type: ignore[no-untyped-call]


def _verzoek(
    vragen: list[tuple[str, str]],
    afzender: str = "vsb.vlaanderen.be/zorgbudget",
) -> dict[str, Any]:
    return {
        "Context": {
            "Naam": "GeefAdviesInburgeringsplicht",
            "Versie": "01.00.0000",
            "Bericht": {
                "Type": "VRAAG",
                "Tijdstip": {"Datum": "2026-01-15", "Tijd": "10:00:00"},
                "Afzender": {
                    "Identificatie": afzender,
                    "Referte": str(uuid.uuid4()),
                    "Hoedanigheid": "1234",
                },
            },
        },
        "Vragen": {
            "Vraag": [
                {
                    "Referte": str(uuid.uuid4()),
                    "Inhoud": {"INSZ": insz, "Datum": datum, "Doel": "ZORGBUDGET"},
                }
                for insz, datum in vragen
            ]
        },
    }


def _codes(uitzonderingen: Any) -> list[str]:
    return [u.Identificatie for u in uitzonderingen.Uitzondering] if uitzonderingen else []


def test_a_stock_client_calls_the_service_from_its_wsdl_for_every_example(
    server: tuple[str, str],
) -> None:
    gevallen = [g for g in example_cases() if "gekend_op" not in g["vraag"]]
    verzoek = _verzoek([(g["vraag"]["insz"], g["vraag"]["datum"]) for g in gevallen])
    repliek = _zeep(*server).service.GeefAdviesInburgeringsplicht(Verzoek=verzoek)
    assert repliek.Context.Bericht.Type == "ANTWOORD"
    assert repliek.Context.Bericht.Afzender.Identificatie == "AII-KBI"
    assert repliek.Context.Bericht.Ontvanger.Identificatie == "vsb.vlaanderen.be/zorgbudget"
    antwoorden = repliek.Antwoorden.Antwoord
    vragen = verzoek["Vragen"]["Vraag"]
    assert [a.Referte for a in antwoorden] == [v["Referte"] for v in vragen]
    for geval, antwoord in zip(gevallen, antwoorden, strict=True):
        inhoud = antwoord.Inhoud
        gekregen = {
            "advies": inhoud.Advies if inhoud else None,
            "reden": inhoud.Reden.Code if inhoud and inhoud.Reden else None,
            "uitzonderingen": _codes(antwoord.Uitzonderingen),
        }
        verwacht = {
            k: v for k, v in geval["verwacht"].items() if k in {"advies", "reden", "uitzonderingen"}
        }
        assert_matches_expected(gekregen, verwacht)


def test_a_nok_answer_carries_the_reason_code_and_text(server: tuple[str, str]) -> None:
    repliek = _zeep(*server).service.GeefAdviesInburgeringsplicht(
        Verzoek=_verzoek([("85073001546", "2022-01-01")])
    )
    inhoud = repliek.Antwoorden.Antwoord[0].Inhoud
    assert inhoud.Advies == "NOK"
    assert inhoud.Reden.Code == "NIET_TIJDIG_AANGEMELD"
    assert inhoud.Reden.Omschrijving.startswith("De persoon heeft zich niet tijdig aangemeld")


def test_an_afzender_other_than_the_clients_is_refused_with_20005(
    server: tuple[str, str],
) -> None:
    repliek = _zeep(*server).service.GeefAdviesInburgeringsplicht(
        Verzoek=_verzoek([("85073001546", "2022-01-01")], afzender="iemand.anders")
    )
    assert repliek.Antwoorden is None
    assert _codes(repliek.Uitzonderingen) == ["20005"]


def test_a_bad_token_is_refused_with_40006_inside_a_200_reply(server: tuple[str, str]) -> None:
    adres, _ = server
    repliek = _zeep(adres, "wrong").service.GeefAdviesInburgeringsplicht(
        Verzoek=_verzoek([("85073001546", "2022-01-01")])
    )
    assert _codes(repliek.Uitzonderingen) == ["40006"]


ENVELOP = (
    '<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" '
    'xmlns:g="urn:kbi-exchange:GeefAdviesInburgeringsplicht:01.00"><soapenv:Body>'
    "<g:GeefAdviesInburgeringsplicht>{}</g:GeefAdviesInburgeringsplicht>"
    "</soapenv:Body></soapenv:Envelope>"
)
LACHEN = (
    '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    '<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
    '<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>'
    + ENVELOP.format("<Verzoek>&lol3;</Verzoek>")
)
EXTERN = (
    '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
    + ENVELOP.format("<Verzoek>&xxe;</Verzoek>")
)


def _post(adres: str, token: str, inhoud: bytes) -> httpx.Response:
    return httpx.post(
        f"{adres}{PAD}",
        content=inhoud,
        headers={
            "Authorization": f"Bearer {token}",
            "Content-Type": "text/xml; charset=utf-8",
            "SOAPAction": '"GeefAdviesInburgeringsplicht"',
        },
    )


@pytest.mark.parametrize(
    ("inhoud", "reden"),
    [
        (LACHEN.encode(), "DTDs and entities"),
        (EXTERN.encode(), "DTDs and entities"),
        (b"<not-closed", "not well-formed"),
        (b"{}", "not well-formed"),
        (b"<Envelope/>", "not a SOAP 1.1 Envelope"),
        (b"<x>" + b"a" * (2 * 2**20) + b"</x>", "larger than"),
    ],
)
def test_unparseable_or_hostile_messages_get_a_soap_fault_with_http_500(
    server: tuple[str, str], inhoud: bytes, reden: str
) -> None:
    antwoord = _post(*server, inhoud)
    assert antwoord.status_code == 500
    fout = etree.fromstring(antwoord.content)
    assert fout.find(".//faultstring") is not None
    assert reden in fout.findtext(".//faultstring", "")
    assert b"root:" not in antwoord.content


def test_a_message_that_does_not_follow_the_schema_is_refused_with_50000(
    server: tuple[str, str],
) -> None:
    antwoord = _post(*server, ENVELOP.format("<Verzoek><Context/></Verzoek>").encode())
    assert antwoord.status_code == 200
    repliek = etree.fromstring(antwoord.content)
    assert repliek.findtext(".//Repliek/Uitzonderingen/Uitzondering/Identificatie") == "50000"


def test_the_wsdl_and_xsd_are_published(server: tuple[str, str]) -> None:
    adres, _ = server
    wsdl = httpx.get(f"{adres}{PAD}?wsdl")
    assert wsdl.status_code == 200
    assert b'soapAction="GeefAdviesInburgeringsplicht"' in wsdl.content
    assert f'location="{adres}{PAD}"'.encode() in wsdl.content
    xsd = httpx.get(f"{adres}{PAD}?xsd")
    assert b'targetNamespace="urn:kbi-exchange:GeefAdviesInburgeringsplicht:01.00"' in xsd.content


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    inhoud=st.one_of(
        st.binary(max_size=300),
        st.text(max_size=300).map(lambda t: ENVELOP.format(t).encode()),
        st.lists(
            st.sampled_from(
                [
                    "<Verzoek>",
                    "</Verzoek>",
                    "<Context>",
                    "</Context>",
                    "<Vragen>",
                    "<Vraag>",
                    "</Vraag>",
                    "<Referte>x</Referte>",
                    "<INSZ>1</INSZ>",
                    "&amp;",
                    "<![CDATA[x]]>",
                    "</Vragen>",
                ]
            ),
            max_size=12,
        ).map(lambda delen: ENVELOP.format("".join(delen)).encode()),
    )
)
def test_no_soap_body_causes_an_unhandled_error(server: tuple[str, str], inhoud: bytes) -> None:
    antwoord = _post(*server, inhoud)
    assert antwoord.status_code in (200, 500)
    wortel = etree.fromstring(antwoord.content)
    assert wortel.tag == "{http://schemas.xmlsoap.org/soap/envelope/}Envelope"


def test_the_wsdl_names_the_configured_address_never_the_callers_host(
    server: tuple[str, str],
) -> None:
    adres, _ = server
    wsdl = httpx.get(f"{adres}{PAD}?wsdl", headers={"Host": "evil.example:666"}).text
    assert "evil.example" not in wsdl
    assert f'location="{adres}{PAD}"' in wsdl


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_each_question_of_a_message_counts_against_the_clients_rate(
    home: Path, capsys: Cap
) -> None:
    stel_in(
        home,
        ("advice_burst_per_client = 20000", "advice_burst_per_client = 150"),
        ("advice_per_second_per_client = 2000.0", "advice_per_second_per_client = 0.01"),
    )
    assert kbi(capsys, "aii", "import", str(EXAMPLES / "dossiers.jsonl")).code == 0
    token = json.loads(
        kbi(
            capsys,
            "aii",
            "clients",
            "add",
            "vsb-node",
            "--purpose",
            "ZORGBUDGET",
            "--afzender",
            "vsb.vlaanderen.be/zorgbudget",
        ).out
    )["token"]
    dienst = DemoServer(load_settings(), poort=18_000)
    dienst.start()
    try:
        client = _zeep(dienst.adres, token)
        honderd = [("85073003328", "2023-01-01")] * 100
        eerste = client.service.GeefAdviesInburgeringsplicht(Verzoek=_verzoek(honderd))
        tweede = client.service.GeefAdviesInburgeringsplicht(Verzoek=_verzoek(honderd))
    finally:
        dienst.stop()
    assert len(eerste.Antwoorden.Antwoord) == 100
    assert tweede.Antwoorden is None
    assert _codes(tweede.Uitzonderingen) == ["99996"]
