"""Server side of SOAP 1.1 for the sandbox: answers built from the WSDL's own types.

``WsdlTypes`` reads the ``xs:complexType`` sequences of a WSDL's inline schemas, so
an answer is written in the order and namespaces the WSDL declares (what zeep, the
client, checks), from a plain dict of values.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from lxml import etree

NS_SOAP_ENV = "http://schemas.xmlsoap.org/soap/envelope/"
NS_XS = "http://www.w3.org/2001/XMLSchema"
WSDL_DIR = Path(__file__).parent / "wsdl"

_PARSER = etree.XMLParser(
    no_network=True, load_dtd=False, resolve_entities=False, remove_blank_text=True
)


class WsdlTypes:
    """Complex types of a WSDL: {(namespace, name): [(child, child_type_qname, is_attr)]}."""

    def __init__(self, wsdl_path: Path):
        self.path = wsdl_path
        self.types: dict[tuple[str, str], list[tuple[str, tuple[str, str], bool]]] = {}
        self.elements: dict[tuple[str, str], tuple[str, str]] = {}
        root = etree.parse(str(wsdl_path), _PARSER).getroot()
        for schema in root.iter(f"{{{NS_XS}}}schema"):
            target = schema.get("targetNamespace", "")
            for ctype in schema.findall(f"{{{NS_XS}}}complexType"):
                children = [
                    (el.get("name"), _qname(el, el.get("type", "xs:string")), False)
                    for el in ctype.iter(f"{{{NS_XS}}}element")
                ] + [
                    (at.get("name"), _qname(at, at.get("type", "xs:string")), True)
                    for at in ctype.iter(f"{{{NS_XS}}}attribute")
                ]
                self.types[(target, ctype.get("name"))] = children
            for element in schema.findall(f"{{{NS_XS}}}element"):
                self.elements[(target, element.get("name"))] = _qname(element, element.get("type"))

    def element(self, namespace: str, name: str, values: dict[str, Any]) -> etree._Element:
        """The global element ``{namespace}name`` filled from ``values``."""
        el = etree.Element(f"{{{namespace}}}{name}")
        self.fill(el, self.elements[(namespace, name)], values)
        return el

    def fill(self, el: etree._Element, type_qname: tuple[str, str], values: dict[str, Any]) -> None:
        type_ns = type_qname[0]
        for child, child_type, is_attr in self.types[type_qname]:
            value = values.get(child)
            if value is None:
                continue
            if is_attr:
                el.set(child, _text(value))
                continue
            for item in value if isinstance(value, list) else [value]:
                sub = etree.SubElement(el, f"{{{type_ns}}}{child}")
                if isinstance(item, dict):
                    self.fill(sub, child_type, item)
                else:
                    sub.text = _text(item)


def _qname(el: etree._Element, prefixed: str) -> tuple[str, str]:
    prefix, _, local = prefixed.rpartition(":")
    return (el.nsmap.get(prefix or None, ""), local)


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, bytes):
        return value.decode("utf-8")
    return str(value)


def envelope(body_child: etree._Element) -> bytes:
    env = etree.Element(f"{{{NS_SOAP_ENV}}}Envelope", nsmap={"senv": NS_SOAP_ENV})
    etree.SubElement(env, f"{{{NS_SOAP_ENV}}}Body").append(body_child)
    return etree.tostring(env, xml_declaration=True, encoding="UTF-8")


def fault(code: str, message: str) -> bytes:
    """A SOAP 1.1 Fault (``code``: Client or Server)."""
    el = etree.Element(f"{{{NS_SOAP_ENV}}}Fault")
    etree.SubElement(el, "faultcode").text = f"senv:{code}"
    etree.SubElement(el, "faultstring").text = message
    return envelope(el)


def read_body(data: bytes) -> etree._Element:
    """The first child of the request's ``Body``; ValueError if it is not SOAP."""
    try:
        root = etree.fromstring(data, _PARSER)
    except etree.XMLSyntaxError as exc:
        raise ValueError(f"not XML: {exc}") from exc
    body = root.find(f"{{{NS_SOAP_ENV}}}Body")
    if body is None or len(body) == 0:
        raise ValueError("no SOAP Body")
    return body[0]


def fields(operation: etree._Element) -> dict[str, etree._Element]:
    """Children of a request element by local name."""
    return {etree.QName(child).localname: child for child in operation}


def text_of(children: dict[str, etree._Element], name: str) -> str:
    el = children.get(name)
    return (el.text or "").strip() if el is not None else ""
