"""Roles and permissions (SPEC §11): who may do what, with the reason for every refusal."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import ParamSpec, TypeVar

from kbi_exchange.domain.fouten import Forbidden


class Node(StrEnum):
    AII = "aii"
    VSB = "vsb"


class Rol(StrEnum):
    AII_OPERATOR = "aii-operator"
    AII_APPROVER = "aii-approver"
    AII_DPO = "aii-dpo"
    VSB_OPERATOR = "vsb-operator"
    VSB_DPO = "vsb-dpo"
    ZORGKAS_HANDLER = "zorgkas-handler"
    AUDITOR = "auditor"
    # a machine client of AII's advice service (its purposes narrow it further)
    AII_CLIENT = "aii-client"


class Permissie(StrEnum):
    """Named ``scope:resource:action``, as audit events are."""

    KBI_DOSSIER_IMPORTEER = "kbi:dossier:import"
    KBI_ADVIES_BEKIJK = "kbi:advies:view"
    KBI_LIJST_MAAK = "kbi:lijst:make"
    KBI_LIJST_KEUR_GOED = "kbi:lijst:approve"
    KBI_LIJST_LEVER = "kbi:lijst:deliver"
    KBI_AUDIT_ZOEK = "kbi:audit:search"
    KBI_PROTOCOL_BEHEER = "kbi:protocol:manage"
    KBI_MELDING_BEHANDEL = "kbi:melding:handle"
    VSB_LEDEN_IMPORTEER = "vsb:leden:import"
    VSB_LIJST_ONTVANG = "vsb:lijst:ingest"
    VSB_AANVRAAG_BEHANDEL = "vsb:aanvraag:handle"
    VSB_PREMIE_BEPAAL = "vsb:premie:decide"
    VSB_LIJST_VERDEEL = "vsb:lijst:distribute"
    VSB_AUDIT_ZOEK = "vsb:audit:search"
    VSB_PROTOCOL_BEHEER = "vsb:protocol:manage"
    AUDIT_VERIFIEER = "audit:log:verify"
    BEWARING_UITVOEREN = "retention:data:purge"
    # incidents: anyone on duty registers one; the DPO notifies the VTC and closes it
    INCIDENT_MELD = "incident:register:add"
    INCIDENT_BEHEER = "incident:register:manage"
    # the registers of processors and recipients: the DPO keeps them
    REGISTER_BEHEER = "register:entry:manage"
    # a disclosure to a registered recipient other than a zorgkas
    VSB_EXPORT = "vsb:export:disclose"
    # the list's states and steps, no INSZ (AII staff)
    KBI_LIJST_BEKIJK = "kbi:lijst:view"
    # a machine client of AII: a question for its purpose, the list's pull, data quality
    KBI_ADVIES_VRAAG = "kbi:advies:ask"
    KBI_LIJST_HAAL = "kbi:lijst:pull"
    KBI_MELDING_STUUR = "kbi:melding:send"
    # a zorgkas receives its members of the list and its files (API, VSB staff)
    VSB_LIJST_ZORGKAS = "vsb:lijst:receive"
    # the other party's node: its signed notifications (steps, incidents, registers)
    PARTIJ_MELDING = "party:notification:take"
    # send the other node what binds it and it has not taken yet (decided already: steps,
    # processors); a notification of an incident is part of registering it
    MELDING_VERSTUUR = "party:notification:send"
    # people of a node: the node's own operating-system account only
    TOEGANG_BEHEER = "access:account:manage"
    # the machine clients that receive data (AII's advice and list clients, VSB's zorgkas
    # clients): who may receive what is the DPO's to decide, and the OS account's (issue 22)
    CLIENT_BEHEER = "access:client:manage"


ROLLEN_VAN_NODE: dict[Node, frozenset[Rol]] = {
    Node.AII: frozenset({Rol.AII_OPERATOR, Rol.AII_APPROVER, Rol.AII_DPO, Rol.AUDITOR}),
    Node.VSB: frozenset({Rol.VSB_OPERATOR, Rol.VSB_DPO, Rol.ZORGKAS_HANDLER, Rol.AUDITOR}),
}
# machine clients have a role too, never a person's (`kbi users add` refuses it)
ROLLEN_VAN_CLIENTS: dict[Node, frozenset[Rol]] = {
    Node.AII: frozenset({Rol.AII_CLIENT}),
    Node.VSB: frozenset({Rol.ZORGKAS_HANDLER}),
}

# Separation of duties: whoever changes KBI data cannot approve a list, and the other way round.
PERMISSIES: dict[Rol, frozenset[Permissie]] = {
    Rol.AII_OPERATOR: frozenset(
        {
            Permissie.KBI_DOSSIER_IMPORTEER,
            Permissie.KBI_ADVIES_BEKIJK,
            Permissie.KBI_LIJST_MAAK,
            Permissie.KBI_LIJST_LEVER,
            # data-quality reports: investigated and corrected by whoever changes KBI data
            Permissie.KBI_MELDING_BEHANDEL,
            Permissie.KBI_LIJST_BEKIJK,
            Permissie.INCIDENT_MELD,
        }
    ),
    Rol.AII_APPROVER: frozenset(
        {Permissie.KBI_LIJST_KEUR_GOED, Permissie.KBI_LIJST_LEVER, Permissie.KBI_LIJST_BEKIJK}
    ),
    # AII's DPO suspends and resumes the flows, gives notice and ends the protocol (art. 8)
    Rol.AII_DPO: frozenset(
        {
            Permissie.KBI_AUDIT_ZOEK,
            Permissie.KBI_ADVIES_BEKIJK,
            Permissie.AUDIT_VERIFIEER,
            Permissie.KBI_PROTOCOL_BEHEER,
            Permissie.MELDING_VERSTUUR,
            Permissie.KBI_LIJST_BEKIJK,
            Permissie.BEWARING_UITVOEREN,
            Permissie.INCIDENT_MELD,
            Permissie.INCIDENT_BEHEER,
            Permissie.REGISTER_BEHEER,
            Permissie.CLIENT_BEHEER,
        }
    ),
    Rol.VSB_OPERATOR: frozenset(
        {
            Permissie.VSB_LEDEN_IMPORTEER,
            Permissie.VSB_LIJST_ONTVANG,
            Permissie.VSB_LIJST_VERDEEL,
            Permissie.VSB_LIJST_ZORGKAS,
            Permissie.VSB_AANVRAAG_BEHANDEL,
            Permissie.VSB_PREMIE_BEPAAL,
            Permissie.INCIDENT_MELD,
            # passes a list to a registered recipient other than a zorgkas (art. 4)
            Permissie.VSB_EXPORT,
        }
    ),
    # VSB's DPO records what binds VSB in the protocol's life (a lapsed basis) at VSB
    Rol.VSB_DPO: frozenset(
        {
            Permissie.VSB_AUDIT_ZOEK,
            Permissie.AUDIT_VERIFIEER,
            Permissie.VSB_PROTOCOL_BEHEER,
            Permissie.MELDING_VERSTUUR,
            Permissie.BEWARING_UITVOEREN,
            Permissie.INCIDENT_MELD,
            Permissie.INCIDENT_BEHEER,
            Permissie.REGISTER_BEHEER,
            Permissie.CLIENT_BEHEER,
        }
    ),
    # bound to one zorgkas: sees and handles its own applications and members only
    Rol.ZORGKAS_HANDLER: frozenset(
        {Permissie.VSB_AANVRAAG_BEHANDEL, Permissie.VSB_PREMIE_BEPAAL, Permissie.VSB_LIJST_ZORGKAS}
    ),
    Rol.AUDITOR: frozenset({Permissie.AUDIT_VERIFIEER}),
    # what a purpose of the client allows is narrowed by `client_permissies`
    Rol.AII_CLIENT: frozenset(
        {Permissie.KBI_ADVIES_VRAAG, Permissie.KBI_LIJST_HAAL, Permissie.KBI_MELDING_STUUR}
    ),
}

# What only a named person may do, never the node's operating-system account: what the
# protocol or the four eyes attribute to someone (making and approving a list, the DPO's
# steps in the protocol's life, a disclosure to a recipient other than a zorgkas). The OS
# account runs the node on its own machine — imports, deliveries of approved lists, the
# distribution, the retention run, applications for VSB staff, the audit — where a person
# could do nothing the account could not do with the database itself; it is recorded as
# ``os:<account>``. It alone manages people; machine clients, its DPO too.
ALLEEN_PERSONEN = frozenset(
    {
        Permissie.KBI_LIJST_MAAK,
        Permissie.KBI_LIJST_KEUR_GOED,
        Permissie.KBI_PROTOCOL_BEHEER,
        Permissie.VSB_PROTOCOL_BEHEER,
        Permissie.VSB_EXPORT,
    }
)
_VAN_NODE: dict[Node, frozenset[Permissie]] = {
    node: frozenset().union(*(PERMISSIES[r] for r in ROLLEN_VAN_NODE[node])) for node in Node
}
OS_PERMISSIES: dict[Node, frozenset[Permissie]] = {
    node: (_VAN_NODE[node] - ALLEEN_PERSONEN) | {Permissie.TOEGANG_BEHEER} for node in Node
}
# the other party's node, by its signature: it notifies, it reads nothing
PARTIJ_PERMISSIES = frozenset({Permissie.PARTIJ_MELDING})


@dataclass(frozen=True, slots=True)
class Gebruiker:
    """A person with one role on one node; a zorgkas handler is bound to one zorgkas."""

    naam: str
    node: Node
    rol: Rol
    zorgkas: str | None = None


@dataclass(frozen=True, slots=True)
class Account:
    """A person as a node keeps them: their password's hash and their failed log-ins."""

    gebruiker: Gebruiker
    wachtwoord_hash: str
    mislukte_pogingen: int
    geblokkeerd_tot: datetime | None
    aangemaakt_op: datetime


