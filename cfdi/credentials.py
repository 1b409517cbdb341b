"""SAT credentials: the CSD (sello digital) and FIEL certificates with their keys.

A ``Certificate`` is read from SAT's ``.cer`` (DER; PEM accepted too) and exposes
what CFDI needs: the holder's RFC, NoCertificado, validity and whether it is a CSD
issued by SAT. A ``Credential`` adds the private key from SAT's ``.key`` (encrypted
PKCS#8 DER, PBES2 with 3DES) and signs with RSA-SHA256 PKCS#1 v1.5, the algorithm
of the CFDI 4.0 ``Sello``.

Error messages never include the password or key material.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, ExtensionOID, NameOID

from . import catalogs
from .errors import CfdiError

SAT_ORGANIZATION = "SERVICIO DE ADMINISTRACION TRIBUTARIA"
OID_UNIQUE_IDENTIFIER = x509.ObjectIdentifier("2.5.4.45")  # x500UniqueIdentifier
OID_UNSTRUCTURED_NAME = x509.ObjectIdentifier("1.2.840.113549.1.9.2")

# Attribute names as OpenSSL/Java print them; XMLDSig's X509IssuerName in SAT
# cancellation requests uses these spellings.
_RFC4514_NAMES = {
    OID_UNIQUE_IDENTIFIER: "x500UniqueIdentifier",
    OID_UNSTRUCTURED_NAME: "unstructuredName",
    NameOID.EMAIL_ADDRESS: "emailAddress",
    NameOID.POSTAL_CODE: "postalCode",
    NameOID.STREET_ADDRESS: "street",
    NameOID.SERIAL_NUMBER: "serialNumber",
    x509.ObjectIdentifier("2.5.4.41"): "name",
}


# --- errors -----------------------------------------------------------------


class CredentialError(CfdiError):
    code = "CRED"


class MalformedCredential(CredentialError):
    code = "CRED_MALFORMED"


class WrongPassword(CredentialError):
    code = "CRED_WRONG_PASSWORD"


class KeyMismatch(CredentialError):
    code = "CRED_KEY_MISMATCH"


class NotACSD(CredentialError):
    code = "CRED_NOT_CSD"


class NotIssuedBySat(NotACSD):
    """A certificate SAT did not issue cannot be a CSD either."""

    code = "CRED_NOT_SAT"


class NotAFiel(CredentialError):
    code = "CRED_NOT_FIEL"


class CertificateExpired(CredentialError):
    code = "CRED_EXPIRED"


class CertificateNotYetValid(CredentialError):
    code = "CRED_NOT_YET_VALID"


class WrongRfc(CredentialError):
    code = "CRED_WRONG_RFC"


# --- certificate ------------------------------------------------------------


def _require_content(data: bytes, kind_es: str, kind_en: str) -> None:
    if not data or not data.strip():
        raise MalformedCredential(
            f"El archivo {kind_es} está vacío. Cargue el archivo que descargó del SAT.",
            f"The {kind_en} file is empty. Upload the file you downloaded from SAT.",
        )


def _der_from(data: bytes, kind_es: str, kind_en: str) -> bytes:
    """DER bytes, accepting PEM (``-----BEGIN ...``) too."""
    _require_content(data, kind_es, kind_en)
    stripped = data.strip()
    if stripped.startswith(b"-----BEGIN"):
        lines = [ln for ln in stripped.splitlines() if ln and not ln.startswith(b"-----")]
        try:
            return base64.b64decode(b"".join(lines), validate=True)
        except (binascii.Error, ValueError) as exc:
            raise MalformedCredential(
                f"El archivo {kind_es} en formato PEM está dañado.",
                f"The PEM {kind_en} file is damaged.",
            ) from exc
    return data


def _attribute(name: x509.Name, oid: x509.ObjectIdentifier) -> str:
    values = name.get_attributes_for_oid(oid)
    if not values:
        return ""
    value = values[0].value
    return value.decode("latin-1") if isinstance(value, bytes) else str(value)


def _no_certificado(serial: int) -> str:
    """SAT's NoCertificado: the serial's bytes are ASCII digits ("3330..." -> "30...")."""
    raw = serial.to_bytes((serial.bit_length() + 7) // 8 or 1, "big")
    if raw.isdigit():
        return raw.decode("ascii")
    return format(serial, "X")  # not a SAT certificate: keep the hex serial


def _extension(cert: x509.Certificate, oid: x509.ObjectIdentifier):
    try:
        return cert.extensions.get_extension_for_oid(oid).value
    except x509.ExtensionNotFound:
        return None


def _looks_like_fiel(cert: x509.Certificate) -> bool:
    """FIEL (e.firma) vs CSD, by SAT's profiles (see shared/sat/SOURCES.md).

    A CSD names a branch in OU and is for signing only; a FIEL has no OU and an
    e-mail, and its key also serves for encryption and TLS client authentication.
    """
    subject = cert.subject
    if subject.get_attributes_for_oid(NameOID.ORGANIZATIONAL_UNIT_NAME):
        return False
    if subject.get_attributes_for_oid(NameOID.EMAIL_ADDRESS):
        return True
    eku = _extension(cert, ExtensionOID.EXTENDED_KEY_USAGE)
    if eku is not None and (
        ExtendedKeyUsageOID.EMAIL_PROTECTION in eku or ExtendedKeyUsageOID.CLIENT_AUTH in eku
    ):
        return True
    key_usage = _extension(cert, ExtensionOID.KEY_USAGE)
    return bool(key_usage is not None and (key_usage.data_encipherment or key_usage.key_agreement))


def _as_utc(dt: datetime) -> datetime:
    """CFDI dates (Fecha) are naive local time of Mexico; aware ones are converted."""
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=catalogs.mexico_city())
    return dt.astimezone(timezone.utc)


@dataclass(frozen=True)
class Certificate:
    der: bytes = field(repr=False)
    rfc: str
    legal_name: str
    no_certificado: str
    serial: int
    valid_from: datetime
    valid_to: datetime
    is_fiel: bool
    issuer_is_sat: bool
    issuer_name: str = ""  # RFC 4514, OpenSSL attribute names (XMLDSig X509IssuerName)
    representative_rfc: str = ""  # second token of x500UniqueIdentifier (persona moral)

    @classmethod
    def from_der(cls, data: bytes) -> Certificate:
        der = _der_from(data, "de certificado (.cer)", "certificate (.cer)")
        try:
            cert = x509.load_der_x509_certificate(der)
            public_key = cert.public_key()
        except (ValueError, TypeError) as exc:
            raise MalformedCredential(
                "El archivo .cer no es un certificado X.509 válido. Cargue el archivo .cer "
                "del Certificado de Sello Digital tal como lo descargó del SAT.",
                "The .cer file is not a valid X.509 certificate. Upload the Digital Seal "
                "Certificate (.cer) exactly as downloaded from SAT.",
            ) from exc
        if not isinstance(public_key, rsa.RSAPublicKey):
            raise MalformedCredential(
                "El certificado no tiene una llave RSA; los certificados del SAT son RSA.",
                "The certificate does not hold an RSA key; SAT certificates are RSA.",
            )
        unique_id = _attribute(cert.subject, OID_UNIQUE_IDENTIFIER)
        tokens = [t.strip() for t in unique_id.split("/") if t.strip()]
        return cls(
            der=der,
            rfc=tokens[0].upper() if tokens else "",
            representative_rfc=tokens[1].upper() if len(tokens) > 1 else "",
            legal_name=_attribute(cert.subject, NameOID.COMMON_NAME)
            or _attribute(cert.subject, NameOID.ORGANIZATION_NAME),
            no_certificado=_no_certificado(cert.serial_number),
            serial=cert.serial_number,
            valid_from=cert.not_valid_before_utc,
            valid_to=cert.not_valid_after_utc,
            is_fiel=_looks_like_fiel(cert),
            issuer_is_sat=_attribute(cert.issuer, NameOID.ORGANIZATION_NAME).strip().upper()
            == SAT_ORGANIZATION,
            issuer_name=cert.issuer.rfc4514_string(_RFC4514_NAMES),
        )

    @classmethod
    def from_base64(cls, text: str | bytes) -> Certificate:
        """From the ``Certificado`` attribute of a CFDI (base64 DER, whitespace allowed)."""
        raw = text.encode("ascii", "ignore") if isinstance(text, str) else text
        try:
            der = base64.b64decode(b"".join(raw.split()), validate=True)
        except (binascii.Error, ValueError) as exc:
            raise MalformedCredential(
                "El certificado en base64 está dañado (atributo Certificado).",
                "The base64 certificate is damaged (Certificado attribute).",
            ) from exc
        return cls.from_der(der)

    @property
    def base64(self) -> str:
        return base64.b64encode(self.der).decode("ascii")

    def public_key(self) -> rsa.RSAPublicKey:
        return x509.load_der_x509_certificate(self.der).public_key()  # type: ignore[return-value]

    def x509(self) -> x509.Certificate:
        """The ``cryptography`` certificate object (for PEM export, XMLDSig libraries)."""
        return x509.load_der_x509_certificate(self.der)

    def verify(self, signature: bytes, data: bytes) -> bool:
        """RSA-SHA256 PKCS#1 v1.5 signature check (CFDI 4.0 Sello, TFD SelloSAT)."""
        try:
            self.public_key().verify(signature, data, padding.PKCS1v15(), hashes.SHA256())
        except (InvalidSignature, ValueError):
            return False
        return True

    def check_valid_at(self, dt: datetime) -> None:
        """Raise unless ``dt`` falls in the validity period (naive = Mexico City time)."""
        moment = _as_utc(dt)
        if moment > self.valid_to:
            raise CertificateExpired(
                f"El certificado {self.no_certificado} venció el "
                f"{self.valid_to:%Y-%m-%d %H:%M} UTC y no puede sellar con fecha "
                f"{dt:%Y-%m-%d %H:%M:%S}. Tramite un CSD nuevo en el portal del SAT "
                "(Certifica) y cárguelo.",
                f"Certificate {self.no_certificado} expired on "
                f"{self.valid_to:%Y-%m-%d %H:%M} UTC and cannot seal a document dated "
                f"{dt:%Y-%m-%d %H:%M:%S}. Request a new CSD from SAT (Certifica) and upload it.",
            )
        if moment < self.valid_from:
            raise CertificateNotYetValid(
                f"El certificado {self.no_certificado} es válido a partir del "
                f"{self.valid_from:%Y-%m-%d %H:%M} UTC; la fecha {dt:%Y-%m-%d %H:%M:%S} es "
                "anterior. Use una fecha posterior o el certificado vigente en esa fecha.",
                f"Certificate {self.no_certificado} is valid from "
                f"{self.valid_from:%Y-%m-%d %H:%M} UTC; {dt:%Y-%m-%d %H:%M:%S} is earlier. "
                "Use a later date or the certificate that was valid on that date.",
            )

    def check_rfc(self, rfc: str) -> None:
        """Raise ``WrongRfc`` unless the certificate belongs to ``rfc``."""
        if (rfc or "").strip().upper() != self.rfc:
            raise WrongRfc(
                f"El certificado {self.no_certificado} pertenece al RFC {self.rfc or '(ninguno)'}"
                f", no al RFC emisor {rfc}. Cargue el CSD de {rfc} o corrija el RFC de la "
                "empresa.",
                f"Certificate {self.no_certificado} belongs to RFC {self.rfc or '(none)'}, "
                f"not to the issuer RFC {rfc}. Upload the CSD of {rfc} or fix the company's RFC.",
            )

    def require_csd(self) -> None:
        """Raise unless this is a CSD issued by SAT (not a FIEL, not a look-alike)."""
        if not self.issuer_is_sat:
            raise NotIssuedBySat(
                f"El certificado {self.no_certificado} no fue emitido por el SAT. Cargue el "
                "Certificado de Sello Digital (.cer) que el SAT le entregó.",
                f"Certificate {self.no_certificado} was not issued by SAT. Upload the Digital "
                "Seal Certificate (.cer) that SAT issued to you.",
            )
        if self.is_fiel:
            raise NotACSD(
                f"El certificado {self.no_certificado} es una e.firma (FIEL), que no sirve para "
                "sellar CFDI. Genere un Certificado de Sello Digital (CSD) con Certifica en el "
                "portal del SAT y cárguelo.",
                f"Certificate {self.no_certificado} is an e.firma (FIEL), which cannot seal "
                "CFDI. Generate a Digital Seal Certificate (CSD) with SAT's Certifica and "
                "upload it.",
            )
        if not self.rfc:
            raise NotACSD(
                f"El certificado {self.no_certificado} no contiene un RFC; no es un CSD.",
                f"Certificate {self.no_certificado} holds no RFC; it is not a CSD.",
            )

    def require_fiel(self) -> None:
        """Raise unless this is an e.firma (FIEL) issued by SAT (not a CSD, not a look-alike)."""
        if not self.issuer_is_sat or not self.rfc:
            raise NotAFiel(
                f"El certificado {self.no_certificado} no es una e.firma emitida por el SAT. "
                "Cargue el .cer de la e.firma (FIEL) de la empresa.",
                f"Certificate {self.no_certificado} is not an e.firma issued by SAT. Upload "
                "the company's e.firma (FIEL) .cer file.",
            )
        if not self.is_fiel:
            raise NotAFiel(
                f"El certificado {self.no_certificado} es un Certificado de Sello Digital (CSD), "
                "que no sirve para descargar CFDI del SAT. Cargue la e.firma (FIEL) de la "
                "empresa: el .cer y el .key que el SAT entregó al tramitarla.",
                f"Certificate {self.no_certificado} is a Digital Seal Certificate (CSD), which "
                "cannot download CFDI from SAT. Upload the company's e.firma (FIEL): the .cer "
                "and .key SAT issued for it.",
            )


