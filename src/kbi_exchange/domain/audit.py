"""The audit log's chain (SPEC §11): what an entry's hash covers, and how a chain is checked."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from kbi_exchange.domain.fouten import KbiFout
from kbi_exchange.domain.merkle import Rand, blad_hash

BEGIN_HASH = "0" * 64
CHECKPOINT_ELKE = 1_000


class AuditGebeurtenis(StrEnum):
    """Audit event names, ``scope:resource:action``."""

    ADVIES_GEGEVEN = "kbi:advies:answer"
    ADVIES_GEWEIGERD = "kbi:advies:refuse"
    ADVIES_HERHAALD = "kbi:advies:repeat"
    CLIENT_TOEGEVOEGD = "kbi:client:add"
    CLIENT_INGETROKKEN = "kbi:client:revoke"
    AUDIT_GEZOCHT = "kbi:audit:search"
    # a proof made of the log (an entry in it; a head extending another); the other node's
    # head refused because it does not extend the heads witnessed before (rolled back)
    AUDIT_BEWEZEN = "kbi:audit:prove"
    AUDIT_KOP_GEWEIGERD = "kbi:audit:witness-refused"
    # the other node's head witnessed here: its own table of heads is checked against these
    AUDIT_KOP_GETUIGD = "kbi:audit:witness"
    LIJST_GEMAAKT = "kbi:lijst:make"
    LIJST_GOEDGEKEURD = "kbi:lijst:approve"
    # the disclosure: one entry per list, written before the file leaves (SPEC §8.7)
    LIJST_GELEVERD = "kbi:lijst:deliver"
    LIJST_OPGEHAALD = "kbi:lijst:pull"
    LIJST_OPHALEN_GEWEIGERD = "kbi:lijst:pull-refused"
    LIJST_ONTVANGEN = "kbi:lijst:receipt"
    # the protocol's life (SPEC §12): one entry per step
    PROTOCOL_STAP = "kbi:protocol:change"
    PROTOCOL_RAPPORT = "kbi:protocol:report"
    # retention (SPEC §10): one entry per removed batch (what, why, the ids), one per run
    BEWARING_VERWIJDERD = "kbi:retention:purge"
    BEWARING_RUN = "kbi:retention:run"
    # data quality (art. 7): a report received, corrected (with its rectifications), closed;
    # each rectification again when it leaves
    MELDING_ONTVANGEN = "kbi:melding:receive"
    MELDING_GECORRIGEERD = "kbi:melding:correct"
    MELDING_GESLOTEN = "kbi:melding:close"
    RECTIFICATIE_VERSTREKT = "kbi:rectificatie:fetch"
    # incidents (art. 6, 9): registered, notified to the other party or the VTC, received
    # from the other party, closed
    INCIDENT_GEREGISTREERD = "kbi:incident:add"
    INCIDENT_GEMELD = "kbi:incident:notify"
    INCIDENT_ONTVANGEN = "kbi:incident:receive"
    INCIDENT_GESLOTEN = "kbi:incident:close"
    # the registers (art. 4, 6): a processor or recipient added, ended, exported; a recipient
    # VSB notified
    REGISTER_GEWIJZIGD = "kbi:register:change"
    REGISTER_GEEXPORTEERD = "kbi:register:export"
    ONTVANGER_ONTVANGEN = "kbi:ontvanger:receive"
    # failed authentications, one entry per source address and window (SPEC §7)
    AANMELDING_MISLUKT = "kbi:security:auth-failed"
    # the VSB node's own log
    VSB_LIJST_ONTVANGEN = "vsb:lijst:ingest"
    VSB_LEDEN_GEIMPORTEERD = "vsb:leden:import"
    # care-budget applications: recorded (the question to AII leaves after this entry),
    # answered or waiting, ended; every look at them by a person; a bare check
    VSB_AANVRAAG_INGEDIEND = "vsb:aanvraag:add"
    VSB_AANVRAAG_BESLIST = "vsb:aanvraag:decide"
    VSB_AANVRAAG_OPNIEUW = "vsb:aanvraag:reask"
    VSB_AANVRAAG_BEEINDIGD = "vsb:aanvraag:end"
    VSB_AANVRAAG_BEKEKEN = "vsb:aanvraag:view"
    VSB_ADVIES_GEVRAAGD = "vsb:advies:ask"
    VSB_PREMIE_BEPAALD = "vsb:premie:decide"
    VSB_PREMIE_GEWEIGERD = "vsb:premie:refuse"
    # a zorgkas's part of a list: one entry per file, written before it leaves; and the run
    VSB_LIJST_VERDEELD = "vsb:lijst:distribute"
    VSB_AUDIT_GEZOCHT = "vsb:audit:search"
    VSB_AUDIT_BEWEZEN = "vsb:audit:prove"
    VSB_AUDIT_KOP_GEWEIGERD = "vsb:audit:witness-refused"
    VSB_AUDIT_KOP_GETUIGD = "vsb:audit:witness"
    VSB_LIJST_BEKEKEN = "vsb:lijst:view"
    VSB_LIJST_GEDOWNLOAD = "vsb:lijst:download"
    VSB_CLIENT_TOEGEVOEGD = "vsb:client:add"
    VSB_CLIENT_INGETROKKEN = "vsb:client:revoke"
    VSB_AANMELDING_MISLUKT = "vsb:security:auth-failed"
    VSB_VERDELING_VERSLAG = "vsb:lijst:distribution-report"
    VSB_PROTOCOL_STAP = "vsb:protocol:change"
    # data quality at VSB: a report sent to AII (before it leaves), a rectification applied,
    # a report's finding received, a zorgkas reading its messages
    VSB_MELDING_VERSTUURD = "vsb:melding:send"
    VSB_MELDING_BIJGEWERKT = "vsb:melding:update"
    VSB_RECTIFICATIE_TOEGEPAST = "vsb:rectificatie:apply"
    VSB_BERICHT_BEKEKEN = "vsb:bericht:view"
    VSB_REGISTER_GEWIJZIGD = "vsb:register:change"
    VSB_REGISTER_GEEXPORTEERD = "vsb:register:export"
    VSB_ONTVANGER_GEMELD = "vsb:ontvanger:notify"
    # a disclosure to a registered recipient other than a zorgkas: one entry, before it leaves
    VSB_EXPORT = "vsb:export:disclose"
    VSB_INCIDENT_GEREGISTREERD = "vsb:incident:add"
    VSB_INCIDENT_GEMELD = "vsb:incident:notify"
    VSB_INCIDENT_ONTVANGEN = "vsb:incident:receive"
    VSB_INCIDENT_GESLOTEN = "vsb:incident:close"
    VSB_BEWARING_VERWIJDERD = "vsb:retention:purge"
    VSB_BEWARING_RUN = "vsb:retention:run"


@dataclass(frozen=True, slots=True)
class AuditPost:
    """An entry as stored. ``inhoud`` is None once purged; ``inhoud_sha256`` then still holds."""

    seq: int
    tijdstip: datetime
    gebeurtenis: str
    actor: str
    insz_hash: str | None
    inhoud: str | None
    inhoud_sha256: str
    vorige_hash: str
    hash: str


@dataclass(frozen=True, slots=True)
class Checkpoint:
    """A signed statement of the chain's head at one entry (one every `CHECKPOINT_ELKE`)."""

    seq: int
    hash: str
    tijdstip: datetime
    handtekening: str


