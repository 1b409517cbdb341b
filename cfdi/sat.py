"""SAT's fixed values of CFDI 4.0: one home for each (Anexo 20, its Guía de llenado and
the cancellation rules). Catalogs with many rows live in ``cfdi/catalogs/``; these are
the few codes the engine and the Odoo layer name in code."""

from __future__ import annotations

import re

# Generic RFCs (Anexo 20, Receptor): sales to the general public, foreign receivers.
PUBLICO_EN_GENERAL = "XAXX010101000"
EXTRANJERO = "XEXX010101000"
GENERIC_RFCS = (PUBLICO_EN_GENERAL, EXTRANJERO)
PUBLICO_NOMBRE = "PUBLICO EN GENERAL"

# What a generic receiver carries: régimen 616 "Sin obligaciones fiscales", uso S01.
REGIMEN_SIN_OBLIGACIONES = "616"
USO_SIN_EFECTOS = "S01"
USO_PAGOS = "CP01"

# The single concept of a payment document (type P): Guía de llenado, Pagos 2.0.
PAGO_CLAVE_PROD_SERV = "84111506"
PAGO_DESCRIPCION = "Pago"
CLAVE_UNIDAD_ACTIVIDAD = "ACT"

# Down payments (Guía de llenado, apéndice 6 "anticipos"): the anticipo's and its
# application's single concept, the application's form of payment, use and relation.
ANTICIPO_CLAVE_PROD_SERV = "84111506"
ANTICIPO_DESCRIPCION = "Anticipo del bien o servicio"
APLICACION_ANTICIPO_DESCRIPCION = "Aplicación de anticipo"
FORMA_PAGO_APLICACION_ANTICIPO = "30"
USO_DEVOLUCIONES = "G02"
RELACION_ANTICIPO = "07"

# A global invoice's concepts: one per sale (ticket), ClaveProdServ 01010101, unit ACT.
GLOBAL_CLAVE_PROD_SERV = "01010101"
GLOBAL_CLAVE_UNIDAD = CLAVE_UNIDAD_ACTIVIDAD
# The CFDI de egreso that takes a ticket out of a global invoice (Guía de llenado del CFDI
# global, Apéndice 2): its concept is the ticket's, ClaveProdServ 84111506, unit ACT.
GLOBAL_EGRESO_CLAVE_PROD_SERV = "84111506"

# c_Impuesto
ISR, IVA, IEPS = "001", "002", "003"

# c_TipoRelacion 04: replaces earlier CFDI (the relation a motive-01 replacement carries).
RELACION_SUSTITUCION = "04"

# Cancellation motives (Anexo 20, since 2022): Spanish and English description.
MOTIVE_WITH_REPLACEMENT = "01"
MOTIVES: dict[str, tuple[str, str]] = {
    "01": (
        "Comprobante emitido con errores con relación",
        "Issued with errors, with relation (replaced by another CFDI)",
    ),
    "02": ("Comprobante emitido con errores sin relación", "Issued with errors, without relation"),
    "03": ("No se llevó a cabo la operación", "The operation did not take place"),
    "04": (
        "Operación nominativa relacionada en una factura global",
        "Nominative operation related in a global invoice",
    ),
}

# Dates are written local, to the second, without zone: 2026-11-20T10:15:30.
FECHA_FORMAT = "%Y-%m-%dT%H:%M:%S"

# Patterns of cfdv40.xsd / tdCFDI.xsd.
RFC_RE = re.compile(
    r"^[A-ZÑ&]{3,4}[0-9]{2}(0[1-9]|1[012])(0[1-9]|[12][0-9]|3[01])[A-Z0-9]{2}[0-9A]$"
)
UUID_RE = re.compile(
    r"^[a-fA-F0-9]{8}-[a-fA-F0-9]{4}-[a-fA-F0-9]{4}-[a-fA-F0-9]{4}-[a-fA-F0-9]{12}$"
)


def is_generic(rfc: str | None) -> bool:
    return rfc in GENERIC_RFCS


def is_moral(rfc: str) -> bool:
    """A company (persona moral) has a 12-character RFC; an individual 13."""
    return len(rfc) == 12
