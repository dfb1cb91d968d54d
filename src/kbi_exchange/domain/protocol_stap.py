"""A step in the protocol's life as the other party's node sends it (SPEC §12): what one
node still has to tell the other, and a signed step read back into an event, believed only
for what it may say."""

from __future__ import annotations

from datetime import date, datetime

from kbi_exchange.domain.access import Node
from kbi_exchange.domain.dates import (
    OngeldigeTijd,
    datum_uit_tekst,
)
from kbi_exchange.domain.gemeld import KLOKVERSCHIL, afzender_id, gemeld_moment, gemeld_object
from kbi_exchange.domain.protocol import (
    TE_MELDEN,
    ProtocolDefinitie,
    ProtocolFout,
    ProtocolGebeurtenis,
    Soort,
    Stroom,
)


def te_melden(node: Node, gebeurtenissen: list[ProtocolGebeurtenis]) -> list[ProtocolGebeurtenis]:
    """This node's own steps the other party's node has not taken yet, oldest first."""
    return [
        g
        for g in gebeurtenissen
        if not g.ontvangen
        and g.ontvangen_op is None
        and g.geweigerd is None
        and g.soort in TE_MELDEN[node]
    ]


_STAP_VELDEN = {"id", "soort", "op", "reden", "partij", "stroom", "datum"}


def ontvangen_stap(
    inhoud: object, *, van: Node, nu: datetime, definitie: ProtocolDefinitie
) -> ProtocolGebeurtenis:
    """The other party's step as it signed it, checked field by field, as this node records
    it: under the sender's id, at the moment it is taken here (a date the sender writes is
    its claim; a notice runs from its receipt). Anything malformed is refused whole."""
    inhoud = gemeld_object(inhoud, _STAP_VELDEN, ProtocolFout)
    id_ = afzender_id(inhoud, ProtocolFout)
    try:
        soort = Soort(str(inhoud.get("soort")))
    except ValueError:
        raise ProtocolFout(f"soort: one of {', '.join(s.value for s in TE_MELDEN[van])}") from None
    if soort not in TE_MELDEN[van]:
        raise ProtocolFout(f"soort: {van.value} cannot take the step {soort.value!r} (art. 8)")
    op = gemeld_moment(inhoud, "op", ProtocolFout, nu)
    if soort is Soort.OPGEZEGD and op < nu - KLOKVERSCHIL:
        raise ProtocolFout(
            "op: a notice takes effect when it is received, so it is sent dated now; this "
            "one is dated in the past"
        )
    reden = inhoud.get("reden")
    if not isinstance(reden, str) or not reden.strip() or len(reden) > 500:
        raise ProtocolFout("reden: 1 to 500 characters")
    partij = inhoud.get("partij")
    if soort is Soort.OPGEZEGD and partij != van.value:
        raise ProtocolFout(f"partij: the sender is {van.value}")
    stroom: Stroom | None = None
    datum: date | None = None
    if soort is Soort.GROND_VERVALT:
        try:
            stroom = Stroom(str(inhoud.get("stroom")))
        except ValueError:
            raise ProtocolFout("stroom: F1 or F2") from None
        try:
            datum = datum_uit_tekst(inhoud.get("datum"))
        except OngeldigeTijd as fout:
            raise ProtocolFout(f"datum: {fout}") from None
        if datum < definitie.in_werking:
            raise ProtocolFout(
                f"datum: before the protocol came into force ({definitie.in_werking})"
            )
    if soort is Soort.GROND_VERVALT and van is Node.VSB:
        soort = Soort.GROND_GEMELD
    return ProtocolGebeurtenis(
        id=id_,
        soort=soort,
        op=nu,
        door=f"partij:{van.value}",
        reden=reden.strip(),
        partij=van.value if soort is Soort.OPGEZEGD else None,
        stroom=stroom,
        datum=datum,
        ontvangen_op=nu,
    )