@dataclass(frozen=True, slots=True)
class Verstrekking:
    """Disclosures whose entries name no one (a list, a zorgkas file): the entries of these
    kinds whose content's ``sleutel`` is one of ``ids``, the lists or files a person is in."""

    gebeurtenissen: tuple[str, ...]
    sleutel: str
    ids: tuple[str, ...]


def verstrekkingen(
    *,
    lijsten: Sequence[str] = (),
    ontvangen: Sequence[str] = (),
    zendingen: Sequence[str] = (),
    aanvragen: Sequence[str] = (),
    berichten: Sequence[str] = (),
) -> list[Verstrekking]:
    """The disclosures that count for a person who is on these lists (AII: delivered or
    pulled), these received lists (VSB: ingested, exported), these zorgkas files (VSB: sent,
    shown or downloaded), these applications (VSB: shown in a list of them) and these
    messages to a zorgkas (VSB: made, read)."""
    gevonden = [
        Verstrekking(
            (AuditGebeurtenis.LIJST_GELEVERD.value, AuditGebeurtenis.LIJST_OPGEHAALD.value),
            "lijst",
            tuple(lijsten),
        ),
        Verstrekking(
            (AuditGebeurtenis.VSB_LIJST_ONTVANGEN.value, AuditGebeurtenis.VSB_EXPORT.value),
            "lijst",
            tuple(ontvangen),
        ),
        Verstrekking(
            (
                AuditGebeurtenis.VSB_LIJST_VERDEELD.value,
                AuditGebeurtenis.VSB_LIJST_BEKEKEN.value,
                AuditGebeurtenis.VSB_LIJST_GEDOWNLOAD.value,
            ),
            "zending",
            tuple(zendingen),
        ),
        Verstrekking((AuditGebeurtenis.VSB_AANVRAAG_BEKEKEN.value,), "aanvraag", tuple(aanvragen)),
        # a message to a zorgkas about them: made (distribution) and read (the look)
        Verstrekking((AuditGebeurtenis.VSB_LIJST_VERDEELD.value,), "bericht", tuple(berichten)),
        Verstrekking((AuditGebeurtenis.VSB_BERICHT_BEKEKEN.value,), "berichten", tuple(berichten)),
    ]
    return [v for v in gevonden if v.ids]


