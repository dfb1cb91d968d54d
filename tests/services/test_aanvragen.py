"""Care-budget applications on fakes (SPEC §9): advised, decided, waiting for the source and
answered on retry with the same referte; a zorgkas handler sees their own zorgkas only."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import orjson
import pytest

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
from kbi_exchange.domain.protocol import GeenWettelijkeContext, ProtocolGebeurtenis, Soort, Stroom
from kbi_exchange.schemas import zorgkas_codes
from kbi_exchange.services import aanvraag_controle, aanvragen
from kbi_exchange.services.aanvragen import NietGevonden
from tests.actors import VSB_OS, behandelaar
from tests.fakes import FakeAanvraagWerk, insz_hash

NU = datetime(2026, 3, 10, 9, tzinfo=UTC)
VOLWASSEN = "85073001546"  # born 1985
KIND = "10050500123"[:9] + f"{97 - int('2' + '100505001') % 97:02d}"  # born 2010-05-05
LM_LID = "85073001348"  # a member of LM
TWEEDE = "90010100123"  # another adult member of CM
GEEN_LID = "85073001447"  # no member at all
OPENING = date(2024, 2, 1)
ZOE = behandelaar("CM")  # a zorgkas handler of CM
VSB = VSB_OS
CM = (Aansluiting("CM", Periode(date(2010, 1, 1))),)
LEDEN = (
    Lid(VOLWASSEN, CM),
    Lid(KIND, (Aansluiting("CM", Periode(date(2010, 5, 5))),)),
    Lid(LM_LID, (Aansluiting("LM", Periode(date(2010, 1, 1))),)),
    Lid(TWEEDE, CM),
)


def _werk(*leden: Lid) -> FakeAanvraagWerk:
    """Applications over a registry of CM's adult and child, and an LM member."""
    return FakeAanvraagWerk(*(leden or LEDEN))


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
    bron: Bron,
    insz: str = VOLWASSEN,
    *,
    opening: date = OPENING,
    zorgkas: str = "CM",
    door: Actor = ZOE,
) -> Aanvraag:
    return aanvragen.dien_in(
        uow=werk,
        bron=bron,
        insz=insz,
        opening=opening,
        zorgkas=zorgkas,
        zorgkassen=zorgkas_codes(),
        door=door,
        nu=lambda: NU,
    )


def _gebeurtenissen(werk: FakeAanvraagWerk) -> list[str]:
    return [r.gebeurtenis for r in werk.audit.posten_]


def test_ok_grants_nok_refuses_and_both_are_audited_without_the_insz() -> None:
    werk = _werk()
    toegekend = _dien_in(werk, Bron("OK"))
    geweigerd = _dien_in(werk, Bron("NOK"), TWEEDE)
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
    for regel, insz in zip(werk.audit.posten_, [VOLWASSEN] * 2 + [TWEEDE] * 2, strict=True):
        assert insz not in (regel.inhoud or "")
        assert regel.insz_hash == insz_hash(insz)
    beslist = orjson.loads(werk.audit.posten_[-1].inhoud or "")
    assert beslist["advies"] == "NOK"
    assert beslist["reden"] == "INBREUK_VASTGESTELD"


def test_the_question_is_recorded_and_audited_before_it_leaves() -> None:
    werk = _werk()

    class Kijker(Bron):
        def vraag(self, insz: str, datum: date, referte: str) -> BronAntwoord:
            # what is committed when the question leaves: the application and its entry
            (wachtend,) = werk.bewaard.rijen.values()
            assert wachtend.status is AanvraagStatus.WACHT_OP_BRON
            assert wachtend.referte == referte
            assert _gebeurtenissen(werk) == ["vsb:aanvraag:add"]
            return super().vraag(insz, datum, referte)

    assert _dien_in(werk, Kijker()).status is AanvraagStatus.TOEGEKEND


