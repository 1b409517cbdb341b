"""Field declarations of the complement dataclasses: XML names and SAT's XSD facets.

A field is an attribute (``attr`` and its shorthands, with the ``Facets`` of its XSD
type) or a child node (``child``, ``children``). Field order is the XSD order:
attributes in declaration order, then child nodes in sequence order. ``nodes``
walks what is declared here; this module imports nothing of the engine, so
``cfdi.document`` can hold the complement dataclasses.
"""

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

NO_PIPE = r"[^|]*"  # SAT's text types: any character but the cadena's separator
FECHA_H = (
    r"(20[1-9][0-9])-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])T"
    r"(([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9])"
)  # tdCFDI:t_FechaH
FECHA = r"((19|20)[0-9][0-9])-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])"  # tdCFDI:t_Fecha
RFC = r"[A-Z&Ñ]{3,4}[0-9]{2}(0[1-9]|1[012])(0[1-9]|[12][0-9]|3[01])[A-Z0-9]{2}[0-9A]"
PLACA = r"[^(?!.*\s)-]{5,7}"  # SAT's own pattern (a character class, as XSD reads it)


@dataclass(frozen=True)
class Facets:
    """What SAT's XSD allows for one attribute (after whitespace collapse)."""

    required: bool = False
    pattern: str | None = None  # the whole value must match
    catalog: str | None = None  # a SAT catalog in cfdi/catalogs
    enum: tuple[str, ...] = ()
    length: tuple[int, int] | None = None  # (min, max) characters
    digits: tuple[int, int] | None = None  # (integer, fraction) digits, as written
    fraction: int | None = None  # fraction digits of the value (XSD fractionDigits)
    minimum: Decimal | None = None
    maximum: Decimal | None = None
    collapse: bool = True  # XSD whiteSpace="collapse" (False: the text is checked as it is)


# --- field declarations ---------------------------------------------------------


def attr(name: str, *, required: bool = False, **facets: Any) -> Any:
    """An XML attribute field; ``name`` is its Anexo 20 spelling."""
    return field(default=None, metadata={"xml": name, "facets": Facets(required, **facets)})


def text(name: str, low: int, high: int, *, required: bool = False, pattern: str = NO_PIPE) -> Any:
    return attr(name, required=required, length=(low, high), pattern=pattern)


def code(name: str, catalog: str, *, required: bool = False) -> Any:
    return attr(name, required=required, catalog=catalog)


def choice(name: str, values: tuple[str, ...], *, required: bool = False) -> Any:
    return attr(name, required=required, enum=values)


def amount(
    name: str,
    integer: int,
    fraction: int,
    *,
    required: bool = False,
    minimum: str = "0",
    maximum: str | None = None,
) -> Any:
    """A decimal attribute: at most ``integer`` digits before the point, ``fraction`` after."""
    return attr(
        name,
        required=required,
        digits=(integer, fraction),
        minimum=Decimal(minimum),
        maximum=None if maximum is None else Decimal(maximum),
    )


def measure(
    name: str,
    fraction: int,
    *,
    required: bool = False,
    minimum: str | None = None,
    maximum: str | None = None,
) -> Any:
    """A decimal attribute limited by XSD ``fractionDigits`` (its value, not its text)."""
    return attr(
        name,
        required=required,
        fraction=fraction,
        minimum=None if minimum is None else Decimal(minimum),
        maximum=None if maximum is None else Decimal(maximum),
    )


def child(name: str, *, required: bool = False) -> Any:
    """One child node (a dataclass)."""
    return field(default=None, metadata={"xml": name, "node": True, "occurs": (int(required), 1)})


def children(
    name: str,
    *,
    item: str | None = None,
    min_occurs: int = 0,
    max_occurs: int | None = None,
    required: bool = False,
) -> Any:
    """Repeated child nodes; with ``item`` they sit inside one wrapper element ``name``,
    which is written only when there are items (``required``: the wrapper must be there)."""
    return field(
        default_factory=list,
        metadata={
            "xml": name,
            "node": True,
            "item": item,
            "occurs": (min_occurs, max_occurs),
            "required": required,
        },
    )
