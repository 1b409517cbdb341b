"""Cancellation requests, checked with an independent XML-DSig verifier (xmlsec1)."""

from __future__ import annotations

import os
import shutil
import subprocess
from datetime import datetime
from pathlib import Path

import pytest
import satcfdi
from lxml import etree

from cfdi import cancel
from cfdi.credentials import (
    CertificateExpired,
    Credential,
    NotACSD,
    NotIssuedBySat,
)
from cfdi.pac.base import Rejected
from cfdi.testing import FIXTURES, verify

SAMPLE = FIXTURES / "cancelacion" / "cancelacion_motivo02_signed.xml"
TEST_CA = [FIXTURES / "sat_certs" / "test_ca" / n for n in ("AC_UAT_2022.cer", "ARC_UAT_2022.cer")]
UUID = "6F35D3B5-3651-5370-BC2C-14CDBE384CD7"
REPLACEMENT = "1E5A6E1B-9C1B-5319-BFED-123BD143A310"
FECHA = datetime(2025, 2, 21, 10, 0, 0)
XMLSEC1 = shutil.which("xmlsec1")


def credential(folder: str = "csd", stem: str = "EKU9003173C9") -> Credential:
    base = FIXTURES / folder / stem
    return Credential.load(
        base.with_suffix(".cer").read_bytes(), base.with_suffix(".key").read_bytes(), "12345678a"
    )


def xmlsec1_verify(data: bytes, tmp_path: Path, *, certificate_der: bytes | None = None) -> bool:
    """xmlsec1 (libxmlsec, C): with ``certificate_der`` only that public key is accepted;
    without it the embedded certificate must chain to SAT's test CA."""
    assert XMLSEC1, "xmlsec1 is required for these tests: apt-get install -y xmlsec1"
    document = tmp_path / "request.xml"
    document.write_bytes(data)
    if certificate_der is not None:
        (tmp_path / "signer.der").write_bytes(certificate_der)
        args = ["--enabled-key-data", "rsa", "--pubkey-cert-der", str(tmp_path / "signer.der")]
    else:
        args = [a for ca in TEST_CA for a in ("--trusted-der", str(ca))]
    result = subprocess.run(
        [XMLSEC1, "--verify", *args, str(document)], capture_output=True, text=True, check=False
    )
    return result.returncode == 0


def schema() -> etree.XMLSchema:
    """SAT's CancelaCfdi.xsd. Its targetNamespace is SAT's site URL and its local elements
    are unqualified, while SAT's service and its clients use http://cancelacfd.sat.gob.mx
    with qualified Folios/Folio: both are adjusted here to match real requests."""
    text = (FIXTURES / "cancelacion" / "CancelaCfdi.xsd").read_bytes()
    dsig = os.path.join(
        os.path.dirname(satcfdi.__file__),
        "transform",
        "schemas",
        "www.w3.org",
        "TR",
        "xmldsig-core",
        "xmldsig-core-schema.xsd",
    )
    text = (
        text.replace(
            b'"http://www.sat.gob.mx/sitio_internet/cfd"', b'"http://cancelacfd.sat.gob.mx"'
        )
        .replace(b'elementFormDefault="unqualified"', b'elementFormDefault="qualified"')
        .replace(
            b"http://www.w3.org/TR/xmldsig-core/xmldsig-core-schema.xsd",
            Path(dsig).as_uri().encode(),
        )
    )
    parser = etree.XMLParser(no_network=True, load_dtd=False)
    return etree.XMLSchema(etree.fromstring(text, parser))


def test_shared_sample_verifies_with_both_checkers(tmp_path):
    data = SAMPLE.read_bytes()
    cert = credential().certificate
    assert xmlsec1_verify(data, tmp_path, certificate_der=cert.der)
    assert xmlsec1_verify(data, tmp_path)
    assert cancel.verify_request(data, cert)
    assert cancel.verify_request(data)  # certificate from KeyInfo


def test_same_input_gives_the_shared_sample_byte_for_byte():
    # RSA PKCS#1 v1.5 is deterministic, so an identical request is an identical file.
    data = cancel.cancellation_request(credential(), UUID.lower(), "02", fecha=FECHA)
    assert data == SAMPLE.read_bytes()


@pytest.mark.parametrize(
    "motive, replacement", [("01", REPLACEMENT), ("02", None), ("03", None), ("04", None)]
)
def test_every_motive_signs_and_verifies_independently(motive, replacement, tmp_path):
    cred = credential()
    data = cancel.cancellation_request(cred, UUID, motive, replacement, fecha=FECHA)
    assert xmlsec1_verify(data, tmp_path, certificate_der=cred.certificate.der)
    assert xmlsec1_verify(data, tmp_path)
    assert cancel.verify_request(data, cred.certificate)
    assert schema().validate(etree.fromstring(data))
    request = verify.read_request(data)
    assert request.rfc_emisor == "EKU9003173C9"
    assert request.fecha == FECHA
    assert request.folios == (cancel.CancelFolio(UUID, motive, replacement),)
    root = etree.fromstring(data)
    assert root.tag == "{http://cancelacfd.sat.gob.mx}Cancelacion"
    signature = root.find("{http://www.w3.org/2000/09/xmldsig#}Signature")
    assert signature.prefix is None
    ns = {"ds": "http://www.w3.org/2000/09/xmldsig#"}
    assert (
        signature.find("ds:SignedInfo/ds:SignatureMethod", ns)
        .get("Algorithm")
        .endswith("#rsa-sha1")
    )
    serial = signature.find("ds:KeyInfo/ds:X509Data/ds:X509IssuerSerial/ds:X509SerialNumber", ns)
    assert int(serial.text) == cred.certificate.serial
    assert signature.find("ds:KeyInfo/ds:X509Data/ds:X509Certificate", ns).text == (
        cred.certificate.base64
    )


