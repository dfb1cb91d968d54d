"""Settings of a node home (`KBI_HOME`): declared once, read from the settings file and env."""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from kbi_exchange.domain.fouten import KbiFout
from kbi_exchange.settings_check import OngeldigeInstelling, controleer, vernieuw

DEFAULT_HOME = Path("var")
SETTINGS_FILE = "settings.toml"
# Set by `kbi serve` for its worker processes: the address it listens on, published in the
# WSDL when `[aii] public_url` is empty.
SERVE_URL_ENV = "KBI_SERVE_URL"
# The WSDL's address when neither `public_url` nor `kbi serve` says one (tests, the demo).
STANDAARD_PUBLIC_URL = "http://127.0.0.1:8000"

DEFAULT_SETTINGS = """\
# kbi-exchange settings for this home. Environment variables override the database URLs:
# KBI_AII_DATABASE_URL and KBI_VSB_DATABASE_URL (SQLAlchemy URLs), VSB's way to AII:
# KBI_VSB_AII_URL and KBI_VSB_AII_TOKEN, and AII's way to VSB: KBI_AII_VSB_URL.
# A key this file does not declare, or a value of another type than its default here, is
# refused (a whole number where the default is one, any number where it has a decimal point).
environment = "development"

[aii]
# The AII node's identification as sender (MAGDA Afzender) and list producer.
identification = "AII-KBI"
# Questions per second per client (a batch counts each question), and the burst allowed.
advice_per_second_per_client = 2000.0
advice_burst_per_client = 20000
# The address at which callers reach this node's services, published in the WSDL. Empty: the
# address `kbi serve` listens on (--host, --port); set it when callers come through a proxy.
public_url = ""
# Failed authentications allowed per source address: a burst, refilled per second. Past it the
# address is refused (99996, Retry-After) until it has waited; valid tokens still pass.
auth_failures_burst = 20
auth_failures_per_second = 1.0
# Failed authentications are recorded as one audit entry per address per this many seconds.
security_event_window_seconds = 60.0
# The last day of the transitional period in which the yearly list travels as a file through
# the mailbox (protocol art. 2: at most 5 years from the first list of 2022). After it, VSB
# pulls the list from GET /api/v1/lijsten/{jaar} only.
list_files_until = 2026-12-31
# The VSB node's address, to which AII sends its incident notifications (signed with AII's
# key). KBI_AII_VSB_URL overrides it.
vsb_url = "http://127.0.0.1:8001"
# The id of VSB's audit key (16 hexadecimal digits: the first of the SHA-256 of VSB's
# `audit-checkpoint.pub`; `kbi audit witnessed` shows it), with which every head of VSB's log
# that this node witnesses must be signed. Empty: the key of the first head witnessed is
# kept, and a head signed with another key is refused (and audited) until its id is set
# here — which is also how a key that VSB rotated is accepted.
vsb_audit_key = ""

[aii.oidc]
# Log-in on the AII pages through the agency's OpenID Connect identity provider (the Flemish
# government's ACM/IDM speaks it), beside name and password; off while `issuer` is empty.
# Register this node's `<address>/login/oidc/terug` as redirect URI there. The claim named by
# `claim` must be the name of a person of `kbi users` on this node: their role is that
# person's. Choose a claim the person cannot change at the provider and no one else holds
# (`sub`, the provider's stable subject, by default; not a display or user name).
# KBI_AII_OIDC_CLIENT_SECRET overrides `client_secret`.
issuer = ""
client_id = ""
client_secret = ""
claim = "sub"
label = "de identiteitsdienst van de Vlaamse overheid"

[vsb]
identification = "VSB"
# The AII node's advice service as VSB calls it, with VSB's client token (made on the AII node
# with `kbi aii clients add`). KBI_VSB_AII_URL and KBI_VSB_AII_TOKEN override these.
aii_url = "http://127.0.0.1:8000"
aii_token = ""
# Seconds before a call to AII is given up; attempts per question (the same referte each
# time), the first pause between them in seconds (doubling); failures in a row after which
# AII is not called for `aii_breaker_seconds`, when one trial call goes out.
aii_timeout_seconds = 5.0
aii_attempts = 3
aii_retry_pause_seconds = 0.5
aii_breaker_failures = 5
aii_breaker_seconds = 30.0
# Requests per second per zorgkas client of the zorgkas API, and the burst allowed. Failed
# authentications are limited as on the AII node ([aii] auth_failures_*).
api_per_second_per_client = 20.0
api_burst_per_client = 200
# As [aii] vsb_audit_key: the id of AII's audit key, with which the heads of AII's log that
# this node witnesses must be signed (empty: the key of the first head witnessed).
aii_audit_key = ""

[vsb.oidc]
# As [aii.oidc], for the VSB pages; KBI_VSB_OIDC_CLIENT_SECRET overrides `client_secret`.
issuer = ""
client_id = ""
client_secret = ""
claim = "sub"
label = "de identiteitsdienst van de Vlaamse overheid"

[retention]
# SPEC §10. Days after a flow's legal basis lapsed or the protocol ended before the data held
# only for that flow goes (time for remediation: the annulment report reads AII's records).
grace_days = 90
# Years AII keeps its decision records' personal content (INSZ, date asked, answer, facts),
# and both nodes their audit entries' content; the protocol gives no period. The entries'
# chained hashes stay, so `kbi audit verify` still passes.
decision_records_years = 10
audit_content_years = 10
# VSB: days an application that was never decided (waiting for AII, or its question refused)
# is kept after it was recorded; days a zorgkas file's content is kept on the zorgkas API and
# in the zorgkas's mailbox in/ when the zorgkas does not download it (once downloaded over the
# API, its content goes at the next run; its name and hash stay).
undecided_application_days = 365
zorgkas_file_days = 90

[mailbox]
# Failed FTPS log-ins to one account from one address after which that address may not log in
# to that account, and for how long (seconds): from elsewhere its party still logs in, so that
# a stranger's guesses cannot lock a party out.
max_failed_logins = 5
lockout_seconds = 900.0
# Failed log-ins from one address (IPv6: one /64), to any accounts, after which that address is
# refused for `lockout_seconds` before any password is checked. A failure is forgotten when
# `lockout_seconds` pass without another.
max_failed_logins_per_address = 20

[pki]
# Certificates and keys (PEM). `kbi init` makes a development PKI in this folder (relative to
# the home): ca.crt, aii.crt/.key, vsb.crt/.key, zorgkas-<CODE>.crt/.key. In production point
# each file at the real one in [pki.files], e.g. "aii.key" = "/etc/kbi/aii.key".
folder = "pki"

[pki.files]
"""