@dataclass(frozen=True, slots=True)
class Toestemming:
    """A permission decision and its reason."""

    toegestaan: bool
    reden: str

    def __bool__(self) -> bool:
        return self.toegestaan


class Aanmelding(StrEnum):
    """How an actor proved who they are."""

    PERSOON = "person"  # a name and password (`--as`, the web log-in)
    CLIENT = "client"  # a machine client's token
    OS = "os"  # the node's own operating-system account, on its own machine
    PARTIJ = "party"  # the other party's node, by its signature


@dataclass(frozen=True, slots=True)
class Actor:
    """Who acts in a command or request, authenticated by the entry point: their name as the
    audit log records it (a person's name, ``os:<account>``, ``client:<name>``,
    ``partij:<node>``), the node they act on, their role, for a zorgkas handler the one
    zorgkas whose members and applications they may see, and how they proved it. What they
    may do is decided in the use case (`vereis`), from `PERMISSIES` and this alone."""

    naam: str
    node: Node
    rol: Rol | None = None
    zorgkas: str | None = None
    aanmelding: Aanmelding = Aanmelding.PERSOON
    # a machine client of AII: only what its registered purposes need (`client_permissies`)
    beperkt_tot: frozenset[Permissie] | None = None

    @classmethod
    def persoon(cls, gebruiker: Gebruiker) -> Actor:
        return cls(gebruiker.naam, gebruiker.node, gebruiker.rol, gebruiker.zorgkas)

    @classmethod
    def os_account(cls, node: Node, account: str) -> Actor:
        return cls(f"os:{account}", node, aanmelding=Aanmelding.OS)

    @classmethod
    def partij(cls, van: Node, node: Node) -> Actor:
        return cls(f"partij:{van.value}", node, aanmelding=Aanmelding.PARTIJ)

    @classmethod
    def client(
        cls,
        naam: str,
        node: Node,
        *,
        zorgkas: str | None = None,
        beperkt_tot: frozenset[Permissie] | None = None,
    ) -> Actor:
        rol = Rol.ZORGKAS_HANDLER if node is Node.VSB else Rol.AII_CLIENT
        return cls(naam, node, rol, zorgkas, Aanmelding.CLIENT, beperkt_tot)

    @property
    def permissies(self) -> frozenset[Permissie]:
        if self.aanmelding is Aanmelding.OS:
            return OS_PERMISSIES[self.node]
        if self.aanmelding is Aanmelding.PARTIJ:
            return PARTIJ_PERMISSIES
        if self.rol is None:
            return frozenset()
        eigen = PERMISSIES[self.rol]
        return eigen if self.beperkt_tot is None else eigen & self.beperkt_tot

    def ziet(self, zorgkas: str | None) -> bool:
        """Whether this actor may see what belongs to ``zorgkas`` (VSB staff see all)."""
        return self.zorgkas is None or self.zorgkas == zorgkas


