"""Fakes for fast tests: an in-memory KBI, and in-memory implementations of the service ports."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable, Collection, Iterable, Iterator
from dataclasses import replace
from datetime import datetime
from typing import Any, Literal

import orjson

from kbi_exchange.adapters.kbi_jsonl import lees_lijn
from kbi_exchange.adapters.passwords import ARGON2, Argon2Passwords
from kbi_exchange.domain import merkle
from kbi_exchange.domain.aanvraag import Aanvraag
from kbi_exchange.domain.access import Account, Actor, Gebruiker, Node
from kbi_exchange.domain.audit import (
    BEGIN_HASH,
    AuditGebeurtenis,
    AuditKop,
    AuditPost,
    Checkpoint,
    GetekendeKop,
    NieuweAuditPost,
    Verstrekking,
    blad,
    keten,
    kop_gegevens,
    verstrekkingen,
)
from kbi_exchange.domain.audit_bewijs import sleutel_id_van
from kbi_exchange.domain.audit_inhoud import AuditInhoud, nieuwe_regel
from kbi_exchange.domain.beslissingsrecord import Beslissingsrecord, EerdereBeslissing
from kbi_exchange.domain.client import Client, ClientOverzicht
from kbi_exchange.domain.dossier import Dossier, Dossierlijn, pas_toe
from kbi_exchange.domain.fouten import Conflict
from kbi_exchange.domain.incident import Incident, IncidentStatus, PartijOnbereikbaar
from kbi_exchange.domain.kwaliteit import ZorgkasBericht
from kbi_exchange.domain.lid import Lid
from kbi_exchange.domain.lijst import LijstFout
from kbi_exchange.domain.lijst_staat import Lijst
from kbi_exchange.domain.protocol import ProtocolGebeurtenis
from kbi_exchange.domain.verdeling import Zending
from kbi_exchange.domain.websessie import WebSessie
from kbi_exchange.services.ports import AuditKeys


class InMemoryKbi:
    """Dossiers by INSZ, built by the domain's own `pas_toe`: the KBI of the fast tests."""

    def __init__(self) -> None:
        self._dossiers: dict[str, Dossier] = {}

    def voeg_toe(self, regel: Dossierlijn, opgenomen_op: datetime) -> None:
        self._dossiers[regel.insz] = pas_toe(self._dossiers.get(regel.insz), regel, opgenomen_op)

    def laad_jsonl(self, regels: Iterable[str], *, opgenomen_op: datetime) -> int:
        """Add every line of a JSON Lines text; returns the number of lines read."""
        aantal = 0
        for tekst in regels:
            if tekst.strip():
                self.voeg_toe(lees_lijn(tekst, nu=opgenomen_op), opgenomen_op)
                aantal += 1
        return aantal

    def zoek(self, insz: str) -> Dossier | None:
        return self._dossiers.get(insz)

    def __iter__(self) -> Iterator[Dossier]:
        return iter(self._dossiers.values())

    def __len__(self) -> int:
        return len(self._dossiers)


# --- fakes of the service ports (kbi_exchange.services.ports) -------------------------------


class FakeKbi:
    """`KbiLezer` over an in-memory KBI."""

    def __init__(self, kbi: InMemoryKbi) -> None:
        self.kbi = kbi
        self.zoekopdrachten = 0

    def zoek(self, insz: str) -> Dossier | None:
        self.zoekopdrachten += 1
        return self.kbi.zoek(insz)

    def zoek_veel(self, inszen: Collection[str]) -> dict[str, Dossier | None]:
        self.zoekopdrachten += 1
        return {insz: self.kbi.zoek(insz) for insz in inszen}


class FakeBeslissingen:
    """`Beslissingen` in a dict; rows become visible when the unit of work commits."""

    def __init__(self) -> None:
        self.rijen: list[dict[str, Any]] = []
        self.wachtend: list[dict[str, Any]] = []

    def eerdere(self, client: str, refertes: Collection[str]) -> dict[str, EerdereBeslissing]:
        return {
            r["referte"]: EerdereBeslissing(r["id"], r["vraag_sha256"], r["antwoord"], r["insz"])
            for r in self.rijen
            if r["client"] == client and r["referte"] in refertes
        }

    def get(self, beslissing_id: str) -> Beslissingsrecord | None:
        rij = next((r for r in self.rijen if r["id"] == beslissing_id), None)
        if rij is None:
            return None
        velden = {k: v for k, v in rij.items() if k in Beslissingsrecord.__dataclass_fields__}
        return Beslissingsrecord(**{**velden, "feit_ids": frozenset(orjson.loads(rij["feit_ids"]))})

    def voeg_toe(self, rij: dict[str, Any]) -> None:
        self.wachtend.append(rij)


