"""What each audit event's entry holds (SPEC §11): one typed payload per event, so that mypy
checks every key a use case writes, and the keys the DPO's search looks up (`Verstrekking`)
are checked against the payloads of the events it searches (`tests/unit/test_audit_inhoud.py`).

No payload holds an INSZ: a person is named by the entry's keyed hash only. A key a payload
does not declare is refused when the entry is made (`controleer`), not stored.
"""

# no `from __future__ import annotations`: `NotRequired` must be seen when the payloads are
# made, or every key counts as required at run time
from collections.abc import Callable, Mapping
from datetime import datetime
from types import UnionType
from typing import Any, NotRequired, TypedDict

import orjson

from kbi_exchange.domain.access import Actor
from kbi_exchange.domain.audit import AuditGebeurtenis as G
from kbi_exchange.domain.audit import NieuweAuditPost, inhoud_hash
from kbi_exchange.domain.audit_inhoud_vsb import (
    AanvraagBeeindigdInhoud,
    AanvraagBekekenInhoud,
    AanvraagBeslistInhoud,
    AanvraagIngediendInhoud,
    AanvraagOpnieuwInhoud,
    AdviesGevraagdInhoud,
    BerichtBekekenInhoud,
    ExportInhoud,
    LedenImportInhoud,
    LijstBekekenInhoud,
    LijstGedownloadInhoud,
    LijstOntvangenInhoud,
    MeldingVerstuurdInhoud,
    PremieInhoud,
    RectificatieToegepastInhoud,
    RectificatieZonderAanvraagInhoud,
    VerdeeldBerichtInhoud,
    VerdeeldZendingInhoud,
    VerdelingVerslagInhoud,
)

# --- the advice service (F1) ---------------------------------------------------------------


class AdviesInhoud(TypedDict):
    kanaal: str
    beslissing: str | None
    referte: str | None
    datum: str | None
    advies: str | None
    reden: str | None
    uitzonderingen: list[str]


class GeweigerdVerzoekInhoud(TypedDict):
    kanaal: str
    uitzonderingen: list[str]


class MislukteAanmeldingenInhoud(TypedDict):
    adres: str
    aantal: int
    eerste: str
    laatste: str


class ZoekInhoud(TypedDict):
    gevonden: int


class BewijsInhoud(TypedDict):
    """A proof made: of an entry (``post``) or between two sizes (``oud``), at ``grootte``."""

    soort: str
    grootte: int
    post: NotRequired[int]
    oud: NotRequired[int]


class KopGeweigerdInhoud(TypedDict):
    """The other node's head refused: its size, the witnessed head it does not extend, why."""

    seq: int
    getuigd: int
    reden: str


class KopGetuigdInhoud(TypedDict):
    """The other node's head witnessed here: its size and root, and the key it was signed
    with (`kbi audit verify` finds a witnessed head deleted from its table by these)."""

    seq: int
    wortel: str
    sleutel_id: str


class ClientInhoud(TypedDict):
    client: str
    doelen: NotRequired[str]
    afzender: NotRequired[str]
    zorgkas: NotRequired[str]


# --- the yearly list (F2) ------------------------------------------------------------------


class LijstGemaaktInhoud(TypedDict):
    lijst: str
    jaar: int
    aantal: int
    sha256: str
    vervangt: str | None


class LijstGoedgekeurdInhoud(TypedDict):
    lijst: str
    jaar: int
    vervangt: str | None


class LijstGeleverdInhoud(TypedDict):
    lijst: str
    jaar: int
    aantal: int
    sha256: str
    bestand: str | None
    bestand_sha256: str | None
    gemaakt_door: str
    goedgekeurd_door: str | None
    geleverd_door: str
    ontvanger: str


class LijstOpgehaaldInhoud(TypedDict):
    lijst: str
    jaar: int
    bestand_sha256: str | None


class WeigeringInhoud(TypedDict):
    jaar: int
    reden: str


