"""Proofs about a node's audit log that anyone can check with the node's public key alone
(issue 23): that an entry is in the log (inclusion), and that a later head of the log extends
an earlier one (consistency). A proof is a JSON document; `controleer` reads one and says what
it proves, or why it does not hold.

A head is the node's signed statement "my log's first ``seq`` entries end with entry hash
``hash`` at ``tijdstip`` and have Merkle root ``wortel``" (`domain.audit.kop_gegevens`, the
same statement the node signs at every commit); the tree is RFC 9162's (`domain.merkle`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from kbi_exchange.domain.audit import AuditPost, blad, inhoud_hash, keten_hash, kop_gegevens
from kbi_exchange.domain.fouten import KbiFout, Ongeldig
from kbi_exchange.domain.merkle import consistent, wortel_uit_inclusie

INCLUSIE = "kbi-audit-inclusion/1"
CONSISTENTIE = "kbi-audit-consistency/1"


def sleutel_id_van(publieke_pem: bytes) -> str:
    """An audit key's id, as every signed head names it: the first 16 hexadecimal digits of the
    SHA-256 of its public half (the PEM file `audit-checkpoint.pub`)."""
    return hashlib.sha256(publieke_pem).hexdigest()[:16]


class BewijsFaalt(KbiFout):
    """A proof that does not hold: the message says which check failed."""


@dataclass(frozen=True, slots=True)
class BoomKop:
    """A signed head of a node's log: its size, last entry's hash and moment, tree root."""

    node: str
    seq: int
    hash: str
    wortel: str
    tijdstip: datetime
    sleutel_id: str
    handtekening: str

    def gegevens(self) -> bytes:
        """What the signature covers."""
        return kop_gegevens(self.seq, self.hash, self.tijdstip, self.wortel, self.node)

    def als_json(self) -> dict[str, Any]:
        return {
            "node": self.node,
            "seq": self.seq,
            "hash": self.hash,
            "wortel": self.wortel,
            "tijdstip": self.tijdstip.isoformat(),
            "sleutel_id": self.sleutel_id,
            "handtekening": self.handtekening,
        }

    @classmethod
    def uit_json(cls, waarde: object, waar: str) -> BoomKop:
        """A head as sent or written in a proof; `Ongeldig` naming the field that is wrong."""
        d = _object(waarde, waar)
        seq = d.get("seq")
        if not isinstance(seq, int) or isinstance(seq, bool) or seq < 0:
            raise Ongeldig(f"{waar}.seq: a number of entries (0 or more) is needed")
        return cls(
            node=_tekst(d, "node", waar, 8),
            seq=seq,
            hash=_hex(d, "hash", waar, 64),
            wortel=_hex(d, "wortel", waar, 64),
            tijdstip=_moment(d, "tijdstip", waar),
            sleutel_id=_tekst(d, "sleutel_id", waar, 16),
            handtekening=_handtekening(d, waar),
        )


def _object(waarde: object, waar: str) -> dict[str, Any]:
    if not isinstance(waarde, dict):
        raise Ongeldig(f"{waar}: an object is needed")
    return waarde


def _tekst(d: dict[str, Any], veld: str, waar: str, max_lengte: int) -> str:
    w = d.get(veld)
    if not isinstance(w, str) or not 0 < len(w) <= max_lengte:
        raise Ongeldig(f"{waar}.{veld}: text of at most {max_lengte} characters is needed")
    return w


def _hex(d: dict[str, Any], veld: str, waar: str, lengte: int) -> str:
    w = d.get(veld)
    if not isinstance(w, str) or len(w) != lengte or not _is_hex(w):
        raise Ongeldig(f"{waar}.{veld}: {lengte} hexadecimal digits are needed")
    return w


def _handtekening(d: dict[str, Any], waar: str) -> str:
    w = d.get("handtekening")
    if not isinstance(w, str) or not 0 < len(w) <= 200 or len(w) % 2 or not _is_hex(w):
        raise Ongeldig(f"{waar}.handtekening: a signature in hexadecimal digits is needed")
    return w


def _is_hex(w: str) -> bool:
    return all(c in "0123456789abcdef" for c in w)


def _moment(d: dict[str, Any], veld: str, waar: str) -> datetime:
    w = d.get(veld)
    try:
        if not isinstance(w, str):
            raise ValueError
        moment = datetime.fromisoformat(w)
    except ValueError:
        raise Ongeldig(f"{waar}.{veld}: an ISO 8601 moment is needed") from None
    if moment.tzinfo is None:
        raise Ongeldig(f"{waar}.{veld}: the moment needs its offset from UTC")
    return moment


def _hashes(waarde: object, waar: str) -> list[bytes]:
    if not isinstance(waarde, list) or len(waarde) > 64:
        raise Ongeldig(f"{waar}: a list of at most 64 hashes is needed")
    uit = []
    for i, h in enumerate(waarde):
        if not isinstance(h, str) or len(h) != 64 or not _is_hex(h):
            raise Ongeldig(f"{waar}[{i}]: 64 hexadecimal digits are needed")
        uit.append(bytes.fromhex(h))
    return uit


def post_als_json(post: AuditPost) -> dict[str, Any]:
    """An entry as a proof shows it: everything its hash covers (and its content, unless
    retention removed it)."""
    return {
        "seq": post.seq,
        "tijdstip": post.tijdstip.isoformat(),
        "gebeurtenis": post.gebeurtenis,
        "actor": post.actor,
        "insz_hash": post.insz_hash,
        "inhoud": post.inhoud,
        "inhoud_sha256": post.inhoud_sha256,
        "vorige_hash": post.vorige_hash,
        "hash": post.hash,
    }


def inclusie_document(kop: BoomKop, post: AuditPost, pad: Sequence[bytes]) -> dict[str, Any]:
    return {
        "soort": INCLUSIE,
        "kop": kop.als_json(),
        "post": post_als_json(post),
        "pad": [p.hex() for p in pad],
    }


def consistentie_document(oud: BoomKop, nieuw: BoomKop, bewijs: Sequence[bytes]) -> dict[str, Any]:
    return {
        "soort": CONSISTENTIE,
        "oud": oud.als_json(),
        "nieuw": nieuw.als_json(),
        "bewijs": [b.hex() for b in bewijs],
    }


Klopt = Callable[[bytes, str], bool]
"""Whether the node's public key made a signature (over these bytes, in hex)."""