class FakeSleutels:
    """`AuditKeys` without files: keyed hashes under fixed secrets (the newest first)."""

    def __init__(self, *geheimen: bytes) -> None:
        self.geheimen = list(geheimen or [b"test INSZ key"])

    def roteer(self, geheim: bytes) -> None:
        self.geheimen.insert(0, geheim)

    def insz_hashes(self, insz: str) -> list[str]:
        return [hmac.new(g, insz.encode(), hashlib.sha256).hexdigest() for g in self.geheimen]

    # the fake's "public key", as the witness tests send it: its id is what heads are signed as
    PUBLIEK = b"PEM"

    def sign(self, gegevens: bytes) -> tuple[str, str]:
        handtekening = hmac.new(b"test signing key", gegevens, hashlib.sha256).hexdigest()
        return sleutel_id_van(self.PUBLIEK), handtekening

    def verify_signature(self, gegevens: bytes, handtekening: str) -> bool:
        return hmac.compare_digest(self.sign(gegevens)[1], handtekening)


def insz_hash(insz: str) -> str:
    """The keyed hash under which a fake audit log (with its default keys) names a person."""
    return FakeSleutels().insz_hashes(insz)[0]


class FakeAudit:
    """`AuditLog` as a list, chained at commit like the real one."""

    def __init__(self, sleutels: AuditKeys | None = None, node: str = "aii") -> None:
        self.sleutels = sleutels or FakeSleutels()
        self.node = node
        self.posten_: list[AuditPost] = []
        self.wachtend: list[NieuweAuditPost] = []
        self.getuigde: list[dict[str, Any]] = []  # the other node's heads witnessed here

    def record(
        self,
        gebeurtenis: AuditGebeurtenis,
        actor: Actor | str,
        tijdstip: datetime,
        inhoud: AuditInhoud,
        *,
        insz: str | None = None,
    ) -> None:
        self.wachtend.append(
            nieuwe_regel(
                gebeurtenis=gebeurtenis,
                actor=actor,
                tijdstip=tijdstip,
                inhoud=inhoud,
                insz=insz,
                insz_hashes=self.sleutels.insz_hashes,
            )
        )

    def insz_hashes(self, insz: str) -> list[str]:
        return self.sleutels.insz_hashes(insz)

    def handtekening_klopt(self, gegevens: bytes, handtekening: str) -> bool:
        return self.sleutels.verify_signature(gegevens, handtekening)

    def vergrendel(self) -> None:
        """One process, one writer: nothing to wait for."""

    def spoel(self) -> None:
        laatste = self.posten_[-1] if self.posten_ else None
        self.posten_ += keten(
            laatste.seq if laatste else 0, laatste.hash if laatste else BEGIN_HASH, self.wachtend
        )
        self.wachtend = []

    def onderteken(self, gegevens: bytes) -> tuple[str, str]:
        return self.sleutels.sign(gegevens)

    def kop(self) -> AuditKop | None:
        """The head, signed with its tree root like the real one's."""
        laatste = self.posten_[-1] if self.posten_ else None
        if laatste is None:
            return AuditKop(0, BEGIN_HASH, None, None, merkle.LEEG.hex(), "")
        boom = merkle.Rand()
        for p in self.posten_:
            boom.voeg_toe(blad(p.hash))
        wortel = boom.wortel().hex()
        sleutel_id, handtekening = self.sleutels.sign(
            kop_gegevens(laatste.seq, laatste.hash, laatste.tijdstip, wortel, self.node)
        )
        return AuditKop(
            laatste.seq,
            laatste.hash,
            laatste.tijdstip,
            handtekening,
            wortel,
            boom.bewaar(),
            sleutel_id,
        )

    def bladen(self, tot: int) -> Iterator[bytes]:
        return (blad(p.hash) for p in self.posten_[:tot])

    def post(self, seq: int) -> AuditPost | None:
        return next((p for p in self.posten_ if p.seq == seq), None)

    def getuig(
        self,
        kop: GetekendeKop,
        tijdstip: datetime,
        sleutel_id: str,
        handtekening: str,
        ontvangen_op: datetime,
    ) -> bool:
        if any((g["seq"], g["wortel"]) == (kop.seq, kop.wortel) for g in self.getuigde):
            return False
        self.getuigde.append(
            {
                "seq": kop.seq,
                "hash": kop.hash,
                "wortel": kop.wortel,
                "tijdstip": tijdstip,
                "sleutel_id": sleutel_id,
                "handtekening": handtekening,
                "ontvangen_op": ontvangen_op,
            }
        )
        return True

    def getuigd(self, seq: int, wortel: str) -> bool:
        return any((g["seq"], g["wortel"]) == (seq, wortel) for g in self.getuigde)

    def grootste_getuigde_kop(self) -> dict[str, Any] | None:
        return max(self.getuigde, key=lambda g: g["seq"], default=None)

    def getuigde_koppen(self, na: int, hoeveel: int) -> list[dict[str, Any]]:
        return sorted((g for g in self.getuigde if g["seq"] > na), key=lambda g: g["seq"])[:hoeveel]

    def posten(self) -> Iterator[AuditPost]:
        return iter(self.posten_)

    def checkpoints(self) -> list[Checkpoint]:
        return []

    def over(self, insz_hashes: list[str]) -> list[AuditPost]:
        return [r for r in self.posten_ if r.insz_hash in insz_hashes]

    def over_lijsten(
        self, gebeurtenissen: list[str], lijst_ids: list[str], *, sleutel: str = "lijst"
    ) -> list[AuditPost]:
        def noemt(waarde: object) -> bool:
            gevonden = waarde if isinstance(waarde, list) else [waarde]
            return any(w in lijst_ids for w in gevonden)

        return [
            r
            for r in self.posten_
            if r.gebeurtenis in gebeurtenissen
            and noemt(orjson.loads(r.inhoud or "{}").get(sleutel))
        ]


