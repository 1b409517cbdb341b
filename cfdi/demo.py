"""The engine's demo (``python -m cfdi demo --out DIR``): an invoice, a credit note related
to it and a payment, each built from JSON, sealed with SAT's public test CSD, validated,
stamped with the sandbox PAC; the credit note is then cancelled (motive 02)."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

from . import amounts, cancel, document, rules, sat, seal, tfd
from . import xml as cfdi_xml
from .build import InputError, build_document, from_json, to_json
from .credentials import Credential
from .pac import Connector, get_connector

DEMO_EMISOR = {"Rfc": "EKU9003173C9", "Nombre": "ESCUELA KEMPER URGATE", "RegimenFiscal": "601"}
DEMO_RECEPTOR = {
    "Rfc": "XIA190128J61",
    "Nombre": "XENON INDUSTRIAL ARTICLES",
    "DomicilioFiscalReceptor": "76343",
    "RegimenFiscalReceptor": "601",
}
DEMO_LUGAR = "42501"
DEMO_PLACEHOLDER_UUID = "00000000-0000-4000-8000-000000000000"  # only with --no-stamp
IVA16 = {"Impuesto": "002", "TipoFactor": "Tasa", "TasaOCuota": "0.160000"}


def demo_invoice() -> dict[str, Any]:
    """I, PPD (paid later with a payment complement), two lines with IVA 16 %."""
    return {
        "Serie": "A",
        "Folio": "1001",
        "FormaPago": "99",
        "MetodoPago": "PPD",
        "Moneda": "MXN",
        "TipoDeComprobante": "I",
        "Exportacion": "01",
        "LugarExpedicion": DEMO_LUGAR,
        "Emisor": DEMO_EMISOR,
        "Receptor": {**DEMO_RECEPTOR, "UsoCFDI": "G03"},
        "Conceptos": [
            {
                "ClaveProdServ": "84111506",
                "Cantidad": "3",
                "ClaveUnidad": "E48",
                "Unidad": "Servicio",
                "Descripcion": "Asesoría contable mensual",
                "ValorUnitario": "1500.00",
                "ObjetoImp": "02",
                "Impuestos": {"Traslados": [IVA16]},
            },
            {
                "ClaveProdServ": "43211503",
                "NoIdentificacion": "LAP-14",
                "Cantidad": "1",
                "ClaveUnidad": "H87",
                "Unidad": "Pieza",
                "Descripcion": "Computadora portátil",
                "ValorUnitario": "12500.00",
                "Descuento": "500.00",
                "ObjetoImp": "02",
                "Impuestos": {"Traslados": [IVA16]},
            },
        ],
    }


def demo_credit_note(invoice_uuid: str) -> dict[str, Any]:
    """E related to the invoice (TipoRelacion 01: nota de crédito): a 10 % discount on the services."""
    return {
        "Serie": "NC",
        "Folio": "1",
        "FormaPago": "03",
        "MetodoPago": "PUE",
        "Moneda": "MXN",
        "TipoDeComprobante": "E",
        "Exportacion": "01",
        "LugarExpedicion": DEMO_LUGAR,
        "CfdiRelacionados": [{"TipoRelacion": "01", "CfdiRelacionado": [invoice_uuid]}],
        "Emisor": DEMO_EMISOR,
        "Receptor": {**DEMO_RECEPTOR, "UsoCFDI": "G02"},
        "Conceptos": [
            {
                "ClaveProdServ": "84111506",
                "Cantidad": "1",
                "ClaveUnidad": "ACT",
                "Descripcion": "Bonificación 10 % sobre asesoría (factura A-1001)",
                "ValorUnitario": "450.00",
                "ObjetoImp": "02",
                "Impuestos": {"Traslados": [IVA16]},
            },
        ],
    }


def demo_payment(
    invoice: document.Comprobante, invoice_uuid: str, saldo: Decimal
) -> dict[str, Any]:
    """P paying half of what the invoice still owes, with its taxes in proportion."""
    paid = amounts.quantize(saldo / 2, 2)
    impuestos_dr = amounts.docto_impuestos(invoice, paid)
    docto = {
        "IdDocumento": invoice_uuid,
        "Serie": invoice.serie,
        "Folio": invoice.folio,
        "MonedaDR": "MXN",
        "EquivalenciaDR": "1",
        "NumParcialidad": "1",
        "ImpSaldoAnt": str(saldo),
        "ImpPagado": str(paid),
        "ImpSaldoInsoluto": str(saldo - paid),
        "ObjetoImpDR": "02",
    }
    if impuestos_dr is not None:
        docto["ImpuestosDR"] = to_json(impuestos_dr)
    fecha_pago = seal.local_now(DEMO_LUGAR).replace(hour=9, minute=0, second=0)
    return {
        "Serie": "P",
        "Folio": "1",
        "Moneda": "XXX",
        "TipoDeComprobante": "P",
        "Exportacion": "01",
        "LugarExpedicion": DEMO_LUGAR,
        "Emisor": DEMO_EMISOR,
        "Receptor": {**DEMO_RECEPTOR, "UsoCFDI": sat.USO_PAGOS},
        "Conceptos": [
            {
                "ClaveProdServ": sat.PAGO_CLAVE_PROD_SERV,
                "Cantidad": "1",
                "ClaveUnidad": sat.CLAVE_UNIDAD_ACTIVIDAD,
                "Descripcion": sat.PAGO_DESCRIPCION,
                "ValorUnitario": "0",
                "ObjetoImp": "01",
            },
        ],
        "Complemento": {
            "Pagos": {
                "Version": "2.0",
                "Pago": [
                    {
                        "FechaPago": cfdi_xml.format_value(fecha_pago),
                        "FormaDePagoP": "03",
                        "MonedaP": "MXN",
                        "TipoCambioP": "1",
                        "Monto": str(paid),
                        "DoctoRelacionado": [docto],
                    }
                ],
            }
        },
    }


class _Demo:
    """Writes each step's file under ``out`` and says what happened, one line each."""

    def __init__(self, out: Path, credential: Credential, connector: Connector | None):
        self.out = out
        self.credential = credential
        self.connector = connector

    def write(self, name: str, data: bytes) -> Path:
        path = self.out / name
        path.write_bytes(data)
        print(f"{path}")
        return path

    def issue(
        self, kind: str, data: dict[str, Any]
    ) -> tuple[document.Comprobante, bytes, str | None]:
        """JSON -> sealed XML -> validated -> stamped (when a connector is given)."""
        self.write(f"{kind}.json", json.dumps(data, ensure_ascii=False, indent=2).encode("utf-8"))
        sealed = build_document(
            from_json(json.loads(json.dumps(data), parse_float=Decimal)), self.credential
        )
        self.write(f"{kind}_sealed.xml", sealed)
        findings = rules.validate(sealed)
        for finding in findings:
            print(f"  {finding.one_line()}")
        if any(f.blocking for f in findings):
            raise InputError(
                f"El comprobante de ejemplo {kind} no pasó la validación.",
                f"The sample document {kind} did not pass validation.",
            )
        print(f"  {kind}: valid" + (f" ({len(findings)} warnings)" if findings else ""))
        if self.connector is None:
            return cfdi_xml.from_bytes(sealed), sealed, None
        result = self.connector.stamp(sealed)
        self.write(f"{kind}_stamped.xml", result.xml)
        stamped = cfdi_xml.from_bytes(result.xml)
        print(f"  {kind}: stamped UUID {result.uuid}")
        print(f"  {kind}: QR {tfd.verification_url_of(stamped)}")
        return stamped, result.xml, result.uuid

    def cancel(self, kind: str, c: document.Comprobante, uuid: str) -> None:
        # run_demo cancels only what it stamped, a computed document
        assert self.connector is not None and c.total is not None
        request = cancel.cancellation_request(self.credential, uuid, "02")
        self.write(f"{kind}_cancelacion.xml", request)
        result = self.connector.cancel(
            uuid, "02", None, c.emisor.rfc, c.receptor.rfc, c.total, self.credential
        )
        print(f"  {kind}: cancellation {result.outcome} ({result.status_code} {result.message})")
        if result.acknowledgment:
            self.write(f"{kind}_acuse_cancelacion.xml", result.acknowledgment)
        status = self.connector.status(uuid, c.emisor.rfc, c.receptor.rfc, c.total)
        print(f"  {kind}: SAT status {status.estado} / {status.estatus_cancelacion or '-'}")


def run_demo(
    out: Path, credential: Credential, *, stamp: bool = True, state_dir: str | None = None
) -> None:
    """Invoice I, credit note E related to it, payment P; sealed, validated, stamped with the
    sandbox PAC, and the credit note cancelled (motive 02)."""
    out.mkdir(parents=True, exist_ok=True)
    connector = None
    if stamp:
        connector = get_connector("sandbox", state_dir=state_dir or str(out / "sandbox"))
    demo = _Demo(out, credential, connector)
    invoice, _, invoice_uuid = demo.issue("I", demo_invoice())
    invoice_uuid = invoice_uuid or DEMO_PLACEHOLDER_UUID
    credit_note, _, credit_uuid = demo.issue("E", demo_credit_note(invoice_uuid))
    balance = (invoice.total or Decimal(0)) - (credit_note.total or Decimal(0))
    demo.issue("P", demo_payment(invoice, invoice_uuid, balance))
    if connector is not None and credit_uuid:
        demo.cancel("E", credit_note, credit_uuid)
