"""Supplier CFDI for the reception tests and benchmark, built with the engine.

The supplier is SAT's test persona física XOCHILT CASAS CHAVEZ (CACX7605101P8,
régimen 612) and the receiver SAT's test company ESCUELA KEMPER URGATE
(EKU9003173C9), the company of the Odoo tests. Documents are sealed with the
supplier's test CSD and stamped by the sandbox PAC.
"""

from __future__ import annotations

import uuid as uuid_module
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from lxml import etree

# Relative imports: the module is used by the engine's pytest suite (as cfdi.testing...) and
# by the Odoo tests (as odoo.addons.l10n_mx_einvoice.cfdi.testing...).
from .. import amounts, seal
from ..credentials import Credential
from ..document import (
    Complemento,
    Comprobante,
    Concepto,
    ConceptoImpuestos,
    DoctoRelacionado,
    Emisor,
    Pago,
    Pagos,
    Receptor,
    Retencion,
    Traslado,
)
from ..xml import from_bytes as xml_from_bytes
from . import credential

SUPPLIER_RFC = "CACX7605101P8"
SUPPLIER_NAME = "XOCHILT CASAS CHAVEZ"
SUPPLIER_REGIMEN = "612"
RECEIVER_RFC = "EKU9003173C9"
RECEIVER_NAME = "ESCUELA KEMPER URGATE"
LUGAR = "06000"
IVA16 = Decimal("0.160000")
XSI_LOCATION = "{http://www.w3.org/2001/XMLSchema-instance}schemaLocation"


def supplier_credential() -> Credential:
    return credential(SUPPLIER_RFC)


@dataclass
class Line:
    """One concept: IVA 16 % by default; retenciones as (impuesto, tasa) pairs."""

    descripcion: str = "Papel bond carta"
    cantidad: str = "2"
    valor_unitario: str = "500.00"
    clave_prod_serv: str = "14111507"
    clave_unidad: str = "H87"
    no_identificacion: str | None = None
    descuento: str | None = None
    iva: Decimal | None = IVA16
    retenciones: list[tuple[str, Decimal]] = field(default_factory=list)


def supplier_invoice(
    lines: list[Line] | None = None,
    *,
    tipo: str = "I",
    receiver_rfc: str = RECEIVER_RFC,
    receiver_name: str = RECEIVER_NAME,
    moneda: str = "MXN",
    folio: str | None = None,
    metodo_pago: str = "PUE",
) -> Comprobante:
    conceptos = []
    for line in lines or [Line()]:
        traslados = (
            [Traslado(impuesto="002", tipo_factor="Tasa", tasa_o_cuota=line.iva)]
            if line.iva is not None
            else []
        )
        retenciones = [
            Retencion(impuesto=imp, tipo_factor="Tasa", tasa_o_cuota=tasa)
            for imp, tasa in line.retenciones
        ]
        taxed = bool(traslados or retenciones)
        conceptos.append(
            Concepto(
                clave_prod_serv=line.clave_prod_serv,
                no_identificacion=line.no_identificacion,
                cantidad=Decimal(line.cantidad),
                clave_unidad=line.clave_unidad,
                descripcion=line.descripcion,
                valor_unitario=Decimal(line.valor_unitario),
                descuento=Decimal(line.descuento) if line.descuento else None,
                objeto_imp="02" if taxed else "01",
                impuestos=ConceptoImpuestos(traslados=traslados, retenciones=retenciones)
                if taxed
                else None,
            )
        )
    c = Comprobante(
        serie="F" if tipo == "I" else "NC",
        folio=folio or uuid_module.uuid4().hex[:10].upper(),
        forma_pago="99" if metodo_pago == "PPD" else "03",
        metodo_pago=metodo_pago,
        moneda=moneda,
        tipo_cambio=Decimal("17.50") if moneda != "MXN" else None,
        tipo_de_comprobante=tipo,
        exportacion="01",
        lugar_expedicion=LUGAR,
        emisor=Emisor(rfc=SUPPLIER_RFC, nombre=SUPPLIER_NAME, regimen_fiscal=SUPPLIER_REGIMEN),
        receptor=Receptor(
            rfc=receiver_rfc,
            nombre=receiver_name,
            domicilio_fiscal="42501",
            regimen_fiscal="601",
            uso_cfdi="G03",
        ),
        conceptos=conceptos,
    )
    return amounts.compute(c)


def sealed(c: Comprobante, credential: Credential | None = None) -> bytes:
    return seal.seal_bytes(c, credential or supplier_credential())


def stamped(connector, c: Comprobante, credential: Credential | None = None) -> bytes:
    """Sealed by the supplier's CSD and stamped by ``connector`` (the sandbox PAC)."""
    return connector.stamp(sealed(c, credential)).xml