# --- credential (certificate + private key) ---------------------------------


def _load_private_key(key: bytes, password: str) -> rsa.RSAPrivateKey:
    _require_content(key, "de llave privada (.key)", "private key (.key)")
    is_pem = key.lstrip().startswith(b"-----BEGIN")
    loader = serialization.load_pem_private_key if is_pem else serialization.load_der_private_key
    der = key
    secret = (password or "").encode("utf-8")
    try:
        private_key = loader(der, secret or None)
    except TypeError:
        # Either no password for an encrypted key, or a password for a plain key.
        if not secret:
            raise _wrong_password() from None
        try:
            private_key = loader(der, None)
        except (TypeError, ValueError) as exc:
            raise _malformed_key() from exc
    except ValueError as exc:
        if _is_encrypted_key(der, loader):
            raise _wrong_password() from None
        raise _malformed_key() from exc
    if not isinstance(private_key, rsa.RSAPrivateKey):
        raise MalformedCredential(
            "La llave privada no es RSA; las llaves del SAT son RSA.",
            "The private key is not RSA; SAT keys are RSA.",
        )
    return private_key


def _is_encrypted_key(der: bytes, loader) -> bool:
    try:
        loader(der, None)
    except TypeError:
        return True  # well-formed and encrypted: the password was the problem
    except ValueError:
        return False
    return False


