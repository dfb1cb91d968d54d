"""Strict input on every way in (SPEC §7, §13): every endpoint of both nodes, and both nodes'
commands, given a 5 000-character INSZ, a full-width INSZ, a date that is not `YYYY-MM-DD` and
a JSON object with a repeated key, answer a clear refusal — a 4xx, a refusal in a SOAP reply, or
exit 1 or 2 with one line — and never a server error or a traceback, storing nothing."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from kbi_exchange.adapters.crypto import cms
from kbi_exchange.adapters.db.aii_models import BeslissingRow, MeldingRow
from kbi_exchange.adapters.db.vsb_models import AanvraagRow
from kbi_exchange.bootstrap import engine, pki
from kbi_exchange.entrypoints.api.app import maak_app
from kbi_exchange.entrypoints.api.vsb_app import maak_app as maak_vsb_app
from kbi_exchange.settings import load_settings
from tests.aii_node import leden_bij_vsb
from tests.conftest import EXAMPLES, kbi

Cap = pytest.CaptureFixture[str]
LANG = "8507300332" * 500  # 5 000 digits: Python's int() refuses past 4 300
BREED = "８５０７３００３３２８"  # full-width digits: str.isdigit() says yes
ISO_ANDERS = "20230101"  # ISO 8601 basic form: date.fromisoformat takes it
WEEK = "2023-W01-1"
INSZ = "85073001348"
SLECHTE_INSZ = (LANG, BREED, "85.07.30-013.48", "٨٥٠٧٣٠٠١٣٤٨")
SLECHTE_DATA = (ISO_ANDERS, WEEK, "2023-1-01", "２０２３-01-01", "9999-12-31")


def _herhaald(velden: dict[str, Any], sleutel: str) -> bytes:
    """A JSON object whose ``sleutel`` appears twice: the second a valid-looking value."""
    tekst = orjson.dumps(velden).decode()
    return (tekst[:-1] + f', "{sleutel}": {json.dumps(velden[sleutel])}}}').encode()


def _gezond(antwoord: httpx.Response) -> None:
    assert 400 <= antwoord.status_code < 500, (antwoord.status_code, antwoord.text)
    assert "Traceback" not in antwoord.text
    assert LANG not in antwoord.text


def _tel(url: str, tabel: Any) -> int:
    with engine(url).connect() as verbinding:
        return int(verbinding.scalar(select(func.count()).select_from(tabel)) or 0)


@pytest.fixture
def tokens(twee_nodes: Path, capsys: Cap) -> tuple[str, str]:
    """The examples at AII, a member of CM at VSB, AII's client for VSB, a CM zorgkas client."""
    assert kbi(capsys, "aii", "import", str(EXAMPLES / "dossiers.jsonl")).code == 0
    leden_bij_vsb(twee_nodes, capsys, {"CM": [INSZ]})
    aii = kbi(capsys, "aii", "clients", "add", "vsb", "--purpose", "ZORGBUDGET",
              "--purpose", "VERLAAGDE_PREMIE", "--afzender", "VSB")  # fmt: skip
    vsb = kbi(capsys, "vsb", "clients", "add", "api-cm", "--zorgkas", "CM")
    return json.loads(aii.out)["token"], json.loads(vsb.out)["token"]


