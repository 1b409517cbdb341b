"""SAT's CFDI cancellation request, signed by the issuer's CSD.

The request is the XML SAT's cancellation service (and PACs that forward it)
expects::

    <Cancelacion xmlns="http://cancelacfd.sat.gob.mx" Fecha=".." RfcEmisor="..">
      <Folios><Folio UUID=".." Motivo="02"/></Folios>
      <Signature xmlns="http://www.w3.org/2000/09/xmldsig#">...</Signature>
    </Cancelacion>

with an enveloped XML-DSig: inclusive C14N 1.0, RSA-SHA1, SHA-1 digest, and a
KeyInfo holding X509IssuerSerial plus the certificate (the shape of SAT's own
clients; see shared/sat/samples/cancelacion/). Motive 01 needs the UUID of the
replacing CFDI (``FolioSustitucion``); 02, 03 and 04 forbid it.

Verification here does not use signxml's verifier: lxml canonicalizes a sub-tree
wrongly when an ancestor declares another default namespace (``Cancelacion``'s
namespace vs ``Signature``'s), which is exactly this shape; ``SignedInfo`` is
canonicalized after re-parsing it on its own, with its in-scope namespaces.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timezone

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding
from lxml import etree
from signxml import CanonicalizationMethod, DigestAlgorithm, SignatureMethod, XMLSigner
from signxml import namespaces as signxml_namespaces

from . import catalogs
from . import xml as cfdi_xml
from .credentials import Certificate, Credential, MalformedCredential
from .errors import CfdiError
from .pac.base import check_motive
from .sat import FECHA_FORMAT, UUID_RE

NS_CANCELACION = "http://cancelacfd.sat.gob.mx"
NS_DS = signxml_namespaces.ds
NS_XSD = "http://www.w3.org/2001/XMLSchema"
NS_XSI = "http://www.w3.org/2001/XMLSchema-instance"
C14N_10 = "http://www.w3.org/TR/2001/REC-xml-c14n-20010315"
ENVELOPED = "http://www.w3.org/2000/09/xmldsig#enveloped-signature"

# Algorithms a verifier accepts: SAT's clients use SHA-1; SHA-256 is accepted too.
_SIGNATURE_HASHES = {
    "http://www.w3.org/2000/09/xmldsig#rsa-sha1": hashes.SHA1,
    "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256": hashes.SHA256,
}
_DIGESTS = {
    "http://www.w3.org/2000/09/xmldsig#sha1": "sha1",
    "http://www.w3.org/2001/04/xmlenc#sha256": "sha256",
}


class CancelRequestError(CfdiError):
    code = "CANCEL"


@dataclass(frozen=True)
class CancelFolio:
    """One CFDI to cancel: its UUID, SAT's motive and, for motive 01, the replacement."""

    uuid: str
    motivo: str
    folio_sustitucion: str | None = None


def _check_uuid(value: str, what_es: str, what_en: str) -> str:
    if not UUID_RE.match(value or ""):
        raise CancelRequestError(
            f"{what_es} '{value}' no es un UUID (8-4-4-4-12 caracteres hexadecimales).",
            f"{what_en} '{value}' is not a UUID (8-4-4-4-12 hexadecimal characters).",
        )
    return value.upper()


def _check_folio(folio: CancelFolio) -> CancelFolio:
    check_motive(folio.motivo, folio.folio_sustitucion)
    uuid = _check_uuid(folio.uuid, "El folio fiscal", "The fiscal folio")
    replacement = folio.folio_sustitucion
    if replacement:
        replacement = _check_uuid(replacement, "El folio de sustitución", "The replacement folio")
        if replacement == uuid:
            raise CancelRequestError(
                "El folio de sustitución no puede ser el mismo CFDI que se cancela.",
                "The replacement folio cannot be the CFDI being cancelled.",
            )
    return CancelFolio(uuid, folio.motivo, replacement)