def mag(actor: Actor | Gebruiker, permissie: Permissie) -> Toestemming:
    """Whether the actor may do this, and why (not)."""
    if isinstance(actor, Gebruiker):
        actor = Actor.persoon(actor)
    if permissie in actor.permissies:
        return Toestemming(True, f"{_wie(actor)} grants {permissie}")
    if actor.aanmelding is Aanmelding.OS and permissie in ALLEEN_PERSONEN:
        return Toestemming(
            False,
            f"{permissie} is done by a named person, not by the operating-system account "
            f"({actor.naam}): act as a person with that permission",
        )
    return Toestemming(
        False, f"{actor.naam} acts as {_wie(actor)}, which does not grant {permissie}"
    )


def _wie(actor: Actor) -> str:
    if actor.aanmelding is Aanmelding.OS:
        return f"the operating-system account of {actor.node.value}"
    if actor.aanmelding is Aanmelding.PARTIJ:
        return "the other party's node"
    if actor.beperkt_tot is not None:
        return f"role {actor.rol} with its purposes"
    return f"role {actor.rol}"


def vereis(actor: Actor, permissie: Permissie) -> None:
    """Refuse (`Forbidden`, with the reason) what the actor may not do."""
    if not isinstance(actor, Actor):  # a name where an authenticated actor belongs: a bug
        raise TypeError(f"an authenticated Actor is required, not {type(actor).__name__}")
    besluit = mag(actor, permissie)
    if not besluit:
        raise Forbidden(besluit.reden)


