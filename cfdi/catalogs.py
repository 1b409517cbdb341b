"""SAT catalogs of CFDI 4.0, read from the data files in ``cfdi/catalogs/``.

File format (the single source of truth; the Odoo layer loads the same files):

* one file per catalog, named after SAT's catalog (``c_UsoCFDI.csv``);
* UTF-8, comma separated, RFC 4180 quoting, ``\\n`` line ends, one header row;
* the first column is ``code`` (SAT's key, kept as text: ``"01"``, ``"601"``);
  most files then have ``description`` (SAT's Spanish text).

Extra columns: ``c_Moneda``: ``decimals``; ``c_RegimenFiscal``: ``fisica``,
``moral`` (``1``/``0``: applies to that kind of person); ``c_UsoCFDI``:
``fisica``, ``moral``, ``regimenes_receptor`` (space-separated c_RegimenFiscal
codes the receiver may have, empty = any); ``c_Estado``: ``country``;
``c_CodigoPostal``: ``state``, ``time_zone`` (SAT's label, e.g. "Tiempo del
Centro"); ``c_TasaOCuota`` (no ``code``): ``impuesto``, ``tipo_factor``,
``minimo``, ``maximo``, ``traslado``, ``retencion``.

``scripts/generate_catalogs.py`` regenerates the files from SAT's catCFDI.xsd.
Every function reads a file once (``functools.lru_cache``).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone, tzinfo
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .errors import CfdiError

CATALOG_DIR = Path(__file__).resolve().parent / "catalogs"

# SAT's time-zone labels of c_CodigoPostal -> IANA zones (Fecha is local time there).
DEFAULT_ZONE = "America/Mexico_City"  # central time: SAT's own clock, and the fallback
TIME_ZONES = {
    "Tiempo del Centro": "America/Mexico_City",
    "Tiempo del Centro en Frontera": "America/Matamoros",
    "Tiempo del Noroeste": "America/Tijuana",
    "Tiempo del Noroeste en Frontera": "America/Tijuana",
    "Tiempo del Pacífico": "America/Mazatlan",
    "Tiempo del Pacífico en Frontera": "America/Ciudad_Juarez",
    "Tiempo del Pacífico Sonora": "America/Hermosillo",
    "Tiempo del Sureste": "America/Cancun",
}


class UnknownCatalog(CfdiError):
    pass


@dataclass(frozen=True)
class PostalCode:
    code: str
    state: str
    time_zone: str  # SAT's label

    @property
    def iana_zone(self) -> str:
        return iana_zone(self.time_zone)


@dataclass(frozen=True)
class TasaOCuota:
    impuesto: str
    tipo_factor: str
    minimo: Decimal
    maximo: Decimal
    traslado: bool
    retencion: bool

    def admits(self, value: Decimal) -> bool:
        if self.minimo == self.maximo:
            return value == self.minimo
        return self.minimo <= value <= self.maximo


def names() -> list[str]:
    """Names of every catalog file present (``c_Moneda``, ...)."""
    return sorted(p.stem for p in CATALOG_DIR.glob("c_*.csv"))


@lru_cache(maxsize=64)
def _rows(name: str) -> tuple[dict[str, str], ...]:
    path = CATALOG_DIR / f"{name}.csv"
    if not path.is_file():
        raise UnknownCatalog(
            f"El catálogo {name} no existe en {CATALOG_DIR}; regenere con scripts/generate_catalogs.py.",
            f"Catalog {name} does not exist in {CATALOG_DIR}; regenerate with scripts/generate_catalogs.py.",
            code="EINV-CAT",
        )
    with path.open(encoding="utf-8", newline="") as fh:
        return tuple(csv.DictReader(fh))


def rows(name: str) -> list[dict[str, str]]:
    """All rows of a catalog as dicts keyed by the header (a fresh list)."""
    return [dict(r) for r in _rows(name)]


@lru_cache(maxsize=64)
def _index(name: str) -> dict[str, dict[str, str]]:
    return {r["code"]: r for r in _rows(name)}


@lru_cache(maxsize=64)
def codes(name: str) -> frozenset[str]:
    return frozenset(_index(name))


def row(name: str, code: str) -> dict[str, str] | None:
    found = _index(name).get(code)
    return dict(found) if found is not None else None


def description(name: str, code: str) -> str | None:
    found = _index(name).get(code)
    return found.get("description") if found is not None else None


def currency_decimals(code: str) -> int:
    """Decimals SAT allows for amounts in a currency (c_Moneda); 2 if unknown."""
    found = _index("c_Moneda").get(code)
    return int(found["decimals"]) if found is not None and found["decimals"] else 2


def postal_code(cp: str) -> PostalCode | None:
    found = _index("c_CodigoPostal").get(cp)
    if found is None:
        return None
    return PostalCode(cp, found["state"], found["time_zone"])


@lru_cache(maxsize=1)
def _pais_by_alpha2() -> dict[str, str]:
    return {r["alpha2"]: r["code"] for r in _rows("c_Pais") if r.get("alpha2")}


def pais_of_alpha2(alpha2: str | None) -> str | None:
    """c_Pais (ISO 3166-1 alpha-3) of an alpha-2 country code, e.g. ``US`` -> ``USA``."""
    return _pais_by_alpha2().get((alpha2 or "").upper())


@lru_cache(maxsize=8)
def _state_pairs(name: str) -> frozenset[tuple[str, str]]:
    return frozenset((r["code"], r["state"]) for r in _rows(name))


def in_state(name: str, code: str, state: str) -> bool:
    """Is ``code`` a key of the per-state catalog ``name`` (c_Municipio, c_Localidad) in ``state``?"""
    return (code, state) in _state_pairs(name)


def regimen_applies(regimen: str, *, moral: bool) -> bool:
    found = _index("c_RegimenFiscal").get(regimen)
    return found is not None and found["moral" if moral else "fisica"] == "1"


def uso_cfdi_applies(uso: str, *, moral: bool) -> bool:
    found = _index("c_UsoCFDI").get(uso)
    return found is not None and found["moral" if moral else "fisica"] == "1"


def uso_cfdi_regimenes(uso: str) -> frozenset[str]:
    """Receiver régimes allowed with a UsoCFDI; empty set = not restricted."""
    found = _index("c_UsoCFDI").get(uso)
    return frozenset((found or {}).get("regimenes_receptor", "").split())


@lru_cache(maxsize=64)
def tasas_o_cuotas() -> tuple[TasaOCuota, ...]:
    return tuple(
        TasaOCuota(
            r["impuesto"],
            r["tipo_factor"],
            Decimal(r["minimo"]),
            Decimal(r["maximo"]),
            r["traslado"] == "1",
            r["retencion"] == "1",
        )
        for r in _rows("c_TasaOCuota")
    )


def tasa_o_cuota_valid(impuesto: str, tipo_factor: str, value: Decimal, *, retencion: bool) -> bool:
    """Is ``value`` a TasaOCuota SAT's c_TasaOCuota allows for this tax and direction?"""
    return any(
        t.impuesto == impuesto
        and t.tipo_factor == tipo_factor
        and (t.retencion if retencion else t.traslado)
        and t.admits(value)
        for t in tasas_o_cuotas()
    )


