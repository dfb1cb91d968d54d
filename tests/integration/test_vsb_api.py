"""The VSB node's web service and its zorgkas API (SPEC §9, §14), with a real AII node.

The walk: every endpoint, file, CLI output and error message, as each of the six zorgkassen,
and none ever shows another zorgkas's members.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import pytest
from argon2 import PasswordHasher
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from kbi_exchange.adapters import passwords
from kbi_exchange.adapters.db.vsb_models import AanvraagRow, VsbAuditRow, VsbLijstInszRow
from kbi_exchange.bootstrap import engine
from kbi_exchange.entrypoints.api.vsb_app import maak_app
from kbi_exchange.schemas import zorgkas_codes
from kbi_exchange.settings import load_settings
from tests.aii_node import AiiNode, verbind_met_aii, vrije_poort
from tests.conftest import kbi

Cap = pytest.CaptureFixture[str]
ZORGKASSEN = sorted(zorgkas_codes())
NIET_LID = "85073001447"  # valid, and no member of any zorgkas
VT = [{"begin": "2020-01-01", "einde": None}]


@pytest.fixture(autouse=True)
def _lichte_wachtwoorden(monkeypatch: pytest.MonkeyPatch) -> None:
    """Argon2id with its lightest parameters in this module: the walk checks ~160 passwords
    (each `--as`), 0.13 s each with the real ones. Each is still hashed and checked; who sees
    what does not depend on the cost (the real hash: tests/integration/test_users.py)."""
    licht = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    monkeypatch.setattr(passwords, "_HASHER", licht)


def _token(capsys: Cap, naam: str, zorgkas: str) -> str:
    uit = kbi(capsys, "vsb", "clients", "add", naam, "--zorgkas", zorgkas)
    assert uit.code == 0, uit
    return str(json.loads(uit.out)["token"])


def _vsb_tel(stmt: Any) -> int:
    with engine(load_settings().vsb_database_url).connect() as verbinding:
        return int(verbinding.scalar(stmt) or 0)


@pytest.fixture
def zes(
    twee_nodes: Path, capsys: Cap, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[AiiNode, dict[str, list[str]]]]:
    """A list of 2024 received and distributed; members of all six zorgkassen (some listed,
    some not), a handler and an API client per zorgkas; AII serving. Yields the members per
    zorgkas."""
    monkeypatch.setenv("KBI_PASSWORD", "correct horse battery")
    dossiers = twee_nodes / "dossiers.jsonl"
    for args in (
        ("synth", "dossiers", "--count", "400", "--seed", "5", "--out", str(dossiers)),
        ("aii", "import", str(dossiers)),
        ("users", "add", "olga", "--node", "aii", "--role", "aii-operator"),
        ("users", "add", "anna", "--node", "aii", "--role", "aii-approver"),
    ):
        assert kbi(capsys, *args).code == 0, args
    for zorgkas in ZORGKASSEN:
        naam = f"h-{zorgkas.lower()}"
        args = ("users", "add", naam, "--node", "vsb", "--role", "zorgkas-handler")
        assert kbi(capsys, *args, "--zorgkas", zorgkas).code == 0
    lijst = json.loads(
        kbi(capsys, "aii", "list", "make", "--year", "2024", "--as", "olga", "--json").out
    )
    assert kbi(capsys, "aii", "list", "approve", lijst["id"], "--as", "anna").code == 0
    assert kbi(capsys, "aii", "list", "deliver", lijst["id"]).code == 0
    (bestand,) = (twee_nodes / "mailbox" / "vsb" / "in").glob("*.p7m")
    assert kbi(capsys, "vsb", "list", "ingest", str(bestand)).code == 0
    with engine(load_settings().vsb_database_url).connect() as verbinding:
        gelijst = sorted(verbinding.scalars(select(VsbLijstInszRow.insz)))
    alle = [json.loads(r)["insz"] for r in dossiers.read_text().splitlines()]
    niet_gelijst = [i for i in alle if i not in set(gelijst)]
    assert len(gelijst) >= 12
    leden: dict[str, list[str]] = {z: [] for z in ZORGKASSEN}
    regels = []
    for i, insz in enumerate(gelijst[:12] + niet_gelijst[:12]):
        zorgkas = ZORGKASSEN[i % 6]
        leden[zorgkas].append(insz)
        regels.append(
            json.dumps(
                {
                    "insz": insz,
                    "aansluitingen": [{"zorgkas": zorgkas, "begin": "2015-01-01"}],
                    "vt": VT,
                }
            )
        )
    (twee_nodes / "leden.jsonl").write_text("".join(r + "\n" for r in regels))
    assert kbi(capsys, "vsb", "import", str(twee_nodes / "leden.jsonl")).code == 0
    assert kbi(capsys, "vsb", "list", "distribute", "--year", "2024").code == 0
    node = verbind_met_aii(twee_nodes, capsys, monkeypatch)
    yield node, leden
    node.stop()


# On SQLite only: what a zorgkas sees is decided in the services, the same on either
# database; the stores' zorgkas filters run on PostgreSQL in test_verdeling.py and
# test_vsb_aanvragen.py (the suite stays well under 15 minutes).
@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_no_zorgkas_ever_sees_another_zorgkas_s_members(  # noqa: PLR0915 - one walk, in order
    zes: tuple[AiiNode, dict[str, list[str]]], twee_nodes: Path, capsys: Cap, tmp_path: Path
) -> None:
    _, leden = zes
    tokens = {z: _token(capsys, f"api-{z.lower()}", z) for z in ZORGKASSEN}
    gezien: dict[str, list[str]] = {z: [] for z in ZORGKASSEN}  # everything each one saw
    aanvraag_ids: dict[str, list[str]] = {}
    zending_ids: dict[str, list[str]] = {}
    with TestClient(maak_app(load_settings())) as http:

        def vraag(zorgkas: str, methode: str, pad: str, **kwargs: Any) -> httpx.Response:
            antwoord: httpx.Response = http.request(
                methode, pad, headers={"Authorization": f"Bearer {tokens[zorgkas]}"}, **kwargs
            )
            gezien[zorgkas].append(f"{antwoord.status_code} {antwoord.text}")
            return antwoord

        for zorgkas in ZORGKASSEN:
            eigen = leden[zorgkas]
            # an application over the API (one via the CLI as the handler), a check
            via_api = vraag(
                zorgkas, "POST", "/api/v1/zorgkas/aanvragen",
                json={"insz": eigen[0], "opening": "2024-03-01"},
            )  # fmt: skip
            assert via_api.status_code == 201, via_api.text
            assert via_api.json()["zorgkas"] == zorgkas
            cli = kbi(
                capsys, "vsb", "application", "add", "--insz", eigen[1], "--opening",
                "2024-04-01", "--zorgkas", zorgkas, "--as", f"h-{zorgkas.lower()}", "--json",
            )  # fmt: skip
            assert cli.code == 0, cli
            gezien[zorgkas].append(cli.out + cli.err)
            aanvraag_ids[zorgkas] = [via_api.json()["id"], json.loads(cli.out)["id"]]
            # a bare question about anyone is gone: it belongs to an application
            check = vraag(
                zorgkas, "POST", "/api/v1/zorgkas/advies",
                json={"insz": eigen[2], "datum": "2024-01-01"},
            )  # fmt: skip
            assert check.status_code == 410, check.text
            # an application for another zorgkas's member, or a non-member, is refused in
            # the same words, over the API and the command line, before AII is asked
            andere_leden = [i for z, inszen in leden.items() if z != zorgkas for i in inszen[:2]]
            for insz in [*andere_leden, NIET_LID]:
                geweigerd = vraag(
                    zorgkas, "POST", "/api/v1/zorgkas/aanvragen",
                    json={"insz": insz, "opening": "2024-03-01"},
                )  # fmt: skip
                assert geweigerd.status_code == 400, geweigerd.text
                assert geweigerd.json()["detail"] == (
                    f"insz: not a member of {zorgkas} on 2024-03-01; an application is recorded "
                    "by the zorgkas the person is affiliated with on the opening date"
                )
            uit = kbi(
                capsys, "vsb", "application", "add", "--insz", andere_leden[0], "--opening",
                "2024-03-01", "--zorgkas", zorgkas, "--as", f"h-{zorgkas.lower()}",
            )  # fmt: skip
            assert uit.code == 1
            gezien[zorgkas].append(uit.out + uit.err)
            lijst = vraag(zorgkas, "GET", "/api/v1/zorgkas/lijsten/2024").json()
            assert set(lijst["inszen"]) == set(eigen[:2])  # its two listed members, with VT
            zending_ids[zorgkas] = [b["id"] for b in lijst["bestanden"]]
            assert len(zending_ids[zorgkas]) == 1

        for zorgkas in ZORGKASSEN:
            handler = f"h-{zorgkas.lower()}"
            eigen_lijst = vraag(zorgkas, "GET", "/api/v1/zorgkas/aanvragen").json()
            assert {a["id"] for a in eigen_lijst["aanvragen"]} == set(aanvraag_ids[zorgkas])
            vraag(zorgkas, "GET", "/api/v1/zorgkas/aanvragen?wachtend=true")
            for andere in ZORGKASSEN:
                for i, aanvraag_id in enumerate(aanvraag_ids[andere]):
                    antwoord = vraag(zorgkas, "GET", f"/api/v1/zorgkas/aanvragen/{aanvraag_id}")
                    assert antwoord.status_code == (200 if andere == zorgkas else 404)
                    if i > 0:  # the command line once per pair (each --as checks a password)
                        continue
                    for args in (
                        ("show", aanvraag_id),
                        ("end", aanvraag_id, "--date", "2026-01-01"),
                    ):
                        if andere == zorgkas and args[0] == "end":
                            continue
                        uit = kbi(capsys, "vsb", "application", *args, "--as", handler)
                        assert uit.code == (0 if andere == zorgkas else 1)
                        gezien[zorgkas].append(uit.out + uit.err)
                for zending_id in zending_ids[andere]:
                    antwoord = vraag(zorgkas, "GET", f"/api/v1/zorgkas/bestanden/{zending_id}")
                    assert antwoord.status_code == (200 if andere == zorgkas else 404)
                    if andere == zorgkas:  # the file opens with its own key only
                        pad = tmp_path / f"{zorgkas}.p7m"
                        pad.write_bytes(antwoord.content)
                        gezien[zorgkas].append(_open(twee_nodes, pad, zorgkas))
                for insz in leden[andere][:: 2 if andere == zorgkas else 3]:
                    uit = kbi(
                        capsys, "vsb", "premium", "--insz", insz, "--year", "2025", "--as", handler
                    )
                    gezien[zorgkas].append(uit.out + uit.err)
            for lijst_args in (("list",), ("list", "--json"), ("list", "--waiting")):
                uit = kbi(capsys, "vsb", "application", *lijst_args, "--as", handler)
                assert uit.code == 0
                gezien[zorgkas].append(uit.out + uit.err)
            for pad in (twee_nodes / "mailbox" / f"zorgkas-{zorgkas}" / "in").glob("*.p7m"):
                gezien[zorgkas].append(_open(twee_nodes, pad, zorgkas))

    for zorgkas in ZORGKASSEN:
        alles = "\n".join(gezien[zorgkas])
        anderen = {i for z, inszen in leden.items() if z != zorgkas for i in inszen}
        assert not [i for i in anderen if i in alles], f"{zorgkas} saw another's member"
        assert all(i in alles for i in leden[zorgkas][:2]), "it did see its own"
        # and the letters, statuses and errors it saw name no other zorgkas's data
        assert "no application" in alles
        assert "no file" in alles
    assert kbi(capsys, "audit", "verify", "--alone").code == 0


def _open(home: Path, bestand: Path, zorgkas: str) -> str:
    """The payload of a zorgkas file, opened with openssl and that zorgkas's key."""
    pki = home / "pki"
    ondertekend = subprocess.run(
        ["openssl", "cms", "-decrypt", "-binary", "-inform", "DER", "-in", bestand,
         "-recip", pki / f"zorgkas-{zorgkas}.crt", "-inkey", pki / f"zorgkas-{zorgkas}.key"],
        capture_output=True, check=True,
    ).stdout  # fmt: skip
    uit = subprocess.run(
        ["openssl", "cms", "-verify", "-binary", "-inform", "DER", "-CAfile", pki / "ca.crt",
         "-purpose", "any"],
        input=ondertekend, capture_output=True, check=True,
    ).stdout.decode()  # fmt: skip
    assert uit.startswith("KBI-ZORGKAS-LIJST 1\n")
    return uit


