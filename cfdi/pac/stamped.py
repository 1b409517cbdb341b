"""A stamped CFDI on the wire: the signed document plus its TimbreFiscalDigital.

A PAC adds the TFD inside ``cfdi:Complemento`` and leaves every byte the issuer
signed as it was. These helpers do that (for the sandbox, and for providers that
answer with the TFD alone) and read a stamped document back into a StampResult.
"""

from __future__ import annotations

from lxml import etree

from .. import tfd as tfd_module
from ..document import NS_CFDI, NS_TFD, NS_XSI, SCHEMA_LOCATIONS, TimbreFiscalDigital
from ..sat import FECHA_FORMAT
from ..xml import XmlError
from ..xml import parse as safe_parse
from .base import Rejected, StampResult


def tfd_element(tfd: TimbreFiscalDigital) -> etree._Element:
    """``tfd:TimbreFiscalDigital`` with the attributes in TimbreFiscalDigitalv11.xsd order."""
    el = etree.Element(f"{{{NS_TFD}}}TimbreFiscalDigital", nsmap={"tfd": NS_TFD, "xsi": NS_XSI})
    el.set(f"{{{NS_XSI}}}schemaLocation", f"{NS_TFD} {SCHEMA_LOCATIONS[NS_TFD]}")
    el.set("Version", tfd.version)
    el.set("UUID", tfd.uuid)
    el.set("FechaTimbrado", tfd.fecha_timbrado.strftime(FECHA_FORMAT))
    el.set("RfcProvCertif", tfd.rfc_prov_certif)
    if tfd.leyenda:
        el.set("Leyenda", tfd.leyenda)
    el.set("SelloCFD", tfd.sello_cfd)
    el.set("NoCertificadoSAT", tfd.no_certificado_sat)
    el.set("SelloSAT", tfd.sello_sat)
    return el


def attach_tfd(signed_xml: bytes, tfd: TimbreFiscalDigital | etree._Element) -> bytes:
    """The signed document with the TFD appended to ``cfdi:Complemento`` (created if absent)."""
    root = parse_document(signed_xml)
    complemento = root.find(f"{{{NS_CFDI}}}Complemento")
    if complemento is None:
        complemento = etree.Element(f"{{{NS_CFDI}}}Complemento")
        addenda = root.find(f"{{{NS_CFDI}}}Addenda")
        if addenda is not None:
            addenda.addprevious(complemento)
        else:
            root.append(complemento)
    element = tfd if isinstance(tfd, etree._Element) else tfd_element(tfd)
    complemento.append(element)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def parse_document(data: bytes) -> etree._Element:
    """Parse without network or entities; a malformed document is SAT's code 301."""
    try:
        return safe_parse(data)
    except XmlError as exc:
        raise Rejected(
            f"XML mal formado: {exc.message_es}",
            f"Malformed XML: {exc.message_en}",
            code="301",
        ) from exc


def result_from_xml(stamped_xml: bytes | str) -> StampResult:
    """StampResult of a stamped CFDI; Rejected(301) if it carries no TFD."""
    data = stamped_xml.encode("utf-8") if isinstance(stamped_xml, str) else stamped_xml
    timbre = tfd_module.read(data)
    if timbre is None:
        raise Rejected(
            "La respuesta no contiene TimbreFiscalDigital.",
            "The answer holds no TimbreFiscalDigital.",
            code="301",
        )
    return StampResult(xml=data, uuid=timbre.uuid.upper(), tfd=timbre)
