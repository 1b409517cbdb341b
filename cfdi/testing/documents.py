"""Signed CFDI for the PAC tests, built with the engine (amounts, xml, seal), and small
helpers the PAC tests share (a closed port, log capture of every library)."""

from __future__ import annotations

import base64
import dataclasses
import logging
import socket
import uuid as uuid_module
from datetime import datetime
from decimal import Decimal

from .. import amounts, seal
from .. import xml as cfdi_xml
from ..cadena import cadena_original
from ..credentials import Credential
from ..document import (
    Comprobante,
    Concepto,
    ConceptoImpuestos,
    Emisor,
    Receptor,
    Traslado,
)
from . import credential

ISSUER = "EKU9003173C9"
RECEIVER = "XIA190128J61"
LUGAR = "42501"


def load_credential(folder: str, name: str) -> Credential:
    return credential(name, folder)


def invoice(
    price: str = "1000.00", *, tipo: str = "I", issuer: str = ISSUER, fecha: datetime | None = None
) -> Comprobante:
    """One concept with IVA 16 %; a unique Folio so every document has its own digest."""
    concepto = Concepto(
        clave_prod_serv="84111506",
        cantidad=Decimal("1"),
        clave_unidad="E48",
        descripcion="Servicio de prueba",
        valor_unitario=Decimal(price),
        objeto_imp="02",
        impuestos=ConceptoImpuestos(
            traslados=[
                Traslado(impuesto="002", tipo_factor="Tasa", tasa_o_cuota=Decimal("0.160000"))
            ]
        ),
    )
    c = Comprobante(
        serie="T" if tipo == "I" else "NC",
        folio=uuid_module.uuid4().hex[:12],
        fecha=fecha,
        forma_pago="03",
        moneda="MXN",
        tipo_de_comprobante=tipo,
        exportacion="01",
        metodo_pago="PUE",
        lugar_expedicion=LUGAR,
        emisor=Emisor(rfc=issuer, nombre="ESCUELA KEMPER URGATE", regimen_fiscal="601"),
        receptor=Receptor(
            rfc=RECEIVER,
            nombre="XENON INDUSTRIAL ARTICLES",
            domicilio_fiscal="76343",
            regimen_fiscal="601",
            uso_cfdi="G03",
        ),
        conceptos=[concepto],
    )
    return amounts.compute(c)


def signed(
    credential: Credential,
    price: str = "1000.00",
    *,
    tipo: str = "I",
    fecha: datetime | None = None,
) -> bytes:
    """A sealed invoice (Fecha = now at LugarExpedicion unless given)."""
    return seal.seal_bytes(invoice(price, tipo=tipo), credential, fecha)


def force_signed(c: Comprobante, credential: Credential, fecha: datetime) -> bytes:
    """Sealed without the engine's certificate checks: to build documents SAT must refuse
    (FIEL, certificate of another RFC, Fecha outside the certificate's validity)."""
    cert = credential.certificate
    c = dataclasses.replace(
        c, fecha=fecha, no_certificado=cert.no_certificado, certificado=cert.base64, sello=None
    )
    c.sello = base64.b64encode(credential.sign(cadena_original(c).encode("utf-8"))).decode()
    return cfdi_xml.to_bytes(c)


def total_of(signed_xml: bytes) -> Decimal:
    total = cfdi_xml.from_bytes(signed_xml).total
    assert total is not None, "the document has no Total"
    return total


LOGGERS = ("", "cfdi", "zeep", "zeep.transports", "urllib3")


def capture_debug_logs(caplog) -> None:
    """DEBUG from the engine, zeep and urllib3: what a log line could leak."""
    for name in LOGGERS:
        caplog.set_level(logging.DEBUG, logger=name)


def closed_port() -> int:
    """A loopback port nobody listens on (connection refused)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
