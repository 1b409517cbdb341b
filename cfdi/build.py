"""Build a CFDI from JSON written with Anexo 20's own names (the CLI's ``build``).

``{"Serie": "A", "Emisor": {...}, "Conceptos": [{"ClaveProdServ": ..., "Impuestos":
{"Traslados": [...]}}]}``: computed attributes left out are filled by the engine.
"""

from __future__ import annotations

import dataclasses
import json
import types
import typing
from datetime import datetime
from decimal import Decimal, InvalidOperation
from functools import cache
from typing import Any

from . import document
from . import xml as cfdi_xml
from .credentials import Credential
from .errors import CfdiError
from .issue import issue


class InputError(CfdiError):
    code = "INPUT"


@cache
def _fields_by_xml_name(cls: type) -> dict[str, tuple[str, Any]]:
    """Anexo 20 name -> (attribute name, type hint) for a document dataclass."""
    hints = typing.get_type_hints(cls, vars(document))
    out: dict[str, tuple[str, Any]] = {}
    for f in dataclasses.fields(cls):
        name = f.metadata.get("xml")
        if name is None and dataclasses.is_dataclass(_unwrap(hints[f.name])[0]):
            # Complemento and its children carry no xml name: their class names are
            # the element names (Complemento, Pagos, ImpuestosLocales, TimbreFiscalDigital).
            name = _unwrap(hints[f.name])[0].__name__
        if name is not None:
            out[name] = (f.name, hints[f.name])
    return out


def _unwrap(hint: Any) -> tuple[Any, bool]:
    """(inner type, is_list) of ``X``, ``Optional[X]``, ``list[X]``."""
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        hint = next(a for a in typing.get_args(hint) if a is not type(None))
        origin = typing.get_origin(hint)
    if origin is list:
        return typing.get_args(hint)[0], True
    return hint, False


def _bad(path: str, es: str, en: str) -> InputError:
    return InputError(f"{path}: {es}", f"{path}: {en}")


def _scalar(value: Any, kind: Any, path: str) -> Any:
    if isinstance(value, bool) or value is None:
        raise _bad(path, "valor no válido.", "invalid value.")
    if kind is Decimal:
        try:
            number = Decimal(value) if isinstance(value, (str, int, Decimal)) else None
        except InvalidOperation:
            number = None
        if number is None or not number.is_finite():
            raise _bad(path, f"'{value}' no es un número.", f"'{value}' is not a number.")
        return number
    if kind is int:
        try:
            return int(value)
        except (TypeError, ValueError):
            raise _bad(
                path, f"'{value}' no es un entero.", f"'{value}' is not an integer."
            ) from None
    if kind is datetime:
        try:
            return datetime.strptime(str(value), "%Y-%m-%dT%H:%M:%S")
        except ValueError:
            raise _bad(
                path,
                f"'{value}' no es AAAA-MM-DDThh:mm:ss.",
                f"'{value}' is not YYYY-MM-DDThh:mm:ss.",
            ) from None
    if not isinstance(value, str):
        raise _bad(path, "se esperaba texto (entre comillas).", "text (in quotes) was expected.")
    return value


def _item(value: Any, kind: Any, path: str) -> Any:
    if isinstance(kind, type) and dataclasses.is_dataclass(kind):
        return from_json(value, kind, path)
    if kind is str and isinstance(value, dict) and set(value) == {"UUID"}:
        return _scalar(value["UUID"], str, path)  # CfdiRelacionado: {"UUID": ...} or "..."
    return _scalar(value, kind, path)


def from_json(data: Any, cls: type = document.Comprobante, path: str = "") -> Any:
    """A document dataclass from JSON using Anexo 20 names ({"Serie": "A", "Emisor": {...}})."""
    where = path or cls.__name__
    if not isinstance(data, dict):
        raise _bad(where, "se esperaba un objeto {...}.", "an object {...} was expected.")
    known = _fields_by_xml_name(cls)
    unknown = sorted(set(data) - set(known))
    if unknown:
        raise _bad(
            where,
            f"nombres desconocidos {unknown}; use los del Anexo 20: {sorted(known)}.",
            f"unknown names {unknown}; use Anexo 20's: {sorted(known)}.",
        )
    values: dict[str, Any] = {}
    for xml_name, value in data.items():
        attribute, hint = known[xml_name]
        kind, is_list = _unwrap(hint)
        child = f"{path}.{xml_name}" if path else xml_name
        if is_list:
            if not isinstance(value, list):
                raise _bad(child, "se esperaba una lista [...].", "a list [...] was expected.")
            values[attribute] = [_item(v, kind, f"{child}[{i}]") for i, v in enumerate(value)]
        else:
            values[attribute] = _item(value, kind, child)
    return cls(**values)


def comprobante_from_json(text: str | bytes) -> document.Comprobante:
    try:
        data = json.loads(text, parse_float=Decimal)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise InputError(f"JSON mal formado: {exc}", f"Malformed JSON: {exc}") from None
    if isinstance(data, dict) and set(data) == {"Comprobante"}:
        data = data["Comprobante"]
    return from_json(data)


def to_json(obj: Any) -> Any:
    """The reverse of ``from_json``: Anexo 20 names, text for numbers and dates, no empties."""
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        out: dict[str, Any] = {}
        for xml_name, (attribute, _) in _fields_by_xml_name(type(obj)).items():
            value = to_json(getattr(obj, attribute))
            if value not in (None, [], {}):
                out[xml_name] = value
        return out
    if isinstance(obj, list):
        return [to_json(v) for v in obj]
    if isinstance(obj, (Decimal, datetime, int)) and not isinstance(obj, bool):
        return cfdi_xml.format_value(obj)
    return obj


def build_document(c: document.Comprobante, credential: Credential | None) -> bytes:
    """Computed amounts, then sealed when a credential is given (rules are not checked:
    ``python -m cfdi validate`` does that)."""
    return issue(c, credential, check=False).xml