def test_under_18_and_before_2022_aii_is_not_asked() -> None:
    werk, bron = _werk(), Bron()
    kind = _dien_in(werk, bron, KIND, opening=date(2026, 1, 1))
    oud = _dien_in(werk, bron, opening=date(2021, 12, 31))
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
    assert _dien_in(werk, bron, KIND, opening=date(2026, 1, 1)).niet_gevraagd is not None
    cm = (Aansluiting("CM", Periode(date(2010, 1, 1))),)
    ouder = Lid(KIND, cm, geboortedatum=date(1990, 1, 1))
    werk = FakeAanvraagWerk(ouder)
    assert _dien_in(werk, bron, KIND, opening=date(2026, 1, 1)).niet_gevraagd is None
    assert len(bron.vragen) == 1


def test_unavailable_waits_and_a_retry_answers_with_the_same_referte() -> None:
    werk, bron = _werk(), Bron("NOK")
    bron.down = True
    eerste = _dien_in(werk, bron)
    tweede = _dien_in(werk, bron, TWEEDE)
    assert eerste.status is tweede.status is AanvraagStatus.WACHT_OP_BRON
    assert eerste.beslist_op is None
    # still down: the first retry fails and the rest are not asked (AII is not hammered)
    herhaling = aanvragen.herhaal_wachtende(uow=werk, bron=bron, door=VSB, nu=lambda: NU)
    assert (len(herhaling.gevraagd), herhaling.niet_gevraagd, herhaling.beslist) == (1, 1, 0)
    bron.down = False
    later = NU + timedelta(hours=2)
    herhaling = aanvragen.herhaal_wachtende(uow=werk, bron=bron, door=VSB, nu=lambda: later)
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
    herhaling = aanvragen.herhaal_wachtende(uow=werk, bron=bron, door=VSB, nu=lambda: NU)
    assert herhaling.gevraagd == []


def test_a_refused_question_waits_for_a_person_and_is_retried() -> None:
    werk, bron = _werk(), Bron(None)
    aanvraag = _dien_in(werk, bron)
    assert aanvraag.status is AanvraagStatus.VRAAG_GEWEIGERD
    assert aanvraag.json("CM")["uitzonderingen"] == ["40001"]
    bron.advies = "OK"
    herhaling = aanvragen.herhaal_wachtende(uow=werk, bron=bron, door=ZOE, nu=lambda: NU)
    assert [a.status for a in herhaling.gevraagd] == [AanvraagStatus.TOEGEKEND]
    # asked under a new referte (the refused one would be refused again), stored and audited
    # before it left
    (nieuw,) = herhaling.gevraagd
    assert nieuw.referte != aanvraag.referte
    assert [r for _, _, r in bron.vragen] == [aanvraag.referte, nieuw.referte]
    assert "vsb:aanvraag:reask" in _gebeurtenissen(werk)


def test_a_zorgkas_handler_sees_and_handles_their_own_zorgkas_only() -> None:
    werk, bron = _werk(), Bron()
    eigen = _dien_in(werk, bron)
    andere = _dien_in(werk, bron, LM_LID, zorgkas="LM", door=behandelaar("LM", "lou"))
    with pytest.raises(AanvraagFout, match="you handle the applications of CM only"):
        _dien_in(werk, bron, zorgkas="LM")
    onbestaand = "00000000-0000-0000-0000-000000000000"
    berichten = []
    for aanvraag_id in (andere.id, onbestaand):
        with pytest.raises(NietGevonden) as fout:
            aanvragen.toon(uow=werk, aanvraag_id=aanvraag_id, door=ZOE, nu=NU)
        berichten.append(str(fout.value).replace(aanvraag_id, "ID"))
        with pytest.raises(NietGevonden):
            aanvragen.beeindig(
                uow=werk,
                aanvraag_id=aanvraag_id,
                einde=date(2026, 1, 1),
                reden=None,
                door=ZOE,
                nu=NU,
            )
    assert berichten[0] == berichten[1]  # another zorgkas's application looks like none
    gezien = aanvragen.overzicht(uow=werk, zorgkas=None, onbeslist=False, door=ZOE, nu=NU)
    assert [a.id for a in gezien] == [eigen.id]
    with pytest.raises(AanvraagFout):
        aanvragen.overzicht(uow=werk, zorgkas="LM", onbeslist=False, door=ZOE, nu=NU)
    alle = aanvragen.overzicht(uow=werk, zorgkas=None, onbeslist=False, door=VSB, nu=NU)
    assert {a.id for a in alle} == {eigen.id, andere.id}
    assert aanvragen.toon(uow=werk, aanvraag_id=eigen.id, door=ZOE, nu=NU) == eigen
    assert _gebeurtenissen(werk).count("vsb:aanvraag:view") == 3


