"""The audit log's Merkle tree (RFC 9162 §2.1): roots, inclusion and consistency proofs."""

from __future__ import annotations

import contextlib
import hashlib

import pytest

from kbi_exchange.domain import merkle
from kbi_exchange.domain.merkle import (
    Rand,
    blad_hash,
    consistent,
    consistentie_bewijs,
    inclusie_bewijs,
    knoop_hash,
    wortel,
    wortel_uit_inclusie,
)


def _bladen(n: int) -> list[bytes]:
    return [blad_hash(hashlib.sha256(str(i).encode()).digest()) for i in range(n)]


def test_the_hashes_are_rfc_9162s() -> None:
    """The empty tree, a leaf and a node as RFC 9162 §2.1.1 defines them (domain separated)."""
    assert wortel([]) == hashlib.sha256(b"").digest()
    assert blad_hash(b"x") == hashlib.sha256(b"\x00x").digest()
    a, b, c = _bladen(3)
    assert knoop_hash(a, b) == hashlib.sha256(b"\x01" + a + b).digest()
    # three leaves: the first two under one node, the third on its own (k = 2)
    assert wortel([a, b, c]) == knoop_hash(knoop_hash(a, b), c)


@pytest.mark.parametrize("n", [*range(70), 127, 128, 129, 1000])
def test_the_edge_gives_the_root_of_the_definition(n: int) -> None:
    bladen = _bladen(n)
    rand = Rand()
    for blad in bladen:
        rand.voeg_toe(blad)
    assert rand.grootte == n
    assert rand.wortel() == wortel(bladen)
    # and survives being stored beside the head
    assert Rand.lees(n, rand.bewaar()).wortel() == wortel(bladen)


def test_an_edge_of_the_wrong_length_is_refused() -> None:
    with pytest.raises(ValueError, match="5 leaves has 2 edge nodes"):
        Rand(5, _bladen(3))


@pytest.mark.parametrize("n", range(1, 34))
def test_every_inclusion_proof_leads_to_the_root(n: int) -> None:
    bladen = _bladen(n)
    r = wortel(bladen)
    for i in range(n):
        pad = inclusie_bewijs(i, bladen)
        assert wortel_uit_inclusie(i, n, bladen[i], pad) == r
        # another leaf, another place or a changed path do not
        assert wortel_uit_inclusie(i, n, blad_hash(b"changed"), pad) != r
        if n > 1:
            anders = (i + 1) % n
            with contextlib.suppress(ValueError):  # or refused: a path of another length
                assert wortel_uit_inclusie(anders, n, bladen[i], pad) != r
            kapot = [bytes(32), *pad[1:]]
            assert wortel_uit_inclusie(i, n, bladen[i], kapot) != r


def test_an_inclusion_proof_of_the_wrong_length_is_refused() -> None:
    bladen = _bladen(8)
    pad = inclusie_bewijs(3, bladen)
    with pytest.raises(ValueError, match="shorter"):
        wortel_uit_inclusie(3, 8, bladen[3], pad[:-1])
    with pytest.raises(ValueError, match="longer"):
        wortel_uit_inclusie(3, 8, bladen[3], [*pad, bytes(32)])
    with pytest.raises(ValueError, match="not in a tree"):
        wortel_uit_inclusie(8, 8, bladen[3], pad)
    with pytest.raises(ValueError, match="not in a tree"):
        inclusie_bewijs(8, bladen)


@pytest.mark.parametrize("n", range(1, 34))
def test_every_consistency_proof_holds(n: int) -> None:
    bladen = _bladen(n)
    nieuw = wortel(bladen)
    for m in range(1, n + 1):
        oud = wortel(bladen[:m])
        bewijs = consistentie_bewijs(m, bladen)
        assert consistent(m, n, oud, nieuw, bewijs), (m, n)
        if m < n:
            # a changed old tree (an entry rewritten after the old head) does not extend
            anders = wortel([*bladen[: m - 1], blad_hash(b"rewritten")])
            assert not consistent(m, n, anders, nieuw, bewijs)
            # nor does a new tree that rewrote the past
            herschreven = wortel([blad_hash(b"rewritten"), *bladen[1:]])
            assert not consistent(m, n, oud, herschreven, bewijs)
            assert not consistent(m, n, oud, nieuw, [])
            assert not consistent(m, n, oud, nieuw, [*bewijs, bytes(32)])
            assert not consistent(m, n, oud, nieuw, [bytes(32), *bewijs[1:]])


def test_a_smaller_new_tree_is_never_consistent() -> None:
    bladen = _bladen(10)
    assert not consistent(10, 9, wortel(bladen), wortel(bladen[:9]), [b"x" * 32])
    with pytest.raises(ValueError, match="from 11 to 10"):
        consistentie_bewijs(11, bladen)


def test_a_tree_of_equal_size_is_consistent_with_itself_only() -> None:
    bladen = _bladen(5)
    assert consistent(5, 5, wortel(bladen), wortel(bladen), [])
    assert not consistent(5, 5, wortel(bladen), wortel(bladen[:4] + _bladen(1)), [])


def test_the_empty_root_is_the_hash_of_nothing() -> None:
    assert Rand().wortel() == merkle.LEEG


# The test vectors of Certificate Transparency's reference implementation (RFC 6962, whose
# tree hashing RFC 9162 keeps): eight leaves, their roots, and three consistency proofs.
CT_BLADEN = [
    b"",
    b"\x00",
    b"\x10",
    b"\x20\x21",
    b"\x30\x31",
    b"\x40\x41\x42\x43",
    b"\x50\x51\x52\x53\x54\x55\x56\x57",
    bytes(range(0x60, 0x70)),
]
CT_WORTELS = [
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
]
CT_CONSISTENTIE = {
    (1, 8): [
        "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
        "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
        "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
    ],
    (6, 8): [
        "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
        "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    ],
    (2, 5): [
        "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
        "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
    ],
}


def test_certificate_transparencys_vectors() -> None:
    bladen = [blad_hash(d) for d in CT_BLADEN]
    rand = Rand()
    for n, verwacht in enumerate(CT_WORTELS, start=1):
        rand.voeg_toe(bladen[n - 1])
        assert wortel(bladen[:n]).hex() == verwacht
        assert rand.wortel().hex() == verwacht
    for (m, n), bewijs in CT_CONSISTENTIE.items():
        assert [b.hex() for b in consistentie_bewijs(m, bladen[:n])] == bewijs
        assert consistent(
            m,
            n,
            bytes.fromhex(CT_WORTELS[m - 1]),
            bytes.fromhex(CT_WORTELS[n - 1]),
            [bytes.fromhex(b) for b in bewijs],
        )


@pytest.mark.parametrize("n", range(1, 40))
def test_streamed_proofs_are_the_proofs(n: int) -> None:
    """The proofs made from leaves read once (O(log n) memory) are those of the definition."""
    bladen = _bladen(n)
    for i in range(n):
        assert merkle.inclusie_bewijs_stroom(i, n, iter(bladen + _bladen(3))) == inclusie_bewijs(
            i, bladen
        )
    for m in range(1, n + 1):
        assert merkle.consistentie_bewijs_stroom(m, n, iter(bladen)) == consistentie_bewijs(
            m, bladen
        )
    assert merkle.wortel_stroom(iter(bladen)) == wortel(bladen)


def test_a_streamed_proof_needs_its_leaves() -> None:
    with pytest.raises(ValueError, match="fewer leaves"):
        merkle.inclusie_bewijs_stroom(3, 8, iter(_bladen(5)))