def test_every_endpoint_of_both_nodes_refuses_bad_insz_dates_and_repeated_keys(  # noqa: PLR0915
    tokens: tuple[str, str], capsys: Cap
) -> None:
    aii_token, vsb_token = tokens
    settings = load_settings()
    sleutels = pki(settings)

    def ondertekend(melding: dict[str, Any] | bytes) -> bytes:
        inhoud = melding if isinstance(melding, bytes) else orjson.dumps(melding)
        return cms.sign(inhoud, sleutels.certificaat("vsb"), sleutels.sleutel("vsb"))

    def vraag(**anders: str) -> dict[str, str]:
        velden = {"insz": INSZ, "datum": "2023-01-01", "doel": "ZORGBUDGET",
                  "referte": str(uuid.uuid4())}  # fmt: skip
        return {**velden, **anders}

    with TestClient(maak_app(settings)) as aii:
        kop = {"Authorization": f"Bearer {aii_token}"}
        post: Callable[..., httpx.Response] = lambda pad, **kw: aii.post(pad, headers=kop, **kw)  # noqa: E731
        for insz in SLECHTE_INSZ:
            for antwoord, code in (
                (post("/api/v1/advies", json=vraag(insz=insz)), "20002"),
                (post("/api/v1/advies/batch", json={"vragen": [vraag(insz=insz)]}), None),
                (post("/api/v1/meldingen", json={"insz": insz, "omschrijving": "x"}), None),
            ):
                if code is None and antwoord.status_code == 200:  # a batch: each on its own
                    [enkel] = antwoord.json()["antwoorden"]
                    assert enkel["uitzonderingen"][0]["identificatie"] == "20002"
                    continue
                _gezond(antwoord)
                if code:
                    assert antwoord.json()["uitzonderingen"][0]["identificatie"] == code
        for datum in SLECHTE_DATA:
            antwoord = post("/api/v1/advies", json=vraag(datum=datum))
            _gezond(antwoord)
            assert antwoord.json()["uitzonderingen"][0]["identificatie"] in ("50000", "40001")
        # a repeated key: the whole request is refused, never read one way or the other
        for pad, velden, sleutel in (
            ("/api/v1/advies", vraag(), "insz"),
            ("/api/v1/meldingen", {"insz": INSZ, "omschrijving": "x"}, "insz"),
        ):
            antwoord = post(pad, content=_herhaald(velden, sleutel))
            _gezond(antwoord)
            assert "twee keer" in antwoord.text or "appears twice" in antwoord.text
        batch = post(
            "/api/v1/advies/batch",
            content=b'{"vragen": [], "vragen": ' + orjson.dumps([vraag()]) + b"}",
        )
        _gezond(batch)
        # the purpose without an individual question, on REST and batch: 40001
        premie = post("/api/v1/advies", json=vraag(doel="VERLAAGDE_PREMIE", datum="2024-01-01"))
        assert (premie.status_code, premie.json()["uitzonderingen"][0]["identificatie"]) == (
            403,
            "40001",
        )
        # the other endpoints with a path or query part
        for pad in ("/api/v1/lijsten/99999", "/api/v1/lijsten/20240101x",
                    "/api/v1/rectificaties?na=" + LANG, "/api/v1/meldingen/" + LANG):  # fmt: skip
            _gezond(aii.get(pad, headers=kop))
        # SOAP: a refusal is an uitzondering in a 200 reply (SPEC §7), per question
        for insz, datum, code in (
            *((i, "2023-01-01", "20002") for i in SLECHTE_INSZ),
            *((INSZ, d, None) for d in SLECHTE_DATA),
            (INSZ, "2024-01-01", "40001"),
        ):
            doel = "VERLAAGDE_PREMIE" if code == "40001" else "ZORGBUDGET"
            antwoord = aii.post(
                "/soap/GeefAdviesInburgeringsplicht",
                content=_soap(insz, datum, doel),
                headers={**kop, "Content-Type": "text/xml; charset=utf-8"},
            )
            assert antwoord.status_code == 200, antwoord.text
            assert "<Advies>" not in antwoord.text  # no answer was given
            # the schema refuses the whole message (50000), or the question is refused alone
            verwacht = {"50000", code} if code == "20002" else {code or "50000"}
            assert any(f"<Identificatie>{c}</Identificatie>" in antwoord.text for c in verwacht)
            assert LANG not in antwoord.text
        # the other party's signed notifications: a repeated key, a date in another form
        for pad, melding, veld in (
            ("/api/v1/protocol/stappen", {"id": "s", "soort": "grond_vervalt", "reden": "x",
             "stroom": "F1", "datum": "2023-07-20", "op": "2026-01-01T00:00:00+00:00"}, "datum"),
            ("/api/v1/incidenten", {"id": "i", "partij": "vsb", "omschrijving": "x",
             "betrokkenen": 1, "categorieen": ["insz"], "datalek": False,
             "vastgesteld_op": "2026-01-01T00:00:00+00:00"}, "vastgesteld_op"),
        ):  # fmt: skip
            for inhoud in (
                _herhaald(melding, "id"),
                orjson.dumps({**melding, veld: ISO_ANDERS}),
                orjson.dumps({**melding, veld: WEEK}),
            ):
                _gezond(aii.post(pad, content=ondertekend(inhoud)))
        assert _tel(settings.aii_database_url, MeldingRow) == 0
        beslissingen = _tel(settings.aii_database_url, BeslissingRow)
    # every refused question that reached the advice service is recorded, none answered
    with engine(settings.aii_database_url).connect() as verbinding:
        gegeven = verbinding.scalar(
            select(func.count()).where(BeslissingRow.antwoord.contains('"advies":"OK"'))
        )
    assert (beslissingen, gegeven) != (0, None)

    with TestClient(maak_vsb_app(settings)) as vsb:
        kop = {"Authorization": f"Bearer {vsb_token}"}
        pad = "/api/v1/zorgkas/aanvragen"
        for insz in SLECHTE_INSZ:
            _gezond(vsb.post(pad, json={"insz": insz, "opening": "2024-03-01"}, headers=kop))
        for datum in SLECHTE_DATA:
            _gezond(vsb.post(pad, json={"insz": INSZ, "opening": datum}, headers=kop))
        _gezond(
            vsb.post(
                pad, content=_herhaald({"insz": INSZ, "opening": "2024-03-01"}, "insz"), headers=kop
            )
        )
        _gezond(vsb.post("/api/v1/zorgkas/advies", json={"insz": LANG, "datum": "2024-01-01"},
                         headers=kop))  # fmt: skip
        for route in ("/api/v1/zorgkas/aanvragen/" + LANG, "/api/v1/zorgkas/lijsten/" + LANG,
                      "/api/v1/zorgkas/lijsten/２０２４", "/api/v1/zorgkas/bestanden/" + LANG,
                      "/api/v1/zorgkas/aanvragen?wachtend=" + LANG):  # fmt: skip
            _gezond(vsb.get(route, headers=kop))
        aii_sleutels = (sleutels.certificaat("aii"), sleutels.sleutel("aii"))
        for inhoud in (
            _herhaald(
                {"id": "s", "soort": "geschorst", "reden": "x", "op": "2026-01-01T00:00:00+00:00"},
                "soort",
            ),
            orjson.dumps(
                {
                    "id": "s",
                    "soort": "grond_vervalt",
                    "reden": "x",
                    "stroom": "F1",
                    "datum": WEEK,
                    "op": "2026-01-01T00:00:00+00:00",
                }
            ),
        ):
            _gezond(vsb.post("/api/v1/protocol/stappen", content=cms.sign(inhoud, *aii_sleutels)))
    assert _tel(settings.vsb_database_url, AanvraagRow) == 0