def test_persona_fisica_and_several_folios(tmp_path):
    cred = credential("csd", "CACX7605101P8")
    folios = [
        cancel.CancelFolio(UUID, "01", REPLACEMENT),
        cancel.CancelFolio("C2832671-DA6D-11EF-A83D-00155D012007", "03"),
    ]
    data = cancel.cancellation_request_many(cred, folios, fecha=FECHA)
    assert xmlsec1_verify(data, tmp_path, certificate_der=cred.certificate.der)
    assert schema().validate(etree.fromstring(data))
    request = verify.read_request(data)
    assert request.rfc_emisor == "CACX7605101P8"
    assert request.folios == tuple(folios)


@pytest.mark.parametrize(
    "old, new",
    [
        (b'Motivo="02"', b'Motivo="03"'),
        (b'RfcEmisor="EKU9003173C9"', b'RfcEmisor="CACX7605101P8"'),
        (b'Fecha="2025-02-21T10:00:00"', b'Fecha="2025-02-21T10:00:01"'),
        (b"<DigestValue>+", b"<DigestValue>/"),
    ],
)
def test_tampered_request_fails_both_checkers(old, new, tmp_path):
    data = SAMPLE.read_bytes()
    assert old in data
    tampered = data.replace(old, new, 1)
    cert = credential().certificate
    assert not xmlsec1_verify(tampered, tmp_path, certificate_der=cert.der)
    assert not cancel.verify_request(tampered, cert)


def test_another_certificate_fails_both_checkers(tmp_path):
    data = SAMPLE.read_bytes()
    other = credential("csd", "CACX7605101P8").certificate
    assert not xmlsec1_verify(data, tmp_path, certificate_der=other.der)
    assert not cancel.verify_request(data, other)


def test_signature_value_tampering_is_caught():
    root = etree.fromstring(SAMPLE.read_bytes())
    value = root.find(".//{http://www.w3.org/2000/09/xmldsig#}SignatureValue")
    value.text = "A" + value.text[1:] if value.text[0] != "A" else "B" + value.text[1:]
    assert not cancel.verify_request(etree.tostring(root))


def test_unsigned_or_foreign_xml_is_an_error():
    unsigned = etree.tostring(
        cancel.build_request("EKU9003173C9", [cancel.CancelFolio(UUID, "02")], FECHA)
    )
    with pytest.raises(cancel.CancelRequestError):
        cancel.verify_request(unsigned)
    with pytest.raises(cancel.CancelRequestError):
        verify.read_request(b"<Otro/>")


@pytest.mark.parametrize(
    "motive, replacement, code",
    [("01", None, "208"), ("02", REPLACEMENT, "209"), ("05", None, "207"), ("", None, "207")],
)
def test_motive_rules(motive, replacement, code):
    with pytest.raises(Rejected) as info:
        cancel.cancellation_request(credential(), UUID, motive, replacement, fecha=FECHA)
    assert info.value.code == code


@pytest.mark.parametrize(
    "uuid, replacement",
    [("not-a-uuid", None), (UUID, "123"), (UUID, UUID)],
)
def test_bad_uuids(uuid, replacement):
    motive = "01" if replacement else "02"
    with pytest.raises(cancel.CancelRequestError):
        cancel.cancellation_request(credential(), uuid, motive, replacement, fecha=FECHA)


def test_no_folios():
    with pytest.raises(cancel.CancelRequestError):
        cancel.cancellation_request_many(credential(), [], fecha=FECHA)


def test_only_a_valid_sat_csd_may_sign():
    with pytest.raises(NotACSD):
        cancel.cancellation_request(credential("fiel", "EKU9003173C9_FIEL"), UUID, "02")
    with pytest.raises(NotIssuedBySat):
        cancel.cancellation_request(credential("csd_not_sat", "non_sat_selfsigned"), UUID, "02")
    with pytest.raises(CertificateExpired):
        cancel.cancellation_request(credential("csd_expired", "EKU9003173C9_2019"), UUID, "02")


def test_default_fecha_is_current_mexico_time_to_the_second():
    data = cancel.cancellation_request(credential(), UUID, "03")
    fecha = etree.fromstring(data).get("Fecha")
    assert len(fecha) == 19 and fecha[10] == "T"
    assert cancel.verify_request(data)