def test_ending_starts_the_retention_clock_and_is_audited() -> None:
    werk = _werk()
    aanvraag = _dien_in(werk, Bron())
    beeindigd = aanvragen.beeindig(
        uow=werk,
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
            aanvraag_id=aanvraag.id,
            einde=date(2026, 3, 1),
            reden=None,
            door=ZOE,
            nu=NU,
        )


@pytest.mark.parametrize(
    ("velden", "fout"),
    [
        ({"insz": "85073001547"}, "insz: invalid INSZ: check digits"),
        ({"insz": "abc"}, "insz: invalid INSZ"),
        ({"zorgkas": "XX"}, "zorgkas: unknown zorgkas 'XX'"),
        ({"opening": date(2026, 3, 11)}, "opening: 2026-03-11 lies in the future"),
    ],
)
def test_bad_input_is_refused_by_name_and_stores_nothing(
    velden: dict[str, object], fout: str
) -> None:
    werk, bron = _werk(), Bron()
    with pytest.raises(AanvraagFout, match=fout) as gevangen:
        _dien_in(werk, bron, **velden)  # type: ignore[arg-type]
    assert "85073001547" not in str(gevangen.value)
    assert werk.bewaard.rijen == {}
    assert werk.audit.posten_ == []
    assert bron.vragen == []


def test_an_application_is_recorded_only_for_a_member_of_that_zorgkas_on_its_opening() -> None:
    vertrokken = Lid(VOLWASSEN, (Aansluiting("CM", Periode(date(2010, 1, 1), date(2024, 1, 31))),))
    later = Lid(VOLWASSEN, (Aansluiting("CM", Periode(date(2024, 2, 2))),))
    fouten = set()
    for leden, insz, door in (
        (LEDEN, LM_LID, ZOE),  # a member of another zorgkas
        (LEDEN, GEEN_LID, ZOE),  # no member at all
        (LEDEN, LM_LID, VSB),  # VSB's staff too: the application is the zorgkas's
        ((vertrokken,), VOLWASSEN, ZOE),  # left the day before the opening
        ((later,), VOLWASSEN, VSB),  # joined the day after
    ):
        werk, bron = _werk(*leden), Bron()
        with pytest.raises(AanvraagFout) as fout:
            _dien_in(werk, bron, insz, door=door)
        fouten.add(str(fout.value))
        assert (werk.bewaard.rijen, werk.audit.posten_, bron.vragen) == ({}, [], [])
    # the same words whatever the reason: nothing about the person elsewhere
    assert fouten == {
        "insz: not a member of CM on 2024-02-01; an application is recorded by the zorgkas "
        "the person is affiliated with on the opening date"
    }
    # on the last day of an affiliation, and from its first, it is the zorgkas's
    werk, bron = _werk(vertrokken), Bron()
    assert _dien_in(werk, bron, opening=date(2024, 1, 31)).status.beslist
    werk = _werk(later)
    assert _dien_in(werk, bron, opening=date(2024, 2, 2), door=VSB).status.beslist


