"""An audit log a court can rely on (issue 23), between two real nodes (`kbi serve`) on SQLite
and PostgreSQL: each node's signed head witnessed by the other; a log rolled back to an old
signed head of its own (entries after it deleted, the head put back) found by `kbi audit
verify`, naming the missing range, and refused by the witness; inclusion and consistency
proofs checked with the public key alone, failing for a changed entry or root."""

from __future__ import annotations

import json
import subprocess
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from alembic import command
from fastapi.testclient import TestClient
from sqlalchemy import text

from kbi_exchange.adapters.crypto import cms
from kbi_exchange.adapters.db.migrate import alembic_config
from kbi_exchange.adapters.getuige import KOPPEN
from kbi_exchange.bootstrap import engine, keys, messenger, uow
from kbi_exchange.domain.access import Actor, Node
from kbi_exchange.domain.audit import AuditGebeurtenis
from kbi_exchange.domain.incident import PartijWeigert
from kbi_exchange.domain.merkle import Rand
from kbi_exchange.entrypoints.api.incidenten import ONDERTEKENINGEN
from kbi_exchange.entrypoints.api.vsb_app import maak_app as maak_vsb_app
from kbi_exchange.services.audit import kop_voor_getuige
from kbi_exchange.settings import load_settings, zet_instellingen
from tests.aii_node import start_beide
from tests.conftest import kbi

Cap = pytest.CaptureFixture[str]
INSZ = "85073003328"


