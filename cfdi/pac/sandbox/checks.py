"""What the sandbox checks before stamping, with the codes SAT's stamping validation (and
Finkok) use: 301 malformed XML, 302 seal does not verify, 303 certificate of another RFC,
304 certificate expired at stamping time, 305 Fecha outside the certificate's validity,
306 FIEL instead of CSD, 307 already stamped, 308 certificate not issued by SAT, 401
Fecha more than 72 h before stamping (or in the future), and the engine's rules
(``cfdi.rules.check``, CFDI40xxx codes), with those of the complements (Comercio
Exterior, Carta Porte): outside their XSD is 301, as a PAC answers a schema error; their
own rules reject with the rule's code."""

from __future__ import annotations

import datetime as dt

from ... import catalogs, rules, seal
from ... import tfd as tfd_module
from ... import xml as cfdi_xml
from ...complements.registry import XSD_CODE
from ...credentials import Certificate, CredentialError
from ...document import Comprobante
from ..base import AlreadyStamped, Rejected
from ..stamped import parse_document, result_from_xml

STAMP_WINDOW = dt.timedelta(hours=72)
CLOCK_SKEW = dt.timedelta(minutes=10)  # Fecha is local time at LugarExpedicion


def rejected(code: str, es: str, en: str) -> Rejected:
    return Rejected(es, en, code=code)


def validate(signed_xml: bytes, now: dt.datetime) -> Comprobante:
    """SAT's stamping checks at ``now``; raises Rejected / AlreadyStamped, returns the
    document."""
    root = parse_document(signed_xml)
    if tfd_module.read(root) is not None:
        raise AlreadyStamped(
            result_from_xml(signed_xml),
            "El CFDI contiene un timbre previo (307).",
            "The CFDI already holds a stamp (307).",
        )
    try:
        comprobante = cfdi_xml.from_tree(root)
    except Exception as exc:  # structure the model cannot read: malformed for SAT
        raise rejected("301", f"XML mal formado: {exc}", f"Malformed XML: {exc}") from exc
    check_certificate(comprobante, now)
    if not seal.verify_seal(comprobante):
        raise rejected(
            "302",
            "Sello mal formado o inválido: el sello no corresponde a la cadena "
            "original del comprobante (¿se modificó después de sellarlo?).",
            "Malformed or invalid seal: it does not match the document's original string "
            "(was it changed after sealing?).",
        )
    check_window(comprobante, now)
    errors = rules.errors(rules.check(comprobante, now=now))
    if errors:
        # A complement outside its XSD is, to a PAC, malformed XML: code 301.
        schema = [f for f in errors if f.code == XSD_CODE]
        raise Rejected(
            "; ".join(f"{f.code} {f.path}: {f.message_es}" for f in schema or errors),
            "; ".join(f"{f.code} {f.path}: {f.message_en}" for f in schema or errors),
            code="301" if schema else errors[0].code,
        )
    return comprobante


def check_certificate(c: Comprobante, now: dt.datetime) -> None:
    """The seal's certificate: a SAT CSD of the issuer, valid now and at Fecha."""
    try:
        cert = Certificate.from_base64(c.certificado or "")
    except CredentialError as exc:
        raise rejected("308", exc.message_es, exc.message_en) from exc
    if not cert.issuer_is_sat:
        raise rejected(
            "308", "Certificado no expedido por el SAT.", "Certificate not issued by SAT."
        )
    if cert.is_fiel:
        raise rejected(
            "306",
            "El certificado no es de tipo CSD (es una e.firma).",
            "The certificate is not a CSD (it is an e.firma).",
        )
    if cert.rfc != (c.emisor.rfc or "").upper() or cert.no_certificado != c.no_certificado:
        raise rejected(
            "303",
            f"Sello no corresponde a emisor: el certificado {cert.no_certificado} es "
            f"de {cert.rfc}, el emisor es {c.emisor.rfc} con NoCertificado {c.no_certificado}.",
            f"Seal does not belong to the issuer: certificate {cert.no_certificado} belongs "
            f"to {cert.rfc}; the issuer is {c.emisor.rfc} with NoCertificado {c.no_certificado}.",
        )
    if now > cert.valid_to:
        raise rejected(
            "304",
            f"Certificado revocado o caduco: venció el {cert.valid_to:%Y-%m-%d}.",
            f"Certificate revoked or expired: it expired on {cert.valid_to:%Y-%m-%d}.",
        )
    if c.fecha is None:
        raise rejected("301", "Falta el atributo Fecha.", "The Fecha attribute is missing.")
    try:
        cert.check_valid_at(c.fecha)
    except CredentialError as exc:
        raise rejected(
            "305",
            "La fecha de emisión no está dentro de la vigencia del CSD del emisor. "
            + exc.message_es,
            "The issue date is outside the validity of the issuer's CSD. " + exc.message_en,
        ) from exc


def check_window(c: Comprobante, now: dt.datetime) -> None:
    """Fecha within the 72 hours before stamping, and not in the future (401)."""
    assert c.fecha is not None  # check_certificate refused a document without Fecha
    zone = catalogs.time_zone(c.lugar_expedicion)
    fecha = c.fecha.replace(tzinfo=zone) if c.fecha.tzinfo is None else c.fecha
    if now - fecha > STAMP_WINDOW or fecha - now > CLOCK_SKEW:
        raise rejected(
            "401",
            f"Fecha y hora de generación fuera de rango: Fecha {c.fecha:%Y-%m-%dT%H:%M:%S}"
            " debe estar dentro de las 72 horas anteriores al timbrado (y no en el futuro).",
            f"Issue date and time out of range: Fecha {c.fecha:%Y-%m-%dT%H:%M:%S} must be "
            "within the 72 hours before stamping (and not in the future).",
        )
