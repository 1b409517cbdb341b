"""A corpus of valid, unsealed CFDI 4.0 documents built from line inputs.

Each document gives only what a user types (quantities, prices, tax codes,
parties); ``cfdi.amounts.compute`` fills every amount. Issuer is SAT's test
taxpayer EKU9003173C9 (its CSD seals them in the oracle tests). The corpus
covers I/E/P, PUE/PPD, MXN/USD/JPY (0 dec.)/BHD (3 dec.), discounts, IVA
16/8/0/exento, IEPS tasa and cuota, ISR/IVA retentions, ObjetoImp 01/02/03,
global invoices, related CFDI, third parties, customs, property tax accounts,
Pagos 2.0 and local taxes.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal as D

from cfdi import amounts
from cfdi.document import (
    ACuentaTerceros,
    CfdiRelacionados,
    Comprobante,
    Concepto,
    ConceptoImpuestos,
    CuentaPredial,
    DoctoRelacionado,
    Emisor,
    ImpuestosLocales,
    InformacionAduanera,
    InformacionGlobal,
    Pago,
    Pagos,
    Receptor,
    Retencion,
    RetencionLocal,
    Traslado,
    TrasladoLocal,
)

FECHA = datetime(2026, 11, 20, 10, 15, 30)
LUGAR = "42501"
EMISOR = ("EKU9003173C9", "ESCUELA KEMPER URGATE", "601")
XIA = ("XIA190128J61", "XENON INDUSTRIAL ARTICLES", "76343", "601")
CACX = ("CACX7605101P8", "XOCHILT CASAS CHAVEZ", "36257", "612")
UUIDS = [f"5FB2822E-396D-4725-8521-CDC4BDD2010{i}" for i in range(10)]

# tax code -> (traslado?, impuesto, tipo factor, tasa o cuota)
TAXES = {
    "iva16": (True, "002", "Tasa", "0.160000"),
    "iva8": (True, "002", "Tasa", "0.080000"),
    "iva0": (True, "002", "Tasa", "0.000000"),
    "iva_exento": (True, "002", "Exento", None),
    "ieps26.5": (True, "003", "Tasa", "0.265000"),
    "ieps8": (True, "003", "Tasa", "0.080000"),
    "ieps_cuota": (True, "003", "Cuota", "0.354800"),
    "ret_isr10": (False, "001", "Tasa", "0.100000"),
    "ret_isr1.25": (False, "001", "Tasa", "0.012500"),
    "ret_iva2/3": (False, "002", "Tasa", "0.106667"),
    "ret_iva4": (False, "002", "Tasa", "0.040000"),
    "ret_ieps26.5": (False, "003", "Tasa", "0.265000"),
}


def line(
    qty: str,
    price: str,
    *taxes: str,
    discount: str | None = None,
    clave: str = "84111506",
    unidad: str = "E48",
    descripcion: str = "Servicio profesional",
    objeto: str | None = None,
    **extra,
) -> Concepto:
    traslados, retenciones = [], []
    for code in taxes:
        is_traslado, impuesto, factor, tasa = TAXES[code]
        value = D(tasa) if tasa is not None else None
        if is_traslado:
            traslados.append(Traslado(impuesto=impuesto, tipo_factor=factor, tasa_o_cuota=value))
        else:
            retenciones.append(Retencion(impuesto=impuesto, tipo_factor=factor, tasa_o_cuota=value))
    if objeto is None:
        objeto = "02" if taxes else "01"
    return Concepto(
        clave_prod_serv=clave,
        cantidad=D(qty),
        clave_unidad=unidad,
        descripcion=descripcion,
        valor_unitario=D(price),
        descuento=D(discount) if discount else None,
        objeto_imp=objeto,
        impuestos=ConceptoImpuestos(traslados, retenciones) if taxes else None,
        **extra,
    )


def receptor(party: tuple = XIA, uso: str = "G03") -> Receptor:
    rfc, nombre, cp, regimen = party
    return Receptor(
        rfc=rfc, nombre=nombre, domicilio_fiscal=cp, regimen_fiscal=regimen, uso_cfdi=uso
    )


def invoice(
    lines: list[Concepto],
    *,
    tipo: str = "I",
    moneda: str = "MXN",
    tipo_cambio: str | None = None,
    metodo: str = "PUE",
    forma: str = "03",
    party: tuple = XIA,
    uso: str = "G03",
    folio: str = "1",
    **extra,
) -> Comprobante:
    c = Comprobante(
        serie="A" if tipo == "I" else "NC",
        folio=folio,
        fecha=FECHA,
        forma_pago="99" if metodo == "PPD" else forma,
        moneda=moneda,
        tipo_cambio=D(tipo_cambio) if tipo_cambio else None,
        tipo_de_comprobante=tipo,
        exportacion="01",
        metodo_pago=metodo,
        lugar_expedicion=LUGAR,
        emisor=Emisor(*EMISOR),
        receptor=receptor(party, uso),
        conceptos=lines,
        **extra,
    )
    return amounts.compute(c)


def publico_en_general(
    lines: list[Concepto], periodicidad: str = "04", meses: str = "11"
) -> Comprobante:
    c = Comprobante(
        serie="G",
        folio="77",
        fecha=FECHA,
        forma_pago="01",
        moneda="MXN",
        tipo_de_comprobante="I",
        exportacion="01",
        metodo_pago="PUE",
        lugar_expedicion=LUGAR,
        informacion_global=InformacionGlobal(
            periodicidad=periodicidad, meses=meses, anio=FECHA.year
        ),
        emisor=Emisor(*EMISOR),
        receptor=Receptor(
            rfc="XAXX010101000",
            nombre="PUBLICO EN GENERAL",
            domicilio_fiscal=LUGAR,
            regimen_fiscal="616",
            uso_cfdi="S01",
        ),
        conceptos=lines,
    )
    return amounts.compute(c)


def ticket(number: int, amount: str, *taxes: str) -> Concepto:
    return line(
        "1",
        amount,
        *taxes,
        clave="01010101",
        unidad="ACT",
        descripcion="Venta",
        no_identificacion=f"T-{number:05d}",
    )


def payment(
    doctos: list[tuple[Comprobante, str, str, int]],
    *,
    moneda: str = "MXN",
    tipo_cambio: str | None = None,
    equivalencia: str | None = None,
    forma: str = "03",
    party: tuple = XIA,
    extra_pagos: list[Pago] | None = None,
) -> Comprobante:
    """A P document paying ``(invoice, saldo anterior, pagado, parcialidad)`` tuples in one Pago."""
    related = []
    for index, (doc, saldo, pagado, parcialidad) in enumerate(doctos):
        eq = D(equivalencia) if equivalencia and doc.moneda != moneda else D("1")
        imp_dr = amounts.docto_impuestos(doc, D(pagado))
        related.append(
            DoctoRelacionado(
                id_documento=UUIDS[index],
                serie=doc.serie,
                folio=doc.folio,
                moneda=doc.moneda,
                equivalencia=eq,
                num_parcialidad=parcialidad,
                imp_saldo_ant=D(saldo),
                imp_pagado=D(pagado),
                imp_saldo_insoluto=D("0"),
                objeto_imp="02" if imp_dr else "01",
                impuestos=imp_dr,
            )
        )
    pago = Pago(
        fecha_pago=datetime(2026, 11, 19, 12, 0, 0),
        forma_de_pago=forma,
        moneda=moneda,
        tipo_cambio=D(tipo_cambio) if tipo_cambio else D("1"),
        num_operacion="SPEI-0001",
        doctos=related,
    )
    c = Comprobante(
        serie="P",
        folio="9",
        fecha=FECHA,
        moneda="XXX",
        tipo_de_comprobante="P",
        exportacion="01",
        lugar_expedicion=LUGAR,
        emisor=Emisor(*EMISOR),
        receptor=receptor(party, "CP01"),
        conceptos=[
            Concepto(
                clave_prod_serv="84111506",
                cantidad=D("1"),
                clave_unidad="ACT",
                descripcion="Pago",
                valor_unitario=D("0"),
                objeto_imp="01",
            )
        ],
    )
    c.complemento.pagos = Pagos(pagos=[pago, *(extra_pagos or [])])
    return amounts.compute(c)


def _implocal(
    traslados: list[tuple[str, str, str]], retenciones: list[tuple[str, str, str]]
) -> ImpuestosLocales:
    return ImpuestosLocales(
        traslados=[TrasladoLocal(n, D(t), D(i)) for n, t, i in traslados],
        retenciones=[RetencionLocal(n, D(t), D(i)) for n, t, i in retenciones],
    )


def documents() -> list[tuple[str, Comprobante]]:
    docs: list[tuple[str, Comprobante]] = []

    def add(name: str, c: Comprobante) -> Comprobante:
        docs.append((name, c))
        return c

    inv_simple = add("I_PUE_MXN_iva16", invoice([line("1", "1000.00", "iva16")]))
    add(
        "I_PUE_iva16_two_lines",
        invoice([line("2", "150.50", "iva16"), line("3", "99.99", "iva16")]),
    )
    add(
        "I_half_up_rounding",
        invoice(
            [line("1", "0.125", "iva16"), line("3", "0.335", "iva16"), line("1", "10.005", "iva16")]
        ),
    )
    add(
        "I_quantity_6_decimals",
        invoice([line("1.234567", "987.654321", "iva16"), line("0.000001", "10000.00", "iva16")]),
    )
    add("I_discount", invoice([line("4", "250.00", "iva16", discount="100.00")]))
    add(
        "I_discount_mixed_lines",
        invoice([line("1", "500.00", "iva16", discount="50.00"), line("2", "80.00", "iva16")]),
    )
    add("I_iva8_frontera", invoice([line("5", "120.00", "iva8")]))
    add(
        "I_iva0_food",
        invoice([line("10", "35.50", "iva0", clave="50131700", unidad="H87", descripcion="Leche")]),
    )
    add(
        "I_iva_exento",
        invoice(
            [
                line(
                    "1",
                    "8500.00",
                    "iva_exento",
                    clave="80131500",
                    descripcion="Renta casa habitación",
                )
            ]
        ),
    )
    add(
        "I_exento_and_iva16",
        invoice(
            [
                line(
                    "1",
                    "8500.00",
                    "iva_exento",
                    clave="80131500",
                    descripcion="Renta casa habitación",
                ),
                line("1", "1200.00", "iva16"),
            ]
        ),
    )
    add(
        "I_iva16_8_0_exento",
        invoice(
            [
                line("1", "100.00", "iva16"),
                line("1", "100.00", "iva8"),
                line("1", "100.00", "iva0"),
                line("1", "100.00", "iva_exento"),
            ]
        ),
    )
    add(
        "I_ieps_tasa_26_5",
        invoice(
            [
                line(
                    "12",
                    "45.00",
                    "ieps26.5",
                    "iva16",
                    clave="50202306",
                    unidad="H87",
                    descripcion="Refresco",
                )
            ]
        ),
    )
    add(
        "I_ieps_tasa_8_snacks",
        invoice(
            [
                line(
                    "30",
                    "18.40",
                    "ieps8",
                    "iva16",
                    clave="50192100",
                    unidad="H87",
                    descripcion="Botana",
                )
            ]
        ),
    )
    add(
        "I_ieps_cuota",
        invoice(
            [
                line(
                    "20",
                    "65.00",
                    "ieps_cuota",
                    "iva16",
                    clave="50211503",
                    unidad="H87",
                    descripcion="Cigarros",
                )
            ]
        ),
    )
    add(
        "I_ret_isr_iva_honorarios",
        invoice([line("1", "10000.00", "iva16", "ret_isr10", "ret_iva2/3")], party=XIA),
    )
    add(
        "I_ret_iva4_flete",
        invoice([line("1", "3500.00", "iva16", "ret_iva4", clave="78101800", descripcion="Flete")]),
    )
    add("I_ret_isr_resico", invoice([line("1", "2000.00", "iva16", "ret_isr1.25")]))
    add(
        "I_ret_ieps",
        invoice(
            [
                line(
                    "10",
                    "40.00",
                    "ieps26.5",
                    "ret_ieps26.5",
                    "iva16",
                    clave="50202306",
                    unidad="H87",
                    descripcion="Refresco",
                )
            ]
        ),
    )
    add("I_objetoimp_01", invoice([line("1", "500.00")]))
    add("I_objetoimp_03", invoice([line("1", "500.00", objeto="03")]))
    add(
        "I_objetoimp_01_02_03_mixed",
        invoice(
            [line("1", "100.00"), line("1", "100.00", "iva16"), line("1", "100.00", objeto="03")]
        ),
    )
    add("I_fisica_receiver", invoice([line("1", "1500.00", "iva16")], party=CACX))
    add(
        "I_fisica_receiver_D01",
        invoice(
            [line("1", "1500.00", "iva_exento", clave="85121600", descripcion="Consulta médica")],
            party=CACX,
            uso="D01",
        ),
    )
    inv_ppd = add("I_PPD_MXN", invoice([line("1", "12000.00", "iva16")], metodo="PPD", folio="2"))
    inv_ppd2 = add(
        "I_PPD_MXN_second", invoice([line("1", "10000.00", "iva16")], metodo="PPD", folio="3")
    )
    inv_ppd_ret = add(
        "I_PPD_retenciones",
        invoice(
            [line("1", "20000.00", "iva16", "ret_isr10", "ret_iva2/3")], metodo="PPD", folio="4"
        ),
    )
    add(
        "I_USD_tipo_cambio",
        invoice([line("3", "199.99", "iva16")], moneda="USD", tipo_cambio="17.2345"),
    )
    add(
        "I_USD_discount_ret",
        invoice(
            [line("2", "1234.56", "iva16", "ret_isr10", discount="34.56")],
            moneda="USD",
            tipo_cambio="18.05",
        ),
    )
    add("I_EUR", invoice([line("1", "999.95", "iva16")], moneda="EUR", tipo_cambio="19.874512"))
    add(
        "I_JPY_zero_decimals",
        invoice(
            [line("3", "1250", "iva16"), line("1", "333", "iva16")],
            moneda="JPY",
            tipo_cambio="0.115",
        ),
    )
    add(
        "I_BHD_three_decimals",
        invoice(
            [line("2", "12.345", "iva16"), line("1", "0.505", "iva16")],
            moneda="BHD",
            tipo_cambio="45.123",
        ),
    )
    add(
        "I_publico_en_general",
        publico_en_general(
            [ticket(1, "116.00", "iva16"), ticket(2, "58.50", "iva16"), ticket(3, "20.00", "iva0")]
        ),
    )
    add(
        "I_publico_en_general_diario",
        publico_en_general([ticket(4, "300.00", "iva16")], periodicidad="01", meses="11"),
    )
    add(
        "I_special_characters",
        invoice(
            [
                line(
                    "1",
                    "10.00",
                    "iva16",
                    descripcion="Tornillo 3/8\" & tuerca <acero> l'Ñandú — pingüino, acción, «niño»",
                    no_identificacion="SKU-<1>&'2'",
                    unidad="H87",
                    clave="31161500",
                )
            ],
            condiciones_de_pago="Contado & crédito 'ñ'",
        ),
    )
    add(
        "I_foreign_receiver",
        amounts.compute(
            Comprobante(
                serie="X",
                folio="5",
                fecha=FECHA,
                forma_pago="03",
                moneda="USD",
                tipo_cambio=D("17.50"),
                tipo_de_comprobante="I",
                exportacion="01",
                metodo_pago="PUE",
                lugar_expedicion=LUGAR,
                emisor=Emisor(*EMISOR),
                receptor=Receptor(
                    rfc="XEXX010101000",
                    nombre='MÜLLER & SÖHNE <GMBH> "QUOTE"',
                    domicilio_fiscal=LUGAR,
                    residencia_fiscal="USA",
                    num_reg_id_trib="123456789",
                    regimen_fiscal="616",
                    uso_cfdi="S01",
                ),
                conceptos=[line("1", "5000.00", "iva0")],
            )
        ),
    )
    add(
        "I_a_cuenta_terceros",
        invoice(
            [
                line(
                    "1",
                    "2500.00",
                    "iva16",
                    a_cuenta_terceros=ACuentaTerceros(
                        rfc="CACX7605101P8",
                        nombre="XOCHILT CASAS CHAVEZ",
                        regimen_fiscal="612",
                        domicilio_fiscal="36257",
                    ),
                )
            ]
        ),
    )
    add(
        "I_informacion_aduanera",
        invoice(
            [
                line(
                    "5",
                    "830.00",
                    "iva16",
                    clave="43211507",
                    unidad="H87",
                    descripcion="Computadora importada",
                    informacion_aduanera=[
                        InformacionAduanera("23  47  3807  3001234"),
                        InformacionAduanera("23  47  3807  3001235"),
                    ],
                )
            ]
        ),
    )
    add(
        "I_cuenta_predial",
        invoice(
            [
                line(
                    "1",
                    "15000.00",
                    "iva16",
                    clave="80131500",
                    descripcion="Renta local",
                    cuenta_predial=[CuentaPredial("0101001001001")],
                )
            ]
        ),
    )
    add(
        "I_implocal_ish",
        invoice(
            [line("2", "1800.00", "iva16", clave="90111800", descripcion="Hospedaje")],
            complemento=_complemento_implocal([("ISH", "3.00", "108.00")], []),
        ),
    )
    add(
        "I_implocal_retencion",
        invoice(
            [line("1", "50000.00", "iva16", clave="72141000", descripcion="Obra pública")],
            complemento=_complemento_implocal([], [("5 AL MILLAR", "0.50", "250.00")]),
        ),
    )
    add(
        "I_substitution_04",
        invoice(
            [line("1", "1000.00", "iva16")],
            cfdi_relacionados=[CfdiRelacionados(tipo_relacion="04", uuids=[UUIDS[5]])],
        ),
    )
    add(
        "I_anticipo_07",
        invoice(
            [line("1", "800.00", "iva16")],
            cfdi_relacionados=[CfdiRelacionados(tipo_relacion="07", uuids=[UUIDS[6], UUIDS[7]])],
        ),
    )
    add(
        "I_100_lines",
        invoice(
            [
                line(
                    str(n % 7 + 1),
                    f"{n * 3 + 0.25:.2f}",
                    "iva16" if n % 3 else "iva0",
                    discount="0.25" if n % 10 == 0 else None,
                    descripcion=f"Artículo número {n}",
                )
                for n in range(1, 101)
            ]
        ),
    )
    add(
        "E_credit_note_01",
        invoice(
            [line("1", "100.00", "iva16", clave="84111506", descripcion="Bonificación")],
            tipo="E",
            uso="G02",
            forma="15",
            cfdi_relacionados=[CfdiRelacionados(tipo_relacion="01", uuids=[UUIDS[1]])],
        ),
    )
    add(
        "E_devolucion_03_several",
        invoice(
            [
                line(
                    "2",
                    "45.00",
                    "ieps26.5",
                    "iva16",
                    clave="50202306",
                    unidad="H87",
                    descripcion="Refresco devuelto",
                )
            ],
            tipo="E",
            uso="G02",
            forma="03",
            cfdi_relacionados=[
                CfdiRelacionados(tipo_relacion="03", uuids=[UUIDS[2], UUIDS[3], UUIDS[4]])
            ],
        ),
    )
    add(
        "E_credit_note_USD",
        invoice(
            [line("1", "50.00", "iva16")],
            tipo="E",
            uso="G02",
            moneda="USD",
            tipo_cambio="17.9",
            cfdi_relacionados=[CfdiRelacionados(tipo_relacion="01", uuids=[UUIDS[8]])],
        ),
    )
    add(
        "E_credit_note_fisica",
        invoice(
            [line("1", "200.00", "iva16", "ret_isr10")],
            tipo="E",
            uso="G02",
            party=CACX,
            cfdi_relacionados=[CfdiRelacionados(tipo_relacion="01", uuids=[UUIDS[9]])],
        ),
    )

    add("P_one_docto_full", payment([(inv_ppd, "13920.00", "13920.00", 1)]))
    add("P_partial", payment([(inv_ppd2, "11600.00", "3000.00", 1)]))
    add("P_second_partial", payment([(inv_ppd2, "8600.00", "8600.00", 2)]))
    add(
        "P_two_doctos",
        payment([(inv_ppd, "13920.00", "5000.00", 1), (inv_ppd2, "11600.00", "11600.00", 1)]),
    )
    add(
        "P_withholdings", payment([(inv_ppd_ret, inv_ppd_ret.total.to_eng_string(), "10000.00", 1)])
    )
    add(
        "P_USD_pays_MXN_doc",
        payment(
            [(inv_ppd, "13920.00", "1725.00", 1)],
            moneda="USD",
            tipo_cambio="17.25",
            equivalencia="17.25",
        ),
    )
    add("P_no_taxes_docto", payment([(inv_simple_objeto01(), "500.00", "500.00", 1)]))
    add("P_forma_efectivo_fisica", payment([(inv_simple, "1160.00", "1160.00", 1)], forma="01"))
    return docs


def inv_simple_objeto01() -> Comprobante:
    return invoice([line("1", "500.00")], metodo="PPD", folio="8")


def _complemento_implocal(traslados, retenciones):
    from cfdi.document import Complemento

    return Complemento(impuestos_locales=_implocal(traslados, retenciones))