@pytest.fixture
def nodes(twee_nodes: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    aii, vsb = start_beide(monkeypatch)
    yield twee_nodes
    aii.stop()
    vsb.stop()


def _posten(capsys: Cap, aantal: int) -> None:
    """``aantal`` entries in AII's log: searches by its OS account, each audited."""
    for _ in range(aantal):
        assert kbi(capsys, "audit", "search", "--insz", INSZ, "--node", "aii").code == 0


def _kop(url: str) -> dict[str, Any]:
    with engine(url).connect() as verbinding:
        return dict(
            verbinding.execute(text("SELECT * FROM audit_kop WHERE id = 1")).mappings().one()
        )


def _rol_terug(url: str, kop: dict[str, Any]) -> None:
    """What a database administrator can do: delete the entries after an old signed head and
    put that head back (its signature is the node's own, so it still verifies)."""
    with engine(url).begin() as verbinding:
        verbinding.execute(text("DELETE FROM audit WHERE seq > :seq"), {"seq": kop["seq"]})
        verbinding.execute(text("DELETE FROM audit_checkpoint WHERE seq > :seq"), kop)
        verbinding.execute(
            text(
                "UPDATE audit_kop SET seq = :seq, hash = :hash, tijdstip = :tijdstip, "
                "sleutel_id = :sleutel_id, handtekening = :handtekening, wortel = :wortel, "
                "boom_rand = :boom_rand WHERE id = 1"
            ),
            kop,
        )


def _getuigenis_is_getekend(home: Path) -> None:
    """VSB's answer of the heads it witnessed: plain JSON to anyone, CMS signed by VSB (which
    `openssl` verifies against the CA) to a node that asks for it, naming both nodes."""
    url = load_settings().aii_vsb_url + "/api/v1/audit/koppen"
    publiek = httpx.get(url, params={"na": 0}).json()
    assert [k["seq"] for k in publiek["koppen"]] == [3, 7]
    assert (publiek["getuige"], publiek["van"], publiek["na"]) == ("vsb", "aii", 0)
    cms_gevraagd = {"Accept": "application/pkcs7-mime"}
    zonder = httpx.get(url, params={"na": 3}, headers=cms_gevraagd)
    assert zonder.status_code == 400
    assert "nonce" in zonder.json()["detail"]
    nonce = "5a" * 16
    getekend = httpx.get(url, params={"na": 3, "nonce": nonce}, headers=cms_gevraagd)
    assert getekend.headers["content-type"] == "application/pkcs7-mime"
    (home / "koppen.der").write_bytes(getekend.content)
    pki = home / "pki"
    verify = subprocess.run(
        ["openssl", "cms", "-verify", "-binary", "-inform", "DER", "-in", home / "koppen.der",
         "-CAfile", pki / "ca.crt", "-certfile", pki / "vsb.crt", "-out", home / "koppen.json"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert verify.returncode == 0, verify.stderr
    gezegd = json.loads((home / "koppen.json").read_text(encoding="utf-8"))
    assert [k["seq"] for k in gezegd["koppen"]] == [7]
    assert (gezegd["getuige"], gezegd["van"], gezegd["na"]) == ("vsb", "aii", 3)
    assert (gezegd["vraag"], gezegd["nonce"]) == ("koppen", nonce)
    # the same page asked again a moment later (from the cache of reads) is signed anew
    weer = httpx.get(url, params={"na": 3, "nonce": "6b" * 16}, headers=cms_gevraagd)
    assert weer.content != getekend.content
    assert b"6b6b" in weer.content


def test_a_log_rolled_back_to_an_old_signed_head_is_found_by_the_witness(
    nodes: Path, database_url: str, vsb_database_url: str, capsys: Cap
) -> None:
    _posten(capsys, 3)
    eerste = kbi(capsys, "audit", "witness", "--node", "aii")
    assert eerste.code == 0, eerste
    assert "head of 3 entries" in eerste.out
    _posten(capsys, 2)
    oud = _kop(database_url)  # the administrator keeps this signed head (5), never witnessed
    _posten(capsys, 2)
    tweede = kbi(capsys, "audit", "witness", "--node", "aii")
    assert tweede.code == 0, tweede
    assert "head of 7 entries" in tweede.out
    assert "extending its head of 3" in tweede.out
    # a repeat is witnessed once
    assert kbi(capsys, "audit", "witness", "--node", "aii").code == 0
    gezien = kbi(capsys, "audit", "witnessed", "--of", "aii")
    assert "vsb witnessed 2 heads of aii's audit log, the largest of 7 entries" in gezien.out
    heel = kbi(capsys, "audit", "verify", "--node", "aii")
    assert heel.code == 0, heel
    assert "7 entries verified, 2 witnessed heads held" in heel.out
    _getuigenis_is_getekend(nodes)

    _rol_terug(database_url, oud)

    # alone, the log looks intact: its chain, checkpoints and signed head all hold
    alleen = kbi(capsys, "audit", "verify", "--node", "aii", "--alone")
    assert alleen.code == 0, alleen
    assert "5 entries verified" in alleen.out
    # with the heads VSB witnessed, it is not, and the missing range is named
    uit = kbi(capsys, "audit", "verify", "--node", "aii")
    assert uit.code == 1
    assert "NOT intact" in uit.err
    assert "entries 6–7 are missing: VSB witnessed a signed head of 7 entries" in uit.err
    assert "rolled back" in uit.err
    # the same from a file of VSB's witnessed heads (when AII cannot ask VSB)
    bestand = nodes / "witnessed.json"
    als_json = kbi(capsys, "audit", "witnessed", "--of", "aii", "--json")
    bestand.write_text(als_json.out, encoding="utf-8")
    uit_bestand = kbi(capsys, "audit", "verify", "--node", "aii", "--witnessed", str(bestand))
    assert uit_bestand.code == 1
    assert "entries 6–7 are missing" in uit_bestand.err
    # sending the rolled-back head is refused before it leaves ...
    weer = kbi(capsys, "audit", "witness", "--node", "aii")
    assert weer.code == 1
    assert "entries 6–7 are gone" in weer.err
    # ... and by VSB, which audits the refusal, should it be sent anyway
    settings = load_settings()
    bericht = kop_voor_getuige(
        door=Actor.os_account(Node.AII, "mallory"),
        uow=uow(settings, Node.AII),
        getuigd=None,
        nu=datetime.now(UTC),
    )
    bericht["publieke_sleutel"] = keys(settings, Node.AII).publieke_sleutel().decode()
    with pytest.raises(PartijWeigert, match=r"HTTP 409.*fewer than the head of 7 entries"):
        messenger(settings, Node.AII, KOPPEN).stuur(bericht)
    with engine(vsb_database_url).connect() as verbinding:
        geweigerd = verbinding.execute(
            text("SELECT inhoud FROM audit WHERE gebeurtenis = :g"),
            {"g": AuditGebeurtenis.VSB_AUDIT_KOP_GEWEIGERD.value},
        ).scalar_one()
    assert json.loads(geweigerd)["getuigd"] == 7


def test_proofs_hold_with_the_public_key_alone_and_fail_for_a_changed_entry(
    nodes: Path, capsys: Cap, tmp_path: Path
) -> None:
    _posten(capsys, 9)
    sleutel = nodes / "keys" / "aii" / "audit-checkpoint.pub"
    opname = tmp_path / "entry.json"
    uit = kbi(capsys, "audit", "prove", "5", "--node", "aii", "--size", "9", "--out", str(opname))
    assert uit.code == 0, uit
    # checked without the home: only the file and the public key
    nagekeken = kbi(capsys, "audit", "check-proof", str(opname), "--key", str(sleutel))
    assert nagekeken.code == 0, nagekeken
    assert "entry 5 (kbi:audit:search" in nagekeken.out
    assert "log of 9 entries" in nagekeken.out
    bewijs = json.loads(opname.read_text(encoding="utf-8"))
    for veld, waarde in (("actor", "os:iemand"), ("tijdstip", "2020-01-01T00:00:00+00:00")):
        vervalst = tmp_path / f"vervalst-{veld}.json"
        vervalst.write_text(
            json.dumps({**bewijs, "post": {**bewijs["post"], veld: waarde}}), encoding="utf-8"
        )
        fout = kbi(capsys, "audit", "check-proof", str(vervalst), "--key", str(sleutel))
        assert fout.code == 1
        assert "do not lead to the signed root" in fout.err
    # a root changed to match: its signature no longer holds
    andere_wortel = {**bewijs, "kop": {**bewijs["kop"], "wortel": "0" * 64}}
    (tmp_path / "wortel.json").write_text(json.dumps(andere_wortel), encoding="utf-8")
    fout = kbi(capsys, "audit", "check-proof", str(tmp_path / "wortel.json"), "--key", str(sleutel))
    assert fout.code == 1
    assert "signature does not verify" in fout.err
    # another node's key does not check it
    vsb_sleutel = nodes / "keys" / "vsb" / "audit-checkpoint.pub"
    fout = kbi(capsys, "audit", "check-proof", str(opname), "--key", str(vsb_sleutel))
    assert fout.code == 1
    assert "signature does not verify" in fout.err

    consistentie = tmp_path / "consistency.json"
    uit = kbi(capsys, "audit", "consistency", "4", "--node", "aii", "--out", str(consistentie))
    assert uit.code == 0, uit
    nagekeken = kbi(capsys, "audit", "check-proof", str(consistentie), "--key", str(sleutel))
    assert nagekeken.code == 0, nagekeken
    # the log grew by the inclusion proof's own audit entry: 9 searches, 1 proof
    assert "log of 10 entries" in nagekeken.out
    assert "extends its log of 4 entries" in nagekeken.out
    c = json.loads(consistentie.read_text(encoding="utf-8"))
    herschreven = {**c, "bewijs": ["0" * 64, *c["bewijs"][1:]]}
    (tmp_path / "herschreven.json").write_text(json.dumps(herschreven), encoding="utf-8")
    fout = kbi(
        capsys, "audit", "check-proof", str(tmp_path / "herschreven.json"), "--key", str(sleutel)
    )
    assert fout.code == 1
    assert "does not extend" in fout.err
    # nonsense is named, not a traceback
    (tmp_path / "rommel.json").write_text('{"soort": "kbi-audit-inclusion/1"}', encoding="utf-8")
    fout = kbi(capsys, "audit", "check-proof", str(tmp_path / "rommel.json"), "--key", str(sleutel))
    assert fout.code == 1
    assert "kop: an object is needed" in fout.err
    assert kbi(capsys, "audit", "prove", "99", "--node", "aii").code == 1


@pytest.mark.usefixtures("home")
def test_a_missing_head_is_named_as_such(database_url: str, capsys: Cap) -> None:
    _posten(capsys, 2)
    with engine(database_url).begin() as verbinding:
        verbinding.execute(text("DELETE FROM audit_kop"))
    uit = kbi(capsys, "audit", "verify", "--node", "aii", "--alone")
    assert uit.code == 1
    assert "the chain's head: missing (its row was removed from the database)" in uit.err
    schrijven = kbi(capsys, "audit", "search", "--insz", INSZ, "--node", "aii")
    assert schrijven.code == 1
    assert "head row is missing" in schrijven.err


def test_a_head_signed_before_the_upgrade_still_verifies(
    nodes: Path, database_url: str, capsys: Cap
) -> None:
    """After the migration to a tree, the head keeps its old signature (over size and hash)
    until the next entry: the log verifies, and the next commit signs the root too."""
    _posten(capsys, 2)
    settings = load_settings()
    k = _kop(database_url)
    _, v1 = keys(settings, Node.AII).sign(
        f"KBI-AUDIT-KOP 1\n{k['seq']}\n{k['hash']}\n{_moment(k['tijdstip']).isoformat()}\n".encode()
    )
    with engine(database_url).begin() as verbinding:
        verbinding.execute(text("UPDATE audit_kop SET handtekening = :h"), {"h": v1})
    assert kbi(capsys, "audit", "verify", "--node", "aii", "--alone").code == 0
    _posten(capsys, 1)
    assert kbi(capsys, "audit", "verify", "--node", "aii", "--alone").code == 0
    assert _kop(database_url)["handtekening"] != v1


def _moment(waarde: Any) -> datetime:
    """A stored moment as the store reads it (SQLite gives text, PostgreSQL a datetime)."""
    if isinstance(waarde, datetime):
        return waarde if waarde.tzinfo else waarde.replace(tzinfo=UTC)
    return datetime.fromisoformat(str(waarde)).replace(tzinfo=UTC)


@pytest.mark.usefixtures("home")
def test_the_upgrade_to_a_tree_computes_the_root_of_the_entries_already_there(
    database_url: str, capsys: Cap
) -> None:
    """A log written before migration 0015 (here: downgraded to 0014 after 7 entries, which
    drops the tree) gets its root and edge from its entries at the upgrade; it verifies with
    its old head, and the next entry signs a head over the root."""
    _posten(capsys, 7)
    wortel = _kop(database_url)["wortel"]
    db = engine(database_url)
    config = alembic_config("aii")
    with db.begin() as verbinding:
        config.attributes["connection"] = verbinding
        command.downgrade(config, "0014")
    assert "wortel" not in _kop(database_url)
    with db.begin() as verbinding:
        config.attributes["connection"] = verbinding
        command.upgrade(config, "head")
    na = _kop(database_url)
    assert na["wortel"] == wortel
    assert Rand.lees(7, na["boom_rand"]).wortel().hex() == wortel
    assert kbi(capsys, "audit", "verify", "--node", "aii", "--alone").code == 0
    _posten(capsys, 1)
    assert kbi(capsys, "audit", "verify", "--node", "aii", "--alone").code == 0


@pytest.mark.usefixtures("home")
def test_verify_fails_closed_when_the_witness_cannot_be_asked(
    capsys: Cap, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KBI_AII_VSB_URL", "http://127.0.0.1:9")  # nothing listens
    _posten(capsys, 2)
    uit = kbi(capsys, "audit", "verify", "--node", "aii")
    assert uit.code == 1
    assert "could not be read" in uit.err
    assert "NOT checked against them" in uit.err
    assert kbi(capsys, "audit", "verify", "--node", "aii", "--alone").code == 0


def test_the_witness_keeps_only_heads_signed_with_the_pinned_key(
    twee_nodes: Path, capsys: Cap, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`[vsb] aii_audit_key` through the real endpoint: another key's heads are refused (and
    the refusal audited at VSB), the pinned key's are witnessed."""
    eigen = keys(load_settings(), Node.AII).checkpoint_key_id()
    for gepind, witnessed in (("0123456789abcdef", False), (eigen, True)):
        zet_instellingen(twee_nodes, "vsb", {"aii_audit_key": gepind})
        aii, vsb = start_beide(monkeypatch)
        try:
            _posten(capsys, 2)
            uit = kbi(capsys, "audit", "witness", "--node", "aii")
            gezien = kbi(capsys, "audit", "witnessed", "--of", "aii").out
        finally:
            aii.stop()
            vsb.stop()
        if witnessed:
            assert uit.code == 0, uit
            assert f"signed with audit key {eigen}" in gezien
        else:
            assert uit.code == 1, uit
            assert f"signed with audit key {eigen}, not with {gepind}, the key pinned" in uit.err
            assert "vsb witnessed 0 heads" in gezien
    with engine(load_settings().database_url("vsb")).connect() as verbinding:
        redenen = verbinding.execute(
            text("SELECT inhoud FROM audit WHERE gebeurtenis = :g"),
            {"g": AuditGebeurtenis.VSB_AUDIT_KOP_GEWEIGERD.value},
        ).scalars()
        assert ["key pinned" in json.loads(r)["reden"] for r in redenen] == [True]


@pytest.mark.usefixtures("nodes")
def test_a_witnessed_log_emptied_to_the_state_of_a_new_node_is_a_rollback_of_all_of_it(
    database_url: str, capsys: Cap
) -> None:
    _posten(capsys, 3)
    assert kbi(capsys, "audit", "witness", "--node", "aii").code == 0
    with engine(database_url).begin() as verbinding:  # what `kbi init` leaves, put back
        verbinding.execute(text("DELETE FROM audit"))
        verbinding.execute(text("DELETE FROM audit_checkpoint"))
        verbinding.execute(
            text(
                "UPDATE audit_kop SET seq = 0, hash = :hash, tijdstip = NULL, sleutel_id = NULL,"
                " handtekening = NULL, wortel = :wortel, boom_rand = NULL WHERE id = 1"
            ),
            {"hash": "0" * 64, "wortel": Rand().wortel().hex()},
        )
    weer = kbi(capsys, "audit", "witness", "--node", "aii")
    assert weer.code == 1
    assert "this log has 0: entries 1–3 are gone" in weer.err
    uit = kbi(capsys, "audit", "verify", "--node", "aii")
    assert uit.code == 1
    assert "entries 1–3 are missing" in uit.err


@pytest.mark.usefixtures("nodes")
def test_a_new_nodes_empty_log_is_said_to_be_empty(capsys: Cap) -> None:
    fout = kbi(capsys, "audit", "prove", "1", "--node", "aii")
    assert fout.code == 1
    assert "the AII audit log has no entries yet" in fout.err
    # from cron on a new node whose log VSB never witnessed: said, not an error, nothing sent
    uit = kbi(capsys, "audit", "witness", "--node", "aii")
    assert uit.code == 0, uit.err
    assert "aii: the audit log has no entries yet: nothing to witness" in uit.out
    _posten(capsys, 1)
    assert kbi(capsys, "audit", "prove", "1", "--node", "aii").code == 0


@pytest.mark.usefixtures("home")
def test_signed_reads_past_the_bound_are_told_to_wait_and_the_rest_are_answered(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A flood of signed reads (each a signature over its own nonce) holds at most
    `ONDERTEKENINGEN` signatures at once; past that, 503 with Retry-After, which the reader
    honours (tests/unit/test_getuige.py)."""
    los = threading.Event()
    binnen = threading.Semaphore(0)  # released once by each signature that has begun
    echt = cms.sign

    def traag(*args: Any) -> bytes:
        binnen.release()
        los.wait(10)
        return echt(*args)

    monkeypatch.setattr(cms, "sign", traag)
    with TestClient(maak_vsb_app(load_settings())) as http:

        def lees(i: int) -> httpx.Response:
            antwoord: httpx.Response = http.get(
                "/api/v1/audit/koppen",
                params={"na": 0, "nonce": f"{i:032x}"},
                headers={"Accept": "application/pkcs7-mime"},
            )
            return antwoord

        with ThreadPoolExecutor(ONDERTEKENINGEN) as pool:
            bezig = [pool.submit(lees, i) for i in range(ONDERTEKENINGEN)]
            for _ in bezig:  # every one of them is signing now
                assert binnen.acquire(timeout=10)
            te_veel = [lees(100 + i) for i in range(3)]
            los.set()
            antwoorden = [t.result() for t in bezig]
    assert [a.status_code for a in te_veel] == [503] * 3
    assert all(a.headers["retry-after"] == "1" for a in te_veel)
    assert [a.status_code for a in antwoorden] == [200] * ONDERTEKENINGEN
    assert all(a.headers["content-type"] == "application/pkcs7-mime" for a in antwoorden)
    # and once they are done, the next is signed again
    with TestClient(maak_vsb_app(load_settings())) as http:
        assert lees(7).status_code == 200
