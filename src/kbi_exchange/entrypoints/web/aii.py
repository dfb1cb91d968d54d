"""The AII node's pages: a dossier's facts on a timeline with the decision on any date as known
at any moment; the yearly lists (make, approve by another person, deliver); the data-quality
queue with its due dates. Each calls its use case with the person as actor."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import Any

from fastapi import Request, Response

from kbi_exchange.bootstrap import mailbox, uow, vault
from kbi_exchange.domain.access import Node
from kbi_exchange.domain.advies import Vraag
from kbi_exchange.domain.dossier import (
    Aanmelding,
    Attest,
    Contract,
    Doelgroep,
    Dossier,
    Feit,
    Inbreuk,
    UitstelAanmelding,
    UitstelOndertekening,
    Vrijstelling,
)
from kbi_exchange.entrypoints.web.grafiek import staafdiagram
from kbi_exchange.entrypoints.web.kern import (
    Menu,
    PaginaFout,
    Paginas,
    dag,
    jaar,
    naar,
    nu,
    vandaag,
    veld,
)
from kbi_exchange.services import decide, kbi_import, kwaliteit, lijst, lijst_levering, replay

AII_MENU = (
    Menu("/aii/dossiers", "Dossiers", decide.aantal_dossiers, Node.AII),
    Menu("/aii/lijsten", "Jaarlijsten", lijst.alle_lijsten, Node.AII),
    Menu("/aii/meldingen", "Datakwaliteit", kwaliteit.meldingen, Node.AII),
    Menu("/aii/import", "Importeren", kbi_import.recente_imports, Node.AII),
)


@dataclass(frozen=True, slots=True)
class Moment:
    """One fact on the timeline: on which day, what, and when the KBI learned and lost it."""

    dag: date
    wat: str
    geregistreerd_op: datetime | None
    ingetrokken_op: datetime | None


def _omschrijf(feit: Feit) -> tuple[date, str]:
    if isinstance(feit, Doelgroep):
        tot = f" tot {feit.periode.einde}" if feit.periode.einde else ""
        return feit.periode.begin, f"In de doelgroep ({feit.type.value}){tot}"
    if isinstance(feit, Vrijstelling):
        return feit.periode.begin, f"Vrijgesteld: {feit.reden}"
    if isinstance(feit, Aanmelding):
        return feit.datum, "Aangemeld bij het inburgeringstraject"
    if isinstance(feit, UitstelAanmelding):
        return feit.periode.begin, "Uitstel van aanmelding"
    if isinstance(feit, Contract):
        return feit.datum_ondertekening, "Inburgeringscontract ondertekend"
    if isinstance(feit, UitstelOndertekening):
        return feit.periode.begin, "Uitstel van ondertekening"
    if isinstance(feit, Attest):
        return feit.datum, f"Attest: {feit.soort.value}"
    if isinstance(feit, Inbreuk):
        hersteld = f", rechtgezet op {feit.datum_rechtzetting}" if feit.datum_rechtzetting else ""
        return (
            feit.datum_vaststelling,
            f"Inbreuk vastgesteld ({feit.type or 'onbepaald'}){hersteld}",
        )
    return date.min, type(feit).__name__


def tijdlijn(dossier: Dossier) -> list[Moment]:
    """Every fact of a dossier in the order of its day, withdrawn ones included."""
    feiten: list[Feit] = [
        *dossier.doelgroepen,
        *dossier.vrijstellingen,
        *dossier.aanmeldingen,
        *dossier.uitstel_aanmelding,
        *dossier.contracten,
        *dossier.uitstel_ondertekening,
        *dossier.attesten,
        *dossier.inbreuken,
    ]
    momenten = []
    for feit in feiten:
        dag_, wat = _omschrijf(feit)
        momenten.append(
            Moment(dag_, wat, feit.geregistreerd_op or feit.opgenomen_op, feit.ingetrokken_op)
        )
    return sorted(momenten, key=lambda m: (m.dag, m.wat))


class AiiPaginas(Paginas):
    """The AII node's own pages."""

    async def dossiers(self, request: Request) -> Response:
        """Search a dossier; its facts on a timeline; the decision on a date as known at."""
        bezoek = await self.vereist_bezoek(request)
        q = request.query_params
        insz = q.get("insz", "").strip()[:32]
        waarden: dict[str, Any] = {
            "insz": insz,
            "datum": q.get("datum", "")[:10],
            "gekend_op": q.get("gekend_op", "")[:10],
        }
        if insz:
            datum = dag(q["datum"], label="Datum") if q.get("datum") else vandaag()
            gekend = (
                datetime.combine(dag(q["gekend_op"], label="Gekend op"), time.max, tzinfo=UTC)
                if q.get("gekend_op")
                else None
            )
            moment = nu()
            antwoord, gevonden = await self.in_draad(
                lambda: decide.met_dossier(
                    uow=uow(self.settings, Node.AII),
                    vraag=Vraag(insz, datum),
                    door=bezoek.actor,
                    nu=moment,
                    gekend_op=gekend,
                )
            )
            waarden |= {
                "antwoord": antwoord,
                "datum": datum.isoformat(),
                "momenten": tijdlijn(gevonden) if gevonden else [],
                "gevonden": gevonden is not None,
            }
        else:  # the empty form: the KBI's size, from a use case that checks who may look
            waarden["aantal"] = await self.in_draad(
                lambda: decide.aantal_dossiers(uow=uow(self.settings, Node.AII), door=bezoek.actor)
            )
        return self.toon(request, "aii_dossiers.html", bezoek, **waarden)

    async def lijsten(self, request: Request) -> Response:
        """The yearly lists and their steps (no INSZ), with sizes per year as a chart."""
        bezoek = await self.vereist_bezoek(request)
        alle = await self.in_draad(
            lambda: lijst.alle_lijsten(door=bezoek.actor, uow=uow(self.settings, Node.AII))
        )
        per_jaar: dict[int, int] = {}
        for item in alle:
            if item.telt_voor_jaar:
                per_jaar[item.jaar] = item.aantal
        return self.toon(
            request,
            "aii_lijsten.html",
            bezoek,
            lijsten=sorted(alle, key=lambda item: item.gemaakt_op, reverse=True),
            grafiek=staafdiagram(
                [(str(j), n) for j, n in sorted(per_jaar.items())],
                titel="INSZ op de lijst, per jaar",
            )
            if per_jaar
            else None,
            volgend_jaar=vandaag().year,
        )

    async def lijst_maken(self, request: Request) -> Response:
        bezoek = await self.vereist_bezoek(request)
        formulier = await self.formulier(request, bezoek)
        gekozen = jaar(veld(formulier, "jaar", label="Jaar", maximum=4), standaard=0)
        gemaakt = await self.in_draad(
            lambda: lijst.maak_lijst(
                uow=uow(self.settings, Node.AII),
                jaar=gekozen,
                door=bezoek.actor,
                nu=nu(),
                producent=self.settings.aii_identification,
                ontvanger=self.settings.vsb_identification,
                aantal_werkers=0,
            )
        )
        return naar(f"/aii/lijsten?gemaakt={gemaakt.id}")

    async def lijst_stap(self, request: Request) -> Response:
        """Approve (four eyes: another person than its maker) or deliver a list."""
        bezoek = await self.vereist_bezoek(request)
        formulier = await self.formulier(request, bezoek)
        lijst_id = str(request.path_params["lijst_id"])[:64]
        stap = formulier.get("stap")
        if stap == "goedkeuren":
            await self.in_draad(
                lambda: lijst.keur_goed(
                    uow=uow(self.settings, Node.AII), lijst_id=lijst_id, door=bezoek.actor, nu=nu()
                )
            )
        elif stap == "leveren":
            await self.in_draad(
                lambda: lijst_levering.lever_lijst(
                    uow=uow(self.settings, Node.AII),
                    vault=vault(self.settings, Node.AII),
                    outbox=mailbox(self.settings),
                    lijst_id=lijst_id,
                    door=bezoek.actor,
                    nu=nu(),
                    bestanden_tot=self.settings.list_files_until,
                )
            )
        else:
            raise PaginaFout(400, "Onbekende stap: goedkeuren of leveren.")
        return naar("/aii/lijsten")

    async def meldingen(self, request: Request) -> Response:
        """VSB's data-quality reports: open first, each with its due date (art. 7: 2 weeks)."""
        bezoek = await self.vereist_bezoek(request)
        alle = await self.in_draad(
            lambda: kwaliteit.meldingen(door=bezoek.actor, uow=uow(self.settings, Node.AII))
        )
        moment = nu()
        return self.toon(
            request,
            "aii_meldingen.html",
            bezoek,
            meldingen=sorted(alle, key=lambda m: (m.status.value == "gesloten", m.vervalt_op)),
            nu=moment,
        )

    async def herspeel(self, request: Request) -> Response:
        """A stored decision replayed on exactly its inputs: the same answer, or the difference."""
        bezoek = await self.vereist_bezoek(request)
        beslissing_id = request.query_params.get("id", "").strip()[:64]
        if not beslissing_id:  # the form is on the dossier page
            return naar("/aii/dossiers#herspelen")
        herspeling = await self.in_draad(
            lambda: replay.herspeel(
                door=bezoek.actor, uow=uow(self.settings, Node.AII), beslissing_id=beslissing_id
            )
        )
        return self.toon(
            request, "aii_herspeel.html", bezoek, beslissing_id=beslissing_id, h=herspeling
        )
