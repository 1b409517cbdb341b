"""Seal (Sello) a CFDI 4.0 with the issuer's CSD, and verify seals.

Sello = base64(RSA-SHA256 PKCS#1 v1.5 over the UTF-8 cadena original). The cadena
holds NoCertificado but neither Sello nor Certificado, so sealing sets the
certificate first and signs after.
"""

from __future__ import annotations

import base64
import binascii
import copy
from datetime import datetime, timezone

from . import catalogs
from .cadena import cadena_original
from .credentials import Certificate, Credential, CredentialError
from .document import Comprobante
from .errors import CfdiError
from .xml import to_bytes


class SealError(CfdiError):
    code = "SELLO"


def local_now(lugar_expedicion: str | None) -> datetime:
    """Now at the place of issue, naive and to the second, as Fecha is written."""
    return catalogs.local_time(datetime.now(timezone.utc), lugar_expedicion)


def _fecha(c: Comprobante, fecha: datetime | None) -> datetime:
    when = fecha or c.fecha or local_now(c.lugar_expedicion)
    return catalogs.local_time(when, c.lugar_expedicion)


def seal(c: Comprobante, credential: Credential, fecha: datetime | None = None) -> Comprobante:
    """A sealed copy of ``c`` (``c`` itself is not changed).

    Fecha: ``fecha`` if given, else ``c.fecha``, else now at LugarExpedicion.
    Sets NoCertificado, Certificado and Sello. Refuses (``CredentialError``) a
    certificate that is not a SAT CSD, is not valid at Fecha or belongs to another
    RFC than the issuer; refuses (``SealError``) a document already stamped.
    """
    if c.complemento is not None and c.complemento.timbre is not None:
        raise SealError(
            "El comprobante ya está timbrado; volver a sellarlo invalidaría el timbre.",
            "The document is already stamped; sealing it again would void the stamp.",
        )
    when = _fecha(c, fecha)
    certificate = credential.certificate
    certificate.require_csd()
    certificate.check_valid_at(when.replace(tzinfo=catalogs.time_zone(c.lugar_expedicion)))
    certificate.check_rfc(c.emisor.rfc if c.emisor is not None else "")
    sealed = copy.copy(
        c
    )  # shallow, like dataclasses.replace but without its per-call introspection
    sealed.fecha, sealed.no_certificado = when, certificate.no_certificado
    sealed.certificado, sealed.sello = certificate.base64, None
    signature = credential.sign(cadena_original(sealed).encode("utf-8"))
    sealed.sello = base64.b64encode(signature).decode("ascii")
    return sealed


def seal_bytes(c: Comprobante, credential: Credential, fecha: datetime | None = None) -> bytes:
    """``seal`` then ``cfdi.xml.to_bytes``: the signed XML, ready for a PAC."""
    return to_bytes(seal(c, credential, fecha))


def _b64(text: str) -> bytes:
    return base64.b64decode("".join(text.split()), validate=True)


def verify_seal(c: Comprobante) -> bool:
    """True when Sello is the signature of the cadena original by the embedded Certificado.

    Only the signature is checked here (not whether the certificate is a valid CSD
    of the issuer at Fecha, nor NoCertificado: those are separate rules).
    Raises ``CadenaError`` when the cadena cannot be computed (unknown complement).
    """
    if not c.sello or not c.certificado:
        return False
    try:
        certificate = Certificate.from_base64(c.certificado)
        signature = _b64(c.sello)
    except (CredentialError, binascii.Error, ValueError):
        return False
    return certificate.verify(signature, cadena_original(c).encode("utf-8"))
