"""Realistic synthetic data: KBI dossiers (valid unique INSZ, a mix in which every rule
occurs) and VSB members (the six zorgkassen, VT, moves between funds, deaths).

Deterministic per seed and streaming: lines are yielded one by one as import-format dicts.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

from kbi_exchange.domain.aanvraag import geboortedatum_uit_insz
from kbi_exchange.domain.insz import Insz
from kbi_exchange.domain.periods import plus_maanden

# The profiles and their weights: each exercises one rule or boundary of SPEC §4.
PROFIELEN: tuple[tuple[str, int], ...] = (
    ("recht", 20),
    ("vrijgesteld", 6),
    ("r2013_in_orde", 12),
    ("r2013_geen_contract", 4),
    ("r2013_uitstel_ondertekening", 2),
    ("r2013_attest", 4),
    ("niet_aangemeld", 6),
    ("uitstel_aanmelding", 3),
    ("r2022_in_orde", 12),
    ("r2022_b1_ontbreekt", 5),
    ("r2022_verklaring", 3),
    ("inbreuk_open", 4),
    ("inbreuk_rechtgezet", 3),
    ("plicht_beeindigd", 5),
    ("overleden", 2),
    ("nieuwe_plichtperiode", 3),
    ("correctie", 3),
    ("vervangen", 3),
)
_NAMEN = [naam for naam, _ in PROFIELEN]
_GEWICHTEN = [gewicht for _, gewicht in PROFIELEN]
REGIME_2022 = date(2022, 3, 1)


def _controle(basis: str, na_2000: bool) -> str:
    getal = int(("2" if na_2000 else "") + basis)
    return f"{97 - getal % 97:02d}"


def insz_geboren(geboren: date, teller: int, *, bis: int = 0) -> str:
    """A valid INSZ of someone born on ``geboren`` (a BIS number adds 20 or 40 to the month)."""
    basis = f"{geboren.year % 100:02d}{geboren.month + bis:02d}{geboren.day:02d}{teller:03d}"
    return basis + _controle(basis, geboren.year >= 2000)


class InszGenerator:
    """Unique valid INSZ: national and BIS numbers, born before and after 2000."""

    def __init__(self, rng: random.Random, bezet: Iterable[str] = ()) -> None:
        self._rng = rng
        self._gezien: set[str] = set(bezet)  # never one of these

    def nieuw(self) -> str:
        while True:
            geboren = date(1940, 1, 1) + timedelta(days=self._rng.randrange(365 * 66))
            bis = self._rng.choice((20, 40)) if self._rng.random() < 0.15 else 0
            nummer = insz_geboren(geboren, self._rng.randrange(1, 998), bis=bis)
            if nummer not in self._gezien:
                self._gezien.add(nummer)
                return nummer


def _tijdstip(dag: date, rng: random.Random) -> str:
    moment = datetime(dag.year, dag.month, dag.day, tzinfo=UTC) + timedelta(
        seconds=rng.randrange(8 * 3600, 18 * 3600)
    )
    return moment.isoformat()


def _dag(rng: random.Random, van: date, tot: date) -> date:
    return van + timedelta(days=rng.randrange(max(1, (tot - van).days)))


def _dossier(profiel: str, insz: str, rng: random.Random, tot: date) -> dict[str, Any]:
    """One dossier of a profile; ``tot`` is the latest date any fact may carry."""
    r2013 = profiel.startswith("r2013") or profiel in {"niet_aangemeld", "plicht_beeindigd"}
    begin = (
        _dag(rng, date(2016, 1, 1), REGIME_2022 - timedelta(days=1))
        if r2013
        else _dag(rng, REGIME_2022, min(tot, date(2025, 6, 1)))
    )
    d: dict[str, Any] = {
        "insz": insz,
        "doelgroep": [{"type": "PLICHT", "begin": begin.isoformat()}],
    }
    aanmelding = begin + timedelta(days=rng.randrange(10, 85))
    attest = plus_maanden(aanmelding, rng.randrange(8, 16))
    iso = date.isoformat

    def voeg(veld: str, **feit: Any) -> None:
        d.setdefault(veld, []).append(feit)

    if profiel == "recht":
        d["doelgroep"] = [{"type": "RECHT", "begin": iso(begin)}]
    elif profiel == "vrijgesteld":
        voeg(
            "vrijstellingen", reden=rng.choice(["MEDISCH", "DIPLOMA", "LEEFTIJD"]), begin=iso(begin)
        )
    elif profiel == "niet_aangemeld":
        pass
    elif profiel == "uitstel_aanmelding":
        termijn = plus_maanden(begin, 3)
        voeg(
            "uitstel_aanmelding",
            begin=iso(termijn - timedelta(days=20)),
            einde=iso(termijn + timedelta(days=rng.randrange(30, 200))),
            reden="ziekte",
        )
    else:
        voeg("aanmeldingen", datum=iso(aanmelding))
    if profiel in {"r2013_in_orde", "plicht_beeindigd", "correctie"} and r2013:
        voeg(
            "contracten", datum_ondertekening=iso(aanmelding + timedelta(days=rng.randrange(5, 80)))
        )
    if profiel == "r2013_uitstel_ondertekening":
        voeg(
            "uitstel_ondertekening",
            begin=iso(plus_maanden(aanmelding, 2)),
            einde=iso(plus_maanden(aanmelding, rng.randrange(6, 60))),
        )
    if profiel in {"r2013_attest", "r2022_in_orde", "r2022_b1_ontbreekt", "inbreuk_rechtgezet"}:
        voeg("attesten", soort="INBURGERINGSATTEST", datum=iso(attest))
    if profiel == "r2022_in_orde" and plus_maanden(attest, 12) < tot:
        voeg(
            "attesten", soort="B1_MONDELING", datum=iso(plus_maanden(attest, rng.randrange(3, 23)))
        )
    if profiel == "r2022_verklaring":
        voeg("attesten", soort="VERKLARING_INSPANNING", datum=iso(attest))
    if profiel in {"inbreuk_open", "inbreuk_rechtgezet"}:
        d["inbreuken"] = [_inbreuk(profiel, insz, begin, rng, tot)]
    _plicht_einde(profiel, d, begin, rng, tot)
    return d


def _inbreuk(profiel: str, insz: str, begin: date, rng: random.Random, tot: date) -> dict[str, Any]:
    """An infringement established months into the obligation, registered late; put right
    for ``inbreuk_rechtgezet``."""
    iso = date.isoformat
    vastgesteld = plus_maanden(begin, rng.randrange(4, 12))
    inbreuk: dict[str, Any] = {
        "id": f"ib-{insz[-6:]}",
        "type": rng.choice(["NIET_AANGEMELD", "ONREGELMATIGE_AANWEZIGHEID", "WEIGERING_CONTRACT"]),
        "datum_vaststelling": iso(vastgesteld),
        # backdated: the KBI learns of an infringement days or weeks after establishing it
        "geregistreerd_op": _tijdstip(
            min(tot, vastgesteld + timedelta(days=rng.randrange(1, 40))), rng
        ),
    }
    if profiel == "inbreuk_rechtgezet":
        inbreuk["datum_rechtzetting"] = iso(plus_maanden(vastgesteld, rng.randrange(1, 6)))
    return inbreuk


def _plicht_einde(
    profiel: str, d: dict[str, Any], begin: date, rng: random.Random, tot: date
) -> None:
    """How a profile's obligation ends: ended, the person died, or a new period began."""
    iso = date.isoformat
    if profiel == "plicht_beeindigd":
        d["doelgroep"][0]["einde"] = iso(plus_maanden(begin, rng.randrange(12, 48)))
    if profiel == "overleden":
        d["overlijdensdatum"] = iso(_dag(rng, begin, tot))
    if profiel == "nieuwe_plichtperiode":
        einde = plus_maanden(begin, 6)
        d["doelgroep"] = [
            {"type": "PLICHT", "begin": iso(begin), "einde": iso(einde)},
            {"type": "PLICHT", "begin": iso(einde + timedelta(days=1))},
        ]


