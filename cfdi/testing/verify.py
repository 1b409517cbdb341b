"""Verifiers the tests use as checks, outside the product (which never needs them):
SAT's seal of a TimbreFiscalDigital, and a cancellation request's signature and content.
(The cancellation tests also verify with xmlsec1, independent of this code.)"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from datetime import datetime

from .. import xml as cfdi_xml
from ..cadena import cadena_tfd
from ..cancel import NS_CANCELACION, CancelFolio, malformed_request
from ..credentials import Certificate
from ..document import Comprobante, TimbreFiscalDigital
from ..sat import FECHA_FORMAT


def verify_sello_sat(t: TimbreFiscalDigital, sat_certificate: Certificate) -> bool:
    """True when SelloSAT is ``sat_certificate``'s signature of the TFD cadena original."""
    if t.no_certificado_sat and t.no_certificado_sat != sat_certificate.no_certificado:
        return False
    try:
        signature = base64.b64decode(t.sello_sat, validate=True)
    except (binascii.Error, ValueError):
        return False
    return sat_certificate.verify(signature, cadena_tfd(t).encode("utf-8"))


def verify_tfd(c: Comprobante, sat_certificate: Certificate) -> bool:
    """True when the stamp belongs to this seal and SelloSAT verifies with ``sat_certificate``."""
    timbre = c.complemento.timbre if c.complemento is not None else None
    if timbre is None or not c.sello or timbre.sello_cfd != c.sello:
        return False
    return verify_sello_sat(timbre, sat_certificate)


@dataclass(frozen=True)
class CancelRequest:
    """What a cancellation request says (read back from its XML)."""

    rfc_emisor: str
    fecha: datetime
    folios: tuple[CancelFolio, ...]


def read_request(data: bytes) -> CancelRequest:
    """What a (signed or unsigned) cancellation request asks for."""
    root = cfdi_xml.parse(data)
    if root.tag != f"{{{NS_CANCELACION}}}Cancelacion":
        raise malformed_request(
            "el elemento raíz no es Cancelacion.", "the root is not Cancelacion."
        )
    try:
        fecha = datetime.strptime(root.get("Fecha", ""), FECHA_FORMAT)
    except ValueError:
        raise malformed_request(
            "Fecha no es AAAA-MM-DDThh:mm:ss.", "Fecha is not YYYY-MM-DDThh:mm:ss."
        ) from None
    folios = tuple(
        CancelFolio(el.get("UUID", ""), el.get("Motivo", ""), el.get("FolioSustitucion"))
        for el in root.iterfind(f"{{{NS_CANCELACION}}}Folios/{{{NS_CANCELACION}}}Folio")
    )
    return CancelRequest(root.get("RfcEmisor", ""), fecha, folios)