class FakeMessenger:
    """The other party's node (`Messenger`), as a fake: takes what it is sent, or is down."""

    def __init__(self, nu: datetime | None = None) -> None:
        self.down = False
        self.nu = nu
        self.ontvangen: list[dict[str, Any]] = []

    def stuur(self, melding: dict[str, Any]) -> dict[str, Any]:
        if self.down:
            raise PartijOnbereikbaar("down")
        self.ontvangen.append(melding)
        return {
            "id": melding.get("id"),
            **({"ontvangen_op": self.nu.isoformat()} if self.nu else {}),
        }


class FakeProtocol:
    """The protocol's recorded life (`ProtocolLog`) in a list."""

    def __init__(self) -> None:
        self.lijst: list[ProtocolGebeurtenis] = []

    def gebeurtenissen(self) -> list[ProtocolGebeurtenis]:
        return list(self.lijst)

    def voeg_toe(self, g: ProtocolGebeurtenis) -> None:
        self.lijst.append(g)

    def ontvangen(self, gebeurtenis_id: str, moment: datetime) -> None:
        (i,) = [i for i, g in enumerate(self.lijst) if g.id == gebeurtenis_id]
        self.lijst[i] = replace(self.lijst[i], ontvangen_op=moment)

    def geweigerd(self, gebeurtenis_id: str, reden: str) -> None:
        (i,) = [i for i, g in enumerate(self.lijst) if g.id == gebeurtenis_id]
        self.lijst[i] = replace(self.lijst[i], geweigerd=reden)


class FakeWerk:
    """`AdviesWerk`: one unit of work over shared fake stores; nothing stays unless committed."""

    node: Literal[Node.AII] = Node.AII

    def __init__(
        self,
        kbi: FakeKbi,
        beslissingen: FakeBeslissingen,
        audit: FakeAudit,
        protocol: FakeProtocol | None = None,
    ) -> None:
        self.kbi = kbi
        self.beslissingen = beslissingen
        self.audit = audit
        self.protocol = protocol or FakeProtocol()

    def __enter__(self) -> FakeWerk:
        return self

    def __exit__(self, *exc: object) -> None:
        self.beslissingen.wachtend = []
        self.audit.wachtend = []

    def commit(self) -> None:
        self.beslissingen.rijen += self.beslissingen.wachtend
        self.beslissingen.wachtend = []
        self.audit.spoel()


class FakeClients:
    """`Clients` in a dict by id."""

    def __init__(self) -> None:
        self.rijen: dict[str, ClientOverzicht] = {}

    def zoek(self, naam_of_id: str) -> ClientOverzicht | None:
        return next(
            (r for r in self.rijen.values() if naam_of_id in (r.client.naam, r.client.id)), None
        )

    def voeg_toe(self, client: Client, aangemaakt_op: datetime) -> None:
        self.rijen[client.id] = ClientOverzicht(client, aangemaakt_op, None)

    def trek_in(self, client_id: str, moment: datetime) -> None:
        self.rijen[client_id] = replace(self.rijen[client_id], ingetrokken_op=moment)

    def alle(self) -> list[ClientOverzicht]:
        return sorted(self.rijen.values(), key=lambda r: r.client.naam)

    def actief(self) -> dict[str, Client]:
        return {
            r.client.token_sha256: r.client for r in self.rijen.values() if not r.ingetrokken_op
        }


