"""Streaming XML writers of the five Anexo 24 (1.3) files.

Each ``write_*`` takes the period, the file's data as an iterable and a binary
file object, and writes the XML with lxml's incremental ``etree.xmlfile``: one
póliza (or account) is formatted at a time, so memory does not grow with the
number of journal items. Amounts are written with two decimals (ROUND_HALF_UP),
TipCamb with at most five, texts cut to SAT's maximum length. A value the
schema cannot hold (an empty concept, an unknown TipoEnvio) raises
``ContabilidadError`` naming the record; run ``checks`` first to get every
problem at once, before anything is written.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import IO, Any, Optional

from lxml import etree

from .documents import (
    ENVIO_COMPLEMENTARIO,
    ENVIO_NORMAL,
    VERSION,
    Cheque,
    CompExt,
    CompNal,
    CompNalOtr,
    ContabilidadError,
    Cuenta,
    CuentaAuxiliar,
    DetAuxFol,
    OtrMetodoPago,
    Periodo,
    Poliza,
    SaldoCuenta,
    Solicitud,
    Transaccion,
    Transferencia,
)

BASE = "http://www.sat.gob.mx/esquemas/ContabilidadE/1_3"
NS_XSI = "http://www.w3.org/2001/XMLSchema-instance"
NS_CATALOGO = f"{BASE}/CatalogoCuentas"
NS_BALANZA = f"{BASE}/BalanzaComprobacion"
NS_POLIZAS = f"{BASE}/PolizasPeriodo"
NS_AUXILIAR_CTAS = f"{BASE}/AuxiliarCtas"
NS_AUXILIAR_FOLIOS = f"{BASE}/AuxiliarFolios"
SCHEMA_FILES = {
    NS_CATALOGO: "CatalogoCuentas/CatalogoCuentas_1_3.xsd",
    NS_BALANZA: "BalanzaComprobacion/BalanzaComprobacion_1_3.xsd",
    NS_POLIZAS: "PolizasPeriodo/PolizasPeriodo_1_3.xsd",
    NS_AUXILIAR_CTAS: "AuxiliarCtas/AuxiliarCtas_1_3.xsd",
    NS_AUXILIAR_FOLIOS: "AuxiliarFolios/AuxiliarFolios_1_3.xsd",
}
DECLARATION = b'<?xml version="1.0" encoding="UTF-8"?>\n'
CENT = Decimal("0.01")
RATE = Decimal("0.00001")
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_SPACES = re.compile(r"\s+")

Attrs = Mapping[str, Optional[str]]


def money(value: Decimal) -> str:
    """Two decimals, half up; never ``-0.00``."""
    amount = Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)
    return f"{amount if amount else abs(amount):f}"


def _rate(value: Optional[Decimal]) -> Optional[str]:
    if value is None:
        return None
    rate = Decimal(value)
    if -rate.as_tuple().exponent > 5:  # type: ignore[operator]
        rate = rate.quantize(RATE, rounding=ROUND_HALF_UP)
    return f"{rate:f}"


def text(value: Optional[str], limit: int, where: str) -> str:
    """SAT's text: no control characters, single spaces, at most ``limit`` long."""
    clean = _SPACES.sub(" ", _NOT_XML.sub("", value or "")).strip()[:limit].strip()
    if not clean:
        raise ContabilidadError(
            f"{where} está vacío; el SAT lo exige. Escriba un texto en el registro de origen.",
            f"{where} is empty; SAT requires it. Fill it in on the source record.",
            code="EINV-CE-TEXTO",
        )
    return clean


def _optional(value: Optional[str], limit: int) -> Optional[str]:
    clean = _SPACES.sub(" ", _NOT_XML.sub("", value or "")).strip()[:limit].strip()
    return clean or None


def rfc(value: str) -> str:
    """RFCs as SAT writes them: upper case, no spaces (Odoo's VAT may have either)."""
    return "".join((value or "").split()).upper()


