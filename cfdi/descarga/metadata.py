"""SAT's Metadata file: one line per CFDI, fields separated by "~".

The file of a Metadata package starts with the header line::

    Uuid~RfcEmisor~NombreEmisor~RfcReceptor~NombreReceptor~RfcPac~FechaEmision~
    FechaCertificacionSat~Monto~EfectoComprobante~Estatus~FechaCancelacion

``Estatus`` is 1 (vigente) or 0 (cancelado); dates are ``YYYY-MM-DD hh:mm:ss`` in
Mexico's local time; ``EfectoComprobante`` is the TipoDeComprobante (I, E, T, N, P).
Since 2022 a companion ``<id>_tercero.txt`` (``Uuid~RfcACuentaTerceros~
NombreACuentaTerceros``) names the third party a CFDI was issued on behalf of.
SAT ends lines with CRLF and has been seen to leave a bare LF inside a name: in a
CRLF file a bare LF does not end a record.

Records are read one at a time (``read_metadata`` takes any iterable of lines).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from decimal import Decimal, InvalidOperation

from .errors import DescargaError

HEADER = (
    "Uuid",
    "RfcEmisor",
    "NombreEmisor",
    "RfcReceptor",
    "NombreReceptor",
    "RfcPac",
    "FechaEmision",
    "FechaCertificacionSat",
    "Monto",
    "EfectoComprobante",
    "Estatus",
    "FechaCancelacion",
)
THIRD_PARTY_HEADER = ("Uuid", "RfcACuentaTerceros", "NombreACuentaTerceros")
DATE_FORMAT = "%Y-%m-%d %H:%M:%S"


class MetadataError(DescargaError):
    code = "DESCARGA-METADATA"


@dataclass(frozen=True)
class MetadataRecord:
    uuid: str
    rfc_emisor: str
    nombre_emisor: str
    rfc_receptor: str
    nombre_receptor: str
    rfc_pac: str
    fecha_emision: datetime
    fecha_certificacion_sat: datetime
    monto: Decimal
    efecto_comprobante: str
    estatus: str  # "1" vigente, "0" cancelado
    fecha_cancelacion: datetime | None
    rfc_a_cuenta_terceros: str = ""
    nombre_a_cuenta_terceros: str = ""

    @property
    def cancelled(self) -> bool:
        return self.estatus == "0"


def _error(source: str, line: int, es: str, en: str) -> MetadataError:
    return MetadataError(f"{source}, línea {line}: {es}", f"{source}, line {line}: {en}")


def records(lines: Iterable[str]) -> Iterator[tuple[int, str]]:
    """(line number, record text) of each logical line, without its line ending."""
    crlf: bool | None = None
    pending, start = "", 0
    for number, line in enumerate(lines, 1):
        if crlf is None:
            crlf = line.endswith("\r\n")
        if not pending:
            start = number
        if crlf and not line.endswith("\r\n") and line.endswith("\n"):
            pending += line[:-1]  # a bare LF inside a field of a CRLF file
            continue
        text = pending + line.rstrip("\r\n")
        pending = ""
        if text.strip():
            yield start, text
    if pending.strip():
        yield start, pending


def _columns(header: str, expected: tuple[str, ...], source: str) -> dict[str, int]:
    names = [name.strip().lstrip("\ufeff") for name in header.split("~")]
    missing = [name for name in expected if name not in names]
    if missing:
        raise _error(
            source,
            1,
            f"el encabezado no es el de SAT (faltan {', '.join(missing)}).",
            f"the header is not SAT's (missing {', '.join(missing)}).",
        )
    return {name: index for index, name in enumerate(names)}


def _split(text: str, columns: dict[str, int], source: str, number: int) -> list[str]:
    values = text.split("~")
    if len(values) != len(columns):
        raise _error(
            source,
            number,
            f"tiene {len(values)} campos y el encabezado {len(columns)}.",
            f"it has {len(values)} fields and the header {len(columns)}.",
        )
    return values


def _date(value: str, source: str, number: int, field: str) -> datetime:
    try:
        return datetime.strptime(value.strip(), DATE_FORMAT)
    except ValueError:
        raise _error(
            source,
            number,
            f"{field} «{value}» no es una fecha.",
            f"{field} «{value}» is not a date.",
        ) from None


def _record(values: list[str], at: dict[str, int], source: str, number: int) -> MetadataRecord:
    def get(name: str) -> str:
        return values[at[name]].strip()

    try:
        monto = Decimal(get("Monto"))
    except InvalidOperation:
        raise _error(
            source, number, f"Monto «{get('Monto')}» no es un número.", "Monto is not a number."
        ) from None
    cancelled_on = get("FechaCancelacion")
    return MetadataRecord(
        uuid=get("Uuid").upper(),
        rfc_emisor=get("RfcEmisor").upper(),
        nombre_emisor=get("NombreEmisor"),
        rfc_receptor=get("RfcReceptor").upper(),
        nombre_receptor=get("NombreReceptor"),
        rfc_pac=get("RfcPac").upper(),
        fecha_emision=_date(get("FechaEmision"), source, number, "FechaEmision"),
        fecha_certificacion_sat=_date(
            get("FechaCertificacionSat"), source, number, "FechaCertificacionSat"
        ),
        monto=monto,
        efecto_comprobante=get("EfectoComprobante").upper(),
        estatus=get("Estatus"),
        fecha_cancelacion=(
            _date(cancelled_on, source, number, "FechaCancelacion") if cancelled_on else None
        ),
    )


def read_third_parties(lines: Iterable[str], source: str = "") -> dict[str, tuple[str, str]]:
    """UUID -> (RfcACuentaTerceros, NombreACuentaTerceros) of a ``_tercero.txt`` file."""
    rows = records(lines)
    first = next(rows, None)
    if first is None:
        return {}
    at = _columns(first[1], THIRD_PARTY_HEADER, source)
    found: dict[str, tuple[str, str]] = {}
    for number, text in rows:
        values = _split(text, at, source, number)
        uuid = values[at["Uuid"]].strip().upper()
        found[uuid] = (
            values[at["RfcACuentaTerceros"]].strip().upper(),
            values[at["NombreACuentaTerceros"]].strip(),
        )
    return found


def read_metadata(
    lines: Iterable[str],
    third_parties: Mapping[str, tuple[str, str]] | None = None,
    source: str = "",
) -> Iterator[MetadataRecord]:
    """The records of a Metadata file, one at a time; a malformed line raises
    ``MetadataError`` naming it (no record is silently dropped)."""
    rows = records(lines)
    first = next(rows, None)
    if first is None:
        return
    at = _columns(first[1], HEADER, source)
    for number, text in rows:
        record = _record(_split(text, at, source, number), at, source, number)
        third = (third_parties or {}).get(record.uuid)
        if third:
            record = replace(
                record, rfc_a_cuenta_terceros=third[0], nombre_a_cuenta_terceros=third[1]
            )
        yield record
