"""Credentials: SAT's public test certificates plus certificates generated here."""

from __future__ import annotations

import base64
from datetime import datetime, timedelta, timezone

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from cfdi.credentials import (
    Certificate,
    CertificateExpired,
    CertificateNotYetValid,
    Credential,
    CredentialError,
    KeyMismatch,
    MalformedCredential,
    NotACSD,
    NotIssuedBySat,
    WrongPassword,
    WrongRfc,
    load_files,
)
from cfdi.errors import CfdiError
from cfdi.testing import FIXTURES

PASSWORD = "12345678a"
UNIQUE_ID = x509.ObjectIdentifier("2.5.4.45")


def files(folder: str, stem: str) -> tuple[bytes, bytes, str]:
    base = FIXTURES / folder / stem
    cer = base.with_suffix(".cer").read_bytes()
    key = base.with_suffix(".key").read_bytes()
    password = (FIXTURES / folder / f"{stem}.password.txt").read_text().strip()
    return cer, key, password


def sat_like_certificate(
    *,
    rfc: str = "XIA190128J61",
    ou: str | None = "Sucursal 1",
    email: str | None = None,
    fiel_usages: bool = False,
    not_before: datetime | None = None,
    not_after: datetime | None = None,
    issuer_org: str = "SERVICIO DE ADMINISTRACION TRIBUTARIA",
    key: rsa.RSAPrivateKey | None = None,
) -> tuple[bytes, rsa.RSAPrivateKey]:
    """A certificate shaped like SAT's (subject, serial of ASCII digits), signed by a fake CA."""
    key = key or rsa.generate_private_key(public_exponent=65537, key_size=2048)
    ca_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    subject = [
        x509.NameAttribute(NameOID.COMMON_NAME, "EMPRESA DE PRUEBA SA DE CV"),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, "EMPRESA DE PRUEBA SA DE CV"),
        x509.NameAttribute(UNIQUE_ID, f"{rfc} / VADA800927DJ3"),
    ]
    if email:
        subject.append(x509.NameAttribute(NameOID.EMAIL_ADDRESS, email))
    if ou:
        subject.append(x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, ou))
    issuer = x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, "AC UAT"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, issuer_org),
        ]
    )
    now = datetime.now(timezone.utc)
    builder = (
        x509.CertificateBuilder()
        .subject_name(x509.Name(subject))
        .issuer_name(issuer)
        .public_key(key.public_key())
        .serial_number(int.from_bytes(b"30001000000500009999", "big"))
        .not_valid_before(not_before or now - timedelta(days=1))
        .not_valid_after(not_after or now + timedelta(days=365))
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,
                key_encipherment=False,
                data_encipherment=fiel_usages,
                key_agreement=fiel_usages,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
    )
    if fiel_usages:
        builder = builder.add_extension(
            x509.ExtendedKeyUsage(
                [ExtendedKeyUsageOID.EMAIL_PROTECTION, ExtendedKeyUsageOID.CLIENT_AUTH]
            ),
            critical=False,
        )
    cert = builder.sign(ca_key, hashes.SHA256())
    return cert.public_bytes(serialization.Encoding.DER), key


def encrypted_key(key: rsa.RSAPrivateKey, password: str) -> bytes:
    return key.private_bytes(
        serialization.Encoding.DER,
        serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(password.encode()),
    )


# --- SAT's test certificates ----------------------------------------------


def test_csd_persona_moral_reads_every_field():
    cer, key, password = files("csd", "EKU9003173C9")
    credential = Credential.load(cer, key, password)
    cert = credential.certificate
    assert cert.rfc == "EKU9003173C9"
    assert cert.representative_rfc == "VADA800927DJ3"
    assert cert.legal_name == "ESCUELA KEMPER URGATE SA DE CV"
    assert cert.no_certificado == "30001000000500003416"
    assert cert.serial == int("3330303031303030303030353030303033343136", 16)
    assert cert.valid_from == datetime(2023, 5, 18, 11, 43, 51, tzinfo=timezone.utc)
    assert cert.valid_to == datetime(2027, 5, 18, 11, 43, 51, tzinfo=timezone.utc)
    assert cert.valid_to.tzinfo is not None
    assert cert.is_fiel is False
    assert cert.issuer_is_sat is True
    assert cert.base64 == base64.b64encode(cer).decode()
    assert Certificate.from_base64(cert.base64) == cert
    credential.require_csd()


def test_csd_persona_fisica():
    cer, key, password = files("csd", "CACX7605101P8")
    cert = Credential.load(cer, key, password).certificate
    assert (cert.rfc, cert.no_certificado) == ("CACX7605101P8", "30001000000500003316")
    assert cert.legal_name == "XOCHILT CASAS CHAVEZ"
    assert cert.representative_rfc == ""
    cert.require_csd()


