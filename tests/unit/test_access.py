from __future__ import annotations

import re
from pathlib import Path

import kbi_exchange
from kbi_exchange.domain.access import (
    OS_PERMISSIES,
    PARTIJ_PERMISSIES,
    PERMISSIES,
    ROLLEN_VAN_CLIENTS,
    ROLLEN_VAN_NODE,
    Gebruiker,
    Node,
    Permissie,
    Rol,
    mag,
)


def test_no_role_both_changes_kbi_data_and_approves_a_list() -> None:
    for rol, permissies in PERMISSIES.items():
        assert not (
            Permissie.KBI_DOSSIER_IMPORTEER in permissies
            and Permissie.KBI_LIJST_KEUR_GOED in permissies
        ), rol
        assert not (
            Permissie.KBI_LIJST_MAAK in permissies and Permissie.KBI_LIJST_KEUR_GOED in permissies
        ), rol


def test_every_role_lives_on_a_node_and_has_permissions() -> None:
    op_een_node = set().union(*ROLLEN_VAN_NODE.values(), *ROLLEN_VAN_CLIENTS.values())
    assert op_een_node == set(Rol)
    assert set(PERMISSIES) == set(Rol)


def test_a_refusal_says_which_role_lacks_which_permission() -> None:
    anna = Gebruiker("anna", Node.AII, Rol.AII_APPROVER)
    besluit = mag(anna, Permissie.KBI_DOSSIER_IMPORTEER)
    assert not besluit
    assert "aii-approver" in besluit.reden
    assert "kbi:dossier:import" in besluit.reden
    assert mag(anna, Permissie.KBI_LIJST_KEUR_GOED)


# Permissions declared before the feature that checks them is built. This set only shrinks
# (it is empty now): a permission no code checks is dead.
NOG_NIET_GEBRUIKT: set[Permissie] = set()


def test_every_permission_is_checked_by_some_command_or_service() -> None:
    src = Path(kbi_exchange.__file__).parent
    gebruikt = {
        Permissie[naam]
        for pad in src.rglob("*.py")
        if pad.name != "access.py"
        for naam in re.findall(r"Permissie\.([A-Z_]+)", pad.read_text(encoding="utf-8"))
    }
    assert set(Permissie) - gebruikt == NOG_NIET_GEBRUIKT


def test_every_permission_is_granted_to_some_role() -> None:
    """A permission no role holds is the OS account's own (people and clients), or the other
    party's node's (its notifications); none is held by no one."""
    gegeven = {p for permissies in PERMISSIES.values() for p in permissies}
    assert set(Permissie) - gegeven == {Permissie.TOEGANG_BEHEER, Permissie.PARTIJ_MELDING}
    assert all(Permissie.TOEGANG_BEHEER in OS_PERMISSIES[node] for node in Node)
    assert {Permissie.PARTIJ_MELDING} == PARTIJ_PERMISSIES
