"""Dated parameters: every number of the rules, with the date it applies from and its source."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True, slots=True)
class ParameterWaarde:
    """One value of a parameter, valid from ``vanaf`` until the next value's ``vanaf``."""

    vanaf: date
    waarde: int | date | str
    bron: str
    publieke_bron: bool = True


@dataclass(frozen=True, slots=True)
class Parameter:
    naam: str
    omschrijving: str
    waarden: tuple[ParameterWaarde, ...]

    def waarde_op(self, dag: date) -> ParameterWaarde:
        """The value in force on ``dag``; refused when the parameter has none yet."""
        gevonden: ParameterWaarde | None = None
        for kandidaat in self.waarden:
            if kandidaat.vanaf <= dag:
                gevonden = kandidaat
        if gevonden is None:
            raise ParameterOntbreekt(f"parameter {self.naam!r} has no value on {dag.isoformat()}")
        return gevonden


class ParameterOntbreekt(LookupError):
    """No value of a parameter is in force on the asked date: never guess one."""


@dataclass(frozen=True, slots=True)
class Termijnen:
    """The parameter values the rules use, as in force on one reference date."""

    aanmeldingstermijn_maanden: int
    ondertekeningstermijn_maanden: int
    b1_termijn_maanden: int
    regime_2022_vanaf: date


class ParameterSet:
    """All parameters of one version (the digest of their files), looked up by date."""

    def __init__(self, parameters: dict[str, Parameter], versie: str) -> None:
        self.parameters = parameters
        self.versie = versie
        self._termijnen: dict[date, Termijnen] = {}

    def __getitem__(self, naam: str) -> Parameter:
        return self.parameters[naam]

    def waarde(self, naam: str, dag: date) -> int | date | str:
        return self.parameters[naam].waarde_op(dag).waarde

    def geheel_getal(self, naam: str, dag: date) -> int:
        waarde = self.waarde(naam, dag)
        if not isinstance(waarde, int):
            raise TypeError(f"parameter {naam!r} is not a whole number")
        return waarde

    def datum(self, naam: str, dag: date) -> date:
        waarde = self.waarde(naam, dag)
        if not isinstance(waarde, date):
            raise TypeError(f"parameter {naam!r} is not a date")
        return waarde

    def termijnen(self, dag: date) -> Termijnen:
        """The rules' parameters on ``dag``, computed once per date."""
        termijnen = self._termijnen.get(dag)
        if termijnen is None:
            termijnen = Termijnen(
                aanmeldingstermijn_maanden=self.geheel_getal("aanmeldingstermijn_maanden", dag),
                ondertekeningstermijn_maanden=self.geheel_getal(
                    "ondertekeningstermijn_maanden", dag
                ),
                b1_termijn_maanden=self.geheel_getal("b1_termijn_maanden", dag),
                regime_2022_vanaf=self.datum("regime_2022_vanaf", dag),
            )
            self._termijnen[dag] = termijnen
        return termijnen
