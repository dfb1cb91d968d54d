"""The advice service (F1, SPEC §7): one use case for every channel — REST, batch and SOAP.

A channel authenticates its caller (`services.authentication`), parses its message into plain
questions, and hands them over as an `Opdracht`; `voer_groep_uit` answers a group of them in the
writer's transaction: purposes checked, questions validated, referte idempotency, decided, the
decision record and the audit entry written. The writer commits before any answer leaves.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import orjson

from kbi_exchange.domain.advies import Antwoord, Doel, Vraag, beantwoord
from kbi_exchange.domain.audit import AuditGebeurtenis
from kbi_exchange.domain.beslissingsrecord import EerdereBeslissing
from kbi_exchange.domain.client import Client, FailedAuthentications
from kbi_exchange.domain.dates import dag_in_brussel
from kbi_exchange.domain.dossier import Dossier
from kbi_exchange.domain.insz import Insz, OngeldigInsz
from kbi_exchange.domain.parameters import ParameterSet
from kbi_exchange.domain.protocol import staat_nu
from kbi_exchange.domain.uitzondering import Code, Uitzondering
from kbi_exchange.parameters import protocol_definitie
from kbi_exchange.services.audit import mislukte_aanmeldingen_inhoud
from kbi_exchange.services.bericht import MAX_REFERTE, Bericht, Kanaal, antwoord_bericht, weigering
from kbi_exchange.services.ports import AdviesWerk

VELDEN = ("insz", "datum", "doel", "referte")


@dataclass(frozen=True, slots=True)
class Vragen:
    """Questions of one authenticated client, each answered or refused on its own."""

    client: Client
    vragen: tuple[object, ...]
    kanaal: Kanaal


@dataclass(frozen=True, slots=True)
class VerzoekGeweigerd:
    """A whole message of an authenticated client refused (a SOAP schema or Afzender error)."""

    client: Client
    uitzondering: Uitzondering
    kanaal: Kanaal


@dataclass(frozen=True, slots=True)
class MislukteAanmeldingen:
    """Failed authentications, aggregated per address and window: security events."""

    gebeurtenissen: tuple[FailedAuthentications, ...]


Opdracht = Vragen | VerzoekGeweigerd | MislukteAanmeldingen


def gewicht(opdracht: Opdracht) -> int:
    """What an opdracht weighs in a write group: its number of questions."""
    return max(1, len(opdracht.vragen)) if isinstance(opdracht, Vragen) else 1


def _controleer_vorm(vraag: object) -> dict[str, str] | Uitzondering:
    """The question itself when it is an object with exactly the four fields, as text."""
    if not isinstance(vraag, dict):
        return Uitzondering.fout(Code.ONGELDIGE_VRAAG, "Een vraag is een JSON-object.")
    for veld in VELDEN:
        if not isinstance(vraag.get(veld), str):
            return Uitzondering.fout(
                Code.ONGELDIGE_VRAAG, f"Veld '{veld}' ontbreekt of is geen tekst."
            )
    onbekend = sorted(set(vraag) - set(VELDEN))
    if onbekend:
        return Uitzondering.fout(Code.ONGELDIGE_VRAAG, f"Onbekend veld: {', '.join(onbekend)}.")
    if not 1 <= len(vraag["referte"]) <= MAX_REFERTE:
        return Uitzondering.fout(Code.ONGELDIGE_VRAAG, f"Referte heeft 1 tot {MAX_REFERTE} tekens.")
    return vraag


def vraag_hash(vraag: dict[str, Any]) -> str:
    return hashlib.sha256(orjson.dumps(vraag, option=orjson.OPT_SORT_KEYS)).hexdigest()


def canoniek_insz(tekst: object) -> str | None:
    """The INSZ as its eleven digits; None when it is not one (SPEC §7: 11 ASCII digits).

    The audit log keys every entry about a person on this form, so that the DPO's search
    finds them all (SPEC §11).
    """
    if not isinstance(tekst, str):
        return None
    try:
        return Insz.parse(tekst).cijfers
    except OngeldigInsz:
        return None


class _Groep:
    """One write group: what its questions share (earlier refertes, dossiers), read at once."""

    def __init__(self, werk: AdviesWerk, nu: datetime, parameters: ParameterSet) -> None:
        self.werk = werk
        self.nu = nu
        self.parameters = parameters
        self.eerder: dict[tuple[str, str], EerdereBeslissing] = {}
        self.dossiers: dict[str, Dossier | None] = {}
        # each INSZ of the group checked once (read ahead, then audited): a third of the
        # group's time in Python went to checking the same numbers again
        self._inszen: dict[str, str | None] = {}
        # the protocol as it stands at this moment: every disclosure of the group checks it
        self.definitie = protocol_definitie()
        self.protocol = staat_nu(self.definitie, werk.protocol.gebeurtenissen(), nu)

    def insz(self, tekst: object) -> str | None:
        """`canoniek_insz`, once per number in the group."""
        if not isinstance(tekst, str):
            return None
        if tekst not in self._inszen:
            self._inszen[tekst] = canoniek_insz(tekst)
        return self._inszen[tekst]

    def protocol_weigering(self, doel: str) -> Uitzondering | None:
        """40001 when the protocol, or the flow's legal basis, does not allow this disclosure
        now (suspended, ended, a lapsed basis)."""
        stroom = self.definitie.stroom_voor_doel(doel)
        reden = self.protocol.weigering(stroom) if stroom is not None else None
        return Uitzondering.fout(Code.GEEN_WETTELIJKE_CONTEXT, reden) if reden else None

    def lees_vooraf(self, opdrachten: Sequence[Opdracht]) -> None:
        """Earlier answers under the group's refertes, and its people's dossiers, in a few
        queries for the whole group instead of two per question."""
        refertes: dict[str, set[str]] = {}
        inszen: set[str] = set()
        for opdracht in opdrachten:
            if not isinstance(opdracht, Vragen):
                continue
            for vraag in opdracht.vragen:
                if isinstance(vraag, dict) and isinstance(vraag.get("referte"), str):
                    refertes.setdefault(opdracht.client.naam, set()).add(vraag["referte"])
                insz = self.insz(vraag.get("insz") if isinstance(vraag, dict) else None)
                if insz is not None:
                    inszen.add(insz)
        for client, gevraagd in refertes.items():
            for referte, eerder in self.werk.beslissingen.eerdere(client, gevraagd).items():
                self.eerder[(client, referte)] = eerder
        self.dossiers = self.werk.kbi.zoek_veel(inszen)

    def zoek(self, insz: str) -> Dossier | None:
        """A dossier read with the group, else (a replacing number) read now."""
        if insz in self.dossiers:
            return self.dossiers[insz]
        dossier = self.werk.kbi.zoek(insz)
        self.dossiers[insz] = dossier
        return dossier

    def audit(
        self,
        client: Client,
        kanaal: Kanaal,
        gebeurtenis: AuditGebeurtenis,
        insz: str | None,
        bericht: Bericht,
        beslissing_id: str | None,
    ) -> None:
        self.werk.audit.record(
            gebeurtenis=gebeurtenis,
            actor=client.naam,
            tijdstip=self.nu,
            insz=insz,
            inhoud={
                "kanaal": kanaal.value,
                "beslissing": beslissing_id,
                "referte": bericht.referte,
                "datum": bericht.datum,
                "advies": bericht.advies,
                "reden": bericht.reden.code if bericht.reden else None,
                "uitzonderingen": [u.identificatie.value for u in bericht.uitzonderingen],
            },
        )

    def beantwoord(self, client: Client, kanaal: Kanaal, vraag: object) -> Bericht:
        """Answer or refuse one question, recorded and audited (committed by the writer)."""
        gecontroleerd = _controleer_vorm(vraag)
        if isinstance(gecontroleerd, Uitzondering):
            velden = vraag if isinstance(vraag, dict) else {}
            bericht = weigering(
                velden.get("referte"), velden.get("insz"), velden.get("datum"), gecontroleerd
            )
            insz = self.insz(velden.get("insz"))
            self.audit(client, kanaal, AuditGebeurtenis.ADVIES_GEWEIGERD, insz, bericht, None)
            return bericht
        referte, insz_tekst = gecontroleerd["referte"], gecontroleerd["insz"]
        niet_nu = self.protocol_weigering(gecontroleerd["doel"])
        if niet_nu is not None:  # not stored under the referte: a retry later gets an answer
            bericht = weigering(referte, insz_tekst, gecontroleerd["datum"], niet_nu)
            self.audit(
                client,
                kanaal,
                AuditGebeurtenis.ADVIES_GEWEIGERD,
                self.insz(insz_tekst),
                bericht,
                None,
            )
            return bericht
        digest = vraag_hash(gecontroleerd)
        eerder = self.eerder.get((client.naam, referte))
        if eerder is not None:
            return self._herhaling(client, kanaal, gecontroleerd, digest, eerder)

        bericht, antwoord = self._antwoord(client, gecontroleerd)
        beslissing_id = self._leg_vast(client, gecontroleerd, digest, bericht, antwoord)
        gebeurtenis = (
            AuditGebeurtenis.ADVIES_GEWEIGERD
            if bericht.weigering
            else AuditGebeurtenis.ADVIES_GEGEVEN
        )
        self.audit(client, kanaal, gebeurtenis, self.insz(insz_tekst), bericht, beslissing_id)
        return bericht

    def _antwoord(
        self, client: Client, gecontroleerd: dict[str, str]
    ) -> tuple[Bericht, Antwoord | None]:
        """The answer to a well-formed question, or its refusal when the client may not ask
        for that purpose."""
        referte, insz_tekst = gecontroleerd["referte"], gecontroleerd["insz"]
        if gecontroleerd["doel"] in set(Doel) and Doel(gecontroleerd["doel"]) not in client.doelen:
            geweigerd = Uitzondering.fout(
                Code.AUTORISATIE,
                f"Deze client mag niet vragen voor doel {gecontroleerd['doel']}.",
            )
            return weigering(referte, insz_tekst, gecontroleerd["datum"], geweigerd), None
        antwoord = beantwoord(
            Vraag(insz_tekst, gecontroleerd["datum"], gecontroleerd["doel"]),
            zoek=self.zoek,
            vandaag=dag_in_brussel(self.nu),
            gekend_op=self.nu,
            parameters=self.parameters,
        )
        return antwoord_bericht(referte, antwoord), antwoord

    def _leg_vast(
        self,
        client: Client,
        gecontroleerd: dict[str, str],
        digest: str,
        bericht: Bericht,
        antwoord: Antwoord | None,
    ) -> str:
        """Record the answer under the client's referte (written with the group); its id."""
        referte, insz_tekst = gecontroleerd["referte"], gecontroleerd["insz"]
        beslissing_id = str(uuid.uuid4())
        beslissing = antwoord.beslissing if antwoord else None
        tekst = orjson.dumps(bericht.json()).decode()
        self.werk.beslissingen.voeg_toe(
            {
                "id": beslissing_id,
                "client": client.naam,
                "referte": referte,
                "vraag_sha256": digest,
                "insz": insz_tekst[:32],
                "datum": gecontroleerd["datum"][:32],
                "doel": gecontroleerd["doel"][:32],
                "gekend_op": self.nu,
                "gegeven_op": self.nu,
                "antwoord": tekst,
                "feit_ids": orjson.dumps(list(beslissing.feiten) if beslissing else []).decode(),
                "parameterversie": beslissing.parameterversie
                if beslissing
                else self.parameters.versie,
            }
        )
        # a repeat of this referte later in the same group is answered from this record
        self.eerder[(client.naam, referte)] = EerdereBeslissing(
            beslissing_id, digest, tekst, insz_tekst
        )
        return beslissing_id

    def _herhaling(
        self,
        client: Client,
        kanaal: Kanaal,
        vraag: dict[str, str],
        digest: str,
        eerder: EerdereBeslissing,
    ) -> Bericht:
        """A referte seen before: the stored answer for the same question, else 50000; once
        retention has emptied the record, no answer is kept to give again (50000 too)."""
        if eerder.vraag_sha256 != digest or not eerder.antwoord:
            diagnose = (
                "Deze referte werd al gebruikt voor een andere vraag."
                if eerder.antwoord
                else "Het antwoord op deze referte wordt niet meer bewaard (bewaartermijn)."
            )
            bericht = weigering(
                vraag["referte"],
                vraag["insz"],
                vraag["datum"],
                Uitzondering.fout(Code.ONGELDIGE_VRAAG, diagnose),
            )
            insz = self.insz(vraag["insz"])
            self.audit(client, kanaal, AuditGebeurtenis.ADVIES_GEWEIGERD, insz, bericht, None)
            return bericht
        bericht = Bericht.uit_json(orjson.loads(eerder.antwoord))
        self.audit(
            client,
            kanaal,
            AuditGebeurtenis.ADVIES_HERHAALD,
            self.insz(eerder.insz),
            bericht,
            eerder.id,
        )
        return bericht