@dataclass(frozen=True, slots=True)
class OidcSettings:
    """A node's OpenID Connect identity provider for its pages: off while ``issuer`` is
    empty."""

    issuer: str = ""
    client_id: str = ""
    client_secret: str = ""
    claim: str = "sub"
    label: str = "de identiteitsdienst van de Vlaamse overheid"

    @property
    def on(self) -> bool:
        return bool(self.issuer and self.client_id)


class NietGeinitialiseerd(KbiFout):
    """The home has no settings or databases yet."""


@dataclass(frozen=True)
class Settings:
    """Where a node keeps its things, and who it is."""

    home: Path
    environment: str
    aii_identification: str
    vsb_identification: str
    aii_database_url: str
    vsb_database_url: str
    advice_per_second_per_client: float
    advice_burst_per_client: float
    list_files_until: date
    public_url: str
    auth_failures_burst: float
    auth_failures_per_second: float
    security_event_window_seconds: float
    mailbox_max_failed_logins: int
    mailbox_lockout_seconds: float
    mailbox_max_failed_logins_per_address: int
    pki_folder: Path
    pki_files: tuple[tuple[str, str], ...]
    vsb_aii_url: str
    vsb_aii_token: str
    vsb_aii_timeout_seconds: float
    vsb_aii_attempts: int
    vsb_aii_retry_pause_seconds: float
    vsb_aii_breaker_failures: int
    vsb_aii_breaker_seconds: float
    vsb_api_per_second_per_client: float
    vsb_api_burst_per_client: float
    aii_vsb_url: str = "http://127.0.0.1:8001"
    # the id of the other party's audit key that this node witnesses heads under ("" = first)
    aii_vsb_audit_key: str = ""
    vsb_aii_audit_key: str = ""
    retention_grace_days: int = 90
    retention_decision_records_years: int = 10
    retention_audit_content_years: int = 10
    retention_undecided_application_days: int = 365
    retention_zorgkas_file_days: int = 90
    aii_oidc: OidcSettings = OidcSettings()
    vsb_oidc: OidcSettings = OidcSettings()

    def witness_key(self, node: str) -> str | None:
        """The id of the audit key the other party's heads must carry at ``node`` (None: the
        key of the first head witnessed there)."""
        return (self.aii_vsb_audit_key if node == "aii" else self.vsb_aii_audit_key) or None

    def oidc(self, node: str) -> OidcSettings:
        return self.aii_oidc if node == "aii" else self.vsb_oidc

    def pki_file(self, naam: str) -> Path:
        """Where a PKI file (``ca.crt``, ``aii.key``, ...) is: its override, else the PKI map."""
        gekozen = dict(self.pki_files).get(naam)
        return self.home / (gekozen or (self.pki_folder / naam))

    def database_url(self, node: str) -> str:
        return self.aii_database_url if node == "aii" else self.vsb_database_url

    @property
    def mailbox_folder(self) -> Path:
        """The exchange mailbox (SPEC §2, §14): ``<party>/in/`` and ``out/``."""
        return self.home / "mailbox"


