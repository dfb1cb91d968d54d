"""`kbi vsb check`: AII asked again the question of a recorded application, under its own
referte (protocol art. 3, 5: an F1 question belongs to an application, nothing else)."""

from __future__ import annotations

from datetime import date, datetime

from kbi_exchange.domain.aanvraag import (
    Aanvraag,
    AanvraagFout,
    BronAntwoord,
)
from kbi_exchange.domain.access import Actor, Permissie, vereist
from kbi_exchange.domain.audit import AuditGebeurtenis
from kbi_exchange.domain.protocol import Stroom
from kbi_exchange.services.aanvragen import geldig_insz
from kbi_exchange.services.ports import AanvraagWerk, AdviesBron
from kbi_exchange.services.protocol import vereis_stroom


@vereist(Permissie.VSB_AANVRAAG_BEHANDEL)
def vraag_advies(
    *,
    uow: AanvraagWerk,
    bron: AdviesBron,
    insz: str,
    datum: date,
    door: Actor,
    nu: datetime,
) -> tuple[Aanvraag, BronAntwoord]:
    """Ask AII again the question of a recorded application (`kbi vsb check`): that of the
    person's application opening on ``datum`` that the actor may see, under its own referte,
    so that AII answers from its decision record. Every F1 question belongs to an
    application (protocol art. 3, 5: the data serve a care-budget application, nothing
    else); a check of anyone else is refused before AII is asked. Audited before it leaves.
    Raises `BronOnbeschikbaar` when AII cannot answer."""
    cijfers = geldig_insz(insz)
    with uow as werk:
        aanvraag = next(
            (
                a
                for a in werk.aanvragen.alle(insz=cijfers)
                if a.opening == datum and door.ziet(a.zorgkas) and a.referte is not None
            ),
            None,
        )
        if aanvraag is None or aanvraag.referte is None:
            raise AanvraagFout(
                f"insz: no application of this person opening on {datum.isoformat()} that "
                "AII was asked about; a question to AII belongs to a recorded application"
            )
        vereis_stroom(werk, Stroom.F1, nu)
        werk.audit.record(
            gebeurtenis=AuditGebeurtenis.VSB_ADVIES_GEVRAAGD,
            actor=door.naam,
            tijdstip=nu,
            insz=cijfers,
            inhoud={
                "aanvraag": aanvraag.id,
                "referte": aanvraag.referte,
                "datum": datum.isoformat(),
            },
        )
        werk.commit()
    return aanvraag, bron.vraag(cijfers, datum, aanvraag.referte)
