"""Settings: the PKI files a node uses can be the development ones or real ones elsewhere."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from kbi_exchange.settings import DEFAULT_SETTINGS, load_settings


def test_the_default_pki_is_the_development_one_in_the_home(tmp_path: Path) -> None:
    (tmp_path / "settings.toml").write_text(DEFAULT_SETTINGS, encoding="utf-8")
    settings = load_settings(tmp_path)
    assert settings.pki_bestand("aii.key") == tmp_path.resolve() / "pki" / "aii.key"
    assert settings.lijst_bestanden_tot == date(2026, 12, 31)


def test_production_settings_point_at_real_certificates_and_keys(tmp_path: Path) -> None:
    echt = tmp_path / "etc" / "aii.key"
    (tmp_path / "settings.toml").write_text(
        DEFAULT_SETTINGS.replace("[pki.bestanden]\n", f'[pki.bestanden]\n"aii.key" = "{echt}"\n')
        .replace('omgeving = "development"', 'omgeving = "production"')
        .replace("lijst_bestanden_tot = 2026-12-31", "lijst_bestanden_tot = 2025-06-30"),
        encoding="utf-8",
    )
    settings = load_settings(tmp_path)
    assert settings.pki_bestand("aii.key") == echt
    assert settings.pki_bestand("vsb.crt") == tmp_path.resolve() / "pki" / "vsb.crt"
    assert settings.lijst_bestanden_tot == date(2025, 6, 30)
    assert settings.omgeving == "production"


def test_vsb_reaches_aii_at_the_settings_address_unless_the_environment_says_otherwise(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("KBI_VSB_AII_URL", raising=False)
    monkeypatch.delenv("KBI_VSB_AII_TOKEN", raising=False)
    (tmp_path / "settings.toml").write_text(
        DEFAULT_SETTINGS.replace('aii_token = ""', 'aii_token = "uit-het-bestand"'),
        encoding="utf-8",
    )
    settings = load_settings(tmp_path)
    assert (settings.vsb_aii_url, settings.vsb_aii_token) == (
        "http://127.0.0.1:8000",
        "uit-het-bestand",
    )
    assert (settings.vsb_aii_attempts, settings.vsb_aii_breaker_failures) == (3, 5)
    monkeypatch.setenv("KBI_VSB_AII_URL", "https://aii.example/")
    monkeypatch.setenv("KBI_VSB_AII_TOKEN", "uit-de-omgeving")
    settings = load_settings(tmp_path)
    assert (settings.vsb_aii_url, settings.vsb_aii_token) == (
        "https://aii.example",
        "uit-de-omgeving",
    )