def test_sign_is_rsa_sha256_pkcs1v15_and_verifies():
    cer, key, password = files("csd", "EKU9003173C9")
    credential = Credential.load(cer, key, password)
    data = b"||4.0|A|1|cadena|"
    signature = credential.sign(data)
    assert len(signature) == 256
    assert credential.certificate.verify(signature, data)
    assert not credential.certificate.verify(signature, data + b"x")
    assert not credential.certificate.verify(b"\x00" * 256, data)
    # PKCS#1 v1.5 is deterministic: the same input gives the same seal.
    assert credential.sign(data) == signature


def test_sat_stamping_certificates_are_read_without_keys():
    sat = Certificate.from_der((FIXTURES / "sat_certs" / "30001000000500003456.cer").read_bytes())
    assert (sat.rfc, sat.no_certificado, sat.issuer_is_sat) == (
        "SPR190613I52",
        "30001000000500003456",
        True,
    )
    prod = Certificate.from_der((FIXTURES / "sat_certs" / "00001000000708361114.cer").read_bytes())
    assert (prod.rfc, prod.no_certificado) == ("SAT970701NN3", "00001000000708361114")


def test_issuer_name_uses_openssl_attribute_names():
    cer, _, _ = files("csd", "EKU9003173C9")
    name = Certificate.from_der(cer).issuer_name
    assert name.startswith("unstructuredName=responsable: ACDMA-SAT,x500UniqueIdentifier=2.5.4.45,")
    assert name.endswith(",O=SERVICIO DE ADMINISTRACION TRIBUTARIA,CN=AC UAT")


def test_fiel_is_refused_where_a_csd_is_required():
    cer, key, password = files("fiel", "EKU9003173C9_FIEL")
    credential = Credential.load(cer, key, password)
    assert credential.certificate.is_fiel is True
    assert credential.certificate.no_certificado == "30001000000500003415"
    with pytest.raises(NotACSD) as info:
        credential.require_csd()
    assert "FIEL" in info.value.message_es and "FIEL" in info.value.message_en
    assert "CSD" in info.value.message_es


def test_expired_csd_is_refused_after_its_end_date():
    cer, key, password = files("csd_expired", "EKU9003173C9_2019")
    cert = Credential.load(cer, key, password).certificate
    assert cert.valid_to == datetime(2023, 6, 17, 19, 44, 14, tzinfo=timezone.utc)
    cert.check_valid_at(datetime(2022, 1, 1, 12, 0, 0))
    with pytest.raises(CertificateExpired) as info:
        cert.check_valid_at(datetime(2025, 1, 1, 12, 0, 0))
    assert "2023-06-17" in info.value.message_es and "venció" in info.value.message_es
    assert "expired" in info.value.message_en


def test_naive_dates_are_mexico_city_time():
    cer, _, _ = files("csd_expired", "EKU9003173C9_2019")
    cert = Certificate.from_der(cer)
    # 13:44:14 in Mexico City (UTC-6 in June 2023, no DST since 2022) is 19:44:14 UTC.
    cert.check_valid_at(datetime(2023, 6, 17, 13, 44, 14))
    with pytest.raises(CertificateExpired):
        cert.check_valid_at(datetime(2023, 6, 17, 13, 44, 15))
    with pytest.raises(CertificateExpired):
        cert.check_valid_at(datetime(2023, 6, 17, 19, 44, 15, tzinfo=timezone.utc))


def test_not_sat_certificate_is_refused():
    cer, key, password = files("csd_not_sat", "non_sat_selfsigned")
    credential = Credential.load(cer, key, password)
    cert = credential.certificate
    assert cert.issuer_is_sat is False
    assert cert.rfc == ""
    assert cert.no_certificado == "71F61C6771613389D4F60F3D58FF0E3930F8A10"
    with pytest.raises(NotIssuedBySat) as info:
        credential.require_csd()
    assert isinstance(info.value, NotACSD)
    assert "SAT" in info.value.message_es


def test_wrong_password_is_its_own_error_and_not_echoed():
    cer, key, _ = files("csd", "EKU9003173C9")
    with pytest.raises(WrongPassword) as info:
        Credential.load(cer, key, "Secreto-Equivocado-987")
    text = str(info.value) + info.value.message_es + info.value.message_en
    assert "Secreto-Equivocado-987" not in text
    assert "contraseña" in info.value.message_es and "password" in info.value.message_en
    with pytest.raises(WrongPassword):
        Credential.load(cer, key, "")


def test_key_of_another_certificate_is_a_mismatch():
    cer, _, _ = files("csd", "EKU9003173C9")
    _, other_key, password = files("csd", "CACX7605101P8")
    with pytest.raises(KeyMismatch) as info:
        Credential.load(cer, other_key, password)
    assert "30001000000500003416" in info.value.message_es


def test_load_files_and_pem_input(tmp_path):
    cer, key, password = files("csd", "EKU9003173C9")
    credential = load_files(
        FIXTURES / "csd" / "EKU9003173C9.cer", FIXTURES / "csd" / "EKU9003173C9.key", password
    )
    assert credential.certificate.no_certificado == "30001000000500003416"
    pem_cer = x509.load_der_x509_certificate(cer).public_bytes(serialization.Encoding.PEM)
    pem_key = credential.private_key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(b"otra"),
    )
    from_pem = Credential.load(pem_cer, pem_key, "otra")
    assert from_pem.certificate == credential.certificate
    assert from_pem.sign(b"abc") == credential.sign(b"abc")
    with pytest.raises(MalformedCredential) as info:
        load_files(tmp_path / "missing.cer", tmp_path / "missing.key", password)
    assert "missing.cer" in info.value.message_es


