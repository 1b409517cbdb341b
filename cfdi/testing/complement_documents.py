"""CFDI with Comercio Exterior 2.0 and Carta Porte 3.1, built with the engine: for the
engine's tests, the Odoo tests and the scripts.

The issuer is SAT's test company ESCUELA KEMPER URGATE (EKU9003173C9, régimen 601),
the company of the Odoo tests; documents are sealed with its test CSD. Amounts the
engine computes (Importe, taxes, totals, ValorDolares, TotalUSD, TotalDistRec,
PesoBrutoTotal, NumTotalMercancias, IdCCP) are left out and filled by
``amounts.compute``.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal as D

from .. import amounts
from ..complements import carta_porte as cp
from ..complements import comercio_exterior as cce
from ..document import (
    Complemento,
    Comprobante,
    Concepto,
    ConceptoImpuestos,
    Emisor,
    Receptor,
    Traslado,
)

ISSUER = Emisor("EKU9003173C9", "ESCUELA KEMPER URGATE", "601")
FECHA = datetime(2026, 11, 20, 10, 0, 0)
IVA0 = D("0.000000")


def _iva0() -> ConceptoImpuestos:
    return ConceptoImpuestos(
        traslados=[Traslado(impuesto="002", tipo_factor="Tasa", tasa_o_cuota=IVA0)]
    )


def export_invoice() -> Comprobante:
    """An export (Exportacion 02) in USD to a US company, with two goods and Comercio Exterior."""
    return amounts.compute(
        Comprobante(
            serie="EXP",
            folio="101",
            fecha=FECHA,
            forma_pago="03",
            moneda="USD",
            tipo_cambio=D("17.2345"),
            tipo_de_comprobante="I",
            exportacion="02",
            metodo_pago="PUE",
            lugar_expedicion="06000",
            emisor=ISSUER,
            receptor=Receptor(
                "XEXX010101000",
                "ACME IMPORTS LLC",
                "06000",
                residencia_fiscal="USA",
                num_reg_id_trib="123456789",
                regimen_fiscal="616",
                uso_cfdi="S01",
            ),
            conceptos=[
                Concepto(
                    clave_prod_serv="43211503",
                    no_identificacion="LAP-14",
                    cantidad=D("10"),
                    clave_unidad="H87",
                    unidad="Pieza",
                    descripcion="Computadora portátil 14 pulgadas",
                    valor_unitario=D("512.35"),
                    objeto_imp="02",
                    impuestos=_iva0(),
                ),
                Concepto(
                    clave_prod_serv="56101703",
                    no_identificacion="ESC-01",
                    cantidad=D("3"),
                    clave_unidad="H87",
                    descripcion="Escritorio de madera",
                    valor_unitario=D("199.99"),
                    objeto_imp="02",
                    impuestos=_iva0(),
                ),
            ],
            complemento=Complemento(
                comercio_exterior=cce.ComercioExterior(
                    clave_de_pedimento="A1",
                    certificado_origen=0,
                    incoterm="FCA",
                    observaciones="Embarque por Nuevo Laredo & Laredo, TX",
                    emisor=cce.Emisor(
                        domicilio=cce.DomicilioNacional(
                            calle="Av. Juárez",
                            numero_exterior="10",
                            colonia="0001",
                            localidad="01",
                            municipio="015",
                            estado="CMX",
                            pais="MEX",
                            codigo_postal="06000",
                        )
                    ),
                    receptor=cce.Receptor(
                        domicilio=cce.Domicilio(
                            calle="Main St",
                            numero_exterior="500",
                            municipio="Laredo",
                            estado="TX",
                            pais="USA",
                            codigo_postal="78040",
                        )
                    ),
                    destinatarios=[
                        cce.Destinatario(
                            nombre="ACME WAREHOUSE",
                            domicilios=[
                                cce.Domicilio(
                                    calle="Industrial Blvd",
                                    estado="TX",
                                    pais="USA",
                                    codigo_postal="78045",
                                )
                            ],
                        )
                    ],
                    mercancias=[
                        cce.Mercancia(
                            no_identificacion="LAP-14",
                            fraccion_arancelaria="84713001",
                            cantidad_aduana=D("10"),
                            unidad_aduana="06",
                            descripciones=[
                                cce.DescripcionesEspecificas(
                                    marca="Kemper", modelo="K14", numero_serie="SN-0001"
                                )
                            ],
                        ),
                        cce.Mercancia(
                            no_identificacion="ESC-01",
                            fraccion_arancelaria="94033001",
                            cantidad_aduana=D("3"),
                            unidad_aduana="06",
                        ),
                    ],
                )
            ),
        )
    )


def _ubicacion(kind: str, ident: str, rfc: str, when: datetime, cp_: str, state: str, **kw):
    return cp.Ubicacion(
        tipo_ubicacion=kind,
        id_ubicacion=ident,
        rfc_remitente_destinatario=rfc,
        fecha_hora_salida_llegada=when,
        domicilio=cp.Domicilio(
            calle=kw.pop("calle", "Carretera Federal 57"),
            municipio=kw.pop("municipio", None),
            estado=state,
            pais=kw.pop("pais", "MEX"),
            codigo_postal=cp_,
        ),
        **kw,
    )


def _autotransporte(remolque: bool = True, peligroso: bool = False) -> cp.Autotransporte:
    return cp.Autotransporte(
        perm_sct="TPAF01",
        num_permiso_sct="0X2XTXZ0X5X0X3X2X1X0",
        identificacion_vehicular=cp.IdentificacionVehicular(
            config_vehicular="T3S2" if remolque else "C2",
            peso_bruto_vehicular=D("41.50"),
            placa_vm="501AA3",
            anio_modelo_vm=2022,
        ),
        seguros=cp.Seguros(
            asegura_resp_civil="Seguros Atlas",
            poliza_resp_civil="RC-123456",
            asegura_med_ambiente="Seguros Atlas" if peligroso else None,
            poliza_med_ambiente="MA-778899" if peligroso else None,
        ),
        remolques=[cp.Remolque(sub_tipo_rem="CTR004", placa="98AB7C")] if remolque else [],
    )


def _operador() -> cp.TiposFigura:
    return cp.TiposFigura(
        tipo_figura="01",
        rfc_figura="CACX7605101P8",
        num_licencia="LFC0123456",
        nombre_figura="XOCHILT CASAS CHAVEZ",
    )


def national_transfer() -> Comprobante:
    """A transfer CFDI (T) of the issuer's own goods by road, Mexico City -> Monterrey."""
    return amounts.compute(
        Comprobante(
            serie="CP",
            folio="7",
            fecha=FECHA,
            moneda="XXX",
            tipo_de_comprobante="T",
            exportacion="01",
            lugar_expedicion="06000",
            emisor=ISSUER,
            receptor=Receptor(
                "EKU9003173C9",
                "ESCUELA KEMPER URGATE",
                "06000",
                regimen_fiscal="601",
                uso_cfdi="S01",
            ),
            conceptos=[
                Concepto(
                    clave_prod_serv="24112700",
                    no_identificacion="TAR-1",
                    cantidad=D("20"),
                    clave_unidad="XPK",
                    descripcion="Tarimas de mercancía",
                    valor_unitario=D("0"),
                    objeto_imp="01",
                ),
                Concepto(
                    clave_prod_serv="15101514",
                    cantidad=D("2"),
                    clave_unidad="XBA",
                    descripcion="Tambores de gasolina",
                    valor_unitario=D("0"),
                    objeto_imp="01",
                ),
            ],
            complemento=Complemento(
                carta_porte=cp.CartaPorte(
                    transp_internac="No",
                    ubicaciones=[
                        _ubicacion(
                            "Origen",
                            "OR000001",
                            "EKU9003173C9",
                            datetime(2026, 11, 20, 12, 0, 0),
                            "06000",
                            "CMX",
                            nombre_remitente_destinatario="ESCUELA KEMPER URGATE",
                            municipio="015",
                        ),
                        _ubicacion(
                            "Destino",
                            "DE000001",
                            "EKU9003173C9",
                            datetime(2026, 11, 21, 8, 30, 0),
                            "64000",
                            "NLE",
                            distancia_recorrida=D("912.5"),
                            municipio="039",
                        ),
                    ],
                    mercancias=cp.Mercancias(
                        mercancias=[
                            cp.Mercancia(
                                bienes_transp="24112700",
                                descripcion="Tarimas de mercancía",
                                cantidad=D("20"),
                                clave_unidad="XPK",
                                peso_en_kg=D("4500.250"),
                                cantidad_transporta=[
                                    cp.CantidadTransporta(
                                        cantidad=D("20"),
                                        id_origen="OR000001",
                                        id_destino="DE000001",
                                    )
                                ],
                            ),
                            cp.Mercancia(
                                bienes_transp="15101514",
                                descripcion="Gasolina en tambores",
                                cantidad=D("2"),
                                clave_unidad="XBA",
                                material_peligroso="Sí",
                                cve_material_peligroso="1203",
                                embalaje="1A1",
                                peso_en_kg=D("320"),
                            ),
                        ],
                        autotransporte=_autotransporte(remolque=True, peligroso=True),
                    ),
                    figura_transporte=[_operador()],
                )
            ),
        )
    )


