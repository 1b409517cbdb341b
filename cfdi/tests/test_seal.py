"""seal.py: Sello of CFDI 4.0 with SAT's test CSD; verification of third-party files."""

from __future__ import annotations

import base64
import dataclasses
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding

from cfdi import cadena, credentials, seal, xml
from cfdi import document as d
from cfdi.testing import FIXTURES, verify


def _load(folder: str, stem: str) -> credentials.Credential:
    base = FIXTURES / folder / stem
    password = Path(f"{base}.password.txt").read_text().strip()
    return credentials.Credential.load(
        Path(f"{base}.cer").read_bytes(), Path(f"{base}.key").read_bytes(), password
    )


def _independent_verify(data: bytes, sat_cadena) -> bool:
    """Sello check with SAT's XSLT cadena and the certificate read by cryptography alone."""
    root = xml.parse(data)
    cert = x509.load_der_x509_certificate(base64.b64decode(root.get("Certificado")))
    try:
        cert.public_key().verify(
            base64.b64decode(root.get("Sello")),
            sat_cadena(data).encode("utf-8"),
            padding.PKCS1v15(),
            hashes.SHA256(),
        )
    except Exception:
        return False
    return True


# --- third-party samples -------------------------------------------------------


def test_sample_seal_verifies(sample_path, sat_cadena):
    data = sample_path.read_bytes()
    c = xml.from_bytes(data)
    assert cadena.cadena_original(c) == sat_cadena(data)
    assert _independent_verify(data, sat_cadena)
    assert seal.verify_seal(c)


def test_sample_round_trip_keeps_seal(sample_path, sat_cadena):
    again = xml.to_bytes(xml.from_bytes(sample_path.read_bytes()))
    assert seal.verify_seal(xml.from_bytes(again))
    assert _independent_verify(again, sat_cadena)


def test_sample_stamp_verifies_with_sat_certificate(sample_path, sat_certificates):
    c = xml.from_bytes(sample_path.read_bytes())
    if c.complemento.timbre is None:
        assert not verify.verify_tfd(c, next(iter(sat_certificates.values())))
        return
    own = sat_certificates[c.complemento.timbre.no_certificado_sat]
    assert verify.verify_tfd(c, own)
    for other in sat_certificates.values():
        if other is not own:
            assert not verify.verify_tfd(c, other)
    tampered = dataclasses.replace(
        c.complemento.timbre, uuid="00000000-0000-0000-0000-000000000000"
    )
    c.complemento.timbre = tampered
    assert not verify.verify_tfd(c, own)


def test_stamp_of_another_seal_is_refused(sat_certificates):
    c = xml.from_bytes((FIXTURES / "samples" / "I_PUE_stamped_testpac.xml").read_bytes())
    c.sello = xml.from_bytes(
        (FIXTURES / "samples" / "I_PPD_retenciones_stamped_finkok_demo.xml").read_bytes()
    ).sello
    assert not verify.verify_tfd(c, sat_certificates["30001000000500003456"])


def test_tampering_breaks_the_seal_but_whitespace_does_not():
    c = xml.from_bytes((FIXTURES / "samples" / "invoice_I_sealed_unstamped.xml").read_bytes())
    assert seal.verify_seal(c)
    assert not seal.verify_seal(dataclasses.replace(c, total=c.total + 1))
    assert not seal.verify_seal(dataclasses.replace(c, sello=c.sello[:-8] + "AAAAAAA="))
    assert not seal.verify_seal(dataclasses.replace(c, sello="not base64!"))
    assert not seal.verify_seal(dataclasses.replace(c, certificado="AAAA"))
    assert not seal.verify_seal(dataclasses.replace(c, sello=None))
    # normalize-space: extra spaces around and inside a value do not change the cadena
    c.emisor.nombre = "  ESCUELA   KEMPER\tURGATE "
    assert seal.verify_seal(c)
    assert seal.verify_seal(xml.from_bytes(xml.to_bytes(c)))


# --- sealing -------------------------------------------------------------------