def test_the_api_refuses_what_it_must_and_never_writes_for_a_stranger(
    zes: tuple[AiiNode, dict[str, list[str]]], capsys: Cap
) -> None:
    _, leden = zes
    token = _token(capsys, "api-cm", "CM")
    eigen = leden["CM"]
    aanvragen_voor = _vsb_tel(select(func.count()).select_from(AanvraagRow))
    audit_voor = _vsb_tel(select(func.count()).select_from(VsbAuditRow))
    with TestClient(maak_app(load_settings())) as http:
        auth = {"Authorization": f"Bearer {token}"}
        pad = "/api/v1/zorgkas/aanvragen"
        # strangers: no token, a bad token, random tokens by the thousand
        assert http.post(pad, json={"insz": eigen[0], "opening": "2024-03-01"}).status_code == 401
        statussen = {
            http.get(pad, headers={"Authorization": f"Bearer x{i}"}).status_code
            for i in range(1_000)
        }
        assert statussen == {401, 429}  # past the burst the address waits
        assert http.get(pad, headers=auth).status_code == 200  # a valid token still passes
        assert _vsb_tel(select(func.count()).select_from(AanvraagRow)) == aanvragen_voor
        # careless clients: each refusal names what is wrong
        for body, status, woorden in (
            (b"{", 400, "not valid JSON"),
            (b"[]", 400, "not a JSON object"),
            (b'{"insz": "1", "opening": "2024-03-01", "x": 1}', 400, "unknown field 'x'"),
            (b'{"insz": 85073001546, "opening": "2024-03-01"}', 400, "'insz': required"),
            (b'{"insz": "85073001547", "opening": "2024-03-01"}', 400, "insz: invalid INSZ"),
            (b'{"insz": "85073001546", "opening": "1-3-2024"}', 400, "'opening': expected a date"),
            (b'{"insz": "85073001546", "opening": "2999-01-01"}', 400, "lies in the future"),
        ):
            antwoord = http.post(pad, content=body, headers=auth)
            assert antwoord.status_code == status, body
            assert woorden in antwoord.json()["detail"], antwoord.text
            assert "85073001547" not in antwoord.text

        def groot() -> Iterator[bytes]:  # no Content-Length: chunked
            for _ in range(64):
                yield b" " * 1024

        antwoord = http.post(pad, content=groot(), headers=auth)
        assert antwoord.status_code == 413
        assert http.get("/api/v1/zorgkas/lijsten/abc", headers=auth).status_code == 400
        assert http.get("/api/v1/zorgkas/aanvragen/" + "x" * 5000, headers=auth).status_code == 404
        assert http.get(pad + "?wachtend=misschien", headers=auth).status_code == 400
        assert _vsb_tel(select(func.count()).select_from(AanvraagRow)) == aanvragen_voor

        # revoked: the token stops working within a second
        assert kbi(capsys, "vsb", "clients", "revoke", "api-cm").code == 0
        time.sleep(1.1)
        assert http.get(pad, headers=auth).status_code == 401
        openapi = http.get("/api/v1/openapi.json").json()
        assert "/api/v1/zorgkas/aanvragen" in openapi["paths"]
    # the strangers' attempts are audited as one aggregated security event, never one each
    assert (
        _vsb_tel(select(func.count()).where(VsbAuditRow.gebeurtenis == "vsb:security:auth-failed"))
        >= 1
    )
    assert _vsb_tel(select(func.count()).select_from(VsbAuditRow)) < audit_voor + 200
    assert kbi(capsys, "audit", "verify", "--alone", "--node", "vsb").code == 0


