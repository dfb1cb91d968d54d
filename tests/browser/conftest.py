"""A real browser for the page tests: Debian's Chromium (`apt-get install chromium`; `.ci/run`
and `make test` install it when missing) driven by Playwright, which is pointed at it — a
browser download of Playwright's own does not work here. Under CI=true a missing browser
fails the tests; elsewhere they are skipped with the reason."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from typing import Any

import pytest

CHROMIUM = ("chromium", "chromium-browser", "google-chrome")


def chromium() -> str | None:
    eigen = os.environ.get("KBI_CHROMIUM")
    if eigen:
        return eigen
    return next((pad for naam in CHROMIUM if (pad := shutil.which(naam))), None)


class Browser:
    """One Chromium for the session; each test's pages in a context of their own (cookies)."""

    def __init__(self, browser: Any) -> None:
        self.browser = browser
        self._context: Any = None
        self._contexten: list[Any] = []

    def nieuwe_pagina(self, *, nieuwe_context: bool = False) -> Any:
        if self._context is None or nieuwe_context:
            self._context = self.browser.new_context(
                viewport={"width": 1280, "height": 900}, locale="nl-BE"
            )
            self._context.set_default_timeout(20_000)
            self._contexten.append(self._context)
        return self._context.new_page()

    def sluit_contexten(self) -> None:
        for context in self._contexten:
            context.close()
        self._contexten.clear()
        self._context = None


# per module, not per session: Playwright's sync API keeps an event loop running in this
# thread while it is open, and the other tests' `asyncio.run` must not find one
@pytest.fixture(scope="module")
def _chromium() -> Iterator[Any]:
    pad = chromium()
    if pad is None:
        reden = "no Chromium: apt-get install chromium (or set KBI_CHROMIUM)"
        if os.environ.get("CI") == "true":
            pytest.fail(reden)
        pytest.skip(reden)
    try:
        from playwright.sync_api import sync_playwright  # noqa: PLC0415 - browser tests only
    except ImportError as fout:  # pragma: no cover - the dev extra installs it
        if os.environ.get("CI") == "true":
            pytest.fail(f"playwright is not installed: {fout}")
        pytest.skip(f"playwright is not installed: {fout}")
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=pad, args=["--no-sandbox", "--disable-dev-shm-usage"]
        )
        yield browser
        browser.close()


@pytest.fixture
def browser(_chromium: Any) -> Iterator[Browser]:
    b = Browser(_chromium)
    yield b
    b.sluit_contexten()
