"""The audit log (SPEC §11): verified, and searched by the DPO. Every use case writes it
through its unit of work (`AuditLog.record`), built with the node's keys."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import orjson

from kbi_exchange.domain import merkle
from kbi_exchange.domain.access import Actor, Node, Permissie, vereist
from kbi_exchange.domain.audit import (
    AuditGebeurtenis,
    AuditKop,
    AuditPost,
    GetekendeKop,
    GetuigdeKop,
    KopOntbreekt,
    Verstrekking,
    checkpoint_gegevens,
    kop_gegevens,
    verifieer_keten,
)
from kbi_exchange.domain.audit_bewijs import (
    BoomKop,
    Klopt,
    consistentie_document,
    inclusie_document,
    sleutel_id_van,
)
from kbi_exchange.domain.audit_inhoud import MislukteAanmeldingenInhoud
from kbi_exchange.domain.client import FailedAuthentications
from kbi_exchange.domain.fouten import KbiFout, NotFound, Ongeldig
from kbi_exchange.services.ports import AuditLog, AuditWerk, AuditZoekWerk


def mislukte_aanmeldingen_inhoud(g: FailedAuthentications) -> MislukteAanmeldingenInhoud:
    """A security event's entry: the address, how many failures, from when until when."""
    return {
        "adres": g.address,
        "aantal": g.count,
        "eerste": g.first.isoformat(),
        "laatste": g.last.isoformat(),
    }


def meld_mislukte_aanmeldingen(
    *,
    uow: AuditWerk,
    gebeurtenissen: Sequence[FailedAuthentications],
    gebeurtenis: AuditGebeurtenis,
    nu: datetime,
) -> None:
    """Record failed authentications, one entry per address and window, in one transaction."""
    with uow as werk:
        for g in gebeurtenissen:
            werk.audit.record(
                gebeurtenis=gebeurtenis,
                actor="unauthenticated",
                tijdstip=nu,
                inhoud=mislukte_aanmeldingen_inhoud(g),
            )
        werk.commit()


def _getekende_kop(audit: AuditLog, node: Node) -> tuple[GetekendeKop | None, list[str]]:
    """The stored head if its signature holds (with its tree root, or as signed before the
    log was a tree), and what is wrong with it."""
    opgeslagen = audit.kop()
    if opgeslagen is None:
        return None, ["the chain's head: missing (its row was removed from the database)"]
    k = opgeslagen
    if k.handtekening is None or k.tijdstip is None:
        return None, []
    if _boom_getekend(audit, k, node):
        return GetekendeKop(k.seq, k.hash, k.wortel), []
    if audit.handtekening_klopt(kop_gegevens(k.seq, k.hash, k.tijdstip), k.handtekening):
        return GetekendeKop(k.seq, k.hash), []  # signed before the upgrade to a tree
    return None, ["the chain's head: its signature does not verify"]


def _boom_getekend(audit: AuditLog, k: AuditKop, node: Node) -> bool:
    """Whether the stored head is this node's signed statement over its tree's root."""
    return (
        k.wortel is not None
        and k.tijdstip is not None
        and k.handtekening is not None
        and audit.handtekening_klopt(
            kop_gegevens(k.seq, k.hash, k.tijdstip, k.wortel, node.value), k.handtekening
        )
    )


def _getuigd(
    audit: AuditLog, getuigd: Sequence[Mapping[str, Any]], getuige: str
) -> tuple[list[GetuigdeKop], list[str]]:
    """The heads the other node says it witnessed, each checked to be this node's own signed
    statement (a head no key of ours signed proves nothing, and is named)."""
    koppen: list[GetuigdeKop] = []
    problemen: list[str] = []
    for i, ruw in enumerate(getuigd):
        try:
            kop = BoomKop.uit_json(ruw, f"witnessed head {i + 1}")
        except Ongeldig as fout:
            problemen.append(f"{getuige}'s witnessed heads: {fout}")
            continue
        if not audit.handtekening_klopt(kop.gegevens(), kop.handtekening):
            problemen.append(
                f"{getuige}'s witnessed head of {kop.seq} entries: not signed by this node's "
                f"key (key {kop.sleutel_id}: rotated since, or not this node's head)"
            )
            continue
        koppen.append(GetuigdeKop(kop.seq, kop.wortel, kop.tijdstip, getuige))
    return koppen, problemen