class FakeClientenWerk:
    """`ClientenWerk`; what is not committed is not kept (a copy is taken on entering)."""

    def __init__(self) -> None:
        self.bewaard = FakeClients()
        self.audit = FakeAudit()
        self.clients = FakeClients()

    def __enter__(self) -> FakeClientenWerk:
        self.clients.rijen = dict(self.bewaard.rijen)
        return self

    def __exit__(self, *exc: object) -> None:
        self.audit.wachtend = []

    def commit(self) -> None:
        self.bewaard.rijen = dict(self.clients.rijen)
        self.audit.spoel()


class FakeGebruikers:
    """The people of one node, in a dict; a unit of work of its own (`GebruikersWerk`)."""

    def __init__(self, node: Node) -> None:
        self.node = node
        self.accounts: dict[str, Account] = {}
        self.bewaard: dict[str, Account] = {}
        self.sessies: dict[str, WebSessie] = {}
        self.bewaarde_sessies: dict[str, WebSessie] = {}

    @property
    def gebruikers(self) -> FakeGebruikers:
        return self

    @property
    def wachtwoorden(self) -> Argon2Passwords:
        return ARGON2

    def __enter__(self) -> FakeGebruikers:
        self.accounts = dict(self.bewaard)
        self.sessies = dict(self.bewaarde_sessies)
        return self

    def __exit__(self, *exc: object) -> None:
        self.accounts = dict(self.bewaard)
        self.sessies = dict(self.bewaarde_sessies)

    def commit(self) -> None:
        self.bewaard = dict(self.accounts)
        self.bewaarde_sessies = dict(self.sessies)

    def account(self, naam: str) -> Account | None:
        return self.accounts.get(naam)

    def bewaar(self, account: Account) -> None:
        self.accounts[account.gebruiker.naam] = account

    def alle(self) -> list[Account]:
        return sorted(self.accounts.values(), key=lambda a: a.gebruiker.naam)

    def voeg_toe(self, gebruiker: Gebruiker, wachtwoord_hash: str, aangemaakt_op: datetime) -> None:
        self.accounts[gebruiker.naam] = Account(gebruiker, wachtwoord_hash, 0, None, aangemaakt_op)

    def sessie(self, token_hash: str) -> WebSessie | None:
        return self.sessies.get(token_hash)

    def bewaar_sessie(self, sessie: WebSessie) -> None:
        self.sessies[sessie.token_hash] = sessie

    def verwijder_sessie(self, token_hash: str) -> None:
        self.sessies.pop(token_hash, None)

    def verwijder_verlopen_sessies(self, nu: datetime) -> int:
        weg = [h for h, s in self.sessies.items() if s.verlopen(nu)]
        for h in weg:
            del self.sessies[h]
        return len(weg)


class FakeLijsten:
    """`Lijsten` in a dict; the year held by at most one list, as the database's constraint."""

    def __init__(self) -> None:
        self.lijsten: dict[str, Lijst] = {}
        self.payloads: dict[str, str] = {}

    def get(self, lijst_id: str) -> Lijst:
        if lijst_id not in self.lijsten:
            raise LijstFout(f"no list {lijst_id}")
        return self.lijsten[lijst_id]

    def huidige(self, jaar: int) -> Lijst | None:
        return next((x for x in self.lijsten.values() if x.jaar == jaar and x.telt_voor_jaar), None)

    def voeg_toe(self, lijst: Lijst, payload: str) -> None:
        if lijst.id in self.lijsten:
            raise Conflict(f"list {lijst.id} exists")
        self.lijsten[lijst.id] = lijst
        self.payloads[lijst.id] = payload

    def bewaar(self, *lijsten: Lijst) -> None:
        for lijst in lijsten:
            self.lijsten[lijst.id] = lijst

    def payload(self, lijst_id: str) -> str:
        return self.payloads[lijst_id]

    def bestand(self, lijst_id: str) -> bytes | None:
        return None

    def zet_bestand(self, lijst_id: str, bestand: bytes) -> None:
        raise NotImplementedError

    def zet_ontvangstbewijs(self, lijst_id: str, bewijs: bytes) -> None:
        raise NotImplementedError

    def geleverd_van(self, jaar: int) -> Lijst | None:
        return None

    def alle(self) -> list[Lijst]:
        return sorted(self.lijsten.values(), key=lambda x: (-x.jaar, x.gemaakt_op))

    def met_insz(self, insz: str, sleutels: Collection[str] = ()) -> list[str]:
        return [i for i, p in self.payloads.items() if f"\n{insz}\n" in p]


