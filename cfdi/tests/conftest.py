"""Shared fixtures of the engine tests: SAT's oracles (XSD, XSLT), samples, test CSD.

SAT's XSD and XSLT are taken from the installed ``satcfdi`` package (a test-only
dependency that ships SAT's schema files), so the suite runs on any machine.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from decimal import Decimal as D

import pytest
from lxml import etree

from cfdi import testing
from cfdi.testing import FIXTURES, oracle

SAMPLES = sorted((FIXTURES / "samples").glob("*.xml"))
SAT_CERTS_DIR = FIXTURES / "sat_certs"


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """A test taking ``sample_path`` runs once per shared SAT sample."""
    if "sample_path" in metafunc.fixturenames:
        metafunc.parametrize("sample_path", SAMPLES, ids=[p.stem for p in SAMPLES])


@pytest.fixture(scope="session")
def sat_cadena() -> Callable[[bytes], str]:
    """Cadena original of CFDI 4.0 bytes by SAT's own XSLT (the oracle)."""
    return oracle.cadena


@pytest.fixture(scope="session")
def sat_cadena_tfd() -> Callable[[bytes], str]:
    """Cadena original of the TimbreFiscalDigital inside CFDI bytes, by SAT's XSLT."""
    return oracle.cadena_tfd


@pytest.fixture(scope="session")
def sat_schema() -> etree.XMLSchema:
    """One schema: cfdv40 + Pagos 2.0 + implocal + TFD 1.1 + Comercio Exterior 2.0 +
    Carta Porte 3.1 (SAT's XSD, via satcfdi)."""
    return oracle.schema()


@pytest.fixture(scope="session")
def assert_sat_valid() -> Callable[[bytes], None]:
    """Fails with SAT's schema error log when the bytes are not valid CFDI 4.0."""

    def check(data: bytes) -> None:
        errors = oracle.schema_errors(data)
        if errors is not None:
            raise AssertionError(f"not valid against SAT's XSD:\n{errors}")

    return check


@pytest.fixture(scope="session")
def csd_files() -> tuple[bytes, bytes, str]:
    """SAT's public test CSD of EKU9003173C9: (.cer, .key, password)."""
    return testing.csd_files()


@pytest.fixture(scope="session")
def credential():
    return testing.credential()


@pytest.fixture(scope="session")
def sat_certificates() -> dict:
    """SAT's stamping certificates (test and production), by NoCertificado."""
    from cfdi.credentials import Certificate

    certs = [Certificate.from_der(p.read_bytes()) for p in sorted(SAT_CERTS_DIR.glob("*.cer"))]
    return {c.no_certificado: c for c in certs}


# --- hand-built documents (amounts set explicitly) ---------------------------


