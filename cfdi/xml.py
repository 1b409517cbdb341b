"""CFDI 4.0 XML: dataclasses -> lxml tree -> bytes, and bytes -> dataclasses.

Serialization is generic: it follows the field metadata of ``cfdi.document``
(``xml`` name, ``node`` flag, field order = XSD order). What each class needs is
worked out once per class and cached (``_plan``), so building a document only
walks values. Parsing is the reverse walk and refuses hostile input: no DTD,
no entity expansion, no network.
"""
from __future__ import annotations

import dataclasses
import re
import typing
from copy import deepcopy
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from lxml import etree

from cfdi import document as doc
from cfdi.errors import CfdiError


class XmlError(CfdiError):
    """Malformed, hostile or unsupported XML, or a value XML cannot carry."""

    code = "XML"


_XSI_LOCATION = f"{{{doc.NS_XSI}}}schemaLocation"
_DATETIME_FORMAT = "%Y-%m-%dT%H:%M:%S"
_DECLARATION = b'<?xml version="1.0" encoding="UTF-8"?>\n'
_XML_WS = re.compile(r"[ \t\n\r]+")

# Namespace of each node class; everything not listed is in the cfdi namespace.
_NAMESPACE_OF: dict[type, str] = {
    **{
        cls: doc.NS_PAGO20
        for cls in (
            doc.Pagos, doc.TotalesPagos, doc.Pago, doc.DoctoRelacionado, doc.ImpuestosDR,
            doc.RetencionDR, doc.TrasladoDR, doc.ImpuestosP, doc.RetencionP, doc.TrasladoP,
        )
    },
    doc.ImpuestosLocales: doc.NS_IMPLOCAL,
    doc.RetencionLocal: doc.NS_IMPLOCAL,
    doc.TrasladoLocal: doc.NS_IMPLOCAL,
    doc.TimbreFiscalDigital: doc.NS_TFD,
}
_PREFIX_OF = {
    doc.NS_CFDI: "cfdi", doc.NS_PAGO20: "pago20", doc.NS_IMPLOCAL: "implocal",
    doc.NS_TFD: "tfd",
}

# List nodes written inside a wrapper element: wrapper name -> item element name.
# Other list fields repeat their element directly (CfdiRelacionados, Pago, ...).
_WRAPPED_ITEM = {
    "Conceptos": "Concepto",
    "Traslados": "Traslado",
    "Retenciones": "Retencion",
    "TrasladosDR": "TrasladoDR",
    "RetencionesDR": "RetencionDR",
    "TrasladosP": "TrasladoP",
    "RetencionesP": "RetencionP",
}

# Optional nodes that carry nothing when empty; an empty one is not written.
_OMIT_WHEN_EMPTY = frozenset(
    {doc.ConceptoImpuestos, doc.Impuestos, doc.ImpuestosDR, doc.ImpuestosP}
)

# Nodes whose XSD allows fewer attributes than their dataclass has: the summary
# Retencion shares the Retencion class but carries only Impuesto and Importe.
_ONLY_ATTRIBUTES = {(doc.Impuestos, "retenciones"): frozenset({"Impuesto", "Importe"})}

# Complement classes: root element name inside cfdi:Complemento.
_COMPLEMENT_ROOTS = {
    "pagos": (doc.Pagos, "Pagos"),
    "impuestos_locales": (doc.ImpuestosLocales, "ImpuestosLocales"),
    "timbre": (doc.TimbreFiscalDigital, "TimbreFiscalDigital"),
}


# --- values -------------------------------------------------------------


class DecimalText(Decimal):
    """A parsed Decimal whose text ``format(d, "f")`` would not give back.

    XSD decimals allow a sign or leading zeros ("+1.50", "007"); the seal was
    computed over that text, so it is kept for serialization and the cadena.
    Arithmetic returns plain ``Decimal``.
    """

    __slots__ = ("text",)

    def __new__(cls, text: str) -> DecimalText:
        obj = super().__new__(cls, text)
        obj.text = text
        return obj

    def __format__(self, spec: str) -> str:
        return self.text if spec == "f" else super().__format__(spec)

    def __reduce__(self):
        return (type(self), (self.text,))


def normalize_space(value: str) -> str:
    """XPath ``normalize-space``: only XML whitespace counts (not NBSP etc.)."""
    return _XML_WS.sub(" ", value).strip(" \t\n\r")


