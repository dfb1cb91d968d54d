"""Settings: the PKI files a node uses, environment overrides, and a file checked key by key."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest

from kbi_exchange.settings import (
    DEFAULT_SETTINGS,
    SERVE_URL_ENV,
    load_settings,
    zet_instellingen,
)
from kbi_exchange.settings_check import OngeldigeInstelling
from tests.conftest import kbi


def test_the_default_pki_is_the_development_one_in_the_home(tmp_path: Path) -> None:
    (tmp_path / "settings.toml").write_text(DEFAULT_SETTINGS, encoding="utf-8")
    settings = load_settings(tmp_path)
    assert settings.pki_file("aii.key") == tmp_path.resolve() / "pki" / "aii.key"
    assert settings.list_files_until == date(2026, 12, 31)


def test_production_settings_point_at_real_certificates_and_keys(tmp_path: Path) -> None:
    echt = tmp_path / "etc" / "aii.key"
    (tmp_path / "settings.toml").write_text(
        DEFAULT_SETTINGS.replace("[pki.files]\n", f'[pki.files]\n"aii.key" = "{echt}"\n')
        .replace('environment = "development"', 'environment = "production"')
        .replace("list_files_until = 2026-12-31", "list_files_until = 2025-06-30"),
        encoding="utf-8",
    )
    settings = load_settings(tmp_path)
    assert settings.pki_file("aii.key") == echt
    assert settings.pki_file("vsb.crt") == tmp_path.resolve() / "pki" / "vsb.crt"
    assert settings.list_files_until == date(2025, 6, 30)
    assert settings.environment == "production"


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


def _met(tmp_path: Path, *regels: tuple[str, str]) -> Path:
    """A settings file: the defaults with these (old line, new line) replacements."""
    tekst = DEFAULT_SETTINGS
    for oud, nieuw in regels:
        assert oud in tekst, oud
        tekst = tekst.replace(oud, nieuw)
    (tmp_path / "settings.toml").write_text(tekst, encoding="utf-8")
    return tmp_path


def test_a_file_with_every_kind_of_value_written_as_allowed_is_read(tmp_path: Path) -> None:
    settings = load_settings(
        _met(
            tmp_path,
            ("list_files_until = 2026-12-31", 'list_files_until = "2025-06-30"'),
            ("advice_per_second_per_client = 2000.0", "advice_per_second_per_client = 0.01"),
            ("aii_timeout_seconds = 5.0", "aii_timeout_seconds = 2"),  # a number: int or float
            ("[pki.files]\n", '[pki.files]\n"aii.key" = "/etc/kbi/aii.key"\n'),
        )
    )
    assert settings.list_files_until == date(2025, 6, 30)
    assert settings.advice_per_second_per_client == 0.01
    assert settings.vsb_aii_timeout_seconds == 2
    assert settings.pki_file("aii.key") == Path("/etc/kbi/aii.key")


@pytest.mark.parametrize(
    ("oud", "nieuw", "fout"),
    [
        (
            "aii_attempts = 3",
            'aii_attempts = "three"',
            'settings [vsb] aii_attempts: expected a whole number, got "three" (a string)',
        ),
        (
            "aii_attempts = 3",
            "aii_attempts = true",
            "settings [vsb] aii_attempts: expected a whole number, got true (a boolean)",
        ),
        (
            "max_failed_logins = 5",
            "max_failed_logins = 5.5",
            "settings [mailbox] max_failed_logins: expected a whole number, got 5.5",
        ),
        (
            "aii_retry_pause_seconds = 0.5",
            'aii_retry_pause_seconds = "0.5"',
            'settings [vsb] aii_retry_pause_seconds: expected a number, got "0.5"',
        ),
        (
            "list_files_until = 2026-12-31",
            'list_files_until = "31/12/2026"',
            'settings [aii] list_files_until: expected a date (YYYY-MM-DD), got "31/12/2026"',
        ),
        (
            "list_files_until = 2026-12-31",
            'list_files_until = "2026-02-30"',
            "settings [aii] list_files_until: expected a date (YYYY-MM-DD)",
        ),
        (
            'identification = "VSB"',
            "identification = 12",
            "settings [vsb] identification: expected a string, got 12 (a whole number)",
        ),
        (
            "[pki.files]\n",
            '[pki.files]\n"aii.key" = 7\n',
            "settings [pki.files] aii.key: expected a string, got 7",
        ),
    ],
)
def test_a_value_of_the_wrong_type_is_refused_naming_the_setting_and_what_it_must_be(
    tmp_path: Path, oud: str, nieuw: str, fout: str
) -> None:
    with pytest.raises(OngeldigeInstelling) as gemeld:
        load_settings(_met(tmp_path, (oud, nieuw)))
    assert str(gemeld.value).startswith(fout)


@pytest.mark.parametrize(
    ("oud", "nieuw", "fout"),
    [
        (
            "security_event_window_seconds = 60.0",
            "security_event_window_seconds = 0.0",
            "settings [aii] security_event_window_seconds: expected a number, more than 0",
        ),
        (
            "aii_attempts = 3",
            "aii_attempts = 0",
            "[vsb] aii_attempts: expected a whole number, more",
        ),
        ("lockout_seconds = 900.0", "lockout_seconds = -1", "[mailbox] lockout_seconds: expected"),
        (
            "grace_days = 90",
            "grace_days = -1",
            "[retention] grace_days: expected a whole number, 0",
        ),
    ],
)
def test_a_number_out_of_its_range_is_refused(
    tmp_path: Path, oud: str, nieuw: str, fout: str
) -> None:
    with pytest.raises(OngeldigeInstelling, match=re.escape(fout)):
        load_settings(_met(tmp_path, (oud, nieuw)))


def test_where_0_means_something_it_is_taken(tmp_path: Path) -> None:
    instellingen = load_settings(
        _met(
            tmp_path,
            ("grace_days = 90", "grace_days = 0"),
            ("zorgkas_file_days = 90", "zorgkas_file_days = 0"),
        )
    )
    assert (instellingen.retention_grace_days, instellingen.retention_zorgkas_file_days) == (0, 0)


def test_an_unknown_key_is_refused_with_the_keys_its_section_knows(tmp_path: Path) -> None:
    with pytest.raises(OngeldigeInstelling) as gemeld:
        load_settings(_met(tmp_path, ("[mailbox]\n", "[mailbox]\nmax_failed_login = 3\n")))
    melding = str(gemeld.value)
    assert melding.startswith("settings [mailbox] max_failed_login: unknown key;")
    assert "max_failed_logins, lockout_seconds, max_failed_logins_per_address" in melding
    with pytest.raises(OngeldigeInstelling, match=r"public_url: unknown key \(public_url belongs"):
        load_settings(_met(tmp_path, ('environment = "development"', 'public_url = "http://x"')))


def test_an_unknown_section_is_refused_with_the_sections_there_are(tmp_path: Path) -> None:
    with pytest.raises(OngeldigeInstelling) as gemeld:
        load_settings(_met(tmp_path, ("[mailbox]\n", "[mailbx]\n")))
    assert str(gemeld.value).startswith("settings [mailbx]: unknown section;")
    assert "environment, [aii], [vsb], [retention], [mailbox], [pki]" in str(gemeld.value)
    with pytest.raises(OngeldigeInstelling, match=r"^settings \[pki\.extra\]: unknown section"):
        load_settings(_met(tmp_path, ("[pki.files]\n", "[pki.extra]\n")))


def test_a_file_that_is_not_toml_is_refused_with_where(tmp_path: Path) -> None:
    (tmp_path / "settings.toml").write_text("[aii\npublic_url = 1\n", encoding="utf-8")
    with pytest.raises(OngeldigeInstelling, match=r"not valid TOML: .*\(at line 1, column 5\)"):
        load_settings(tmp_path)


def test_every_default_passes_its_own_check(tmp_path: Path) -> None:
    """A key added to `DEFAULT_SETTINGS` is known, and of its default's type, with no code."""
    assert load_settings(_met(tmp_path)).mailbox_max_failed_logins_per_address == 20


