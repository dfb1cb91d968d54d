"""The audit log as a Merkle tree (RFC 9162 §2.1): its root, and proofs that an entry is in
the log (inclusion) and that a later head extends an earlier one (consistency).

A leaf is an entry's chain hash (32 bytes, `domain.audit.keten_hash`), which covers
everything the entry says; the hashes are RFC 9162's: ``SHA-256(0x00 || leaf)`` for a leaf,
``SHA-256(0x01 || left || right)`` for a node, ``SHA-256()`` for the empty tree. Proofs and
their checks follow §2.1.3 and §2.1.4 of the RFC step by step; checking needs no database and
no key, only the leaf, the proof and the root (whose signature is checked elsewhere).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence

LEEG = hashlib.sha256(b"").digest()


def blad_hash(blad: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + blad).digest()


def knoop_hash(links: bytes, rechts: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + links + rechts).digest()


def _splits(n: int) -> int:
    """The largest power of two smaller than ``n`` (n > 1)."""
    return 1 << ((n - 1).bit_length() - 1)


def wortel(bladen: Sequence[bytes]) -> bytes:
    """MTH(D[n]) over the leaves' hashes (`blad_hash` of each leaf), by the RFC's definition."""
    if not bladen:
        return LEEG
    if len(bladen) == 1:
        return bladen[0]
    k = _splits(len(bladen))
    return knoop_hash(wortel(bladen[:k]), wortel(bladen[k:]))


class Rand:
    """The tree's right edge: the roots of its perfect subtrees, largest first (at most one
    per bit of the size). Appending a leaf is O(log n) and the root follows from the edge
    alone, so the head row can carry the tree along without reading the log."""

    def __init__(self, grootte: int = 0, knopen: Sequence[bytes] = ()) -> None:
        if len(knopen) != grootte.bit_count():
            raise ValueError(f"a tree of {grootte} leaves has {grootte.bit_count()} edge nodes")
        self.grootte = grootte
        self.knopen = list(knopen)

    def voeg_toe(self, blad: bytes) -> None:
        """Append a leaf (its hash, `blad_hash`)."""
        h = blad
        n = self.grootte
        while n & 1:  # every completed subtree of equal size merges with the new one
            h = knoop_hash(self.knopen.pop(), h)
            n >>= 1
        self.knopen.append(h)
        self.grootte += 1

    def wortel(self) -> bytes:
        if not self.knopen:
            return LEEG
        h = self.knopen[-1]
        for links in reversed(self.knopen[:-1]):
            h = knoop_hash(links, h)
        return h

    def bewaar(self) -> str:
        """As stored beside the head: the edge's hashes in hex, comma-separated."""
        return ",".join(k.hex() for k in self.knopen)

    @classmethod
    def lees(cls, grootte: int, bewaard: str | None) -> Rand:
        return cls(grootte, [bytes.fromhex(k) for k in (bewaard or "").split(",") if k])


def inclusie_bewijs(index: int, bladen: Sequence[bytes]) -> list[bytes]:
    """PATH(m, D[n]) (RFC 9162 §2.1.3.1): the audit path of leaf ``index`` (from 0)."""
    if not 0 <= index < len(bladen):
        raise ValueError(f"leaf {index} is not in a tree of {len(bladen)} leaves")
    if len(bladen) == 1:
        return []
    k = _splits(len(bladen))
    if index < k:
        return [*inclusie_bewijs(index, bladen[:k]), wortel(bladen[k:])]
    return [*inclusie_bewijs(index - k, bladen[k:]), wortel(bladen[:k])]


def _schuif(fn: int, sn: int) -> tuple[int, int]:
    """RFC 9162 §2.1.3.2 step 4b2 (and §2.1.4.2 6b2): shift both right until LSB(fn) is set
    or fn is 0 (at least once: fn is even and not 0 here)."""
    while True:
        fn >>= 1
        sn >>= 1
        if fn & 1 or fn == 0:
            return fn, sn


def wortel_uit_inclusie(index: int, grootte: int, blad: bytes, pad: Sequence[bytes]) -> bytes:
    """The root an inclusion proof leads to (RFC 9162 §2.1.3.2); ValueError when the proof
    cannot belong to this leaf and size. ``blad`` is the leaf's hash."""
    if not 0 <= index < grootte:
        raise ValueError(f"leaf {index} is not in a tree of {grootte} leaves")
    fn, sn = index, grootte - 1
    r = blad
    for p in pad:
        if sn == 0:
            raise ValueError("the proof is longer than the tree is deep")
        if fn & 1 or fn == sn:
            r = knoop_hash(p, r)
            if not fn & 1:
                fn, sn = _schuif(fn, sn)
        else:
            r = knoop_hash(r, p)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise ValueError("the proof is shorter than the tree is deep")
    return r