@vereist(Permissie.AUDIT_VERIFIEER)
def verifieer_audit(
    *,
    door: Actor,
    audit: AuditLog,
    getuigd: Sequence[Mapping[str, Any]] = (),
    getuige: str = "the other node",
) -> tuple[int, list[str]]:
    """The number of entries checked and every problem found (none: the log is intact).

    ``getuigd`` are the heads of this log that ``getuige`` (the other node) witnessed: the log
    must still hold each, with its tree root — an old signed head put back after the entries
    after it were deleted is found here, naming the missing range.
    """
    kop, problemen = _getekende_kop(audit, door.node)
    koppen, over_getuige = _getuigd(audit, getuigd, getuige)
    problemen += over_getuige
    checkpoints: dict[int, str] = {}
    for cp in audit.checkpoints():
        if not audit.handtekening_klopt(
            checkpoint_gegevens(cp.seq, cp.hash, cp.tijdstip), cp.handtekening
        ):
            problemen.append(f"checkpoint {cp.seq}: its signature does not verify")
        checkpoints[cp.seq] = cp.hash
    geteld = 0
    getuigd_hier: dict[tuple[int, str], AuditPost] = {}

    def tel() -> Any:
        nonlocal geteld
        for regel in audit.posten():
            geteld += 1
            if regel.gebeurtenis == GETUIGD[door.node].value and regel.inhoud:
                # content changed by hand fails the chain check; here it is only not read
                with contextlib.suppress(ValueError, KeyError, TypeError):
                    inhoud = orjson.loads(regel.inhoud)
                    getuigd_hier[(int(inhoud["seq"]), str(inhoud["wortel"]))] = regel
            yield regel

    problemen.extend(verifieer_keten(tel(), checkpoints, kop, geleegde_ids, koppen))
    problemen.extend(_getuigd_verdwenen(audit, getuigd_hier, door.node))
    return geteld, problemen


def _getuigd_verdwenen(
    audit: AuditLog, getuigd_hier: Mapping[tuple[int, str], AuditPost], node: Node
) -> list[str]:
    """The other node's heads witnessed here (by this log's entries) whose rows are gone from
    the table `kbi audit verify` on the other node reads: deleted behind the log's back."""
    bewaard: set[tuple[int, str]] = set()
    na = 0
    while pagina := audit.getuigde_koppen(na, MAX_KOPPEN):
        bewaard |= {(int(g["seq"]), str(g["wortel"])) for g in pagina}
        na = int(pagina[-1]["seq"])
    ander = (Node.VSB if node is Node.AII else Node.AII).value.upper()
    return [
        f"the heads of {ander}'s log witnessed here: the head of {seq} entries witnessed on "
        f"{post.tijdstip.isoformat()} (entry {post.seq}) is gone from their table"
        for (seq, wortel), post in sorted(getuigd_hier.items())
        if (seq, wortel) not in bewaard
    ]


class NietOndertekend(KbiFout):
    """The stored head is not this node's signed statement over its tree: the node signs no
    head over it (`kbi audit verify` says what is wrong; a head signed before the upgrade to a
    tree is replaced at the next entry)."""

    status = 409


class LegeLog(NotFound):
    """The log has no entry yet: there is no head to sign, prove or have witnessed."""