def _iso(value: date) -> str:
    return value.isoformat()[:10]


class _File:
    """One XML document being written: elements in the root's namespace."""

    def __init__(self, xf: Any, ns: str):
        self.xf = xf
        self.ns = ns

    def element(self, tag: str, attrs: Attrs) -> Any:
        return self.xf.element(f"{{{self.ns}}}{tag}", _clean(attrs))

    def leaf(self, tag: str, attrs: Attrs) -> None:
        with self.element(tag, attrs):
            pass


@contextmanager
def _document(out: IO[bytes], ns: str, prefix: str, root: str, attrs: Attrs) -> Iterator[_File]:
    location = f"{ns} {BASE}/{SCHEMA_FILES[ns]}"
    out.write(DECLARATION)
    with etree.xmlfile(out, encoding="UTF-8") as xf:
        document = _File(xf, ns)
        nsmap = {prefix: ns, "xsi": NS_XSI}
        with xf.element(
            f"{{{ns}}}{root}",
            {f"{{{NS_XSI}}}schemaLocation": location, **_clean(attrs)},
            nsmap=nsmap,
        ):
            yield document


def _clean(attrs: Attrs) -> dict[str, str]:
    return {k: v for k, v in attrs.items() if v is not None}


def _periodo(periodo: Periodo) -> Attrs:
    return {
        "Version": VERSION,
        "RFC": rfc(periodo.rfc),
        "Mes": periodo.mes_text,
        "Anio": str(periodo.anio),
    }


def _solicitud(periodo: Periodo, solicitud: Solicitud) -> Attrs:
    return {
        **_periodo(periodo),
        "TipoSolicitud": solicitud.tipo_solicitud,
        "NumOrden": solicitud.num_orden or None,
        "NumTramite": solicitud.num_tramite or None,
    }


# --- Catálogo de cuentas -----------------------------------------------------


def write_catalogo(periodo: Periodo, cuentas: Iterable[Cuenta], out: IO[bytes]) -> None:
    with _document(out, NS_CATALOGO, "catalogocuentas", "Catalogo", _periodo(periodo)) as doc:
        for c in cuentas:
            where = f"Cuenta {c.num_cta}"
            doc.leaf(
                "Ctas",
                {
                    "CodAgrup": c.cod_agrup,
                    "NumCta": text(c.num_cta, 100, f"{where}: NumCta"),
                    "Desc": text(c.desc, 400, f"{where}: Desc"),
                    "SubCtaDe": c.sub_cta_de or None,
                    "Nivel": str(c.nivel),
                    "Natur": c.natur,
                },
            )


# --- Balanza de comprobación -------------------------------------------------


def write_balanza(
    periodo: Periodo,
    cuentas: Iterable[SaldoCuenta],
    out: IO[bytes],
    *,
    tipo_envio: str = ENVIO_NORMAL,
    fecha_mod_bal: Optional[date] = None,
) -> None:
    """Balanza normal ("N") or complementaria ("C", with the date of the last
    change to the books, FechaModBal)."""
    if tipo_envio not in (ENVIO_NORMAL, ENVIO_COMPLEMENTARIO):
        raise ContabilidadError(
            f"TipoEnvio «{tipo_envio}» no existe; use N (normal) o C (complementaria).",
            f"TipoEnvio «{tipo_envio}» does not exist; use N (normal) or C (complementary).",
            code="EINV-CE-ENVIO",
        )
    attrs = {
        **_periodo(periodo),
        "TipoEnvio": tipo_envio,
        "FechaModBal": _iso(fecha_mod_bal) if fecha_mod_bal else None,
    }
    with _document(out, NS_BALANZA, "BCE", "Balanza", attrs) as doc:
        for c in cuentas:
            doc.leaf(
                "Ctas",
                {
                    "NumCta": text(c.num_cta, 100, "Balanza: NumCta"),
                    "SaldoIni": money(c.saldo_ini),
                    "Debe": money(c.debe),
                    "Haber": money(c.haber),
                    "SaldoFin": money(c.saldo_fin),
                },
            )


