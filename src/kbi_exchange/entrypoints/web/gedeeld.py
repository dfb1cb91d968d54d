"""Pages on both nodes: the DPO's and auditor's audit log (searched by person or period, its
chain verified) and the incident register (art. 6, 9)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, time, timedelta
from typing import Any

from fastapi import Request, Response

from kbi_exchange.bootstrap import messenger, uow
from kbi_exchange.domain.access import Node
from kbi_exchange.domain.advies import Doel
from kbi_exchange.domain.dates import BRUSSEL
from kbi_exchange.domain.fouten import KbiFout
from kbi_exchange.domain.incident import CATEGORIEEN
from kbi_exchange.domain.insz import Insz, OngeldigInsz
from kbi_exchange.entrypoints.web.kern import (
    CIJFERS,
    Bezoek,
    Menu,
    PaginaFout,
    Paginas,
    dag,
    naar,
    nu,
    veld,
)
from kbi_exchange.schemas import zorgkas_namen
from kbi_exchange.services import audit, clients, incidenten, registers

GEDEELD_MENU = (
    Menu("/audit", "Auditlog", audit.verifieer_audit),
    Menu("/incidenten", "Incidenten", incidenten.alle),
    Menu("/registers", "Registers", registers.verwerkers),
    Menu("/clients", "Clients", clients.alle_clients),
)


class GedeeldePaginas(Paginas):
    """The audit log and the incidents of this node."""

    async def auditlog(self, request: Request) -> Response:
        """The chain's verification; for the DPO, entries about a person or in a period."""
        bezoek = await self.vereist_bezoek(request)
        q = request.query_params

        def verifieer() -> tuple[int, list[str]]:
            with uow(self.settings, self.node) as werk:
                return audit.verifieer_audit(door=bezoek.actor, audit=werk.audit)

        aantal, problemen = await self.in_draad(verifieer)
        waarden: dict[str, Any] = {
            "aantal": aantal,
            "problemen": problemen,
            "insz": q.get("insz", "")[:32],
            "van": q.get("van", "")[:10],
            "tot": q.get("tot", "")[:10],
        }
        if q.get("insz"):
            try:
                cijfers = Insz.parse(q["insz"][:32]).cijfers
            except OngeldigInsz as fout:
                raise PaginaFout(400, f"INSZ: {fout}") from None
            waarden["posten"] = await self.in_draad(
                lambda: audit.zoek_over_persoon(
                    uow=uow(self.settings, self.node), insz=cijfers, door=bezoek.actor, nu=nu()
                )
            )
        elif q.get("soort") == "bewaring":
            posten, totaal = await self.in_draad(
                lambda: audit.zoek_in_periode(
                    uow=uow(self.settings, self.node),
                    van=datetime(2000, 1, 1, tzinfo=UTC),
                    tot=nu(),
                    door=bezoek.actor,
                    nu=nu(),
                    gebeurtenissen=frozenset(audit.BEWARING),
                )
            )
            waarden |= {"posten": list(reversed(posten)), "totaal": totaal, "bewaring": True}
        elif q.get("van"):
            van = datetime.combine(dag(q["van"], label="Van"), time.min, tzinfo=UTC)
            tot = (
                datetime.combine(dag(q["tot"], label="Tot"), time.min, tzinfo=UTC)
                + timedelta(days=1)
                if q.get("tot")
                else nu()
            )
            posten, totaal = await self.in_draad(
                lambda: audit.zoek_in_periode(
                    uow=uow(self.settings, self.node), van=van, tot=tot, door=bezoek.actor, nu=nu()
                )
            )
            waarden |= {"posten": list(reversed(posten)), "totaal": totaal}
        return self.toon(request, "auditlog.html", bezoek, **waarden)

    async def incidenten(self, request: Request) -> Response:
        bezoek = await self.vereist_bezoek(request)
        alle = await self.in_draad(
            lambda: incidenten.alle(door=bezoek.actor, uow=uow(self.settings, self.node))
        )
        moment = nu()
        return self.toon(
            request,
            "incidenten.html",
            bezoek,
            incidenten=[
                i.json(moment) for i in sorted(alle, key=lambda i: i.geregistreerd_op, reverse=True)
            ],
            nu_lokaal=moment.astimezone(BRUSSEL).strftime("%Y-%m-%dT%H:%M"),
            categorieen=CATEGORIEEN,
            gemeld=request.query_params.get("gemeld", "")[:64],
            niet_gemeld=request.query_params.get("niet_gemeld", "")[:64],
        )

    async def incident_toevoegen(self, request: Request) -> Response:
        """Register an incident of this party and notify the other party's node at once."""
        bezoek = await self.vereist_bezoek(request)
        formulier = await self.formulier(request, bezoek)
        omschrijving = veld(formulier, "omschrijving", label="Omschrijving", maximum=2000)
        vastgesteld = _moment(veld(formulier, "vastgesteld", label="Vastgesteld op", maximum=16))
        betrokkenen_tekst = formulier.get("betrokkenen", "0").strip() or "0"
        if not CIJFERS.fullmatch(betrokkenen_tekst) or len(betrokkenen_tekst) > 9:
            raise PaginaFout(400, "‘Betrokkenen’ is een aantal personen (een getal).")
        categorieen = [c for c in CATEGORIEEN if formulier.get(f"categorie_{c}") == "ja"]
        incident = await self.in_draad(
            lambda: incidenten.registreer(
                uow=uow(self.settings, self.node),
                node=self.node,
                vastgesteld_op=vastgesteld,
                omschrijving=omschrijving,
                betrokkenen=int(betrokkenen_tekst),
                categorieen=categorieen,
                datalek=formulier.get("datalek") == "ja",
                door=bezoek.actor,
                nu=nu(),
            )
        )
        try:  # not `in_draad`: an unreachable party is a warning here, not a refusal
            await asyncio.to_thread(
                lambda: incidenten.meld_partij(
                    uow=uow(self.settings, self.node),
                    node=self.node,
                    incident_id=incident.id,
                    messenger=messenger(self.settings, self.node),
                    door=bezoek.actor,
                    nu=nu(),
                )
            )
        except KbiFout:  # unreachable, or refused: registered, and said that it was not told
            return naar(f"/incidenten?niet_gemeld={incident.id}")
        return naar(f"/incidenten?gemeld={incident.id}")

    async def registers(self, request: Request) -> Response:
        """The processors of both parties (art. 6) and, at VSB, the recipients other than a
        zorgkas with whether AII was notified (art. 4)."""
        bezoek = await self.vereist_bezoek(request)
        verwerkers = await self.in_draad(
            lambda: registers.verwerkers(door=bezoek.actor, uow=uow(self.settings, self.node))
        )
        ontvangers = await self.in_draad(
            lambda: registers.ontvangers(door=bezoek.actor, uow=uow(self.settings, self.node))
        )
        return self.toon(
            request, "registers.html", bezoek, verwerkers=verwerkers, ontvangers=ontvangers
        )

    async def clients(self, request: Request) -> Response:
        """The node's machine clients (never a token), the form for a new one."""
        bezoek = await self.vereist_bezoek(request)
        return await self._clients(request, bezoek)

    async def _clients(
        self, request: Request, bezoek: Bezoek, *, nieuw: tuple[str, str] | None = None
    ) -> Response:
        alle = await self.in_draad(
            lambda: clients.alle_clients(door=bezoek.actor, uow=uow(self.settings, self.node))
        )
        return self.toon(
            request,
            "clients.html",
            bezoek,
            clients=alle,
            nieuw=nieuw,
            doelen=[d.value for d in Doel],
            zorgkassen=sorted(zorgkas_namen().items()),
        )

    async def client_toevoegen(self, request: Request) -> Response:
        """A new client; its token is shown on this answer once, and kept nowhere."""
        bezoek = await self.vereist_bezoek(request)
        formulier = await self.formulier(request, bezoek)
        naam = veld(formulier, "naam", label="Naam", maximum=64)
        zorgkas = (
            veld(formulier, "zorgkas", label="Zorgkas", maximum=16)
            if self.node is Node.VSB
            else None
        )
        doelen = [d.value for d in Doel if formulier.get(f"doel_{d.value}") == "ja"]
        afzender = formulier.get("afzender", "").strip()[:100] or None
        client, token = await self.in_draad(
            lambda: clients.voeg_client_toe(
                uow=uow(self.settings, self.node),
                naam=naam,
                doelen=doelen,
                afzender=afzender,
                nu=nu(),
                door=bezoek.actor,
                zorgkas=zorgkas,
            )
        )
        return await self._clients(request, bezoek, nieuw=(client.naam, token))

    async def client_intrekken(self, request: Request) -> Response:
        bezoek = await self.vereist_bezoek(request)
        await self.formulier(request, bezoek)
        naam = str(request.path_params["naam"])[:64]
        await self.in_draad(
            lambda: clients.trek_client_in(
                uow=uow(self.settings, self.node), naam=naam, nu=nu(), door=bezoek.actor
            )
        )
        return naar("/clients")


def _moment(tekst: str) -> datetime:
    """A moment as a browser's datetime-local field gives it, in Brussels time; not ahead."""
    try:
        gelezen = datetime.fromisoformat(tekst)
        if gelezen.tzinfo is not None or not 2000 <= gelezen.year <= 9999:
            raise ValueError(tekst)
        moment = gelezen.replace(tzinfo=BRUSSEL)
    except ValueError:
        raise PaginaFout(
            400, "‘Vastgesteld op’ is geen geldig moment (JJJJ-MM-DDTUU:MM)."
        ) from None
    if moment > nu():
        raise PaginaFout(400, "‘Vastgesteld op’ ligt in de toekomst.")
    return moment.astimezone(UTC)
