"""The pages of both nodes in-process (issue 22): log-in, sessions, CSRF, lockout, the public
transparency page, a zorgkas application, the four-eyes approval, refusals by role, junk in
every form — on one populated home (tests/web_wereld.py)."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from tests.aii_node import vrije_poort
from tests.conftest import EXAMPLES
from tests.web_wereld import (
    GEEN_LID,
    LM_INSZ,
    NOK_INSZ,
    WACHTWOORD,
    Wereld,
    bouw_wereld,
    csrf,
    meld_aan,
)


@pytest.fixture(scope="module")
def wereld(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Wereld]:
    with pytest.MonkeyPatch.context() as mp:
        yield from bouw_wereld(tmp_path_factory.mktemp("web"), mp, vrije_poort())


@pytest.fixture
def aii(wereld: Wereld) -> Iterator[TestClient]:
    with wereld.client("aii") as client:
        yield client


@pytest.fixture
def vsb(wereld: Wereld) -> Iterator[TestClient]:
    with wereld.client("vsb") as client:
        yield client


def als(client: TestClient, naam: str) -> TestClient:
    antwoord = meld_aan(client, naam)
    assert antwoord.status_code == 303, antwoord.text
    return client


@pytest.mark.parametrize("node", ["aii", "vsb"])
def test_the_transparency_page_needs_no_log_in_and_says_what_ok_means(
    wereld: Wereld, node: str
) -> None:
    with wereld.client(node) as client:
        pagina = client.get("/protocol")
    assert pagina.status_code == 200
    assert "OK betekent: geen niet-naleving gekend in de KBI" in pagina.text
    # the protocol's own text, shipped in the package
    assert "PROTOCOL VOOR DE ELEKTRONISCHE MEDEDELING VAN PERSOONS" in pagina.text
    assert "uw zorgkas" in pagina.text
    assert "geen einde gekend" in pagina.text  # the legal bases with their end dates
    assert "in werking" in pagina.text
    assert pagina.headers["content-security-policy"].startswith("default-src 'none'")
    assert "set-cookie" not in pagina.headers
    with wereld.client(node) as client:
        stijl = client.get("/static/kbi.css")
    assert stijl.status_code == 200
    assert stijl.headers["content-type"].startswith("text/css")
    assert ".kop" in stijl.text


def test_log_in_sets_a_strict_http_only_cookie_and_log_out_ends_the_session(
    vsb: TestClient,
) -> None:
    antwoord = meld_aan(vsb, "zoe")
    assert antwoord.status_code == 303
    assert antwoord.headers["location"] == "/start"
    koek = antwoord.headers["set-cookie"]
    assert "kbi_sessie=" in koek
    assert "HttpOnly" in koek
    assert "SameSite=strict" in koek or "SameSite=Strict" in koek
    start = vsb.get("/start")
    assert "zorgkas-handler" in start.text
    assert "zorgkas <strong>CM</strong>" in start.text
    token = vsb.cookies["kbi_sessie"]
    weg = vsb.post("/logout", data={"csrf": csrf(start)}, follow_redirects=False)
    assert weg.status_code == 303
    # the old cookie, kept by an attacker, opens nothing any more
    vsb.cookies.set("kbi_sessie", token)
    terug = vsb.get("/start", follow_redirects=False)
    assert terug.status_code == 303
    assert terug.headers["location"].startswith("/login?volgende=/start")


def test_a_wrong_password_is_refused_and_repeated_failures_lock_the_account(
    aii: TestClient,
) -> None:
    fout = meld_aan(aii, "lena", "not the password")
    assert fout.status_code == 401
    assert "Aanmelden mislukt" in fout.text
    assert "kbi_sessie" not in fout.headers.get("set-cookie", "")
    for _ in range(4):
        meld_aan(aii, "lena", "not the password")
    # locked now: the right password is refused with the same words
    geblokkeerd = meld_aan(aii, "lena", WACHTWOORD)
    assert geblokkeerd.status_code == 401
    assert "tijdelijk geblokkeerd" in geblokkeerd.text


def test_forms_without_or_with_a_wrong_csrf_token_or_from_another_site_are_refused(
    vsb: TestClient,
) -> None:
    als(vsb, "zoe")
    zonder = vsb.post("/zorgkas/aanvragen", data={"insz": NOK_INSZ, "opening": "2022-01-01"})
    assert zonder.status_code == 403
    assert "CSRF" in zonder.text
    fout = vsb.post(
        "/zorgkas/aanvragen", data={"csrf": "0" * 64, "insz": NOK_INSZ, "opening": "2022-01-01"}
    )
    assert fout.status_code == 403
    token = csrf(vsb.get("/zorgkas/aanvragen"))
    elders = vsb.post(
        "/zorgkas/aanvragen",
        data={"csrf": token, "insz": NOK_INSZ, "opening": "2022-01-01"},
        headers={"Origin": "https://evil.example"},
    )
    assert elders.status_code == 403
    # the log-in form too: no token, no log-in
    assert vsb.post("/login", data={"naam": "zoe", "wachtwoord": WACHTWOORD}).status_code == 403
    # nothing was recorded by any of them
    assert NOK_INSZ not in vsb.get("/zorgkas/aanvragen").text


def test_a_zorgkas_handler_records_an_application_and_reads_the_letter(vsb: TestClient) -> None:
    als(vsb, "zoe")
    token = csrf(vsb.get("/zorgkas/aanvragen"))
    antwoord = vsb.post(
        "/zorgkas/aanvragen",
        data={"csrf": token, "insz": NOK_INSZ, "opening": "2022-01-01"},
        follow_redirects=False,
    )
    assert antwoord.status_code == 303, antwoord.text
    pagina = vsb.get(antwoord.headers["location"])
    assert pagina.status_code == 200
    assert "NOK" in pagina.text
    assert "NIET_TIJDIG_AANGEMELD" in pagina.text
    assert "Brieftekst bij de weigering" in pagina.text
    assert "kan niet worden toegekend" in pagina.text
    assert NOK_INSZ in vsb.get("/zorgkas/aanvragen").text


@pytest.mark.parametrize("insz", [LM_INSZ, GEEN_LID])
def test_a_person_not_of_the_handlers_zorgkas_is_refused_in_the_same_words(
    vsb: TestClient, insz: str
) -> None:
    als(vsb, "zoe")
    token = csrf(vsb.get("/zorgkas/aanvragen"))
    antwoord = vsb.post(
        "/zorgkas/aanvragen", data={"csrf": token, "insz": insz, "opening": "2023-01-01"}
    )
    assert 400 <= antwoord.status_code < 500
    assert "LM" not in antwoord.text.split("<main", 1)[1].split("</main>", 1)[0]
    assert insz not in antwoord.text


def test_another_zorgkass_application_is_not_found_for_a_handler(vsb: TestClient) -> None:
    als(vsb, "lou")
    token = csrf(vsb.get("/zorgkas/aanvragen"))
    eigen = vsb.post(
        "/zorgkas/aanvragen",
        data={"csrf": token, "insz": LM_INSZ, "opening": "2023-01-01"},
        follow_redirects=False,
    )
    assert eigen.status_code == 303, eigen.text
    pad = eigen.headers["location"]
    vsb.cookies.clear()
    als(vsb, "zoe")
    vreemd = vsb.get(pad)
    assert vreemd.status_code == 404
    assert LM_INSZ not in vreemd.text
    assert LM_INSZ not in vsb.get("/zorgkas/aanvragen").text
    # VSB staff see both zorgkassen
    vsb.cookies.clear()
    als(vsb, "vera")
    alles = vsb.get("/zorgkas/aanvragen").text
    assert LM_INSZ in alles


def test_the_four_eyes_approval_needs_another_person(aii: TestClient) -> None:
    als(aii, "olga")
    token = csrf(aii.get("/aii/lijsten"))
    gemaakt = aii.post("/aii/lijsten", data={"csrf": token, "jaar": "2024"}, follow_redirects=False)
    assert gemaakt.status_code == 303, gemaakt.text
    lijst_id = gemaakt.headers["location"].split("gemaakt=")[1]
    eigen = aii.post(f"/aii/lijsten/{lijst_id}", data={"csrf": token, "stap": "goedkeuren"})
    assert eigen.status_code == 403
    assert "kbi:lijst:approve" in eigen.text
    aii.cookies.clear()
    als(aii, "anton")
    token = csrf(aii.get("/aii/lijsten"))
    goed = aii.post(
        f"/aii/lijsten/{lijst_id}",
        data={"csrf": token, "stap": "goedkeuren"},
        follow_redirects=False,
    )
    assert goed.status_code == 303, goed.text
    geleverd = aii.post(
        f"/aii/lijsten/{lijst_id}", data={"csrf": token, "stap": "leveren"}, follow_redirects=True
    )
    assert geleverd.status_code == 200
    assert "geleverd" in geleverd.text
    assert "anton" in geleverd.text


@pytest.mark.parametrize(
    ("naam", "pad"),
    [
        ("zoe", "/vsb/verdeling"),
        ("zoe", "/audit"),
        ("vera", "/audit"),
        ("anton", "/aii/dossiers"),
        ("anton", "/aii/meldingen"),
        ("aida", "/aii/lijsten"),
        ("olga", "/audit"),
    ],
)
def test_a_page_for_another_role_is_refused_with_the_reason(
    wereld: Wereld, naam: str, pad: str
) -> None:
    from tests.web_wereld import node_van  # noqa: PLC0415

    with wereld.client(node_van(naam)) as client:
        als(client, naam)
        antwoord = client.get(pad)
    assert antwoord.status_code == 403
    assert "does not grant" in antwoord.text


def test_a_page_without_a_session_sends_to_the_log_in_and_back(aii: TestClient) -> None:
    antwoord = aii.get("/aii/dossiers?insz=1", follow_redirects=False)
    assert antwoord.status_code == 303
    assert antwoord.headers["location"] == "/login?volgende=/aii/dossiers"
    # and no open redirect after log-in
    token = csrf(aii.get("/login"))
    weg = aii.post(
        "/login",
        data={
            "csrf": token,
            "naam": "olga",
            "wachtwoord": WACHTWOORD,
            "volgende": "//evil.example",
        },
        follow_redirects=False,
    )
    assert weg.headers["location"] == "/start"


def test_the_dossier_page_shows_the_timeline_and_the_decision_as_known_at(
    aii: TestClient,
) -> None:
    als(aii, "olga")
    pagina = aii.get(f"/aii/dossiers?insz={NOK_INSZ}&datum=2022-01-01")
    assert pagina.status_code == 200
    assert "NIET_TIJDIG_AANGEMELD" in pagina.text
    assert 'class="tijdlijn"' in pagina.text
    assert "In de doelgroep" in pagina.text
    # as known at another moment: the decision says which
    vroeger = aii.get(f"/aii/dossiers?insz={NOK_INSZ}&datum=2022-01-01&gekend_op=2024-03-01")
    assert vroeger.status_code == 200
    assert "gekend op 2024-03-01 23:59 UTC" in vroeger.text
    fout = aii.get("/aii/dossiers?insz=12345&datum=2022-01-01")
    assert fout.status_code == 200
    assert "Geen beslissing" in fout.text


def test_the_dpo_searches_the_audit_log_by_person_and_period(aii: TestClient) -> None:
    als(aii, "dora")
    pagina = aii.get("/audit")
    assert "De keten is intact" in pagina.text
    persoon = aii.get(f"/audit?insz={NOK_INSZ}")
    assert persoon.status_code == 200
    assert "kbi:advies" in persoon.text  # VSB's question about them
    periode = aii.get("/audit?van=2000-01-01")
    assert periode.status_code == 200
    assert "regel(s) gevonden" in periode.text
    assert NOK_INSZ not in periode.text.split("<table>", 1)[1]
    from tests.web_wereld import kbi_cli  # noqa: PLC0415

    kbi_cli("retention", "run", "--node", "aii")
    runs = aii.get("/audit?soort=bewaring")
    assert runs.status_code == 200
    assert "Bewaarruns" in runs.text
    assert "kbi:retention:run" in runs.text
    assert "kbi:advies" not in runs.text.split("Bewaarruns", 1)[1]


JUNK = [
    {"csrf": "x", "insz": "x" * 5000, "opening": "2022-01-01"},
    {"insz": "\x00\xff", "opening": "9999-99-99"},
]


@pytest.mark.parametrize(
    ("node", "naam", "pad"),
    [
        ("vsb", "zoe", "/zorgkas/aanvragen"),
        ("vsb", "zoe", "/zorgkas/meldingen"),
        ("vsb", "vera", "/incidenten"),
        ("aii", "olga", "/aii/lijsten"),
        ("aii", "olga", "/aii/lijsten/geen-lijst"),
        ("aii", "olga", "/incidenten"),
        ("aii", "olga", "/login"),
        ("aii", "olga", "/logout"),
    ],
)
def test_no_form_answers_5xx_to_junk_long_fields_or_a_missing_token(
    wereld: Wereld, node: str, naam: str, pad: str
) -> None:
    with wereld.client(node) as client:
        als(client, naam)
        token = csrf(client.get("/start"))
        lang = "é" * 5_000
        pogingen = [
            client.post(
                pad,
                data={
                    "csrf": token,
                    "insz": lang,
                    "opening": lang,
                    "jaar": lang,
                    "omschrijving": lang,
                    "vastgesteld": lang,
                    "stap": lang,
                    "naam": lang,
                    "wachtwoord": lang,
                    "aanvraag": lang,
                },
            ),
            client.post(pad, data={"insz": "1"}),
            client.post(
                pad,
                content=b"\xff\xfe\x00garbage",
                headers={"content-type": "application/x-www-form-urlencoded"},
            ),
            client.post(
                pad,
                content=b"a=1&" * 20_000,
                headers={"content-type": "application/x-www-form-urlencoded"},
            ),
            client.post(pad, content=b"{}", headers={"content-type": "application/json"}),
            client.post(
                pad,
                content=f"csrf={token}&csrf={token}".encode(),
                headers={"content-type": "application/x-www-form-urlencoded"},
            ),
            client.post(
                pad,
                data={
                    "csrf": token,
                    "jaar": "20x4",
                    "opening": "2022-02-30",
                    "vastgesteld": "2999-01-01T00:00",
                },
            ),
            # digits that are not ASCII, a moment out of range, one with its own offset
            client.post(pad, data={"csrf": token, "jaar": "²²²²", "betrokkenen": "²",
                                   "vastgesteld": "0001-01-01T00:00", "omschrijving": "x"}),
            client.post(pad, data={"csrf": token, "vastgesteld": "2026-01-01T10:00+05:00",
                                   "omschrijving": "x", "naam": "cc", "zorgkas": ""}),
        ]  # fmt: skip
    for antwoord in pogingen:
        assert antwoord.status_code < 500, (pad, antwoord.status_code, antwoord.text[:300])
        assert antwoord.status_code != 200 or pad in ("/login", "/logout")


def test_a_complaint_is_passed_on_for_an_own_member_only_and_seen_by_its_zorgkas_only(
    wereld: Wereld,
) -> None:
    with wereld.client("vsb") as vsb:
        als(vsb, "lou")
        token = csrf(vsb.get("/zorgkas/meldingen"))
        eigen = vsb.post(
            "/zorgkas/meldingen",
            data={"csrf": token, "insz": LM_INSZ, "omschrijving": "Mijn attest ontbreekt."},
            follow_redirects=False,
        )
        assert eigen.status_code == 303, eigen.text
        assert LM_INSZ in vsb.get("/zorgkas/meldingen").text
        vsb.cookies.clear()
        als(vsb, "zoe")
        token = csrf(vsb.get("/zorgkas/meldingen"))
        vreemd = vsb.post(
            "/zorgkas/meldingen",
            data={"csrf": token, "insz": LM_INSZ, "omschrijving": "Niet van ons."},
        )
        assert vreemd.status_code == 404
        assert LM_INSZ not in vreemd.text
        # another zorgkas's report is not in the handler's list; VSB staff see it
        assert LM_INSZ not in vsb.get("/zorgkas/meldingen").text
        vsb.cookies.clear()
        als(vsb, "vera")
        assert LM_INSZ in vsb.get("/zorgkas/meldingen").text
    with wereld.client("aii") as aii:
        als(aii, "olga")
        wachtrij = aii.get("/aii/meldingen")
        assert "Mijn attest ontbreekt." in wachtrij.text
        assert "Niet van ons." not in wachtrij.text


def test_an_incident_is_registered_and_its_deadlines_shown(wereld: Wereld) -> None:
    with wereld.client("aii") as aii:
        als(aii, "olga")
        token = csrf(aii.get("/incidenten"))
        antwoord = aii.post(
            "/incidenten",
            data={
                "csrf": token,
                "vastgesteld": "2026-01-05T09:30",
                "omschrijving": "Verkeerd geadresseerde mail",
                "betrokkenen": "3",
                "categorie_insz": "ja",
                "datalek": "ja",
            },
        )
        assert antwoord.status_code == 200, antwoord.text
        assert "Verkeerd geadresseerde mail" in antwoord.text
        # VSB is not served here: registered, and said plainly that it was not notified
        assert "kon niet bereikt worden" in antwoord.text


# SPEC §11 as the pages should show it, written out here (not derived from PERMISSIES): which
# pages each person may open; every other page of their node is refused (403 or, for a
# zorgkas's own view that staff do not have, 404).
PAGINAS = {
    "aii": ["/start", "/protocol", "/aii/dossiers", "/aii/lijsten", "/aii/meldingen", "/audit",
            "/incidenten", "/aii/herspeel?id=x", "/registers", "/clients", "/aii/import"],
    "vsb": ["/start", "/protocol", "/zorgkas/aanvragen", "/zorgkas/lijst?jaar=2024",
            "/zorgkas/meldingen", "/vsb/verdeling", "/audit", "/incidenten", "/registers",
            f"/zorgkas/premie?insz={NOK_INSZ}&jaar=2024", "/clients"],
}  # fmt: skip
PREMIE = f"/zorgkas/premie?insz={NOK_INSZ}&jaar=2024"
MAG = {
    "olga": {"/aii/dossiers", "/aii/lijsten", "/aii/meldingen", "/incidenten", "/aii/import"},
    "anton": {"/aii/lijsten"},
    "dora": {"/aii/dossiers", "/aii/lijsten", "/audit", "/incidenten", "/registers", "/clients"},
    "aida": {"/audit"},
    "zoe": {"/zorgkas/aanvragen", "/zorgkas/lijst?jaar=2024", "/zorgkas/meldingen"},
    "lou": {"/zorgkas/aanvragen", "/zorgkas/lijst?jaar=2024", "/zorgkas/meldingen"},
    "vera": {"/zorgkas/aanvragen", "/zorgkas/meldingen", "/vsb/verdeling", "/incidenten"},
    "vida": {"/audit", "/incidenten", "/registers", "/clients"},
    "vic": {"/audit"},
}  # fmt: skip
# what each zorgkas handler may never read, anywhere: the other zorgkas's members
VREEMD = {"zoe": [LM_INSZ], "lou": [NOK_INSZ, "85073001348"]}


def test_every_role_walks_every_page_and_sees_only_what_spec_11_allows(wereld: Wereld) -> None:
    from tests.web_wereld import MENSEN  # noqa: PLC0415

    tijden: list[float] = []
    for naam, mag in MAG.items():
        node = MENSEN[naam][0]
        with wereld.client(node) as client:
            als(client, naam)
            start = client.get("/start").text
            for pad in PAGINAS[node]:
                begin = time.perf_counter()
                antwoord = client.get(pad)
                tijden.append(time.perf_counter() - begin)
                if pad == "/aii/herspeel?id=x":  # no such decision: 404 for whom may look
                    verwacht = 404 if "/aii/dossiers" in mag else 403
                    assert antwoord.status_code == verwacht, (naam, pad, antwoord.status_code)
                elif pad == PREMIE:  # no list of 2023 at VSB: 400 for whom may ask, with why
                    verwacht = 400 if naam in ("zoe", "lou", "vera") else 403
                    assert antwoord.status_code == verwacht, (naam, pad, antwoord.status_code)
                elif pad in ("/start", "/protocol") or pad in mag:
                    assert antwoord.status_code == 200, (naam, pad, antwoord.text[:500])
                else:
                    assert antwoord.status_code in (400, 403, 404), (
                        naam,
                        pad,
                        antwoord.status_code,
                    )
                    assert f'href="{pad.split("?")[0]}"' not in start, (naam, pad)  # no link
                for insz in VREEMD.get(naam, []):
                    assert insz not in antwoord.text, (naam, pad, insz)
    tijden.sort()
    print(f"\npages walked: {len(tijden)}, median {1000 * tijden[len(tijden) // 2]:.1f} ms")


# every action (a form) of the pages, with a form that would do it; 403 for whom SPEC §11
# refuses it, and anything else but 403 (done, or refused for another reason) for whom it allows
ACTIES = {
    "aii": [
        ("/aii/lijsten", {"jaar": "2025"}, {"olga"}),
        ("/aii/lijsten/geen-lijst", {"stap": "goedkeuren"}, {"anton"}),
        ("/aii/lijsten/geen-lijst", {"stap": "leveren"}, {"olga", "anton"}),
        ("/incidenten", {"vastgesteld": "2026-01-02T10:00", "omschrijving": "x",
                         "categorie_andere": "ja"}, {"olga", "dora"}),
        ("/clients", {"naam": "walk-client", "doel_ZORGBUDGET": "ja"}, {"dora"}),
        ("/clients/walk-client/intrekken", {}, {"dora"}),
    ],
    "vsb": [
        # lou (LM) may record applications and pass complaints on, but not for a CM member:
        # refused for the person (400/404, the same words as for anyone unknown), never 403
        ("/zorgkas/aanvragen", {"insz": NOK_INSZ, "opening": "2023-06-01", "zorgkas": "CM"},
         {"zoe", "vera", "lou"}),
        ("/zorgkas/meldingen", {"insz": NOK_INSZ, "omschrijving": "klopt niet"},
         {"zoe", "vera", "lou"}),
        ("/incidenten", {"vastgesteld": "2026-01-02T10:00", "omschrijving": "x",
                         "categorie_andere": "ja"}, {"vera", "vida"}),
        ("/clients", {"naam": "walk-client", "zorgkas": "CM"}, {"vida"}),
        ("/clients/walk-client/intrekken", {}, {"vida"}),
    ],
}  # fmt: skip


def test_every_role_tries_every_action_and_only_spec_11_lets_it_through(wereld: Wereld) -> None:
    from tests.web_wereld import MENSEN  # noqa: PLC0415

    for naam in MAG:
        node = MENSEN[naam][0]
        with wereld.client(node) as client:
            als(client, naam)
            token = csrf(client.get("/start"))
            for pad, velden, mogen in ACTIES[node]:
                antwoord = client.post(pad, data={"csrf": token, **velden})
                if naam in mogen:
                    assert antwoord.status_code != 403, (naam, pad, antwoord.text[:400])
                else:
                    assert antwoord.status_code == 403, (naam, pad, antwoord.status_code)
                assert antwoord.status_code < 500, (naam, pad, antwoord.text[:400])
                for insz in VREEMD.get(naam, []):
                    assert insz not in antwoord.text, (naam, pad, insz)


def test_a_stored_decision_is_replayed_and_the_premium_decided(wereld: Wereld) -> None:
    from sqlalchemy import select  # noqa: PLC0415

    from kbi_exchange.adapters.db.aii_models import BeslissingRow  # noqa: PLC0415
    from kbi_exchange.bootstrap import engine  # noqa: PLC0415
    from kbi_exchange.settings import load_settings  # noqa: PLC0415

    with engine(load_settings().aii_database_url).connect() as verbinding:
        beslissing_id = verbinding.scalar(select(BeslissingRow.id).limit(1))
    assert beslissing_id is not None  # the applications above asked AII
    with wereld.client("aii") as aii:
        als(aii, "olga")
        pagina = aii.get(f"/aii/herspeel?id={beslissing_id}")
        assert pagina.status_code == 200
        assert "Gelijk: dezelfde beslissing." in pagina.text
        assert aii.get("/aii/herspeel?id=geen-beslissing").status_code == 404
    with wereld.client("vsb") as vsb:
        als(vsb, "zoe")
        premie = vsb.get(f"/zorgkas/premie?insz={NOK_INSZ}&jaar=2024")
        assert premie.status_code == 400
        assert "no yearly list of 2023 was received" in premie.text
        vroeg = vsb.get(f"/zorgkas/premie?insz={NOK_INSZ}&jaar=2021")
        assert vroeg.status_code == 400
        assert "applies from 2023" in vroeg.text


def test_the_dpo_adds_a_client_sees_its_token_once_and_revokes_it(wereld: Wereld) -> None:
    with wereld.client("vsb") as vsb:
        als(vsb, "vida")
        token = csrf(vsb.get("/clients"))
        nieuw = vsb.post("/clients", data={"csrf": token, "naam": "cm-portaal", "zorgkas": "CM"})
        assert nieuw.status_code == 200, nieuw.text
        geheim = nieuw.text.split('<code class="token">', 1)[1].split("<", 1)[0]
        assert len(geheim) >= 43
        lijst = vsb.get("/clients").text
        assert "cm-portaal" in lijst
        assert geheim not in lijst  # shown once, kept nowhere
        # the token works on the zorgkas API (known within the register's 0.25 s), until revoked
        time.sleep(0.3)
        kop = {"Authorization": f"Bearer {geheim}"}
        assert vsb.get("/api/v1/zorgkas/aanvragen", headers=kop).status_code == 200
        weg = vsb.post("/clients/cm-portaal/intrekken", data={"csrf": token})
        assert weg.status_code == 200
        assert "Intrekken" not in weg.text.split("cm-portaal", 1)[1].split("</tr>", 1)[0]
        dubbel = vsb.post("/clients", data={"csrf": token, "naam": "cm-portaal", "zorgkas": "CM"})
        assert dubbel.status_code == 400
        assert "exists already" in dubbel.text


def test_an_operator_imports_a_file_and_follows_its_progress(wereld: Wereld) -> None:
    goed = (EXAMPLES / "dossiers.jsonl").read_bytes()
    with wereld.client("aii") as aii:
        als(aii, "olga")
        token = csrf(aii.get("/aii/import"))
        fout = aii.post(
            "/aii/import",
            data={"csrf": token},
            files={"bestand": ("slecht.jsonl", b'{"insz": "12345678901"}\n' + goed)},
            follow_redirects=False,
        )
        assert fout.status_code == 303, fout.text
        stand = _wacht_op_import(aii, fout.headers["location"])
        assert "Niet geïmporteerd" in stand
        assert "line 1: insz" in stand
        zonder = aii.post("/aii/import", files={"bestand": ("a.jsonl", goed)})
        assert zonder.status_code == 403
        antwoord = aii.post(
            "/aii/import",
            data={"csrf": token},
            files={"bestand": ("goed.jsonl", goed)},
            follow_redirects=False,
        )
        stand = _wacht_op_import(aii, antwoord.headers["location"])
        assert "Klaar: 11 regels" in stand
        assert "goed.jsonl" in aii.get("/aii/import").text
        # the upload is not kept; the progress files hold no INSZ
        importmap = wereld.home / "imports"
        assert not list(importmap.glob("**/*.jsonl"))
        for bestand in importmap.glob("*.json"):
            assert NOK_INSZ not in bestand.read_text()
    with wereld.client("aii") as aii:
        als(aii, "dora")  # the DPO does not change KBI data
        token = csrf(aii.get("/start"))
        geweigerd = aii.post(
            "/aii/import", data={"csrf": token}, files={"bestand": ("x.jsonl", goed)}
        )
        assert geweigerd.status_code == 403
        assert aii.get("/aii/import").status_code == 403


def _wacht_op_import(client: TestClient, pad: str) -> str:
    for _ in range(100):
        pagina = client.get(pad)
        assert pagina.status_code == 200, pagina.text
        if 'http-equiv="refresh"' not in pagina.text:
            return str(pagina.text)
        time.sleep(0.1)
    raise AssertionError("the import did not finish")


@pytest.mark.parametrize(
    "pad",
    ["/vsb/verdeling?jaar=²²²²", "/zorgkas/lijst?jaar=٢٠٢٤", "/zorgkas/premie?insz=1&jaar=²²²²",
     "/audit?van=0001-01-01", "/audit?van=2024-13-01", "/audit?insz=%00",
     "/zorgkas/aanvragen?zorgkas=XX", "/zorgkas/aanvragen/" + "x" * 500,
     "/zorgkas/bestanden/..%2F..%2Fetc"],
)  # fmt: skip
def test_junk_in_addresses_gets_a_clear_refusal_not_a_server_error(
    wereld: Wereld, pad: str
) -> None:
    with wereld.client("vsb") as vsb:
        als(vsb, "vida" if pad.startswith("/audit") else "vera")  # whom the page would serve
        antwoord = vsb.get(pad)
    assert 400 <= antwoord.status_code < 500, (pad, antwoord.status_code, antwoord.text[:300])
    assert antwoord.status_code != 403, (pad, antwoord.text[:300])


def test_after_the_session_ended_a_form_leads_back_to_a_page_and_log_out_just_works(
    aii: TestClient,
) -> None:
    als(aii, "olga")
    token = csrf(aii.get("/aii/lijsten"))
    aii.cookies.set("kbi_sessie", "ended-session")
    weg = aii.post(
        "/aii/lijsten/x", data={"csrf": token, "stap": "leveren"}, follow_redirects=False
    )
    assert weg.status_code == 303
    assert weg.headers["location"] == "/login?volgende=/start"  # not a POST-only address
    uit = aii.post("/logout", data={}, follow_redirects=False)
    assert uit.status_code == 303
    assert uit.headers["location"] == "/login"


def test_an_import_left_by_a_dead_process_is_cleared_and_a_running_one_blocks_another(
    wereld: Wereld,
) -> None:
    import json  # noqa: PLC0415

    from kbi_exchange.entrypoints.web.aii_import import SLOT, ruim_op  # noqa: PLC0415

    map_ = wereld.home / "imports"
    map_.mkdir(exist_ok=True)
    (map_ / "dood").mkdir()
    (map_ / "dood" / "dossiers.jsonl").write_text("personal data", encoding="utf-8")
    (map_ / "dood.json").write_text(json.dumps({"status": "bezig", "regels": 3}))
    ruim_op(map_)
    assert not (map_ / "dood").exists()  # the upload of the dead import is gone
    assert json.loads((map_ / "dood.json").read_text())["status"] == "onderbroken"
    # a slot held by a running import (another process, say): a new upload is refused first
    (map_ / SLOT).write_text("0" * 36, encoding="utf-8")
    try:
        with wereld.client("aii") as aii:
            als(aii, "olga")
            token = csrf(aii.get("/aii/import"))
            bezet = aii.post(
                "/aii/import",
                data={"csrf": token},
                files={"bestand": ("../../elders é.jsonl", b"{}\n")},
            )
            assert bezet.status_code == 409
            assert "Er loopt al een import" in bezet.text
    finally:
        (map_ / SLOT).unlink()
    assert not list(map_.glob("**/*.jsonl"))
