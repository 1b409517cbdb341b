"""Parsed CFDI 4.0 tree -> dataclasses, following each class's plan (``cfdi.xml.plan``).

A document is read as it is: an absent attribute is None, never the dataclass default
(a summary Retencion has no TipoFactor; a missing Moneda is missing). A node the model
does not know is refused; an unknown complement is kept as raw XML.
"""

from __future__ import annotations

from copy import deepcopy
from typing import Any

from lxml import etree

from .. import document as doc
from ..complements import registry as complement_registry
from .plan import COMPLEMENT_ROOTS, NAMESPACE_OF, Plan, plan
from .safe import XmlError, parse

_XSI_LOCATION = f"{{{doc.NS_XSI}}}schemaLocation"
_COMPLEMENTO = f"{{{doc.NS_CFDI}}}Complemento"
_ADDENDA = f"{{{doc.NS_CFDI}}}Addenda"
_COMPLEMENT_BY_TAG = {
    f"{{{NAMESPACE_OF[cls]}}}{name}": (attr, cls) for attr, (cls, name) in COMPLEMENT_ROOTS.items()
}


def _unsupported(el: etree._Element, parent: etree._Element) -> XmlError:
    name = etree.QName(el)
    where = etree.QName(parent).localname
    return XmlError(
        f"Nodo no soportado dentro de {where}: {name.localname} ({name.namespace}).",
        f"Unsupported node inside {where}: {name.localname} ({name.namespace}).",
        code="XML-UNSUPPORTED",
    )


def _read(el: etree._Element, node_plan: Plan) -> Any:
    cls = node_plan.cls
    kwargs: dict[str, Any] = dict.fromkeys(node_plan.absent)
    get = el.get
    local = cls.__name__
    for attribute in node_plan.attributes:
        text = get(attribute.name)
        kwargs[attribute.field] = (
            None if text is None else attribute.parser(text, f"{local}@{attribute.name}")
        )
    lists: dict[str, list[Any]] = {c.field: [] for c in node_plan.children if c.many}
    for sub in el:
        if not isinstance(sub.tag, str):
            continue  # comments and processing instructions
        child = node_plan.by_tag.get(sub.tag)
        if child is None:
            if cls is doc.Comprobante and sub.tag == _COMPLEMENTO:
                kwargs["complemento"] = _read_complemento(sub, el)
            elif cls is not doc.Comprobante or sub.tag != _ADDENDA:
                raise _unsupported(sub, el)
        elif child.plan is None:  # CfdiRelacionados.uuids
            lists[child.field].append(sub.get("UUID", ""))
        elif not child.many:
            kwargs[child.field] = _read(sub, child.plan)
        elif child.item_tag is not None:
            items = lists[child.field]
            for item in sub:
                if not isinstance(item.tag, str):
                    continue
                if item.tag != child.item_tag:
                    raise _unsupported(item, sub)
                items.append(_read(item, child.plan))
        else:
            lists[child.field].append(_read(sub, child.plan))
    kwargs.update(lists)
    return cls(**kwargs)


def _schema_locations(root: etree._Element) -> dict[str, str]:
    words = (root.get(_XSI_LOCATION) or "").split()
    return dict(zip(words[::2], words[1::2], strict=False))


def _read_complemento(el: etree._Element, root: etree._Element) -> doc.Complemento:
    comp = doc.Complemento()
    locations: dict[str, str] | None = None
    for sub in el:
        if not isinstance(sub.tag, str):
            continue
        target = _COMPLEMENT_BY_TAG.get(sub.tag)
        if target is not None and getattr(comp, target[0]) is None:
            setattr(comp, target[0], _read(sub, plan(target[1])))
            continue
        modelled = complement_registry.read(sub)
        if modelled is not None and getattr(comp, modelled[0].field) is None:
            setattr(comp, modelled[0].field, modelled[1])
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
    return _read(root, plan(doc.Comprobante))


def from_bytes(data: bytes) -> doc.Comprobante:
    """Parse (safely) and read a CFDI 4.0 document."""
    return from_tree(parse(data))
