"""Who may do what, decided once, in the use case (SPEC §11, issue 21): every public function
of the services either names the permission it needs (`vereist`) or is listed below with the
reason it needs none. Each protected one is called as every kind of actor — each role as a
person on its node, a zorgkas handler, each node's operating-system account, the other
party's node, the machine clients — and refuses (`Forbidden`) exactly those whose permissions
do not hold it, before it touches anything: its other arguments are tripwires that fail the
test if they are reached."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from collections.abc import Callable, Iterator
from typing import Any, NoReturn

import pytest

import kbi_exchange.services
from kbi_exchange.domain.access import (
    ROLLEN_VAN_NODE,
    Actor,
    Node,
    Permissie,
    Rol,
    client_permissies,
)
from kbi_exchange.domain.fouten import Forbidden

# Public service functions that need no permission, and why. Everything else must be
# marked with `vereist`; a new function in neither place fails the test below.
ZONDER_PERMISSIE = {
    "aanvragen.geldig_insz": "pure: checks a written number",
    "bericht.antwoord_bericht": "pure: shapes an answer",
    "advies.canoniek_insz": "pure: a number's canonical form",
    "advies.gewicht": "pure: what a question costs the rate limit",
    "advies.voer_groep_uit": "carries out authenticated clients' questions: each client's "
    "purposes are checked per question (20005, 40006; test_advies_dienst)",
    "advies.vraag_hash": "pure: a question's hash",
    "bericht.weigering": "pure: shapes a refusal",
    "audit.boomkop": "runs inside the caller's checked unit of work (a proof, a witness)",
    "audit.geleegde_ids": "pure: reads a retention entry",
    "audit.getuigde_koppen": "public: the other node's signed heads (sizes and roots) kept "
    "here, which its own `kbi audit verify` reads; nothing about anyone",
    "audit.laatste_getuigde_kop": "public: as audit.getuigde_koppen, the largest one",
    "audit.meld_mislukte_aanmeldingen": "records failed authentications (no one is authenticated)",
    "audit.mislukte_aanmeldingen_inhoud": "pure: shapes a security event",
    "audit.zoek_audit": "the search `zoek_over_persoon` runs inside its own check",
    "bewaring.opdrachten": "pure: what a retention run would remove, from settings",
    "clients.actieve_clients": "authentication itself: the tokens a request is checked against",
    "clients.token_hash": "pure: a token's hash",
    "decide.antwoord_json": "pure: shapes an answer",
    "decide.decide": "pure: the rules on a dossier the caller already holds",
    "incidenten.aantal_achterstallig": "the node's own overdue count (no content)",
    "incidenten.waarschuwingen": "the node's own deadlines (ids, no content)",
    "kwaliteit.achterstallig": "the node's own overdue reports (ids and due moments)",
    "kwaliteit.controleer_correctie": "pure: checks a correction file against a report",
    "line_import.begin_record": "pure: an import's first record",
    "line_import.sluit_record": "pure: an import's last record",
    "protocol.staat_van": "runs inside the caller's checked unit of work",
    "protocol.status": "the protocol's state is public (art. 10, the transparency page)",
    "protocol.te_melden_nu": "the node's own steps still to tell (status warnings)",
    "protocol.vereis_gang": "runs inside the caller's checked unit of work",
    "protocol.vereis_stroom": "runs inside the caller's checked unit of work",
    "registers.te_melden_verwerkers": "the node's own processors still to tell (warnings)",
    "synth.insz_geboren": "pure: synthetic data",
    "synth.synth_dossiers": "synthetic data, written to a file the caller names",
    "synth.synth_leden": "synthetic data, written to a file the caller names",
    "users.authenticeer": "authentication itself",
    "websessies.meld_aan": "authentication itself: who logs in is not known yet",
    "websessies.open_sessie": "authentication: after the identity provider said who it is",
    "websessies.wie": "authentication: the session's token says who is asking",
    "websessies.meld_af": "ends the session of the token it is given, nothing else",
}


def _functies() -> Iterator[tuple[str, Callable[..., Any]]]:
    for module in pkgutil.iter_modules(kbi_exchange.services.__path__):
        mod = importlib.import_module(f"kbi_exchange.services.{module.name}")
        for naam, functie in inspect.getmembers(mod, inspect.isfunction):
            if functie.__module__ == mod.__name__ and not naam.startswith("_"):
                yield f"{module.name}.{naam}", functie


def _beschermd() -> list[tuple[str, Callable[..., Any]]]:
    return [(naam, f) for naam, f in _functies() if hasattr(f, "__vereist__")]


def _actoren() -> list[Actor]:
    """Every kind of actor there is."""
    actoren = [Actor.os_account(node, "root") for node in Node]
    actoren += [Actor.partij(van, node) for van in Node for node in Node if van is not node]
    for node, rollen in ROLLEN_VAN_NODE.items():
        for rol in sorted(rollen):
            zorgkas = "CM" if rol is Rol.ZORGKAS_HANDLER else None
            actoren.append(Actor(f"p-{rol}", node, rol, zorgkas))
    actoren.append(Actor.client("client:cm", Node.VSB, zorgkas="CM"))
    for doelen in ([], ["ZORGBUDGET"], ["VERLAAGDE_PREMIE"], ["ZORGBUDGET", "VERLAAGDE_PREMIE"]):
        actoren.append(
            Actor.client(f"c-{'+'.join(doelen)}", Node.AII, beperkt_tot=client_permissies(doelen))
        )
    return actoren


class Bereikt(Exception):
    """A tripwire was touched: the use case let the actor through and started its work."""


class Struikeldraad:
    """An argument no use case may touch before it checked its actor."""

    def _raak(self, *_: object, **__: object) -> NoReturn:
        raise Bereikt

    __getattr__ = __call__ = __enter__ = __exit__ = __iter__ = __len__ = _raak
    __eq__ = __lt__ = __hash__ = __bool__ = __str__ = __format__ = __index__ = _raak


def _roep(functie: Callable[..., Any], door: Actor) -> BaseException | None:
    argumenten = {
        naam: Struikeldraad()
        for naam, p in inspect.signature(functie).parameters.items()
        if naam != "door" and p.default is inspect.Parameter.empty
    }
    try:
        functie(door=door, **argumenten)
    except Exception as fout:
        return fout
    return None


def test_every_public_use_case_names_its_permission_or_why_it_needs_none() -> None:
    namen = {naam for naam, _ in _functies()}
    onbeschermd = {naam for naam, f in _functies() if not hasattr(f, "__vereist__")}
    assert onbeschermd == set(ZONDER_PERMISSIE), (
        "mark a new use case with @vereist(...), or say here why it needs no permission"
    )
    assert set(ZONDER_PERMISSIE) <= namen
    assert len(_beschermd()) >= 60


@pytest.mark.parametrize(("naam", "functie"), _beschermd(), ids=[n for n, _ in _beschermd()])
def test_each_use_case_refuses_every_actor_whose_permissions_lack_it(
    naam: str, functie: Callable[..., Any]
) -> None:
    vereist = functie.__vereist__  # type: ignore[attr-defined]
    geweigerd, toegelaten = [], []
    for actor in _actoren():
        nodig = vereist if isinstance(vereist, Permissie) else vereist.get(actor.node)
        mag = nodig is not None and nodig in actor.permissies
        uitkomst = _roep(functie, actor)
        if mag:
            assert not isinstance(uitkomst, Forbidden), (naam, actor, uitkomst)
            toegelaten.append(actor)
        else:
            assert isinstance(uitkomst, Forbidden), (naam, actor, uitkomst)
            geweigerd.append(actor)
    # each use case is open to someone and closed to someone
    assert toegelaten, naam
    assert geweigerd, naam


def test_a_use_case_called_without_an_authenticated_actor_is_a_bug() -> None:
    from kbi_exchange.services import premie  # noqa: PLC0415

    with pytest.raises(TypeError, match="Actor"):
        premie.bepaal(door="os:root", uow=Struikeldraad(), insz="x",  # type: ignore[arg-type]
                      jaar=2024, bedragen={}, nu=Struikeldraad())  # type: ignore[arg-type]  # fmt: skip


def test_what_the_os_account_may_not_do_is_done_by_a_named_person() -> None:
    from kbi_exchange.services import lijst  # noqa: PLC0415

    fout = _roep(lijst.keur_goed, Actor.os_account(Node.AII, "root"))
    assert isinstance(fout, Forbidden)
    assert "named person" in str(fout)
    assert "kbi:lijst:approve" in str(fout)