@dataclass(frozen=True, slots=True)
class NieuweAuditPost:
    """An entry before it takes its place in the chain (at commit)."""

    tijdstip: datetime
    gebeurtenis: str
    actor: str
    insz_hash: str | None
    inhoud: str
    inhoud_sha256: str


_PURGE = frozenset(
    {AuditGebeurtenis.BEWARING_VERWIJDERD.value, AuditGebeurtenis.VSB_BEWARING_VERWIJDERD.value}
)


def keten(vorige_seq: int, vorige_hash: str, nieuwe: list[NieuweAuditPost]) -> list[AuditPost]:
    """Give new entries their sequence numbers and chained hashes, after the given head."""
    regels = []
    for n in nieuwe:
        vorige_seq += 1
        h = keten_hash(
            vorige_hash,
            vorige_seq,
            n.tijdstip,
            n.gebeurtenis,
            n.actor,
            n.insz_hash,
            n.inhoud_sha256,
        )
        regels.append(
            AuditPost(
                vorige_seq,
                n.tijdstip,
                n.gebeurtenis,
                n.actor,
                n.insz_hash,
                n.inhoud,
                n.inhoud_sha256,
                vorige_hash,
                h,
            )
        )
        vorige_hash = h
    return regels


def inhoud_hash(inhoud: str) -> str:
    return hashlib.sha256(inhoud.encode()).hexdigest()


def keten_hash(
    vorige: str,
    seq: int,
    tijdstip: datetime,
    gebeurtenis: str,
    actor: str,
    insz_hash: str | None,
    inhoud_sha256: str,
) -> str:
    """The hash of an entry: over the previous hash and everything the entry says."""
    delen = (
        vorige,
        str(seq),
        tijdstip.isoformat(),
        gebeurtenis,
        actor,
        insz_hash or "",
        inhoud_sha256,
    )
    return hashlib.sha256("\x1f".join(delen).encode()).hexdigest()


def checkpoint_gegevens(seq: int, hash_: str, tijdstip: datetime) -> bytes:
    """What a checkpoint's signature covers."""
    return f"KBI-AUDIT-CHECKPOINT 1\n{seq}\n{hash_}\n{tijdstip.isoformat()}\n".encode()


