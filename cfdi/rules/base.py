"""What every rule module shares: ``Finding`` (a rule that fails) and ``Checker`` (the
document being checked, the findings so far, and the checks every node repeats:
catalog membership, decimals of the currency, computed values, RFC shape)."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from .. import amounts, catalogs
from ..document import Comprobante
from ..errors import in_language
from ..sat import RFC_RE

ZERO = Decimal("0")


@dataclass(frozen=True)
class Finding:
    """A rule that fails: SAT's code (CFDI40xxx) where SAT has one, else the engine's
    (EINV-...), the message in Spanish and English, and the path of the attribute."""

    code: str
    message_es: str
    message_en: str
    path: str
    severity: str = "error"  # "error" blocks stamping; "warning" is advice

    def __str__(self) -> str:
        return f"[{self.code}] {self.path}: {self.message_es} / {self.message_en}"

    @property
    def blocking(self) -> bool:
        return self.severity != "warning"

    def message(self, lang: str) -> str:
        """The message in one language: Spanish for ``es*`` codes (es_MX, es_419), else
        English."""
        return in_language(lang, self.message_es, self.message_en)

    def one_line(self) -> str:
        """``CODE path: message_es / message_en`` (no path for whole-file findings)."""
        where = f" {self.path}" if self.path else ""
        return f"{self.code}{where}: {self.message_es} / {self.message_en}"


@functools.lru_cache(maxsize=1024)
def _cached_tasa_valid(impuesto: str, tipo_factor: str, value: Decimal, retencion: bool) -> bool:
    return catalogs.tasa_o_cuota_valid(impuesto, tipo_factor, value, retencion=retencion)


def tasa_valid(impuesto: str, tipo_factor: str, value: Decimal, *, retencion: bool) -> bool:
    """``catalogs.tasa_o_cuota_valid`` remembered per rate (a document repeats a few rates;
    equal Decimals such as 0.16 and 0.160000 share an entry, the answer being the same)."""
    try:
        return _cached_tasa_valid(impuesto, tipo_factor, value, retencion)
    except TypeError:  # unhashable value (a signalling NaN): ask the catalog directly
        return catalogs.tasa_o_cuota_valid(impuesto, tipo_factor, value, retencion=retencion)


def has_comercio_exterior(c: Comprobante) -> bool:
    """Does ``c`` carry Comercio Exterior (read into the model, or an older version kept raw)?"""
    comp = c.complemento
    return comp.comercio_exterior is not None or any(
        b"ComercioExterior" in raw for raw in comp.others
    )


def fmt(value: object) -> str:
    return "(vacío)" if value is None or value == "" else str(value)


class Checker:
    """One document under check; each rule module adds its findings with ``add``."""

    def __init__(self, c: Comprobante, now: datetime | None):
        self.c = c
        self.now = now
        self.out: list[Finding] = []
        self.decimals = amounts.currency_decimals(c.moneda)

    def add(self, code: str, path: str, es: str, en: str, severity: str = "error") -> None:
        self.out.append(Finding(code, es, en, path, severity))

    def catalog(self, name: str, value: str | None, code: str, path: str, field: str) -> bool:
        if value in catalogs.codes(name):
            return True
        self.add(
            code,
            path,
            f"El campo {field} tiene «{fmt(value)}», que no está en el catálogo {name} del SAT; "
            f"elija una clave vigente de {name}.",
            f"{field} is «{fmt(value)}», which is not in SAT's catalog {name}; "
            f"choose a current {name} code.",
        )
        return False

    def decimals_ok(
        self, value: Decimal | None, code: str, path: str, field: str, decimals: int | None = None
    ) -> bool:
        allowed = self.decimals if decimals is None else decimals
        if not amounts.exceeds_decimals(value, allowed):
            return True
        self.add(
            code,
            path,
            f"{field} = {value} tiene más de {allowed} decimales, los que admite la moneda "
            f"{self.c.moneda}; redondee a {allowed} decimales.",
            f"{field} = {value} has more than the {allowed} decimals currency {self.c.moneda} "
            f"allows; round it to {allowed} decimals.",
        )
        return False

    def equal(
        self,
        given: Decimal | None,
        expected: Decimal,
        code: str,
        path: str,
        field: str,
        how_es: str,
        how_en: str,
    ) -> None:
        if given is not None and given == expected:
            return
        self.add(
            code,
            path,
            f"{field} = {fmt(given)} pero debe ser {expected} ({how_es}); corríjalo a {expected}.",
            f"{field} = {fmt(given)} but must be {expected} ({how_en}); set it to {expected}.",
        )

    def rfc_shape(self, rfc: str, path: str, who_es: str, who_en: str) -> bool:
        if RFC_RE.match(rfc or ""):
            return True
        self.add(
            "EINV-RFC",
            path,
            f"El RFC {who_es} «{fmt(rfc)}» no tiene forma válida: 12 caracteres para persona moral "
            f"o 13 para persona física (letras, fecha AAMMDD y homoclave), sin espacios ni guiones.",
            f"The {who_en} RFC «{fmt(rfc)}» is malformed: 12 characters for a company or 13 for an "
            f"individual (letters, YYMMDD date and check digits), without spaces or dashes.",
        )
        return False
