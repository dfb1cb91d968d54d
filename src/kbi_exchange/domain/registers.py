"""The parties' registers (SPEC §12): processors (art. 6: each party keeps a list of its
processors with their agreements, exportable for the other party) and VSB's onward
recipients (art. 4: VSB passes data to the zorgkassen only; any other recipient is registered
and notified to AII before a first disclosure, else the disclosure is refused)."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any

from kbi_exchange.domain.dates import OngeldigeTijd, datum_uit_tekst
from kbi_exchange.domain.fouten import Ongeldig
from kbi_exchange.domain.gemeld import afzender_id, gemeld_moment, gemeld_object
from kbi_exchange.domain.incident import CATEGORIEEN

MAX_TEKST = 1_000


class RegisterFout(Ongeldig):
    """A register entry or step that cannot be taken as asked; the reason says why."""


# words of a zorgkas's name too common to tell it (the Vlaamse Zorgkas is not every "Vlaamse ...")
_ALGEMEEN = frozenset({"zorgkas", "vlaamse"})


def _latijn(tekst: str) -> str | None:
    """``tekst`` in lower-case Latin letters without accents (NFKD: full-width forms become
    plain ones), or None when it holds a letter of another script (a Cyrillic о looks like
    an o)."""
    uit = []
    for teken in unicodedata.normalize("NFKD", tekst):
        if unicodedata.combining(teken):
            continue
        if teken.isascii():
            uit.append(teken.casefold())
        elif teken.isalpha():
            return None
        else:
            uit.append(" ")
    return "".join(uit)


def lijkt_op_zorgkas(naam_: str, zorgkassen: dict[str, str]) -> bool:
    """Whether a recipient's name could be taken for a zorgkas's (``zorgkassen``: code →
    name): a zorgkas receives its part by distribution, and a recipient other than a zorgkas
    that looks like one would muddle the register that proves art. 4 was kept. Said of a name
    holding "zorgkas" however written, a zorgkas's code as a word, a word that tells a
    zorgkas's name (Solidaris, Neutrale, ...), or a letter of another script."""
    latijn = _latijn(naam_)
    if latijn is None:
        return True
    reeks = re.findall(r"[a-z0-9]+", latijn)
    woorden = set(reeks)
    codes = {code.casefold() for code in zorgkassen}
    kenmerken = {
        woord
        for naam in zorgkassen.values()
        for woord in re.findall(r"[a-z0-9]+", _latijn(naam) or "")
        if woord not in _ALGEMEEN and woord not in codes
    }
    return "zorgkas" in "".join(reeks) or bool(woorden & (codes | kenmerken))


def tekst(waarde: object, veld: str, maximum: int = MAX_TEKST) -> str:
    if not isinstance(waarde, str) or not waarde.strip() or len(waarde) > maximum:
        raise RegisterFout(f"{veld}: 1 to {maximum} characters")
    return waarde.strip()


def naam(waarde: object, veld: str = "NAME") -> str:
    schoon = tekst(waarde, veld, 100)
    if any(not (c.isalnum() or c in " .-_&'()") for c in schoon):
        raise RegisterFout(f"{veld}: letters, digits, spaces and . - _ & ' ( ) only")
    return schoon


def gegevens(waarden: object, veld: str = "gegevens") -> tuple[str, ...]:
    if not isinstance(waarden, list | tuple) or not waarden:
        raise RegisterFout(f"{veld}: at least one of {', '.join(CATEGORIEEN)}")
    onbekend = [w for w in waarden if w not in CATEGORIEEN]
    if onbekend:
        raise RegisterFout(f"{veld}: unknown {onbekend[0]!r}; categories: {', '.join(CATEGORIEEN)}")
    return tuple(dict.fromkeys(str(w) for w in waarden))


@dataclass(frozen=True, slots=True)
class Verwerker:
    """A processor of one party (``partij``): what it does with which data, under which
    agreement. A node keeps its own party's and, as told, the other party's (art. 6, 9)."""

    id: str
    partij: str
    naam: str
    taak: str
    gegevens: tuple[str, ...]
    overeenkomst: str  # the agreement's reference
    overeenkomst_datum: date
    locatie: str
    geregistreerd_op: datetime
    geregistreerd_door: str
    beeindigd_op: datetime | None = None
    gemeld_op: datetime | None = None  # own: when the other party took its current state
    ontvangen_op: datetime | None = None  # the other party's: when this node received it

    def beeindig(self, nu: datetime) -> Verwerker:
        """Ended: the other party is to be told again (art. 9)."""
        if self.beeindigd_op is not None:
            raise RegisterFout(f"processor {self.naam} was ended already")
        return replace(self, beeindigd_op=nu, gemeld_op=None)

    def melding(self) -> dict[str, Any]:
        """What the other party is told of it (art. 6, 9): the processor and its agreement."""
        return {
            "id": self.id,
            "naam": self.naam,
            "taak": self.taak,
            "gegevens": list(self.gegevens),
            "overeenkomst": self.overeenkomst,
            "overeenkomst_datum": self.overeenkomst_datum.isoformat(),
            "locatie": self.locatie,
            "geregistreerd_op": self.geregistreerd_op.isoformat(),
            "beeindigd_op": self.beeindigd_op.isoformat() if self.beeindigd_op else None,
        }

    def json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "partij": self.partij,
            "gemeld_op": self.gemeld_op.isoformat() if self.gemeld_op else None,
            "ontvangen_op": self.ontvangen_op.isoformat() if self.ontvangen_op else None,
            "naam": self.naam,
            "taak": self.taak,
            "gegevens": list(self.gegevens),
            "overeenkomst": self.overeenkomst,
            "overeenkomst_datum": self.overeenkomst_datum.isoformat(),
            "locatie": self.locatie,
            "geregistreerd_op": self.geregistreerd_op.isoformat(),
            "geregistreerd_door": self.geregistreerd_door,
            "beeindigd_op": self.beeindigd_op.isoformat() if self.beeindigd_op else None,
        }


