"""Witnessing the other node's audit head (issue 23) on fakes: a head is kept when a
consistency proof shows it extends the largest one witnessed; a smaller or rewritten head is
refused and the refusal audited; junk is refused naming the field, nothing kept."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from kbi_exchange.domain import merkle
from kbi_exchange.domain.access import Actor, Node
from kbi_exchange.domain.audit import BEGIN_HASH, AuditGebeurtenis, AuditKop
from kbi_exchange.domain.audit_bewijs import BewijsFaalt, Klopt, controleer, sleutel_id_van
from kbi_exchange.domain.fouten import Ongeldig
from kbi_exchange.services.audit import (
    KopGeweigerd,
    LegeLog,
    NietOndertekend,
    Teruggerold,
    bewijs_consistentie,
    bewijs_opname,
    kop_voor_getuige,
    laatste_getuigde_kop,
    ontvang_kop,
    verifieer_audit,
)
from tests.fakes import FakeAudit, FakeSleutels

NU = datetime(2026, 12, 3, 12, tzinfo=UTC)
AII = Actor.os_account(Node.AII, "cron")
VSB_PARTIJ = Actor.partij(Node.AII, Node.VSB)  # AII's node, as VSB's node knows it


class _Werk:
    """An `AuditWerk` over one fake log."""

    def __init__(self, audit: FakeAudit, node: Node) -> None:
        self.audit = audit
        self.node = node

    def __enter__(self) -> _Werk:
        return self

    def __exit__(self, *exc: object) -> None:
        self.audit.wachtend = []

    def commit(self) -> None:
        self.audit.spoel()


def _schrijf(audit: FakeAudit, aantal: int) -> None:
    for i in range(aantal):
        audit.record(
            gebeurtenis=AuditGebeurtenis.AUDIT_GEZOCHT,
            actor="dora",
            tijdstip=NU + timedelta(seconds=len(audit.posten_) + i),
            inhoud={"gevonden": i},
        )
    audit.spoel()


def _klopt_met(_: bytes) -> Klopt:
    return FakeSleutels().verify_signature


def _stuur(aii: FakeAudit, vsb: FakeAudit) -> tuple[Any, bool]:
    bericht = kop_voor_getuige(
        door=AII, uow=_Werk(aii, Node.AII), getuigd=laatste_getuigde_kop(
            uow=_Werk(vsb, Node.VSB), van=Node.AII
        ), nu=NU,
    )  # fmt: skip
    return _ontvang(vsb, {**bericht, "publieke_sleutel": "PEM"})


def _ontvang(
    vsb: FakeAudit,
    bericht: object,
    klopt_met: Callable[[bytes], Klopt] = _klopt_met,
    sleutel: str | None = None,
) -> tuple[Any, bool]:
    return ontvang_kop(
        uow=_Werk(vsb, Node.VSB),
        door=VSB_PARTIJ,
        van=Node.AII,
        inhoud=bericht,
        klopt_met=klopt_met,
        nu=NU,
        sleutel=sleutel,
    )


def test_heads_that_extend_each_other_are_witnessed_once_each() -> None:
    aii, vsb = FakeAudit(), FakeAudit()
    _schrijf(aii, 3)
    assert _stuur(aii, vsb)[1] is True
    _schrijf(aii, 5)
    getuigd, nieuw = _stuur(aii, vsb)
    assert nieuw is True
    assert getuigd.id.startswith("8-")
    assert _stuur(aii, vsb)[1] is False  # the same head again: a repeat
    assert [g["seq"] for g in vsb.getuigde] == [3, 8]


def test_a_rolled_back_log_is_refused_by_itself_and_by_the_witness_which_audits_it() -> None:
    aii, vsb = FakeAudit(), FakeAudit()
    _schrijf(aii, 6)
    _stuur(aii, vsb)
    aii.posten_ = aii.posten_[:4]  # rolled back to entry 4
    with pytest.raises(Teruggerold, match="entries 5–6 are gone"):
        _stuur(aii, vsb)
    bericht = kop_voor_getuige(door=AII, uow=_Werk(aii, Node.AII), getuigd=None, nu=NU)
    with pytest.raises(KopGeweigerd, match="fewer than the head of 6 entries"):
        _ontvang(vsb, {**bericht, "publieke_sleutel": "PEM"})
    (weigering,) = [p for p in vsb.posten_ if p.gebeurtenis == "vsb:audit:witness-refused"]
    assert '"getuigd":6' in (weigering.inhoud or "")
    assert [g["seq"] for g in vsb.getuigde] == [6]


def test_a_rewritten_log_of_the_same_or_a_larger_size_is_refused() -> None:
    aii, vsb = FakeAudit(), FakeAudit()
    _schrijf(aii, 4)
    _stuur(aii, vsb)
    anders = FakeAudit()
    _schrijf(anders, 1)
    anders.record(
        gebeurtenis=AuditGebeurtenis.AUDIT_GEZOCHT, actor="x", tijdstip=NU, inhoud={"gevonden": 9}
    )
    anders.spoel()
    _schrijf(anders, 2)  # 4 entries, the second another
    zelfde = kop_voor_getuige(door=AII, uow=_Werk(anders, Node.AII), getuigd=None, nu=NU)
    with pytest.raises(KopGeweigerd, match="root differs"):
        _ontvang(vsb, {**zelfde, "publieke_sleutel": "PEM"})
    _schrijf(anders, 3)
    groter = kop_voor_getuige(door=AII, uow=_Werk(anders, Node.AII), getuigd=None, nu=NU)
    # a proof that starts elsewhere is asked again, not taken
    with pytest.raises(KopGeweigerd, match="ask GET /api/v1/audit/koppen/laatste again"):
        _ontvang(vsb, {**groter, "publieke_sleutel": "PEM"})
    # the rewritten log cannot make a proof from the witnessed head: its own check refuses
    with pytest.raises(Teruggerold, match="first 4 entries differ"):
        kop_voor_getuige(
            door=AII,
            uow=_Werk(anders, Node.AII),
            getuigd=laatste_getuigde_kop(uow=_Werk(vsb, Node.VSB), van=Node.AII),
            nu=NU,
        )
    # and a forged proof does not pass the witness
    vervalst = {**groter, "oud": 4, "bewijs": ["00" * 32] * 3, "publieke_sleutel": "PEM"}
    with pytest.raises(KopGeweigerd, match="does not extend the head of 4 entries"):
        _ontvang(vsb, vervalst)
    assert [g["seq"] for g in vsb.getuigde] == [4]


@pytest.mark.parametrize(
    ("wijzig", "melding"),
    [
        (lambda b: None, "an object is needed"),
        (lambda b: {**b, "publieke_sleutel": None}, "publieke_sleutel"),
        (lambda b: {**b, "kop": {**b["kop"], "node": "vsb"}}, "kop.node"),
        (lambda b: {**b, "kop": {**b["kop"], "seq": -1}}, "kop.seq"),
        (lambda b: {**b, "kop": {**b["kop"], "seq": True}}, "kop.seq"),
        (lambda b: {**b, "kop": {**b["kop"], "wortel": "zz" * 32}}, "kop.wortel"),
        (lambda b: {**b, "kop": {**b["kop"], "tijdstip": "gisteren"}}, "kop.tijdstip"),
        (lambda b: {**b, "kop": {**b["kop"], "tijdstip": "2026-01-01T00:00:00"}}, "offset"),
        (lambda b: {**b, "kop": {**b["kop"], "seq": 2}}, "kop.handtekening: does not verify"),
        (lambda b: {**b, "oud": 99}, "oud"),
        (lambda b: {**b, "bewijs": ["x"]}, "bewijs"),
        (lambda b: {**b, "bewijs": ["00"] * 65}, "bewijs"),
    ],
)
def test_junk_is_refused_naming_the_field_and_nothing_is_kept(
    wijzig: Callable[[dict[str, Any]], object], melding: str
) -> None:
    aii, vsb = FakeAudit(), FakeAudit()
    _schrijf(aii, 3)
    bericht = kop_voor_getuige(door=AII, uow=_Werk(aii, Node.AII), getuigd=None, nu=NU)
    with pytest.raises(Ongeldig, match=melding):
        _ontvang(vsb, wijzig({**bericht, "publieke_sleutel": "PEM"}))
    assert vsb.getuigde == []
    assert vsb.posten_ == []


def test_a_key_that_is_not_ed25519_is_named() -> None:
    aii, vsb = FakeAudit(), FakeAudit()
    _schrijf(aii, 1)
    bericht = kop_voor_getuige(door=AII, uow=_Werk(aii, Node.AII), getuigd=None, nu=NU)

    def geen_sleutel(_: bytes) -> Klopt:
        raise ValueError("not a PEM key")

    with pytest.raises(Ongeldig, match="publieke_sleutel: not a PEM key"):
        _ontvang(vsb, {**bericht, "publieke_sleutel": "PEM"}, geen_sleutel)


def test_proofs_made_by_the_service_are_checked_by_the_checker() -> None:
    aii = FakeAudit()
    _schrijf(aii, 20)
    klopt = FakeSleutels().verify_signature
    for seq in (1, 7, 20):
        document = bewijs_opname(door=AII, uow=_Werk(aii, Node.AII), seq=seq, grootte=20, nu=NU)
        assert f"entry {seq} " in controleer(document, klopt)
    document = bewijs_consistentie(door=AII, uow=_Werk(aii, Node.AII), oud=5, nieuw=None, nu=NU)
    assert "extends its log of 5 entries" in controleer(document, klopt)
    # each proof is audited on the log it proves
    assert sum(p.gebeurtenis == "kbi:audit:prove" for p in aii.posten_) == 4
    with pytest.raises(BewijsFaalt, match="does not extend"):
        controleer({**document, "bewijs": list(reversed(document["bewijs"]))}, klopt)
    with pytest.raises(Ongeldig, match="soort"):
        controleer({"soort": "iets"}, klopt)
    with pytest.raises(Ongeldig, match="OLD: a size from 1 to"):
        bewijs_consistentie(door=AII, uow=_Werk(aii, Node.AII), oud=99, nieuw=None, nu=NU)


def test_a_replayed_or_stale_request_is_refused_and_nothing_recorded() -> None:
    aii, vsb = FakeAudit(), FakeAudit()
    _schrijf(aii, 3)
    bericht = kop_voor_getuige(door=AII, uow=_Werk(aii, Node.AII), getuigd=None, nu=NU)
    later = NU + timedelta(minutes=11)
    with pytest.raises(KopGeweigerd, match="stale or replayed"):
        ontvang_kop(
            uow=_Werk(vsb, Node.VSB),
            door=VSB_PARTIJ,
            van=Node.AII,
            inhoud={**bericht, "publieke_sleutel": "PEM"},
            klopt_met=_klopt_met,
            nu=later,
        )
    assert vsb.getuigde == []
    assert vsb.posten_ == []


def test_an_earlier_head_sent_again_is_a_repeat_not_a_rollback() -> None:
    """Two witness runs crossing (cron on two machines of one database): the smaller head,
    witnessed before, arrives after the larger one — a repeat, no alarm."""
    aii, vsb = FakeAudit(), FakeAudit()
    _schrijf(aii, 3)
    klein = kop_voor_getuige(door=AII, uow=_Werk(aii, Node.AII), getuigd=None, nu=NU)
    _ontvang(vsb, {**klein, "publieke_sleutel": "PEM"})
    _schrijf(aii, 4)
    _stuur(aii, vsb)
    assert _ontvang(vsb, {**klein, "publieke_sleutel": "PEM"})[1] is False
    assert not [p for p in vsb.posten_ if p.gebeurtenis == "vsb:audit:witness-refused"]


def test_no_head_is_signed_over_a_log_edited_behind_the_nodes_back() -> None:
    """An administrator rewrites entry 2 and its chain: the stored signed head no longer
    covers the entries, and the node signs no head of an earlier size over them."""
    aii = FakeAudit()
    _schrijf(aii, 6)
    echt = aii.kop()
    herschreven = FakeAudit()
    _schrijf(herschreven, 1)
    herschreven.record(
        gebeurtenis=AuditGebeurtenis.AUDIT_GEZOCHT, actor="x", tijdstip=NU, inhoud={"gevonden": 9}
    )
    herschreven.spoel()
    _schrijf(herschreven, 4)
    herschreven.kop = lambda: echt  # type: ignore[method-assign]  # the old signed head row
    with pytest.raises(NietOndertekend, match="not those under its signed head of 6"):
        bewijs_opname(door=AII, uow=_Werk(herschreven, Node.AII), seq=2, grootte=4, nu=NU)
    # the head of the whole log is the one signed at the commit: a proof over the rewritten
    # entries does not lead to its root
    document = bewijs_opname(door=AII, uow=_Werk(herschreven, Node.AII), seq=2, grootte=None, nu=NU)
    with pytest.raises(BewijsFaalt, match="do not lead to the signed root"):
        controleer(document, FakeSleutels().verify_signature)


def test_the_node_is_part_of_the_signed_head() -> None:
    aii = FakeAudit()
    _schrijf(aii, 5)
    document = bewijs_opname(door=AII, uow=_Werk(aii, Node.AII), seq=3, grootte=None, nu=NU)
    andere_node = {**document, "kop": {**document["kop"], "node": "vsb"}}
    with pytest.raises(BewijsFaalt, match="signature does not verify"):
        controleer(andere_node, FakeSleutels().verify_signature)


class _AndereSleutel(FakeSleutels):
    """Another audit key: a test or staging node's, or the other party's after a rotation."""

    PUBLIEK = b"ANOTHER PEM"


def _bericht(aii: FakeAudit, vsb: FakeAudit, pem: str) -> dict[str, Any]:
    getuigd = laatste_getuigde_kop(uow=_Werk(vsb, Node.VSB), van=Node.AII)
    bericht = kop_voor_getuige(door=AII, uow=_Werk(aii, Node.AII), getuigd=getuigd, nu=NU)
    return {**bericht, "publieke_sleutel": pem}


def test_a_head_must_name_the_key_it_is_sent_with() -> None:
    aii, vsb = FakeAudit(), FakeAudit()
    _schrijf(aii, 3)
    with pytest.raises(Ongeldig, match=r"kop.sleutel_id: [0-9a-f]{16} \(the id of publieke_sl"):
        _ontvang(vsb, _bericht(aii, vsb, "ANOTHER PEM"))
    assert vsb.getuigde == []
    assert vsb.posten_ == []


def test_with_no_key_pinned_the_first_heads_key_is_kept_and_another_is_refused_and_audited() -> (
    None
):
    aii, vsb, staging = FakeAudit(), FakeAudit(), FakeAudit(_AndereSleutel())
    _schrijf(aii, 3)
    assert _stuur(aii, vsb)[1] is True
    _schrijf(staging, 5)  # the party's certificate, but not its audit key
    eerste = sleutel_id_van(FakeSleutels.PUBLIEK)
    ander = sleutel_id_van(_AndereSleutel.PUBLIEK)
    with pytest.raises(
        KopGeweigerd, match=f"signed with audit key {ander}, not with {eerste}, the key of the"
    ):
        _ontvang(vsb, _bericht(staging, vsb, "ANOTHER PEM"))
    assert [g["seq"] for g in vsb.getuigde] == [3]
    (weigering,) = [p for p in vsb.posten_ if p.gebeurtenis == "vsb:audit:witness-refused"]
    assert ander in (weigering.inhoud or "")


def test_a_pinned_key_is_the_only_one_witnessed_and_pinning_accepts_a_rotated_key() -> None:
    aii, vsb, staging = FakeAudit(), FakeAudit(), FakeAudit(_AndereSleutel())
    gepind = sleutel_id_van(FakeSleutels.PUBLIEK)
    _schrijf(staging, 2)
    with pytest.raises(
        KopGeweigerd, match=f"not with {gepind}, the key pinned in this node's settings"
    ):
        _ontvang(vsb, _bericht(staging, vsb, "ANOTHER PEM"), sleutel=gepind)  # not even at first
    assert vsb.getuigde == []
    _schrijf(aii, 3)
    assert _ontvang(vsb, _bericht(aii, vsb, "PEM"), sleutel=gepind)[1] is True
    # the other party rotates its audit key: refused until its new id is pinned here
    aii.sleutels = _AndereSleutel()
    _schrijf(aii, 2)
    with pytest.raises(KopGeweigerd, match="the key of the heads witnessed here before"):
        _ontvang(vsb, _bericht(aii, vsb, "ANOTHER PEM"), sleutel=None)
    nieuw = sleutel_id_van(_AndereSleutel.PUBLIEK)
    assert _ontvang(vsb, _bericht(aii, vsb, "ANOTHER PEM"), sleutel=nieuw)[1] is True
    assert [(g["seq"], g["sleutel_id"]) for g in vsb.getuigde] == [(3, gepind), (5, nieuw)]


def test_a_witnessed_head_deleted_from_the_witness_table_is_found_by_verify_there() -> None:
    aii, vsb = FakeAudit(), FakeAudit(node="vsb")
    _schrijf(aii, 3)
    _stuur(aii, vsb)
    _schrijf(aii, 4)
    _stuur(aii, vsb)
    (eerste, tweede) = [p for p in vsb.posten_ if p.gebeurtenis == "vsb:audit:witness"]
    assert '"seq":3' in (eerste.inhoud or "")
    assert '"seq":7' in (tweede.inhoud or "")
    dpo = Actor.os_account(Node.VSB, "dpo")
    assert verifieer_audit(door=dpo, audit=vsb)[1] == []
    vsb.getuigde = vsb.getuigde[:1]  # a DBA at VSB deletes the largest witnessed head
    geteld, problemen = verifieer_audit(door=dpo, audit=vsb)
    assert geteld == 2
    assert problemen == [
        f"the heads of AII's log witnessed here: the head of 7 entries witnessed on "
        f"{NU.isoformat()} (entry {tweede.seq}) is gone from their table"
    ]


def test_an_empty_log_has_no_head_to_prove_or_send_and_an_emptied_one_is_a_rollback() -> None:
    leeg = FakeAudit()
    werk = _Werk(leeg, Node.AII)
    with pytest.raises(LegeLog, match="AII audit log has no entries yet"):
        bewijs_opname(door=AII, uow=werk, seq=1, grootte=None, nu=NU)
    with pytest.raises(LegeLog, match="no entries yet"):
        bewijs_consistentie(door=AII, uow=werk, oud=1, nieuw=None, nu=NU)
    with pytest.raises(LegeLog, match="no entries yet"):
        kop_voor_getuige(door=AII, uow=werk, getuigd=None, nu=NU)
    assert leeg.posten_ == []  # nothing proved, nothing audited
    # a log the other node witnessed, emptied afterwards, is named as the rollback it is
    aii, vsb = FakeAudit(), FakeAudit()
    _schrijf(aii, 4)
    assert _stuur(aii, vsb)[1] is True
    getuigd = laatste_getuigde_kop(uow=_Werk(vsb, Node.VSB), van=Node.AII)
    aii.posten_.clear()
    with pytest.raises(Teruggerold, match="this log has 0: entries 1–4 are gone"):
        kop_voor_getuige(door=AII, uow=_Werk(aii, Node.AII), getuigd=getuigd, nu=NU)


def test_a_head_reset_to_size_0_over_entries_is_tampering_not_an_empty_log() -> None:
    class Teruggezet(FakeAudit):
        def kop(self) -> AuditKop | None:
            return AuditKop(0, BEGIN_HASH, None, None, merkle.LEEG.hex(), "")

    aii = Teruggezet()
    _schrijf(aii, 3)
    with pytest.raises(NietOndertekend, match="not this node's signature"):
        kop_voor_getuige(door=AII, uow=_Werk(aii, Node.AII), getuigd=None, nu=NU)
    with pytest.raises(NietOndertekend):
        bewijs_opname(door=AII, uow=_Werk(aii, Node.AII), seq=1, grootte=None, nu=NU)
