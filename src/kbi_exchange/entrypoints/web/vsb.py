"""The VSB node's pages: a zorgkas handler's applications, members on the list, files, messages
and complaints passed on; VSB staff's view of the same across the zorgkassen, the distribution
per zorgkas and the reports sent. Each page calls its use case with the person as actor; what
a zorgkas handler may see is decided there."""

from __future__ import annotations

from collections.abc import Callable

from fastapi import Request, Response

from kbi_exchange.adapters.aii_client import AiiClient
from kbi_exchange.bootstrap import uow
from kbi_exchange.domain.aanvraag import Aanvraag, brief
from kbi_exchange.domain.access import Node
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
from kbi_exchange.parameters import premie_bedragen
from kbi_exchange.schemas import zorgkas_codes, zorgkas_namen
from kbi_exchange.services import aanvragen, lijst_ontvangst, premie, verdeling, vsb_kwaliteit

VSB_MENU = (
    Menu("/zorgkas/aanvragen", "Aanvragen zorgbudget", aanvragen.overzicht, Node.VSB),
    Menu("/zorgkas/lijst", "Leden op de jaarlijst", verdeling.leden_op_lijst, Node.VSB, True),
    Menu("/zorgkas/meldingen", "Meldingen over gegevens", vsb_kwaliteit.meldingen, Node.VSB),
    Menu("/vsb/verdeling", "Verdeling per zorgkas", verdeling.per_zorgkas, Node.VSB),
)