@dataclass(frozen=True, slots=True)
class Ontvanger:
    """A recipient other than a zorgkas to whom VSB may pass data once AII was notified."""

    id: str
    naam: str
    doel: str
    rechtsgrond: str
    gegevens: tuple[str, ...]
    geregistreerd_op: datetime
    geregistreerd_door: str
    aan_aii_gemeld_op: datetime | None = None

    def mag_ontvangen(self) -> str | None:
        """Why no data may go to this recipient yet (None: it may)."""
        if self.aan_aii_gemeld_op is None:
            return (
                f"recipient {self.naam} was not notified to AII yet (art. 4): "
                f"`kbi vsb recipients notify {self.naam}` first"
            )
        return None

    def melding(self) -> dict[str, Any]:
        """What AII is notified of."""
        return {
            "id": self.id,
            "naam": self.naam,
            "doel": self.doel,
            "rechtsgrond": self.rechtsgrond,
            "gegevens": list(self.gegevens),
            "geregistreerd_op": self.geregistreerd_op.isoformat(),
        }

    def json(self) -> dict[str, Any]:
        return {
            **self.melding(),
            "geregistreerd_door": self.geregistreerd_door,
            "aan_aii_gemeld_op": self.aan_aii_gemeld_op.isoformat()
            if self.aan_aii_gemeld_op
            else None,
        }


_VERWERKER_VELDEN = {
    "id",
    "naam",
    "taak",
    "gegevens",
    "overeenkomst",
    "overeenkomst_datum",
    "locatie",
    "geregistreerd_op",
    "beeindigd_op",
}


def gemelde_verwerker(inhoud: object, van: str, nu: datetime) -> Verwerker:
    """The other party's processor as this node receives it (art. 6, 9); refused whole when
    malformed."""
    inhoud = gemeld_object(inhoud, _VERWERKER_VELDEN, RegisterFout)
    id_ = afzender_id(inhoud, RegisterFout)
    try:
        overeenkomst_datum = datum_uit_tekst(inhoud.get("overeenkomst_datum"))
    except OngeldigeTijd as fout:
        raise RegisterFout(f"overeenkomst_datum: {fout}") from None
    return Verwerker(
        id=id_,
        partij=van,
        naam=naam(inhoud.get("naam"), "naam"),
        taak=tekst(inhoud.get("taak"), "taak"),
        gegevens=gegevens(inhoud.get("gegevens"), "gegevens"),
        overeenkomst=tekst(inhoud.get("overeenkomst"), "overeenkomst"),
        overeenkomst_datum=overeenkomst_datum,
        locatie=tekst(inhoud.get("locatie"), "locatie"),
        geregistreerd_op=gemeld_moment(inhoud, "geregistreerd_op", RegisterFout, nu),
        geregistreerd_door=f"partij:{van}",
        beeindigd_op=(
            None
            if inhoud.get("beeindigd_op") is None
            else gemeld_moment(inhoud, "beeindigd_op", RegisterFout, nu)
        ),
        ontvangen_op=nu,
    )


def gemelde_ontvanger(inhoud: object, nu: datetime) -> Ontvanger:
    """VSB's notification of a recipient, as AII receives it; refused whole when malformed."""
    velden = {"id", "naam", "doel", "rechtsgrond", "gegevens", "geregistreerd_op"}
    inhoud = gemeld_object(inhoud, velden, RegisterFout)
    id_ = afzender_id(inhoud, RegisterFout)
    geregistreerd = gemeld_moment(inhoud, "geregistreerd_op", RegisterFout, nu)
    return Ontvanger(
        id=id_,
        naam=naam(inhoud.get("naam"), "naam"),
        doel=tekst(inhoud.get("doel"), "doel"),
        rechtsgrond=tekst(inhoud.get("rechtsgrond"), "rechtsgrond"),
        gegevens=gegevens(inhoud.get("gegevens"), "gegevens"),
        geregistreerd_op=geregistreerd,
        geregistreerd_door="partij:vsb",
        aan_aii_gemeld_op=nu,
    )
