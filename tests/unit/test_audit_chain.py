from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from kbi_exchange.domain.audit import (
    BEGIN_HASH,
    AuditPost,
    GetekendeKop,
    GetuigdeKop,
    blad,
    inhoud_hash,
    keten_hash,
    verifieer_keten,
)
from kbi_exchange.domain.merkle import Rand
from kbi_exchange.services.audit import geleegde_ids

T0 = datetime(2026, 1, 1, tzinfo=UTC)


def _keten(n: int) -> list[AuditPost]:
    regels, vorige = [], BEGIN_HASH
    for seq in range(1, n + 1):
        inhoud = f'{{"referte": "r-{seq}"}}'
        tijd = T0 + timedelta(seconds=seq)
        h = keten_hash(
            vorige, seq, tijd, "kbi:advies:answer", "vsb", "ab" * 32, inhoud_hash(inhoud)
        )
        regels.append(
            AuditPost(
                seq,
                tijd,
                "kbi:advies:answer",
                "vsb",
                "ab" * 32,
                inhoud,
                inhoud_hash(inhoud),
                vorige,
                h,
            )
        )
        vorige = h
    return regels


def test_an_untouched_chain_verifies() -> None:
    keten = _keten(5)
    assert verifieer_keten(keten, {5: keten[-1].hash}, _kop(keten)) == []


def test_a_changed_content_is_detected() -> None:
    keten = _keten(5)
    keten[2] = replace(keten[2], inhoud='{"referte": "vervalst"}')
    assert any("entry 3: its content was changed" in p for p in verifieer_keten(keten, {}))


def test_a_changed_actor_is_detected() -> None:
    keten = _keten(5)
    keten[1] = replace(keten[1], actor="iemand-anders")
    assert any("entry 2: its hash does not match" in p for p in verifieer_keten(keten, {}))


def test_a_deleted_entry_is_detected() -> None:
    keten = _keten(5)
    del keten[2]
    problemen = verifieer_keten(keten, {})
    assert any("entry 4: follows entry 2" in p for p in problemen)
    assert any("entry 4: does not link" in p for p in problemen)


def test_reordered_entries_are_detected() -> None:
    keten = _keten(5)
    keten[1], keten[2] = keten[2], keten[1]
    assert verifieer_keten(keten, {}) != []


def test_entries_cut_off_after_a_checkpoint_are_detected() -> None:
    keten = _keten(5)
    problemen = verifieer_keten(keten[:3], {5: keten[4].hash})
    assert any("checkpoint 5: the log ends at entry 3" in p for p in problemen)


def test_a_chain_rewritten_from_an_entry_on_differs_from_its_signed_checkpoint() -> None:
    keten = _keten(5)
    checkpoint = {4: keten[3].hash}
    herschreven = _keten(3)
    vorige = herschreven[-1].hash
    for seq in (4, 5):  # a forger recomputes every hash after entry 3
        h = keten_hash(vorige, seq, T0, "kbi:advies:answer", "vals", None, inhoud_hash("{}"))
        herschreven.append(
            AuditPost(
                seq, T0, "kbi:advies:answer", "vals", None, "{}", inhoud_hash("{}"), vorige, h
            )
        )
        vorige = h
    assert any(
        "differs from its signed checkpoint" in p for p in verifieer_keten(herschreven, checkpoint)
    )


def _met_purge(keten: list[AuditPost], ids: list[int]) -> list[AuditPost]:
    """The chain with a retention entry appended that says it emptied ``ids``."""
    inhoud = json.dumps({"gegevens": "audit", "ids": [str(i) for i in ids], "reden": "r"})
    laatste = keten[-1]
    seq, tijd = laatste.seq + 1, laatste.tijdstip + timedelta(seconds=1)
    gebeurtenis = "kbi:retention:purge"
    h = keten_hash(laatste.hash, seq, tijd, gebeurtenis, "os:cron", None, inhoud_hash(inhoud))
    purge = AuditPost(seq, tijd, gebeurtenis, "os:cron", None, inhoud, inhoud_hash(inhoud),
                       laatste.hash, h)  # fmt: skip
    return [*keten, purge]


def test_purged_personal_content_keeps_the_chain_verifiable() -> None:
    keten = _met_purge(_keten(5), [1, 2, 3, 4, 5])
    geleegd = [replace(r, inhoud=None) if r.seq <= 5 else r for r in keten]
    assert verifieer_keten(geleegd, {}, _kop(geleegd), geleegde_ids) == []


