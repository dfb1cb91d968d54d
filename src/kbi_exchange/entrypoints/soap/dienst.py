"""GeefAdviesInburgeringsplicht over SOAP 1.1: parsed safely, validated, answered per Vraag.

A message that cannot be parsed, or is hostile (a DTD, entities, oversize), gets a SOAP Fault
with HTTP 500 as SOAP 1.1 requires; every other refusal is an uitzondering in a 200 reply.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from importlib import resources

from lxml import etree

from kbi_exchange.adapters.db.uow import SqlUnitOfWork
from kbi_exchange.adapters.sleutels import Sleutels
from kbi_exchange.domain.audit import AuditGebeurtenis
from kbi_exchange.domain.tijd import BRUSSEL
from kbi_exchange.domain.uitzondering import Code, Uitzondering
from kbi_exchange.services.advies_dienst import Bericht, beantwoord_vraag
from kbi_exchange.services.audit import schrijf_audit
from kbi_exchange.services.clients import client_voor_token

SOAPENV = "http://schemas.xmlsoap.org/soap/envelope/"
TNS = "urn:kbi-exchange:GeefAdviesInburgeringsplicht:01.00"
NAAM = "GeefAdviesInburgeringsplicht"
VERSIE = "01.00.0000"
MAX_BERICHT = 1 * 2**20

_PARSER = etree.XMLParser(
    resolve_entities=False,
    no_network=True,
    load_dtd=False,
    dtd_validation=False,
    huge_tree=False,
    remove_comments=True,
    remove_pis=True,
)


def _bron(naam: str) -> bytes:
    return resources.files(__package__).joinpath(naam).read_bytes()


@cache
def xsd_tekst() -> bytes:
    return _bron(f"{NAAM}.xsd")


@cache
def _schema() -> etree.XMLSchema:
    return etree.XMLSchema(etree.fromstring(xsd_tekst(), _PARSER))


def wsdl_tekst(adres: str) -> bytes:
    """The WSDL with its types embedded and its address set to where it is served."""
    schema = xsd_tekst().split(b"?>", 1)[1]
    wsdl = _bron(f"{NAAM}.wsdl").replace(b"<!--XSD-->", schema)
    return wsdl.replace(b"{ADRES}", adres.encode())


def fault(reden: str) -> bytes:
    """A SOAP 1.1 Fault (sent with HTTP 500)."""
    e = etree.Element(f"{{{SOAPENV}}}Envelope", nsmap={"soapenv": SOAPENV})
    f = etree.SubElement(etree.SubElement(e, f"{{{SOAPENV}}}Body"), f"{{{SOAPENV}}}Fault")
    etree.SubElement(f, "faultcode").text = "soapenv:Client"
    etree.SubElement(f, "faultstring").text = reden
    return bytes(etree.tostring(e, xml_declaration=True, encoding="UTF-8"))


class Fout(Exception):
    """The message cannot be answered at all: a Fault."""


@dataclass(frozen=True)
class Afzender:
    identificatie: str | None
    referte: str | None
    hoedanigheid: str | None


def lees(ruw: bytes) -> etree._Element:
    """The GeefAdviesInburgeringsplicht element of a safe, well-formed SOAP 1.1 envelope."""
    if len(ruw) > MAX_BERICHT:
        raise Fout(f"message larger than {MAX_BERICHT} bytes")
    if b"<!DOCTYPE" in ruw.upper() or b"<!ENTITY" in ruw.upper():
        raise Fout("DTDs and entities are not accepted")
    try:
        wortel = etree.fromstring(ruw, _PARSER)
    except etree.XMLSyntaxError as fout:
        raise Fout(f"not well-formed XML: {fout.msg}") from None
    if wortel.getroottree().docinfo.internalDTD is not None:
        raise Fout("DTDs and entities are not accepted")
    if wortel.tag != f"{{{SOAPENV}}}Envelope":
        raise Fout("not a SOAP 1.1 Envelope")
    lichaam = wortel.find(f"{{{SOAPENV}}}Body")
    if lichaam is None or len(lichaam) != 1 or lichaam[0].tag != f"{{{TNS}}}{NAAM}":
        raise Fout(f"the Body must hold one {{{TNS}}}{NAAM}")
    return lichaam[0]


def _tekst(element: etree._Element, pad: str) -> str | None:
    gevonden = element.find(pad)
    return gevonden.text if gevonden is not None else None


def afzender(verzoek: etree._Element) -> Afzender:
    basis = "Verzoek/Context/Bericht/Afzender/"
    return Afzender(
        _tekst(verzoek, basis + "Identificatie"),
        _tekst(verzoek, basis + "Referte"),
        _tekst(verzoek, basis + "Hoedanigheid"),
    )


def _uitzonderingen(ouder: etree._Element, uitzonderingen: list[dict[str, str]]) -> None:
    if not uitzonderingen:
        return
    lijst = etree.SubElement(ouder, "Uitzonderingen")
    for u in uitzonderingen:
        el = etree.SubElement(lijst, "Uitzondering")
        for veld in ("Identificatie", "Oorsprong", "Type", "Diagnose"):
            etree.SubElement(el, veld).text = u[veld.lower()]


def repliek(
    *,
    eigen_identificatie: str,
    vrager: Afzender,
    nu: datetime,
    antwoorden: list[Bericht] | None,
    uitzonderingen: list[Uitzondering],
) -> bytes:
    """The reply: Context (ANTWOORD, from AII, to the asker), Antwoorden, Uitzonderingen."""
    e = etree.Element(f"{{{SOAPENV}}}Envelope", nsmap={"soapenv": SOAPENV})
    lichaam = etree.SubElement(e, f"{{{SOAPENV}}}Body")
    antwoord = etree.SubElement(lichaam, f"{{{TNS}}}{NAAM}Response", nsmap={"tns": TNS})
    r = etree.SubElement(antwoord, "Repliek")
    context = etree.SubElement(r, "Context")
    etree.SubElement(context, "Naam").text = NAAM
    etree.SubElement(context, "Versie").text = VERSIE
    bericht = etree.SubElement(context, "Bericht")
    etree.SubElement(bericht, "Type").text = "ANTWOORD"
    tijdstip = etree.SubElement(bericht, "Tijdstip")
    lokaal = nu.astimezone(BRUSSEL)
    etree.SubElement(tijdstip, "Datum").text = lokaal.date().isoformat()
    etree.SubElement(tijdstip, "Tijd").text = (
        lokaal.strftime("%H:%M:%S.") + f"{lokaal.microsecond // 1000:03d}"
    )
    van = etree.SubElement(bericht, "Afzender")
    etree.SubElement(van, "Identificatie").text = eigen_identificatie
    etree.SubElement(van, "Referte").text = str(uuid.uuid4())
    naar = etree.SubElement(bericht, "Ontvanger")
    etree.SubElement(naar, "Identificatie").text = (vrager.identificatie or "onbekend")[:120]
    if vrager.referte:
        etree.SubElement(naar, "Referte").text = vrager.referte[:36]
    if vrager.hoedanigheid:
        etree.SubElement(naar, "Hoedanigheid").text = vrager.hoedanigheid[:24]
    if antwoorden is not None:
        lijst = etree.SubElement(r, "Antwoorden")
        for b in antwoorden:
            el = etree.SubElement(lijst, "Antwoord")
            etree.SubElement(el, "Referte").text = b.body["referte"]
            if b.body["advies"] is not None:
                inhoud = etree.SubElement(el, "Inhoud")
                etree.SubElement(inhoud, "Advies").text = b.body["advies"]
                if b.body["reden"]:
                    reden = etree.SubElement(inhoud, "Reden")
                    etree.SubElement(reden, "Code").text = b.body["reden"]["code"]
                    etree.SubElement(reden, "Omschrijving").text = b.body["reden"]["omschrijving"]
            _uitzonderingen(el, b.body["uitzonderingen"])
    _uitzonderingen(
        r,
        [
            {
                "identificatie": u.identificatie.value,
                "oorsprong": u.oorsprong,
                "type": u.type.value,
                "diagnose": u.diagnose,
            }
            for u in uitzonderingen
        ],
    )
    return bytes(etree.tostring(e, xml_declaration=True, encoding="UTF-8"))


def _weiger(
    werk: SqlUnitOfWork, sleutels: Sleutels, actor: str, nu: datetime, u: Uitzondering
) -> None:
    schrijf_audit(
        audit=werk.audit,
        sleutels=sleutels,
        gebeurtenis=AuditGebeurtenis.ADVIES_GEWEIGERD,
        actor=actor,
        tijdstip=nu,
        inhoud={"kanaal": "soap", "uitzonderingen": [u.identificatie.value]},
    )


def beantwoord_soap(
    *,
    ruw: bytes,
    token: str | None,
    werk: SqlUnitOfWork,
    sleutels: Sleutels,
    eigen_identificatie: str,
    nu: datetime,
) -> tuple[int, bytes]:
    """The HTTP status and the reply to one SOAP message; the caller commits before sending."""
    try:
        verzoek = lees(ruw)
    except Fout as fout:
        return 500, fault(str(fout))
    vrager = afzender(verzoek)

    def geweigerd(actor: str, u: Uitzondering) -> tuple[int, bytes]:
        _weiger(werk, sleutels, actor, nu, u)
        return 200, repliek(
            eigen_identificatie=eigen_identificatie,
            vrager=vrager,
            nu=nu,
            antwoorden=None,
            uitzonderingen=[u],
        )

    client = client_voor_token(werk.session, token) if token else None
    if client is None:
        return geweigerd(
            "unauthenticated",
            Uitzondering.fout(Code.AUTORISATIE, "Ontbrekende of ongeldige authenticatie."),
        )
    schema = _schema()
    if not schema.validate(verzoek):
        reden = schema.error_log.last_error  # type: ignore[attr-defined]
        return geweigerd(
            client.naam,
            Uitzondering.fout(
                Code.ONGELDIGE_VRAAG, f"Het verzoek volgt het schema niet: {reden.message}"
            ),
        )
    if vrager.identificatie != client.afzender:
        return geweigerd(
            client.naam,
            Uitzondering.fout(
                Code.AFZENDER_ONJUIST,
                "De Afzender in de Context komt niet overeen met de geregistreerde client.",
            ),
        )
    antwoorden = [
        beantwoord_vraag(
            werk=werk,
            sleutels=sleutels,
            client=client,
            nu=nu,
            vraag={
                "insz": _tekst(v, "Inhoud/INSZ"),
                "datum": _tekst(v, "Inhoud/Datum"),
                "doel": _tekst(v, "Inhoud/Doel"),
                "referte": _tekst(v, "Referte"),
            },
        )
        for v in verzoek.iterfind("Verzoek/Vragen/Vraag")
    ]
    return 200, repliek(
        eigen_identificatie=eigen_identificatie,
        vrager=vrager,
        nu=nu,
        antwoorden=antwoorden,
        uitzonderingen=[],
    )