def _stap(soort: Soort, **extra: object) -> ProtocolGebeurtenis:
    return ProtocolGebeurtenis(f"p-{soort}", soort, NU - timedelta(days=1), "partij:aii", "r",
                               ontvangen_op=NU - timedelta(days=1), **extra)  # type: ignore[arg-type]  # fmt: skip


def test_while_the_protocol_stands_still_aii_is_not_asked_and_no_zorgkas_sees_answers() -> None:
    werk, bron = _werk(), Bron()
    bron.down = True
    wachtend = _dien_in(werk, bron)
    bron.down = False
    werk.protocol.voeg_toe(_stap(Soort.GESCHORST))
    with pytest.raises(GeenWettelijkeContext, match="geschorst"):
        _dien_in(werk, bron, TWEEDE)
    with pytest.raises(GeenWettelijkeContext, match="geschorst"):
        aanvragen.herhaal_wachtende(uow=werk, bron=bron, door=VSB, nu=lambda: NU)
    with pytest.raises(GeenWettelijkeContext, match="geschorst"):
        aanvraag_controle.vraag_advies(
            uow=werk, bron=bron, insz=VOLWASSEN, datum=OPENING, door=VSB, nu=NU
        )
    for kijk in (
        lambda: aanvragen.toon(uow=werk, aanvraag_id=wachtend.id, door=ZOE, nu=NU),
        lambda: aanvragen.overzicht(uow=werk, zorgkas=None, onbeslist=False, door=ZOE, nu=NU),
    ):
        with pytest.raises(GeenWettelijkeContext):
            kijk()
    assert len(bron.vragen) == 1  # only the first try, before the suspension
    assert len(werk.bewaard.rijen) == 1
    # VSB's own staff still see VSB's own records
    assert aanvragen.overzicht(uow=werk, zorgkas=None, onbeslist=False, door=VSB, nu=NU)
    # resumed: asked again, under the same referte
    werk.protocol.voeg_toe(replace(_stap(Soort.HERVAT), op=NU - timedelta(hours=1)))
    herhaling = aanvragen.herhaal_wachtende(uow=werk, bron=bron, door=VSB, nu=lambda: NU)
    assert herhaling.beslist == 1
    assert bron.vragen[-1][2] == wachtend.referte


def test_after_the_f1_lapse_an_application_is_granted_without_the_condition() -> None:
    werk, bron = _werk(), Bron("NOK")
    bron.down = True
    wachtend = _dien_in(werk, bron)
    bron.down = False
    werk.protocol.voeg_toe(_stap(Soort.GROND_VERVALT, stroom=Stroom.F1, datum=date(2023, 7, 20)))
    nieuw = _dien_in(werk, bron, TWEEDE)
    assert (nieuw.status, nieuw.niet_gevraagd, nieuw.referte, nieuw.advies) == (
        AanvraagStatus.TOEGEKEND,
        NietGevraagd.VOORWAARDE_VERNIETIGD,
        None,
        None,
    )
    assert nieuw.json("CM")["brief"] is None
    # one waiting from before: decided the same way on retry, AII not asked
    herhaling = aanvragen.herhaal_wachtende(uow=werk, bron=bron, door=VSB, nu=lambda: NU)
    (beslist,) = herhaling.gevraagd
    assert (beslist.id, beslist.status, beslist.niet_gevraagd) == (
        wachtend.id,
        AanvraagStatus.TOEGEKEND,
        NietGevraagd.VOORWAARDE_VERNIETIGD,
    )
    assert len(bron.vragen) == 1  # only the first try, before the lapse
    # a zorgkas still sees its applications (for remediation, until retention takes them)
    assert aanvragen.toon(uow=werk, aanvraag_id=nieuw.id, door=ZOE, nu=NU) == nieuw
    # the decisions are audited with why AII was not asked
    besluiten = [r for r in werk.audit.posten_ if r.gebeurtenis == "vsb:aanvraag:decide"]
    assert [orjson.loads(r.inhoud or "")["niet_gevraagd"] for r in besluiten[-2:]] == [
        "voorwaarde_vernietigd",
        "voorwaarde_vernietigd",
    ]