def voer_groep_uit(
    *,
    werk: AdviesWerk,
    opdrachten: Sequence[Opdracht],
    nu: datetime,
    parameters: ParameterSet,
) -> list[list[Bericht] | None]:
    """Carry out a write group in the caller's open unit of work; the caller commits.

    Returns, per opdracht, the answers of its questions in order (or None for a refusal of a
    whole message and for security events, which are only recorded).
    """
    groep = _Groep(werk, nu, parameters)
    groep.lees_vooraf(opdrachten)
    uitkomsten: list[list[Bericht] | None] = []
    for opdracht in opdrachten:
        if isinstance(opdracht, Vragen):
            uitkomsten.append(
                [groep.beantwoord(opdracht.client, opdracht.kanaal, v) for v in opdracht.vragen]
            )
        elif isinstance(opdracht, VerzoekGeweigerd):
            werk.audit.record(
                gebeurtenis=AuditGebeurtenis.ADVIES_GEWEIGERD,
                actor=opdracht.client.naam,
                tijdstip=nu,
                inhoud={
                    "kanaal": opdracht.kanaal.value,
                    "uitzonderingen": [opdracht.uitzondering.identificatie.value],
                },
            )
            uitkomsten.append(None)
        else:
            for g in opdracht.gebeurtenissen:
                werk.audit.record(
                    gebeurtenis=AuditGebeurtenis.AANMELDING_MISLUKT,
                    actor="unauthenticated",
                    tijdstip=nu,
                    inhoud=mislukte_aanmeldingen_inhoud(g),
                )
            uitkomsten.append(None)
    return uitkomsten
