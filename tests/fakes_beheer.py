"""Fakes of the ports behind the operations side: the KBI import, data quality, retention, the
registers and the annulment report. Like `tests/fakes.py`: in memory, nothing kept that is not
committed, the same uniqueness the SQL stores keep (their contract tests check both)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, datetime
from typing import Literal

import orjson

from kbi_exchange.domain.access import Node
from kbi_exchange.domain.beslissingsrecord import Beslissingsrecord
from kbi_exchange.domain.bewaring import Gegevens, Opdracht
from kbi_exchange.domain.dossier import VELDEN, Dossier, Feit, Wijzigingen, bouw_dossier
from kbi_exchange.domain.fouten import Conflict
from kbi_exchange.domain.kwaliteit import Melding, MeldingStatus, Rectificatie, Uitkomst
from kbi_exchange.domain.protocol import Stroom, Weigering
from kbi_exchange.domain.registers import Ontvanger, Verwerker
from tests.fakes import FakeAudit, FakeBeslissingen, FakeKbi, FakeLijsten, FakeProtocol, InMemoryKbi


class FakeKbiOpslag:
    """`KbiOpslag` over an in-memory KBI: appends what an import changed, as the SQL store
    appends rows (a withdrawal replaces the fact's version, the fact itself stays)."""

    def __init__(self, kbi: InMemoryKbi) -> None:
        self.kbi = kbi
        self.imports: dict[str, dict[str, object]] = {}

    def dossiers(self, inszen: list[str]) -> dict[str, Dossier]:
        return {i: d for i in inszen if (d := self.kbi.zoek(i)) is not None}

    def begin_import(self, rij: dict[str, object]) -> None:
        if rij["id"] in self.imports:
            raise Conflict(f"import {rij['id']} exists")
        self.imports[str(rij["id"])] = dict(rij)

    def sluit_import(self, import_id: str, **tellers: object) -> None:
        self.imports[import_id].update(tellers)

    def recente_imports(self, aantal: int) -> list[dict[str, object]]:
        return sorted(self.imports.values(), key=lambda r: str(r["gestart_op"]), reverse=True)[
            :aantal
        ]

    def voeg_toe(
        self,
        veranderd: dict[str, tuple[bool, Wijzigingen]],
        *,
        opgenomen_op: datetime,
        import_id: str,
    ) -> None:
        for insz, (nieuw, w) in veranderd.items():
            oud = self.kbi.zoek(insz)
            if nieuw != (oud is None):
                raise Conflict(f"{insz}: new in the import, yet known (or the other way round)")
            feiten: dict[str, Feit] = {f.id: f for f in oud.feiten()} if oud else {}
            for feit in (*w.nieuwe_feiten, *w.intrekkingen):
                feiten[feit.id] = feit
            velden = {veld: list(getattr(oud, veld)) if oud else [] for veld in VELDEN}
            for veld, versie in w.nieuwe_velden:
                velden[veld].append(versie)
            self.kbi._dossiers[insz] = bouw_dossier(insz, feiten.values(), velden)


class FakeKbiImportWerk:
    """`KbiImportWerk`: the KBI as it was on entering comes back unless committed."""

    def __init__(self, kbi: InMemoryKbi | None = None) -> None:
        self.bewaard = kbi or InMemoryKbi()
        self.kbi = FakeKbiOpslag(InMemoryKbi())
        self.imports: dict[str, dict[str, object]] = {}

    def __enter__(self) -> FakeKbiImportWerk:
        self.kbi.kbi._dossiers = dict(self.bewaard._dossiers)
        self.kbi.imports = {k: dict(v) for k, v in self.imports.items()}
        return self

    def __exit__(self, *exc: object) -> None:
        """What was not committed is dropped when entered again."""

    def commit(self) -> None:
        self.bewaard._dossiers = dict(self.kbi.kbi._dossiers)
        self.imports = {k: dict(v) for k, v in self.kbi.imports.items()}


class FakeBeslissingenVanPersoon(FakeBeslissingen):
    """`Beslissingen` with what data quality and the annulment report read of them."""

    def van_insz(self, insz: str) -> list[Beslissingsrecord]:
        rijen = sorted(
            (r for r in self.rijen if r["insz"] == insz), key=lambda r: (r["gegeven_op"], r["id"])
        )
        return [b for r in rijen if (b := self.get(r["id"])) is not None]

    def weigeringen(self, doel: str) -> list[Weigering]:
        """Every NOK answer of the purpose, oldest first."""
        return [w for w in self._antwoorden(doel) if w.advies == "NOK"]

    def gegeven_vanaf(self, doel: str, moment: datetime) -> list[Weigering]:
        """Every answer (OK or NOK) of the purpose from ``moment`` on, oldest first."""
        return [w for w in self._antwoorden(doel) if w.gegeven_op >= moment]

    def _antwoorden(self, doel: str) -> list[Weigering]:
        gevonden = []
        for r in sorted(self.rijen, key=lambda r: (r["gegeven_op"], r["id"])):
            antwoord = orjson.loads(r["antwoord"] or "{}")
            if r["doel"] != doel or antwoord.get("advies") not in ("OK", "NOK"):
                continue  # another purpose, or a refused question: no answer
            reden = (antwoord.get("reden") or {}).get("code")
            gevonden.append(
                Weigering(
                    r["id"],
                    r["client"],
                    r["referte"],
                    r["datum"],
                    r["gegeven_op"],
                    reden,
                    antwoord["advies"],
                )
            )
        return gevonden


class FakeMeldingen:
    """`Meldingen` in a dict."""

    def __init__(self) -> None:
        self.rijen: dict[str, Melding] = {}

    def bewaar(self, melding: Melding) -> None:
        self.rijen[melding.id] = melding

    def get(self, melding_id: str) -> Melding | None:
        return self.rijen.get(melding_id)

    def alle(self, *, open_: bool = False) -> list[Melding]:
        gevonden = sorted(self.rijen.values(), key=lambda m: (m.gemeld_op, m.id))
        return [m for m in gevonden if not open_ or m.status is not MeldingStatus.GESLOTEN]


class FakeRectificaties:
    """`Rectificaties` in a list, numbered in the order they are added (the SQL ``seq``)."""

    def __init__(self) -> None:
        self.rijen: list[Rectificatie] = []

    def voeg_toe(self, r: Rectificatie) -> None:
        if any(x.id == r.id for x in self.rijen):
            raise Conflict(f"rectification {r.id} exists")
        self.rijen.append(r)

    def van_melding(self, melding_id: str) -> list[Rectificatie]:
        return [r for r in self.rijen if r.melding_id == melding_id]

    def laatste(self, beslissing_ids: list[str]) -> dict[str, Uitkomst]:
        return {
            r.beslissing_id: r.nieuw
            for r in self.rijen
            if r.beslissing_id in beslissing_ids and r.nieuw is not None
        }

    def van_lijst(self, lijst_id: str, insz: str) -> list[Rectificatie]:
        return [r for r in self.rijen if r.lijst_id == lijst_id and r.insz == insz]

    def voor_client(
        self, client: str, stroom: Stroom, na: int, hoeveel: int
    ) -> list[tuple[int, Rectificatie]]:
        return [
            (seq, r)
            for seq, r in enumerate(self.rijen, start=1)
            if r.client == client and r.stroom is stroom and seq > na
        ][:hoeveel]


class FakeKwaliteitWerk:
    """`KwaliteitWerk` (and `AnnulatieWerk`): reports, rectifications, decision records, the
    KBI and the lists of the AII node; reports and rectifications kept only when committed."""

    node: Literal[Node.AII] = Node.AII

    def __init__(self, kbi: InMemoryKbi | None = None) -> None:
        self.beslissingen = FakeBeslissingenVanPersoon()
        self.kbi = FakeKbi(kbi or InMemoryKbi())
        self.lijsten = FakeLijsten()
        self.protocol = FakeProtocol()
        self.audit = FakeAudit()
        self.bewaard: tuple[dict[str, Melding], list[Rectificatie]] = ({}, [])
        self.meldingen = FakeMeldingen()
        self.rectificaties = FakeRectificaties()

    def __enter__(self) -> FakeKwaliteitWerk:
        self.meldingen.rijen = dict(self.bewaard[0])
        self.rectificaties.rijen = list(self.bewaard[1])
        return self

    def __exit__(self, *exc: object) -> None:
        self.audit.wachtend = []

    def commit(self) -> None:
        self.bewaard = (dict(self.meldingen.rijen), list(self.rectificaties.rijen))
        self.audit.spoel()


class FakeBewaarplaats:
    """`Bewaarplaats`: items of each kind with the day they count from; what is removed is
    not found again. ``bestanden`` names the exchange file that carried an item."""

    def __init__(self) -> None:
        self.items: dict[Gegevens, dict[str, date]] = {}
        self.bestanden: dict[str, str] = {}
        self.verwijderd: list[tuple[Gegevens, str]] = []
        self.sleutels_bewaard: dict[str, list[str]] = {}

    def houd(self, gegevens: Gegevens, item: str, sinds: date, bestand: str | None = None) -> None:
        self.items.setdefault(gegevens, {})[item] = sinds
        if bestand:
            self.bestanden[item] = bestand

    def te_verwijderen(self, opdracht: Opdracht) -> list[str]:
        gehouden = self.items.get(opdracht.gegevens, {})
        return sorted(
            (i for i, d in gehouden.items() if d < opdracht.grens), key=lambda i: (gehouden[i], i)
        )

    def verwijder(
        self,
        gegevens: Gegevens,
        ids: Sequence[str],
        nu: datetime,
        sleutels: Callable[[str], list[str]],
    ) -> list[str]:
        bestanden = []
        for item in ids:
            if self.items.get(gegevens, {}).pop(item, None) is None:
                continue
            self.verwijderd.append((gegevens, item))
            if gegevens is Gegevens.LIJST_INHOUD:
                self.sleutels_bewaard[item] = sleutels(item)
            if item in self.bestanden:
                bestanden.append(self.bestanden[item])
        return bestanden


class FakeBewaringWerk:
    """`BewaringWerk` on either node: what was removed comes back unless committed."""

    def __init__(self, node: Node = Node.AII) -> None:
        self.node = node
        self.bewaring = FakeBewaarplaats()
        self.protocol = FakeProtocol()
        self.audit = FakeAudit()
        self._gehouden: dict[Gegevens, dict[str, date]] = {}
        self._verwijderd: list[tuple[Gegevens, str]] = []

    def __enter__(self) -> FakeBewaringWerk:
        self._gehouden = {g: dict(v) for g, v in self.bewaring.items.items()}
        self._verwijderd = list(self.bewaring.verwijderd)
        return self

    def __exit__(self, *exc: object) -> None:
        if self.audit.wachtend:  # left without a commit: as it was on entering
            self.bewaring.items = self._gehouden
            self.bewaring.verwijderd = self._verwijderd
        self.audit.wachtend = []

    def commit(self) -> None:
        self.audit.spoel()


class FakeRegisters:
    """`Registers` in dicts by id."""

    def __init__(self) -> None:
        self.verwerkers_: dict[str, Verwerker] = {}
        self.ontvangers_: dict[str, Ontvanger] = {}

    def bewaar_verwerker(self, verwerker: Verwerker) -> None:
        self.verwerkers_[verwerker.id] = verwerker

    def bewaar_ontvanger(self, ontvanger: Ontvanger) -> None:
        self.ontvangers_[ontvanger.id] = ontvanger

    def verwerkers(self) -> list[Verwerker]:
        return list(self.verwerkers_.values())

    def ontvangers(self) -> list[Ontvanger]:
        return list(self.ontvangers_.values())


class FakeRegisterWerk:
    """`RegisterWerk` on either node: the registers as they were unless committed."""

    def __init__(self) -> None:
        self.registers = FakeRegisters()
        self.audit = FakeAudit()
        self._bewaard: tuple[dict[str, Verwerker], dict[str, Ontvanger]] = ({}, {})

    def __enter__(self) -> FakeRegisterWerk:
        self.registers.verwerkers_ = dict(self._bewaard[0])
        self.registers.ontvangers_ = dict(self._bewaard[1])
        return self

    def __exit__(self, *exc: object) -> None:
        self.audit.wachtend = []

    def commit(self) -> None:
        self._bewaard = (dict(self.registers.verwerkers_), dict(self.registers.ontvangers_))
        self.audit.spoel()
