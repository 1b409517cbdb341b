"""One walk over complement dataclasses: XML text, reading, cadena original, XSD facets.

A complement node is a dataclass whose fields are declared with ``fields``: an
attribute (``xml`` name plus the ``Facets`` of its XSD type) or a child node
(``node``; a list may sit inside a wrapper element, ``item``), in XSD order.
SAT's XSLT for Comercio Exterior 2.0 and Carta Porte 3.1 visits a node the same
way (its attributes, Requerido or Opcional, then its children), so one description
serves the writer, the reader, the cadena original and the structure check that
stands in for SAT's XSD (``structure``; the tests hold it against the XSD itself).

Values keep the text SAT saw: a parsed decimal or integer that Python would print
differently ("+1.50", "007") keeps its text for the cadena and for writing.
"""

import dataclasses
import re
import typing
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from lxml import etree

from .. import catalogs
from ..errors import CfdiError
from ..xml.safe import XmlError
from ..xml.values import DecimalText, escape_attribute, format_value, normalize_space
from .fields import Facets

XSI = "http://www.w3.org/2001/XMLSchema-instance"


class IntText(int):
    """A parsed integer whose text ``str(int)`` would not give back ("007", "+5")."""

    text: str

    def __new__(cls, text: str) -> "IntText":
        obj = super().__new__(cls, text)
        obj.text = text
        return obj

    def __str__(self) -> str:
        return self.text

    def __reduce__(self) -> tuple[Any, tuple[str]]:
        return (type(self), (self.text,))


# --- per-class plan ----------------------------------------------------------------


@dataclass(frozen=True)
class _Attribute:
    name: str  # dataclass field
    xml: str
    kind: type
    facets: Facets


@dataclass(frozen=True)
class _Child:
    name: str
    xml: str
    item: str | None  # element of each item inside the wrapper ``xml``
    cls: type
    many: bool
    occurs: tuple[int, int | None]
    required: bool  # a wrapper element that must be present


@dataclass(frozen=True)
class _Plan:
    attributes: tuple[_Attribute, ...]
    children: tuple[_Child, ...]


def _unwrap(hint: Any) -> tuple[Any, bool]:
    """(item type, is list) of a field annotation; Optional is dropped."""
    if typing.get_origin(hint) is list:
        return typing.get_args(hint)[0], True
    if typing.get_origin(hint) is typing.Union:
        return _unwrap(next(a for a in typing.get_args(hint) if a is not type(None)))
    return hint, False


_PLANS: dict[type, _Plan] = {}


def plan(cls: type) -> _Plan:
    """What to write, read and check for ``cls`` (worked out once per class)."""
    found = _PLANS.get(cls)
    if found is None:
        found = _PLANS[cls] = _make_plan(cls)
    return found


def _make_plan(cls: type) -> _Plan:
    hints = typing.get_type_hints(cls)
    attributes, nodes = [], []
    for f in dataclasses.fields(cls):
        kind, many = _unwrap(hints[f.name])
        if f.metadata.get("node"):
            meta = f.metadata
            nodes.append(
                _Child(
                    f.name,
                    meta["xml"],
                    meta.get("item"),
                    kind,
                    many,
                    meta["occurs"],
                    meta.get("required", False),
                )
            )
        elif "xml" in f.metadata:
            attributes.append(_Attribute(f.name, f.metadata["xml"], kind, f.metadata["facets"]))
    return _Plan(tuple(attributes), tuple(nodes))


def _text(value: Any) -> str:
    """The value as SAT's XSLT and XSD see it: its text, whitespace collapsed."""
    return normalize_space(format_value(value))


def _present(value: Any) -> bool:
    return value is not None and not (type(value) is str and not value)


# --- writing ------------------------------------------------------------------------


def write(node: Any, prefix: str, name: str, out: list[str]) -> None:
    """Append the XML text of ``node`` as element ``prefix:name`` (lxml's serialization form)."""
    p = plan(type(node))
    out.append(f"<{prefix}:{name}")
    for a in p.attributes:
        value = getattr(node, a.name)
        if _present(value):
            out.append(f' {a.xml}="{escape_attribute(format_value(value))}"')
    inner: list[str] = []
    for c in p.children:
        value = getattr(node, c.name)
        if not value:
            continue
        if not c.many:
            write(value, prefix, c.xml, inner)
        elif c.item is None:
            for item in value:
                write(item, prefix, c.xml, inner)
        else:
            inner.append(f"<{prefix}:{c.xml}>")
            for item in value:
                write(item, prefix, c.item, inner)
            inner.append(f"</{prefix}:{c.xml}>")
    if inner:
        out += [">", *inner, f"</{prefix}:{name}>"]
    else:
        out.append("/>")