def _controleer_uniek(lijsten: Iterable[Lijst]) -> None:
    """The SQL stores' unique columns: one list holds a year (``enig_jaar``), a list is
    rectified at most once (``vervangt``)."""
    lijsten = list(lijsten)
    jaren = [x.jaar for x in lijsten if x.telt_voor_jaar]
    vervangen = [x.vervangt for x in lijsten if x.vervangt is not None]
    if len(jaren) != len(set(jaren)) or len(vervangen) != len(set(vervangen)):
        raise Conflict("a second list for a year, or a list rectified twice")


class FakeKbiVoorLijst:
    """`KbiVoorLijst`: the INSZ the list would hold, given."""

    def __init__(self, inszen: list[str]) -> None:
        self.inszen = inszen

    def op_lijst(self, **_: Any) -> list[str]:
        return list(self.inszen)


class FakeLijstWerk:
    """`LijstWerk`; a commit that gives a year two lists raises `Conflict`, nothing kept
    that is not committed."""

    node: Literal[Node.AII] = Node.AII

    def __init__(self, inszen: list[str]) -> None:
        self.kbi = FakeKbiVoorLijst(inszen)
        self.bewaard = FakeLijsten()
        self.lijsten = FakeLijsten()
        self.audit = FakeAudit()
        self.protocol = FakeProtocol()

    def __enter__(self) -> FakeLijstWerk:
        self.lijsten.lijsten = dict(self.bewaard.lijsten)
        self.lijsten.payloads = dict(self.bewaard.payloads)
        return self

    def __exit__(self, *exc: object) -> None:
        self.audit.wachtend = []

    def commit(self) -> None:
        _controleer_uniek(self.lijsten.lijsten.values())
        self.bewaard.lijsten = dict(self.lijsten.lijsten)
        self.bewaard.payloads = dict(self.lijsten.payloads)
        self.audit.spoel()

    @property
    def verstrekkingen(self) -> FakeLijstWerk:
        return self

    def met_insz(self, insz: str, sleutels: Collection[str] = ()) -> list[Verstrekking]:
        return verstrekkingen(lijsten=self.lijsten.met_insz(insz, sleutels))


class FakeOntvangenLijsten:
    """`OntvangenLijsten` in dicts."""

    def __init__(self) -> None:
        self.lijsten: dict[str, Lijst] = {}
        self.inszen: dict[str, list[str]] = {}
        self.bewijzen: dict[str, tuple[str, bytes]] = {}
        self.verstuurd: set[str] = set()

    def kopie(self) -> FakeOntvangenLijsten:
        kopie = FakeOntvangenLijsten()
        kopie.lijsten, kopie.inszen = dict(self.lijsten), dict(self.inszen)
        kopie.bewijzen, kopie.verstuurd = dict(self.bewijzen), set(self.verstuurd)
        return kopie

    def zoek(self, lijst_id: str) -> Lijst | None:
        return self.lijsten.get(lijst_id)

    def huidige(self, jaar: int) -> Lijst | None:
        return next((x for x in self.lijsten.values() if x.jaar == jaar and x.telt_voor_jaar), None)

    def voeg_toe(
        self, lijst: Lijst, inszen: list[str], *, ontvangstbewijs: tuple[str, bytes]
    ) -> None:
        if lijst.id in self.lijsten:
            raise Conflict(f"list {lijst.id} exists")
        if lijst.bestand_naam is None or lijst.ontvangen_op is None:
            raise LijstFout(f"list {lijst.id}: stored before it was received")
        self.lijsten[lijst.id] = lijst
        self.inszen[lijst.id] = list(inszen)
        self.bewijzen[lijst.id] = ontvangstbewijs
        _controleer_uniek(self.lijsten.values())  # the SQL store flushes here

    def bewaar(self, *lijsten: Lijst) -> None:
        # as the SQL store: a received list's steps are its state and its replacement only
        for lijst in lijsten:
            self.lijsten[lijst.id] = replace(
                self.lijsten[lijst.id], status=lijst.status, vervangen_op=lijst.vervangen_op
            )
        _controleer_uniek(self.lijsten.values())

    def te_versturen_ontvangstbewijs(self, lijst_id: str) -> tuple[str, bytes] | None:
        return None if lijst_id in self.verstuurd else self.bewijzen[lijst_id]

    def ontvangstbewijs_verstuurd(self, lijst_id: str) -> None:
        self.verstuurd.add(lijst_id)

    def ontvangstbewijs_naam(self, lijst_id: str) -> str:
        return self.bewijzen[lijst_id][0]