def consistentie_bewijs(oud: int, bladen: Sequence[bytes]) -> list[bytes]:
    """PROOF(m, D[n]) (RFC 9162 §2.1.4.1): that the tree of ``oud`` leaves is a prefix."""
    if not 0 < oud <= len(bladen):
        raise ValueError(f"no consistency proof from {oud} to {len(bladen)} leaves")
    return _subbewijs(oud, bladen, True)


def _subbewijs(m: int, bladen: Sequence[bytes], b: bool) -> list[bytes]:
    n = len(bladen)
    if m == n:
        return [] if b else [wortel(bladen)]
    k = _splits(n)
    if m <= k:
        return [*_subbewijs(m, bladen[:k], b), wortel(bladen[k:])]
    return [*_subbewijs(m - k, bladen[k:], False), wortel(bladen[:k])]


def consistent(
    oud: int, nieuw: int, oude_wortel: bytes, nieuwe_wortel: bytes, bewijs: Sequence[bytes]
) -> bool:
    """Whether ``bewijs`` shows the tree of ``oud`` leaves with ``oude_wortel`` to be a prefix
    of the tree of ``nieuw`` leaves with ``nieuwe_wortel`` (RFC 9162 §2.1.4.2)."""
    if not 0 < oud <= nieuw:
        return False
    if oud == nieuw:
        return not bewijs and oude_wortel == nieuwe_wortel
    if not bewijs:
        return False
    pad = list(bewijs)
    if oud & (oud - 1) == 0:  # a power of two: the old root is the first node of the path
        pad.insert(0, oude_wortel)
    fn, sn = oud - 1, nieuw - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = pad[0]
    for c in pad[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr = knoop_hash(c, fr)
            sr = knoop_hash(c, sr)
            if not fn & 1:
                fn, sn = _schuif(fn, sn)
        else:
            sr = knoop_hash(sr, c)
        fn >>= 1
        sn >>= 1
    return sn == 0 and fr == oude_wortel and sr == nieuwe_wortel


# --- the same proofs from leaves streamed once, in O(log n) memory -------------------------


def _inclusie_bereiken(index: int, lo: int, hi: int) -> list[tuple[int, int]]:
    if hi - lo == 1:
        return []
    k = _splits(hi - lo)
    if index < lo + k:
        return [*_inclusie_bereiken(index, lo, lo + k), (lo + k, hi)]
    return [*_inclusie_bereiken(index, lo + k, hi), (lo, lo + k)]


def _consistentie_bereiken(m: int, lo: int, hi: int, b: bool) -> list[tuple[int, int]]:
    n = hi - lo
    if m == n:
        return [] if b else [(lo, hi)]
    k = _splits(n)
    if m <= k:
        return [*_consistentie_bereiken(m, lo, lo + k, b), (lo + k, hi)]
    return [*_consistentie_bereiken(m - k, lo + k, hi, False), (lo, lo + k)]


def _wortels(bereiken: Sequence[tuple[int, int]], bladen: Iterable[bytes]) -> list[bytes]:
    """The roots of these disjoint leaf ranges, in their order, from the leaves read once."""
    volgorde = sorted(range(len(bereiken)), key=lambda j: bereiken[j][0])
    uit: list[bytes] = [b""] * len(bereiken)
    plek = 0
    boom: Rand | None = None
    for i, blad in enumerate(bladen):
        while plek < len(volgorde) and i >= bereiken[volgorde[plek]][1]:
            plek += 1
        if plek == len(volgorde):
            break
        a, b = bereiken[volgorde[plek]]
        if i < a:
            continue
        if boom is None:
            boom = Rand()
        boom.voeg_toe(blad)
        if i == b - 1:
            uit[volgorde[plek]] = boom.wortel()
            boom = None
    if any(not w for w in uit):
        raise ValueError("fewer leaves than the proof needs")
    return uit


def inclusie_bewijs_stroom(index: int, grootte: int, bladen: Iterable[bytes]) -> list[bytes]:
    """`inclusie_bewijs` from the first ``grootte`` leaves streamed in order (never held)."""
    if not 0 <= index < grootte:
        raise ValueError(f"leaf {index} is not in a tree of {grootte} leaves")
    return _wortels(_inclusie_bereiken(index, 0, grootte), bladen)


def consistentie_bewijs_stroom(oud: int, grootte: int, bladen: Iterable[bytes]) -> list[bytes]:
    """`consistentie_bewijs` from the first ``grootte`` leaves streamed in order."""
    if not 0 < oud <= grootte:
        raise ValueError(f"no consistency proof from {oud} to {grootte} leaves")
    return _wortels(_consistentie_bereiken(oud, 0, grootte, True), bladen)


def wortel_stroom(bladen: Iterable[bytes]) -> bytes:
    """MTH of the leaves streamed in order."""
    boom = Rand()
    for blad in bladen:
        boom.voeg_toe(blad)
    return boom.wortel()