P = ParamSpec("P")
R = TypeVar("R")
Vereiste = Permissie | Mapping[Node, Permissie]


def vereist(permissie: Vereiste) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Mark a use case as needing ``permissie`` (per node of the actor, when it differs): the
    actor it is called with (``door=``) is checked before anything else runs, whoever calls
    it — a command, an API route or a page. The permission stays readable on the function
    (``__vereist__``), so a test can walk every use case."""

    def omhul(functie: Callable[P, R]) -> Callable[P, R]:
        @functools.wraps(functie)
        def gecontroleerd(*args: P.args, **kwargs: P.kwargs) -> R:
            door = kwargs.get("door")
            if not isinstance(door, Actor):
                raise TypeError(f"{functie.__name__}: door= must be an authenticated Actor")
            nodig = _nodig(permissie, door.node)
            if nodig is None:
                raise Forbidden(f"{functie.__name__} is not done on the {door.node.value} node")
            vereis(door, nodig)
            return functie(*args, **kwargs)

        gecontroleerd.__vereist__ = permissie  # type: ignore[attr-defined]
        return gecontroleerd

    return omhul


def client_permissies(doelen: Iterable[str]) -> frozenset[Permissie]:
    """What a machine client of AII may do, from the purposes it was registered for: a
    question for ZORGBUDGET (and data quality about its answers), the list's pull for
    VERLAAGDE_PREMIE."""
    doelen = set(doelen)
    toegestaan: set[Permissie] = set()
    if "ZORGBUDGET" in doelen:
        toegestaan |= {Permissie.KBI_ADVIES_VRAAG, Permissie.KBI_MELDING_STUUR}
    if "VERLAAGDE_PREMIE" in doelen:
        toegestaan.add(Permissie.KBI_LIJST_HAAL)
    return frozenset(toegestaan)


def toont(actor: Actor, use_case: Callable[..., object]) -> bool:
    """Whether a menu shows ``use_case`` to ``actor``: what its `vereist` would say. For
    display only — the use case decides again, with the reason, when it is called."""
    permissie = getattr(use_case, "__vereist__", None)
    if permissie is None:
        raise TypeError(f"{getattr(use_case, '__name__', use_case)} is not a use case (@vereist)")
    nodig = _nodig(permissie, actor.node)
    return nodig is not None and bool(mag(actor, nodig))


def _nodig(permissie: Vereiste, node: Node) -> Permissie | None:
    """What a use case needs on ``node`` (None: it is not done there)."""
    return permissie if isinstance(permissie, Permissie) else permissie.get(node)