class FakeOntvangstWerk:
    """`OntvangstWerk`; a commit that gives a year two lists raises `Conflict`; what is not
    committed is gone at the end of the unit of work."""

    node: Literal[Node.VSB] = Node.VSB

    def __init__(self) -> None:
        self.bewaard = FakeOntvangenLijsten()
        self.ontvangen_lijsten = FakeOntvangenLijsten()
        self.audit = FakeAudit()
        self.protocol = FakeProtocol()

    def __enter__(self) -> FakeOntvangstWerk:
        self.ontvangen_lijsten = self.bewaard.kopie()
        return self

    def __exit__(self, *exc: object) -> None:
        self.ontvangen_lijsten = self.bewaard.kopie()
        self.audit.wachtend = []

    def commit(self) -> None:
        _controleer_uniek(self.ontvangen_lijsten.lijsten.values())
        self.bewaard = self.ontvangen_lijsten.kopie()
        self.audit.spoel()


class FakeLeden:
    """The member registry (`services.leden_import.Leden`) in lists; imports by id."""

    def __init__(self) -> None:
        self.versies: list[tuple[str, str, datetime, str]] = []  # insz, content, when, import
        self.hashes: dict[str, str] = {}
        self.imports: dict[str, dict[str, object]] = {}

    def huidige_hashes(self, inszen: Collection[str]) -> dict[str, str]:
        return {i: self.hashes[i] for i in inszen if i in self.hashes}

    def begin_import(self, rij: dict[str, object]) -> None:
        self.imports[str(rij["id"])] = dict(rij)

    def sluit_import(self, import_id: str, **tellers: object) -> None:
        self.imports[import_id].update(tellers)

    def voeg_toe(
        self, versies: list[tuple[str, str, str, bool]], *, opgenomen_op: datetime, import_id: str
    ) -> None:
        for insz, inhoud, sha, nieuw in versies:
            if nieuw == (insz in self.hashes):
                raise Conflict(f"member {insz} {'exists' if nieuw else 'is unknown'}")
            self.hashes[insz] = sha
            self.versies.append((insz, inhoud, opgenomen_op, import_id))


class FakeLedenWerk:
    """`LedenWerk`: what is not committed is gone at the end of the unit of work."""

    node: Literal[Node.VSB] = Node.VSB

    def __init__(self) -> None:
        self.bewaard = FakeLeden()
        self.leden = FakeLeden()
        self.audit = FakeAudit()

    def _kopie(self, bron: FakeLeden) -> FakeLeden:
        kopie = FakeLeden()
        kopie.versies, kopie.hashes = list(bron.versies), dict(bron.hashes)
        kopie.imports = {k: dict(v) for k, v in bron.imports.items()}
        return kopie

    def __enter__(self) -> FakeLedenWerk:
        self.leden = self._kopie(self.bewaard)
        return self

    def __exit__(self, *exc: object) -> None:
        self.leden = self._kopie(self.bewaard)
        self.audit.wachtend = []

    def commit(self) -> None:
        self.bewaard = self._kopie(self.leden)
        self.audit.spoel()


class FakeAanvragen:
    """`Aanvragen` in a dict, oldest first as the SQL store lists them."""

    def __init__(self, rijen: dict[str, Aanvraag] | None = None) -> None:
        self.rijen: dict[str, Aanvraag] = dict(rijen or {})

    def bewaar(self, aanvraag: Aanvraag) -> None:
        andere = [a for a in self.rijen.values() if a.id != aanvraag.id]
        if aanvraag.referte and any(a.referte == aanvraag.referte for a in andere):
            raise Conflict("referte used twice")
        self.rijen[aanvraag.id] = aanvraag

    def get(self, aanvraag_id: str) -> Aanvraag | None:
        return self.rijen.get(aanvraag_id)

    def met_referte(self, referte: str) -> Aanvraag | None:
        return next((a for a in self.rijen.values() if a.referte == referte), None)

    def alle(
        self, *, zorgkas: str | None = None, onbeslist: bool = False, insz: str | None = None
    ) -> list[Aanvraag]:
        return sorted(
            (
                a
                for a in self.rijen.values()
                if (zorgkas is None or a.zorgkas == zorgkas)
                and (not onbeslist or not a.status.beslist)
                and (insz is None or a.insz == insz)
            ),
            key=lambda a: (a.aangemaakt_op, a.id),
        )