def boomkop(audit: AuditLog, node: Node, seq: int | None = None) -> BoomKop:
    """This node's signed head of its log's first ``seq`` entries (all: None).

    The whole log's is the head signed at its last commit, never signed anew: a database
    edited behind the node's back gets no new signature. A smaller one is signed now — the
    statement the node made (or would have) when the log was that long — but only after the
    entries streamed by are found to be exactly those under the stored signed root.
    """
    k = audit.kop()
    if k is None:
        raise KopOntbreekt("the audit log's head row is missing: no head can be signed")
    # empty: a head as `kbi init` left it, and no first entry (a head row reset to size 0
    # over entries that are still there is not an empty log but a tampered one, below)
    if k.seq == 0 and not k.handtekening and audit.post(1) is None:
        raise LegeLog(f"the {node.value.upper()} audit log has no entries yet: no head to sign")
    if not _boom_getekend(audit, k, node) or k.wortel is None or k.tijdstip is None:
        raise NietOndertekend(
            "the stored audit head is not this node's signature over its tree (run `kbi audit "
            "verify`; a head from before the upgrade is replaced at the next entry)"
        )
    n = k.seq if seq is None else seq
    if not 1 <= n <= k.seq:
        raise NotFound(f"the log has {k.seq} entries: no head of {n} entries")
    if n == k.seq:
        return BoomKop(
            node.value, n, k.hash, k.wortel, k.tijdstip, k.sleutel_id or "", k.handtekening or ""
        )
    post = audit.post(n)
    boom, deel = merkle.Rand(), b""
    for blad in audit.bladen(k.seq):
        boom.voeg_toe(blad)
        if boom.grootte == n:
            deel = boom.wortel()
    if post is None or boom.grootte != k.seq or boom.wortel().hex() != k.wortel:
        raise NietOndertekend(
            f"the log's entries are not those under its signed head of {k.seq} entries (run "
            "`kbi audit verify`): no head of an earlier size is signed"
        )
    gegevens = kop_gegevens(n, post.hash, post.tijdstip, deel.hex(), node.value)
    sleutel_id, handtekening = audit.onderteken(gegevens)
    return BoomKop(node.value, n, post.hash, deel.hex(), post.tijdstip, sleutel_id, handtekening)


BEWEZEN = {Node.AII: AuditGebeurtenis.AUDIT_BEWEZEN, Node.VSB: AuditGebeurtenis.VSB_AUDIT_BEWEZEN}


@vereist(Permissie.AUDIT_VERIFIEER)
def bewijs_opname(
    *, door: Actor, uow: AuditWerk, seq: int, grootte: int | None, nu: datetime
) -> dict[str, Any]:
    """A proof that entry ``seq`` is in the log (of ``grootte`` entries; None: all of it),
    which anyone can check with this node's public key alone (`audit_bewijs.controleer`).
    The proof shows the entry, so making it is audited."""
    with uow as werk:
        kop = boomkop(werk.audit, door.node, grootte)
        if not 1 <= seq <= kop.seq:
            raise NotFound(f"entry {seq}: the log of {kop.seq} entries has no such entry")
        post = werk.audit.post(seq)
        if post is None:
            raise NotFound(f"entry {seq} is not in the log")
        pad = merkle.inclusie_bewijs_stroom(seq - 1, kop.seq, werk.audit.bladen(kop.seq))
        werk.audit.record(
            gebeurtenis=BEWEZEN[door.node],
            actor=door.naam,
            tijdstip=nu,
            inhoud={"soort": "inclusion", "post": seq, "grootte": kop.seq},
        )
        werk.commit()
    return inclusie_document(kop, post, pad)


@vereist(Permissie.AUDIT_VERIFIEER)
def bewijs_consistentie(
    *, door: Actor, uow: AuditWerk, oud: int, nieuw: int | None, nu: datetime
) -> dict[str, Any]:
    """A proof that the log's head of ``nieuw`` entries (None: all) extends its head of
    ``oud`` entries: nothing in the first ``oud`` was changed, removed or reordered."""
    with uow as werk:
        later = boomkop(werk.audit, door.node, nieuw)
        if not 1 <= oud <= later.seq:
            raise Ongeldig(f"OLD: a size from 1 to {later.seq} (the new head's) is needed")
        eerder = boomkop(werk.audit, door.node, oud)
        bewijs = merkle.consistentie_bewijs_stroom(oud, later.seq, werk.audit.bladen(later.seq))
        werk.audit.record(
            gebeurtenis=BEWEZEN[door.node],
            actor=door.naam,
            tijdstip=nu,
            inhoud={"soort": "consistency", "oud": oud, "grootte": later.seq},
        )
        werk.commit()
    return consistentie_document(eerder, later, bewijs)


