"""Rules of the certificate and the seal: Certificado / NoCertificado of a SAT CSD of the
issuer, valid at Fecha, the issuer's name as on the certificate; the Sello over the
cadena original and, when stamped, the TFD's SelloCFD."""

from __future__ import annotations

from .. import catalogs, seal
from ..credentials import Certificate
from ..document import Comprobante
from ..errors import CfdiError
from .base import Checker, Finding, fmt


def check_certificado(ck: Checker) -> None:
    c = ck.c
    if not c.certificado:
        return
    try:
        cert = Certificate.from_base64(c.certificado)
    except CfdiError:
        ck.add(
            "CFDI40106",
            "Certificado",
            "El atributo Certificado no contiene un certificado válido; vuelva a sellar con el CSD.",
            "The Certificado attribute does not hold a valid certificate; seal again with the CSD.",
        )
        return
    if c.no_certificado != cert.no_certificado:
        ck.add(
            "CFDI40106",
            "NoCertificado",
            f"NoCertificado {fmt(c.no_certificado)} no es el número del certificado incluido "
            f"({cert.no_certificado}); vuelva a sellar.",
            f"NoCertificado {fmt(c.no_certificado)} is not the number of the enclosed certificate "
            f"({cert.no_certificado}); seal again.",
        )
    if cert.rfc != c.emisor.rfc:
        ck.add(
            "CFDI40106",
            "Certificado",
            f"El certificado es del RFC {cert.rfc}, no del emisor {c.emisor.rfc}; selle con el CSD del emisor.",
            f"The certificate belongs to RFC {cert.rfc}, not to the issuer {c.emisor.rfc}; seal with the "
            "issuer's CSD.",
        )
    if cert.is_fiel or not cert.issuer_is_sat:
        ck.add(
            "CFDI40106",
            "Certificado",
            "El certificado no es un Certificado de Sello Digital (CSD) emitido por el SAT (¿es la e.firma?); "
            "selle con el CSD.",
            "The certificate is not a Digital Seal Certificate (CSD) issued by SAT (is it the e.firma?); "
            "seal with the CSD.",
        )
    if c.fecha is not None and c.fecha.tzinfo is None:
        when = c.fecha.replace(tzinfo=catalogs.time_zone(c.lugar_expedicion))
        if not cert.valid_from <= when <= cert.valid_to:
            ck.add(
                "CFDI40106",
                "Certificado",
                f"El certificado {cert.no_certificado} no estaba vigente en la Fecha {c.fecha.isoformat()} "
                f"(vigencia {cert.valid_from:%Y-%m-%d} a {cert.valid_to:%Y-%m-%d}); use un CSD vigente.",
                f"Certificate {cert.no_certificado} was not valid at Fecha {c.fecha.isoformat()} "
                f"(valid {cert.valid_from:%Y-%m-%d} to {cert.valid_to:%Y-%m-%d}); use a current CSD.",
            )
    if not same_name(c.emisor.nombre, cert.legal_name):
        ck.add(
            "CFDI40138",
            "Emisor.Nombre",
            f"El Nombre del emisor «{c.emisor.nombre}» no corresponde al titular del certificado "
            f"«{cert.legal_name}»; escríbalo como en la constancia de situación fiscal, sin el régimen "
            "de capital (p. ej. sin «SA DE CV»).",
            f"Issuer Nombre «{c.emisor.nombre}» does not match the certificate holder «{cert.legal_name}»; "
            "write it as on the tax status certificate, without the company type (e.g. no «SA DE CV»).",
        )


# Words of a company type ("SA DE CV", "S. DE R.L.", "SAPI DE CV"...) that SAT's names omit.
LEGAL_FORM_WORDS = frozenset(
    "SA DE CV RL SAPI SAB SC AC SAS S A C V R L P I B SOFOM ENR ER SPR RI SCL IAP ABP".split()
)


def same_name(nombre: str, legal_name: str) -> bool:
    """Nombre equals the certificate holder's name, maybe without the company type."""
    a, b = " ".join(nombre.upper().split()), " ".join(legal_name.upper().split())
    if a == b:
        return True
    if not b.startswith(a + " "):
        return False
    rest = b[len(a) :].replace(".", " ").replace(",", " ").split()
    return all(word in LEGAL_FORM_WORDS for word in rest)


def name_without_legal_form(legal_name: str) -> str:
    """The certificate holder's name as SAT writes Nombre: without the trailing company
    type ("ESCUELA KEMPER URGATE SA DE CV" -> "ESCUELA KEMPER URGATE")."""
    words = " ".join(legal_name.upper().split()).split(" ")
    cut = len(words)
    while cut > 1 and words[cut - 1].replace(".", "").replace(",", "") in LEGAL_FORM_WORDS:
        cut -= 1
    name = " ".join(words[:cut]).rstrip(" ,.")
    return name if same_name(name, legal_name) else " ".join(words)


def seal_findings(c: Comprobante) -> list[Finding]:
    """The Sello over the cadena original, and, when stamped, SelloCFD == Sello."""
    findings = []
    if not c.sello or not c.certificado:
        findings.append(
            Finding(
                "CFDI40102",
                "El comprobante no está sellado (faltan Sello y Certificado); séllelo con el CSD.",
                "The document is not sealed (Sello and Certificado missing); seal it with the CSD.",
                "Sello",
            )
        )
    elif not seal.verify_seal(c):
        findings.append(
            Finding(
                "CFDI40102",
                "El Sello no corresponde a la cadena original: el XML cambió después de sellarse o se selló con otro "
                "certificado. Vuelva a generar y sellar el comprobante.",
                "The Sello does not match the cadena original: the XML changed after sealing or was sealed with "
                "another certificate. Build and seal the document again.",
                "Sello",
            )
        )
    timbre = c.complemento.timbre
    if timbre is not None and timbre.sello_cfd != c.sello:
        findings.append(
            Finding(
                "EINV-TFD",
                "El SelloCFD del timbre no es igual al Sello del comprobante: el timbre es de otro CFDI "
                "o el XML fue alterado.",
                "The stamp's SelloCFD differs from the document's Sello: the stamp belongs to another CFDI or the "
                "XML was altered.",
                "Complemento.TimbreFiscalDigital.SelloCFD",
            )
        )
    return findings
