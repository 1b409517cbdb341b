"""The e.firma (FIEL) checks, the other way round from the CSD's.

SAT's mass download accepts only the e.firma of the taxpayer whose CFDI are asked
for: a CSD is refused (305), another RFC's e.firma too (303), an expired one too
(304). These checks say so before anything is sent, in the user's terms.
"""

from __future__ import annotations

from datetime import datetime, timezone

from ..credentials import (
    Certificate,
    CertificateExpired,
    CertificateNotYetValid,
    Credential,
    WrongRfc,
)


def check_fiel(fiel: Certificate | Credential, company_rfc: str, moment: datetime) -> None:
    """Raise a ``CredentialError`` unless ``fiel`` is a SAT e.firma of ``company_rfc``
    valid at ``moment`` (aware, or naive UTC)."""
    certificate = fiel.certificate if isinstance(fiel, Credential) else fiel
    certificate.require_fiel()
    rfc = (company_rfc or "").strip().upper()
    if certificate.rfc != rfc:
        raise WrongRfc(
            f"La e.firma {certificate.no_certificado} pertenece al RFC {certificate.rfc}, no al "
            f"RFC de la empresa {rfc or '(vacío)'}. Cargue la e.firma de {rfc or 'la empresa'} "
            "o corrija el RFC de la empresa.",
            f"The e.firma {certificate.no_certificado} belongs to RFC {certificate.rfc}, not to "
            f"the company's RFC {rfc or '(empty)'}. Upload the e.firma of "
            f"{rfc or 'the company'} or fix the company's RFC.",
        )
    when = moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)
    if when > certificate.valid_to:
        raise CertificateExpired(
            f"La e.firma {certificate.no_certificado} venció el {certificate.valid_to:%Y-%m-%d}. "
            "Renuévela en el SAT (portal o SAT ID) y cargue la nueva.",
            f"The e.firma {certificate.no_certificado} expired on "
            f"{certificate.valid_to:%Y-%m-%d}. Renew it at SAT (portal or SAT ID) and upload "
            "the new one.",
        )
    if when < certificate.valid_from:
        raise CertificateNotYetValid(
            f"La e.firma {certificate.no_certificado} es válida a partir del "
            f"{certificate.valid_from:%Y-%m-%d %H:%M} UTC; espere a esa fecha.",
            f"The e.firma {certificate.no_certificado} is valid from "
            f"{certificate.valid_from:%Y-%m-%d %H:%M} UTC; wait until then.",
        )
