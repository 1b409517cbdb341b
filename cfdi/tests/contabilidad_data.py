"""A small month of books for the contabilidad electrónica tests, and SAT's schemas."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from decimal import Decimal as D
from pathlib import Path

import satcfdi
from lxml import etree

from cfdi.contabilidad import (
    AccountTotals,
    Cheque,
    CompExt,
    CompNal,
    CompNalOtr,
    Cuenta,
    OtrMetodoPago,
    Periodo,
    Poliza,
    Solicitud,
    Transaccion,
    Transferencia,
    catalogo,
)

CONTE = Path(satcfdi.__file__).parent.joinpath(
    "transform", "schemas", "www.sat.gob.mx", "esquemas", "ContabilidadE", "1_3"
)
XSD = {
    "Catalogo": CONTE / "CatalogoCuentas" / "CatalogoCuentas_1_3.xsd",
    "Balanza": CONTE / "BalanzaComprobacion" / "BalanzaComprobacion_1_3.xsd",
    "Polizas": CONTE / "PolizasPeriodo" / "PolizasPeriodo_1_3.xsd",
    "AuxiliarCtas": CONTE / "AuxiliarCtas" / "AuxiliarCtas_1_3.xsd",
    "RepAuxFol": CONTE / "AuxiliarFolios" / "AuxiliarFolios_1_3.xsd",
}
_PARSER = etree.XMLParser(no_network=True, load_dtd=False, resolve_entities=False, huge_tree=True)

RFC = "EKU9003173C9"
PERIODO = Periodo(RFC, 2025, 1)
AUDIT = Solicitud("AF", num_orden="ABC1234567/25")
UUID_SALE = "6F35D3B5-3651-5370-BC2C-14CDBE384CD7"
UUID_BILL = "1e5a6e1b-9c1b-5319-bfed-123bd143a310"

LEAVES = [
    Cuenta("102.01.01", "BBVA cuenta 0123", "102.01", "D"),
    Cuenta("102.02.01", "Bank of America USD", "102.02", "D"),
    Cuenta("105.01.01", "Clientes nacionales", "105.01", "D"),
    Cuenta("118.01.01", "IVA acreditable pagado", "118.01", "D"),
    Cuenta("171.02.01", "Depreciación acumulada de maquinaria", "171.02", "A"),
    Cuenta("201.01.01", "Proveedores nacionales", "201.01", "A"),
    Cuenta("208.01.01", "IVA trasladado cobrado", "208.01", "A"),
    Cuenta("216.10.10", "IVA retenido", "216.10", "A"),
    Cuenta("301.01.01", "Capital fijo", "301.01", "A"),
    Cuenta("401.01.01", "Ventas tasa general", "401.01", "A"),
    Cuenta("601.84.01", "Otros gastos generales", "601.84", "D"),
    Cuenta("613.02.01", "Depreciación de maquinaria", "613.02", "D"),
    Cuenta("701.01.01", "Pérdida cambiaria", "701.01", "D"),
]
CUENTAS = catalogo(LEAVES)
DESC = {c.num_cta: c.desc for c in LEAVES}


def t(cuenta: str, debe: str, haber: str, concepto: str = "Movimiento", **kw) -> Transaccion:
    return Transaccion(cuenta, DESC[cuenta], concepto, D(debe), D(haber), **kw)


def polizas() -> list[Poliza]:
    """A sale, a foreign-currency bill with IVA withheld, payments, depreciation."""
    sale = CompNal(UUID_SALE, "MCI7306249Y1", D("1160.00"), "MXN")
    bill = CompNal(UUID_BILL, "ICV060329BY0", D("1093.33"), "USD", D("17.25431"))
    return [
        Poliza(
            "INV/2025/00001",
            date(2025, 1, 10),
            "Factura a cliente & <socio>",
            [
                t("105.01.01", "1160.00", "0", "Cliente MCI", comp_nal=[sale]),
                t("401.01.01", "0", "1000.00", "Venta de servicios"),
                t("208.01.01", "0", "160.00", "IVA 16 %"),
            ],
        ),
        Poliza(
            "BILL/2025/00001",
            date(2025, 1, 12),
            "Factura de proveedor en USD",
            [
                t("601.84.01", "1000.00", "0", "Asesoría"),
                t("118.01.01", "160.00", "0", "IVA acreditable"),
                t("216.10.10", "0", "106.67", "IVA retenido"),
                t("201.01.01", "0", "1053.33", "Proveedor ICV", comp_nal=[bill]),
                t(
                    "201.01.01",
                    "0",
                    "0",
                    "Comprobantes previos",
                    comp_nal_otr=[CompNalOtr(512, "ICV060329BY0", D("40.00"), "A", "MXN")],
                    comp_ext=[CompExt("INV-US-77", D("2.32"), "98-7654321", "USD", D("17.25"))],
                ),
            ],
        ),
        Poliza(
            "PBNK1/2025/00001",
            date(2025, 1, 20),
            "Cobro a cliente",
            [
                t(
                    "102.01.01",
                    "1160.00",
                    "0",
                    "Transferencia recibida",
                    transferencia=[
                        Transferencia(
                            "012",
                            "0123456789",
                            "012",
                            date(2025, 1, 20),
                            "ESCUELA KEMPER URGATE",
                            "MCI7306249Y1",
                            D("1160.00"),
                            cta_ori="987654321",
                        )
                    ],
                ),
                t("105.01.01", "0", "1160.00", "Cliente MCI", comp_nal=[sale]),
            ],
        ),
        Poliza(
            "PBNK2/2025/00001",
            date(2025, 1, 25),
            "Pago a proveedor",
            [
                t("201.01.01", "1053.33", "0", "Proveedor ICV", comp_nal=[bill]),
                t("701.01.01", "12.10", "0", "Diferencia cambiaria"),
                t(
                    "102.02.01",
                    "0",
                    "1065.43",
                    "Cheque 501",
                    cheque=[
                        Cheque(
                            "501",
                            "999",
                            "5555",
                            date(2025, 1, 25),
                            "INDUSTRIAS CV",
                            "ICV060329BY0",
                            D("61.75"),
                            ban_emis_ext="Bank of America",
                            moneda="USD",
                            tip_camb=D("17.254312"),
                        )
                    ],
                    otr_metodo_pago=[
                        OtrMetodoPago(
                            "17", date(2025, 1, 25), "INDUSTRIAS CV", "ICV060329BY0", D("0.01")
                        )
                    ],
                ),
            ],
        ),
        Poliza(
            "MISC/2025/00001",
            date(2025, 1, 31),
            "Depreciación de enero",
            [
                t("613.02.01", "250.00", "0", "Depreciación"),
                t("171.02.01", "0", "250.00", "Depreciación acumulada"),
            ],
        ),
    ]


def opening() -> dict[str, D]:
    """Debit minus credit of each account at 2025-01-01 (a balanced opening)."""
    return {
        "102.01.01": D("50000.00"),
        "102.02.01": D("20000.00"),
        "171.02.01": D("-3000.00"),
        "301.01.01": D("-67000.00"),
    }


def account_totals(entries: list[Poliza]) -> list[AccountTotals]:
    """What Odoo's journal items give per account: opening, debits, credits."""
    figures: dict[str, list[D]] = {n: [v, D(0), D(0)] for n, v in opening().items()}
    for p in entries:
        for tr in p.transacciones:
            row = figures.setdefault(tr.num_cta, [D(0), D(0), D(0)])
            row[1] += tr.debe
            row[2] += tr.haber
    return [AccountTotals(n, *v) for n, v in figures.items()]


def many_polizas(count: int, lines: int = 10) -> Iterator[Poliza]:
    """``count`` balanced pólizas of ``lines`` lines, made one at a time."""
    accounts = ["601.84.01", "118.01.01", "102.01.01"]
    for i in range(count):
        amount = D(i % 997 + 1) + D("0.37")
        rows = [t(accounts[j % 2], str(amount), "0", f"Gasto {i}-{j}") for j in range(lines - 1)]
        rows.append(t("102.01.01", "0", str(amount * (lines - 1)), f"Pago {i}"))
        yield Poliza(f"MISC/2025/{i:06d}", date(2025, 1, 1 + i % 28), f"Póliza {i}", rows)


def schema(root: str) -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(XSD[root]), _PARSER))


def parse(data: bytes) -> etree._Element:
    return etree.fromstring(data, _PARSER)


def assert_valid(data: bytes, root: str) -> etree._Element:
    """SAT's XSD is the oracle: the bytes validate against the file's 1.3 schema."""
    doc = parse(data)
    assert etree.QName(doc).localname == root
    xsd = schema(root)
    if not xsd.validate(doc):
        raise AssertionError("not valid against SAT's XSD:\n" + str(xsd.error_log))
    return doc