def synth_dossiers(
    count: int, seed: int, *, tot: date = date(2025, 12, 31)
) -> Iterator[dict[str, Any]]:
    """Yield ``count`` import lines (a correction and a replacement take an extra line)."""
    rng = random.Random(seed)  # noqa: S311 - synthetic data, deterministic per seed, no secrets
    inszen = InszGenerator(rng)
    for _ in range(count):
        profiel = rng.choices(_NAMEN, _GEWICHTEN)[0]
        insz = inszen.nieuw()
        dossier = _dossier(profiel, insz, rng, tot)
        if profiel == "correctie":
            # a wrong aanmelding date, withdrawn later and re-registered correctly (SPEC §5)
            fout = dict(dossier["aanmeldingen"][0], id=f"am-{insz[-6:]}")
            fout["geregistreerd_op"] = _tijdstip(date.fromisoformat(fout["datum"]), rng)
            dossier["aanmeldingen"] = [fout]
            yield dossier
            correctie_op = _tijdstip(
                min(tot, date.fromisoformat(fout["datum"]) + timedelta(days=30)), rng
            )
            juist = date.fromisoformat(fout["datum"]) + timedelta(days=rng.randrange(1, 60))
            yield {
                "insz": insz,
                "aanmeldingen": [
                    dict(fout, ingetrokken_op=correctie_op),
                    {
                        "id": f"am2-{insz[-6:]}",
                        "datum": juist.isoformat(),
                        "geregistreerd_op": correctie_op,
                    },
                ],
            }
        elif profiel == "vervangen":
            nieuw = inszen.nieuw()
            yield dict(dossier, insz=nieuw)
            yield {"insz": insz, "vervangen_door": nieuw}
        else:
            yield dossier


