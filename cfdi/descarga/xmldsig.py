"""The two XML signatures of SAT's mass download service, made by the e.firma (FIEL).

1. Authentication: a WS-Security header whose ``u:Timestamp`` (``u:Id="_0"``) is
   signed (exclusive C14N, RSA-SHA1, SHA-1) and whose ``KeyInfo`` points to a
   ``BinarySecurityToken`` holding the certificate.
2. Every other call: an enveloped signature inside the ``solicitud`` (or
   ``peticionDescarga``) element, ``Reference URI=""``, over the *operation element*
   (e.g. ``des:SolicitaDescargaEmitidos``): SAT reads that element as the signed
   document. Transforms: enveloped-signature then exclusive C14N; ``KeyInfo`` holds
   ``X509IssuerSerial`` and the certificate.

Exclusive C14N makes the signed bytes the same whether a verifier canonicalizes the
element inside the SOAP envelope or on its own (see PROTOCOL.md); ``xmlsec1`` verifies
both signatures (tests). Signing and verifying use ``signxml``; SHA-1 is what SAT
specifies, so the deprecation guard is lifted for these two signatures only.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from datetime import datetime

from lxml import etree
from signxml import (
    CanonicalizationMethod,
    DigestAlgorithm,
    SignatureConfiguration,
    SignatureConstructionMethod,
    SignatureMethod,
    XMLSigner,
    XMLVerifier,
)
from signxml import namespaces as signxml_namespaces
from signxml.exceptions import InvalidInput, InvalidSignature

from ..credentials import Certificate, Credential, MalformedCredential
from .errors import DescargaError

NS_DS = signxml_namespaces.ds
NS_SOAP = "http://schemas.xmlsoap.org/soap/envelope/"
NS_WSU = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd"
NS_WSSE = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"
X509_TOKEN = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-x509-token-profile-1.0#X509v3"
BASE64_BINARY = (
    "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-soap-message-security-1.0#Base64Binary"
)
TIMESTAMP_ID = "_0"
TIMESTAMP_FORMAT = "%Y-%m-%dT%H:%M:%S.%f"  # cut to milliseconds, then "Z"

_SAT_SIGNATURE = SignatureConfiguration(
    require_x509=True,
    signature_methods=frozenset({SignatureMethod.RSA_SHA1}),
    digest_algorithms=frozenset({DigestAlgorithm.SHA1}),
)


class SignatureError(DescargaError):
    code = "DESCARGA-SIGNATURE"


class _Sha1Signer(XMLSigner):
    """signxml refuses SHA-1 unless a subclass allows it; SAT specifies RSA-SHA1."""

    def __init__(self, method: SignatureConstructionMethod) -> None:
        super().__init__(
            method=method,
            signature_algorithm=SignatureMethod.RSA_SHA1,
            digest_algorithm=DigestAlgorithm.SHA1,
            c14n_algorithm=CanonicalizationMethod.EXCLUSIVE_XML_CANONICALIZATION_1_0,
        )
        self.namespaces = {None: NS_DS}  # type: ignore[dict-item]  # <Signature xmlns="...xmldsig#">, as SAT's samples

    def check_deprecated_methods(self) -> None:
        return None


def _pem(certificate: Certificate) -> str:
    return f"-----BEGIN CERTIFICATE-----\n{certificate.base64}\n-----END CERTIFICATE-----\n"


def format_timestamp(moment: datetime) -> str:
    """WS-Security time: UTC with milliseconds, ``2026-01-31T17:05:09.123Z``."""
    return moment.strftime(TIMESTAMP_FORMAT)[:-3] + "Z"


def parse_timestamp(text: str) -> datetime:
    return datetime.fromisoformat((text or "").strip().replace("Z", "+00:00"))


# --- signing ----------------------------------------------------------------------


def _x509_key_info(certificate: Certificate) -> etree._Element:
    key_info = etree.Element(f"{{{NS_DS}}}KeyInfo", nsmap={None: NS_DS})
    x509_data = etree.SubElement(key_info, f"{{{NS_DS}}}X509Data")
    issuer_serial = etree.SubElement(x509_data, f"{{{NS_DS}}}X509IssuerSerial")
    etree.SubElement(issuer_serial, f"{{{NS_DS}}}X509IssuerName").text = certificate.issuer_name
    etree.SubElement(issuer_serial, f"{{{NS_DS}}}X509SerialNumber").text = str(certificate.serial)
    etree.SubElement(x509_data, f"{{{NS_DS}}}X509Certificate").text = certificate.base64
    return key_info


def sign_operation(
    operation: etree._Element, signed_child: etree._Element, credential: Credential
) -> etree._Element:
    """Replace ``operation`` (inside its envelope) with a copy signed by ``credential``;
    the signature goes last inside ``signed_child`` (the ``solicitud`` element)."""
    placeholder = etree.SubElement(
        signed_child, f"{{{NS_DS}}}Signature", Id="placeholder", nsmap={None: NS_DS}
    )
    try:
        signed = _Sha1Signer(SignatureConstructionMethod.enveloped).sign(
            operation,
            key=credential.private_key,
            key_info=_x509_key_info(credential.certificate),
        )
    finally:
        signed_child.remove(placeholder)
    parent = operation.getparent()
    assert parent is not None, "the operation must sit in its SOAP Body"
    parent.replace(operation, signed)
    return signed


def sign_security(
    envelope: etree._Element, security: etree._Element, token_id: str, credential: Credential
) -> None:
    """Sign the Timestamp of ``security`` (a ``o:Security`` header of ``envelope``)."""
    key_info = etree.Element(f"{{{NS_DS}}}KeyInfo", nsmap={None: NS_DS})
    reference = etree.SubElement(
        etree.SubElement(key_info, f"{{{NS_WSSE}}}SecurityTokenReference", nsmap={"o": NS_WSSE}),
        f"{{{NS_WSSE}}}Reference",
    )
    reference.set("ValueType", X509_TOKEN)
    reference.set("URI", f"#{token_id}")
    signature = _Sha1Signer(SignatureConstructionMethod.detached).sign(
        envelope,
        key=credential.private_key,
        key_info=key_info,
        reference_uri=f"#{TIMESTAMP_ID}",
    )
    security.append(signature)


# --- verifying (SAT's side: the simulator, and the tests) ----------------------------


@dataclass(frozen=True)
class SignedTimestamp:
    certificate: Certificate
    created: datetime
    expires: datetime


def _invalid(es: str, en: str) -> SignatureError:
    return SignatureError(f"Firma no válida: {es}", f"Invalid signature: {en}")


def _certificate(text: str | None) -> Certificate:
    try:
        return Certificate.from_base64(text or "")
    except MalformedCredential as exc:
        raise _invalid("el certificado está dañado.", "the certificate is damaged.") from exc


def _verify(data: etree._Element, certificate: Certificate) -> etree._Element:
    try:
        result = XMLVerifier().verify(
            data, x509_cert=_pem(certificate), expect_config=_SAT_SIGNATURE
        )
    except (InvalidSignature, InvalidInput) as exc:
        raise _invalid(str(exc), str(exc)) from exc
    signed = result.signed_xml if not isinstance(result, list) else None
    if signed is None:
        raise _invalid("no firma nada.", "it signs nothing.")
    return signed


def verify_operation(operation: etree._Element) -> Certificate:
    """The certificate that signed ``operation`` (checked), read as SAT reads it: the
    operation element is the signed document. Raises ``SignatureError``."""
    document = etree.fromstring(etree.tostring(operation))
    signatures = document.findall(f".//{{{NS_DS}}}Signature")
    if len(signatures) != 1:
        raise _invalid("se esperaba una sola firma.", "exactly one signature was expected.")
    cert_text = signatures[0].findtext(
        f"{{{NS_DS}}}KeyInfo/{{{NS_DS}}}X509Data/{{{NS_DS}}}X509Certificate"
    )
    certificate = _certificate(cert_text)
    signed = _verify(document, certificate)
    if etree.QName(signed).localname != etree.QName(operation).localname:
        raise _invalid("no firma la operación.", "it does not sign the operation.")
    return certificate


def verify_security(envelope: etree._Element) -> SignedTimestamp:
    """The certificate and the signed Timestamp of a WS-Security header (checked)."""
    security = envelope.find(f"{{{NS_SOAP}}}Header/{{{NS_WSSE}}}Security")
    if security is None:
        raise _invalid("falta el encabezado WS-Security.", "the WS-Security header is missing.")
    reference = security.find(
        f"{{{NS_DS}}}Signature/{{{NS_DS}}}KeyInfo/{{{NS_WSSE}}}SecurityTokenReference"
        f"/{{{NS_WSSE}}}Reference"
    )
    token_id = (reference.get("URI") or "").removeprefix("#") if reference is not None else ""
    tokens = [
        t
        for t in security.iterfind(f"{{{NS_WSSE}}}BinarySecurityToken")
        if t.get(f"{{{NS_WSU}}}Id") == token_id
    ]
    if len(tokens) != 1:
        raise _invalid(
            "KeyInfo no apunta a un BinarySecurityToken.",
            "KeyInfo does not point to a BinarySecurityToken.",
        )
    certificate = _certificate(tokens[0].text)
    signed = _verify(copy.deepcopy(envelope), certificate)
    if signed.tag != f"{{{NS_WSU}}}Timestamp" or signed.get(f"{{{NS_WSU}}}Id") != TIMESTAMP_ID:
        raise _invalid("no firma el Timestamp.", "it does not sign the Timestamp.")
    try:
        created = parse_timestamp(signed.findtext(f"{{{NS_WSU}}}Created") or "")
        expires = parse_timestamp(signed.findtext(f"{{{NS_WSU}}}Expires") or "")
    except ValueError as exc:
        raise _invalid("fechas del Timestamp ilegibles.", "unreadable Timestamp dates.") from exc
    return SignedTimestamp(certificate, created, expires)
