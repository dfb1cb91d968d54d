"""Care-budget applications on fakes (SPEC §9): advised, decided, waiting for the source and
answered on retry with the same referte; a zorgkas handler sees their own zorgkas only."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import orjson
import pytest

from kbi_exchange.adapters.keys import Keys
from kbi_exchange.domain.aanvraag import (
    Aanvraag,
    AanvraagFout,
    AanvraagStatus,
    BronAntwoord,
    BronOnbeschikbaar,
    NietGevraagd,
)
from kbi_exchange.domain.access import Actor
from kbi_exchange.domain.lid import Aansluiting, Lid
from kbi_exchange.domain.periods import Periode
from kbi_exchange.schemas import zorgkas_codes
from kbi_exchange.services import aanvragen
from kbi_exchange.services.aanvragen import NietGevonden
from tests.fakes import FakeAanvraagWerk

NU = datetime(2026, 3, 10, 9, tzinfo=UTC)
VOLWASSEN = "85073001546"  # born 1985
KIND = "10050500123"[:9] + f"{97 - int('2' + '100505001') % 97:02d}"  # born 2010-05-05
OPENING = date(2024, 2, 1)
ZOE = Actor("zoe", "CM")  # a zorgkas handler of CM
VSB = Actor("os:vsb")


class Bron:
    """AII as a fake: answers from a table, or is down; records every question."""

    def __init__(self, advies: str | None = "OK") -> None:
        self.advies = advies
        self.down = False
        self.vragen: list[tuple[str, date, str]] = []

    def vraag(self, insz: str, datum: date, referte: str) -> BronAntwoord:
        self.vragen.append((insz, datum, referte))
        if self.down:
            raise BronOnbeschikbaar("down")
        if self.advies == "NOK":
            return BronAntwoord(referte, "NOK", "INBREUK_VASTGESTELD", "Er werd ...")
        if self.advies is None:
            return BronAntwoord(referte, None, None, None, ({"identificatie": "40001"},))
        return BronAntwoord(referte, "OK", None, None)


def _dien_in(
    werk: FakeAanvraagWerk,
    keys: Keys,
    bron: Bron,
    insz: str = VOLWASSEN,
    *,
    opening: date = OPENING,
    zorgkas: str = "CM",
    door: Actor = ZOE,
) -> Aanvraag:
    return aanvragen.dien_in(
        uow=werk,
        keys=keys,
        bron=bron,
        insz=insz,
        opening=opening,
        zorgkas=zorgkas,
        zorgkassen=zorgkas_codes(),
        eerste_datum=date(2022, 1, 1),
        door=door,
        nu=lambda: NU,
    )


def _gebeurtenissen(werk: FakeAanvraagWerk) -> list[str]:
    return [r.gebeurtenis for r in werk.audit.regels_]


def test_ok_grants_nok_refuses_and_both_are_audited_without_the_insz(keys: Keys) -> None:
    werk = FakeAanvraagWerk()
    toegekend = _dien_in(werk, keys, Bron("OK"))
    geweigerd = _dien_in(werk, keys, Bron("NOK"))
    assert toegekend.status is AanvraagStatus.TOEGEKEND
    assert geweigerd.status is AanvraagStatus.GEWEIGERD
    assert geweigerd.bewaren_tot == date(2031, 3, 10)
    assert werk.bewaard.get(geweigerd.id) == geweigerd
    assert _gebeurtenissen(werk) == [
        "vsb:aanvraag:add",
        "vsb:aanvraag:decide",
        "vsb:aanvraag:add",
        "vsb:aanvraag:decide",
    ]
    for regel in werk.audit.regels_:
        assert VOLWASSEN not in (regel.inhoud or "")
        assert regel.insz_hash == keys.insz_keys()[0].hash(VOLWASSEN)
    beslist = orjson.loads(werk.audit.regels_[-1].inhoud or "")
    assert beslist["advies"] == "NOK"
    assert beslist["reden"] == "INBREUK_VASTGESTELD"


def test_the_question_is_recorded_and_audited_before_it_leaves(keys: Keys) -> None:
    werk = FakeAanvraagWerk()

    class Kijker(Bron):
        def vraag(self, insz: str, datum: date, referte: str) -> BronAntwoord:
            # what is committed when the question leaves: the application and its entry
            (wachtend,) = werk.bewaard.rijen.values()
            assert wachtend.status is AanvraagStatus.WACHT_OP_BRON
            assert wachtend.referte == referte
            assert _gebeurtenissen(werk) == ["vsb:aanvraag:add"]
            return super().vraag(insz, datum, referte)

    assert _dien_in(werk, keys, Kijker()).status is AanvraagStatus.TOEGEKEND


def test_under_18_and_before_2022_aii_is_not_asked(keys: Keys) -> None:
    werk, bron = FakeAanvraagWerk(), Bron()
    kind = _dien_in(werk, keys, bron, KIND, opening=date(2026, 1, 1))
    oud = _dien_in(werk, keys, bron, opening=date(2021, 12, 31))
    assert bron.vragen == []
    assert (kind.status, kind.niet_gevraagd, kind.referte) == (
        AanvraagStatus.TOEGEKEND,
        NietGevraagd.ONDER_18,
        None,
    )
    assert oud.niet_gevraagd is NietGevraagd.VOOR_EERSTE_DATUM
    # the member registry's birth date counts over the number's
    geregistreerd = Lid(KIND, (Aansluiting("CM", Periode(date(2010, 5, 5))),))
    werk = FakeAanvraagWerk(geregistreerd)
    assert _dien_in(werk, keys, bron, KIND, opening=date(2026, 1, 1)).niet_gevraagd is not None
    cm = (Aansluiting("CM", Periode(date(2010, 1, 1))),)
    ouder = Lid(KIND, cm, geboortedatum=date(1990, 1, 1))
    werk = FakeAanvraagWerk(ouder)
    assert _dien_in(werk, keys, bron, KIND, opening=date(2026, 1, 1)).niet_gevraagd is None
    assert len(bron.vragen) == 1
    # another zorgkas's member: their registry birth date is not used (it would tell the
    # handler that they are a member elsewhere); the number's is
    elders = Lid(
        KIND, (Aansluiting("LM", Periode(date(2010, 1, 1))),), geboortedatum=date(1990, 1, 1)
    )
    werk = FakeAanvraagWerk(elders)
    assert _dien_in(werk, keys, bron, KIND, opening=date(2026, 1, 1)).niet_gevraagd is not None
    assert len(bron.vragen) == 1


def test_unavailable_waits_and_a_retry_answers_with_the_same_referte(keys: Keys) -> None:
    werk, bron = FakeAanvraagWerk(), Bron("NOK")
    bron.down = True
    eerste = _dien_in(werk, keys, bron)
    tweede = _dien_in(werk, keys, bron)
    assert eerste.status is tweede.status is AanvraagStatus.WACHT_OP_BRON
    assert eerste.beslist_op is None
    # still down: the first retry fails and the rest are not asked (AII is not hammered)
    herhaling = aanvragen.herhaal_wachtende(uow=werk, keys=keys, bron=bron, door=VSB, nu=lambda: NU)
    assert (len(herhaling.gevraagd), herhaling.niet_gevraagd, herhaling.beslist) == (1, 1, 0)
    bron.down = False
    later = NU + timedelta(hours=2)
    herhaling = aanvragen.herhaal_wachtende(
        uow=werk, keys=keys, bron=bron, door=VSB, nu=lambda: later
    )
    assert herhaling.beslist == 2
    assert herhaling.niet_gevraagd == 0
    refertes: list[str | None] = [r for _, _, r in bron.vragen]
    # one was asked three times (twice down, then answered), the other twice; each always
    # with its own referte
    assert sorted([refertes.count(eerste.referte), refertes.count(tweede.referte)]) == [2, 3]
    assert len(refertes) == 5
    for aanvraag in (eerste, tweede):
        beslist = werk.bewaard.get(aanvraag.id)
        assert beslist is not None
        assert (beslist.status, beslist.referte, beslist.beslist_op) == (
            AanvraagStatus.GEWEIGERD,
            aanvraag.referte,
            later,
        )
        assert beslist.pogingen == refertes.count(aanvraag.referte)
    # nothing is left to ask
    herhaling = aanvragen.herhaal_wachtende(uow=werk, keys=keys, bron=bron, door=VSB, nu=lambda: NU)
    assert herhaling.gevraagd == []


def test_a_refused_question_waits_for_a_person_and_is_retried(keys: Keys) -> None:
    werk, bron = FakeAanvraagWerk(), Bron(None)
    aanvraag = _dien_in(werk, keys, bron)
    assert aanvraag.status is AanvraagStatus.VRAAG_GEWEIGERD
    assert aanvraag.json("CM")["uitzonderingen"] == ["40001"]
    bron.advies = "OK"
    herhaling = aanvragen.herhaal_wachtende(uow=werk, keys=keys, bron=bron, door=ZOE, nu=lambda: NU)
    assert [a.status for a in herhaling.gevraagd] == [AanvraagStatus.TOEGEKEND]
    # asked under a new referte (the refused one would be refused again), stored and audited
    # before it left
    (nieuw,) = herhaling.gevraagd
    assert nieuw.referte != aanvraag.referte
    assert [r for _, _, r in bron.vragen] == [aanvraag.referte, nieuw.referte]
    assert "vsb:aanvraag:reask" in _gebeurtenissen(werk)


def test_a_zorgkas_handler_sees_and_handles_their_own_zorgkas_only(keys: Keys) -> None:
    werk, bron = FakeAanvraagWerk(), Bron()
    eigen = _dien_in(werk, keys, bron)
    andere = _dien_in(werk, keys, bron, zorgkas="LM", door=Actor("lou", "LM"))
    with pytest.raises(AanvraagFout, match="you handle the applications of CM only"):
        _dien_in(werk, keys, bron, zorgkas="LM")
    onbestaand = "00000000-0000-0000-0000-000000000000"
    berichten = []
    for aanvraag_id in (andere.id, onbestaand):
        with pytest.raises(NietGevonden) as fout:
            aanvragen.toon(uow=werk, keys=keys, aanvraag_id=aanvraag_id, door=ZOE, nu=NU)
        berichten.append(str(fout.value).replace(aanvraag_id, "ID"))
        with pytest.raises(NietGevonden):
            aanvragen.beeindig(
                uow=werk,
                keys=keys,
                aanvraag_id=aanvraag_id,
                einde=date(2026, 1, 1),
                reden=None,
                door=ZOE,
                nu=NU,
            )
    assert berichten[0] == berichten[1]  # another zorgkas's application looks like none
    gezien = aanvragen.lijst(uow=werk, keys=keys, zorgkas=None, onbeslist=False, door=ZOE, nu=NU)
    assert [a.id for a in gezien] == [eigen.id]
    with pytest.raises(AanvraagFout):
        aanvragen.lijst(uow=werk, keys=keys, zorgkas="LM", onbeslist=False, door=ZOE, nu=NU)
    alle = aanvragen.lijst(uow=werk, keys=keys, zorgkas=None, onbeslist=False, door=VSB, nu=NU)
    assert {a.id for a in alle} == {eigen.id, andere.id}
    assert aanvragen.toon(uow=werk, keys=keys, aanvraag_id=eigen.id, door=ZOE, nu=NU) == eigen
    assert _gebeurtenissen(werk).count("vsb:aanvraag:view") == 3


def test_ending_starts_the_retention_clock_and_is_audited(keys: Keys) -> None:
    werk = FakeAanvraagWerk()
    aanvraag = _dien_in(werk, keys, Bron())
    beeindigd = aanvragen.beeindig(
        uow=werk,
        keys=keys,
        aanvraag_id=aanvraag.id,
        einde=date(2026, 2, 1),
        reden="overlijden",
        door=ZOE,
        nu=NU,
    )
    assert beeindigd.bewaren_tot == date(2031, 2, 1)
    assert werk.bewaard.get(aanvraag.id) == beeindigd
    assert _gebeurtenissen(werk)[-1] == "vsb:aanvraag:end"
    with pytest.raises(AanvraagFout, match="already ended"):
        aanvragen.beeindig(
            uow=werk,
            keys=keys,
            aanvraag_id=aanvraag.id,
            einde=date(2026, 3, 1),
            reden=None,
            door=ZOE,
            nu=NU,
        )


@pytest.mark.parametrize(
    ("velden", "fout"),
    [
        ({"insz": "85073001547"}, "--insz: invalid INSZ: check digits"),
        ({"insz": "abc"}, "--insz: invalid INSZ"),
        ({"zorgkas": "XX"}, "--zorgkas: unknown zorgkas 'XX'"),
        ({"opening": date(2026, 3, 11)}, "--opening: 2026-03-11 lies in the future"),
    ],
)
def test_bad_input_is_refused_by_name_and_stores_nothing(
    keys: Keys, velden: dict[str, object], fout: str
) -> None:
    werk, bron = FakeAanvraagWerk(), Bron()
    with pytest.raises(AanvraagFout, match=fout) as gevangen:
        _dien_in(werk, keys, bron, **velden)  # type: ignore[arg-type]
    assert "85073001547" not in str(gevangen.value)
    assert werk.bewaard.rijen == {}
    assert werk.audit.regels_ == []
    assert bron.vragen == []


def test_a_check_is_audited_before_it_leaves_and_returns_aii_s_answer(keys: Keys) -> None:
    werk, bron = (
        FakeAanvraagWerk(Lid(VOLWASSEN, (Aansluiting("CM", Periode(date(2010, 1, 1))),))),
        Bron("NOK"),
    )
    antwoord = aanvragen.vraag_advies(
        uow=werk, keys=keys, bron=bron, insz=VOLWASSEN, datum=OPENING, door=ZOE, nu=NU
    )
    assert antwoord.json() == {
        "advies": "NOK",
        "reden": "INBREUK_VASTGESTELD",
        "uitzonderingen": [],
    }
    (regel,) = werk.audit.regels_
    assert regel.gebeurtenis == "vsb:advies:ask"
    assert orjson.loads(regel.inhoud or "")["referte"] == bron.vragen[0][2]
    bron.down = True
    with pytest.raises(BronOnbeschikbaar):
        aanvragen.vraag_advies(
            uow=werk, keys=keys, bron=bron, insz=VOLWASSEN, datum=OPENING, door=ZOE, nu=NU
        )


def test_a_zorgkas_checks_its_own_adult_members_only_and_learns_nothing_of_others(
    keys: Keys,
) -> None:
    lm_lid = Lid(VOLWASSEN, (Aansluiting("LM", Periode(date(2010, 1, 1))),))
    kind = Lid(KIND, (Aansluiting("CM", Periode(date(2010, 5, 5))),))
    werk, bron = FakeAanvraagWerk(lm_lid, kind), Bron()
    fouten = []
    for insz in (VOLWASSEN, "85073001348"):  # a member elsewhere, and no member at all
        with pytest.raises(AanvraagFout) as fout:
            aanvragen.vraag_advies(
                uow=werk, keys=keys, bron=bron, insz=insz, datum=OPENING, door=ZOE, nu=NU
            )
        fouten.append(str(fout.value))
    assert (
        fouten[0]
        == fouten[1]
        == ("--insz: not a member of CM on 2024-02-01; a zorgkas asks about its own members only")
    )
    with pytest.raises(AanvraagFout, match="under 18"):
        aanvragen.vraag_advies(
            uow=werk, keys=keys, bron=bron, insz=KIND, datum=OPENING, door=ZOE, nu=NU
        )
    assert bron.vragen == []
    assert werk.audit.regels_ == []
    # VSB's own staff may check anyone
    aanvragen.vraag_advies(
        uow=werk, keys=keys, bron=bron, insz=VOLWASSEN, datum=OPENING, door=VSB, nu=NU
    )
    assert len(bron.vragen) == 1
