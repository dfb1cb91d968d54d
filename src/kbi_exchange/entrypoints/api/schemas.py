"""The REST messages as documented in the OpenAPI document (parsing is done by hand, so that no
framework error body ever reaches a caller)."""

from __future__ import annotations

from pydantic import BaseModel, Field


class AdviesVraag(BaseModel):
    insz: str = Field(
        description="INSZ, 11 digits (usual written forms accepted)", examples=["85073003328"]
    )
    datum: str = Field(
        description="Reference date: the day the right to the zorgbudget opens",
        examples=["2024-03-01"],
    )
    doel: str = Field(
        description="Purpose: ZORGBUDGET (or VERLAAGDE_PREMIE)", examples=["ZORGBUDGET"]
    )
    referte: str = Field(max_length=36, description="Unique reference of the question (UUID)")


class Reden(BaseModel):
    code: str
    omschrijving: str


class UitzonderingBericht(BaseModel):
    identificatie: str = Field(description="MAGDA-style code, e.g. 20002, 30004, 40001")
    oorsprong: str = Field(examples=["KBI"])
    type: str = Field(description="FOUT, WAARSCHUWING or INFORMATIE")
    diagnose: str


class AdviesAntwoord(BaseModel):
    referte: str | None
    insz: str | None
    datum: str | None
    advies: str | None = Field(description="OK, NOK, or null when the question is refused")
    reden: Reden | None = Field(description="Only when NOK")
    uitzonderingen: list[UitzonderingBericht]


class BatchVraag(BaseModel):
    vragen: list[AdviesVraag] = Field(max_length=10_000)


class BatchAntwoord(BaseModel):
    antwoorden: list[AdviesAntwoord]
    uitzonderingen: list[UitzonderingBericht] = Field(
        default_factory=list, description="Why the batch was refused as a whole, if it was"
    )