def test_the_wsdl_address_is_public_url_else_the_served_one_else_the_default(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(SERVE_URL_ENV, raising=False)
    assert load_settings(_met(tmp_path)).public_url == "http://127.0.0.1:8000"
    monkeypatch.setenv(SERVE_URL_ENV, "http://127.0.0.1:8123")
    assert load_settings(_met(tmp_path)).public_url == "http://127.0.0.1:8123"
    gezet = _met(tmp_path, ('public_url = ""', 'public_url = "https://aii.example/"'))
    assert load_settings(gezet).public_url == "https://aii.example"


def test_the_command_line_says_what_is_wrong_in_one_line_and_exits_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KBI_HOME", str(tmp_path))  # `--home` sets it: restored after the test
    _met(tmp_path, ("aii_attempts = 3", 'aii_attempts = "three"'))
    uit = kbi(capsys, "--home", str(tmp_path), "mailbox", "account", "aii")
    assert uit.code == 1
    assert uit.err.splitlines() == [
        'kbi: error: settings [vsb] aii_attempts: expected a whole number, got "three" (a string)'
    ]
    (tmp_path / "settings.toml").write_text("environment = \n", encoding="utf-8")
    uit = kbi(capsys, "--home", str(tmp_path), "mailbox", "account", "aii")
    assert uit.code == 1
    assert len(uit.err.splitlines()) == 1
    assert "not valid TOML" in uit.err


def test_settings_are_written_by_a_toml_library_keeping_comments_or_not_at_all(
    tmp_path: Path,
) -> None:
    bestand = tmp_path / "settings.toml"
    bestand.write_text(DEFAULT_SETTINGS, encoding="utf-8")
    zet_instellingen(tmp_path, "vsb", {"aii_url": "http://127.0.0.1:9000", "aii_token": "t-1"})
    nieuw = load_settings(tmp_path)
    assert (nieuw.vsb_aii_url, nieuw.vsb_aii_token) == ("http://127.0.0.1:9000", "t-1")
    tekst = bestand.read_text(encoding="utf-8")
    opmerkingen = [r for r in DEFAULT_SETTINGS.splitlines() if r.lstrip().startswith("#")]
    assert all(r in tekst for r in opmerkingen)  # every comment kept
    with pytest.raises(OngeldigeInstelling, match="aii_url"):
        zet_instellingen(tmp_path, "vsb", {"aii_url": 3})
    with pytest.raises(OngeldigeInstelling, match="nieuw"):
        zet_instellingen(tmp_path, "vsb", {"nieuw": "x"})
    assert bestand.read_text(encoding="utf-8") == tekst  # nothing half-written


def test_a_home_written_with_the_old_dutch_keys_is_read_with_a_warning_naming_the_new(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    oud = (
        DEFAULT_SETTINGS.replace('environment = "development"', 'omgeving = "production"')
        .replace('identification = "AII-KBI"', 'identificatie = "AII-X"')
        .replace("advice_burst_per_client = 20000", "advies_piek_per_client = 7")
        .replace("list_files_until = 2026-12-31", "lijst_bestanden_tot = 2025-06-30")
        .replace('folder = "pki"', 'map = "certs"')
        .replace("[pki.files]\n", '[pki.bestanden]\n"aii.key" = "/etc/kbi/aii.key"\n')
    )
    (tmp_path / "settings.toml").write_text(oud, encoding="utf-8")
    with caplog.at_level("WARNING", logger="kbi_exchange.settings"):
        settings = load_settings(tmp_path)
    assert (settings.environment, settings.aii_identification) == ("production", "AII-X")
    assert settings.advice_burst_per_client == 7
    assert settings.list_files_until == date(2025, 6, 30)
    assert settings.pki_file("aii.key") == Path("/etc/kbi/aii.key")
    assert settings.pki_file("ca.crt") == tmp_path.resolve() / "certs" / "ca.crt"
    gewaarschuwd = " | ".join(r.getMessage() for r in caplog.records)
    for oude, nieuwe in (
        ("omgeving", "environment"),
        ("[aii] identificatie", "[aii] identification"),
        ("[aii] lijst_bestanden_tot", "[aii] list_files_until"),
        ("[pki] bestanden", "[pki] files"),
    ):
        assert f"{oude} is now called {nieuwe}" in gewaarschuwd


def test_an_old_and_a_new_name_of_one_setting_at_once_are_refused(tmp_path: Path) -> None:
    (tmp_path / "settings.toml").write_text(
        DEFAULT_SETTINGS.replace(
            'identification = "AII-KBI"', 'identification = "A"\nidentificatie = "B"'
        ),
        encoding="utf-8",
    )
    with pytest.raises(
        OngeldigeInstelling, match=r"\[aii\] identificatie and \[aii\] identification"
    ):
        load_settings(tmp_path)


def test_the_other_partys_audit_key_is_pinned_by_its_id_or_left_to_the_first_head(
    tmp_path: Path,
) -> None:
    (tmp_path / "settings.toml").write_text(DEFAULT_SETTINGS, encoding="utf-8")
    standaard = load_settings(tmp_path)
    assert (standaard.witness_key("aii"), standaard.witness_key("vsb")) == (None, None)
    (tmp_path / "settings.toml").write_text(
        DEFAULT_SETTINGS.replace('vsb_audit_key = ""', 'vsb_audit_key = "0123456789abcdef"'),
        encoding="utf-8",
    )
    assert load_settings(tmp_path).witness_key("aii") == "0123456789abcdef"
    assert load_settings(tmp_path).witness_key("vsb") is None
    for fout in ("0123456789ABCDEF", "0123456789abcde", "audit-checkpoint.pub"):
        (tmp_path / "settings.toml").write_text(
            DEFAULT_SETTINGS.replace('aii_audit_key = ""', f'aii_audit_key = "{fout}"'),
            encoding="utf-8",
        )
        with pytest.raises(OngeldigeInstelling, match=r"\[vsb\] aii_audit_key: .* not an audit"):
            load_settings(tmp_path)