class FakeLedenLezer:
    """Members as VSB knows them now (`LedenLezer`)."""

    def __init__(self, *leden: Lid) -> None:
        self.leden = {lid.insz: lid for lid in leden}

    def op(self, inszen: Collection[str], *, gekend_op: datetime | None = None) -> dict[str, Lid]:
        return {i: self.leden[i] for i in inszen if i in self.leden}


class FakeLijstenMetInsz:
    """The received lists by year as sets of INSZ (`LijstenMetInsz`)."""

    def __init__(self, lijsten: dict[int, set[str]] | None = None) -> None:
        self.lijsten = dict(lijsten or {})

    def bevat(self, jaar: int, insz: str, sleutels: Collection[str] = ()) -> bool | None:
        if jaar not in self.lijsten:
            return None
        return insz in self.lijsten[jaar] or any(s in self.lijsten[jaar] for s in sleutels)


class FakeAanvraagWerk:
    """`AanvraagWerk`: entered once per step; what is not committed is gone at its end."""

    node: Literal[Node.VSB] = Node.VSB

    def __init__(self, *leden: Lid, lijsten: dict[int, set[str]] | None = None) -> None:
        self.bewaard = FakeAanvragen()
        self.aanvragen = FakeAanvragen()
        self.leden = FakeLedenLezer(*leden)
        self.ontvangen_lijsten = FakeLijstenMetInsz(lijsten)
        self.audit = FakeAudit()
        self.protocol = FakeProtocol()
        self.open = False

    def __enter__(self) -> FakeAanvraagWerk:
        assert not self.open, "a unit of work entered twice at once"
        self.open = True
        self.aanvragen = FakeAanvragen(self.bewaard.rijen)
        return self

    def __exit__(self, *exc: object) -> None:
        self.open = False
        self.aanvragen = FakeAanvragen(self.bewaard.rijen)
        self.audit.wachtend = []

    def commit(self) -> None:
        self.bewaard = FakeAanvragen(self.aanvragen.rijen)
        self.audit.spoel()


class FakeZendingen:
    """`Zendingen` in lists; at most one current zorgkas per INSZ and year, as the SQL
    store's partial unique index keeps it."""

    def __init__(self) -> None:
        self.zendingen: dict[str, tuple[Zending, bytes]] = {}
        self.rijen: list[dict[str, Any]] = []  # jaar, insz, zending_id, zorgkas, huidig
        self.gedownload_op: dict[str, datetime] = {}

    def kopie(self) -> FakeZendingen:
        kopie = FakeZendingen()
        kopie.zendingen = dict(self.zendingen)
        kopie.rijen = [dict(r) for r in self.rijen]
        kopie.gedownload_op = dict(self.gedownload_op)
        return kopie

    def voeg_toe(self, zending: Zending, bestand: bytes) -> None:
        self.zendingen[zending.id] = (zending, bestand)

    def te_versturen(self) -> list[tuple[Zending, bytes]]:
        return [(z, b) for z, b in self.zendingen.values() if z.verzonden_op is None]

    def verzonden(self, zending_id: str, moment: datetime) -> None:
        zending, bestand = self.zendingen[zending_id]
        self.zendingen[zending_id] = (replace(zending, verzonden_op=moment), bestand)

    def van(self, *, jaar: int | None = None, zorgkas: str | None = None) -> list[Zending]:
        return [
            z
            for z, _ in self.zendingen.values()
            if (jaar is None or z.jaar == jaar) and (zorgkas is None or z.zorgkas == zorgkas)
        ]

    def verdeeld(self, jaar: int) -> dict[str, str]:
        return {r["insz"]: r["zorgkas"] for r in self.rijen if r["jaar"] == jaar and r["huidig"]}

    def niet_meer(self, jaar: int, inszen: list[str]) -> None:
        weg = set(inszen)
        for r in self.rijen:
            if r["jaar"] == jaar and r["insz"] in weg:
                r["huidig"] = False

    def leg_vast(
        self, *, jaar: int, zorgkas: str, zending_id: str, nieuw: list[str], verhuisd: list[str]
    ) -> None:
        self.niet_meer(jaar, verhuisd)
        huidig = self.verdeeld(jaar)
        for insz in nieuw + verhuisd:
            if insz in huidig:
                raise Conflict("a zorgkas has this member of the list already")
            self.rijen.append(
                {"jaar": jaar, "insz": insz, "zending_id": zending_id, "zorgkas": zorgkas,
                 "huidig": True}
            )  # fmt: skip

    def bestand(self, zending_id: str) -> bytes | None:
        gevonden = self.zendingen.get(zending_id)
        return gevonden[1] if gevonden else None

    def inszen_van(self, *, jaar: int, zorgkas: str) -> list[str]:
        return sorted(i for i, z in self.verdeeld(jaar).items() if z == zorgkas)

    def gedownload(self, zending_id: str, moment: datetime) -> None:
        self.gedownload_op.setdefault(zending_id, moment)