# --- time zones: the clock of a CFDI's dates -------------------------------------------


def iana_zone(label: str | None) -> str:
    """IANA zone of one of SAT's c_CodigoPostal time-zone labels; Mexico City if unknown."""
    return TIME_ZONES.get(label or "", DEFAULT_ZONE)


@lru_cache(maxsize=16)
def zone(name: str) -> tzinfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):  # no tz database: central time, no DST since 2022
        return timezone(timedelta(hours=-6))


def mexico_city() -> tzinfo:
    """Mexico's central time: SAT's clock (FechaTimbrado, cancellations, certificates)."""
    return zone(DEFAULT_ZONE)


@lru_cache(maxsize=1024)
def time_zone(cp: str | None) -> tzinfo:
    """Time zone of a postal code (c_CodigoPostal): Fecha is local time at LugarExpedicion.
    Mexico City's when the code is unknown."""
    found = postal_code(cp) if cp else None
    return zone(found.iana_zone if found is not None else DEFAULT_ZONE)


def local_time(moment: datetime, cp: str | None = None) -> datetime:
    """``moment`` (aware) as a CFDI writes it: naive local time at ``cp`` (Mexico City's by
    default), to the second. A naive ``moment`` is taken as already local."""
    if moment.tzinfo is not None:
        moment = moment.astimezone(time_zone(cp)).replace(tzinfo=None)
    return moment.replace(microsecond=0)