def format_value(value: Any) -> str:
    """Text of an attribute value: Decimal without exponent, datetime to the second."""
    kind = type(value)
    if kind is str:
        return value
    if kind is Decimal or kind is DecimalText:
        return format(value, "f")
    if kind is datetime:
        return value.strftime(_DATETIME_FORMAT)
    if kind is int:
        return str(value)
    if isinstance(value, bool) or isinstance(value, float):
        raise XmlError(
            f"Valor {value!r} no permitido: use Decimal o texto, nunca float/bool.",
            f"Value {value!r} not allowed: use Decimal or text, never float/bool.",
        )
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, datetime):
        return value.strftime(_DATETIME_FORMAT)
    if isinstance(value, (str, int)):
        return str(value)
    raise XmlError(
        f"Valor de tipo {kind.__name__} no se puede escribir en XML.",
        f"A value of type {kind.__name__} cannot be written to XML.",
    )


def _bad_value(where: str, text: str, what_es: str, what_en: str) -> XmlError:
    return XmlError(f"{where}: '{text}' no es {what_es}.", f"{where}: '{text}' is not {what_en}.")


def _parse_decimal(text: str, where: str) -> Decimal:
    try:
        value = Decimal(text)
    except InvalidOperation:
        value = None
    if value is None or not value.is_finite():
        raise _bad_value(where, text, "un número decimal", "a decimal number")
    if format(value, "f") == text:
        return value
    text = normalize_space(text)
    return value if format(value, "f") == text else DecimalText(text)


