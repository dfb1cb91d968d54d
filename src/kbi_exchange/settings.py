"""Settings of a node home (`KBI_HOME`): declared once, read from the settings file and env."""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from pathlib import Path

DEFAULT_HOME = Path("var")
SETTINGS_FILE = "settings.toml"

DEFAULT_SETTINGS = """\
# kbi-exchange settings for this home. Environment variables override the database URLs:
# KBI_AII_DATABASE_URL and KBI_VSB_DATABASE_URL (SQLAlchemy URLs).
omgeving = "development"

[aii]
# The AII node's identification as sender (MAGDA Afzender) and list producer.
identificatie = "AII-KBI"
# Questions per second per client (a batch counts each question), and the burst allowed.
advies_per_seconde_per_client = 2000
advies_piek_per_client = 20000

[vsb]
identificatie = "VSB"
"""


class NietGeinitialiseerd(RuntimeError):
    """The home has no settings or databases yet."""


@dataclass(frozen=True)
class Settings:
    """Where a node keeps its things, and who it is."""

    home: Path
    omgeving: str
    aii_identificatie: str
    vsb_identificatie: str
    aii_database_url: str
    vsb_database_url: str
    advies_per_seconde_per_client: float = 2000
    advies_piek_per_client: float = 20000

    def database_url(self, node: str) -> str:
        return self.aii_database_url if node == "aii" else self.vsb_database_url

    @property
    def settings_file(self) -> Path:
        return self.home / SETTINGS_FILE


def home_from_env(home: Path | None = None) -> Path:
    """`--home`, else `KBI_HOME`, else ``./var``."""
    if home is not None:
        return home
    return Path(os.environ.get("KBI_HOME") or DEFAULT_HOME)


def load_settings(home: Path | None = None, *, required: bool = True) -> Settings:
    """Read a home's settings; environment variables override the database URLs."""
    home = home_from_env(home).resolve()
    bestand = home / SETTINGS_FILE
    if bestand.exists():
        data = tomllib.loads(bestand.read_text(encoding="utf-8"))
    elif required:
        raise NietGeinitialiseerd(f"{home} is not initialised: run `kbi init` first")
    else:
        data = tomllib.loads(DEFAULT_SETTINGS)
    return Settings(
        home=home,
        omgeving=str(data.get("omgeving", "development")),
        aii_identificatie=str(data.get("aii", {}).get("identificatie", "AII-KBI")),
        vsb_identificatie=str(data.get("vsb", {}).get("identificatie", "VSB")),
        aii_database_url=os.environ.get("KBI_AII_DATABASE_URL") or f"sqlite:///{home / 'aii.db'}",
        vsb_database_url=os.environ.get("KBI_VSB_DATABASE_URL") or f"sqlite:///{home / 'vsb.db'}",
        advies_per_seconde_per_client=float(
            data.get("aii", {}).get("advies_per_seconde_per_client", 2000)
        ),
        advies_piek_per_client=float(data.get("aii", {}).get("advies_piek_per_client", 20000)),
    )
