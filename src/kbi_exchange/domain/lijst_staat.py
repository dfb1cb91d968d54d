"""A yearly list's life (SPEC §8.1): gemaakt → goedgekeurd → geleverd → ontvangen, or
vervangen by an approved rectification. Each step is a method that returns the list after it,
refuses a step its state does not allow, and does nothing on a rerun of a step already taken."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Self

from kbi_exchange.domain.dates import dag_in_brussel
from kbi_exchange.domain.lijst import LijstFout, LijstStatus

# the maker of a list as VSB knows it: AII, by its verified signature; not who there
GEMAAKT_BIJ_AII = "AII"


@dataclass(frozen=True, slots=True)
class Lijst:
    """A list and each step it went through, with who and when; never its INSZ."""

    id: str
    jaar: int
    status: LijstStatus
    aantal: int
    payload_sha256: str
    vervangt: str | None
    gemaakt_op: datetime
    gemaakt_door: str
    goedgekeurd_op: datetime | None = None
    goedgekeurd_door: str | None = None
    vervangen_op: datetime | None = None
    bestand_naam: str | None = None
    bestand_sha256: str | None = None
    geleverd_op: datetime | None = None
    geleverd_door: str | None = None
    ontvangen_op: datetime | None = None
    ontvangen_door: str | None = None

    @property
    def telt_voor_jaar(self) -> bool:
        """Whether this is the year's list: not replaced, and not a rectification that still
        waits for approval (at most one per year holds this, on both nodes)."""
        if self.status is LijstStatus.VERVANGEN:
            return False
        return self.vervangt is None or self.status is not LijstStatus.GEMAAKT

    def keur_goed(self, door: str, nu: datetime) -> Self:
        """Four eyes: someone other than its maker approves it (the role is checked by the
        service). Approving an approved list again changes nothing."""
        if door == self.gemaakt_door:
            raise LijstFout(f"{door} made list {self.id} and so may not approve it")
        if self.status is LijstStatus.GOEDGEKEURD:
            return self
        if self.status is not LijstStatus.GEMAAKT:
            raise LijstFout(f"list {self.id} is {self.status}, not waiting for approval")
        return replace(
            self, status=LijstStatus.GOEDGEKEURD, goedgekeurd_op=nu, goedgekeurd_door=door
        )

    def met_bestand(self, naam: str, sha256: str) -> Self:
        """The signed and encrypted file made for delivery (kept, so a rerun sends the same)."""
        if self.status is not LijstStatus.GOEDGEKEURD:
            raise LijstFout(f"list {self.id} is {self.status}: only an approved list can leave")
        return replace(self, bestand_naam=naam, bestand_sha256=sha256)

    def lever(self, door: str, nu: datetime) -> Self:
        """Delivered: its file is whole in the mailbox. A rerun after delivery changes nothing."""
        if self.status in (LijstStatus.GELEVERD, LijstStatus.ONTVANGEN):
            return self
        if self.status is not LijstStatus.GOEDGEKEURD or self.bestand_naam is None:
            raise LijstFout(f"list {self.id} is {self.status}: only an approved list can leave")
        return replace(self, status=LijstStatus.GELEVERD, geleverd_op=nu, geleverd_door=door)

    def ontvang(self, door: str, op: datetime) -> Self:
        """Received, by the signed receipt. A list replaced meanwhile stays replaced: its
        receipt is still the proof that it arrived. The same receipt again changes nothing."""
        if self.ontvangen_op is not None:
            return self
        if self.geleverd_op is None:
            raise LijstFout(f"receipt for list {self.id}, which is {self.status}, not delivered")
        status = LijstStatus.ONTVANGEN if self.status is LijstStatus.GELEVERD else self.status
        return replace(self, status=status, ontvangen_op=op, ontvangen_door=door)

    def vervang(self, nu: datetime) -> Self:
        """Replaced by an approved rectification (or, at VSB, a received one)."""
        return replace(self, status=LijstStatus.VERVANGEN, vervangen_op=nu)

    def stappen(self) -> list[tuple[str, str | None, datetime]]:
        """Each step taken so far: (state, by whom, when)."""
        return [
            (status.value, door, op)
            for status, door, op in (
                (LijstStatus.GEMAAKT, self.gemaakt_door, self.gemaakt_op),
                (LijstStatus.GOEDGEKEURD, self.goedgekeurd_door, self.goedgekeurd_op),
                (LijstStatus.GELEVERD, self.geleverd_door, self.geleverd_op),
                (LijstStatus.ONTVANGEN, self.ontvangen_door, self.ontvangen_op),
                (LijstStatus.VERVANGEN, None, self.vervangen_op),
            )
            if op is not None
        ]

    def json(self) -> dict[str, object]:
        return {
            "id": self.id,
            "jaar": self.jaar,
            "status": self.status.value,
            "aantal": self.aantal,
            "payload_sha256": self.payload_sha256,
            "vervangt": self.vervangt,
            "bestand": self.bestand_naam,
            "bestand_sha256": self.bestand_sha256,
            "stappen": [
                {"status": status, "door": door, "op": op.isoformat()}
                for status, door, op in self.stappen()
            ],
        }


def controleer_opvolging(jaar: int, vervangt: str | None, huidige: Lijst | None) -> None:
    """A new list for a year: refused when the year has one, unless it rectifies exactly
    that one (SPEC §8.5), on both nodes."""
    if vervangt is None and huidige is not None:
        raise LijstFout(
            f"year {jaar} already has list {huidige.id} ({huidige.status}); "
            "a new one must rectify it"
        )
    if vervangt is not None and (huidige is None or huidige.id != vervangt):
        raise LijstFout(
            f"rectifies {vervangt}: not the current list of {jaar}"
            + (f" (that is {huidige.id})" if huidige else " (there is none)")
        )


def _eerder_geleverd(lijst: Lijst, per_id: dict[str, Lijst]) -> bool:
    """Whether a list this one replaces (directly or down the chain) left AII before."""
    gezien: set[str] = set()
    vorige = per_id.get(lijst.vervangt or "")
    while vorige is not None and vorige.id not in gezien:
        if vorige.bestand_naam is not None:
            return True
        gezien.add(vorige.id)
        vorige = per_id.get(vorige.vervangt or "")
    return False


def controleer_kalenderjaar(lijst: Lijst, alle: list[Lijst], vandaag: date) -> None:
    """At most one list is delivered per calendar year (art. 5: "worden 1 keer per
    kalenderjaar bezorgd"). Our reading: what art. 5 counts is a year's list going to VSB for
    the first time. A rectification of a list that went before is that same delivery made
    right — art. 7 obliges AII to correct what it sent — so it may follow whenever it is
    ready, and it does not use up the calendar year in which it is sent (else a correction of
    last year's list in January would keep this year's list from VSB for a whole year). A
    rectification of a list that never left is its year's first delivery and counts."""
    per_id = {x.id: x for x in alle}
    if _eerder_geleverd(lijst, per_id):
        return
    eerder = [
        x
        for x in alle
        if x.id != lijst.id
        and x.bestand_naam is not None
        and (x.geleverd_op is None or dag_in_brussel(x.geleverd_op).year == vandaag.year)
        and not _eerder_geleverd(x, per_id)
    ]
    if not eerder:
        return
    x = eerder[0]
    wanneer = f"on {dag_in_brussel(x.geleverd_op)}" if x.geleverd_op else "(its file is made)"
    raise LijstFout(
        f"list {x.id} of {x.jaar} went to VSB {wanneer}: at most one list leaves per calendar "
        f"year (protocol art. 5); a correction of a list that left may always follow"
    )
