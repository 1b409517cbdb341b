"""The complements this package models, and the one place the engine asks about them.

``cfdi.xml`` writes and reads them through ``to_text`` / ``read``, ``cfdi.cadena``
adds their part of the cadena original (``cadena``), ``cfdi.amounts`` fills their
computed amounts (``fill``) and ``cfdi.rules`` checks them (``check``: SAT's XSD
facets as ``EINV-XSD`` findings, then each complement's own rules).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from lxml import etree

from . import carta_porte, comercio_exterior, nodes

if TYPE_CHECKING:
    from ..document import Complemento, Comprobante
    from ..rules import Finding

XSD_CODE = "EINV-XSD"


@dataclass(frozen=True)
class Kind:
    field: str  # attribute of cfdi.document.Complemento
    cls: type
    namespace: str
    prefix: str
    element: str
    schema_location: str

    @property
    def tag(self) -> str:
        return f"{{{self.namespace}}}{self.element}"


KINDS = (
    Kind(
        "comercio_exterior",
        comercio_exterior.ComercioExterior,
        comercio_exterior.NAMESPACE,
        "cce20",
        "ComercioExterior",
        comercio_exterior.SCHEMA_LOCATION,
    ),
    Kind(
        "carta_porte",
        carta_porte.CartaPorte,
        carta_porte.NAMESPACE,
        "cartaporte31",
        "CartaPorte",
        carta_porte.SCHEMA_LOCATION,
    ),
)
_BY_TAG = {k.tag: k for k in KINDS}


def present(comp: Complemento) -> list[tuple[Kind, Any]]:
    """(kind, value) of each modelled complement ``comp`` carries, in writing order."""
    return [(k, getattr(comp, k.field)) for k in KINDS if getattr(comp, k.field) is not None]


def to_text(kind: Kind, value: Any) -> str:
    """The complement's element as XML text; its prefix is declared on the Comprobante."""
    out: list[str] = []
    nodes.write(value, kind.prefix, kind.element, out)
    return "".join(out)


def read(el: etree._Element) -> tuple[Kind, Any] | None:
    """(kind, dataclass) of a complement element this package models; None for others."""
    kind = _BY_TAG.get(el.tag)
    if kind is None:
        return None
    return kind, nodes.read(el, kind.cls, kind.namespace)


def cadena(comp: Complemento, add: Callable[[str], Any]) -> None:
    """Their part of the cadena original, in the order ``to_text`` writes them."""
    for _, value in present(comp):
        nodes.cadena(value, add)


def fill(c: Comprobante) -> None:
    """Computed amounts of the complements left out (see each complement's ``fill``)."""
    comp = c.complemento
    if comp.comercio_exterior is not None:
        comercio_exterior.fill(c, comp.comercio_exterior)
    if comp.carta_porte is not None:
        carta_porte.fill(comp.carta_porte)


def check(c: Comprobante, now: datetime | None = None) -> list[Finding]:
    """SAT's XSD facets of each complement (``EINV-XSD``), then its own rules."""
    from ..rules import Finding
    from . import carta_porte_rules, comercio_exterior_rules

    findings = [
        Finding(XSD_CODE, p.message_es, p.message_en, p.path) for p in structure(c.complemento)
    ]
    findings += comercio_exterior_rules.check(c)
    findings += carta_porte_rules.check(c, now)
    return findings


def structure(comp: Complemento) -> Iterable[nodes.Problem]:
    for kind, value in present(comp):
        yield from nodes.structure(value, f"Complemento.{kind.element}")