# Complements the engine does not model, as a supplier may send them (values valid
# against SAT's XSD of each; their cadena comes from SAT's XSLT tree).
OTHER_COMPLEMENTS = {
    "leyendas_fiscales": (
        "http://www.sat.gob.mx/leyendasFiscales",
        "http://www.sat.gob.mx/sitio_internet/cfd/leyendasFiscales/leyendasFisc.xsd",
        '<leyendasFisc:LeyendasFiscales xmlns:leyendasFisc="http://www.sat.gob.mx/leyendasFiscales"'
        ' version="1.0"><leyendasFisc:Leyenda disposicionFiscal="RESDERAUT"'
        ' norma="Artículo 2o. Fracción I" textoLeyenda="Obra protegida por el derecho de autor"/>'
        "</leyendasFisc:LeyendasFiscales>",
    ),
    "ine": (
        "http://www.sat.gob.mx/ine",
        "http://www.sat.gob.mx/sitio_internet/cfd/ine/ine11.xsd",
        '<ine:INE xmlns:ine="http://www.sat.gob.mx/ine" Version="1.1" TipoProceso="Ordinario"'
        ' TipoComite="Ejecutivo Nacional" IdContabilidad="123456"/>',
    ),
    "divisas": (
        "http://www.sat.gob.mx/divisas",
        "http://www.sat.gob.mx/sitio_internet/cfd/divisas/divisas.xsd",
        '<divisas:Divisas xmlns:divisas="http://www.sat.gob.mx/divisas" version="1.0"'
        ' tipoOperacion="venta"/>',
    ),
}


def with_complement(c: Comprobante, name: str) -> Comprobante:
    """``c`` carrying one complement of ``OTHER_COMPLEMENTS`` (kept as raw XML, with its
    xsi:schemaLocation as a supplier's software writes it)."""
    namespace, location, text = OTHER_COMPLEMENTS[name]
    raw = etree.fromstring(text.encode("utf-8"))
    raw.set(XSI_LOCATION, f"{namespace} {location}")
    c.complemento.others.append(etree.tostring(raw))
    return c


def supplier_payment(
    paid: list[tuple[bytes, str]],
    *,
    fecha_pago: datetime | None = None,
    parcialidad: int = 1,
) -> Comprobante:
    """The supplier's payment complement (P, Pagos 2.0) of one transfer paying, for each
    ``(stamped invoice XML, amount)``, that amount of the invoice (its first payment)."""
    doctos = []
    for data, amount in paid:
        invoice = xml_from_bytes(data)
        pagado = Decimal(amount)
        total = invoice.total or Decimal(0)
        doctos.append(
            DoctoRelacionado(
                id_documento=invoice.complemento.timbre.uuid if invoice.complemento.timbre else "",
                serie=invoice.serie,
                folio=invoice.folio,
                moneda=invoice.moneda,
                equivalencia=Decimal(1),
                num_parcialidad=parcialidad,
                imp_saldo_ant=total,
                imp_pagado=pagado,
                imp_saldo_insoluto=total - pagado,
                objeto_imp="02",
                impuestos=amounts.docto_impuestos(invoice, pagado),
            )
        )
    pago = Pago(
        fecha_pago=fecha_pago or datetime(2026, 11, 20, 12, 0, 0),
        forma_de_pago="03",
        moneda="MXN",
        tipo_cambio=Decimal(1),
        monto=sum((d.imp_pagado for d in doctos), Decimal(0)),
        doctos=doctos,
    )
    c = Comprobante(
        serie="P",
        folio=uuid_module.uuid4().hex[:10].upper(),
        moneda="XXX",
        subtotal=Decimal(0),
        total=Decimal(0),
        tipo_de_comprobante="P",
        exportacion="01",
        lugar_expedicion=LUGAR,
        emisor=Emisor(rfc=SUPPLIER_RFC, nombre=SUPPLIER_NAME, regimen_fiscal=SUPPLIER_REGIMEN),
        receptor=Receptor(
            rfc=RECEIVER_RFC,
            nombre=RECEIVER_NAME,
            domicilio_fiscal="42501",
            regimen_fiscal="601",
            uso_cfdi="CP01",
        ),
        conceptos=[
            Concepto(
                clave_prod_serv="84111506",
                cantidad=Decimal(1),
                clave_unidad="ACT",
                descripcion="Pago",
                valor_unitario=Decimal(0),
                importe=Decimal(0),
                objeto_imp="01",
            )
        ],
        complemento=Complemento(pagos=Pagos(pagos=[pago])),
    )
    return amounts.compute(c)