def _invoice_all_features():
    from cfdi import document as d

    iva16 = d.Traslado(
        base=D("1000.00"),
        impuesto="002",
        tipo_factor="Tasa",
        tasa_o_cuota=D("0.160000"),
        importe=D("160.00"),
    )
    return d.Comprobante(
        serie="F-Ñ",
        folio="00012",
        fecha=datetime(2026, 11, 20, 10, 30, 5),
        forma_pago="03",
        condiciones_de_pago="  Contado   30  días  ",
        subtotal=D("1850.50"),
        descuento=D("50.50"),
        moneda="USD",
        tipo_cambio=D("17.2345"),
        total=D("2020.71"),
        tipo_de_comprobante="I",
        exportacion="01",
        metodo_pago="PUE",
        lugar_expedicion="06000",
        informacion_global=d.InformacionGlobal(periodicidad="01", meses="11", anio=2026),
        cfdi_relacionados=[
            d.CfdiRelacionados(
                tipo_relacion="04",
                uuids=[
                    "0A1B2C3D-0000-4000-8000-000000000001",
                    "0A1B2C3D-0000-4000-8000-000000000002",
                ],
            ),
            d.CfdiRelacionados(tipo_relacion="07", uuids=["0A1B2C3D-0000-4000-8000-000000000003"]),
        ],
        emisor=d.Emisor(
            rfc="EKU9003173C9",
            nombre="ESCUELA KEMPER URGATE",
            regimen_fiscal="601",
            fac_atr_adquirente="0123456789",
        ),
        receptor=d.Receptor(
            rfc="XAXX010101000",
            nombre="PUBLICO EN GENERAL",
            domicilio_fiscal="06000",
            regimen_fiscal="616",
            uso_cfdi="S01",
        ),
        conceptos=[
            d.Concepto(
                clave_prod_serv="01010101",
                no_identificacion="SKU-<1>&'2'",
                cantidad=D("2.500000"),
                clave_unidad="H87",
                unidad="Pieza",
                descripcion='Café "orgánico" & pingüino <ñ> ü   doble\tespacio ',
                valor_unitario=D("400.00"),
                importe=D("1000.00"),
                descuento=D("50.50"),
                objeto_imp="02",
                impuestos=d.ConceptoImpuestos(
                    traslados=[
                        iva16,
                        d.Traslado(
                            base=D("1000.00"),
                            impuesto="003",
                            tipo_factor="Cuota",
                            tasa_o_cuota=D("0.354800"),
                            importe=D("354.80"),
                        ),
                    ],
                    retenciones=[
                        d.Retencion(
                            base=D("1000.00"),
                            impuesto="001",
                            tipo_factor="Tasa",
                            tasa_o_cuota=D("0.100000"),
                            importe=D("100.00"),
                        )
                    ],
                ),
                a_cuenta_terceros=d.ACuentaTerceros(
                    rfc="CACX7605101P8",
                    nombre="XOCHILT CASAS CHAVEZ",
                    regimen_fiscal="612",
                    domicilio_fiscal="36257",
                ),
                informacion_aduanera=[
                    d.InformacionAduanera("21  47  3807  8003832"),
                    d.InformacionAduanera("21  47  3807  8003833"),
                ],
            ),
            d.Concepto(
                clave_prod_serv="80131500",
                cantidad=D("1"),
                clave_unidad="E48",
                descripcion="Renta",
                valor_unitario=D("850.50"),
                importe=D("850.50"),
                objeto_imp="02",
                impuestos=d.ConceptoImpuestos(
                    traslados=[d.Traslado(base=D("850.50"), impuesto="002", tipo_factor="Exento")]
                ),
                cuenta_predial=[d.CuentaPredial("12345678901234567890")],
            ),
        ],
        impuestos=d.Impuestos(
            total_retenidos=D("100.00"),
            total_trasladados=D("514.80"),
            retenciones=[
                d.Retencion(impuesto="001", importe=D("100.00"), base=None, tipo_factor=None)
            ],
            traslados=[
                iva16,
                d.Traslado(
                    base=D("1000.00"),
                    impuesto="003",
                    tipo_factor="Cuota",
                    tasa_o_cuota=D("0.354800"),
                    importe=D("354.80"),
                ),
                d.Traslado(base=D("850.50"), impuesto="002", tipo_factor="Exento"),
            ],
        ),
        complemento=d.Complemento(
            impuestos_locales=d.ImpuestosLocales(
                total_retenciones=D("5.00"),
                total_traslados=D("30.00"),
                retenciones=[d.RetencionLocal("5 AL MILLAR", D("0.50"), D("5.00"))],
                traslados=[d.TrasladoLocal("ISH", D("3.00"), D("30.00"))],
            )
        ),
    )