class OntvangstbewijsInhoud(TypedDict):
    lijst: str
    bestand_sha256: str
    aantal: int
    ontvangen_op: str


# --- applications and premiums at VSB ------------------------------------------------------


# --- data quality (art. 7) -----------------------------------------------------------------


class MeldingOntvangenInhoud(TypedDict):
    melding: str
    referte: object


MeldingGecorrigeerdInhoud = TypedDict(
    "MeldingGecorrigeerdInhoud",
    {
        "melding": str,
        "import": str,
        "rectificaties": list[str],
        "antwoorden_bekeken": int,
        "lijsten_bekeken": int,
    },
)


class MeldingStatusInhoud(TypedDict):
    melding: str
    status: str


class RectificatieVerstrektInhoud(TypedDict):
    rectificatie: str
    melding: str
    referte: str | None


# --- the protocol, incidents, registers, retention -----------------------------------------


class ProtocolStapInhoud(TypedDict):
    id: str
    soort: str
    op: str
    door: str
    reden: str
    partij: str | None
    stroom: str | None
    datum: str | None
    ontvangen_op: str | None
    geweigerd: str | None
    op_bij_afzender: NotRequired[str]


class ProtocolGemeldInhoud(TypedDict):
    gemeld: str
    soort: str
    ontvangen_op: NotRequired[str]
    geweigerd: NotRequired[str]


class ProtocolRapportInhoud(TypedDict):
    rapport: str
    weigeringen: int


class IncidentInhoud(TypedDict):
    incident: str
    datalek: bool
    betrokkenen: NotRequired[int | None]
    aan: NotRequired[str]


class RegisterInhoud(TypedDict):
    verwerker: NotRequired[object]
    beeindigd: NotRequired[bool]
    gemeld: NotRequired[bool]
    van: NotRequired[str]
    verwerkers: NotRequired[int]
    ontvanger: NotRequired[object]
    naam: NotRequired[str]


class BewaringRunInhoud(TypedDict):
    op: str
    verwijderd: dict[str, int]


class BewaringVerwijderdInhoud(TypedDict):
    gegevens: str
    reden: str
    ids: NotRequired[list[str]]
    lijst: NotRequired[str]


AuditInhoud = (
    AdviesInhoud
    | GeweigerdVerzoekInhoud
    | MislukteAanmeldingenInhoud
    | ZoekInhoud
    | BewijsInhoud
    | KopGeweigerdInhoud
    | KopGetuigdInhoud
    | ClientInhoud
    | LijstGemaaktInhoud
    | LijstGoedgekeurdInhoud
    | LijstGeleverdInhoud
    | LijstOpgehaaldInhoud
    | WeigeringInhoud
    | OntvangstbewijsInhoud
    | LijstOntvangenInhoud
    | VerdeeldBerichtInhoud
    | VerdeeldZendingInhoud
    | VerdelingVerslagInhoud
    | LijstBekekenInhoud
    | LijstGedownloadInhoud
    | LedenImportInhoud
    | AanvraagIngediendInhoud
    | AdviesGevraagdInhoud
    | AanvraagBeslistInhoud
    | AanvraagOpnieuwInhoud
    | AanvraagBeeindigdInhoud
    | AanvraagBekekenInhoud
    | PremieInhoud
    | MeldingOntvangenInhoud
    | MeldingGecorrigeerdInhoud
    | MeldingStatusInhoud
    | RectificatieVerstrektInhoud
    | MeldingVerstuurdInhoud
    | RectificatieZonderAanvraagInhoud
    | RectificatieToegepastInhoud
    | BerichtBekekenInhoud
    | ProtocolStapInhoud
    | ProtocolGemeldInhoud
    | ProtocolRapportInhoud
    | IncidentInhoud
    | RegisterInhoud
    | ExportInhoud
    | BewaringRunInhoud
    | BewaringVerwijderdInhoud
)

