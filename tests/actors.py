"""Authenticated actors for the service tests (SPEC §11): who each use case is called as."""

from __future__ import annotations

from kbi_exchange.domain.access import Actor, Node, Rol

AII_OS = Actor.os_account(Node.AII, "test")
VSB_OS = Actor.os_account(Node.VSB, "test")
OLGA = Actor("olga", Node.AII, Rol.AII_OPERATOR)
ANNA = Actor("anna", Node.AII, Rol.AII_APPROVER)
DORA = Actor("dora", Node.AII, Rol.AII_DPO)
VERA = Actor("vera", Node.VSB, Rol.VSB_OPERATOR)
VIC = Actor("vic", Node.VSB, Rol.VSB_DPO)
VAN_VSB = Actor.partij(Node.VSB, Node.AII)  # VSB's node, as AII's node takes it
VAN_AII = Actor.partij(Node.AII, Node.VSB)


def behandelaar(zorgkas: str, naam: str = "zoe") -> Actor:
    """A zorgkas handler, bound to ``zorgkas``."""
    return Actor(naam, Node.VSB, Rol.ZORGKAS_HANDLER, zorgkas)


def dpo(node: Node) -> Actor:
    return DORA if node is Node.AII else VIC


def zorgkas_client(zorgkas: str) -> Actor:
    """A zorgkas's machine client of the VSB API."""
    return Actor.client(f"client:{zorgkas.lower()}", Node.VSB, zorgkas=zorgkas)