# --- reading ------------------------------------------------------------------------


def _bad(where: str, value: str, es: str, en: str) -> CfdiError:
    return XmlError(f"{where}: '{value}' no es {es}.", f"{where}: '{value}' is not {en}.")


def _decimal(value: str, where: str) -> Decimal:
    try:
        number = Decimal(value)
    except InvalidOperation:
        raise _bad(where, value, "un número decimal", "a decimal number") from None
    if not number.is_finite():
        raise _bad(where, value, "un número decimal", "a decimal number")
    return number if format(number, "f") == value else DecimalText(value)


def _integer(value: str, where: str) -> int:
    try:
        number = int(value)
    except ValueError:
        raise _bad(where, value, "un número entero", "an integer") from None
    return number if str(number) == value else IntText(value)


def _moment(value: str, where: str) -> datetime:
    try:
        return datetime.strptime(value.strip(" \t\n\r"), "%Y-%m-%dT%H:%M:%S")
    except ValueError:
        raise _bad(
            where, value, "una fecha AAAA-MM-DDThh:mm:ss", "a date-time YYYY-MM-DDThh:mm:ss"
        ) from None


_PARSERS: dict[type, Callable[[str, str], Any]] = {
    Decimal: _decimal,
    int: _integer,
    datetime: _moment,
}


def _unsupported(kind_es: str, kind_en: str, name: str, where: str) -> CfdiError:
    return XmlError(
        f"{kind_es} no soportado en {where}: {name}.",
        f"Unsupported {kind_en} in {where}: {name}.",
        code="XML-UNSUPPORTED",
    )


def read(el: etree._Element, cls: type, namespace: str) -> Any:
    """The dataclass ``cls`` held by element ``el`` (its children in ``namespace``)."""
    p = plan(cls)
    where = etree.QName(el).localname
    known = {a.xml for a in p.attributes}
    for key in el.attrib:
        name = str(key)
        if name not in known and not name.startswith(f"{{{XSI}}}"):
            raise _unsupported("Atributo", "attribute", name, where)
    values: dict[str, Any] = {}
    for a in p.attributes:
        raw = el.get(a.xml)
        parse = _PARSERS.get(a.kind)
        values[a.name] = raw if raw is None or parse is None else parse(raw, f"{where}@{a.xml}")
    by_tag = {f"{{{namespace}}}{c.xml}": c for c in p.children}
    for sub in el:
        if not isinstance(sub.tag, str):
            continue  # comments, processing instructions
        c = by_tag.get(sub.tag)
        if c is None:
            raise _unsupported("Nodo", "node", sub.tag, where)
        if not c.many:
            values[c.name] = read(sub, c.cls, namespace)
        elif c.item is None:
            values.setdefault(c.name, []).append(read(sub, c.cls, namespace))
        else:
            items = values.setdefault(c.name, [])
            for item in sub:
                if not isinstance(item.tag, str):
                    continue
                if item.tag != f"{{{namespace}}}{c.item}":
                    raise _unsupported("Nodo", "node", item.tag, c.xml)
                items.append(read(item, c.cls, namespace))
    return cls(**values)


# --- cadena original ----------------------------------------------------------------


def cadena(node: Any, add: Callable[[str], Any]) -> None:
    """The fields SAT's XSLT writes for ``node``: Requerido always, Opcional when present."""
    p = plan(type(node))
    for a in p.attributes:
        value = getattr(node, a.name)
        if _present(value):
            add(_text(value))
        elif a.facets.required:
            add("")
    for c in p.children:
        value = getattr(node, c.name)
        if value is None:
            continue
        for item in value if c.many else (value,):
            cadena(item, add)


# --- structure (what SAT's XSD checks) ----------------------------------------------


@dataclass(frozen=True)
class Problem:
    """One departure from SAT's XSD: where, and what to fix in both languages."""

    path: str
    message_es: str
    message_en: str


