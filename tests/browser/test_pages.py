"""The pages in a real browser (Debian's Chromium, driven by Playwright) against both nodes
served by `kbi serve` in their own processes: log-in with the keyboard only, a zorgkas
application, the four-eyes approval with two people, a page refused for a wrong role, a form
post without its CSRF token, the transparency page without log-in. The main pages are
photographed on the way (`make screenshots` keeps them in docs/screenshots/)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.aii_node import serveer, vrije_poort
from tests.browser.conftest import Browser
from tests.conftest import EXAMPLES
from tests.oidc_provider import CLIENT_ID, CLIENT_SECRET, TestProvider
from tests.web_wereld import NOK_INSZ, WACHTWOORD, Wereld, bouw_wereld, zet_oidc

Page = object  # playwright's Page, imported lazily (only where a browser runs)


@pytest.fixture(scope="module")
def wereld(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Wereld, str, str]]:
    """The populated home, AII served by its fixture and VSB by `kbi serve` here, its pages
    pointed at a test identity provider."""
    provider = TestProvider()
    provider.start()
    with pytest.MonkeyPatch.context() as mp:
        for w in bouw_wereld(tmp_path_factory.mktemp("browser"), mp, vrije_poort()):
            zet_oidc(w.home, "vsb", provider.issuer, CLIENT_ID, CLIENT_SECRET)
            vsb_poort = vrije_poort()
            vsb = serveer("vsb", vsb_poort)
            try:
                yield w, w.aii_node.adres, f"http://127.0.0.1:{vsb_poort}"
            finally:
                vsb.terminate()
                vsb.wait(timeout=20)
                provider.stop()


def foto(pagina: object, naam: str, map_: Path) -> None:
    """A screenshot of the whole page; kept in docs/ when `KBI_SCREENSHOTS` says where."""
    doel = Path(os.environ.get("KBI_SCREENSHOTS") or map_)
    doel.mkdir(parents=True, exist_ok=True)
    pagina.screenshot(path=str(doel / f"{naam}.png"), full_page=True)  # type: ignore[attr-defined]
    assert (doel / f"{naam}.png").stat().st_size > 5_000


def meld_aan(pagina: object, adres: str, naam: str) -> None:
    p = pagina
    p.goto(f"{adres}/login")  # type: ignore[attr-defined]
    p.fill("#naam", naam)  # type: ignore[attr-defined]
    p.fill("#wachtwoord", WACHTWOORD)  # type: ignore[attr-defined]
    p.click("button[type=submit]")  # type: ignore[attr-defined]
    p.wait_for_url(f"{adres}/start")  # type: ignore[attr-defined]


def test_the_transparency_page_opens_without_log_in(
    browser: Browser, wereld: tuple[Wereld, str, str], tmp_path: Path
) -> None:
    _, aii, vsb = wereld
    for adres in (aii, vsb):
        pagina = browser.nieuwe_pagina()
        pagina.goto(f"{adres}/protocol")
        assert "OK betekent: geen niet-naleving gekend in de KBI" in pagina.inner_text("main")
        assert "PROTOCOL VOOR DE ELEKTRONISCHE MEDEDELING" in pagina.inner_text(".tekst")
        assert pagina.url.endswith("/protocol")  # no log-in asked
    foto(pagina, "protocol", tmp_path)


def test_the_log_in_form_works_with_the_keyboard_alone(
    browser: Browser, wereld: tuple[Wereld, str, str], tmp_path: Path
) -> None:
    _, aii, _ = wereld
    pagina = browser.nieuwe_pagina()
    pagina.goto(f"{aii}/login")
    foto(pagina, "login", tmp_path)
    # the name field has the focus on arrival; Tab goes to the password, then the button
    assert pagina.evaluate("document.activeElement.id") == "naam"
    pagina.keyboard.type("olga")
    pagina.keyboard.press("Tab")
    assert pagina.evaluate("document.activeElement.id") == "wachtwoord"
    pagina.keyboard.type(WACHTWOORD)
    pagina.keyboard.press("Tab")
    assert pagina.evaluate("document.activeElement.textContent") == "Aanmelden"
    # the focus is visible (an outline, WCAG 2.4.7)
    assert pagina.evaluate("getComputedStyle(document.activeElement).outlineStyle") != "none"
    pagina.keyboard.press("Enter")
    pagina.wait_for_url(f"{aii}/start")
    assert "aii-operator" in pagina.inner_text("main")
    # the skip link is the first stop on every page
    pagina.keyboard.press("Tab")
    assert pagina.evaluate("document.activeElement.textContent") == "Naar de inhoud"


def test_log_in_through_the_identity_provider(
    browser: Browser, wereld: tuple[Wereld, str, str]
) -> None:
    _, _, vsb = wereld
    pagina = browser.nieuwe_pagina()
    pagina.goto(f"{vsb}/login")
    pagina.get_by_role("link", name="Aanmelden via de testidentiteitsdienst").click()
    pagina.wait_for_selector("text=Testidentiteitsdienst")  # the provider's own page
    pagina.fill("#als", "zoe")
    pagina.get_by_role("button", name="Ga verder").click()
    pagina.wait_for_url(f"{vsb}/start")
    tekst = pagina.inner_text("main")
    assert "zorgkas-handler" in tekst
    assert "zoe" in pagina.inner_text("header")


def test_a_zorgkas_handler_records_an_application_and_reads_the_letter(
    browser: Browser, wereld: tuple[Wereld, str, str], tmp_path: Path
) -> None:
    _, _, vsb = wereld
    pagina = browser.nieuwe_pagina()
    meld_aan(pagina, vsb, "zoe")
    pagina.get_by_role("link", name="Aanvragen zorgbudget").first.click()
    pagina.fill("input[name=insz]", NOK_INSZ)
    pagina.fill("input[name=opening]", "2022-01-01")
    foto(pagina, "zorgkas-aanvragen", tmp_path)
    pagina.get_by_role("button", name="Aanvraag indienen").click()
    pagina.wait_for_selector(".brief")
    tekst = pagina.inner_text("main")
    assert "NOK" in tekst
    assert "kan niet worden toegekend" in pagina.inner_text(".brief")
    foto(pagina, "zorgkas-aanvraag-nok", tmp_path)


def test_the_four_eyes_approval_takes_two_people(
    browser: Browser, wereld: tuple[Wereld, str, str], tmp_path: Path
) -> None:
    _, aii, _ = wereld
    olga = browser.nieuwe_pagina()
    meld_aan(olga, aii, "olga")
    olga.goto(f"{aii}/aii/lijsten")
    olga.fill("input[name=jaar]", "2023")
    olga.get_by_role("button", name="Lijst maken").click()
    olga.wait_for_load_state()
    assert "Goedkeuren" in olga.inner_text("main"), olga.inner_text("main")
    olga.get_by_role("button", name="Goedkeuren").click()
    assert "does not grant kbi:lijst:approve" in olga.inner_text("main")
    anton = browser.nieuwe_pagina(nieuwe_context=True)
    meld_aan(anton, aii, "anton")
    anton.goto(f"{aii}/aii/lijsten")
    anton.get_by_role("button", name="Goedkeuren").click()
    anton.get_by_role("button", name="Leveren").wait_for()
    rij = anton.inner_text("tbody tr")
    assert "goedgekeurd" in rij
    assert "anton" in rij
    assert "olga" in rij
    foto(anton, "aii-lijsten", tmp_path)


def test_an_import_shows_its_progress_and_its_result(
    browser: Browser, wereld: tuple[Wereld, str, str], tmp_path: Path
) -> None:
    _, aii, _ = wereld
    pagina = browser.nieuwe_pagina()
    meld_aan(pagina, aii, "olga")
    pagina.get_by_role("link", name="Importeren").first.click()
    pagina.set_input_files("#bestand", str(EXAMPLES / "dossiers.jsonl"))
    pagina.get_by_role("button", name="Importeren").click()
    pagina.wait_for_selector("text=Klaar: 11 regels", timeout=30_000)
    assert "dossiers.jsonl" in pagina.inner_text("table")
    foto(pagina, "aii-import", tmp_path)


def test_a_page_of_another_role_is_refused(
    browser: Browser, wereld: tuple[Wereld, str, str]
) -> None:
    _, _, vsb = wereld
    pagina = browser.nieuwe_pagina()
    meld_aan(pagina, vsb, "zoe")
    antwoord = pagina.goto(f"{vsb}/vsb/verdeling")
    assert antwoord is not None
    assert antwoord.status == 403
    assert "does not grant vsb:lijst:distribute" in pagina.inner_text("main")
    assert "Verdeling per zorgkas" not in pagina.inner_text("nav")


def test_a_form_post_without_its_csrf_token_is_refused(
    browser: Browser, wereld: tuple[Wereld, str, str]
) -> None:
    _, _, vsb = wereld
    pagina = browser.nieuwe_pagina()
    meld_aan(pagina, vsb, "zoe")
    # the browser's own session cookie goes along; the token does not
    antwoord = pagina.request.post(
        f"{vsb}/zorgkas/aanvragen", form={"insz": NOK_INSZ, "opening": "2023-01-01"}
    )
    assert antwoord.status == 403
    assert "CSRF" in antwoord.text()


def test_the_main_pages_of_each_role_render(
    browser: Browser, wereld: tuple[Wereld, str, str], tmp_path: Path
) -> None:
    _, aii, vsb = wereld
    for adres, naam, pad, foto_naam in (
        (aii, "olga", f"/aii/dossiers?insz={NOK_INSZ}&datum=2022-01-01", "aii-dossier"),
        (aii, "dora", "/audit", "dpo-auditlog"),
        (vsb, "vera", "/vsb/verdeling?jaar=2023", "vsb-verdeling"),
        (vsb, "vera", "/incidenten", "incidenten"),
        (vsb, "zoe", "/zorgkas/meldingen", "zorgkas-meldingen"),
    ):
        pagina = browser.nieuwe_pagina(nieuwe_context=True)
        meld_aan(pagina, adres, naam)
        antwoord = pagina.goto(f"{adres}{pad}")
        assert antwoord is not None
        assert antwoord.status == 200, (pad, pagina.inner_text("main"))
        foto(pagina, foto_naam, tmp_path)


def test_many_callers_at_once_with_junk_get_no_server_error(
    wereld: tuple[Wereld, str, str],
) -> None:
    """Against the served VSB node (no browser needed): 8 callers at once, 400 requests —
    the public page, log-ins without a token, a thousand random session cookies, forms
    without a session — every answer below 500, the page still answering after."""
    import secrets  # noqa: PLC0415
    from concurrent.futures import ThreadPoolExecutor  # noqa: PLC0415

    import httpx  # noqa: PLC0415

    _, _, vsb = wereld

    def beller(n: int) -> list[int]:
        codes = []
        with httpx.Client(base_url=vsb, timeout=30) as client:
            for i in range(50):
                client.cookies.set("kbi_sessie", secrets.token_urlsafe(32))
                soort = (n + i) % 4
                if soort == 0:
                    r = client.get("/protocol")
                elif soort == 1:
                    r = client.post("/login", data={"naam": "zoe", "wachtwoord": "x" * 5000})
                elif soort == 2:
                    r = client.get("/zorgkas/aanvragen")
                else:
                    r = client.post("/zorgkas/aanvragen", data={"insz": "1" * 5000})
                codes.append(r.status_code)
        return codes

    with ThreadPoolExecutor(8) as pool:
        codes = [c for lijst in pool.map(beller, range(8)) for c in lijst]
    assert len(codes) == 400
    assert max(codes) < 500, sorted(set(codes))
    assert httpx.get(f"{vsb}/protocol", timeout=10).status_code == 200