def geleegde_ids(inhoud: str) -> list[int]:
    """The audit entries a retention entry says it emptied (its content, as written by
    `services.bewaring`)."""
    gelezen = orjson.loads(inhoud)
    if gelezen.get("gegevens") != "audit":
        return []
    return [int(i) for i in gelezen.get("ids", [])]


def zoek_audit(
    *, audit: AuditLog, insz: str, verstrekkingen: Sequence[Verstrekking] = ()
) -> list[AuditPost]:
    """Every entry about a person: who received what about them, when and why.

    A list or a zorgkas file names no one in its audit entry (SPEC §8.7): ``verstrekkingen``
    are the disclosures of the lists and files the person is in; they count.
    """
    eigen = audit.over(audit.insz_hashes(insz))
    via = [
        regel
        for v in verstrekkingen
        for regel in audit.over_lijsten(list(v.gebeurtenissen), list(v.ids), sleutel=v.sleutel)
    ]
    uniek = {regel.seq: regel for regel in eigen + via}
    return [uniek[seq] for seq in sorted(uniek)]


# how a search is recorded in each node's own log
GEZOCHT = {Node.AII: AuditGebeurtenis.AUDIT_GEZOCHT, Node.VSB: AuditGebeurtenis.VSB_AUDIT_GEZOCHT}


@vereist({Node.AII: Permissie.KBI_AUDIT_ZOEK, Node.VSB: Permissie.VSB_AUDIT_ZOEK})
def zoek_over_persoon(
    *,
    uow: AuditZoekWerk,
    insz: str,
    door: Actor,
    nu: datetime,
) -> list[AuditPost]:
    """`zoek_audit` for the DPO, and the search itself audited under the person's keyed hash,
    in one transaction: no search goes unrecorded."""
    with uow as werk:
        regels = zoek_audit(
            audit=werk.audit,
            insz=insz,
            verstrekkingen=werk.verstrekkingen.met_insz(insz, werk.audit.insz_hashes(insz)),
        )
        werk.audit.record(
            gebeurtenis=GEZOCHT[door.node],
            actor=door.naam,
            tijdstip=nu,
            insz=insz,
            inhoud={"gevonden": len(regels)},
        )
        werk.commit()
    return regels


MAX_GEVONDEN = 1_000


@vereist({Node.AII: Permissie.KBI_AUDIT_ZOEK, Node.VSB: Permissie.VSB_AUDIT_ZOEK})
def zoek_in_periode(
    *,
    uow: AuditZoekWerk,
    van: datetime,
    tot: datetime,
    door: Actor,
    nu: datetime,
    gebeurtenissen: frozenset[str] | None = None,
) -> tuple[list[AuditPost], int]:
    """The entries made in [``van``, ``tot``) — of these events only, when given (the
    retention runs and what they removed, say) — at most `MAX_GEVONDEN`, the newest, and how
    many there were; the search itself audited, in one transaction."""
    if tot <= van:
        raise Ongeldig("the end of the period comes after its start")
    with uow as werk:
        gevonden = [
            p
            for p in werk.audit.posten()
            if van <= p.tijdstip < tot
            and (gebeurtenissen is None or p.gebeurtenis in gebeurtenissen)
        ]
        werk.audit.record(
            gebeurtenis=GEZOCHT[door.node],
            actor=door.naam,
            tijdstip=nu,
            inhoud={"gevonden": len(gevonden)},
        )
        werk.commit()
    return gevonden[-MAX_GEVONDEN:], len(gevonden)


BEWARING = frozenset(
    {
        AuditGebeurtenis.BEWARING_RUN,
        AuditGebeurtenis.BEWARING_VERWIJDERD,
        AuditGebeurtenis.VSB_BEWARING_RUN,
        AuditGebeurtenis.VSB_BEWARING_VERWIJDERD,
    }
)