def build_request(
    rfc_emisor: str, folios: Sequence[CancelFolio], fecha: datetime
) -> etree._Element:
    """The unsigned ``Cancelacion`` element (one ``Folios`` per UUID, as SAT's XSD has it)."""
    if not folios:
        raise CancelRequestError(
            "Indique al menos un folio fiscal (UUID) a cancelar.",
            "Give at least one fiscal folio (UUID) to cancel.",
        )
    root = etree.Element(
        f"{{{NS_CANCELACION}}}Cancelacion",
        nsmap={None: NS_CANCELACION, "xsd": NS_XSD, "xsi": NS_XSI},
    )
    root.set("RfcEmisor", rfc_emisor.strip().upper())
    root.set("Fecha", fecha.strftime(FECHA_FORMAT))
    for folio in map(_check_folio, folios):
        folios_el = etree.SubElement(root, f"{{{NS_CANCELACION}}}Folios")
        folio_el = etree.SubElement(folios_el, f"{{{NS_CANCELACION}}}Folio")
        folio_el.set("UUID", folio.uuid)
        folio_el.set("Motivo", folio.motivo)
        if folio.folio_sustitucion:
            folio_el.set("FolioSustitucion", folio.folio_sustitucion)
    return root


class _SatCancellationSigner(XMLSigner):
    """signxml refuses SHA-1 unless a subclass allows it; SAT's cancellation
    signature is specified with RSA-SHA1 and a SHA-1 digest."""

    def check_deprecated_methods(self) -> None:
        return None


def _key_info(certificate: Certificate) -> etree._Element:
    key_info = etree.Element(f"{{{NS_DS}}}KeyInfo", nsmap={None: NS_DS})
    x509_data = etree.SubElement(key_info, f"{{{NS_DS}}}X509Data")
    issuer_serial = etree.SubElement(x509_data, f"{{{NS_DS}}}X509IssuerSerial")
    etree.SubElement(issuer_serial, f"{{{NS_DS}}}X509IssuerName").text = certificate.issuer_name
    etree.SubElement(issuer_serial, f"{{{NS_DS}}}X509SerialNumber").text = str(certificate.serial)
    etree.SubElement(x509_data, f"{{{NS_DS}}}X509Certificate").text = certificate.base64
    return key_info


def sign_request(root: etree._Element, credential: Credential) -> bytes:
    """Sign the ``Cancelacion`` element (enveloped XML-DSig); return the XML bytes."""
    signer = _SatCancellationSigner(
        signature_algorithm=SignatureMethod.RSA_SHA1,
        digest_algorithm=DigestAlgorithm.SHA1,
        c14n_algorithm=CanonicalizationMethod.CANONICAL_XML_1_0,
    )
    # <Signature xmlns="...xmldsig#">, no prefix: signxml takes lxml's None key, its types say str
    signer.namespaces = {None: NS_DS}  # type: ignore[dict-item]
    signed = signer.sign(
        root,
        key=credential.private_key,
        key_info=_key_info(credential.certificate),
        exclude_c14n_transform_element=True,
    )
    data = etree.tostring(signed, xml_declaration=True, encoding="UTF-8")
    # Guard against the sub-tree C14N pitfall: what leaves must verify as a
    # verifier that re-reads the bytes sees it.
    if not verify_request(data, credential.certificate):
        raise CancelRequestError(
            "La firma de la solicitud de cancelación no se pudo verificar; no se envía.",
            "The cancellation request's signature could not be verified; it is not sent.",
            code="CANCEL_SIGNATURE",
        )
    return data


def _now_in_mexico() -> datetime:
    return catalogs.local_time(datetime.now(timezone.utc))


def cancellation_request_many(
    credential: Credential, folios: Sequence[CancelFolio], *, fecha: datetime | None = None
) -> bytes:
    """A signed request cancelling ``folios`` of the credential's RFC."""
    credential.require_csd()
    fecha = (fecha or _now_in_mexico()).replace(microsecond=0)
    credential.certificate.check_valid_at(fecha)
    root = build_request(credential.certificate.rfc, folios, fecha)
    return sign_request(root, credential)