def _wrong_password() -> WrongPassword:
    return WrongPassword(
        "La contraseña de la llave privada (.key) es incorrecta. Escriba la contraseña que "
        "definió al generar el CSD (distingue mayúsculas y minúsculas).",
        "The private key (.key) password is wrong. Type the password you set when the CSD "
        "was generated (it is case-sensitive).",
    )


def _malformed_key() -> MalformedCredential:
    return MalformedCredential(
        "El archivo .key no es una llave privada válida. Cargue el archivo .key que generó "
        "junto con el CSD (no el .req ni el .cer).",
        "The .key file is not a valid private key. Upload the .key file generated together "
        "with the CSD (not the .req nor the .cer).",
    )


class Credential:
    """A certificate with its private key (never in repr, messages or logs)."""

    __slots__ = ("certificate", "_key")

    def __init__(self, certificate: Certificate, private_key: rsa.RSAPrivateKey):
        self.certificate = certificate
        self._key = private_key

    def __repr__(self) -> str:
        return f"Credential(rfc={self.certificate.rfc!r}, no={self.certificate.no_certificado!r})"

    @classmethod
    def load(cls, cer: bytes, key: bytes, password: str) -> Credential:
        certificate = Certificate.from_der(cer)
        private_key = _load_private_key(key, password)
        if private_key.public_key().public_numbers() != certificate.public_key().public_numbers():
            raise KeyMismatch(
                f"La llave privada (.key) no corresponde al certificado "
                f"{certificate.no_certificado} (.cer). Cargue el par .cer/.key que el SAT "
                "generó juntos.",
                f"The private key (.key) does not belong to certificate "
                f"{certificate.no_certificado} (.cer). Upload the .cer/.key pair SAT issued "
                "together.",
            )
        return cls(certificate, private_key)

    def sign(self, data: bytes) -> bytes:
        """RSA-SHA256 PKCS#1 v1.5 (CFDI 4.0 Sello)."""
        return self._key.sign(data, padding.PKCS1v15(), hashes.SHA256())

    @property
    def private_key(self) -> rsa.RSAPrivateKey:
        """The key object, for XMLDSig signers (signxml). Never serialize or log it."""
        return self._key

    def require_csd(self) -> None:
        self.certificate.require_csd()

    def require_fiel(self) -> None:
        self.certificate.require_fiel()


def load_files(cer_path: str | Path, key_path: str | Path, password: str) -> Credential:
    """Load a credential from ``.cer`` and ``.key`` files."""
    try:
        cer = Path(cer_path).read_bytes()
        key = Path(key_path).read_bytes()
    except OSError as exc:
        raise MalformedCredential(
            f"No se pudo leer el archivo {exc.filename}: {exc.strerror}.",
            f"Could not read file {exc.filename}: {exc.strerror}.",
        ) from exc
    return Credential.load(cer, key, password)
