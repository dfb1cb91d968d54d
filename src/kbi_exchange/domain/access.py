"""Roles and permissions (SPEC §11): who may do what, with the reason for every refusal."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


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


ROLLEN_VAN_NODE: dict[Node, frozenset[Rol]] = {
    Node.AII: frozenset({Rol.AII_OPERATOR, Rol.AII_APPROVER, Rol.AII_DPO, Rol.AUDITOR}),
    Node.VSB: frozenset({Rol.VSB_OPERATOR, Rol.VSB_DPO, Rol.ZORGKAS_HANDLER, Rol.AUDITOR}),
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
            Permissie.INCIDENT_MELD,
        }
    ),
    Rol.AII_APPROVER: frozenset({Permissie.KBI_LIJST_KEUR_GOED, Permissie.KBI_LIJST_LEVER}),
    # AII's DPO suspends and resumes the flows, gives notice and ends the protocol (art. 8)
    Rol.AII_DPO: frozenset(
        {
            Permissie.KBI_AUDIT_ZOEK,
            Permissie.KBI_ADVIES_BEKIJK,
            Permissie.AUDIT_VERIFIEER,
            Permissie.KBI_PROTOCOL_BEHEER,
            Permissie.BEWARING_UITVOEREN,
            Permissie.INCIDENT_MELD,
            Permissie.INCIDENT_BEHEER,
            Permissie.REGISTER_BEHEER,
        }
    ),
    Rol.VSB_OPERATOR: frozenset(
        {
            Permissie.VSB_LEDEN_IMPORTEER,
            Permissie.VSB_LIJST_ONTVANG,
            Permissie.VSB_LIJST_VERDEEL,
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
            Permissie.BEWARING_UITVOEREN,
            Permissie.INCIDENT_MELD,
            Permissie.INCIDENT_BEHEER,
            Permissie.REGISTER_BEHEER,
        }
    ),
    # bound to one zorgkas: sees and handles its own applications and members only
    Rol.ZORGKAS_HANDLER: frozenset({Permissie.VSB_AANVRAAG_BEHANDEL, Permissie.VSB_PREMIE_BEPAAL}),
    Rol.AUDITOR: frozenset({Permissie.AUDIT_VERIFIEER}),
}


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


def mag(gebruiker: Gebruiker, permissie: Permissie) -> Toestemming:
    """Whether the person may do this, and why (not)."""
    if permissie in PERMISSIES[gebruiker.rol]:
        return Toestemming(True, f"role {gebruiker.rol} grants {permissie}")
    return Toestemming(
        False, f"{gebruiker.naam} has role {gebruiker.rol}, which does not grant {permissie}"
    )


@dataclass(frozen=True, slots=True)
class Actor:
    """Who acts in a command or request: a person's name (or ``os:<account>``), and for a
    zorgkas handler the one zorgkas whose members and applications they may see."""

    naam: str
    zorgkas: str | None = None

    def ziet(self, zorgkas: str | None) -> bool:
        """Whether this actor may see what belongs to ``zorgkas`` (VSB staff see all)."""
        return self.zorgkas is None or self.zorgkas == zorgkas