def international_freight() -> Comprobante:
    """An income CFDI for road freight importing goods from Laredo, TX to Monterrey."""
    return amounts.compute(
        Comprobante(
            serie="FL",
            folio="33",
            fecha=FECHA,
            forma_pago="03",
            moneda="MXN",
            tipo_de_comprobante="I",
            exportacion="01",
            metodo_pago="PUE",
            lugar_expedicion="06000",
            emisor=ISSUER,
            receptor=Receptor(
                "CACX7605101P8",
                "XOCHILT CASAS CHAVEZ",
                "36257",
                regimen_fiscal="612",
                uso_cfdi="G03",
            ),
            conceptos=[
                Concepto(
                    clave_prod_serv="78101802",
                    cantidad=D("1"),
                    clave_unidad="E48",
                    descripcion="Flete internacional Laredo - Monterrey",
                    valor_unitario=D("18500.00"),
                    objeto_imp="02",
                    impuestos=ConceptoImpuestos(
                        traslados=[
                            Traslado(impuesto="002", tipo_factor="Tasa", tasa_o_cuota=D("0.160000"))
                        ]
                    ),
                )
            ],
            complemento=Complemento(
                carta_porte=cp.CartaPorte(
                    transp_internac="Sí",
                    entrada_salida_merc="Entrada",
                    pais_origen_destino="USA",
                    via_entrada_salida="01",
                    regimenes_aduaneros=[cp.RegimenAduaneroCCP("IMD")],
                    ubicaciones=[
                        _ubicacion(
                            "Origen",
                            "OR000010",
                            "XEXX010101000",
                            datetime(2026, 11, 20, 9, 0, 0),
                            "78045",
                            "TX",
                            pais="USA",
                            calle="Industrial Blvd",
                            municipio="Laredo",
                            num_reg_id_trib="123456789",
                            residencia_fiscal="USA",
                        ),
                        _ubicacion(
                            "Destino",
                            "DE000020",
                            "CACX7605101P8",
                            datetime(2026, 11, 20, 15, 45, 0),
                            "64000",
                            "NLE",
                            distancia_recorrida=D("230"),
                        ),
                    ],
                    mercancias=cp.Mercancias(
                        mercancias=[
                            cp.Mercancia(
                                bienes_transp="43211500",
                                descripcion="Computadoras",
                                cantidad=D("150"),
                                clave_unidad="H87",
                                peso_en_kg=D("1250.5"),
                                fraccion_arancelaria="84713001",
                                documentacion_aduanera=[
                                    cp.DocumentacionAduanera(
                                        tipo_documento="01",
                                        num_pedimento="26  24  3807  6000123",
                                        rfc_impo="CACX7605101P8",
                                    )
                                ],
                            )
                        ],
                        autotransporte=_autotransporte(remolque=False),
                    ),
                    figura_transporte=[_operador()],
                )
            ),
        )
    )