# every event, its payload (a test checks that none is missing)
INHOUD: dict[G, type | UnionType] = {
    G.ADVIES_GEGEVEN: AdviesInhoud,
    G.ADVIES_HERHAALD: AdviesInhoud,
    G.ADVIES_GEWEIGERD: AdviesInhoud | GeweigerdVerzoekInhoud,
    G.CLIENT_TOEGEVOEGD: ClientInhoud,
    G.CLIENT_INGETROKKEN: ClientInhoud,
    G.AUDIT_GEZOCHT: ZoekInhoud,
    G.AUDIT_BEWEZEN: BewijsInhoud,
    G.AUDIT_KOP_GEWEIGERD: KopGeweigerdInhoud,
    G.AUDIT_KOP_GETUIGD: KopGetuigdInhoud,
    G.LIJST_GEMAAKT: LijstGemaaktInhoud,
    G.LIJST_GOEDGEKEURD: LijstGoedgekeurdInhoud,
    G.LIJST_GELEVERD: LijstGeleverdInhoud,
    G.LIJST_OPGEHAALD: LijstOpgehaaldInhoud,
    G.LIJST_OPHALEN_GEWEIGERD: WeigeringInhoud,
    G.LIJST_ONTVANGEN: OntvangstbewijsInhoud,
    G.PROTOCOL_STAP: ProtocolStapInhoud | ProtocolGemeldInhoud,
    G.PROTOCOL_RAPPORT: ProtocolRapportInhoud,
    G.BEWARING_VERWIJDERD: BewaringVerwijderdInhoud,
    G.BEWARING_RUN: BewaringRunInhoud,
    G.MELDING_ONTVANGEN: MeldingOntvangenInhoud,
    G.MELDING_GECORRIGEERD: MeldingGecorrigeerdInhoud,
    G.MELDING_GESLOTEN: MeldingStatusInhoud,
    G.RECTIFICATIE_VERSTREKT: RectificatieVerstrektInhoud,
    G.INCIDENT_GEREGISTREERD: IncidentInhoud,
    G.INCIDENT_GEMELD: IncidentInhoud,
    G.INCIDENT_ONTVANGEN: IncidentInhoud,
    G.INCIDENT_GESLOTEN: IncidentInhoud,
    G.REGISTER_GEWIJZIGD: RegisterInhoud,
    G.REGISTER_GEEXPORTEERD: RegisterInhoud,
    G.ONTVANGER_ONTVANGEN: RegisterInhoud,
    G.AANMELDING_MISLUKT: MislukteAanmeldingenInhoud,
    G.VSB_LIJST_ONTVANGEN: LijstOntvangenInhoud,
    G.VSB_LEDEN_GEIMPORTEERD: LedenImportInhoud,
    G.VSB_AANVRAAG_INGEDIEND: AanvraagIngediendInhoud,
    G.VSB_AANVRAAG_BESLIST: AanvraagBeslistInhoud,
    G.VSB_AANVRAAG_OPNIEUW: AanvraagOpnieuwInhoud,
    G.VSB_AANVRAAG_BEEINDIGD: AanvraagBeeindigdInhoud,
    G.VSB_AANVRAAG_BEKEKEN: AanvraagBekekenInhoud,
    G.VSB_ADVIES_GEVRAAGD: AdviesGevraagdInhoud,
    G.VSB_PREMIE_BEPAALD: PremieInhoud,
    G.VSB_PREMIE_GEWEIGERD: WeigeringInhoud,
    G.VSB_LIJST_VERDEELD: VerdeeldBerichtInhoud | VerdeeldZendingInhoud,
    G.VSB_AUDIT_GEZOCHT: ZoekInhoud,
    G.VSB_AUDIT_BEWEZEN: BewijsInhoud,
    G.VSB_AUDIT_KOP_GEWEIGERD: KopGeweigerdInhoud,
    G.VSB_AUDIT_KOP_GETUIGD: KopGetuigdInhoud,
    G.VSB_LIJST_BEKEKEN: LijstBekekenInhoud,
    G.VSB_LIJST_GEDOWNLOAD: LijstGedownloadInhoud,
    G.VSB_CLIENT_TOEGEVOEGD: ClientInhoud,
    G.VSB_CLIENT_INGETROKKEN: ClientInhoud,
    G.VSB_AANMELDING_MISLUKT: MislukteAanmeldingenInhoud,
    G.VSB_VERDELING_VERSLAG: VerdelingVerslagInhoud,
    G.VSB_PROTOCOL_STAP: ProtocolStapInhoud | ProtocolGemeldInhoud,
    G.VSB_MELDING_VERSTUURD: MeldingVerstuurdInhoud,
    G.VSB_MELDING_BIJGEWERKT: MeldingStatusInhoud,
    G.VSB_RECTIFICATIE_TOEGEPAST: RectificatieZonderAanvraagInhoud | RectificatieToegepastInhoud,
    G.VSB_BERICHT_BEKEKEN: BerichtBekekenInhoud,
    G.VSB_REGISTER_GEWIJZIGD: RegisterInhoud,
    G.VSB_REGISTER_GEEXPORTEERD: RegisterInhoud,
    G.VSB_ONTVANGER_GEMELD: RegisterInhoud,
    G.VSB_EXPORT: ExportInhoud,
    G.VSB_INCIDENT_GEREGISTREERD: IncidentInhoud,
    G.VSB_INCIDENT_GEMELD: IncidentInhoud,
    G.VSB_INCIDENT_ONTVANGEN: IncidentInhoud,
    G.VSB_INCIDENT_GESLOTEN: IncidentInhoud,
    G.VSB_BEWARING_VERWIJDERD: BewaringVerwijderdInhoud,
    G.VSB_BEWARING_RUN: BewaringRunInhoud,
}


