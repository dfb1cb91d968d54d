"""Telling the other party's node from the command line (SPEC §12): what it took, and when it
could not be reached, a warning saying which command sends the rest."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import TypeVar

from rich.console import Console

from kbi_exchange.bootstrap import messenger, uow
from kbi_exchange.domain.access import Actor, Node
from kbi_exchange.domain.incident import PartijOnbereikbaar
from kbi_exchange.settings import load_settings

T = TypeVar("T")
console = Console(soft_wrap=True, width=None if Console().is_terminal else 160)
fouten = Console(stderr=True)


def vertel(
    node: Node,
    pad: str,
    meld: Callable[..., Sequence[T]],
    zeg: Callable[[T, Node], str],
    opnieuw: str,
    door: Actor,
) -> bool:
    """Run ``meld`` (a service that tells the other node what it has not taken yet) towards
    the route ``pad``, as ``door``; print each thing taken with ``zeg``; True when nothing is
    left."""
    settings = load_settings()
    andere = Node.VSB if node is Node.AII else Node.AII
    try:
        gemeld = meld(
            uow=uow(settings, node),
            node=node,
            messenger=messenger(settings, node, pad),
            nu=lambda: datetime.now(UTC),
            door=door,
        )
    except PartijOnbereikbaar as fout:
        fouten.print(
            f"warning: {andere.value} has not taken this yet: {fout}; run `{opnieuw}`",
            markup=False,
        )
        return False
    for ding in gemeld:
        console.print(zeg(ding, andere), markup=False)
    return True
