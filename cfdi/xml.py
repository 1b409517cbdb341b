"""CFDI 4.0 XML: dataclasses -> bytes (or lxml tree), and bytes -> dataclasses.

Serialization is generic: it follows the field metadata of ``cfdi.document``
(``xml`` name, ``node`` flag, field order = XSD order). What each class needs is
worked out once per class (``_plan``) and compiled into a small writer function
(``_writer``), so writing a document walks only values. The text written is
exactly lxml's serialization of the same tree (tests check it); ``to_tree`` is
that text parsed by lxml. Parsing is the reverse, generic walk and refuses hostile
input: no DTD, no entity expansion, no network.
"""

from __future__ import annotations

import dataclasses
import re
import typing
from collections.abc import Callable
from copy import deepcopy
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from lxml import etree

from . import document as doc
from .errors import CfdiError


class XmlError(CfdiError):
    """Malformed, hostile or unsupported XML, or a value XML cannot carry."""

    code = "XML"


_XSI_LOCATION = f"{{{doc.NS_XSI}}}schemaLocation"
_DATETIME_FORMAT = "%Y-%m-%dT%H:%M:%S"
_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>\n'
_XML_WS = re.compile(r"[ \t\n\r]+")

# Namespace of each node class; everything not listed is in the cfdi namespace.
_NAMESPACE_OF: dict[type, str] = {
    **{
        cls: doc.NS_PAGO20
        for cls in (
            doc.Pagos,
            doc.TotalesPagos,
            doc.Pago,
            doc.DoctoRelacionado,
            doc.ImpuestosDR,
            doc.RetencionDR,
            doc.TrasladoDR,
            doc.ImpuestosP,
            doc.RetencionP,
            doc.TrasladoP,
        )
    },
    doc.ImpuestosLocales: doc.NS_IMPLOCAL,
    doc.RetencionLocal: doc.NS_IMPLOCAL,
    doc.TrasladoLocal: doc.NS_IMPLOCAL,
    doc.TimbreFiscalDigital: doc.NS_TFD,
}
_PREFIX_OF = {
    doc.NS_CFDI: "cfdi",
    doc.NS_PAGO20: "pago20",
    doc.NS_IMPLOCAL: "implocal",
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
        return value.isoformat(timespec="seconds")[:19]  # faster than strftime
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
        raise _bad_value(
            where, text, "una fecha AAAA-MM-DDThh:mm:ss", "a date-time YYYY-MM-DDThh:mm:ss"
        ) from None


def _parse_str(text: str, where: str) -> str:
    return text


_PARSERS = {Decimal: _parse_decimal, int: _parse_int, datetime: _parse_datetime, str: _parse_str}


# --- per-class plan (computed once) --------------------------------------


@dataclass(frozen=True)
class _Child:
    name: str  # dataclass field
    tag: str  # {namespace}name of the element (or wrapper), as lxml reads it
    item_tag: str | None  # item element when wrapped, else None
    qname: str  # prefix:name, as written
    item_qname: str | None
    cls: type | None  # item class; None for the list of UUID strings
    many: bool
    plan: _Plan | None  # plan of the item class (None for UUID strings)


@dataclass(frozen=True)
class _Plan:
    cls: type
    ns: str
    attrs: tuple[tuple[str, str, Any], ...]  # (field, xml name, parser)
    heads: tuple[tuple[str, str], ...]  # (field, ' Name="') for the writer
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
        prefix = _PREFIX_OF[ns]
        children.append(
            _Child(
                name=f.name,
                tag=f"{{{ns}}}{name}",
                item_tag=f"{{{ns}}}{item}" if item else None,
                qname=f"{prefix}:{name}",
                item_qname=f"{prefix}:{item}" if item else None,
                cls=item_cls,
                many=many,
                plan=_plan(item_cls, _ONLY_ATTRIBUTES.get((cls, f.name))) if item_cls else None,
            )
        )
    heads = tuple((field_name, f' {xml_name}="') for field_name, xml_name, _ in attrs)
    plan = _Plan(
        cls, ns, tuple(attrs), heads, tuple(children), {c.tag: c for c in children}, tuple(absent)
    )
    _PLANS[(cls, only)] = plan
    return plan


# --- dataclasses -> bytes -------------------------------------------------
#
# The document is written as text in one walk (several times faster than building
# an lxml tree), in the exact form lxml serializes it: attribute values escape
# & < > " and TAB/LF/CR; empty elements are written <x/>. Tests check that the
# bytes equal lxml's own serialization of themselves.

# Characters that need an entity, or that XML 1.0 cannot carry at all.
_SPECIAL = re.compile('[&<>"\x00-\x1f\ud800-\udfff\ufffe\uffff]')
# ASCII written as it is (all but controls and & < > "). Long ASCII values (Certificado,
# Sello) are tested by deleting these bytes in C, 8x faster than the regex over 2 KB.
_PLAIN_ASCII = bytes(c for c in range(0x20, 0x80) if chr(c) not in '&<>"')
_LONG = 64
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def escape_attribute(value: str) -> str:
    """An attribute value as lxml writes it; ``XmlError`` for characters XML cannot hold."""
    # Printable text (most of it) holds no control character, surrogate or U+FFFE/FFFF:
    # one C-level test spares the regex. Each replace runs only when needed.
    printable = value.isprintable()
    if not printable:
        bad = _NOT_XML.search(value)
        if bad:
            raise XmlError(
                f"El texto '{value[:40]}' contiene el carácter U+{ord(bad.group()):04X}, "
                "que XML no admite; quítelo.",
                f"The text '{value[:40]}' holds character U+{ord(bad.group()):04X}, "
                "which XML does not allow; remove it.",
            )
    if "&" in value:
        value = value.replace("&", "&amp;")
    if "<" in value:
        value = value.replace("<", "&lt;")
    if ">" in value:
        value = value.replace(">", "&gt;")
    if '"' in value:
        value = value.replace('"', "&quot;")
    if not printable:
        value = value.replace("\t", "&#9;").replace("\n", "&#10;").replace("\r", "&#13;")
    return value


def _absent(value: Any) -> bool:
    return value is None or (type(value) is str and not value)


def _empty_test(plan: _Plan, var: str) -> str:
    """Source of a test that ``var`` (a ``plan`` node) would write nothing at all."""
    tests = [f"_absent({var}.{name})" for name, _ in plan.heads]
    tests += [f"not {var}.{c.name}" for c in plan.children]
    return " and ".join(tests) or "True"


def _needs_escape(value: str) -> bool:
    if value.isalnum():  # letters and digits only (no control, surrogate or U+FFFE/FFFF)
        return False
    if len(value) < _LONG or not value.isascii():
        return _SPECIAL.search(value) is not None
    return bool(value.encode().translate(None, _PLAIN_ASCII))


def _write_attribute(value: Any, head: str, add: Callable[[str], Any]) -> None:
    """Any attribute value (the compiled writers inline the usual kinds)."""
    kind = type(value)
    if kind is str:
        if value:
            add(head + (escape_attribute(value) if _needs_escape(value) else value) + '"')
    elif kind is Decimal:
        text = str(value)  # 3x faster than format(value, "f"); same text without "E"
        add(head + (text if "E" not in text else format(value, "f")) + '"')
    else:
        add(head + escape_attribute(format_value(value)) + '"')


def _writer_source(plan: _Plan, name: str) -> list[str]:
    """Source of ``name(o, add, start, end)``: the element for ``o``, attributes in
    field order then children. ``start`` opens the tag ("<cfdi:X ..."), ``end`` closes it.
    Generated once per plan, so writing a document walks no metadata. Each attribute
    tests first for the type its field declares; others go to ``_write_attribute``."""
    lines = [f"def {name}(o, add, start, end):", "    add(start)"]
    kinds = {parser: kind for kind, parser in _PARSERS.items()}
    for (field_name, head), (_, _, parser) in zip(plan.heads, plan.attrs, strict=True):
        kind = kinds.get(parser)
        lines.append(f"    v = o.{field_name}")
        if kind is str:
            lines += [
                "    if type(v) is str:",
                "        if v:",
                # (codes such as "84111506" or "Tasa" pass the first, cheapest test)
                f"            if not v.isalnum() and (_special(v) if len(v) < {_LONG} or "
                "not v.isascii() else v.encode().translate(None, _PLAIN_ASCII)):",
                "                v = _esc(v)",
                f"            add(f{head + '{v}' + chr(34)!r})",
            ]
        elif kind is Decimal:
            lines += [
                "    if type(v) is _Decimal:",
                "        v = str(v)",
                "        if 'E' in v:",
                "            v = _plain(v)",
                f"        add(f{head + '{v}' + chr(34)!r})",
            ]
        lines += [
            "    elif v is not None:" if kind in (str, Decimal) else "    if v is not None:",
            f"        _write_attribute(v, {head!r}, add)",
        ]
    if not plan.children:
        lines.append("    add('/>')")
        return lines
    lines.append("    opened = False")
    for i, child in enumerate(plan.children):
        lines.append(f"    v = o.{child.name}")
        if child.cls in _OMIT_WHEN_EMPTY:
            lines.append(f"    if v and not ({_empty_test(child.plan, 'v')}):")
        else:
            lines.append("    if v:")
        lines += ["        if not opened:", "            add('>')", "            opened = True"]
        writer = f"_child_writers[{i}]"
        if child.cls is None:  # CfdiRelacionados.uuids
            lines += [
                "        for u in v:",
                f"            add('<{child.qname} UUID=\"' + _esc(u) + '\"/>')",
            ]
        elif not child.many:
            lines.append(f"        {writer}(v, add, '<{child.qname}', '</{child.qname}>')")
        elif child.item_qname is not None:
            lines += [
                f"        add('<{child.qname}>')",
                "        for i in v:",
                f"            {writer}(i, add, '<{child.item_qname}', '</{child.item_qname}>')",
                f"        add('</{child.qname}>')",
            ]
        else:
            lines += [
                "        for i in v:",
                f"            {writer}(i, add, '<{child.qname}', '</{child.qname}>')",
            ]
    lines.append("    add(end if opened else '/>')")
    return lines


def _writer(plan: _Plan) -> Any:
    """The compiled writer of ``plan`` (see ``_writer_source``), cached on first use."""
    found = _WRITERS.get(id(plan))
    if found is not None:
        return found
    namespace = {
        "_Decimal": Decimal,
        "_special": _SPECIAL.search,
        "_esc": escape_attribute,
        "_PLAIN_ASCII": _PLAIN_ASCII,
        "_write_attribute": _write_attribute,
        "_format_value": format_value,
        "_absent": _absent,
        "_plain": lambda text: format(Decimal(text), "f"),
        "_child_writers": [_writer(c.plan) if c.plan else None for c in plan.children],
    }
    source = "\n".join(_writer_source(plan, "write"))
    exec(compile(source, f"<writer {plan.cls.__name__}>", "exec"), namespace)  # noqa: S102
    _WRITERS[id(plan)] = namespace["write"]
    return namespace["write"]


_WRITERS: dict[int, Any] = {}


def _raw_complement(raw: bytes) -> str:
    """A foreign complement, checked to be safe, well-formed XML and re-serialized."""
    return etree.tostring(parse(raw), encoding="unicode")


def to_bytes(c: doc.Comprobante) -> bytes:
    """UTF-8 bytes with XML declaration, namespaces and xsi:schemaLocation of the
    complements present; None or "" attributes and empty tax nodes are left out."""
    comp = c.complemento or doc.Complemento()
    present = [
        (attr, cls, name)
        for attr, (cls, name) in _COMPLEMENT_ROOTS.items()
        if getattr(comp, attr) is not None
    ]
    declarations = [f'xmlns:cfdi="{doc.NS_CFDI}"', f'xmlns:xsi="{doc.NS_XSI}"']
    locations = [doc.NS_CFDI, doc.SCHEMA_LOCATIONS[doc.NS_CFDI]]
    for _, cls, _ in present:
        ns = _NAMESPACE_OF[cls]
        declarations.append(f'xmlns:{_PREFIX_OF[ns]}="{ns}"')
        locations += [ns, doc.SCHEMA_LOCATIONS[ns]]
    open_tag = (
        f'<cfdi:Comprobante {" ".join(declarations)} xsi:schemaLocation="{" ".join(locations)}"'
    )
    out: list[str] = []
    add = out.append
    _writer(_plan(doc.Comprobante))(c, add, open_tag, "</cfdi:Comprobante>")
    if present or comp.others:
        complements: list[str] = []
        # Known complements first, then foreign ones, the stamp (added by the PAC) last.
        for attr, cls, name in present:
            if cls is not doc.TimbreFiscalDigital:
                qname = f"{_PREFIX_OF[_NAMESPACE_OF[cls]]}:{name}"
                _writer(_plan(cls))(
                    getattr(comp, attr), complements.append, f"<{qname}", f"</{qname}>"
                )
        complements += [_raw_complement(raw) for raw in comp.others]
        if comp.timbre is not None:
            _writer(_plan(doc.TimbreFiscalDigital))(
                comp.timbre,
                complements.append,
                "<tfd:TimbreFiscalDigital",
                "</tfd:TimbreFiscalDigital>",
            )
        if out[-1] == "/>":
            out[-1] = ">"
        else:
            out.pop()  # "</cfdi:Comprobante>"
        out += ["<cfdi:Complemento>", *complements, "</cfdi:Complemento>", "</cfdi:Comprobante>"]
    return (_DECLARATION + "".join(out)).encode("utf-8")


def to_tree(c: doc.Comprobante) -> etree._Element:
    """The cfdi:Comprobante element of ``c`` (an lxml tree of ``to_bytes(c)``)."""
    return etree.fromstring(to_bytes(c), _PARSER)


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
    known = {
        f"{{{_NAMESPACE_OF[cls]}}}{name}": (attr, cls)
        for attr, (cls, name) in _COMPLEMENT_ROOTS.items()
    }
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
