"""What to download: SAT's query parameters (service version 1.5) and its rules.

A ``Query`` asks for the CFDI issued or received by the requester in a period
(``SolicitaDescargaEmitidos`` / ``SolicitaDescargaRecibidos``); a ``FolioQuery``
asks for one CFDI by UUID (``SolicitaDescargaFolio``). ``check`` applies SAT's
rules before anything is sent, so a refusal SAT would give is a clear error here.

Dates are Mexico's local time (naive ``datetime``), as SAT reads them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, time
from enum import Enum

from stdnum.mx import rfc as stdnum_rfc

from .errors import QueryError

_UUID = re.compile(r"^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}$")
DATE_FORMAT = "%Y-%m-%dT%H:%M:%S"
MAX_RECEIVERS = 5  # RfcReceptores of an issued query
LOOKBACK_YEARS = 6  # the period may start at most six years back, at midnight
DOCUMENT_TYPES = ("I", "E", "T", "N", "P")


class Direction(str, Enum):
    ISSUED = "issued"  # SolicitaDescargaEmitidos: the requester is the issuer
    RECEIVED = "received"  # SolicitaDescargaRecibidos: the requester is the receiver


class DownloadKind(str, Enum):
    CFDI = "CFDI"  # a ZIP of the XML files
    METADATA = "Metadata"  # a ZIP holding one "~"-separated text file


class DocumentStatus(str, Enum):
    ALL = "Todos"
    ACTIVE = "Vigente"
    CANCELLED = "Cancelado"


@dataclass(frozen=True)
class Query:
    direction: Direction
    start: datetime
    end: datetime
    kind: DownloadKind = DownloadKind.METADATA
    counterparts: tuple[str, ...] = ()  # issued: up to 5 receivers; received: one issuer
    document_type: str = ""  # TipoComprobante: I, E, T, N, P ("" = all)
    status: DocumentStatus | None = None  # None: Vigente for received CFDI, else Todos
    on_behalf_rfc: str = ""  # RfcACuentaTerceros
    complement: str = ""  # Complemento, SAT's complement code (e.g. "nomina12")

    @property
    def effective_status(self) -> DocumentStatus:
        if self.status is not None:
            return self.status
        if self.direction == Direction.RECEIVED and self.kind == DownloadKind.CFDI:
            return DocumentStatus.ACTIVE  # SAT serves no cancelled XML of received CFDI
        return DocumentStatus.ALL


@dataclass(frozen=True)
class FolioQuery:
    uuid: str


def _rfc_ok(value: str) -> bool:
    return bool(value) and stdnum_rfc.is_valid(value)


def _bad(es: str, en: str) -> QueryError:
    return QueryError(f"Consulta no válida: {es}", f"Invalid query: {en}")


def _check_rfcs(query: Query) -> None:
    for rfc in (*query.counterparts, *([query.on_behalf_rfc] if query.on_behalf_rfc else [])):
        if not _rfc_ok(rfc):
            raise _bad(f"el RFC «{rfc}» no tiene forma válida.", f"RFC «{rfc}» is malformed.")
    if query.direction == Direction.ISSUED and len(query.counterparts) > MAX_RECEIVERS:
        raise _bad(
            f"una consulta de emitidos admite hasta {MAX_RECEIVERS} RFC receptores.",
            f"an issued query takes at most {MAX_RECEIVERS} receiver RFCs.",
        )
    if query.direction == Direction.RECEIVED and len(query.counterparts) > 1:
        raise _bad(
            "una consulta de recibidos admite un solo RFC emisor.",
            "a received query takes a single issuer RFC.",
        )


def _check_period(query: Query, now: datetime) -> None:
    if query.start >= query.end:
        raise _bad(
            f"la fecha inicial {query.start:%Y-%m-%d %H:%M:%S} debe ser anterior a la final "
            f"{query.end:%Y-%m-%d %H:%M:%S}.",
            f"the start {query.start:%Y-%m-%d %H:%M:%S} must be before the end "
            f"{query.end:%Y-%m-%d %H:%M:%S}.",
        )
    earliest = oldest_start(now)
    if query.start < earliest:
        raise _bad(
            f"el SAT solo entrega comprobantes desde el {earliest:%Y-%m-%d} (seis años atrás).",
            f"SAT only serves documents from {earliest:%Y-%m-%d} on (six years back).",
        )


def oldest_start(now: datetime) -> datetime:
    """The earliest start SAT accepts: today six years ago, at midnight (local time)."""
    day = now.date()
    try:
        day = day.replace(year=day.year - LOOKBACK_YEARS)
    except ValueError:  # 29 February
        day = day.replace(year=day.year - LOOKBACK_YEARS, day=28)
    return datetime.combine(day, time.min)


def check(query: Query | FolioQuery, now: datetime) -> None:
    """Raise ``QueryError`` when SAT would refuse the query (``now``: Mexico's local time)."""
    if isinstance(query, FolioQuery):
        if not _UUID.match(query.uuid or ""):
            raise _bad(f"«{query.uuid}» no es un UUID.", f"«{query.uuid}» is not a UUID.")
        return
    _check_period(query, now)
    _check_rfcs(query)
    if query.document_type and query.document_type not in DOCUMENT_TYPES:
        raise _bad(
            f"TipoComprobante «{query.document_type}» no existe (I, E, T, N o P).",
            f"TipoComprobante «{query.document_type}» does not exist (I, E, T, N or P).",
        )
    if (
        query.direction == Direction.RECEIVED
        and query.kind == DownloadKind.CFDI
        and query.effective_status != DocumentStatus.ACTIVE
    ):
        raise _bad(
            "el SAT no entrega el XML de CFDI recibidos cancelados: pida los vigentes, o "
            "Metadata para conocer los cancelados.",
            "SAT does not serve the XML of cancelled received CFDI: ask for the active ones, "
            "or for Metadata to learn which were cancelled.",
        )


def attributes(query: Query | FolioQuery, requester: str) -> dict[str, str]:
    """The ``solicitud`` attributes SAT expects (empty ones left out)."""
    if isinstance(query, FolioQuery):
        return {"Folio": query.uuid.lower(), "RfcSolicitante": requester}
    values = {
        "FechaInicial": query.start.strftime(DATE_FORMAT),
        "FechaFinal": query.end.strftime(DATE_FORMAT),
        "RfcSolicitante": requester,
        "TipoSolicitud": query.kind.value,
        "TipoComprobante": query.document_type,
        "EstadoComprobante": query.effective_status.value,
        "RfcACuentaTerceros": query.on_behalf_rfc,
        "Complemento": query.complement,
    }
    if query.direction == Direction.ISSUED:
        values["RfcEmisor"] = requester
    else:
        values["RfcReceptor"] = requester
        values["RfcEmisor"] = query.counterparts[0] if query.counterparts else ""
    return {name: value for name, value in sorted(values.items()) if value}


def receivers(query: Query | FolioQuery) -> tuple[str, ...]:
    """The ``RfcReceptores`` children of an issued query."""
    if isinstance(query, Query) and query.direction == Direction.ISSUED:
        return query.counterparts
    return ()


def operation(query: Query | FolioQuery) -> str:
    if isinstance(query, FolioQuery):
        return "SolicitaDescargaFolio"
    if query.direction == Direction.ISSUED:
        return "SolicitaDescargaEmitidos"
    return "SolicitaDescargaRecibidos"
