"""Attribute values as XML text, both ways: Decimal, datetime, int and str."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime
from decimal import Context, Decimal, InvalidOperation
from typing import Any

from ..sat import FECHA_FORMAT
from .safe import XmlError

_XML_WS = re.compile(r"[ \t\n\r]+")
# Characters XML 1.0 cannot carry at all.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


class DecimalText(Decimal):
    """A parsed Decimal whose text ``format(d, "f")`` would not give back.

    XSD decimals allow a sign or leading zeros ("+1.50", "007"); the seal was
    computed over that text, so it is kept for serialization and the cadena.
    Arithmetic returns plain ``Decimal``.
    """

    __slots__ = ("text",)
    text: str

    def __new__(cls, text: str) -> DecimalText:
        obj = super().__new__(cls, text)
        obj.text = text
        return obj

    def __format__(self, spec: str, context: Context | None = None) -> str:
        return self.text if spec == "f" else super().__format__(spec, context)

    def __reduce__(self) -> tuple[type, tuple[str]]:
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
    if isinstance(value, (bool, float)):
        raise XmlError(
            f"Valor {value!r} no permitido: use Decimal o texto, nunca float/bool.",
            f"Value {value!r} not allowed: use Decimal or text, never float/bool.",
        )
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, datetime):
        return value.strftime(FECHA_FORMAT)
    if isinstance(value, (str, int)):
        return str(value)
    raise XmlError(
        f"Valor de tipo {kind.__name__} no se puede escribir en XML.",
        f"A value of type {kind.__name__} cannot be written to XML.",
    )


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


# --- text -> values ---------------------------------------------------------------

Parser = Callable[[str, str], Any]  # (text, where) -> value


def _bad_value(where: str, text: str, what_es: str, what_en: str) -> XmlError:
    return XmlError(f"{where}: '{text}' no es {what_es}.", f"{where}: '{text}' is not {what_en}.")


def parse_decimal(text: str, where: str) -> Decimal:
    try:
        value: Decimal | None = Decimal(text)
    except InvalidOperation:
        value = None
    if value is None or not value.is_finite():
        raise _bad_value(where, text, "un número decimal", "a decimal number")
    if format(value, "f") == text:
        return value
    text = normalize_space(text)
    return value if format(value, "f") == text else DecimalText(text)


def parse_int(text: str, where: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise _bad_value(where, text, "un número entero", "an integer") from None


def parse_datetime(text: str, where: str) -> datetime:
    try:
        return datetime.strptime(text.strip(" \t\n\r"), FECHA_FORMAT)
    except ValueError:
        raise _bad_value(
            where, text, "una fecha AAAA-MM-DDThh:mm:ss", "a date-time YYYY-MM-DDThh:mm:ss"
        ) from None


def parse_str(text: str, where: str) -> str:
    return text


PARSERS: dict[type, Parser] = {
    Decimal: parse_decimal,
    int: parse_int,
    datetime: parse_datetime,
    str: parse_str,
}