def _payment():
    from cfdi import document as d

    return d.Comprobante(
        fecha=datetime(2026, 11, 21, 9, 0, 0),
        subtotal=D("0"),
        moneda="XXX",
        total=D("0"),
        tipo_de_comprobante="P",
        lugar_expedicion="52000",
        emisor=d.Emisor("EKU9003173C9", "ESCUELA KEMPER URGATE", "601"),
        receptor=d.Receptor(
            "CACX7605101P8", "XOCHILT CASAS CHAVEZ", "36257", regimen_fiscal="612", uso_cfdi="CP01"
        ),
        conceptos=[
            d.Concepto(
                clave_prod_serv="84111506",
                cantidad=D("1"),
                clave_unidad="ACT",
                descripcion="Pago",
                valor_unitario=D("0"),
                importe=D("0"),
                objeto_imp="01",
            )
        ],
        complemento=d.Complemento(
            pagos=d.Pagos(
                totales=d.TotalesPagos(
                    retenciones_isr=D("100.00"),
                    traslados_base_iva16=D("1000.00"),
                    traslados_impuesto_iva16=D("160.00"),
                    monto_total_pagos=D("1060.00"),
                ),
                pagos=[
                    d.Pago(
                        fecha_pago=datetime(2026, 11, 20, 17, 18, 19),
                        forma_de_pago="03",
                        moneda="MXN",
                        tipo_cambio=D("1"),
                        monto=D("1060.00"),
                        num_operacion="OP & 1",
                        rfc_emisor_cta_ord="BMI9704113PA",
                        cta_ordenante="0001970000",
                        doctos=[
                            d.DoctoRelacionado(
                                id_documento="0A1B2C3D-0000-4000-8000-000000000001",
                                serie="A",
                                folio="7",
                                moneda="MXN",
                                equivalencia=D("1"),
                                num_parcialidad=2,
                                imp_saldo_ant=D("2000.00"),
                                imp_pagado=D("1060.00"),
                                imp_saldo_insoluto=D("940.00"),
                                objeto_imp="02",
                                impuestos=d.ImpuestosDR(
                                    retenciones=[
                                        d.RetencionDR(
                                            D("1000.00"), "001", "Tasa", D("0.100000"), D("100.00")
                                        )
                                    ],
                                    traslados=[
                                        d.TrasladoDR(
                                            D("1000.00"), "002", "Tasa", D("0.160000"), D("160.00")
                                        )
                                    ],
                                ),
                            )
                        ],
                        impuestos=d.ImpuestosP(
                            retenciones=[d.RetencionP("001", D("100.00"))],
                            traslados=[
                                d.TrasladoP(D("1000.00"), "002", "Tasa", D("0.160000"), D("160.00"))
                            ],
                        ),
                    )
                ],
            )
        ),
    )


def _credit_note():
    from cfdi import document as d

    return d.Comprobante(
        serie="NC",
        folio="3",
        fecha=datetime(2026, 11, 22, 8, 0, 0),
        forma_pago="01",
        subtotal=D("100.00"),
        moneda="MXN",
        total=D("108.00"),
        tipo_de_comprobante="E",
        metodo_pago="PUE",
        lugar_expedicion="22000",
        cfdi_relacionados=[d.CfdiRelacionados("01", ["0A1B2C3D-0000-4000-8000-000000000009"])],
        emisor=d.Emisor("EKU9003173C9", "ESCUELA KEMPER URGATE", "601"),
        receptor=d.Receptor(
            "XEXX010101000",
            "FOREIGN BUYER INC",
            "22000",
            residencia_fiscal="USA",
            num_reg_id_trib="123456789",
            regimen_fiscal="616",
            uso_cfdi="S01",
        ),
        conceptos=[
            d.Concepto(
                clave_prod_serv="84111506",
                cantidad=D("1"),
                clave_unidad="ACT",
                descripcion="Devolución",
                valor_unitario=D("100.00"),
                importe=D("100.00"),
                objeto_imp="02",
                impuestos=d.ConceptoImpuestos(
                    traslados=[d.Traslado(D("100.00"), "002", "Tasa", D("0.080000"), D("8.00"))]
                ),
            )
        ],
        impuestos=d.Impuestos(
            total_trasladados=D("8.00"),
            traslados=[d.Traslado(D("100.00"), "002", "Tasa", D("0.080000"), D("8.00"))],
        ),
    )


BUILT_DOCUMENTS = {
    "invoice_all_features": _invoice_all_features,
    "payment_pagos20": _payment,
    "credit_note_iva8_foreign": _credit_note,
}


@pytest.fixture(params=sorted(BUILT_DOCUMENTS))
def built_document(request):
    """(name, fresh Comprobante) for each hand-built document, unsealed."""
    return request.param, BUILT_DOCUMENTS[request.param]()
