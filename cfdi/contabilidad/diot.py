"""DIOT (Declaración Informativa de Operaciones con Terceros), SAT's 2025 batch file.

One ``OperacionTercero`` is what was paid to one supplier in the month (cash
basis: the part of each vendor bill paid in the month, in pesos), split by the
DIOT's five sections (8 % northern and southern border region, 16 %, 16 % on
customs imports of goods, 16 % on imports of intangibles and services) plus
the extra data (IVA withheld, exempt, 0 %, not subject). ``combine`` adds up
the lines of the same supplier and operation; ``write_diot`` writes SAT's
54-field, pipe-separated, UTF-8 batch file, amounts in whole pesos. Which
layout and from which source: ``DIOT.md`` in this folder.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, fields, replace
from decimal import ROUND_HALF_DOWN, ROUND_HALF_UP, Decimal
from typing import IO

from .. import catalogs as cfdi_catalogs
from ..rules import Finding
from ..sat import RFC_RE

ZERO = Decimal("0")
CENT = Decimal("0.01")
SEPARATOR = "|"
LINE_END = "\r\n"
FIELDS = 54

NACIONAL = "04"
EXTRANJERO = "05"
GLOBAL = "15"
TIPOS_TERCERO = {
    NACIONAL: "Proveedor nacional",
    EXTRANJERO: "Proveedor extranjero",
    GLOBAL: "Proveedor global",
}

ENAJENACION_DE_BIENES = "02"
SERVICIOS_PROFESIONALES = "03"
USO_O_GOCE_TEMPORAL = "06"
IMPORTACION = "07"
IMPORTACION_VIRTUAL = "08"
OTROS = "85"
OPERACIONES_GLOBALES = "87"
TIPOS_OPERACION = {
    ENAJENACION_DE_BIENES: "Enajenación de bienes",
    SERVICIOS_PROFESIONALES: "Prestación de servicios profesionales",
    USO_O_GOCE_TEMPORAL: "Uso o goce temporal de bienes",
    IMPORTACION: "Importación de bienes o servicios",
    IMPORTACION_VIRTUAL: "Importación por transferencia virtual",
    OTROS: "Otros",
    OPERACIONES_GLOBALES: "Operaciones globales",
}
# Operations each kind of third party may report (SAT's 2025 instructivo).
OPERACIONES_POR_TERCERO = {
    NACIONAL: frozenset(
        {ENAJENACION_DE_BIENES, SERVICIOS_PROFESIONALES, USO_O_GOCE_TEMPORAL, OTROS}
    ),
    EXTRANJERO: frozenset(
        {
            ENAJENACION_DE_BIENES,
            SERVICIOS_PROFESIONALES,
            USO_O_GOCE_TEMPORAL,
            IMPORTACION,
            IMPORTACION_VIRTUAL,
            OTROS,
        }
    ),
    GLOBAL: frozenset({OPERACIONES_GLOBALES}),
}
PAIS_NO_DECLARADO = "ZZZ"
GENERIC_RFCS = frozenset({"XAXX010101000", "XEXX010101000"})
SI, NO = "01", "02"


@dataclass(frozen=True)
class Actos:
    """One DIOT section: what was paid in it and how its IVA is treated (pesos)."""

    pagado: Decimal = ZERO  # valor total de actos o actividades pagadas (the base)
    devoluciones: Decimal = ZERO  # devoluciones, descuentos y bonificaciones
    iva_acreditable: Decimal = ZERO  # exclusivamente de actividades gravadas
    iva_acreditable_proporcion: Decimal = ZERO  # asociado a actividades con proporción
    iva_no_acreditable_proporcion: Decimal = ZERO
    iva_no_acreditable_requisitos: Decimal = ZERO  # no cumple requisitos
    iva_no_acreditable_exentas: Decimal = ZERO  # asociado a actividades exentas
    iva_no_acreditable_no_objeto: Decimal = ZERO  # asociado a actividades no objeto

    def __add__(self, other: Actos) -> Actos:
        return Actos(*(getattr(self, f.name) + getattr(other, f.name) for f in fields(self)))


@dataclass(frozen=True)
class OperacionTercero:
    """One line of the DIOT: a supplier and a kind of operation in the month."""

    tipo_tercero: str  # 04 nacional, 05 extranjero, 15 global
    tipo_operacion: str  # 02, 03, 06, 07, 08, 85, 87
    rfc: str = ""  # 04 and 15 (15: XAXX010101000); optional for 05
    num_id_fiscal: str = ""  # 05: the foreign tax id
    nombre_extranjero: str = ""  # 05
    pais: str = ""  # 05: c_Pais (ISO 3166-1 alpha-3); ZZZ = not listed
    jurisdiccion: str = ""  # 05 with pais ZZZ: the tax jurisdiction, spelled out
    fronteriza_norte: Actos = field(default_factory=Actos)  # 8 %, región fronteriza norte
    fronteriza_sur: Actos = field(default_factory=Actos)  # 8 %, región fronteriza sur
    tasa_16: Actos = field(default_factory=Actos)  # 16 %, rest of the country
    importacion_tangibles: Actos = field(default_factory=Actos)  # 16 %, customs imports
    importacion_intangibles: Actos = field(default_factory=Actos)  # 16 %, intangibles/services
    iva_retenido: Decimal = ZERO  # IVA retenido por el contribuyente
    importacion_exenta: Decimal = ZERO  # imports of goods and services exempt of IVA
    exento: Decimal = ZERO  # acts paid that are exempt of IVA
    tasa_0: Decimal = ZERO  # acts paid at 0 %
    no_objeto: Decimal = ZERO  # not subject to IVA, in Mexico
    no_objeto_sin_establecimiento: Decimal = ZERO  # not subject: no establishment in Mexico
    efectos_fiscales: bool = True  # the vouchers were given tax effect (field 54)

    @property
    def key(self) -> tuple[str, str, str, str]:
        return (self.tipo_tercero, self.tipo_operacion, self.rfc.upper(), self.num_id_fiscal)

    @property
    def sections(self) -> list[Actos]:
        """The five sections in the file's order."""
        return [getattr(self, name) for name in SECTIONS]