# --- witnessing: each node keeps the other's signed heads (issue 23) ---------------------


class Teruggerold(KbiFout):
    """This log no longer holds what the other node witnessed: it was rolled back or rewritten
    (`kbi audit verify` names the range)."""

    status = 409


class KopGeweigerd(KbiFout):
    """The other node's head is not witnessed: it does not extend the heads witnessed before."""

    status = 409


GEWEIGERD = {
    Node.AII: AuditGebeurtenis.AUDIT_KOP_GEWEIGERD,
    Node.VSB: AuditGebeurtenis.VSB_AUDIT_KOP_GEWEIGERD,
}
GETUIGD = {
    Node.AII: AuditGebeurtenis.AUDIT_KOP_GETUIGD,
    Node.VSB: AuditGebeurtenis.VSB_AUDIT_KOP_GETUIGD,
}
MAX_KOPPEN = 1_000


@vereist(Permissie.AUDIT_VERIFIEER)
def kop_voor_getuige(
    *, door: Actor, uow: AuditWerk, getuigd: Mapping[str, Any] | None, nu: datetime
) -> dict[str, Any]:
    """What asks the other node to witness this log's head: the head, and a proof that it
    extends ``getuigd``, the largest head the other node witnessed before (None: none yet).

    A log that no longer holds that head is refused here already (`Teruggerold`): the other
    node would refuse it too, and the DPO must hear of it.
    """
    with uow as werk:
        if getuigd is None:  # the first head (an empty log has none: `LegeLog`)
            eerste = boomkop(werk.audit, door.node)
            return {
                "kop": eerste.als_json(),
                "oud": 0,
                "bewijs": [],
                "verstuurd_op": nu.isoformat(),
            }
        try:
            kop: BoomKop | None = boomkop(werk.audit, door.node)
        except LegeLog:
            kop = None  # emptied after the other node witnessed it: said as such below
        vorige = BoomKop.uit_json(getuigd, "the head the other node witnessed")
        if not werk.audit.handtekening_klopt(vorige.gegevens(), vorige.handtekening):
            raise Ongeldig(
                f"the head of {vorige.seq} entries the other node says it witnessed is not "
                "signed by this node's key: not answered with a proof"
            )
        grootte = kop.seq if kop is not None else 0
        if kop is None or vorige.seq > kop.seq:
            raise Teruggerold(
                f"the other node witnessed a head of {vorige.seq} entries on "
                f"{vorige.tijdstip.isoformat()}; this log has {grootte}: entries "
                f"{grootte + 1}–{vorige.seq} are gone (run `kbi audit verify`)"
            )
        bewijs: list[bytes] = []
        if vorige.seq < kop.seq:
            bewijs = merkle.consistentie_bewijs_stroom(
                vorige.seq, kop.seq, werk.audit.bladen(kop.seq)
            )
        if not merkle.consistent(
            vorige.seq, kop.seq, bytes.fromhex(vorige.wortel), bytes.fromhex(kop.wortel), bewijs
        ):
            raise Teruggerold(
                f"this log's first {vorige.seq} entries differ from the head the other node "
                f"witnessed on {vorige.tijdstip.isoformat()} (run `kbi audit verify`)"
            )
    return {
        "kop": kop.als_json(),
        "oud": vorige.seq,
        "bewijs": [b.hex() for b in bewijs],
        # when it was signed: the witness refuses an old message replayed (`VERS`)
        "verstuurd_op": nu.isoformat(),
    }


@dataclass(frozen=True, slots=True)
class Getuigd:
    """A head witnessed here, as the sender hears of it."""

    id: str
    ontvangen_op: datetime


VERS = timedelta(minutes=10)  # a witness request older than this (or as far ahead) is stale


