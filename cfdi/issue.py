"""Issue a CFDI: from a filled-in ``Comprobante`` to the signed XML a PAC accepts, in one call.

``issue`` computes what the caller left out (Importe, taxes, SubTotal, Total: see
``amounts``), checks SAT's rules (``rules.check``) and the total the caller's books expect,
seals with the issuer's CSD (``seal``) and serializes (``xml``). Every issuer of the
engine goes through it: the Odoo layer for invoices, payment complements and global
invoices, and the command line's ``build``.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from . import amounts, rules, seal
from . import xml as cfdi_xml
from .credentials import Credential
from .document import Comprobante
from .errors import CfdiError
from .rules import Finding

TOTAL_MISMATCH = "EINV-TOTAL"


@dataclass(frozen=True)
class Issued:
    """A document ready for the PAC: the sealed ``Comprobante`` and its XML."""

    comprobante: Comprobante
    xml: bytes

    @property
    def digest(self) -> str:
        """SHA-256 of the XML: identifies exactly what is sent to the PAC."""
        return hashlib.sha256(self.xml).hexdigest()


class IssueRefused(CfdiError):
    """The document breaks blocking rules; nothing was sealed. ``findings`` says which."""

    code = "ISSUE"

    def __init__(self, findings: list[Finding]):
        self.findings = findings
        super().__init__(
            "\n".join(f"{f.code} {f.path}: {f.message_es}" for f in findings),
            "\n".join(f"{f.code} {f.path}: {f.message_en}" for f in findings),
        )


def total_finding(total: Decimal | None, expected: Decimal) -> Finding:
    return Finding(
        TOTAL_MISMATCH,
        f"El Total del CFDI ({total}) difiere del total del documento de origen ({expected}): "
        "sus conceptos no suman ese total (líneas de redondeo, descuentos por pronto pago).",
        f"The CFDI Total ({total}) differs from the source document's total ({expected}): its "
        "lines do not add up to it (rounding lines, early-payment discounts).",
        "Total",
    )


def issue(
    c: Comprobante,
    credential: Credential | None,
    *,
    fecha: datetime | None = None,
    expected_total: Decimal | None = None,
    check: bool = True,
    in_place: bool = False,
) -> Issued:
    """The sealed document and its XML; ``IssueRefused`` when a blocking rule fails.

    ``fecha``: the CFDI's Fecha (else ``c.fecha``, else now at LugarExpedicion).
    ``expected_total``: the total of the source document (an invoice's books), which the
    CFDI's Total must equal. ``check=False`` skips SAT's rules (the CLI's ``build``, whose
    user validates separately). ``in_place``: fill ``c`` itself instead of a copy, for a
    document the caller has just built and nobody else holds. Without a credential the
    document is serialized unsealed. Certificate problems raise ``CredentialError``.
    """
    c = amounts.fill(c) if in_place else amounts.compute(c)
    c.fecha = fecha or c.fecha or seal.local_now(c.lugar_expedicion)
    if check:
        findings = [f for f in rules.check(c) if f.blocking]
        if expected_total is not None and c.total != expected_total:
            findings.append(total_finding(c.total, expected_total))
        if findings:
            raise IssueRefused(findings)
    if credential is None:
        return Issued(c, cfdi_xml.to_bytes(c))
    sealed = seal.seal(c, credential)
    return Issued(sealed, cfdi_xml.to_bytes(sealed))
