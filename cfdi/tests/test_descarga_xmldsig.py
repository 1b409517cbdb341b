"""The signatures the mass download client makes, checked by an independent verifier:
``xmlsec1`` (with SAT's test CA chain), and by the engine's own verifier."""

from __future__ import annotations

import base64
import datetime as dt
import shutil
import subprocess
from pathlib import Path

import pytest
from lxml import etree

from cfdi.descarga import messages as m
from cfdi.descarga.query import Direction, DownloadKind, FolioQuery, Query
from cfdi.descarga.xmldsig import (
    NS_DS,
    NS_SOAP,
    NS_WSU,
    SignatureError,
    verify_operation,
    verify_security,
)
from cfdi.testing.descarga import TEST_CA, credential, fiel

XMLSEC1 = shutil.which("xmlsec1")
TRUST = ["--trusted-der", str(TEST_CA / "AC_UAT_2022.cer")]
TRUST += ["--trusted-der", str(TEST_CA / "ARC_UAT_2022.cer")]
EXC_C14N = "http://www.w3.org/2001/10/xml-exc-c14n#"
ENVELOPED = "http://www.w3.org/2000/09/xmldsig#enveloped-signature"
START, END = dt.datetime(2026, 3, 1), dt.datetime(2026, 7, 1)

REQUESTS = {
    "issued": lambda c: m.query_request(
        c, Query(Direction.ISSUED, START, END, DownloadKind.CFDI, ("XIA190128J61", "MCI7306249Y1"))
    )[1],
    "received": lambda c: m.query_request(c, Query(Direction.RECEIVED, START, END))[1],
    "folio": lambda c: m.query_request(c, FolioQuery("96623061-61FE-49DE-B298-C7156476AA8B"))[1],
    "verify": lambda c: m.verify_request(c, "d49af78d-1c80-4221-a48d-345ace91626b"),
    "download": lambda c: m.download_request(c, "D49AF78D-1C80-4221-A48D-345ACE91626B_01"),
}


def operation_of(envelope: bytes) -> etree._Element:
    return etree.fromstring(envelope).find(f"{{{NS_SOAP}}}Body")[0]


def xmlsec1(path: Path, *options: str) -> subprocess.CompletedProcess:
    assert XMLSEC1, "xmlsec1 is required for these tests: apt-get install -y xmlsec1"
    return subprocess.run(
        [XMLSEC1, "--verify", *options, str(path)], capture_output=True, text=True, timeout=30
    )


@pytest.mark.parametrize("name", sorted(REQUESTS))
def test_xmlsec1_verifies_each_signed_request_as_sat_reads_it(name, tmp_path):
    """SAT takes the operation element as the signed document (Reference URI="")."""
    operation = operation_of(REQUESTS[name](fiel()))
    path = tmp_path / f"{name}.xml"
    path.write_bytes(etree.tostring(operation))
    result = xmlsec1(path, *TRUST)
    assert result.returncode == 0, result.stderr
    assert "SignedInfo References (ok/all): 1/1" in result.stderr
    # The same bytes with one attribute changed no longer verify.
    tampered = path.read_bytes().replace(
        b'RfcSolicitante="EKU9003173C9"', b'RfcSolicitante="EKU9003173C8"'
    )
    path.write_bytes(tampered)
    assert xmlsec1(path, *TRUST).returncode != 0


def test_xmlsec1_verifies_the_ws_security_timestamp(tmp_path):
    body = m.authentication_request(fiel(), dt.datetime.now(dt.timezone.utc))
    path = tmp_path / "autentica.xml"
    path.write_bytes(body)
    pem = tmp_path / "fiel.pem"
    pem.write_text(
        "-----BEGIN CERTIFICATE-----\n"
        + base64.encodebytes(fiel().certificate.der).decode()
        + "-----END CERTIFICATE-----\n"
    )
    options = ["--id-attr:Id", f"{NS_WSU}:Timestamp", "--pubkey-cert-pem", str(pem)]
    result = xmlsec1(path, *options)
    assert result.returncode == 0, result.stderr
    path.write_bytes(body.replace(b"<u:Created>2", b"<u:Created>1"))
    assert xmlsec1(path, *options).returncode != 0


