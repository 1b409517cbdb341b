"""Anexo 24 (contabilidad electrónica 1.3) data: one plain dataclass per XML node.

Field names are SAT's attribute names in snake case (``NumUnIdenPol`` ->
``num_un_iden_pol``) so a field reads like SAT's documentation. Money is
``Decimal`` in pesos (the files carry two decimals); ``TipCamb`` up to five.
Validation lives in ``checks``; the writers in ``xml`` only format.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Optional

from ..errors import CfdiError

VERSION = "1.3"


class ContabilidadError(CfdiError):
    code = "EINV-CE"


# TipoSolicitud of pólizas and auxiliares (Anexo 24): the first two need the
# fiscalization act's NumOrden, the last two the procedure's NumTramite.
ACTO_DE_FISCALIZACION = "AF"
FISCALIZACION_COMPULSA = "FC"
DEVOLUCION = "DE"
COMPENSACION = "CO"
NEEDS_NUM_ORDEN = frozenset({ACTO_DE_FISCALIZACION, FISCALIZACION_COMPULSA})
NEEDS_NUM_TRAMITE = frozenset({DEVOLUCION, COMPENSACION})

ENVIO_NORMAL = "N"
ENVIO_COMPLEMENTARIO = "C"
MES_CIERRE = 13  # balanza de cierre del ejercicio (balanza only)


@dataclass(frozen=True)
class Periodo:
    """Who and when: the RFC, Anio and Mes every file carries."""

    rfc: str
    anio: int
    mes: int  # 1-12; 13 = balanza de cierre

    @property
    def mes_text(self) -> str:
        return f"{self.mes:02d}"


@dataclass(frozen=True)
class Solicitud:
    """Why pólizas or auxiliares are sent: TipoSolicitud and its reference."""

    tipo_solicitud: str  # AF, FC, DE, CO
    num_orden: Optional[str] = None  # AAA0000000/00, for AF and FC
    num_tramite: Optional[str] = None  # AA000000000000, for DE and CO


# --- Catálogo de cuentas -----------------------------------------------------


@dataclass(frozen=True)
class Cuenta:
    """Catalogo/Ctas: one account of the company's chart."""

    num_cta: str
    desc: str
    cod_agrup: str
    natur: str  # "D" deudora, "A" acreedora
    nivel: int = 1
    sub_cta_de: Optional[str] = None


# --- Balanza de comprobación -------------------------------------------------


@dataclass(frozen=True)
class SaldoCuenta:
    """Balanza/Ctas. Balances carry the account's nature: a debit balance of a
    "D" account is positive, so is a credit balance of an "A" account."""

    num_cta: str
    saldo_ini: Decimal
    debe: Decimal
    haber: Decimal
    saldo_fin: Decimal


# --- Comprobantes and payments in pólizas and auxiliar de folios -------------


@dataclass(frozen=True)
class CompNal:
    """A CFDI (UUID). ``met_pago_aux`` is written in the auxiliar de folios only."""

    uuid_cfdi: str
    rfc: str
    monto_total: Decimal
    moneda: Optional[str] = None
    tip_camb: Optional[Decimal] = None
    met_pago_aux: Optional[str] = None


@dataclass(frozen=True)
class CompNalOtr:
    """A domestic voucher that is not a CFDI (CFD or CBB, by serie and folio)."""

    cfd_cbb_num_fol: int
    rfc: str
    monto_total: Decimal
    cfd_cbb_serie: Optional[str] = None
    moneda: Optional[str] = None
    tip_camb: Optional[Decimal] = None
    met_pago_aux: Optional[str] = None


@dataclass(frozen=True)
class CompExt:
    """A foreign invoice."""

    num_fact_ext: str
    monto_total: Decimal
    tax_id: Optional[str] = None
    moneda: Optional[str] = None
    tip_camb: Optional[Decimal] = None
    met_pago_aux: Optional[str] = None


@dataclass(frozen=True)
class Cheque:
    num: str
    ban_emis_nal: str  # c_Banco; 999 for a foreign bank, named in ban_emis_ext
    cta_ori: str
    fecha: date
    benef: str
    rfc: str
    monto: Decimal
    ban_emis_ext: Optional[str] = None
    moneda: Optional[str] = None
    tip_camb: Optional[Decimal] = None


@dataclass(frozen=True)
class Transferencia:
    banco_ori_nal: str  # c_Banco
    cta_dest: str
    banco_dest_nal: str  # c_Banco
    fecha: date
    benef: str
    rfc: str
    monto: Decimal
    cta_ori: Optional[str] = None
    banco_ori_ext: Optional[str] = None
    banco_dest_ext: Optional[str] = None
    moneda: Optional[str] = None
    tip_camb: Optional[Decimal] = None


@dataclass(frozen=True)
class OtrMetodoPago:
    met_pago_pol: str  # c_MetPagos
    fecha: date
    benef: str
    rfc: str
    monto: Decimal
    moneda: Optional[str] = None
    tip_camb: Optional[Decimal] = None


# --- Pólizas del periodo -----------------------------------------------------


@dataclass(frozen=True)
class Transaccion:
    """One journal item of a póliza, with the vouchers and payments it records."""

    num_cta: str
    des_cta: str
    concepto: str
    debe: Decimal
    haber: Decimal
    comp_nal: Sequence[CompNal] = ()
    comp_nal_otr: Sequence[CompNalOtr] = ()
    comp_ext: Sequence[CompExt] = ()
    cheque: Sequence[Cheque] = ()
    transferencia: Sequence[Transferencia] = ()
    otr_metodo_pago: Sequence[OtrMetodoPago] = ()


@dataclass(frozen=True)
class Poliza:
    """One journal entry: NumUnIdenPol is its unique number (Odoo's move name)."""

    num_un_iden_pol: str
    fecha: date
    concepto: str
    transacciones: Sequence[Transaccion] = field(default_factory=tuple)


# --- Auxiliar de cuentas -----------------------------------------------------


@dataclass(frozen=True)
class DetalleAux:
    fecha: date
    num_un_iden_pol: str
    concepto: str
    debe: Decimal
    haber: Decimal


@dataclass(frozen=True)
class CuentaAuxiliar:
    """AuxiliarCtas/Cuenta. ``detalles`` may be a generator: it is read once,
    while the file is written, so a year of journal items is never held at once."""

    num_cta: str
    des_cta: str
    saldo_ini: Decimal
    saldo_fin: Decimal
    detalles: Iterable[DetalleAux] = ()


# --- Auxiliar de folios ------------------------------------------------------


@dataclass(frozen=True)
class DetAuxFol:
    """RepAuxFol/DetAuxFol: the vouchers of one póliza."""

    num_un_iden_pol: str
    fecha: date
    compr_nal: Sequence[CompNal] = ()
    compr_nal_otr: Sequence[CompNalOtr] = ()
    compr_ext: Sequence[CompExt] = ()


def folios_de_poliza(poliza: Poliza) -> DetAuxFol:
    """The auxiliar de folios entry of a póliza: its vouchers, each once."""
    nal: dict[CompNal, None] = {}
    otr: dict[CompNalOtr, None] = {}
    ext: dict[CompExt, None] = {}
    for t in poliza.transacciones:
        nal.update(dict.fromkeys(t.comp_nal))
        otr.update(dict.fromkeys(t.comp_nal_otr))
        ext.update(dict.fromkeys(t.comp_ext))
    return DetAuxFol(poliza.num_un_iden_pol, poliza.fecha, list(nal), list(otr), list(ext))
