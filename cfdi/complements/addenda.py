"""Customer addenda: rendered from a template, checked against the buyer's XSD, appended
to a stamped CFDI inside ``cfdi:Addenda``, outside what the Sello and the TFD cover.

Template language: the addenda itself as XML, with

- ``{{ name }}`` or ``{{ a.b.c }}`` in attribute values and text: a value looked up in
  the dict given (keys, then attributes of objects, then list positions), never an
  expression; Decimals without exponent, dates in ISO form, booleans ``true``/``false``.
  An attribute that is exactly one placeholder whose value is None is left out;
- ``t-foreach="path" t-as="item"`` on an element: the element once per item, with
  ``item``, ``item_index`` (0, 1, ...) and ``item_number`` (1, 2, ...) in scope;
- ``t-if="path"``: the element only when the value is there and truthy.

Why this and not QWeb: the engine renders it without Odoo (CLI, tests, other
programs), the result is well-formed by construction (lxml builds the tree and
escapes every value), and a template cannot run code, so implementers may edit it
per customer. Its directives are QWeb's names, familiar in Odoo; an addenda rendered
elsewhere (a QWeb report) can be appended as bytes with ``append``. The stamped
document's own data are in scope as ``cfdi`` with Anexo 20's names as text
(``{{ cfdi.Folio }}``, ``t-foreach="cfdi.Conceptos"``), exactly as stamped.

``append`` keeps every byte of the stamped XML and inserts the addenda before the
closing tag of the Comprobante: the cadena original of CFDI 4.0 and of the TFD
leave the Addenda out, so the Sello and the SelloSAT still verify, and the engine's
reader and validation ignore it.
"""

import dataclasses
import re
from collections.abc import Iterable, Mapping
from copy import deepcopy
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, Optional, cast

from lxml import etree

from .. import xml as cfdi_xml
from ..document import NS_CFDI, NS_TFD
from ..errors import CfdiError

TEMPLATES = Path(__file__).resolve().parent / "addenda_templates"
PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z_][\w-]*(?:\.[\w-]+)*)\s*\}\}")
_ADDENDA = f"{{{NS_CFDI}}}Addenda"
_SCHEMA_PARSER = etree.XMLParser(
    no_network=True, load_dtd=False, resolve_entities=False, huge_tree=False
)
_MISSING = object()


class AddendaError(CfdiError):
    code = "EINV-ADDENDA"


@dataclass(frozen=True)
class BuiltIn:
    """An addenda shipped with the engine: its template and, when public, the buyer's XSD."""

    name: str
    buyer: str
    template: Path
    xsd: Optional[Path]


BUILT_IN = {
    "liverpool": BuiltIn(
        "liverpool",
        "El Puerto de Liverpool (detallista, SAT/AMECE)",
        TEMPLATES / "liverpool_detallista.xml",
        TEMPLATES / "detallista.xsd",
    ),
    "soriana": BuiltIn(
        "soriana",
        "Tiendas Soriana (DSCargaRemisionProv)",
        TEMPLATES / "soriana.xml",
        None,
    ),
}


# --- rendering --------------------------------------------------------------------------


def render(template: bytes, values: Mapping[str, Any]) -> bytes:
    """The addenda content (one element) the template gives for ``values``."""
    root = cfdi_xml.parse(template)
    if root.get("t-foreach") is not None or root.get("t-if") is not None:
        raise AddendaError(
            "El elemento raíz de la plantilla de addenda no puede llevar t-foreach ni t-if.",
            "The addenda template's root element cannot carry t-foreach or t-if.",
        )
    out = deepcopy(root)
    _render(out, dict(values))
    etree.cleanup_namespaces(out)
    return etree.tostring(out, encoding="utf-8")


def _render(el: etree._Element, scope: dict[str, Any]) -> None:
    for key, raw in list(el.attrib.items()):
        name, value = str(key), str(raw)
        whole = PLACEHOLDER.fullmatch(value.strip())
        if whole is not None and _lookup(scope, whole.group(1)) is None:
            del el.attrib[name]
        else:
            el.set(name, _substitute(value, scope))
    if el.text:
        el.text = _substitute(el.text, scope)
    for child in list(el):
        if not isinstance(child.tag, str):  # comments, processing instructions
            if child.tail:
                child.tail = _substitute(child.tail, scope)
            continue
        for copy, child_scope in _expand(child, scope):
            _render(copy, child_scope)
            if copy.tail:
                copy.tail = _substitute(copy.tail, scope)