def cancellation_request(
    credential: Credential,
    uuid: str,
    motive: str,
    replacement_uuid: str | None = None,
    *,
    fecha: datetime | None = None,
) -> bytes:
    """A signed request cancelling one CFDI of the credential's RFC."""
    return cancellation_request_many(
        credential, [CancelFolio(uuid, motive, replacement_uuid)], fecha=fecha
    )


# --- reading and verifying ----------------------------------------------------


def malformed_request(es: str, en: str) -> CancelRequestError:
    return CancelRequestError(
        f"Solicitud de cancelación mal formada: {es}",
        f"Malformed cancellation request: {en}",
        code="CANCEL_MALFORMED",
    )


def _c14n(el: etree._Element) -> bytes:
    return etree.tostring(el, method="c14n", exclusive=False, with_comments=False)


def _one(parent: etree._Element, path: str) -> etree._Element:
    found = parent.findall(path, {"ds": NS_DS})
    if len(found) != 1:
        raise malformed_request(f"se esperaba un {path}.", f"exactly one {path} was expected.")
    return found[0]


def _embedded_certificate(signature: etree._Element) -> Certificate:
    text = _one(signature, "ds:KeyInfo/ds:X509Data/ds:X509Certificate").text or ""
    return Certificate.from_base64(text)


def verify_request(data: bytes, certificate: Certificate | None = None) -> bool:
    """True when the enveloped signature is valid for ``certificate`` (default: the one
    embedded in KeyInfo). Raises ``CancelRequestError`` when the XML is not a signed request.
    """
    root = cfdi_xml.parse(data)
    signature = _one(root, "ds:Signature")
    signed_info = _one(signature, "ds:SignedInfo")
    c14n_method = _one(signed_info, "ds:CanonicalizationMethod").get("Algorithm")
    sig_method = _one(signed_info, "ds:SignatureMethod").get("Algorithm")
    reference = _one(signed_info, "ds:Reference")
    transforms = [
        t.get("Algorithm") for t in reference.iterfind("ds:Transforms/ds:Transform", {"ds": NS_DS})
    ]
    digest_method = _one(reference, "ds:DigestMethod").get("Algorithm")
    if (
        c14n_method != C14N_10
        or sig_method not in _SIGNATURE_HASHES
        or digest_method not in _DIGESTS
        or reference.get("URI") != ""
        or transforms[:1] != [ENVELOPED]
        or any(t != C14N_10 for t in transforms[1:])
    ):
        raise malformed_request(
            "algoritmos de firma no admitidos (se espera C14N 1.0, RSA-SHA1, SHA-1, enveloped).",
            "unsupported signature algorithms (expected C14N 1.0, RSA-SHA1, SHA-1, enveloped).",
        )
    try:
        certificate = certificate or _embedded_certificate(signature)
        signature_value = base64.b64decode(
            "".join((_one(signature, "ds:SignatureValue").text or "").split()), validate=True
        )
        expected_digest = base64.b64decode(
            _one(reference, "ds:DigestValue").text or "", validate=True
        )
    except (binascii.Error, ValueError, MalformedCredential):
        return False

    document = etree.fromstring(etree.tostring(root))
    document.remove(_one(document, "ds:Signature"))  # the enveloped-signature transform
    if hashlib.new(_DIGESTS[digest_method], _c14n(document)).digest() != expected_digest:
        return False
    # SignedInfo on its own keeps its in-scope namespace declarations; canonicalizing
    # that fresh tree avoids lxml's sub-tree C14N bug (see module docstring).
    standalone = etree.fromstring(etree.tostring(signed_info))
    try:
        certificate.public_key().verify(
            signature_value, _c14n(standalone), padding.PKCS1v15(), _SIGNATURE_HASHES[sig_method]()
        )
    except (InvalidSignature, ValueError):
        return False
    return True
