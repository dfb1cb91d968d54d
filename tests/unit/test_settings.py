"""Settings: the PKI files a node uses can be the development ones or real ones elsewhere."""

from __future__ import annotations

from datetime import date
from pathlib import Path

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