def test_many_callers_at_once_record_one_application_per_person_and_opening(
    zes: tuple[AiiNode, dict[str, list[str]]], capsys: Cap
) -> None:
    aii, leden = zes
    auth = {"Authorization": f"Bearer {_token(capsys, 'api-cm', 'CM')}"}
    eigen = leden["CM"]
    pad = "/api/v1/zorgkas/aanvragen"
    with TestClient(maak_app(load_settings())) as http:
        # many callers at once, each person's application sent six times: one recorded per
        # person and opening, each with its own referte; the repeats refused, naming the first
        antwoorden: list[httpx.Response] = []

        def dien_in(i: int) -> None:
            antwoorden.append(
                http.post(
                    pad, json={"insz": eigen[i % len(eigen)], "opening": "2024-03-01"}, headers=auth
                )
            )

        draden = [threading.Thread(target=dien_in, args=(i,)) for i in range(6 * len(eigen))]
        for draad in draden:
            draad.start()
        for draad in draden:
            draad.join()
        aangenomen = [a.json() for a in antwoorden if a.status_code == 201]
        geweigerd = [a for a in antwoorden if a.status_code != 201]
        assert len(aangenomen) == len(eigen)
        assert len({a["referte"] for a in aangenomen}) == len(eigen)
        assert {a.status_code for a in geweigerd} == {400}
        assert all("of this person at this zorgkas" in a.json()["detail"] for a in geweigerd)
        assert {a["insz"] for a in aangenomen} == set(eigen)
        opgeslagen = select(func.count()).where(AanvraagRow.opening == date(2024, 3, 1))
        assert _vsb_tel(opgeslagen) == len(eigen)  # nothing half-stored for the refused ones

        # AII down: an application waits (201, wacht_op_bron), never a silent OK (first the
        # granted one ends: a new application follows the end or the refusal of the last)
        [eerste] = [a for a in aangenomen if a["insz"] == eigen[0]]
        if eerste["status"] == "toegekend":
            einde = ("vsb", "application", "end", eerste["id"], "--date", "2024-04-30")
            assert kbi(capsys, *einde, "--as", "h-cm").code == 0
        aii.stop()
        wacht = http.post(pad, json={"insz": eigen[0], "opening": "2024-05-01"}, headers=auth)
        assert (wacht.status_code, wacht.json()["status"]) == (201, "wacht_op_bron")
        health = http.get("/api/v1/health").json()
        assert (health["status"], health["database"]) == ("ok", "ok")