def test_content_removed_without_a_retention_entry_naming_it_is_found() -> None:
    keten = _met_purge(_keten(5), [1, 2])
    geleegd = [replace(r, inhoud=None) if r.seq in (1, 2, 4) else r for r in keten]
    assert verifieer_keten(geleegd, {}, _kop(geleegd), geleegde_ids) == [
        "entry 4: its content was removed, but no retention entry names it (1 such entries)"
    ]


def _kop(keten: list[AuditPost]) -> GetekendeKop:
    return GetekendeKop(keten[-1].seq, keten[-1].hash)


def test_entries_cut_off_the_end_differ_from_the_signed_head() -> None:
    keten = _keten(12)
    problemen = verifieer_keten(keten[:7], {}, _kop(keten))
    assert problemen == [
        "the chain's head: signed at entry 12, but the log ends at entry 7 "
        "(entries at its end were removed)"
    ]


def test_a_log_without_a_valid_signed_head_is_not_intact() -> None:
    assert any("not signed" in p for p in verifieer_keten(_keten(3), {}, None))


def test_an_empty_log_needs_no_signed_head() -> None:
    assert verifieer_keten([], {}, None) == []


def test_every_thousandth_entry_must_have_its_checkpoint() -> None:
    keten = _keten(2_001)
    checkpoints = {1000: keten[999].hash, 2000: keten[1999].hash}
    assert verifieer_keten(keten, checkpoints, _kop(keten)) == []
    del checkpoints[1000]
    assert verifieer_keten(keten, checkpoints, _kop(keten)) == [
        "checkpoint 1000: missing (1 of the required checkpoints, one every 1000 entries, are gone)"
    ]


def _getuigd(keten: list[AuditPost], seq: int) -> GetuigdeKop:
    """The head of the chain's first ``seq`` entries, as the other node witnessed it."""
    boom = Rand()
    for r in keten[:seq]:
        boom.voeg_toe(blad(r.hash))
    return GetuigdeKop(seq, boom.wortel().hex(), T0 + timedelta(days=seq), "VSB")


def test_a_log_holding_every_witnessed_head_verifies() -> None:
    keten = _keten(12)
    getuigd = [_getuigd(keten, 3), _getuigd(keten, 7), _getuigd(keten, 12)]
    assert verifieer_keten(keten, {}, _kop(keten), getuigd=getuigd) == []


def test_a_log_shorter_than_a_witnessed_head_names_the_missing_entries() -> None:
    keten = _keten(12)
    getuigd = [_getuigd(keten, 3), _getuigd(keten, 9), _getuigd(keten, 12)]
    # rolled back to entry 5, its own signed head put back: intact but for the witness
    assert verifieer_keten(keten[:5], {}, _kop(keten[:5]), getuigd=getuigd) == [
        "entries 6–12 are missing: VSB witnessed a signed head of 12 entries on "
        "2026-01-13T00:00:00+00:00, the log ends at entry 5 (rolled back)"
    ]


def test_a_rewritten_log_names_the_range_between_witnessed_heads() -> None:
    """An administrator with the key recomputes the chain after changing entry 6: the chain and
    its head hold, but the heads witnessed at 7 and 12 no longer match; the one at 3 does."""
    keten = _keten(12)
    getuigd = [_getuigd(keten, 3), _getuigd(keten, 7), _getuigd(keten, 12)]
    herschreven, vorige = [], BEGIN_HASH
    for r in keten:
        actor = "iemand" if r.seq == 6 else r.actor
        h = keten_hash(vorige, r.seq, r.tijdstip, r.gebeurtenis, actor, r.insz_hash,
                       r.inhoud_sha256)  # fmt: skip
        herschreven.append(replace(r, actor=actor, vorige_hash=vorige, hash=h))
        vorige = h
    assert verifieer_keten(herschreven, {}, _kop(herschreven), getuigd=getuigd) == [
        "entries 4–7 differ from what VSB witnessed: its head of 7 entries of "
        "2026-01-08T00:00:00+00:00 has another tree root (an entry was changed, removed or "
        "inserted and the chain recomputed; its head of 3 entries still matches)"
    ]


def test_a_signed_root_that_is_not_the_logs_is_found() -> None:
    keten = _keten(4)
    kop = GetekendeKop(4, keten[-1].hash, "00" * 32)
    assert verifieer_keten(keten, {}, kop) == [
        "the chain's head: its signed tree root is not that of the log's 4 entries"
    ]