def kop_gegevens(
    seq: int, hash_: str, tijdstip: datetime, wortel: str | None = None, node: str = ""
) -> bytes:
    """What the signature of the chain's head covers (signed at every commit that appends):
    whose log (``node``), the number of entries, the last one's hash and moment, and the root
    of the Merkle tree of all entries (`domain.merkle`). Without a root: a head signed before
    the log was a tree (version 1), still read after the upgrade until the next entry."""
    if wortel is None:
        return f"KBI-AUDIT-KOP 1\n{seq}\n{hash_}\n{tijdstip.isoformat()}\n".encode()
    if not node:
        raise ValueError("a head over a tree root names its node")
    return f"KBI-AUDIT-KOP 2\n{node}\n{seq}\n{hash_}\n{wortel}\n{tijdstip.isoformat()}\n".encode()


def blad(entry_hash: str) -> bytes:
    """An entry's leaf in the Merkle tree: the hash of its chain hash (RFC 9162's leaf)."""
    return blad_hash(bytes.fromhex(entry_hash))


class KopOntbreekt(KbiFout):
    """The audit log's head row is gone (removed by hand): named as such, not as a database
    error; `kbi audit verify` reports it, and nothing is appended until it is restored."""

    status = 500


@dataclass(frozen=True, slots=True)
class AuditKop:
    """The stored head: the number of entries, the last one's hash and moment, the tree's root
    and its edge (`merkle.Rand`, stored so that appending need not read the log), and the
    signature (None: not signed)."""

    seq: int
    hash: str
    tijdstip: datetime | None
    handtekening: str | None
    wortel: str | None = None
    rand: str | None = None
    sleutel_id: str | None = None


@dataclass(frozen=True, slots=True)
class GetekendeKop:
    """The chain's head as signed: the last entry's number and hash, and the tree's root when
    the signature covers one (the signature checked)."""

    seq: int
    hash: str
    wortel: str | None = None


@dataclass(frozen=True, slots=True)
class GetuigdeKop:
    """A signed head of this node's log as the other node witnessed it (`services.audit`): the
    log must still hold these entries, with this root."""

    seq: int
    wortel: str
    tijdstip: datetime
    getuige: str