def test_kbi_serve_node_vsb_serves_and_each_client_has_its_rate(
    twee_nodes: Path, capsys: Cap
) -> None:
    token = _token(capsys, "api-sol", "SOL")
    poort = vrije_poort()
    server = subprocess.Popen(
        [sys.executable, "-m", "kbi_exchange", "serve", "--node", "vsb", "--port", str(poort)],
        env=dict(os.environ),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        adres = f"http://127.0.0.1:{poort}"
        for _ in range(150):
            try:
                if httpx.get(f"{adres}/api/v1/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.1)
        assert httpx.get(f"{adres}/api/v1/health").json()["database"] == "ok"
        auth = {"Authorization": f"Bearer {token}"}
        assert httpx.get(f"{adres}/api/v1/zorgkas/aanvragen", headers=auth).json() == {
            "aanvragen": []
        }
    finally:
        server.terminate()
        server.wait(timeout=20)
    # the rate per client: past its burst a client waits (429), another client does not
    instellingen = replace(
        load_settings(), vsb_api_burst_per_client=5, vsb_api_per_second_per_client=0.01
    )
    ander = _token(capsys, "api-nz", "NZ")
    with TestClient(maak_app(instellingen)) as http:
        statussen = [
            http.get("/api/v1/zorgkas/aanvragen", headers=auth).status_code for _ in range(8)
        ]
        assert statussen == [200] * 5 + [429] * 3
        andere = http.get("/api/v1/zorgkas/aanvragen", headers={"Authorization": f"Bearer {ander}"})
        assert andere.status_code == 200