def _expand(
    el: etree._Element, scope: dict[str, Any]
) -> list[tuple[etree._Element, dict[str, Any]]]:
    """The copies of ``el`` its t-if / t-foreach ask for, each with its scope (in place)."""
    condition, loop, name = (
        _directive(el, "t-if"),
        _directive(el, "t-foreach"),
        _directive(el, "t-as"),
    )
    if condition is not None and not _lookup(scope, condition.strip(), optional=True):
        _remove(el, scope)
        return []
    if loop is None:
        return [(el, scope)]
    if not name:
        raise AddendaError(
            f"t-foreach=«{loop}» necesita t-as con el nombre de cada elemento.",
            f"t-foreach=«{loop}» needs t-as naming each item.",
        )
    items = _lookup(scope, loop.strip())
    if isinstance(items, (str, bytes, Mapping)) or not hasattr(items, "__iter__"):
        raise AddendaError(
            f"t-foreach=«{loop}» no es una lista.", f"t-foreach=«{loop}» is not a list."
        )
    copies = []
    anchor = el
    for index, item in enumerate(items):
        copy = deepcopy(el)  # with el's tail: each copy is followed by the same text
        anchor.addnext(copy)
        anchor = copy
        copies.append(
            (copy, {**scope, name: item, f"{name}_index": index, f"{name}_number": index + 1})
        )
    if copies:
        el.tail = None
    _remove(el, scope)
    return copies


def _directive(el: etree._Element, name: str) -> Optional[str]:
    """The directive's value, taken off the element (it is not part of the addenda)."""
    value = el.get(name)
    if value is not None:
        del el.attrib[name]
    return value


def _remove(el: etree._Element, scope: dict[str, Any]) -> None:
    """Remove ``el``, keeping the text that follows it (rendered) in its place."""
    parent = el.getparent()
    assert parent is not None
    if el.tail:
        tail = _substitute(el.tail, scope)
        previous = el.getprevious()
        if previous is not None:
            previous.tail = (previous.tail or "") + tail
        else:
            parent.text = (parent.text or "") + tail
    parent.remove(el)


def _substitute(text: str, scope: dict[str, Any]) -> str:
    return PLACEHOLDER.sub(lambda m: _format(_lookup(scope, m.group(1))), text)


def _lookup(scope: Mapping[str, Any], path: str, *, optional: bool = False) -> Any:
    value: Any = scope
    for part in path.split("."):
        value = _step(value, part)
        if value is _MISSING and optional:
            return None
        if value is _MISSING:
            raise AddendaError(
                f"El marcador «{path}» de la plantilla de addenda no tiene valor; agréguelo a "
                "los datos de la addenda o corrija la plantilla.",
                f"The addenda template's placeholder «{path}» has no value; add it to the "
                "addenda's data or correct the template.",
            )
    return value


def _step(value: Any, part: str) -> Any:
    if isinstance(value, Mapping):
        return value.get(part, _MISSING)
    if isinstance(value, (list, tuple)) and part.isdigit():
        return value[int(part)] if int(part) < len(value) else _MISSING
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return getattr(value, part, _MISSING)
    return _MISSING


def _format(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, datetime):
        return value.isoformat(timespec="seconds")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, (int, str)):
        return str(value)
    raise AddendaError(
        f"Un valor de tipo {type(value).__name__} no se puede escribir en la addenda.",
        f"A value of type {type(value).__name__} cannot be written in the addenda.",
    )


# --- the buyer's XSD ----------------------------------------------------------------------


def schema(xsd: bytes | Path) -> etree.XMLSchema:
    """The buyer's XSD, read without network access."""
    try:
        if isinstance(xsd, Path):
            tree = etree.parse(str(xsd), _SCHEMA_PARSER)
        else:
            tree = etree.ElementTree(etree.fromstring(xsd, _SCHEMA_PARSER))
        return etree.XMLSchema(tree)
    except (etree.XMLSyntaxError, etree.XMLSchemaParseError) as exc:
        raise AddendaError(
            f"El XSD de la addenda no se puede leer: {exc}",
            f"The addenda's XSD cannot be read: {exc}",
        ) from None