class FakeTeVerdelen:
    """The received lists as `LijstenTeVerdelen`: the current list of each year."""

    def __init__(self) -> None:
        self.lijsten: dict[int, tuple[Lijst, list[str]]] = {}
        self.sleutels: dict[str, set[str]] = {}
        self.verdeeld_op: dict[str, datetime] = {}
        self.wachtend: list[Callable[[], object]] = []

    def huidige(self, jaar: int) -> Lijst | None:
        return self.lijsten[jaar][0] if jaar in self.lijsten else None

    def inszen(self, lijst_id: str) -> list[str]:
        return next(sorted(i) for lijst, i in self.lijsten.values() if lijst.id == lijst_id)

    # what a unit of work changes is applied at its commit, and forgotten when it is left
    def verdeeld(self, lijst_id: str, moment: datetime) -> None:
        self.wachtend.append(lambda: self.verdeeld_op.setdefault(lijst_id, moment))

    def laat_weg(self, lijst_id: str, inszen: list[str], sleutel: Callable[[str], str]) -> None:
        def weg() -> None:
            for jaar, (lijst, alle) in self.lijsten.items():
                if lijst.id == lijst_id:
                    self.lijsten[jaar] = (lijst, [i for i in alle if i not in set(inszen)])
            self.sleutels.setdefault(lijst_id, set()).update(sleutel(i) for i in inszen)

        self.wachtend.append(weg)

    def spoel(self) -> None:
        for stap in self.wachtend:
            stap()
        self.wachtend = []


class FakeBerichten:
    """`ZorgkasBerichten` in a list."""

    def __init__(self) -> None:
        self.alle: list[ZorgkasBericht] = []

    def voeg_toe(self, bericht: ZorgkasBericht) -> None:
        self.alle.append(bericht)

    def van(self, zorgkas: str | None, hoeveel: int = 500) -> list[ZorgkasBericht]:
        return [b for b in self.alle if zorgkas is None or b.zorgkas == zorgkas][-hoeveel:]


class FakeVerdelingWerk:
    """`VerdelingWerk`: what is not committed is gone when the unit of work is left."""

    node: Literal[Node.VSB] = Node.VSB

    def __init__(self, *leden: Lid) -> None:
        self.ontvangen_lijsten = FakeTeVerdelen()
        self.leden = FakeLedenLezer(*leden)
        self.bewaard = FakeZendingen()
        self.zendingen = FakeZendingen()
        self.audit = FakeAudit()
        self.berichten = FakeBerichten()
        self.protocol = FakeProtocol()

    def __enter__(self) -> FakeVerdelingWerk:
        self.zendingen = self.bewaard.kopie()
        return self

    def __exit__(self, *exc: object) -> None:
        self.zendingen = self.bewaard.kopie()
        self.audit.wachtend = []
        self.ontvangen_lijsten.wachtend = []

    def commit(self) -> None:
        self.bewaard = self.zendingen.kopie()
        self.audit.spoel()
        self.ontvangen_lijsten.spoel()


class FakeIncidenten:
    """`Incidenten` in a dict."""

    def __init__(self, rijen: dict[str, Incident] | None = None) -> None:
        self.rijen: dict[str, Incident] = dict(rijen or {})

    def bewaar(self, incident: Incident) -> None:
        self.rijen[incident.id] = incident

    def get(self, incident_id: str) -> Incident | None:
        return self.rijen.get(incident_id)

    def alle(self, *, open_: bool = False) -> list[Incident]:
        return sorted(
            (i for i in self.rijen.values() if not open_ or i.status is IncidentStatus.OPEN),
            key=lambda i: (i.vastgesteld_op, i.id),
        )


class FakeIncidentWerk:
    """`IncidentWerk`: what is not committed is gone when the unit of work is left."""

    def __init__(self) -> None:
        self.bewaard = FakeIncidenten()
        self.incidenten = FakeIncidenten()
        self.audit = FakeAudit()

    def __enter__(self) -> FakeIncidentWerk:
        self.incidenten = FakeIncidenten(self.bewaard.rijen)
        return self

    def __exit__(self, *exc: object) -> None:
        self.audit.wachtend = []

    def commit(self) -> None:
        self.bewaard = FakeIncidenten(self.incidenten.rijen)
        self.audit.spoel()