def test_the_signature_shape_is_sats():
    operation = operation_of(REQUESTS["received"](fiel()))
    signature = operation.find(f"{{{m.NS_DES}}}solicitud/{{{NS_DS}}}Signature")
    assert signature is not None and signature.getparent()[-1] is signature  # last child
    ds = {"ds": NS_DS}
    assert signature.xpath("ds:SignedInfo/ds:CanonicalizationMethod/@Algorithm", namespaces=ds) == [
        EXC_C14N
    ]
    assert signature.xpath("ds:SignedInfo/ds:SignatureMethod/@Algorithm", namespaces=ds) == [
        "http://www.w3.org/2000/09/xmldsig#rsa-sha1"
    ]
    assert signature.xpath("ds:SignedInfo/ds:Reference/@URI", namespaces=ds) == [""]
    assert signature.xpath(
        "ds:SignedInfo/ds:Reference/ds:Transforms/ds:Transform/@Algorithm", namespaces=ds
    ) == [
        ENVELOPED,
        EXC_C14N,
    ]
    certificate = fiel().certificate
    serial = signature.findtext(
        f"{{{NS_DS}}}KeyInfo/{{{NS_DS}}}X509Data/{{{NS_DS}}}X509IssuerSerial/{{{NS_DS}}}X509SerialNumber"
    )
    assert serial == str(certificate.serial)
    solicitud = operation.find(f"{{{m.NS_DES}}}solicitud")
    assert dict(solicitud.attrib) == {
        "EstadoComprobante": "Todos",
        "FechaFinal": "2026-07-01T00:00:00",
        "FechaInicial": "2026-03-01T00:00:00",
        "RfcReceptor": "EKU9003173C9",
        "RfcSolicitante": "EKU9003173C9",
        "TipoSolicitud": "Metadata",
    }


def test_the_digest_is_the_same_in_the_envelope_and_alone():
    """Exclusive C14N: a verifier canonicalizing in place or after extracting agrees."""
    envelope = etree.fromstring(REQUESTS["issued"](fiel()))
    operation = envelope.find(f"{{{NS_SOAP}}}Body")[0]
    alone = etree.fromstring(etree.tostring(operation))
    in_place = etree.tostring(operation, method="c14n", exclusive=True)
    assert in_place == etree.tostring(alone, method="c14n", exclusive=True)
    assert b"schemas.xmlsoap.org" not in in_place  # the envelope's namespace stays out


def test_the_engine_verifier_returns_the_signer_and_refuses_a_swapped_certificate():
    operation = operation_of(REQUESTS["verify"](fiel()))
    assert verify_operation(operation).rfc == "EKU9003173C9"
    # Signed by the CSD's key, but claiming the FIEL's certificate: refused.
    forged = operation_of(REQUESTS["verify"](credential("csd", "EKU9003173C9")))
    cert = forged.find(f".//{{{NS_DS}}}X509Certificate")
    cert.text = fiel().certificate.base64
    with pytest.raises(SignatureError):
        verify_operation(forged)


def test_the_engine_verifier_reads_the_signed_timestamp():
    now = dt.datetime(2026, 12, 1, 17, 5, 9, 123000, tzinfo=dt.timezone.utc)
    signed = verify_security(etree.fromstring(m.authentication_request(fiel(), now)))
    assert signed.certificate.rfc == "EKU9003173C9"
    assert (signed.created, signed.expires) == (now, now + dt.timedelta(minutes=5))
    envelope = etree.fromstring(m.authentication_request(fiel(), now))
    envelope.find(f".//{{{NS_WSU}}}Expires").text = "2030-01-01T00:00:00.000Z"
    with pytest.raises(SignatureError):
        verify_security(envelope)
