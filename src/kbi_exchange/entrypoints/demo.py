"""`kbi demo`: the rules engine on the example dossiers, on a few dates, with explanations."""

from __future__ import annotations

from datetime import date, datetime
from importlib import resources

from rich.console import Console
from rich.table import Table

from kbi_exchange.adapters.memory import InMemoryKbi
from kbi_exchange.domain.advies import Antwoord, Vraag
from kbi_exchange.domain.insz import Insz
from kbi_exchange.services.advice import decide

DEMO_DATUMS = (date(2022, 1, 1), date(2023, 6, 1), date(2024, 10, 1))


def _uitleg(antwoord: Antwoord) -> str:
    if antwoord.beslissing is None:
        return "\n".join(f"  ✖ {u.identificatie} {u.diagnose}" for u in antwoord.uitzonderingen)
    regels = [
        f"  {'✔' if s.geldt else '·'} {s.naam}: {s.toelichting}"
        for s in antwoord.beslissing.uitleg
        if s.geldt or s.naam == "doelgroep_plicht"
    ]
    regels += [f"  ⚠ {u.identificatie} {u.diagnose}" for u in antwoord.uitzonderingen]
    return "\n".join(regels)


def run_demo(console: Console, *, nu: datetime) -> int:
    """Evaluate the shipped example dossiers on the demo dates and print the answers."""
    kbi = InMemoryKbi()
    bron = resources.files("kbi_exchange.demo_data").joinpath("dossiers.jsonl")
    with bron.open(encoding="utf-8") as regels:
        aantal = kbi.laad_jsonl(regels, opgenomen_op=nu)
    console.print(
        f"[bold]kbi-exchange demo[/] — {aantal} example dossier lines loaded "
        f"({len(kbi)} dossiers), decided as known on {nu:%Y-%m-%d %H:%M %Z}."
    )
    for datum in DEMO_DATUMS:
        tabel = Table(title=f"Advice on {datum.isoformat()} (purpose ZORGBUDGET)")
        for kolom in ("INSZ", "Status", "Advies", "Reden"):
            tabel.add_column(kolom)
        uitleg: list[tuple[str, str]] = []
        for dossier in kbi:
            antwoord = decide(Vraag(dossier.insz, datum), zoek=kbi.zoek, nu=nu)
            advies = antwoord.advies.value if antwoord.advies else "—"
            kleur = {"OK": "green", "NOK": "red"}.get(advies, "yellow")
            reden = antwoord.beslissing.reden if antwoord.beslissing else None
            insz = Insz(dossier.insz).opgemaakt()
            tabel.add_row(
                insz,
                antwoord.status.value if antwoord.status else "refused",
                f"[{kleur}]{advies}[/]",
                reden.code.value if reden else "",
            )
            uitleg.append((insz, _uitleg(antwoord)))
        console.print(tabel)
        console.print(f"[bold]Uitleg on {datum.isoformat()}[/] (✔ rule held, · did not)")
        for insz, tekst in uitleg:
            console.print(f"[cyan]{insz}[/]")
            console.print(tekst, soft_wrap=False)
        console.print()
    return 0