# --- Comprobantes and payments -----------------------------------------------


def _comp_nal(c: CompNal, folios: bool) -> Attrs:
    return {
        "UUID_CFDI": c.uuid_cfdi.upper(),
        "RFC": rfc(c.rfc),
        "MontoTotal": money(c.monto_total),
        "MetPagoAux": c.met_pago_aux if folios else None,
        "Moneda": c.moneda,
        "TipCamb": _rate(c.tip_camb),
    }


def _comp_nal_otr(c: CompNalOtr, folios: bool) -> Attrs:
    return {
        "CFD_CBB_Serie": c.cfd_cbb_serie or None,
        "CFD_CBB_NumFol": str(c.cfd_cbb_num_fol),
        "RFC": rfc(c.rfc),
        "MontoTotal": money(c.monto_total),
        "MetPagoAux": c.met_pago_aux if folios else None,
        "Moneda": c.moneda,
        "TipCamb": _rate(c.tip_camb),
    }


def _comp_ext(c: CompExt, folios: bool) -> Attrs:
    return {
        "NumFactExt": text(c.num_fact_ext, 36, "CompExt: NumFactExt"),
        "TaxID": _optional(c.tax_id, 30),
        "MontoTotal": money(c.monto_total),
        "MetPagoAux": c.met_pago_aux if folios else None,
        "Moneda": c.moneda,
        "TipCamb": _rate(c.tip_camb),
    }


def _cheque(c: Cheque) -> Attrs:
    return {
        "Num": text(c.num, 20, "Cheque: Num"),
        "BanEmisNal": c.ban_emis_nal,
        "BanEmisExt": _optional(c.ban_emis_ext, 150),
        "CtaOri": text(c.cta_ori, 50, "Cheque: CtaOri"),
        "Fecha": _iso(c.fecha),
        "Benef": text(c.benef, 300, "Cheque: Benef"),
        "RFC": rfc(c.rfc),
        "Monto": money(c.monto),
        "Moneda": c.moneda,
        "TipCamb": _rate(c.tip_camb),
    }


def _transferencia(t: Transferencia) -> Attrs:
    return {
        "CtaOri": _optional(t.cta_ori, 50),
        "BancoOriNal": t.banco_ori_nal,
        "BancoOriExt": _optional(t.banco_ori_ext, 150),
        "CtaDest": text(t.cta_dest, 50, "Transferencia: CtaDest"),
        "BancoDestNal": t.banco_dest_nal,
        "BancoDestExt": _optional(t.banco_dest_ext, 150),
        "Fecha": _iso(t.fecha),
        "Benef": text(t.benef, 300, "Transferencia: Benef"),
        "RFC": rfc(t.rfc),
        "Monto": money(t.monto),
        "Moneda": t.moneda,
        "TipCamb": _rate(t.tip_camb),
    }


def _otr_metodo_pago(o: OtrMetodoPago) -> Attrs:
    return {
        "MetPagoPol": o.met_pago_pol,
        "Fecha": _iso(o.fecha),
        "Benef": text(o.benef, 300, "OtrMetodoPago: Benef"),
        "RFC": rfc(o.rfc),
        "Monto": money(o.monto),
        "Moneda": o.moneda,
        "TipCamb": _rate(o.tip_camb),
    }


# --- Pólizas del periodo -----------------------------------------------------


