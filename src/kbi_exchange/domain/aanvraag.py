"""A care-budget application at VSB (SPEC §9): the civic integration condition, decided with
AII's advice, waiting while AII cannot answer, and the retention clock it starts (SPEC §10).

The decision here is on this one condition of the zorgbudget; the zorgkas checks the others.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from stdnum.be import bis, nn

from kbi_exchange.domain.fouten import Ongeldig, Unavailable
from kbi_exchange.domain.insz import Insz, InszSoort
from kbi_exchange.domain.periods import plus_maanden

MEERDERJARIG = 18
BEWAARTERMIJN_JAREN = 5  # protocol art. 3: until 5 years after the end of the zorgbudget


class AanvraagFout(Ongeldig):
    """An application that cannot be recorded or changed as asked; the reason says why."""


class AanvraagStatus(StrEnum):
    """Where an application stands on the civic integration condition."""

    TOEGEKEND = "toegekend"  # AII said OK, or the condition does not apply
    GEWEIGERD = "geweigerd"  # AII said NOK: refused, with a letter
    WACHT_OP_BRON = "wacht_op_bron"  # AII could not be reached: `application retry` asks again
    VRAAG_GEWEIGERD = "vraag_geweigerd"  # AII refused the question: a person looks, then retry

    @property
    def beslist(self) -> bool:
        return self in (AanvraagStatus.TOEGEKEND, AanvraagStatus.GEWEIGERD)


class NietGevraagd(StrEnum):
    """Why AII was not asked: the condition does not apply (data minimisation, SPEC §9)."""

    ONDER_18 = "onder_18"
    VOOR_EERSTE_DATUM = "voor_eerste_datum"
    # the condition's legal basis lapsed (GwH 112/2023): decided as the law now reads
    VOORWAARDE_VERNIETIGD = "voorwaarde_vernietigd"


@dataclass(frozen=True, slots=True)
class BronAntwoord:
    """What AII answered to one question: an advice, or a refusal by its uitzonderingen."""

    referte: str
    advies: str | None  # "OK", "NOK", or None when the question was refused
    reden_code: str | None
    reden_omschrijving: str | None
    uitzonderingen: tuple[dict[str, str], ...] = ()

    def json(self) -> dict[str, Any]:
        return {
            "advies": self.advies,
            "reden": self.reden_code,
            "uitzonderingen": [u["identificatie"] for u in self.uitzonderingen],
        }


class BronOnbeschikbaar(Unavailable):
    """AII could not answer now (unreachable, timed out, overloaded, circuit open): wait."""


@dataclass(frozen=True, slots=True)
class Aanvraag:
    id: str
    insz: str
    opening: date
    zorgkas: str
    status: AanvraagStatus
    aangemaakt_op: datetime
    aangemaakt_door: str
    referte: str | None = None  # the question to AII; the same on every retry
    niet_gevraagd: NietGevraagd | None = None
    advies: str | None = None
    reden_code: str | None = None
    reden_omschrijving: str | None = None
    uitzonderingen: tuple[dict[str, str], ...] = field(default=())
    pogingen: int = 0
    gevraagd_op: datetime | None = None
    beslist_op: datetime | None = None
    einde: date | None = None
    einde_reden: str | None = None

    def met_antwoord(self, antwoord: BronAntwoord, nu: datetime) -> Aanvraag:
        """Decided on AII's answer: OK grants, NOK refuses; a refused question waits for a
        person. Never OK without an answer that says OK."""
        if antwoord.referte != self.referte:
            raise AanvraagFout(f"application {self.id}: the answer is for another question")
        if antwoord.advies == "OK":
            status = AanvraagStatus.TOEGEKEND
        elif antwoord.advies == "NOK":
            status = AanvraagStatus.GEWEIGERD
        else:
            status = AanvraagStatus.VRAAG_GEWEIGERD
        return replace(
            self,
            status=status,
            advies=antwoord.advies,
            reden_code=antwoord.reden_code,
            reden_omschrijving=antwoord.reden_omschrijving,
            uitzonderingen=antwoord.uitzonderingen,
            pogingen=self.pogingen + 1,
            gevraagd_op=nu,
            beslist_op=nu if status.beslist else None,
        )

    def wacht(self, nu: datetime) -> Aanvraag:
        """AII could not answer this time: the application waits for the source."""
        return replace(
            self, status=AanvraagStatus.WACHT_OP_BRON, pogingen=self.pogingen + 1, gevraagd_op=nu
        )

    def zonder_voorwaarde(self, nu: datetime) -> Aanvraag:
        """Decided without the condition, whose basis lapsed (SPEC §9): granted, AII not
        asked (any answer it gave before stays recorded beside the decision)."""
        if self.status.beslist:
            raise AanvraagFout(f"application {self.id} was decided already")
        return replace(
            self,
            status=AanvraagStatus.TOEGEKEND,
            niet_gevraagd=NietGevraagd.VOORWAARDE_VERNIETIGD,
            beslist_op=nu,
        )

    def nieuwe_vraag(self, referte: str) -> Aanvraag:
        """A refused question is asked anew under a new referte: AII answers a repeated
        referte with what it answered before, so the old one would be refused again."""
        if self.status is not AanvraagStatus.VRAAG_GEWEIGERD:
            raise AanvraagFout(f"application {self.id}: only a refused question is asked anew")
        return replace(self, referte=referte)

    def rectificeer(
        self, advies: str, reden_code: str | None, reden_omschrijving: str | None, nu: datetime
    ) -> Aanvraag:
        """AII rectified its answer after correcting the KBI (art. 7): the decision follows
        the new answer, decided anew now (and so the retention clock of a refusal)."""
        if self.referte is None:
            raise AanvraagFout(f"application {self.id}: AII was not asked, nothing to rectify")
        if advies not in ("OK", "NOK"):
            raise AanvraagFout(f"application {self.id}: a rectification says OK or NOK")
        return replace(
            self,
            status=AanvraagStatus.TOEGEKEND if advies == "OK" else AanvraagStatus.GEWEIGERD,
            advies=advies,
            reden_code=reden_code if advies == "NOK" else None,
            reden_omschrijving=reden_omschrijving if advies == "NOK" else None,
            uitzonderingen=(),
            beslist_op=nu,
        )

    def beeindig(self, einde: date, reden: str | None) -> Aanvraag:
        """The zorgbudget ends (death, end of the right): the retention clock starts."""
        if self.einde is not None:
            raise AanvraagFout(f"application {self.id} already ended on {self.einde.isoformat()}")
        if einde < self.opening:
            raise AanvraagFout(
                f"application {self.id}: the end {einde.isoformat()} lies before the opening "
                f"{self.opening.isoformat()}"
            )
        return replace(self, einde=einde, einde_reden=reden)

    @property
    def bewaren_tot(self) -> date | None:
        """Until when the answer is kept (SPEC §10): 5 years after the end of the zorgbudget,
        or after the refusal; None while the clock has not started."""
        if self.status is AanvraagStatus.GEWEIGERD and self.beslist_op is not None:
            return plus_maanden(self.beslist_op.date(), 12 * BEWAARTERMIJN_JAREN)
        if self.einde is not None:
            return plus_maanden(self.einde, 12 * BEWAARTERMIJN_JAREN)
        return None

    def json(self, zorgkas_naam: str) -> dict[str, Any]:
        """The application as shown to VSB and its zorgkas (never to another zorgkas)."""
        return {
            "id": self.id,
            "insz": self.insz,
            "opening": self.opening.isoformat(),
            "zorgkas": self.zorgkas,
            "status": self.status.value,
            "niet_gevraagd": self.niet_gevraagd.value if self.niet_gevraagd else None,
            "referte": self.referte,
            "advies": self.advies,
            "reden": self.reden_code,
            "uitzonderingen": [u["identificatie"] for u in self.uitzonderingen],
            "pogingen": self.pogingen,
            "aangemaakt_op": self.aangemaakt_op.isoformat(),
            "beslist_op": self.beslist_op.isoformat() if self.beslist_op else None,
            "einde": self.einde.isoformat() if self.einde else None,
            "einde_reden": self.einde_reden,
            "bewaren_tot": self.bewaren_tot.isoformat() if self.bewaren_tot else None,
            "brief": brief(self, zorgkas_naam),
        }


def controleer_nieuwe(eerder: list[Aanvraag], opening: date) -> None:
    """A new application of a person at a zorgkas that already holds ``eerder`` of theirs:
    one per opening date, and none while another is open — undecided, or granted and not yet
    ended. Each question to AII serves the one application being decided (art. 3 names the
    date the right opens), never a series of dates about one person."""
    for a in eerder:
        if a.opening == opening:
            raise AanvraagFout(
                f"application {a.id} of this person at this zorgkas opens on "
                f"{opening.isoformat()} already"
            )
        if not a.status.beslist or (a.status is AanvraagStatus.TOEGEKEND and a.einde is None):
            raise AanvraagFout(
                f"application {a.id} of this person at this zorgkas is still open "
                f"({a.status.value}); a new one follows its end or its refusal"
            )


def geboortedatum_uit_insz(insz: Insz) -> date | None:
    """The birth date the number holds, when it holds a complete one (a BIS number or an
    unknown day or month may not)."""
    module = bis if insz.soort is InszSoort.BIS else nn
    try:
        gevonden = module.get_birth_date(insz.cijfers)
    except Exception:  # stdnum raises on an incomplete date part: the number does not say
        return None
    return gevonden if isinstance(gevonden, date) else None


def leeftijd_op(geboren: date, dag: date) -> int:
    """Whole years of age on ``dag``."""
    return dag.year - geboren.year - ((dag.month, dag.day) < (geboren.month, geboren.day))


def niet_te_vragen(
    *, geboren: date | None, opening: date, eerste_datum: date, vernietigd: bool = False
) -> NietGevraagd | None:
    """Why the condition does not apply to this application, or None when AII must be asked.

    A right opening before the condition's first date (1 January 2022): the condition did
    not exist yet. The condition's basis lapsed (``vernietigd``: an annulment works back, so
    whatever the opening date): it is no longer the law. Under 18 on the opening date: not
    subject to the condition (SPEC §9). An unknown birth date is no reason not to ask.
    """
    if opening < eerste_datum:
        return NietGevraagd.VOOR_EERSTE_DATUM
    if vernietigd:
        return NietGevraagd.VOORWAARDE_VERNIETIGD
    if geboren is not None and leeftijd_op(geboren, opening) < MEERDERJARIG:
        return NietGevraagd.ONDER_18
    return None


# What each reason means for the applicant and what they can do (SPEC §9: the letter tells
# them what it means and whom to contact). The reason's own text comes from AII.
WAT_TE_DOEN: dict[str, str] = {
    "INBREUK_VASTGESTELD": (
        "Het Agentschap Integratie en Inburgering stelde vast dat u uw inburgeringsplicht niet "
        "nakwam, en die vaststelling is nog niet rechtgezet. Neem contact op met het "
        "Agentschap om te weten hoe u dat alsnog kunt rechtzetten."
    ),
    "NIET_TIJDIG_AANGEMELD": (
        "U hebt zich niet binnen de termijn aangemeld bij het Agentschap Integratie en "
        "Inburgering. Meld u zo snel mogelijk aan bij het Agentschap."
    ),
    "CONTRACT_NIET_ONDERTEKEND": (
        "U hebt uw inburgeringscontract niet binnen de termijn ondertekend. Neem contact op "
        "met het Agentschap Integratie en Inburgering om dat in orde te brengen."
    ),
    "B1_NIET_AANGETOOND": (
        "U hebt niet binnen de termijn aangetoond dat u Nederlands spreekt op niveau B1. "
        "Neem contact op met het Agentschap Integratie en Inburgering voor een taaltest of "
        "een cursus."
    ),
}
# the agency's website (SPEC reference: integratie-inburgering.be); no telephone number is
# given, because none was found in a source
AGENTSCHAP = "Agentschap Integratie en Inburgering (www.integratie-inburgering.be)"


def brief(aanvraag: Aanvraag, zorgkas: str) -> str | None:
    """The letter text of a refusal (SPEC §9): what it means and whom to contact."""
    if aanvraag.status is not AanvraagStatus.GEWEIGERD:
        return None
    reden = aanvraag.reden_omschrijving or "U voldoet niet aan de inburgeringsplicht."
    uitleg = WAT_TE_DOEN.get(
        aanvraag.reden_code or "",
        "Neem contact op met het Agentschap Integratie en Inburgering voor meer uitleg.",
    )
    return (
        f"Uw aanvraag voor het zorgbudget voor zwaar zorgbehoevenden vanaf "
        f"{aanvraag.opening:%d-%m-%Y} kan niet worden toegekend. Het zorgbudget vraagt dat u "
        f"op die datum aan uw inburgeringsplicht voldoet, en volgens de Kruispuntbank "
        f"Inburgering was dat niet zo: {reden}\n\n"
        f"Wat betekent dit? {uitleg} Wanneer u aan uw inburgeringsplicht voldoet, kunt u "
        f"opnieuw een zorgbudget aanvragen.\n\n"
        f"Contact: over uw inburgering het {AGENTSCHAP}; over deze beslissing en uw "
        f"zorgbudget uw zorgkas, {zorgkas}. Vindt u dat de gegevens over u niet kloppen, "
        f"meld het dan aan uw zorgkas: de gegevens worden binnen twee weken nagekeken."
    )