def _parse_int(text: str, where: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise _bad_value(where, text, "un número entero", "an integer") from None


def _parse_datetime(text: str, where: str) -> datetime:
    try:
        return datetime.strptime(text.strip(" \t\n\r"), _DATETIME_FORMAT)
    except ValueError:
        raise _bad_value(where, text, "una fecha AAAA-MM-DDThh:mm:ss",
                         "a date-time YYYY-MM-DDThh:mm:ss") from None


def _parse_str(text: str, where: str) -> str:
    return text


_PARSERS = {Decimal: _parse_decimal, int: _parse_int, datetime: _parse_datetime, str: _parse_str}


# --- per-class plan (computed once) --------------------------------------


@dataclass(frozen=True)
class _Child:
    name: str  # dataclass field
    tag: str  # qualified element (or wrapper) name
    item_tag: str | None  # item element when wrapped, else None
    cls: type | None  # item class; None for the list of UUID strings
    many: bool
    plan: _Plan | None  # plan of the item class (None for UUID strings)


@dataclass(frozen=True)
class _Plan:
    cls: type
    ns: str
    attrs: tuple[tuple[str, str, Any], ...]  # (field, xml name, parser)
    children: tuple[_Child, ...]
    by_tag: dict  # child element tag -> _Child
    absent: tuple[str, ...]  # attribute fields this node never carries (read as None)


def _unwrap(hint: Any) -> tuple[Any, bool]:
    """(item type, is list) of a field's annotation; Optional is dropped."""
    origin = typing.get_origin(hint)
    if origin is list:
        return typing.get_args(hint)[0], True
    if origin is typing.Union:
        args = [a for a in typing.get_args(hint) if a is not type(None)]
        return _unwrap(args[0])
    return hint, False


_PLANS: dict[tuple[type, frozenset | None], _Plan] = {}


def _plan(cls: type, only: frozenset[str] | None = None) -> _Plan:
    """What to write and read for ``cls``; ``only`` restricts its attributes."""
    plan = _PLANS.get((cls, only))
    if plan is not None:
        return plan
    ns = _NAMESPACE_OF.get(cls, doc.NS_CFDI)
    hints = typing.get_type_hints(cls)
    attrs, children, absent = [], [], []
    for f in dataclasses.fields(cls):
        name = f.metadata.get("xml")
        if name is None:
            continue
        kind, many = _unwrap(hints[f.name])
        if not f.metadata.get("node"):
            if only is None or name in only:
                attrs.append((f.name, name, _PARSERS.get(kind, _parse_str)))
            else:
                absent.append(f.name)
            continue
        item = _WRAPPED_ITEM.get(name) if many else None
        item_cls = None if kind is str else kind
        children.append(_Child(
            name=f.name,
            tag=f"{{{ns}}}{name}",
            item_tag=f"{{{ns}}}{item}" if item else None,
            cls=item_cls,
            many=many,
            plan=_plan(item_cls, _ONLY_ATTRIBUTES.get((cls, f.name))) if item_cls else None,
        ))
    plan = _Plan(cls, ns, tuple(attrs), tuple(children), {c.tag: c for c in children},
                 tuple(absent))
    _PLANS[(cls, only)] = plan
    return plan


# --- dataclasses -> tree --------------------------------------------------


def _attrib(obj: Any, plan: _Plan) -> dict[str, str]:
    values = {}
    for field_name, xml_name, _ in plan.attrs:
        value = getattr(obj, field_name)
        if value is None or value == "":
            continue
        values[xml_name] = format_value(value)
    return values


def _is_empty(obj: Any, plan: _Plan) -> bool:
    return not _attrib(obj, plan) and not any(getattr(obj, c.name) for c in plan.children)


def _append(parent: etree._Element, tag: str, obj: Any, plan: _Plan | None = None) -> None:
    plan = plan or _plan(type(obj))
    _fill(etree.SubElement(parent, tag, _attrib(obj, plan)), obj, plan)


def _fill(el: etree._Element, obj: Any, plan: _Plan) -> None:
    """Write the child nodes of ``obj`` into ``el``."""
    for child in plan.children:
        value = getattr(obj, child.name)
        if value is None or (child.many and not value):
            continue
        if child.cls is None:  # CfdiRelacionados.uuids
            for uuid in value:
                etree.SubElement(el, child.tag, {"UUID": uuid})
        elif not child.many:
            if child.cls in _OMIT_WHEN_EMPTY and _is_empty(value, child.plan):
                continue
            _append(el, child.tag, value, child.plan)
        elif child.item_tag is not None:
            wrapper = etree.SubElement(el, child.tag)
            for item in value:
                _append(wrapper, child.item_tag, item, child.plan)
        else:
            for item in value:
                _append(el, child.tag, item, child.plan)


def _raw_complements(others: list[bytes]) -> list[etree._Element]:
    return [parse(raw) for raw in others]


def to_tree(c: doc.Comprobante) -> etree._Element:
    """The cfdi:Comprobante element of ``c``, with namespaces and schemaLocation."""
    comp = c.complemento
    present = [(attr, cls, name) for attr, (cls, name) in _COMPLEMENT_ROOTS.items()
               if getattr(comp, attr) is not None]
    raws = _raw_complements(comp.others) if comp.others else []
    nsmap = {"cfdi": doc.NS_CFDI, "xsi": doc.NS_XSI}
    locations = [doc.NS_CFDI, doc.SCHEMA_LOCATIONS[doc.NS_CFDI]]
    for _, cls, _ in present:
        ns = _NAMESPACE_OF[cls]
        nsmap[_PREFIX_OF[ns]] = ns
        locations += [ns, doc.SCHEMA_LOCATIONS[ns]]
    plan = _plan(doc.Comprobante)
    try:
        attrib = {_XSI_LOCATION: " ".join(locations), **_attrib(c, plan)}
        root = etree.Element(f"{{{doc.NS_CFDI}}}Comprobante", attrib, nsmap=nsmap)
        _fill(root, c, plan)
        if present or raws:
            holder = etree.SubElement(root, f"{{{doc.NS_CFDI}}}Complemento")
            # Known complements first, then foreign ones, the stamp (added by the PAC) last.
            for attr, cls, name in present:
                if cls is not doc.TimbreFiscalDigital:
                    _append(holder, f"{{{_NAMESPACE_OF[cls]}}}{name}", getattr(comp, attr))
            holder.extend(raws)
            if comp.timbre is not None:
                _append(holder, f"{{{doc.NS_TFD}}}TimbreFiscalDigital", comp.timbre)
    except ValueError as exc:  # lxml refuses control characters and the like
        raise XmlError(
            f"Un valor contiene caracteres que XML no admite: {exc}",
            f"A value holds characters XML does not allow: {exc}",
        ) from None
    return root


def to_bytes(c: doc.Comprobante) -> bytes:
    """UTF-8 bytes with XML declaration."""
    return _DECLARATION + etree.tostring(to_tree(c), encoding="UTF-8", xml_declaration=False)


# --- bytes -> tree (safe) -------------------------------------------------

_PARSER = etree.XMLParser(
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


def parse(data: bytes) -> etree._Element:
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
        raise XmlError(
            "El archivo no es XML en UTF-8.",
            "The file is not UTF-8 XML.",
        )
    if b"<!DOCTYPE" in body or b"<!ENTITY" in body:
        raise _refuse(
            "El XML contiene una declaración DOCTYPE/ENTITY; un CFDI no la lleva y no se procesa.",
            "The XML holds a DOCTYPE/ENTITY declaration; a CFDI has none and it is not processed.",
        )
    try:
        root = etree.fromstring(body, _PARSER)
    except etree.XMLSyntaxError as exc:
        raise XmlError(
            f"XML mal formado: {exc}",
            f"Malformed XML: {exc}",
        ) from None
    if root is None:
        raise XmlError("XML vacío.", "Empty XML.")
    if root.getroottree().docinfo.doctype:
        raise _refuse("El XML contiene un DOCTYPE.", "The XML holds a DOCTYPE.")
    return root


# --- tree -> dataclasses --------------------------------------------------

_COMPLEMENTO = f"{{{doc.NS_CFDI}}}Complemento"
_ADDENDA = f"{{{doc.NS_CFDI}}}Addenda"


def _unsupported(el: etree._Element, parent: etree._Element) -> XmlError:
    name = etree.QName(el)
    where = etree.QName(parent).localname
    return XmlError(
        f"Nodo no soportado dentro de {where}: {name.localname} ({name.namespace}).",
        f"Unsupported node inside {where}: {name.localname} ({name.namespace}).",
        code="XML-UNSUPPORTED",
    )


def _read(el: etree._Element, cls: type, plan: _Plan | None = None) -> Any:
    plan = plan or _plan(cls)
    get = el.get
    # An absent attribute is None, never the dataclass default: the document is
    # read as it is (a summary Retencion has no TipoFactor; a missing Moneda is missing).
    kwargs: dict[str, Any] = dict.fromkeys(plan.absent)
    local = cls.__name__
    for field_name, xml_name, parser in plan.attrs:
        text = get(xml_name)
        kwargs[field_name] = None if text is None else parser(text, f"{local}@{xml_name}")
    lists: dict[str, list] = {c.name: [] for c in plan.children if c.many}
    for sub in el:
        if not isinstance(sub.tag, str):
            continue  # comments and processing instructions
        child = plan.by_tag.get(sub.tag)
        if child is None:
            if cls is doc.Comprobante and sub.tag == _COMPLEMENTO:
                kwargs["complemento"] = _read_complemento(sub, el)
            elif cls is not doc.Comprobante or sub.tag != _ADDENDA:
                raise _unsupported(sub, el)
        elif child.cls is None:
            lists[child.name].append(sub.get("UUID", ""))
        elif not child.many:
            kwargs[child.name] = _read(sub, child.cls, child.plan)
        elif child.item_tag is not None:
            items = lists[child.name]
            for item in sub:
                if not isinstance(item.tag, str):
                    continue
                if item.tag != child.item_tag:
                    raise _unsupported(item, sub)
                items.append(_read(item, child.cls, child.plan))
        else:
            lists[child.name].append(_read(sub, child.cls, child.plan))
    kwargs.update(lists)
    return cls(**kwargs)


def _schema_locations(root: etree._Element) -> dict[str, str]:
    words = (root.get(_XSI_LOCATION) or "").split()
    return dict(zip(words[::2], words[1::2], strict=False))


def _read_complemento(el: etree._Element, root: etree._Element) -> doc.Complemento:
    comp = doc.Complemento()
    known = {f"{{{_NAMESPACE_OF[cls]}}}{name}": (attr, cls)
             for attr, (cls, name) in _COMPLEMENT_ROOTS.items()}
    locations = None
    for sub in el:
        if not isinstance(sub.tag, str):
            continue
        target = known.get(sub.tag)
        if target is not None and getattr(comp, target[0]) is None:
            setattr(comp, target[0], _read(sub, target[1]))
            continue
        # Unknown complement: kept as raw XML, with its schemaLocation from the root
        # and only the namespace declarations it uses.
        raw = deepcopy(sub)  # the caller's tree stays as it was
        if raw.get(_XSI_LOCATION) is None:
            locations = _schema_locations(root) if locations is None else locations
            namespace = etree.QName(raw).namespace
            if namespace in locations:
                raw.set(_XSI_LOCATION, f"{namespace} {locations[namespace]}")
        etree.cleanup_namespaces(raw)
        comp.others.append(etree.tostring(raw))
    return comp


def from_tree(root: etree._Element) -> doc.Comprobante:
    """The Comprobante held by a parsed cfdi:Comprobante element (CFDI 4.0 only).

    The Addenda is not part of the CFDI (nor of its seal) and is not kept.
    """
    if root.tag != f"{{{doc.NS_CFDI}}}Comprobante":
        raise XmlError(
            f"No es un CFDI 4.0: el elemento raíz es {root.tag}.",
            f"Not a CFDI 4.0: the root element is {root.tag}.",
            code="XML-NOT-CFDI40",
        )
    return _read(root, doc.Comprobante)


def from_bytes(data: bytes) -> doc.Comprobante:
    """Parse (safely) and read a CFDI 4.0 document."""
    return from_tree(parse(data))