def structure(node: Any, path: str) -> Iterator[Problem]:
    """Every attribute and child of ``node`` that SAT's XSD would refuse."""
    p = plan(type(node))
    for a in p.attributes:
        value = getattr(node, a.name)
        where = f"{path}.{a.xml}"
        if not _present(value):
            if a.facets.required:
                yield Problem(
                    where,
                    f"Falta el atributo requerido {a.xml}; regístrelo.",
                    f"The required attribute {a.xml} is missing; enter it.",
                )
            continue
        reason = _facet_violation(value, a.facets)
        if reason is not None:
            shown = _text(value)
            yield Problem(
                where,
                f"{a.xml} = «{shown}» no cumple el esquema del SAT ({reason[0]}); corríjalo.",
                f"{a.xml} = «{shown}» does not fit SAT's schema ({reason[1]}); correct it.",
            )
    for c in p.children:
        value = getattr(node, c.name)
        items = (value or []) if c.many else ([] if value is None else [value])
        yield from _occurs(c, len(items), f"{path}.{c.xml}")
        for i, item in enumerate(items):
            item_path = f"{path}.{c.xml}"
            if c.many:
                item_path += f"[{i}]" if c.item is None else f".{c.item}[{i}]"
            yield from structure(item, item_path)


def _occurs(c: _Child, count: int, where: str) -> Iterator[Problem]:
    low, high = c.occurs
    element = c.item or c.xml
    if c.item is not None and count == 0 and not c.required:
        return  # an optional wrapper, absent
    if c.item is not None and count == 0:
        low = max(low, 1)
    if count < low:
        yield Problem(
            where,
            f"Se requiere{'n al menos' if low > 1 else ''} {low} nodo(s) {element}; agréguelo(s).",
            f"At least {low} {element} node(s) required; add them.",
        )
    if high is not None and count > high:
        yield Problem(
            where,
            f"Hay {count} nodos {element}; el esquema admite a lo más {high}.",
            f"There are {count} {element} nodes; the schema allows at most {high}.",
        )


def _facet_violation(value: Any, facets: Facets) -> tuple[str, str] | None:
    """(es, en) reason why ``value`` breaks ``facets``; None when it fits."""
    shown = _text(value) if facets.collapse else format_value(value)
    if facets.enum and shown not in facets.enum:
        allowed = ", ".join(facets.enum)
        return f"valores admitidos: {allowed}", f"allowed values: {allowed}"
    if facets.catalog and shown not in catalogs.codes(facets.catalog):
        return f"no está en el catálogo {facets.catalog}", f"not in catalog {facets.catalog}"
    if facets.length and not facets.length[0] <= len(shown) <= facets.length[1]:
        low, high = facets.length
        return f"entre {low} y {high} caracteres", f"between {low} and {high} characters"
    if facets.pattern and not re.fullmatch(facets.pattern, shown):
        return f"patrón {facets.pattern}", f"pattern {facets.pattern}"
    if isinstance(value, Decimal):
        return _decimal_violation(value, shown, facets)
    if isinstance(value, int) and facets.minimum is not None and value < facets.minimum:
        return f"mínimo {facets.minimum}", f"minimum {facets.minimum}"
    return None


def _decimal_violation(value: Decimal, shown: str, facets: Facets) -> tuple[str, str] | None:
    if facets.digits is not None:
        integer, fraction = facets.digits
        whole, _, decimals = shown.lstrip("+").partition(".")
        if shown.startswith("-") or len(whole) > integer or len(decimals) > fraction:
            return (
                f"hasta {integer} enteros y {fraction} decimales, sin signo",
                f"up to {integer} integer and {fraction} fraction digits, unsigned",
            )
    if facets.fraction is not None and _fraction_digits(value) > facets.fraction:
        return f"hasta {facets.fraction} decimales", f"up to {facets.fraction} decimals"
    if facets.minimum is not None and value < facets.minimum:
        return f"mínimo {facets.minimum}", f"minimum {facets.minimum}"
    if facets.maximum is not None and value > facets.maximum:
        return f"máximo {facets.maximum}", f"maximum {facets.maximum}"
    return None


def _fraction_digits(value: Decimal) -> int:
    exponent = value.normalize().as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 0