# Shares of the zorgkassen's members: plausible for Flanders, not sourced figures.
ZORGKAS_AANDELEN: tuple[tuple[str, int], ...] = (
    ("CM", 42),
    ("SOL", 17),
    ("VZK", 12),
    ("OZ", 12),
    ("LM", 9),
    ("NZ", 8),
)
VT_AANDEEL = 0.17  # members with verhoogde tegemoetkoming (about one in six)
VERHUIS_AANDEEL = 0.04  # members who moved to another zorgkas
OVERLEDEN_AANDEEL = 0.01
KBI_LEDEN_AANDEEL = 0.85  # KBI persons who are VSB members (with --kbi)
ZORGKAS_SINDS = date(2001, 10, 1)  # the care insurance's start in Flanders


def _lid(insz: str, rng: random.Random, tot: date) -> dict[str, Any]:
    geboren = geboortedatum_uit_insz(Insz(insz))
    begin = min(tot, max(ZORGKAS_SINDS, geboren or ZORGKAS_SINDS))
    kassen = [code for code, _ in ZORGKAS_AANDELEN]
    gewichten = [aandeel for _, aandeel in ZORGKAS_AANDELEN]
    zorgkas = rng.choices(kassen, gewichten)[0]
    lid: dict[str, Any] = {"insz": insz}
    overleden = _dag(rng, begin, tot) if rng.random() < OVERLEDEN_AANDEEL else None
    einde_recht = overleden or tot
    if rng.random() < VERHUIS_AANDEEL and (einde_recht - begin).days > 60:
        verhuis = _dag(rng, begin + timedelta(days=30), einde_recht - timedelta(days=1))
        nieuw = rng.choice([k for k in kassen if k != zorgkas])
        lid["aansluitingen"] = [
            {"zorgkas": zorgkas, "begin": begin.isoformat(), "einde": verhuis.isoformat()},
            {"zorgkas": nieuw, "begin": (verhuis + timedelta(days=1)).isoformat(),
             "einde": overleden.isoformat() if overleden else None},
        ]  # fmt: skip
    else:
        einde = overleden.isoformat() if overleden else None
        lid["aansluitingen"] = [{"zorgkas": zorgkas, "begin": begin.isoformat(), "einde": einde}]
    if rng.random() < VT_AANDEEL:
        vt_begin = _dag(rng, begin, einde_recht)
        lid["vt"] = [{"begin": vt_begin.isoformat(), "einde": None if overleden is None else
                      overleden.isoformat()}]  # fmt: skip
    if geboren is not None:
        lid["geboortedatum"] = geboren.isoformat()
    if overleden is not None:
        lid["overlijdensdatum"] = overleden.isoformat()
    return lid


def synth_leden(
    count: int, seed: int, *, kbi: Iterable[str] = (), tot: date = date(2025, 12, 31)
) -> Iterator[dict[str, Any]]:
    """Yield ``count`` member lines. With ``kbi`` (the INSZ of a KBI file), most of those
    persons are members (`KBI_LEDEN_AANDEEL`), yet at most half of the members: most members
    are not in the KBI, as in life."""
    rng = random.Random(seed)  # noqa: S311 - synthetic data, deterministic per seed, no secrets
    kbi_inszen = list(dict.fromkeys(kbi))
    uit_kbi = [insz for insz in kbi_inszen if rng.random() < KBI_LEDEN_AANDEEL][: count // 2]
    inszen = InszGenerator(rng, bezet=kbi_inszen)
    nieuw = count - len(uit_kbi)
    # the KBI persons spread through the file, not all first
    volgorde = [True] * len(uit_kbi) + [False] * nieuw
    rng.shuffle(volgorde)
    kbi_iter = iter(uit_kbi)
    for uit_de_kbi in volgorde:
        yield _lid(next(kbi_iter) if uit_de_kbi else inszen.nieuw(), rng, tot)
