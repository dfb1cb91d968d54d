"""Checking a home's settings file against the declared defaults: every key known, every value
of its default's kind and in range, renamed keys read under their new names with a warning."""

from __future__ import annotations

import json
import logging
import math
import re
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

from kbi_exchange.domain.fouten import Ongeldig


class OngeldigeInstelling(Ongeldig):
    """A setting whose value cannot be used; the message names it."""


# Keys renamed to English (issue 21): a file that still uses an old name is read as before,
# with a warning that names the new one.
HERNOEMD: dict[tuple[str, ...], tuple[str, ...]] = {
    ("omgeving",): ("environment",),
    ("aii", "identificatie"): ("aii", "identification"),
    ("aii", "advies_per_seconde_per_client"): ("aii", "advice_per_second_per_client"),
    ("aii", "advies_piek_per_client"): ("aii", "advice_burst_per_client"),
    ("aii", "lijst_bestanden_tot"): ("aii", "list_files_until"),
    ("vsb", "identificatie"): ("vsb", "identification"),
    ("pki", "map"): ("pki", "folder"),
    ("pki", "bestanden"): ("pki", "files"),
}

log = logging.getLogger("kbi_exchange.settings")  # the settings' own logger, as before


def _noem(pad: tuple[str, ...]) -> str:
    return f"[{'.'.join(pad[:-1])}] {pad[-1]}" if len(pad) > 1 else pad[0]


def vernieuw(data: dict[str, Any], bestand: Path) -> dict[str, Any]:
    """The file's settings under today's key names; an old name moves to its new one (and is
    warned about), both at once are refused: which one was meant cannot be known."""
    for oud, nieuw in HERNOEMD.items():
        *sectie_pad, oude_sleutel = oud
        tabel: Any = data
        for deel in sectie_pad:
            tabel = tabel.get(deel) if isinstance(tabel, dict) else None
        if not isinstance(tabel, dict) or oude_sleutel not in tabel:
            continue
        if nieuw[-1] in tabel:
            raise OngeldigeInstelling(
                f"settings {bestand}: {_noem(oud)} and {_noem(nieuw)} are one setting: "
                f"keep {_noem(nieuw)} only"
            )
        tabel[nieuw[-1]] = tabel.pop(oude_sleutel)
        log.warning(
            "settings %s: %s is now called %s; the old name is still read",
            bestand,
            _noem(oud),
            _noem(nieuw),
        )
    return data


def controleer(tabel: dict[str, Any], standaard: dict[str, Any], sectie: tuple[str, ...]) -> None:
    """Refuse a key that ``standaard`` does not declare, or a value of another type than its
    default: the defaults are the one declaration of what a home may set."""
    if sectie and not standaard:  # an empty table there is free: names to strings
        for sleutel, waarde in tabel.items():
            if not isinstance(waarde, str):
                raise _verkeerd(sectie, sleutel, waarde, "a string")
        return
    for sleutel, waarde in tabel.items():
        if sleutel not in standaard:
            raise _onbekend(sectie, sleutel, waarde, standaard)
        verwacht = standaard[sleutel]
        if isinstance(verwacht, dict):
            if not isinstance(waarde, dict):
                raise _verkeerd(sectie, sleutel, waarde, "a table")
            controleer(waarde, verwacht, (*sectie, sleutel))
        elif not _past(waarde, verwacht):
            raise _verkeerd(sectie, sleutel, waarde, _verwacht(verwacht))
        elif _getal(waarde) and (waarde < 0 or (waarde == 0 and sleutel not in MAG_NUL)):
            ondergrens = "0 or more" if sleutel in MAG_NUL else "more than 0"
            raise _verkeerd(sectie, sleutel, waarde, f"{_verwacht(verwacht)}, {ondergrens}")


# Every number of the settings counts something (a rate, a burst, seconds, attempts, days):
# none may be negative, and these are the only ones that mean something at 0 (no grace, no
# pause, content kept no time at all). A window of 0 s, say, would spin the security-event
# recorder without a pause.
MAG_NUL = frozenset(
    {
        "grace_days",
        "decision_records_years",
        "audit_content_years",
        "undecided_application_days",
        "zorgkas_file_days",
        "aii_retry_pause_seconds",
    }
)