def _soap(insz: str, datum: str, doel: str) -> bytes:
    return (
        '<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" '
        'xmlns:g="urn:kbi-exchange:GeefAdviesInburgeringsplicht:01.00"><soapenv:Body>'
        "<g:GeefAdviesInburgeringsplicht><Verzoek><Context>"
        "<Naam>GeefAdviesInburgeringsplicht</Naam><Versie>01.00.0000</Versie><Bericht>"
        "<Type>VRAAG</Type><Tijdstip><Datum>2026-01-15</Datum><Tijd>10:00:00</Tijd></Tijdstip>"
        f"<Afzender><Identificatie>VSB</Identificatie><Referte>{uuid.uuid4()}</Referte>"
        "</Afzender></Bericht></Context><Vragen><Vraag>"
        f"<Referte>{uuid.uuid4()}</Referte><Inhoud><INSZ>{insz}</INSZ><Datum>{datum}</Datum>"
        f"<Doel>{doel}</Doel></Inhoud></Vraag></Vragen></Verzoek>"
        "</g:GeefAdviesInburgeringsplicht></soapenv:Body></soapenv:Envelope>"
    ).encode()


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)  # parsing, not storing
def test_every_command_of_both_nodes_refuses_them_in_one_line(
    tokens: tuple[str, str], capsys: Cap, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KBI_VSB_AII_URL", "http://127.0.0.1:9")  # AII is never reached
    for insz in SLECHTE_INSZ:
        for args in (
            ("aii", "decide", "--insz", insz, "--date", "2023-01-01", "--json"),
            ("vsb", "application", "add", "--insz", insz, "--opening", "2024-03-01",
             "--zorgkas", "CM"),
            ("vsb", "check", "--insz", insz, "--date", "2024-03-01"),
            ("vsb", "premium", "--insz", insz, "--year", "2024"),
            ("vsb", "report", "add", "--insz", insz, "--description", "x"),
            ("audit", "search", "--insz", insz, "--node", "aii"),
        ):  # fmt: skip
            uit = kbi(capsys, *args)
            assert uit.code in (1, 2), (args[:2], uit)  # refused, or a usage error
            assert "Traceback" not in uit.err
            assert LANG not in uit.out + uit.err
            if args[1] != "decide":
                assert uit.err.count("\n") == 1, uit.err
    for datum in SLECHTE_DATA[:4]:
        # decide answers as F1 would: a refused question (50000), exit 1, its JSON printed
        beslist = kbi(capsys, "aii", "decide", "--insz", INSZ, "--date", datum, "--json")
        assert (beslist.code, json.loads(beslist.out)["uitzonderingen"]) == (1, ["50000"])
        commandos: tuple[tuple[str, ...], ...] = (
            ("vsb", "application", "add", "--insz", INSZ, "--opening", datum, "--zorgkas", "CM"),
            ("vsb", "check", "--insz", INSZ, "--date", datum),
            ("protocol", "basis", "end", "--flow", "F1", "--date", datum, "--reason", "x",
             "--as", "dora"),
        )  # fmt: skip
        for commando in commandos:
            uit = kbi(capsys, *commando)
            assert uit.code == 2, (commando, uit)
            assert "YYYY-MM-DD" in uit.err
    # an opening before the condition's first date, and before any parameter value, is a
    # clear decision, not an error
    oud = kbi(capsys, "vsb", "application", "add", "--insz", INSZ, "--opening", "2021-09-30",
              "--zorgkas", "CM", "--json")  # fmt: skip
    assert oud.code == 0, oud
    assert json.loads(oud.out)["niet_gevraagd"] == "voor_eerste_datum"
