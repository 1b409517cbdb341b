"""Safe parsing of received XML: no DTD, no entity expansion, no network, libxml2's size
limits (``huge_tree`` off: text nodes up to 10 MB, depth up to 256)."""

from __future__ import annotations

from lxml import etree

from ..errors import CfdiError


class XmlError(CfdiError):
    """Malformed, hostile or unsupported XML, or a value XML cannot carry."""

    code = "XML"


PARSER = etree.XMLParser(
    resolve_entities=False,
    no_network=True,
    load_dtd=False,
    huge_tree=False,
    remove_blank_text=False,
    encoding="utf-8",
)
_UTF8_BOM = b"\xef\xbb\xbf"


def _refuse(es: str, en: str) -> XmlError:
    return XmlError(es, en, code="XML-HOSTILE")


def parse(data: bytes | bytearray | memoryview) -> etree._Element:
    """Parse UTF-8 XML bytes without DTD, entities or network; return the root.

    A document with a DOCTYPE or an ENTITY declaration is refused before libxml2
    sees it: libxml2 expands internal entities in attribute values even with
    ``resolve_entities=False``.
    """
    if isinstance(data, (bytearray, memoryview)):
        data = bytes(data)
    if not isinstance(data, bytes):
        raise XmlError("Se esperaban bytes XML.", "XML bytes were expected.")
    body = data[3:] if data.startswith(_UTF8_BOM) else data
    if not body.lstrip(b" \t\r\n").startswith(b"<"):
        raise XmlError("El archivo no es XML en UTF-8.", "The file is not UTF-8 XML.")
    if b"<!DOCTYPE" in body or b"<!ENTITY" in body:
        raise _refuse(
            "El XML contiene una declaración DOCTYPE/ENTITY; un CFDI no la lleva y no se procesa.",
            "The XML holds a DOCTYPE/ENTITY declaration; a CFDI has none and it is not processed.",
        )
    try:
        root = etree.fromstring(body, PARSER)
    except etree.XMLSyntaxError as exc:
        raise XmlError(f"XML mal formado: {exc}", f"Malformed XML: {exc}") from None
    if root is None:
        raise XmlError("XML vacío.", "Empty XML.")
    if root.getroottree().docinfo.doctype:
        raise _refuse("El XML contiene un DOCTYPE.", "The XML holds a DOCTYPE.")
    return root