def test_built_document_is_sealed_valid_and_verifiable(
    built_document, credential, sat_cadena, assert_sat_valid
):
    _, c = built_document
    data = seal.seal_bytes(c, credential)
    assert_sat_valid(data)
    assert _independent_verify(data, sat_cadena)
    parsed = xml.from_bytes(data)
    assert seal.verify_seal(parsed)
    assert parsed.no_certificado == "30001000000500003416"
    assert parsed.certificado == credential.certificate.base64
    assert cadena.cadena_original(parsed) == sat_cadena(data)


def test_seal_returns_a_copy_and_is_deterministic(credential):
    c = xml.from_bytes((FIXTURES / "samples" / "E_credit_note_sealed_unstamped.xml").read_bytes())
    original = dataclasses.replace(c)
    c.sello = c.certificado = c.no_certificado = None
    unsealed = dataclasses.replace(c)
    sealed = seal.seal(c, credential)
    assert c == unsealed
    assert sealed.fecha == original.fecha
    # RSA PKCS#1 v1.5 is deterministic: the same document gets the sample's Sello again.
    assert sealed.sello == original.sello
    assert seal.seal(c, credential).sello == sealed.sello


def test_fecha_is_set(credential):
    c = xml.from_bytes((FIXTURES / "samples" / "E_credit_note_sealed_unstamped.xml").read_bytes())
    given = seal.seal(c, credential, datetime(2026, 11, 23, 1, 2, 3, 999))
    assert given.fecha == datetime(2026, 11, 23, 1, 2, 3)
    assert seal.verify_seal(given) and given.sello != c.sello

    aware = seal.seal(c, credential, datetime(2026, 11, 23, 7, 2, 3, tzinfo=timezone.utc))
    assert aware.fecha == datetime(2026, 11, 23, 1, 2, 3)  # 86000 Villahermosa: UTC-6

    c.fecha = None
    c.lugar_expedicion = "22000"  # Tijuana
    before = seal.local_now("22000")
    now = seal.seal(c, credential).fecha
    after = seal.local_now("22000")
    assert before <= now <= after and now.microsecond == 0
    # Tijuana is 1 (summer) or 2 (winter) hours behind Mexico City.
    assert timedelta(minutes=55) <= seal.local_now("06000") - now <= timedelta(hours=2, minutes=5)


@pytest.mark.parametrize(
    "folder, stem, error",
    [
        ("fiel", "EKU9003173C9_FIEL", credentials.NotACSD),
        ("csd_expired", "EKU9003173C9_2019", credentials.CertificateExpired),
        ("csd_not_sat", "non_sat_selfsigned", credentials.NotIssuedBySat),
        ("csd", "CACX7605101P8", credentials.WrongRfc),
    ],
)
def test_wrong_certificates_are_refused(folder, stem, error):
    c = xml.from_bytes((FIXTURES / "samples" / "invoice_I_sealed_unstamped.xml").read_bytes())
    with pytest.raises(error):
        seal.seal(c, _load(folder, stem))


def test_not_yet_valid_certificate_is_refused(credential):
    c = xml.from_bytes((FIXTURES / "samples" / "invoice_I_sealed_unstamped.xml").read_bytes())
    with pytest.raises(credentials.CertificateNotYetValid):
        seal.seal(c, credential, datetime(2020, 1, 1))


def test_stamped_document_is_not_sealed_again(credential):
    c = xml.from_bytes((FIXTURES / "samples" / "I_PUE_stamped_testpac.xml").read_bytes())
    with pytest.raises(seal.SealError):
        seal.seal(c, credential)


def test_complement_without_sat_sheet_adds_nothing_to_the_seal():
    """SAT's XSLT (used for complements the engine does not model) has no template for
    an unknown namespace: the seal still verifies, as in SAT's own check."""
    c = xml.from_bytes((FIXTURES / "samples" / "invoice_I_sealed_unstamped.xml").read_bytes())
    c.complemento = d.Complemento(others=[b'<x:Otro xmlns:x="urn:example"/>'])
    assert seal.verify_seal(c)
