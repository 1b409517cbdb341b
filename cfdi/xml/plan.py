"""What each document class writes and reads, worked out once per class.

Serialization and parsing are generic: they follow the field metadata of
``cfdi.document`` (``xml`` name, ``node`` flag, field order = XSD order). ``plan(cls)``
turns that metadata into tuples the writer and the reader walk without introspection.
"""

from __future__ import annotations

import dataclasses
import typing
from functools import cache
from typing import Any, NamedTuple

from .. import document as doc
from .values import PARSERS, Parser, parse_str

# Namespace of each node class; everything not listed is in the cfdi namespace.
NAMESPACE_OF: dict[type, str] = {
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
PREFIX_OF = {
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
_ONLY_ATTRIBUTES: dict[tuple[type, str], frozenset[str]] = {
    (doc.Impuestos, "retenciones"): frozenset({"Impuesto", "Importe"})
}

# Complement classes: Complemento field -> (class, root element name inside cfdi:Complemento).
COMPLEMENT_ROOTS: dict[str, tuple[type, str]] = {
    "pagos": (doc.Pagos, "Pagos"),
    "impuestos_locales": (doc.ImpuestosLocales, "ImpuestosLocales"),
    "timbre": (doc.TimbreFiscalDigital, "TimbreFiscalDigital"),
}


class Attribute(NamedTuple):
    field: str  # dataclass field
    name: str  # Anexo 20 name
    kind: type  # declared type: str, Decimal, datetime, int
    parser: Parser
    head: str  # ' Name="', as the writer starts it


class Child(NamedTuple):
    field: str  # dataclass field
    tag: str  # {namespace}name of the element (or wrapper), as lxml reads it
    item_tag: str | None  # item element when wrapped, else None
    start: str  # "<prefix:Item" of each written node (the item's, when wrapped)
    end: str  # "</prefix:Item>"
    wrapper: tuple[str, str] | None  # ("<prefix:List>", "</prefix:List>") when wrapped
    cls: type | None  # item class; None for the list of UUID strings
    many: bool
    plan: Plan | None  # plan of the item class (None for UUID strings)
    omit_when_empty: bool


class Plan(NamedTuple):
    cls: type
    ns: str
    attributes: tuple[Attribute, ...]
    heads: tuple[tuple[str, str], ...]  # (field, ' Name="'): what the writer walks
    children: tuple[Child, ...]
    by_tag: dict[str, Child]
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


@cache
def plan(cls: type, only: frozenset[str] | None = None) -> Plan:
    """What to write and read for ``cls``; ``only`` restricts its attributes."""
    ns = NAMESPACE_OF.get(cls, doc.NS_CFDI)
    hints = typing.get_type_hints(cls)
    attributes: list[Attribute] = []
    children: list[Child] = []
    absent: list[str] = []
    for f in dataclasses.fields(cls):
        name = f.metadata.get("xml")
        if name is None:
            continue
        kind, many = _unwrap(hints[f.name])
        if not f.metadata.get("node"):
            if only is None or name in only:
                parser = PARSERS.get(kind, parse_str)
                attributes.append(Attribute(f.name, name, kind, parser, f' {name}="'))
            else:
                absent.append(f.name)
            continue
        children.append(_child(cls, f.name, name, kind, many, ns))
    return Plan(
        cls,
        ns,
        tuple(attributes),
        tuple((a.field, a.head) for a in attributes),
        tuple(children),
        {c.tag: c for c in children},
        tuple(absent),
    )


def _child(parent: type, field: str, name: str, kind: Any, many: bool, ns: str) -> Child:
    item = _WRAPPED_ITEM.get(name) if many else None
    item_cls = None if kind is str else kind
    prefix = PREFIX_OF[ns]
    written = f"{prefix}:{item or name}"
    return Child(
        field=field,
        tag=f"{{{ns}}}{name}",
        item_tag=f"{{{ns}}}{item}" if item else None,
        start=f"<{written}",
        end=f"</{written}>",
        wrapper=(f"<{prefix}:{name}>", f"</{prefix}:{name}>") if item else None,
        cls=item_cls,
        many=many,
        plan=plan(item_cls, _ONLY_ATTRIBUTES.get((parent, field))) if item_cls else None,
        omit_when_empty=item_cls in _OMIT_WHEN_EMPTY,
    )