def export_transfer() -> Comprobante:
    """A transfer CFDI (T) with Comercio Exterior: the same goods sent to the issuer's own
    branch in Laredo (MotivoTraslado 02, relocation of its own goods). The concepts carry
    the goods' value (it makes ValorDolares) while SubTotal and Total are 0 (CFDI40109);
    no FormaPago, MetodoPago, taxes or Incoterm."""
    c = export_invoice()
    c.serie, c.folio = "EXT", "7"
    c.tipo_de_comprobante = "T"
    c.forma_pago = c.metodo_pago = None
    c.receptor.nombre = "KEMPER LAREDO BRANCH LLC"
    for k in c.conceptos:
        k.objeto_imp, k.impuestos, k.importe = "01", None, None
    c.impuestos = c.subtotal = c.total = None
    ce = c.complemento.comercio_exterior
    assert ce is not None
    ce.motivo_traslado, ce.incoterm, ce.total_usd = "02", None, None
    for m in ce.mercancias:
        m.valor_unitario_aduana = m.valor_dolares = None
    return amounts.compute(c)


BUILDERS = {
    "export_invoice_cce20": export_invoice,
    "export_transfer_cce20": export_transfer,
    "national_transfer_cp31": national_transfer,
    "international_freight_cp31": international_freight,
}