def test_a_check_asks_again_the_question_of_a_recorded_application_and_nothing_else() -> None:
    werk, bron = _werk(), Bron("NOK")
    aanvraag = _dien_in(werk, bron)
    regels = len(werk.audit.posten_)
    gevonden, antwoord = aanvraag_controle.vraag_advies(
        uow=werk, bron=bron, insz=VOLWASSEN, datum=OPENING, door=ZOE, nu=NU
    )
    assert gevonden.id == aanvraag.id
    assert antwoord.json() == {
        "advies": "NOK",
        "reden": "INBREUK_VASTGESTELD",
        "uitzonderingen": [],
    }
    # under the application's own referte, audited before it left
    assert bron.vragen[-1] == (VOLWASSEN, OPENING, aanvraag.referte)
    (regel,) = werk.audit.posten_[regels:]
    assert regel.gebeurtenis == "vsb:advies:ask"
    assert orjson.loads(regel.inhoud or "")["aanvraag"] == aanvraag.id
    # no application on that date, another zorgkas's, an under-18 one AII was not asked
    # about: refused, not asked, nothing audited
    kind = _dien_in(werk, bron, KIND, opening=date(2026, 1, 1))
    gevraagd = len(bron.vragen)
    for insz, datum, door in (
        (VOLWASSEN, date(2024, 2, 2), ZOE),
        (VOLWASSEN, OPENING, behandelaar("LM", "lou")),
        (GEEN_LID, OPENING, VSB),
        (KIND, kind.opening, ZOE),
    ):
        with pytest.raises(AanvraagFout, match="a question to AII belongs to a recorded app"):
            aanvraag_controle.vraag_advies(
                uow=werk, bron=bron, insz=insz, datum=datum, door=door, nu=NU
            )
    assert len(bron.vragen) == gevraagd
    bron.down = True
    with pytest.raises(BronOnbeschikbaar):
        aanvraag_controle.vraag_advies(
            uow=werk, bron=bron, insz=VOLWASSEN, datum=OPENING, door=VSB, nu=NU
        )


def test_one_application_per_opening_and_none_while_another_is_open() -> None:
    """Each question to AII serves the one application being decided: a zorgkas cannot chart
    a member's compliance by applying for date after date."""
    werk, bron = _werk(), Bron("OK")
    eerste = _dien_in(werk, bron)
    for opening, fout in ((OPENING, "opens on 2024-02-01 already"),
                          (date(2024, 3, 1), "is still open \\(toegekend\\)")):  # fmt: skip
        with pytest.raises(AanvraagFout, match=fout):
            _dien_in(werk, bron, opening=opening)
    assert len(bron.vragen) == 1
    # VSB's staff too: the application is the zorgkas's
    with pytest.raises(AanvraagFout, match="still open"):
        _dien_in(werk, bron, opening=date(2024, 3, 1), door=VSB)
    # once the zorgbudget ended, a new right may open
    aanvragen.beeindig(uow=werk, aanvraag_id=eerste.id, einde=date(2025, 1, 31),
                       reden="einde", door=ZOE, nu=NU)  # fmt: skip
    tweede = _dien_in(werk, Bron("NOK"), opening=date(2025, 6, 1))
    assert tweede.status is AanvraagStatus.GEWEIGERD
    # after a refusal the person may apply again (the letter says so)
    assert _dien_in(werk, bron, opening=date(2026, 1, 1)).status.beslist
    # waiting for the source is open too
    bron.down = True
    wacht = _dien_in(werk, bron, TWEEDE)
    with pytest.raises(AanvraagFout, match="still open \\(wacht_op_bron\\)"):
        _dien_in(werk, bron, TWEEDE, opening=date(2024, 5, 1))
    assert wacht.status is AanvraagStatus.WACHT_OP_BRON