def _transaccion(doc: _File, t: Transaccion, where: str) -> None:
    attrs = {
        "NumCta": text(t.num_cta, 100, f"{where}: NumCta"),
        "DesCta": text(t.des_cta, 100, f"{where}: DesCta"),
        "Concepto": text(t.concepto, 200, f"{where}: Concepto"),
        "Debe": money(t.debe),
        "Haber": money(t.haber),
    }
    with doc.element("Transaccion", attrs):
        for c in t.comp_nal:
            doc.leaf("CompNal", _comp_nal(c, folios=False))
        for o in t.comp_nal_otr:
            doc.leaf("CompNalOtr", _comp_nal_otr(o, folios=False))
        for e in t.comp_ext:
            doc.leaf("CompExt", _comp_ext(e, folios=False))
        for ch in t.cheque:
            doc.leaf("Cheque", _cheque(ch))
        for tr in t.transferencia:
            doc.leaf("Transferencia", _transferencia(tr))
        for m in t.otr_metodo_pago:
            doc.leaf("OtrMetodoPago", _otr_metodo_pago(m))


def write_polizas(
    periodo: Periodo, solicitud: Solicitud, polizas: Iterable[Poliza], out: IO[bytes]
) -> None:
    attrs = _solicitud(periodo, solicitud)
    with _document(out, NS_POLIZAS, "PLZ", "Polizas", attrs) as doc:
        for p in polizas:
            where = f"Póliza {p.num_un_iden_pol}"
            poliza_attrs = {
                "NumUnIdenPol": text(p.num_un_iden_pol, 50, f"{where}: NumUnIdenPol"),
                "Fecha": _iso(p.fecha),
                "Concepto": text(p.concepto, 300, f"{where}: Concepto"),
            }
            with doc.element("Poliza", poliza_attrs):
                for i, t in enumerate(p.transacciones, 1):
                    _transaccion(doc, t, f"{where}, transacción {i}")


# --- Auxiliar de cuentas -----------------------------------------------------


def write_auxiliar_cuentas(
    periodo: Periodo, solicitud: Solicitud, cuentas: Iterable[CuentaAuxiliar], out: IO[bytes]
) -> None:
    attrs = _solicitud(periodo, solicitud)
    with _document(out, NS_AUXILIAR_CTAS, "AuxiliarCtas", "AuxiliarCtas", attrs) as doc:
        for c in cuentas:
            where = f"Cuenta {c.num_cta}"
            cuenta_attrs = {
                "NumCta": text(c.num_cta, 100, f"{where}: NumCta"),
                "DesCta": text(c.des_cta, 100, f"{where}: DesCta"),
                "SaldoIni": money(c.saldo_ini),
                "SaldoFin": money(c.saldo_fin),
            }
            with doc.element("Cuenta", cuenta_attrs):
                for d in c.detalles:
                    doc.leaf(
                        "DetalleAux",
                        {
                            "Fecha": _iso(d.fecha),
                            "NumUnIdenPol": text(d.num_un_iden_pol, 50, f"{where}: NumUnIdenPol"),
                            "Concepto": text(d.concepto, 200, f"{where}: Concepto"),
                            "Debe": money(d.debe),
                            "Haber": money(d.haber),
                        },
                    )


# --- Auxiliar de folios ------------------------------------------------------


def write_auxiliar_folios(
    periodo: Periodo, solicitud: Solicitud, detalles: Iterable[DetAuxFol], out: IO[bytes]
) -> None:
    attrs = _solicitud(periodo, solicitud)
    with _document(out, NS_AUXILIAR_FOLIOS, "RepAux", "RepAuxFol", attrs) as doc:
        for d in detalles:
            where = f"Póliza {d.num_un_iden_pol}"
            det_attrs = {
                "NumUnIdenPol": text(d.num_un_iden_pol, 50, f"{where}: NumUnIdenPol"),
                "Fecha": _iso(d.fecha),
            }
            with doc.element("DetAuxFol", det_attrs):
                for c in d.compr_nal:
                    doc.leaf("ComprNal", _comp_nal(c, folios=True))
                for o in d.compr_nal_otr:
                    doc.leaf("ComprNalOtr", _comp_nal_otr(o, folios=True))
                for e in d.compr_ext:
                    doc.leaf("ComprExt", _comp_ext(e, folios=True))