def _datum(waarde: object) -> date:
    """A TOML date, or a date written as a string (checked by `_controleer`)."""
    return waarde if isinstance(waarde, date) else date.fromisoformat(str(waarde))


def home_from_env(home: Path | None = None) -> Path:
    """`--home`, else `KBI_HOME`, else ``./var``."""
    if home is not None:
        return home
    return Path(os.environ.get("KBI_HOME") or DEFAULT_HOME)


def _met_standaard(data: dict[str, Any]) -> dict[str, Any]:
    """The file's settings over the defaults of `DEFAULT_SETTINGS`, section by section: every
    default is declared once, there, where the operator reads it too."""
    samen: dict[str, Any] = tomllib.loads(DEFAULT_SETTINGS)
    for sleutel, waarde in data.items():
        if isinstance(waarde, dict) and isinstance(samen.get(sleutel), dict):
            samen[sleutel] = {**samen[sleutel], **waarde}
        else:
            samen[sleutel] = waarde
    return samen


def _lees(bestand: Path) -> dict[str, Any]:
    """The settings file, parsed, with every key and value checked against `DEFAULT_SETTINGS`."""
    try:
        data = tomllib.loads(bestand.read_text(encoding="utf-8"))
    except UnicodeDecodeError:
        raise OngeldigeInstelling(f"settings {bestand}: not UTF-8 text") from None
    except tomllib.TOMLDecodeError as fout:
        raise OngeldigeInstelling(f"settings {bestand}: not valid TOML: {fout}") from None
    data = vernieuw(data, bestand)
    controleer(data, tomllib.loads(DEFAULT_SETTINGS), ())
    return data


def zet_instellingen(home: Path, sectie: str, waarden: dict[str, str | int | float]) -> None:
    """Set keys of one section of the home's settings file, keeping its comments and order
    (a TOML library edits it, never text search): the result is checked as any settings file
    is and replaces the old one whole (a temporary file, then a rename), or nothing changes."""
    import tomlkit  # noqa: PLC0415 - only the few commands that write settings need it

    bestand = home / SETTINGS_FILE
    document = tomlkit.parse(bestand.read_text(encoding="utf-8"))
    tabel = document.setdefault(sectie, tomlkit.table())
    for sleutel, waarde in waarden.items():
        tabel[sleutel] = waarde
    tekst = tomlkit.dumps(document)
    controleer(vernieuw(tomllib.loads(tekst), bestand), tomllib.loads(DEFAULT_SETTINGS), ())
    tijdelijk = bestand.with_suffix(".toml.tmp")
    tijdelijk.write_text(tekst, encoding="utf-8")
    os.replace(tijdelijk, bestand)


def _oidc(sectie: dict[str, Any], secret_env: str) -> OidcSettings:
    """A node's identity provider: its section's ``oidc`` table over the defaults."""
    standaard = tomllib.loads(DEFAULT_SETTINGS)["aii"]["oidc"]
    tabel = {**standaard, **sectie.get("oidc", {})}
    return OidcSettings(
        issuer=str(tabel["issuer"]).rstrip("/"),
        client_id=str(tabel["client_id"]),
        client_secret=os.environ.get(secret_env) or str(tabel["client_secret"]),
        claim=str(tabel["claim"]),
        label=str(tabel["label"]),
    )


def _public_url(ingesteld: str) -> str:
    """The WSDL's address: `public_url` when set, else the one `kbi serve` listens on."""
    return (ingesteld or os.environ.get(SERVE_URL_ENV) or STANDAARD_PUBLIC_URL).rstrip("/")