SECTIONS = (  # the file's order
    "fronteriza_norte",
    "fronteriza_sur",
    "tasa_16",
    "importacion_tangibles",
    "importacion_intangibles",
)
EXTRA = (  # fields 48-53
    "iva_retenido",
    "importacion_exenta",
    "exento",
    "tasa_0",
    "no_objeto",
    "no_objeto_sin_establecimiento",
)


def _add(a: OperacionTercero, b: OperacionTercero) -> OperacionTercero:
    changes: dict[str, object] = {s: getattr(a, s) + getattr(b, s) for s in SECTIONS + EXTRA}
    changes["efectos_fiscales"] = a.efectos_fiscales and b.efectos_fiscales
    return replace(a, **changes)  # type: ignore[arg-type]


def combine(lines: Iterable[OperacionTercero]) -> list[OperacionTercero]:
    """One line per supplier and operation (tipo de tercero, tipo de operación, RFC
    or foreign tax id), amounts added up, in the order first seen."""
    out: dict[tuple[str, str, str, str], OperacionTercero] = {}
    for line in lines:
        out[line.key] = _add(out[line.key], line) if line.key in out else line
    return list(out.values())


def pesos(value: Decimal) -> int:
    """Whole pesos as CFF art. 20 rounds: 1 to 50 cents down, 51 to 99 cents up."""
    cents = Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)
    return int(cents.quantize(Decimal("1"), rounding=ROUND_HALF_DOWN))


def _amount(value: Decimal) -> str:
    whole = pesos(value)
    return str(whole) if whole else ""


def _text(value: str) -> str:
    """No pipes, line breaks or runs of spaces inside a field."""
    return " ".join(value.replace(SEPARATOR, " ").split())


def fields_of(line: OperacionTercero) -> list[str]:
    """The 54 fields of SAT's layout, in order (empty where zero or not applicable)."""
    foreign = line.tipo_tercero == EXTRANJERO
    out = [
        line.tipo_tercero,
        line.tipo_operacion,
        _text(line.rfc).upper(),
        _text(line.num_id_fiscal) if foreign else "",
        _text(line.nombre_extranjero) if foreign else "",
        line.pais if foreign else "",
        _text(line.jurisdiccion) if foreign and line.pais == PAIS_NO_DECLARADO else "",
    ]
    sections = line.sections
    for s in sections:  # 8-17: value of the acts paid, and returns
        out += [_amount(s.pagado), _amount(s.devoluciones)]
    for s in sections:  # 18-27: IVA creditable
        out += [_amount(s.iva_acreditable), _amount(s.iva_acreditable_proporcion)]
    for s in sections:  # 28-47: IVA not creditable
        out += [
            _amount(s.iva_no_acreditable_proporcion),
            _amount(s.iva_no_acreditable_requisitos),
            _amount(s.iva_no_acreditable_exentas),
            _amount(s.iva_no_acreditable_no_objeto),
        ]
    out += [_amount(getattr(line, name)) for name in EXTRA]  # 48-53
    out.append(SI if line.efectos_fiscales else NO)  # 54
    return out


def write_diot(lines: Iterable[OperacionTercero], out: IO[bytes]) -> int:
    """SAT's batch file: one line per third party, 54 pipe-separated fields, UTF-8
    (no byte-order mark), CRLF line ends. Returns the number of lines written."""
    count = 0
    for line in lines:
        out.write((SEPARATOR.join(fields_of(line)) + LINE_END).encode("utf-8"))
        count += 1
    return count


