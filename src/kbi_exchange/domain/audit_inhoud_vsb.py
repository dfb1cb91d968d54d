"""The payloads of the VSB node's own audit events: applications, premiums, the received
list's distribution and the zorgkassen's looks at it, data quality as VSB sees it, onward
disclosure. See `audit_inhoud` for the rest and the register of every event."""

# no `from __future__ import annotations`: `NotRequired` must be seen at run time
from typing import NotRequired, TypedDict


class LijstOntvangenInhoud(TypedDict):
    lijst: str
    jaar: int
    aantal: int
    bestand_sha256: str
    vervangt: str | None


class VerdeeldBerichtInhoud(TypedDict):
    lijst: str
    jaar: int
    zorgkas: str
    bericht: str
    van_de_lijst: int


class VerdeeldZendingInhoud(TypedDict):
    lijst: str
    jaar: int
    zorgkas: str
    zending: str
    aantal: int
    doorgestuurd: int
    bestand_sha256: str


class ToewijzingInhoud(TypedDict):
    """What a distribution counted (`domain.verdeling.Toewijzing`): never who."""

    per_zorgkas: dict[str, int]
    doorgestuurd: dict[str, int]
    geen_lid: int
    zonder_vt: int
    al_verzonden: int
    van_de_lijst: int
    niet_bewaard: int


class VerdelingVerslagInhoud(ToewijzingInhoud):
    lijst: str
    jaar: int


class LijstBekekenInhoud(TypedDict):
    jaar: int
    zorgkas: str
    aantal: int
    zending: list[str]


class LijstGedownloadInhoud(TypedDict):
    zending: str
    zorgkas: str
    lijst: str


# "import" is a Python keyword: these two are declared as the functional form allows
LedenImportInhoud = TypedDict(
    "LedenImportInhoud",
    {
        "import": str,
        "bestand": str,
        "sha256": str,
        "voltooid_op": str,
        "regels": int,
        "leden_nieuw": int,
        "leden_gewijzigd": int,
        "leden_ongewijzigd": int,
        "regels_geweigerd": int,
    },
)


class AanvraagIngediendInhoud(TypedDict):
    aanvraag: str
    zorgkas: str
    opening: str
    referte: NotRequired[str]


class AdviesGevraagdInhoud(TypedDict):
    aanvraag: str
    referte: str | None
    datum: str


class AanvraagBeslistInhoud(TypedDict):
    aanvraag: str
    zorgkas: str
    referte: str | None
    status: str
    advies: str | None
    reden: str | None
    uitzonderingen: list[str]
    niet_gevraagd: str | None
    poging: int


class AanvraagOpnieuwInhoud(TypedDict):
    aanvraag: str
    referte: str | None
    vorige: str | None


class AanvraagBeeindigdInhoud(TypedDict):
    aanvraag: str
    einde: str
    reden: str | None
    bewaren_tot: str | None


class AanvraagBekekenInhoud(TypedDict):
    aanvraag: str | list[str]
    zorgkas: str | None
    onbeslist: NotRequired[bool]


class PremieInhoud(TypedDict):
    jaar: int
    verlaagd: bool
    bedrag: int


class MeldingVerstuurdInhoud(TypedDict):
    melding: str
    aanvraag: str | None
    referte: str | None


class RectificatieSamenvatting(TypedDict):
    """A rectification VSB received, as its report names it."""

    rectificatie: object
    melding: object
    referte: object


class RectificatieZonderAanvraagInhoud(RectificatieSamenvatting):
    uitkomst: str


class RectificatieToegepastInhoud(RectificatieSamenvatting):
    uitkomst: str
    aanvraag: str
    zorgkas: str
    was: str
    wordt: str


class BerichtBekekenInhoud(TypedDict):
    zorgkas: str | None
    berichten: list[str]


class ExportInhoud(TypedDict):
    ontvanger: str
    lijst: str
    jaar: int
    aantal: int