class VsbPaginas(Paginas):
    """The pages of the VSB node for zorgkas handlers and VSB staff."""

    bron: Callable[[], AiiClient]

    def _zorgkas_naam(self, code: str) -> str:
        return zorgkas_namen().get(code, code)

    def _brief(self, aanvraag: Aanvraag) -> str | None:
        return brief(aanvraag, self._zorgkas_naam(aanvraag.zorgkas))

    async def aanvragen(self, request: Request) -> Response:
        """The applications the person may see, newest first, and the form for a new one."""
        bezoek = await self.vereist_bezoek(request)
        wachtend = request.query_params.get("wachtend") == "ja"
        gekozen = request.query_params.get("zorgkas") or None
        if gekozen is not None and gekozen not in zorgkas_codes():
            raise PaginaFout(400, "Onbekende zorgkas.")
        gevonden = await self.in_draad(
            lambda: aanvragen.overzicht(
                uow=uow(self.settings, Node.VSB),
                zorgkas=gekozen,
                onbeslist=wachtend,
                door=bezoek.actor,
                nu=nu(),
            )
        )
        return self.toon(
            request,
            "vsb_aanvragen.html",
            bezoek,
            aanvragen=list(reversed(gevonden))[:500],
            totaal=len(gevonden),
            wachtend=wachtend,
            gekozen=gekozen,
            zorgkassen=sorted(zorgkas_namen().items()),
            vandaag=vandaag().isoformat(),
        )

    async def aanvraag_toevoegen(self, request: Request) -> Response:
        """Record an application: AII asked (not for under-18s), decided, shown."""
        bezoek = await self.vereist_bezoek(request)
        formulier = await self.formulier(request, bezoek)
        insz = veld(formulier, "insz", label="INSZ", maximum=20)
        opening = dag(
            veld(formulier, "opening", label="Openingsdatum", maximum=10), label="Openingsdatum"
        )
        zorgkas = bezoek.gebruiker.zorgkas or veld(
            formulier, "zorgkas", label="Zorgkas", maximum=16
        )
        aanvraag = await self.in_draad(
            lambda: aanvragen.dien_in(
                uow=uow(self.settings, Node.VSB),
                bron=self.bron(),
                insz=insz,
                opening=opening,
                zorgkas=zorgkas,
                zorgkassen=zorgkas_codes(),
                door=bezoek.actor,
                nu=nu,
            )
        )
        return naar(f"/zorgkas/aanvragen/{aanvraag.id}")

    async def aanvraag(self, request: Request) -> Response:
        """One application: AII's answer, the decision and, for a refusal, the letter."""
        bezoek = await self.vereist_bezoek(request)
        aanvraag_id = str(request.path_params["aanvraag_id"])[:64]
        gevonden = await self.in_draad(
            lambda: aanvragen.toon(
                uow=uow(self.settings, Node.VSB),
                aanvraag_id=aanvraag_id,
                door=bezoek.actor,
                nu=nu(),
            )
        )
        return self.toon(
            request,
            "vsb_aanvraag.html",
            bezoek,
            aanvraag=gevonden,
            brief=self._brief(gevonden),
            zorgkas_naam=self._zorgkas_naam(gevonden.zorgkas),
        )

    async def lijst(self, request: Request) -> Response:
        """A zorgkas's members on the list of a year, and its files."""
        bezoek = await self.vereist_bezoek(request)
        gekozen = jaar(request.query_params.get("jaar"), standaard=vandaag().year)
        inszen, zendingen = await self.in_draad(
            lambda: verdeling.leden_op_lijst(
                uow=uow(self.settings, Node.VSB), jaar=gekozen, door=bezoek.actor, nu=nu()
            )
        )
        return self.toon(
            request, "vsb_lijst.html", bezoek, jaar=gekozen, inszen=inszen, zendingen=zendingen
        )

    async def bestand(self, request: Request) -> Response:
        """One of the zorgkas's files, as sent: CMS, signed by VSB, encrypted for it."""
        bezoek = await self.vereist_bezoek(request)
        zending_id = str(request.path_params["zending_id"])[:64]
        zending, inhoud = await self.in_draad(
            lambda: verdeling.zending_bestand(
                uow=uow(self.settings, Node.VSB), zending_id=zending_id, door=bezoek.actor, nu=nu()
            )
        )
        return Response(
            inhoud,
            media_type="application/pkcs7-mime",
            headers={
                "Content-Disposition": f'attachment; filename="{zending.bestand_naam}"',
                "Cache-Control": "no-store",
                "X-Content-Type-Options": "nosniff",
            },
        )

    async def meldingen(self, request: Request) -> Response:
        """Reports sent to AII, with their due dates; the form to pass a complaint on."""
        bezoek = await self.vereist_bezoek(request)
        gevonden = await self.in_draad(
            lambda: vsb_kwaliteit.meldingen(door=bezoek.actor, uow=uow(self.settings, Node.VSB))
        )
        berichten = await self.in_draad(
            lambda: vsb_kwaliteit.berichten(
                uow=uow(self.settings, Node.VSB), door=bezoek.actor, nu=nu()
            )
        )
        return self.toon(
            request,
            "vsb_meldingen.html",
            bezoek,
            meldingen=list(reversed(gevonden))[:500],
            berichten=list(reversed(berichten))[:200],
            aanvraag_id=request.query_params.get("aanvraag", "")[:64],
        )

    async def melding_toevoegen(self, request: Request) -> Response:
        """A person's complaint about their data, passed on to AII as a data-quality report."""
        bezoek = await self.vereist_bezoek(request)
        formulier = await self.formulier(request, bezoek)
        omschrijving = veld(formulier, "omschrijving", label="Omschrijving", maximum=2000)
        aanvraag_id = formulier.get("aanvraag", "").strip()[:64] or None
        insz = None if aanvraag_id else veld(formulier, "insz", label="INSZ", maximum=20)
        melding = await self.in_draad(
            lambda: vsb_kwaliteit.meld(
                uow=uow(self.settings, Node.VSB),
                bron=self.bron(),
                omschrijving=omschrijving,
                door=bezoek.actor,
                nu=nu(),
                insz=insz,
                aanvraag_id=aanvraag_id,
            )
        )
        return naar(f"/zorgkas/meldingen?verstuurd={melding.id}")

    async def verdeling(self, request: Request) -> Response:
        """How many listed members each zorgkas was sent in a year, as a chart and a table."""
        bezoek = await self.vereist_bezoek(request)
        gekozen = jaar(request.query_params.get("jaar"), standaard=vandaag().year)
        per = await self.in_draad(
            lambda: verdeling.per_zorgkas(
                uow=uow(self.settings, Node.VSB), door=bezoek.actor, jaar=gekozen
            )
        )
        huidige = await self.in_draad(
            lambda: lijst_ontvangst.huidige_lijst(
                uow=uow(self.settings, Node.VSB), jaar=gekozen, door=bezoek.actor
            )
        )
        namen = zorgkas_namen()
        return self.toon(
            request,
            "vsb_verdeling.html",
            bezoek,
            jaar=gekozen,
            per=per,
            namen=namen,
            lijst=huidige,
            grafiek=staafdiagram(
                [(z, n) for z, n in per.items()],
                titel=f"Leden op de lijst van {gekozen}, per zorgkas",
            ),
        )

    async def premie(self, request: Request) -> Response:
        """A member's zorgpremie for a year: reduced or not, the amount, and why."""
        bezoek = await self.vereist_bezoek(request)
        q = request.query_params
        gekozen = jaar(q.get("jaar"), standaard=vandaag().year)
        insz = q.get("insz", "").strip()[:32]
        if not insz:  # the form is on the applications page
            return naar("/zorgkas/aanvragen#premie")
        uitkomst = await self.in_draad(
            lambda: premie.bepaal(
                uow=uow(self.settings, Node.VSB),
                insz=insz,
                jaar=gekozen,
                bedragen=premie_bedragen(),
                door=bezoek.actor,
                nu=nu(),
            )
        )
        return self.toon(
            request, "vsb_premie.html", bezoek, insz=insz, jaar=gekozen, premie=uitkomst
        )