def _getal(waarde: object) -> bool:
    return isinstance(waarde, int | float) and not isinstance(waarde, bool)


def _past(waarde: object, standaard: object) -> bool:
    """Whether ``waarde`` is of the kind of ``standaard``: TOML knows one from the other."""
    if isinstance(standaard, bool) or isinstance(waarde, bool):
        return isinstance(standaard, bool) and isinstance(waarde, bool)
    if isinstance(standaard, int):
        return isinstance(waarde, int)
    if isinstance(standaard, float):
        # nan and inf are TOML floats, but no rate, burst or duration
        return isinstance(waarde, int | float) and math.isfinite(waarde)
    if isinstance(standaard, date) and not isinstance(standaard, datetime):
        if isinstance(waarde, str):
            return _iso_datum(waarde) is not None
        return isinstance(waarde, date) and not isinstance(waarde, datetime)
    return type(waarde) is type(standaard)


def _iso_datum(tekst: str) -> date | None:
    """The date of ``YYYY-MM-DD``, else None (`date.fromisoformat` also takes other forms)."""
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", tekst) is None:
        return None
    try:
        return date.fromisoformat(tekst)
    except ValueError:
        return None


def _naam(sectie: tuple[str, ...], sleutel: str) -> str:
    return f"[{'.'.join(sectie)}] {sleutel}" if sectie else sleutel


def _onbekend(
    sectie: tuple[str, ...], sleutel: str, waarde: object, standaard: dict[str, Any]
) -> OngeldigeInstelling:
    """The error for a key or section the defaults do not declare, with the ones they do."""
    secties = [f"[{'.'.join((*sectie, k))}]" for k, v in standaard.items() if isinstance(v, dict)]
    sleutels = [k for k, v in standaard.items() if not isinstance(v, dict)]
    bekend = ", ".join(sleutels + secties)
    if isinstance(waarde, dict):
        naam = f"[{'.'.join((*sectie, sleutel))}]"
        waar = f"in [{'.'.join(sectie)}]" if sectie else "at the top"
        return OngeldigeInstelling(f"settings {naam}: unknown section; known {waar}: {bekend}")
    plaats = f"of [{'.'.join(sectie)}]" if sectie else "at the top"
    hint = "".join(
        f" ({sleutel} belongs in [{s}])"
        for s, v in standaard.items()
        if not sectie and isinstance(v, dict) and sleutel in v
    )
    return OngeldigeInstelling(
        f"settings {_naam(sectie, sleutel)}: unknown key{hint}; the keys {plaats}: {bekend}"
    )


def _verkeerd(
    sectie: tuple[str, ...], sleutel: str, waarde: object, verwacht: str
) -> OngeldigeInstelling:
    return OngeldigeInstelling(
        f"settings {_naam(sectie, sleutel)}: expected {verwacht}, "
        f"got {_toon(waarde)} ({_soort(waarde)})"
    )


def _verwacht(standaard: object) -> str:
    """What a value must be, said after the default's type."""
    if isinstance(standaard, bool):
        return "true or false"
    if isinstance(standaard, int):
        return "a whole number"
    if isinstance(standaard, float):
        return "a number"
    if isinstance(standaard, date) and not isinstance(standaard, datetime):
        return "a date (YYYY-MM-DD)"
    return _soort(standaard)


def _soort(waarde: object) -> str:
    """The TOML kind of a value, as an operator reads it."""
    soorten: list[tuple[type, str]] = [
        (bool, "a boolean"),
        (int, "a whole number"),
        (float, "a decimal number"),
        (str, "a string"),
        (datetime, "a date and time"),
        (date, "a date"),
        (time, "a time"),
        (list, "an array"),
        (dict, "a table"),
    ]
    return next((naam for soort, naam in soorten if isinstance(waarde, soort)), "a value")


def _toon(waarde: object) -> str:
    """A value as it was written in TOML, cut short."""
    if isinstance(waarde, bool):
        tekst = str(waarde).lower()
    elif isinstance(waarde, str):
        tekst = json.dumps(waarde, ensure_ascii=False)
    elif isinstance(waarde, date | time):
        tekst = waarde.isoformat()
    elif isinstance(waarde, dict):
        tekst = "{...}"
    else:
        tekst = repr(waarde)
    return tekst if len(tekst) <= 60 else tekst[:57] + "..."
