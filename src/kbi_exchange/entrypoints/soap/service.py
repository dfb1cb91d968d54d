"""GeefAdviesInburgeringsplicht over SOAP 1.1: messages parsed safely and replies rendered.

A message that cannot be parsed, or is hostile (a DTD, entities, oversize), gets a SOAP Fault
with HTTP 500 as SOAP 1.1 requires; every other refusal is an uitzondering in a 200 reply.
Only parsing and rendering live here: the questions are answered by the advice service.
"""

from __future__ import annotations

import re
import threading
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from importlib import resources

from lxml import etree

from kbi_exchange.domain.dates import BRUSSEL
from kbi_exchange.domain.uitzondering import Uitzondering
from kbi_exchange.services.bericht import Bericht

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


_PER_DRAAD = threading.local()


def _schema() -> etree.XMLSchema:
    """The XSD validator of this thread: a validator and its error log are not shared."""
    schema: etree.XMLSchema | None = getattr(_PER_DRAAD, "schema", None)
    if schema is None:
        schema = _PER_DRAAD.schema = etree.XMLSchema(etree.fromstring(xsd_tekst(), _PARSER))
    return schema


def wsdl_tekst(adres: str) -> bytes:
    """The WSDL with its types embedded and its address set to the service's public URL."""
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


def lees_envelop(ruw: bytes) -> etree._Element:
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


def _uitzonderingen(ouder: etree._Element, uitzonderingen: Sequence[Uitzondering]) -> None:
    if not uitzonderingen:
        return
    lijst = etree.SubElement(ouder, "Uitzonderingen")
    for u in uitzonderingen:
        el = etree.SubElement(lijst, "Uitzondering")
        etree.SubElement(el, "Identificatie").text = u.identificatie.value
        etree.SubElement(el, "Oorsprong").text = u.oorsprong
        etree.SubElement(el, "Type").text = u.type.value
        etree.SubElement(el, "Diagnose").text = u.diagnose


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
            etree.SubElement(el, "Referte").text = b.referte
            if b.advies is not None:
                inhoud = etree.SubElement(el, "Inhoud")
                etree.SubElement(inhoud, "Advies").text = b.advies
                if b.reden:
                    reden = etree.SubElement(inhoud, "Reden")
                    etree.SubElement(reden, "Code").text = b.reden.code
                    etree.SubElement(reden, "Omschrijving").text = b.reden.omschrijving
            _uitzonderingen(el, b.uitzonderingen)
    _uitzonderingen(r, uitzonderingen)
    return bytes(etree.tostring(e, xml_declaration=True, encoding="UTF-8"))


@dataclass(frozen=True)
class SoapVerzoek:
    """A parsed message: who asks, and its questions — or why it does not follow the schema."""

    vrager: Afzender
    vragen: tuple[dict[str, str | None], ...]
    schemafout: str | None


def ontleed(ruw: bytes) -> SoapVerzoek:
    """Parse and validate a message (CPU work: run it off the event loop); `Fout` → Fault."""
    verzoek = lees_envelop(ruw)
    vrager = afzender(verzoek)
    schema = _schema()
    if not schema.validate(verzoek):
        reden = schema.error_log.last_error  # type: ignore[attr-defined]
        # libxml2 quotes the offending value: a long one (5 000 digits) is not sent back
        bericht = re.sub(r"'[^']{41,}'", "'…'", str(reden.message))
        return SoapVerzoek(vrager, (), f"Het verzoek volgt het schema niet: {bericht}")
    vragen = tuple(
        {
            "insz": _tekst(v, "Inhoud/INSZ"),
            "datum": _tekst(v, "Inhoud/Datum"),
            "doel": _tekst(v, "Inhoud/Doel"),
            "referte": _tekst(v, "Referte"),
        }
        for v in verzoek.iterfind("Verzoek/Vragen/Vraag")
    )
    return SoapVerzoek(vrager, vragen, None)
