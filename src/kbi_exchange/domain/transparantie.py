"""The protocol's public summary (art. 10): what the transparency page and `GET
/api/v1/protocol` show, from the definition and the state now."""

from __future__ import annotations

from typing import Any

from kbi_exchange.domain.protocol import ProtocolDefinitie, ProtocolStaat


def transparantie(definitie: ProtocolDefinitie, staat: ProtocolStaat | None) -> dict[str, Any]:
    """The protocol's public summary (SPEC §12, art. 10): parties, purposes, data per flow,
    recipients, retention, contact points, and its state where this node knows it."""
    return {
        "protocol": definitie.naam,
        "in_werking": definitie.in_werking.isoformat(),
        "opzegtermijn_maanden": definitie.opzegtermijn_maanden,
        "partijen": list(definitie.partijen),
        "stromen": [
            {
                "stroom": s.stroom.value,
                "doel": s.doel,
                "omschrijving": s.omschrijving,
                "gegevens": list(s.gegevens),
                "ontvangers": list(s.ontvangers),
                "bewaring": s.bewaring,
                "periodiciteit": s.periodiciteit,
                "rechtsgronden": [
                    {
                        "instrument": g.instrument,
                        "artikel": g.artikel,
                        "geldig_van": g.geldig_van.isoformat(),
                        "geldig_tot": g.geldig_tot.isoformat() if g.geldig_tot else None,
                    }
                    for g in s.rechtsgronden
                ],
                "weigering": staat.weigering(s.stroom) if staat else None,
                "toegestaan": staat.weigering(s.stroom) is None if staat else None,
            }
            for s in (staat.stromen if staat else definitie.stromen)
        ],
        "contactpunten": list(definitie.contactpunten),
        "toestand": staat.toestand.value if staat else None,
        "eindigt_op": staat.eindigt_op.isoformat() if staat and staat.eindigt_op else None,
    }