def check_diot(lines: Iterable[OperacionTercero]) -> list[Finding]:
    """What SAT's portal refuses: unknown or mismatched types, a national or global
    supplier without a valid RFC, a foreign one without tax id, name or country,
    negative amounts, and a supplier listed twice for one operation."""
    out: list[Finding] = []
    seen: set[tuple[str, str, str, str]] = set()
    for line in lines:
        who = line.rfc or line.num_id_fiscal or line.nombre_extranjero or "?"
        path = f"DIOT[{who}/{line.tipo_operacion}]"
        out += _check_types(line, who, path)
        out += _check_identity(line, who, path)
        out += _check_amounts(line, who, path)
        if line.key in seen:
            out.append(
                Finding(
                    "EINV-DIOT-DUPLICADO",
                    f"El tercero {who} aparece dos veces con la operación {line.tipo_operacion}; "
                    "sume sus importes en una línea.",
                    f"Third party {who} appears twice with operation {line.tipo_operacion}; "
                    "add its amounts up in one line.",
                    path,
                )
            )
        seen.add(line.key)
    return out


def _check_types(line: OperacionTercero, who: str, path: str) -> list[Finding]:
    if line.tipo_tercero not in TIPOS_TERCERO:
        return [
            Finding(
                "EINV-DIOT-TERCERO",
                f"El tipo de tercero «{line.tipo_tercero}» de {who} no existe; use 04 nacional, "
                "05 extranjero o 15 global.",
                f"Third-party type «{line.tipo_tercero}» of {who} does not exist; use 04 "
                "national, 05 foreign or 15 global.",
                path,
            )
        ]
    allowed = OPERACIONES_POR_TERCERO[line.tipo_tercero]
    if line.tipo_operacion in allowed:
        return []
    return [
        Finding(
            "EINV-DIOT-OPERACION",
            f"El tipo de operación «{line.tipo_operacion}» de {who} no se admite para un "
            f"{TIPOS_TERCERO[line.tipo_tercero].lower()}; use {', '.join(sorted(allowed))}.",
            f"Operation type «{line.tipo_operacion}» of {who} is not allowed for third-party "
            f"type {line.tipo_tercero}; use {', '.join(sorted(allowed))}.",
            path,
        )
    ]


def _check_identity(line: OperacionTercero, who: str, path: str) -> list[Finding]:
    out = []
    foreign = line.tipo_tercero == EXTRANJERO
    if (not foreign or line.rfc) and not RFC_RE.match(line.rfc.upper()):
        out.append(
            Finding(
                "EINV-DIOT-RFC",
                f"El RFC «{line.rfc}» del proveedor {who} no es válido; corríjalo en el contacto.",
                f"RFC «{line.rfc}» of supplier {who} is not valid; fix it on the contact.",
                path,
            )
        )
    if line.tipo_tercero == NACIONAL and line.rfc.upper() in GENERIC_RFCS:
        out.append(
            Finding(
                "EINV-DIOT-RFC",
                f"El RFC genérico {line.rfc} no identifica a un proveedor nacional; use el RFC "
                "del proveedor, o el tipo 05 (extranjero) o 15 (global).",
                f"Generic RFC {line.rfc} does not identify a national supplier; use the "
                "supplier's RFC, or type 05 (foreign) or 15 (global).",
                path,
            )
        )
    if foreign:
        out += _check_foreign(line, who, path)
    return out


def _check_foreign(line: OperacionTercero, who: str, path: str) -> list[Finding]:
    missing = [
        (es, en)
        for es, en, value in (
            ("número de identificación fiscal", "tax id", line.num_id_fiscal),
            ("nombre", "name", line.nombre_extranjero),
            ("país", "country", line.pais),
        )
        if not value.strip()
    ]
    if line.pais and line.pais not in cfdi_catalogs.codes("c_Pais"):
        missing.append((f"un país del catálogo c_Pais (no «{line.pais}»)", "a c_Pais country"))
    if line.pais == PAIS_NO_DECLARADO and not line.jurisdiccion.strip():
        missing.append(("jurisdicción fiscal", "tax jurisdiction"))
    if not missing:
        return []
    return [
        Finding(
            "EINV-DIOT-EXTRANJERO",
            f"Al proveedor extranjero {who} le falta: {', '.join(es for es, _ in missing)}; "
            "complételo en el contacto.",
            f"Foreign supplier {who} lacks: {', '.join(en for _, en in missing)}; complete the "
            "contact.",
            path,
        )
    ]


def _check_amounts(line: OperacionTercero, who: str, path: str) -> list[Finding]:
    negative = [i + 8 for i, value in enumerate(fields_of(line)[7:53]) if value.startswith("-")]
    if not negative:
        return []
    columns = ", ".join(str(n) for n in negative)
    return [
        Finding(
            "EINV-DIOT-IMPORTE",
            f"El proveedor {who} tiene importes negativos (campos {columns}); las devoluciones "
            "se declaran en su propio campo, en positivo.",
            f"Supplier {who} has negative amounts (fields {columns}); returns are declared in "
            "their own field, as positive amounts.",
            path,
        )
    ]
