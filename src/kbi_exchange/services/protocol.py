"""The protocol's life (SPEC §12, protocol art. 8 and 12): its state, and the steps that
change it — each stored and audited in one transaction, and in force from that moment for
every flow (REST, SOAP, batch, the list's delivery and pull)."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from kbi_exchange.adapters.keys import Keys
from kbi_exchange.domain.audit import AuditGebeurtenis
from kbi_exchange.domain.protocol import (
    GeenWettelijkeContext,
    ProtocolDefinitie,
    ProtocolFout,
    ProtocolGebeurtenis,
    ProtocolStaat,
    Soort,
    Stroom,
    controleer_stap,
    staat_op,
)
from kbi_exchange.parameters import protocol_definitie
from kbi_exchange.services.audit import schrijf_audit
from kbi_exchange.services.ports import ProtocolWerk


def status(*, uow: ProtocolWerk, definitie: ProtocolDefinitie, nu: datetime) -> ProtocolStaat:
    with uow as werk:
        return staat_op(definitie, werk.protocol.gebeurtenissen(), nu)


def stap(
    *,
    uow: ProtocolWerk,
    keys: Keys,
    definitie: ProtocolDefinitie,
    soort: Soort,
    door: str,
    reden: str,
    nu: datetime,
    partij: str | None = None,
    stroom: Stroom | None = None,
    datum: date | None = None,
) -> tuple[ProtocolGebeurtenis, ProtocolStaat]:
    """Record one step; returns it and the state it leaves."""
    if not reden.strip() or len(reden) > 500:
        raise ProtocolFout("--reason: 1 to 500 characters, saying why")
    with uow as werk:
        eerder = werk.protocol.gebeurtenissen()
        controleer_stap(staat_op(definitie, eerder, nu), soort)
        g = ProtocolGebeurtenis(
            id=str(uuid.uuid4()),
            soort=soort,
            op=nu,
            door=door,
            reden=reden.strip(),
            partij=partij,
            stroom=stroom,
            datum=datum,
        )
        werk.protocol.voeg_toe(g)
        schrijf_audit(
            audit=werk.audit,
            keys=keys,
            gebeurtenis=AuditGebeurtenis.PROTOCOL_STAP,
            actor=door,
            tijdstip=nu,
            inhoud=g.json(),
        )
        werk.commit()
    return g, staat_op(definitie, [*eerder, g], nu)


def vereis_stroom(werk: ProtocolWerk, stroom: Stroom, nu: datetime) -> None:
    """Refuse a disclosure of ``stroom`` at ``nu`` that the protocol does not allow, inside the
    caller's open unit of work."""
    reden = staat_op(protocol_definitie(), werk.protocol.gebeurtenissen(), nu).weigering(stroom)
    if reden is not None:
        raise GeenWettelijkeContext(reden)
