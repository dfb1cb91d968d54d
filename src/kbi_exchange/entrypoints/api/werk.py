"""What the writer does with a request: answer it inside the group's transaction.

A request crosses to the writer as a plain, picklable `Opdracht` — the writer may run in
another process — and the writer's `Beantwoorder` answers it inside the open unit of work.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Literal, cast

from kbi_exchange.adapters.db.uow import SqlUnitOfWork
from kbi_exchange.bootstrap import sleutels
from kbi_exchange.domain.audit import AuditGebeurtenis
from kbi_exchange.entrypoints.soap.dienst import beantwoord_soap
from kbi_exchange.services.advies_dienst import Bericht, beantwoord_vraag
from kbi_exchange.services.audit import schrijf_audit
from kbi_exchange.services.clients import Client, client_voor_token
from kbi_exchange.settings import Settings

# ("vragen", token, [question, ...]) → list[Bericht] | None (None: not authenticated)
# ("soap", token, raw message)        → (HTTP status, reply bytes)
Opdracht = (
    tuple[Literal["vragen"], str | None, list[object]] | tuple[Literal["soap"], str | None, bytes]
)


class Beantwoorder:
    """Answers requests with one node's settings and keys, inside the writer's transaction."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.sleutels = sleutels(settings)

    def __call__(
        self, werk: SqlUnitOfWork, opdracht: Opdracht
    ) -> list[Bericht] | tuple[int, bytes] | None:
        nu = datetime.now(UTC)
        if opdracht[0] == "soap":
            return beantwoord_soap(
                ruw=opdracht[2],
                token=opdracht[1],
                werk=werk,
                sleutels=self.sleutels,
                eigen_identificatie=self.settings.aii_identificatie,
                nu=nu,
            )
        return self._vragen(werk, opdracht[1], opdracht[2], nu)

    def _vragen(
        self, werk: SqlUnitOfWork, token: str | None, vragen: list[object], nu: datetime
    ) -> list[Bericht] | None:
        """Answer the questions; committed by the writer before anything leaves."""
        client = self._client(werk, token)
        if client is None:  # a refusal too: audited before the 401 leaves
            schrijf_audit(
                audit=werk.audit,
                sleutels=self.sleutels,
                gebeurtenis=AuditGebeurtenis.ADVIES_GEWEIGERD,
                actor="unauthenticated",
                tijdstip=nu,
                inhoud={"kanaal": "rest", "uitzonderingen": ["40006"]},
            )
            return None
        return [
            beantwoord_vraag(werk=werk, sleutels=self.sleutels, client=client, vraag=v, nu=nu)
            for v in vragen
        ]

    @staticmethod
    def _client(werk: SqlUnitOfWork, token: str | None) -> Client | None:
        """The token's client, looked up once per transaction (one snapshot: never stale)."""
        if not token:
            return None
        sleutel = ("client", token)
        if sleutel not in werk.memo:
            werk.memo[sleutel] = client_voor_token(werk.session, token)
        return cast(Client | None, werk.memo[sleutel])
