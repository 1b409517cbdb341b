"""CFDI 4.0 XML: safe parsing (``safe``), dataclasses -> bytes (``writer``), bytes ->
dataclasses (``reader``); ``plan`` holds what each document class writes and reads,
``values`` the text of attribute values."""

from .reader import from_bytes, from_tree
from .safe import XmlError, parse
from .values import DecimalText, escape_attribute, format_value, normalize_space
from .writer import to_bytes, to_tree

__all__ = [
    "DecimalText",
    "XmlError",
    "escape_attribute",
    "format_value",
    "from_bytes",
    "from_tree",
    "normalize_space",
    "parse",
    "to_bytes",
    "to_tree",
]