def sleutels(soort: type) -> tuple[frozenset[str], frozenset[str]]:
    """A payload's required keys, and every key it allows."""
    verplicht = frozenset(getattr(soort, "__required_keys__", ()))
    return verplicht, verplicht | frozenset(getattr(soort, "__optional_keys__", ()))


def _soorten(gebeurtenis: G) -> tuple[type, ...]:
    soort = INHOUD[gebeurtenis]
    return tuple(getattr(soort, "__args__", (soort,)))


_SLEUTELS: dict[G, tuple[tuple[frozenset[str], frozenset[str]], ...]] = {
    g: tuple(sleutels(s) for s in _soorten(g)) for g in INHOUD
}


class OngeldigeInhoud(ValueError):
    """An entry whose content is not its event's payload: a bug, never stored."""


def nieuwe_regel(
    *,
    gebeurtenis: G,
    actor: Actor | str,
    tijdstip: datetime,
    inhoud: AuditInhoud,
    insz: str | None,
    insz_hashes: Callable[[str], list[str]],
) -> NieuweAuditPost:
    """An entry as every audit log writes it, once its content is found to be the event's
    payload: compact JSON with sorted keys (the search for a list or file relies on that
    form), hashed; the person, if any, under the current key's hash (``insz_hashes`` gives
    the keyed hashes, the current key's first)."""
    controleer(gebeurtenis, inhoud)
    tekst = orjson.dumps(inhoud, option=orjson.OPT_SORT_KEYS).decode()
    return NieuweAuditPost(
        tijdstip=tijdstip,
        gebeurtenis=gebeurtenis.value,
        actor=actor if isinstance(actor, str) else actor.naam,
        insz_hash=insz_hashes(insz)[0] if insz else None,
        inhoud=tekst,
        inhoud_sha256=inhoud_hash(tekst),
    )


def controleer(gebeurtenis: G, inhoud: Mapping[str, Any]) -> None:
    """Refuse content that does not fit the event's payload (a key missing or unknown)."""
    gegeven = inhoud.keys()
    for verplicht, toegestaan in _SLEUTELS[gebeurtenis]:
        if verplicht <= gegeven <= toegestaan:
            return
    raise OngeldigeInhoud(
        f"{gebeurtenis.value}: content keys {sorted(gegeven)} fit none of its payloads"
    )