def _lees_getuigenverzoek(
    inhoud: object, van: Node, klopt_met: Callable[[bytes], Klopt], nu: datetime
) -> tuple[BoomKop, int, list[bytes]]:
    """The head, the size the proof starts from and the proof, the head's signature checked
    with the public key the other party signed in the same message; `Ongeldig` naming what
    is wrong."""
    if not isinstance(inhoud, dict):
        raise Ongeldig("the signed content: an object is needed")
    pem = inhoud.get("publieke_sleutel")
    if not isinstance(pem, str) or len(pem) > 2_000:
        raise Ongeldig("publieke_sleutel: the audit key's public half (PEM) is needed")
    try:
        klopt = klopt_met(pem.encode())
    except ValueError as fout:
        raise Ongeldig(f"publieke_sleutel: {fout}") from None
    kop = BoomKop.uit_json(inhoud.get("kop"), "kop")
    if kop.sleutel_id != sleutel_id_van(pem.encode()):
        raise Ongeldig(
            f"kop.sleutel_id: {sleutel_id_van(pem.encode())} (the id of publieke_sleutel) is needed"
        )
    if kop.node != van.value:
        raise Ongeldig(f"kop.node: {van.value!r} (the sender) is needed")
    if kop.seq < 1:
        raise Ongeldig("kop.seq: a head of at least one entry is needed")
    oud = inhoud.get("oud")
    if not isinstance(oud, int) or isinstance(oud, bool) or not 0 <= oud <= kop.seq:
        raise Ongeldig(f"oud: a size from 0 to {kop.seq} is needed")
    bewijs = inhoud.get("bewijs")
    if not isinstance(bewijs, list) or len(bewijs) > 64:
        raise Ongeldig("bewijs: a list of at most 64 hashes is needed")
    try:
        hashes = [bytes.fromhex(h) for h in bewijs if isinstance(h, str) and len(h) == 64]
    except ValueError:
        hashes = []
    if len(hashes) != len(bewijs):
        raise Ongeldig("bewijs: each hash is 64 hexadecimal digits")
    if not klopt(kop.gegevens(), kop.handtekening):
        raise Ongeldig("kop.handtekening: does not verify with publieke_sleutel")
    try:
        verstuurd = datetime.fromisoformat(str(inhoud.get("verstuurd_op")))
    except ValueError:
        raise Ongeldig("verstuurd_op: the ISO 8601 moment it was signed is needed") from None
    if verstuurd.tzinfo is None:
        raise Ongeldig("verstuurd_op: the moment needs its offset from UTC")
    if abs(nu - verstuurd) > VERS:
        raise KopGeweigerd(
            f"the request was signed at {verstuurd.isoformat()}, more than {VERS} from now: "
            "stale or replayed, not witnessed (nothing recorded)"
        )
    return kop, oud, hashes