def load_settings(home: Path | None = None, *, required: bool = True) -> Settings:
    """Read a home's settings; environment variables override the database URLs."""
    home = home_from_env(home).resolve()
    bestand = home / SETTINGS_FILE
    if bestand.exists():
        data = _met_standaard(_lees(bestand))
    elif required:
        raise NietGeinitialiseerd(f"{home} is not initialised: run `kbi init` first")
    else:
        data = _met_standaard({})
    aii, vsb, pki, mailbox = data["aii"], data["vsb"], data["pki"], data["mailbox"]
    bewaring = data["retention"]
    return Settings(
        home=home,
        environment=str(data["environment"]),
        aii_identification=str(aii["identification"]),
        vsb_identification=str(vsb["identification"]),
        aii_database_url=os.environ.get("KBI_AII_DATABASE_URL") or f"sqlite:///{home / 'aii.db'}",
        vsb_database_url=os.environ.get("KBI_VSB_DATABASE_URL") or f"sqlite:///{home / 'vsb.db'}",
        advice_per_second_per_client=float(aii["advice_per_second_per_client"]),
        advice_burst_per_client=float(aii["advice_burst_per_client"]),
        list_files_until=_datum(aii["list_files_until"]),
        public_url=_public_url(str(aii["public_url"])),
        auth_failures_burst=float(aii["auth_failures_burst"]),
        auth_failures_per_second=float(aii["auth_failures_per_second"]),
        security_event_window_seconds=float(aii["security_event_window_seconds"]),
        mailbox_max_failed_logins=int(mailbox["max_failed_logins"]),
        mailbox_lockout_seconds=float(mailbox["lockout_seconds"]),
        mailbox_max_failed_logins_per_address=int(mailbox["max_failed_logins_per_address"]),
        pki_folder=Path(str(pki["folder"])),
        pki_files=tuple((str(k), str(v)) for k, v in pki.get("files", {}).items()),
        vsb_aii_url=(os.environ.get("KBI_VSB_AII_URL") or str(vsb["aii_url"])).rstrip("/"),
        vsb_aii_token=os.environ.get("KBI_VSB_AII_TOKEN") or str(vsb["aii_token"]),
        vsb_aii_timeout_seconds=float(vsb["aii_timeout_seconds"]),
        vsb_aii_attempts=int(vsb["aii_attempts"]),
        vsb_aii_retry_pause_seconds=float(vsb["aii_retry_pause_seconds"]),
        vsb_aii_breaker_failures=int(vsb["aii_breaker_failures"]),
        vsb_aii_breaker_seconds=float(vsb["aii_breaker_seconds"]),
        vsb_api_per_second_per_client=float(vsb["api_per_second_per_client"]),
        vsb_api_burst_per_client=float(vsb["api_burst_per_client"]),
        aii_vsb_url=(os.environ.get("KBI_AII_VSB_URL") or str(aii["vsb_url"])).rstrip("/"),
        aii_vsb_audit_key=_sleutel_id(aii, "aii", "vsb_audit_key"),
        vsb_aii_audit_key=_sleutel_id(vsb, "vsb", "aii_audit_key"),
        aii_oidc=_oidc(aii, "KBI_AII_OIDC_CLIENT_SECRET"),
        vsb_oidc=_oidc(vsb, "KBI_VSB_OIDC_CLIENT_SECRET"),
        retention_grace_days=_geheel(bewaring, "grace_days"),
        retention_decision_records_years=_geheel(bewaring, "decision_records_years"),
        retention_audit_content_years=_geheel(bewaring, "audit_content_years"),
        retention_undecided_application_days=_geheel(bewaring, "undecided_application_days"),
        retention_zorgkas_file_days=_geheel(bewaring, "zorgkas_file_days"),
    )


def _sleutel_id(sectie: dict[str, Any], naam: str, veld: str) -> str:
    """An audit key's id (16 lowercase hexadecimal digits) or empty."""
    waarde = sectie[veld]
    if not isinstance(waarde, str) or not (
        waarde == "" or (len(waarde) == 16 and all(c in "0123456789abcdef" for c in waarde))
    ):
        raise OngeldigeInstelling(
            f"settings [{naam}] {veld}: {waarde!r} is not an audit key id (16 lowercase "
            "hexadecimal digits, as `kbi audit witnessed` shows) nor empty"
        )
    return waarde


def _geheel(sectie: dict[str, Any], naam: str) -> int:
    """A whole number of days or years, 0 or more; anything else stops with the setting's name."""
    waarde = sectie[naam]
    if isinstance(waarde, bool) or not isinstance(waarde, int) or waarde < 0:
        raise OngeldigeInstelling(
            f"settings [retention] {naam}: {waarde!r} is not a whole number ≥ 0"
        )
    return waarde