def controleer(document: object, klopt: Klopt) -> str:
    """What the proof proves, in a sentence; `BewijsFaalt` naming the check that failed, or
    `Ongeldig` naming a field that is not what a proof holds."""
    d = _object(document, "the proof")
    soort = d.get("soort")
    if soort == INCLUSIE:
        return _controleer_inclusie(d, klopt)
    if soort == CONSISTENTIE:
        return _controleer_consistentie(d, klopt)
    raise Ongeldig(f"the proof.soort: {INCLUSIE!r} or {CONSISTENTIE!r} is needed")


def _getekend(kop: BoomKop, waar: str, klopt: Klopt) -> None:
    if not klopt(kop.gegevens(), kop.handtekening):
        raise BewijsFaalt(f"{waar}: its signature does not verify with this public key")


def _controleer_inclusie(d: dict[str, Any], klopt: Klopt) -> str:
    kop = BoomKop.uit_json(d.get("kop"), "kop")
    p = _object(d.get("post"), "post")
    seq = p.get("seq")
    if not isinstance(seq, int) or isinstance(seq, bool) or seq < 1:
        raise Ongeldig("post.seq: an entry number (1 or more) is needed")
    velden = {v: p.get(v) for v in ("gebeurtenis", "actor")}
    for veld, w in velden.items():
        if not isinstance(w, str):
            raise Ongeldig(f"post.{veld}: text is needed")
    insz_hash = p.get("insz_hash")
    if insz_hash is not None and not isinstance(insz_hash, str):
        raise Ongeldig("post.insz_hash: text or null is needed")
    inhoud = p.get("inhoud")
    if inhoud is not None and not isinstance(inhoud, str):
        raise Ongeldig("post.inhoud: text or null is needed")
    inhoud_sha256 = _hex(p, "inhoud_sha256", "post", 64)
    vorige = _hex(p, "vorige_hash", "post", 64)
    tijdstip = _moment(p, "tijdstip", "post")
    pad = _hashes(d.get("pad"), "pad")
    _getekend(kop, "the head", klopt)
    if inhoud is not None and inhoud_hash(inhoud) != inhoud_sha256:
        raise BewijsFaalt(f"entry {seq}: its content is not the content its hash covers")
    h = keten_hash(
        vorige, seq, tijdstip, str(velden["gebeurtenis"]), str(velden["actor"]), insz_hash,
        inhoud_sha256,
    )  # fmt: skip
    if seq > kop.seq:
        raise BewijsFaalt(f"entry {seq}: the head covers {kop.seq} entries only")
    try:
        wortel = wortel_uit_inclusie(seq - 1, kop.seq, blad(h), pad)
    except ValueError as fout:
        raise BewijsFaalt(f"entry {seq}: {fout}") from None
    if wortel.hex() != kop.wortel:
        raise BewijsFaalt(
            f"entry {seq}: the entry and its path do not lead to the signed root (the entry "
            "was changed, or the path is not this entry's)"
        )
    return (
        f"entry {seq} ({velden['gebeurtenis']}, {tijdstip.isoformat()}) is in {kop.node}'s "
        f"audit log of {kop.seq} entries, root {kop.wortel[:16]}…"
    )


def _controleer_consistentie(d: dict[str, Any], klopt: Klopt) -> str:
    oud = BoomKop.uit_json(d.get("oud"), "oud")
    nieuw = BoomKop.uit_json(d.get("nieuw"), "nieuw")
    bewijs = _hashes(d.get("bewijs"), "bewijs")
    if oud.node != nieuw.node:
        raise BewijsFaalt(f"the heads are of two logs ({oud.node}, {nieuw.node})")
    _getekend(oud, "the old head", klopt)
    _getekend(nieuw, "the new head", klopt)
    if oud.seq < 1 or not consistent(
        oud.seq, nieuw.seq, bytes.fromhex(oud.wortel), bytes.fromhex(nieuw.wortel), bewijs
    ):
        raise BewijsFaalt(
            f"the head of {nieuw.seq} entries does not extend the head of {oud.seq} entries "
            "(the log was rewritten or rolled back in between, or the proof is not theirs)"
        )
    return (
        f"{nieuw.node}'s audit log of {nieuw.seq} entries (root {nieuw.wortel[:16]}…) extends "
        f"its log of {oud.seq} entries (root {oud.wortel[:16]}…): nothing in those was "
        "changed, removed or reordered"
    )