def validate(content: bytes, xsd: bytes | Path) -> list[str]:
    """The buyer's XSD errors on the addenda content ("line N: message"); [] when valid."""
    checker = schema(xsd)
    if checker.validate(cfdi_xml.parse(content)):
        return []
    entries = cast(Iterable[Any], checker.error_log)  # (lxml-stubs leave _ErrorLog empty)
    return [f"line {e.line}: {e.message}" for e in entries]


# --- the stamped document ---------------------------------------------------------------------


def append(stamped: bytes, content: bytes) -> bytes:
    """``stamped`` with ``cfdi:Addenda`` holding ``content``, every other byte unchanged."""
    root = cfdi_xml.parse(stamped)
    if root.tag != f"{{{NS_CFDI}}}Comprobante":
        raise AddendaError(
            "La addenda se agrega a un CFDI 4.0 (cfdi:Comprobante).",
            "The addenda goes in a CFDI 4.0 (cfdi:Comprobante).",
        )
    if root.find(f".//{{{NS_TFD}}}TimbreFiscalDigital") is None:
        raise AddendaError(
            "El CFDI no está timbrado: la addenda se agrega después del timbrado.",
            "The CFDI is not stamped: the addenda is added after stamping.",
        )
    if root.find(_ADDENDA) is not None:
        raise AddendaError(
            "El CFDI ya tiene una addenda; genere la nueva sobre el XML timbrado original.",
            "The CFDI already has an addenda; build the new one on the original stamped XML.",
        )
    inner = etree.tostring(cfdi_xml.parse(content), encoding="unicode")
    qname = f"{root.prefix}:" if root.prefix else ""
    closing = f"</{qname}Comprobante>".encode()
    at = stamped.rstrip().rfind(closing)
    if at < 0 or stamped[at + len(closing) :].strip():
        raise AddendaError(
            "No se encontró el cierre del Comprobante al final del XML.",
            "The Comprobante's closing tag was not found at the end of the XML.",
        )
    addenda = f"<{qname}Addenda>{inner}</{qname}Addenda>".encode()
    result = stamped[:at] + addenda + stamped[at:]
    cfdi_xml.parse(result)  # still well-formed
    return result


def addenda_of(data: bytes) -> list[bytes]:
    """The elements inside the document's cfdi:Addenda (none when it has no addenda)."""
    found = cfdi_xml.parse(data).find(_ADDENDA)
    if found is None:
        return []
    return [etree.tostring(el) for el in found if isinstance(el.tag, str)]


def cfdi_values(stamped: bytes) -> dict[str, Any]:
    """The stamped document's data with Anexo 20's names, as text (the ``cfdi`` scope)."""
    from ..build import to_json

    values: dict[str, Any] = to_json(cfdi_xml.from_bytes(stamped))
    return values


def add(
    stamped: bytes,
    template: bytes,
    values: Mapping[str, Any],
    xsd: bytes | Path | None = None,
) -> bytes:
    """Render the template with ``values`` (and ``cfdi``), check it against ``xsd`` when
    given, and append it to the stamped XML. ``AddendaError`` lists the XSD's errors."""
    content = render(template, {"cfdi": cfdi_values(stamped), **values})
    if xsd is not None:
        errors = validate(content, xsd)
        if errors:
            listed = "; ".join(errors[:10])
            raise AddendaError(
                f"La addenda no cumple el XSD del cliente: {listed}",
                f"The addenda does not fit the customer's XSD: {listed}",
            )
    return append(stamped, content)


def add_built_in(stamped: bytes, name: str, values: Mapping[str, Any]) -> bytes:
    """``add`` with one of the addenda shipped with the engine (``BUILT_IN``)."""
    found = BUILT_IN.get(name)
    if found is None:
        raise AddendaError(
            f"No hay addenda «{name}»; las incluidas son: {', '.join(sorted(BUILT_IN))}.",
            f"There is no «{name}» addenda; the built-in ones are: {', '.join(sorted(BUILT_IN))}.",
        )
    return add(stamped, found.template.read_bytes(), values, found.xsd)