@vereist(Permissie.PARTIJ_MELDING)
def ontvang_kop(
    *,
    uow: AuditWerk,
    door: Actor,
    van: Node,
    inhoud: object,
    klopt_met: Callable[[bytes], Klopt],
    nu: datetime,
    sleutel: str | None = None,
) -> tuple[Getuigd, bool]:
    """Witness a signed head of the other party's log (their signature on the message
    checked by the caller): kept for good when it extends the largest head witnessed before
    (a consistency proof from that one); refused — and the refusal audited here — when it is
    smaller, or differs: the other node's log was rolled back or rewritten. True when new.

    The head must be signed with the audit key ``sleutel`` (its id, pinned in the settings),
    else with the key of the heads witnessed before: a node that holds the party's
    certificate but not its audit key (a test or staging node) cannot plant heads here."""
    kop, oud, bewijs = _lees_getuigenverzoek(inhoud, van, klopt_met, nu)
    with uow as werk:
        werk.audit.vergrendel()  # one witness at a time: the largest head is compared and kept
        if werk.audit.getuigd(kop.seq, kop.wortel):  # this very head before: a repeat
            return Getuigd(f"{kop.seq}-{kop.wortel[:16]}", nu), False
        vorige = werk.audit.grootste_getuigde_kop()
        laatste = None if vorige is None else BoomKop.uit_json(_als_json(vorige, van), "witnessed")
        reden = _andere_sleutel(kop.sleutel_id, laatste, sleutel)
        if laatste is not None and reden is None:
            wanneer = laatste.tijdstip.isoformat()
            if kop.seq < laatste.seq:
                reden = (
                    f"it has {kop.seq} entries, fewer than the head of {laatste.seq} entries "
                    f"witnessed here ({wanneer}): the log was rolled back"
                )
            elif kop.seq == laatste.seq and kop.wortel != laatste.wortel:
                reden = (
                    f"its root differs from that of the head of {laatste.seq} entries witnessed "
                    f"here ({wanneer}): the log was rewritten"
                )
            elif kop.seq > laatste.seq:
                if oud != laatste.seq:
                    raise KopGeweigerd(
                        f"the proof starts at {oud} entries; the largest head witnessed here has "
                        f"{laatste.seq}: ask GET /api/v1/audit/koppen/laatste again"
                    )
                if not merkle.consistent(
                    oud,
                    kop.seq,
                    bytes.fromhex(laatste.wortel),
                    bytes.fromhex(kop.wortel),
                    bewijs,
                ):
                    reden = (
                        f"it does not extend the head of {laatste.seq} entries witnessed here "
                        f"({wanneer}): the log was rewritten in between"
                    )
        if reden is not None:
            werk.audit.record(
                gebeurtenis=GEWEIGERD[door.node],
                actor=door.naam,
                tijdstip=nu,
                inhoud={
                    "seq": kop.seq,
                    "getuigd": laatste.seq if laatste else 0,
                    "reden": reden,
                },
            )
            werk.commit()
            raise KopGeweigerd(f"{van.value.upper()}'s audit head refused: {reden}")
        nieuw = werk.audit.getuig(
            GetekendeKop(kop.seq, kop.hash, kop.wortel),
            kop.tijdstip,
            kop.sleutel_id,
            kop.handtekening,
            nu,
        )
        if nieuw:  # in this node's own chain too: a row deleted from the table is found
            werk.audit.record(
                gebeurtenis=GETUIGD[door.node],
                actor=door.naam,
                tijdstip=nu,
                inhoud={"seq": kop.seq, "wortel": kop.wortel, "sleutel_id": kop.sleutel_id},
            )
        werk.commit()
    return Getuigd(f"{kop.seq}-{kop.wortel[:16]}", nu), nieuw


def _andere_sleutel(sleutel_id: str, laatste: BoomKop | None, vastgepind: str | None) -> str | None:
    """Why a head signed with key ``sleutel_id`` is not witnessed, or None when its key is
    the pinned one (or, with none pinned, that of the heads witnessed before, if any)."""
    if vastgepind is not None:
        if sleutel_id == vastgepind:
            return None
        return (
            f"it is signed with audit key {sleutel_id}, not with {vastgepind}, the key pinned "
            "in this node's settings: if the other party rotated its key, set the new id there"
        )
    if laatste is None or sleutel_id == laatste.sleutel_id:
        return None
    return (
        f"it is signed with audit key {sleutel_id}, not with {laatste.sleutel_id}, the key of "
        "the heads witnessed here before: if the other party rotated its key, pin the new id "
        "in this node's settings ([aii] vsb_audit_key or [vsb] aii_audit_key)"
    )


def _als_json(g: Mapping[str, Any], node: Node) -> dict[str, Any]:
    return {
        "node": node.value,
        **{k: v.isoformat() if isinstance(v, datetime) else v for k, v in g.items()},
    }


def getuigde_koppen(*, uow: AuditWerk, van: Node, na: int = 0) -> list[dict[str, Any]]:
    """The heads of ``van``'s log witnessed here, by size, after size ``na``, at most
    `MAX_KOPPEN` (public: signed statements of sizes and roots, nothing about anyone)."""
    with uow as werk:
        return [_als_json(g, van) for g in werk.audit.getuigde_koppen(na, MAX_KOPPEN)]


def laatste_getuigde_kop(*, uow: AuditWerk, van: Node) -> dict[str, Any] | None:
    """The largest head of ``van``'s log witnessed here (public, as `getuigde_koppen`)."""
    with uow as werk:
        g = werk.audit.grootste_getuigde_kop()
    return None if g is None else _als_json(g, van)