def verifieer_keten(
    regels: Iterable[AuditPost],
    checkpoints: dict[int, str],
    kop: GetekendeKop | None = None,
    geleegde_ids: Callable[[str], Iterable[int]] = lambda _: (),
    getuigd: Sequence[GetuigdeKop] = (),
) -> list[str]:
    """Every problem in the chain: a changed, deleted, inserted or reordered entry, a missing
    checkpoint, or a tail cut off. ``checkpoints`` maps a sequence number to its signed hash;
    ``kop`` is the signed head (None: there is none, or its signature does not verify);
    ``getuigd`` the heads the other node witnessed (their signatures checked): a log rolled
    back to an older head of its own still differs from those."""
    problemen: list[str] = []
    vorige_seq, vorige_hash = 0, BEGIN_HASH
    boom = Rand()
    te_zien: dict[int, list[GetuigdeKop]] = {}
    for g in sorted(getuigd, key=lambda g: g.seq):
        te_zien.setdefault(g.seq, []).append(g)
    klopt_tot, verschil = 0, False  # the largest witnessed head that matched; one reported
    geleegd: list[int] = []  # entries whose content is gone
    genoemd: set[int] = set()  # entries a retention purge entry says it emptied
    for regel in regels:
        if regel.inhoud is None:
            geleegd.append(regel.seq)
        elif regel.gebeurtenis in _PURGE:
            genoemd.update(geleegde_ids(regel.inhoud))
        if regel.seq != vorige_seq + 1:
            problemen.append(
                f"entry {regel.seq}: follows entry {vorige_seq} (entries missing or out of order)"
            )
        if regel.inhoud is not None and inhoud_hash(regel.inhoud) != regel.inhoud_sha256:
            problemen.append(f"entry {regel.seq}: its content was changed")
        if regel.vorige_hash != vorige_hash:
            problemen.append(f"entry {regel.seq}: does not link to the entry before it")
        verwacht = keten_hash(
            regel.vorige_hash,
            regel.seq,
            regel.tijdstip,
            regel.gebeurtenis,
            regel.actor,
            regel.insz_hash,
            regel.inhoud_sha256,
        )
        if verwacht != regel.hash:
            problemen.append(f"entry {regel.seq}: its hash does not match what it says")
        if regel.seq in checkpoints and checkpoints[regel.seq] != regel.hash:
            problemen.append(f"entry {regel.seq}: differs from its signed checkpoint")
        vorige_seq, vorige_hash = regel.seq, regel.hash
        boom.voeg_toe(blad(regel.hash))
        for g in te_zien.pop(boom.grootte, []):
            if verschil:
                break
            if boom.wortel().hex() == g.wortel:
                klopt_tot = g.seq
            else:
                verschil = True
                problemen.append(
                    f"entries {klopt_tot + 1}–{g.seq} differ from what {g.getuige} witnessed: "
                    f"its head of {g.seq} entries of {g.tijdstip.isoformat()} has another tree "
                    f"root (an entry was changed, removed or inserted and the chain recomputed"
                    f"{f'; its head of {klopt_tot} entries still matches' if klopt_tot else ''})"
                )
    zonder_grond = [seq for seq in geleegd if seq not in genoemd]
    if zonder_grond:
        problemen.append(
            f"entry {zonder_grond[0]}: its content was removed, but no retention entry names it "
            f"({len(zonder_grond)} such entries)"
        )
    problemen += _einde(checkpoints, kop, vorige_seq, vorige_hash)
    if (
        kop is not None
        and kop.wortel is not None
        and kop.seq == vorige_seq
        and kop.wortel != boom.wortel().hex()
    ):
        problemen.append(
            f"the chain's head: its signed tree root is not that of the log's {vorige_seq} entries"
        )
    for g in reversed([g for gelijk in te_zien.values() for g in gelijk]):  # the largest
        problemen.append(
            f"entries {vorige_seq + 1}–{g.seq} are missing: {g.getuige} witnessed a signed "
            f"head of {g.seq} entries on {g.tijdstip.isoformat()}, the log ends at entry "
            f"{vorige_seq} (rolled back)"
        )
        break
    return problemen


def _einde(
    checkpoints: dict[int, str], kop: GetekendeKop | None, vorige_seq: int, vorige_hash: str
) -> list[str]:
    """What the signed checkpoints and head say of the chain's end: a tail cut off, a
    checkpoint gone, a head that is not the last entry."""
    problemen: list[str] = []
    for seq in sorted(checkpoints):
        if seq > vorige_seq:
            problemen.append(
                f"checkpoint {seq}: the log ends at entry {vorige_seq} "
                f"(entries after it were removed)"
            )
            break
    ontbrekend = [
        seq
        for seq in range(CHECKPOINT_ELKE, vorige_seq + 1, CHECKPOINT_ELKE)
        if seq not in checkpoints
    ]
    if ontbrekend:
        problemen.append(
            f"checkpoint {ontbrekend[0]}: missing ({len(ontbrekend)} of the required "
            f"checkpoints, one every {CHECKPOINT_ELKE} entries, are gone)"
        )
    if kop is None:
        if vorige_seq > 0:
            problemen.append("the chain's head: not signed, or its signature does not verify")
    elif kop.seq > vorige_seq:
        problemen.append(
            f"the chain's head: signed at entry {kop.seq}, but the log ends at entry "
            f"{vorige_seq} (entries at its end were removed)"
        )
    elif (kop.seq, kop.hash) != (vorige_seq, vorige_hash):
        problemen.append(
            f"the chain's head: signed at entry {kop.seq}, but the log ends at entry "
            f"{vorige_seq} with another hash (entries were added or the chain recomputed)"
        )
    return problemen
