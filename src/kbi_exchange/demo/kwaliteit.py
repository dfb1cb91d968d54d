"""The demo's data-quality round (protocol art. 7): a wrong inbreuk, the NOK it causes, VSB's
report, AII's correction and re-evaluation, the rectification applied at VSB and the zorgkas
told — with both nodes running and VSB reaching AII over HTTP."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import orjson
from rich.console import Console

from kbi_exchange.adapters.line_file import dossier_file
from kbi_exchange.bootstrap import aii_client, aii_uow, uow
from kbi_exchange.domain.aanvraag import AanvraagStatus
from kbi_exchange.domain.access import Actor, Node
from kbi_exchange.schemas import zorgkas_codes
from kbi_exchange.services import aanvragen, kwaliteit, vsb_kwaliteit
from kbi_exchange.services.kbi_import import import_dossiers
from kbi_exchange.settings import Settings

WIE = "85073001348"  # the examples: complies on 2023-01-01
OPENING = date(2023, 1, 1)
# the demo acts as each node's operating-system account
AII = Actor.os_account(Node.AII, "demo")
VSB = Actor.os_account(Node.VSB, "demo")


def _volgende_opening(console: Console, settings: Settings) -> date:
    """A rerun's round is a new application: one per opening date, and only once the earlier
    round's (granted once rectified) has ended — as a zorgkas would record it."""
    eerder = [
        a
        for a in aanvragen.overzicht(
            uow=uow(settings, Node.VSB),
            zorgkas="CM",
            onbeslist=False,
            door=VSB,
            nu=datetime.now(UTC),
        )
        if a.insz == WIE
    ]
    for open_ in (a for a in eerder if a.status is AanvraagStatus.TOEGEKEND and a.einde is None):
        aanvragen.beeindig(
            uow=uow(settings, Node.VSB),
            aanvraag_id=open_.id,
            einde=datetime.now(UTC).date(),
            reden="einde recht (demo: the earlier round)",
            door=VSB,
            nu=datetime.now(UTC),
        )
        console.print(f"  the earlier round's application {open_.id} ends: a new one may follow")
    return OPENING + timedelta(days=len(eerder))


def _corrigeer_bij_aii(
    console: Console, settings: Settings, correctie: Path, inbreuk: dict[str, str], melding_id: str
) -> None:
    """AII withdraws the wrong fact, answers the earlier questions again and closes the
    report with its finding."""
    ingetrokken = {**inbreuk, "ingetrokken_op": datetime.now(UTC).isoformat()}
    correctie.write_bytes(orjson.dumps({"insz": WIE, "inbreuken": [ingetrokken]}) + b"\n")
    bij_aii, _ = kwaliteit.toon(door=AII, uow=aii_uow(settings), melding_id=melding_id)
    kwaliteit.controleer_correctie(correctie, bij_aii)
    geimporteerd = import_dossiers(
        uow=aii_uow(settings), bestand=dossier_file(correctie), door=AII, nu=datetime.now(UTC)
    )
    uitkomst = kwaliteit.herbeoordeel(
        uow=aii_uow(settings),
        melding_id=melding_id,
        import_id=geimporteerd.import_id,
        door=AII,
        nu=datetime.now(UTC),
        lijst_ontvanger=settings.vsb_identification,
    )
    console.print(
        f"  AII withdraws the fact (never overwrites), answers {uitkomst.antwoorden_bekeken}"
        f" earlier questions again and checks {uitkomst.lijsten_bekeken} list(s): "
        f"{len(uitkomst.rectificaties)} rectification(s)"
    )
    kwaliteit.sluit(
        uow=aii_uow(settings),
        melding_id=melding_id,
        bevinding="Inbreuk ten onrechte geregistreerd; ingetrokken en rechtgezet.",
        door=AII,
        nu=datetime.now(UTC),
    )


def rechtzetting(console: Console, settings: Settings) -> None:
    """``settings`` are VSB's, wired to the running AII node (both nodes share the home)."""
    console.print("[bold]Data quality (art. 7)[/]: a wrong fact, its NOK, and its correction")
    fact_id = f"demo-inbreuk-{uuid.uuid4().hex[:8]}"  # a new wrong fact on every run
    inbreuk = {"id": fact_id, "type": "WEIGERING_CONTRACT", "datum_vaststelling": "2022-09-01"}
    map_ = settings.home / "demo"
    fout = map_ / "kwaliteit-fout.jsonl"
    fout.write_bytes(orjson.dumps({"insz": WIE, "inbreuken": [inbreuk]}) + b"\n")
    import_dossiers(
        uow=aii_uow(settings), bestand=dossier_file(fout), door=AII, nu=datetime.now(UTC)
    )
    console.print(f"  AII registers by mistake an inbreuk ({fact_id}) for *********{WIE[-2:]}")
    opening = _volgende_opening(console, settings)
    with aii_client(settings) as bron:
        aanvraag = aanvragen.dien_in(
            uow=uow(settings, Node.VSB),
            bron=bron,
            insz=WIE,
            opening=opening,
            zorgkas="CM",
            zorgkassen=zorgkas_codes(),
            door=VSB,
            nu=lambda: datetime.now(UTC),
        )
        console.print(
            f"  CM's application {aanvraag.id}: {aanvraag.status} ({aanvraag.advies} "
            f"{aanvraag.reden_code})"
        )
        melding = vsb_kwaliteit.meld(
            uow=uow(settings, Node.VSB),
            bron=bron,
            omschrijving="De betrokkene weigerde geen contract: de inbreuk lijkt onterecht.",
            door=VSB,
            nu=datetime.now(UTC),
            aanvraag_id=aanvraag.id,
        )
        console.print(
            f"  VSB reports it to AII: report {melding.id}, due {melding.vervalt_op:%Y-%m-%d}"
        )
        correctie = map_ / "kwaliteit-correctie.jsonl"
        _corrigeer_bij_aii(console, settings, correctie, inbreuk, melding.id)
        bijgewerkt = vsb_kwaliteit.werk_bij(
            uow=uow(settings, Node.VSB),
            bron=bron,
            door=VSB,
            nu=datetime.now(UTC),
        )
    na = aanvragen.toon(
        uow=uow(settings, Node.VSB),
        aanvraag_id=aanvraag.id,
        door=VSB,
        nu=datetime.now(UTC),
    )
    console.print(
        f"  VSB fetches {len(bijgewerkt.toegepast)} rectification(s): the application is "
        f"now {na.status} ({na.advies}); CM has a message (`kbi vsb messages`, "
        "GET /api/v1/zorgkas/berichten); the report is closed with AII's finding"
    )
