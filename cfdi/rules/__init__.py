"""Validation rules of a CFDI 4.0, run before any PAC is called; one module per Anexo 20
node: ``comprobante`` (the node itself, InformacionGlobal, CfdiRelacionados), ``parties``
(Emisor, Receptor), ``conceptos``, ``totals`` (SubTotal, Descuento, Total, summary
Impuestos), ``pagos`` (type P and Pagos 2.0), ``certificate`` (certificate and seal);
Comercio Exterior and Carta Porte add theirs (``cfdi.complements``).

``check(c)`` returns a list of ``Finding``: each has SAT's code from the "Matriz de
errores" of CFDI 4.0 (CFDI40xxx) where SAT has one, else an engine code (``EINV-...``), a
message in Spanish and English that says what to fix (``finding.message(lang)`` gives
one), and the path of the offending attribute ("Conceptos[2].Impuestos.Traslados[0].Importe").
``validate(data)`` parses XML bytes, runs ``check`` and verifies the seal (and, when
stamped, that the TimbreFiscalDigital's SelloCFD equals the Sello).

Not checked here (they need SAT's live lists): RFC registered in l_RFC, name and postal
code matching SAT's records, TipoCambio variation against the day's rate (CFDI40118) and
Total limits needing Confirmacion (CFDI40120). The Fecha window (not in the future, at
most 72 hours old, CFF 29-A / RMF) is checked only when ``now`` is given, so a stored
document can be re-validated.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from .. import xml
from ..complements import registry as complement_registry
from ..document import Comprobante
from ..errors import CfdiError
from . import certificate, comprobante, conceptos, pagos, parties, totals
from .base import Checker, Finding

__all__ = ["Finding", "check", "errors", "validate"]


def check(c: Comprobante, *, now: datetime | None = None) -> list[Finding]:
    """Every rule that fails on ``c``; an empty list means the document is ready to seal/stamp."""
    ck = Checker(c, now)
    comprobante.check_comprobante(ck)
    comprobante.check_informacion_global(ck)
    comprobante.check_relacionados(ck)
    parties.check_emisor(ck)
    parties.check_receptor(ck)
    conceptos.check_conceptos(ck)
    totals.check_totales(ck)
    pagos.check_pago_document(ck)
    certificate.check_certificado(ck)
    return ck.out + complement_registry.check(c, now)


def errors(findings: Iterable[Finding]) -> list[Finding]:
    """The findings that block stamping (not the warnings)."""
    return [f for f in findings if f.severity == "error"]


def validate(data: bytes, *, now: datetime | None = None) -> list[Finding]:
    """Parse CFDI XML bytes, run ``check``, verify the Sello and, if stamped, SelloCFD == Sello."""
    try:
        c = xml.from_bytes(data)
    except CfdiError as exc:
        code = exc.code if exc.code != "CFDI" else "EINV-XML"
        return [Finding(code, exc.message_es, exc.message_en, "")]
    return check(c, now=now) + certificate.seal_findings(c)
