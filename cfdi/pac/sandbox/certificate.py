"""The sandbox's own stamping certificate: a self-signed RSA-2048 certificate of a fake
PAC, generated on first use and kept in the state folder. TFDs sealed with it say so in
their Leyenda: they are not valid for tax purposes."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

from ...credentials import OID_UNIQUE_IDENTIFIER, Credential

SANDBOX_RFC = "SND010101AA0"  # fake PAC RFC (fits SAT's RFC pattern; no such taxpayer)
LEYENDA = "Sandbox: sin validez fiscal - not valid for tax purposes"  # TFD XSD: no "/"
PAC_NO_CERTIFICADO = "99990000000000000001"


def load_or_create_pac_credential(state_dir: Path) -> Credential:
    """The sandbox's stamping certificate, generated on first use (RSA 2048, 10 years)."""
    cer_path, key_path = state_dir / "pac.cer", state_dir / "pac.key"
    if not (cer_path.exists() and key_path.exists()):
        _generate_pac_certificate(cer_path, key_path)
    return Credential.load(cer_path.read_bytes(), key_path.read_bytes(), "")


def _generate_pac_certificate(cer_path: Path, key_path: Path) -> None:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, "SANDBOX PAC - SIN VALIDEZ FISCAL"),
            x509.NameAttribute(
                NameOID.ORGANIZATION_NAME, "SANDBOX PAC (NOT VALID FOR TAX PURPOSES)"
            ),
            x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, "Sandbox"),
            x509.NameAttribute(OID_UNIQUE_IDENTIFIER, f"{SANDBOX_RFC} / "),
        ]
    )
    now = dt.datetime.now(dt.timezone.utc)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(int.from_bytes(PAC_NO_CERTIFICADO.encode("ascii"), "big"))
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=3650))
        .add_extension(
            x509.KeyUsage(True, True, False, False, False, False, False, False, False),
            critical=True,
        )
        .sign(key, hashes.SHA256())
    )
    cer_path.parent.mkdir(parents=True, exist_ok=True)
    tmp_key = key_path.with_suffix(".tmp")
    fd = os.open(tmp_key, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(
            key.private_bytes(
                serialization.Encoding.DER,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        )
    os.replace(tmp_key, key_path)
    cer_path.write_bytes(cert.public_bytes(serialization.Encoding.DER))
