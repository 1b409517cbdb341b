"""Anexo 24 catalogs (contabilidad electrónica 1.3), read from ``catalogs/*.csv``.

Files (UTF-8, comma separated, one header row, first column ``code``):
``c_CodAgrup`` (``level``, ``nature``, ``description``), ``c_Banco`` and
``c_MetPagos`` (``description``), ``c_Moneda`` (codes only). They hold exactly
the codes of SAT's ``CatalogosParaEsqContE.xsd``;
``scripts/generate_contabilidad_catalogs.py`` regenerates them.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

CATALOG_DIR = Path(__file__).resolve().parent / "catalogs"


@dataclass(frozen=True)
class CodigoAgrupador:
    code: str
    level: int  # 1 cuenta de mayor, 2 subcuenta
    nature: str  # usual nature of its accounts: "D" deudora, "A" acreedora
    description: str


@lru_cache(maxsize=8)
def _rows(name: str) -> tuple[dict[str, str], ...]:
    with (CATALOG_DIR / f"{name}.csv").open(encoding="utf-8", newline="") as fh:
        return tuple(csv.DictReader(fh))


@lru_cache(maxsize=8)
def codes(name: str) -> frozenset[str]:
    """Codes of ``c_CodAgrup``, ``c_Banco``, ``c_MetPagos`` or ``c_Moneda``."""
    return frozenset(r["code"] for r in _rows(name))


@lru_cache(maxsize=1)
def _agrupadores() -> dict[str, CodigoAgrupador]:
    return {
        r["code"]: CodigoAgrupador(r["code"], int(r["level"]), r["nature"], r["description"])
        for r in _rows("c_CodAgrup")
    }


def agrupador(code: str) -> CodigoAgrupador | None:
    return _agrupadores().get(code)


def agrupadores() -> list[CodigoAgrupador]:
    """The whole código agrupador, in SAT's order."""
    return list(_agrupadores().values())


def description(name: str, code: str) -> str | None:
    for row in _rows(name):
        if row["code"] == code:
            return row.get("description")
    return None