@pytest.mark.parametrize(
    "cer_data",
    [b"", b"garbage that is not a certificate", b"-----BEGIN CERTIFICATE-----\n!!\n-----END"],
)
def test_garbage_certificate_is_malformed(cer_data):
    with pytest.raises(MalformedCredential) as info:
        Certificate.from_der(cer_data)
    assert ".cer" in info.value.message_es or "vacío" in info.value.message_es


def test_garbage_key_is_malformed_not_wrong_password():
    cer, _, password = files("csd", "EKU9003173C9")
    with pytest.raises(MalformedCredential) as info:
        Credential.load(cer, b"\x30\x82\x01\x00not a key at all", password)
    assert ".key" in info.value.message_es
    # The certificate given as key is a classic upload mistake.
    with pytest.raises(MalformedCredential):
        Credential.load(cer, cer, password)
    with pytest.raises(MalformedCredential):
        Certificate.from_base64("not base64 @@@")


def test_errors_are_bilingual_cfdi_errors_with_codes():
    assert issubclass(CredentialError, CfdiError)
    codes = {
        cls.code
        for cls in (
            MalformedCredential,
            WrongPassword,
            KeyMismatch,
            NotACSD,
            NotIssuedBySat,
            CertificateExpired,
            CertificateNotYetValid,
            WrongRfc,
        )
    }
    assert len(codes) == 8


# --- generated certificates -----------------------------------------------


def test_certificate_of_another_rfc():
    cer, key = sat_like_certificate(rfc="XIA190128J61")
    credential = Credential.load(cer, encrypted_key(key, "pw-x"), "pw-x")
    credential.require_csd()
    credential.certificate.check_rfc("xia190128j61")
    with pytest.raises(WrongRfc) as info:
        credential.certificate.check_rfc("EKU9003173C9")
    assert "XIA190128J61" in info.value.message_es and "EKU9003173C9" in info.value.message_es
    assert credential.certificate.no_certificado == "30001000000500009999"


def test_not_yet_valid_certificate():
    start = datetime.now(timezone.utc) + timedelta(days=10)
    cer, _ = sat_like_certificate(not_before=start, not_after=start + timedelta(days=30))
    cert = Certificate.from_der(cer)
    with pytest.raises(CertificateNotYetValid):
        cert.check_valid_at(datetime.now(timezone.utc))
    cert.check_valid_at(start + timedelta(days=1))


@pytest.mark.parametrize(
    "kwargs",
    [
        {"ou": None, "email": "fiel@example.mx"},
        {"ou": None, "fiel_usages": True},
    ],
)
def test_fiel_like_generated_certificates(kwargs):
    cer, _ = sat_like_certificate(**kwargs)
    cert = Certificate.from_der(cer)
    assert cert.is_fiel
    with pytest.raises(NotACSD):
        cert.require_csd()


def test_csd_profile_with_branch_is_not_fiel():
    cer, _ = sat_like_certificate(ou="Sucursal Centro")
    assert not Certificate.from_der(cer).is_fiel


def test_generated_mismatched_key_pair():
    cer, _ = sat_like_certificate()
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    with pytest.raises(KeyMismatch):
        Credential.load(cer, encrypted_key(other, "abc"), "abc")


def test_pkcs8_with_another_password():
    cer, key = sat_like_certificate()
    data = encrypted_key(key, "Otra Clave 2026")
    assert Credential.load(cer, data, "Otra Clave 2026").certificate.rfc == "XIA190128J61"
    with pytest.raises(WrongPassword):
        Credential.load(cer, data, PASSWORD)


def test_unencrypted_key_is_accepted():
    cer, key = sat_like_certificate()
    plain = key.private_bytes(
        serialization.Encoding.DER,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    assert Credential.load(cer, plain, "").certificate.rfc == "XIA190128J61"
    assert Credential.load(cer, plain, "ignored").certificate.rfc == "XIA190128J61"


def test_non_sat_issuer_generated():
    cer, _ = sat_like_certificate(issuer_org="ACME CA")
    with pytest.raises(NotIssuedBySat):
        Certificate.from_der(cer).require_csd()


def test_non_rsa_key_is_refused():
    ec_key = ec.generate_private_key(ec.SECP256R1())
    cer, _ = sat_like_certificate()
    data = ec_key.private_bytes(
        serialization.Encoding.DER,
        serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(b"pw"),
    )
    with pytest.raises(MalformedCredential):
        Credential.load(cer, data, "pw")


def test_credential_repr_hides_the_key():
    cer, key, password = files("csd", "EKU9003173C9")
    text = repr(Credential.load(cer, key, password))
    assert "EKU9003173C9" in text and "PRIVATE" not in text
