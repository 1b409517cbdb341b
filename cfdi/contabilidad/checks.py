"""Checks before filing the Anexo 24 files: findings, never exceptions.

Each ``check_*`` returns ``cfdi.rules.Finding`` objects (code, Spanish and
English message naming the record and the fix, path, severity), so the Odoo
layer lists every problem at once before anything is generated. Codes are
``EINV-CE-*``. A finding with severity "warning" (a UUID the company does not
have) is shown but does not block.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Container, Iterable, Sequence
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from ..rules import Finding
from ..sat import RFC_RE, UUID_RE
from . import catalogs
from .agrupador import DEUDORA
from .documents import (
    ENVIO_COMPLEMENTARIO,
    ENVIO_NORMAL,
    MES_CIERRE,
    NEEDS_NUM_ORDEN,
    NEEDS_NUM_TRAMITE,
    Cheque,
    CompExt,
    CompNal,
    CompNalOtr,
    Cuenta,
    CuentaAuxiliar,
    OtrMetodoPago,
    Periodo,
    Poliza,
    SaldoCuenta,
    Solicitud,
    Transaccion,
    Transferencia,
)
from .writers import rfc as normal_rfc

NUM_ORDEN_RE = re.compile(r"^[A-Z]{3}[0-9]{7}/[0-9]{2}$")
NUM_TRAMITE_RE = re.compile(r"^[A-Z]{2}[0-9]{12}$")
TIPOS_SOLICITUD = NEEDS_NUM_ORDEN | NEEDS_NUM_TRAMITE
NATURALEZAS = ("D", "A")
MXN = "MXN"
CENT = Decimal("0.01")
ZERO = Decimal("0")


def _cents(value: Decimal) -> Decimal:
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


class _Findings(list[Finding]):
    def add(self, code: str, path: str, es: str, en: str, severity: str = "error") -> None:
        self.append(Finding(code, es, en, path, severity))


# --- Periodo and solicitud ---------------------------------------------------


def check_periodo(periodo: Periodo, *, balanza: bool = False) -> list[Finding]:
    """RFC shape, year 2015-2099, month 1-12 (13, the closing balanza, for a balanza)."""
    out = _Findings()
    if not RFC_RE.match(normal_rfc(periodo.rfc)):
        out.add(
            "EINV-CE-RFC",
            "RFC",
            f"El RFC de la empresa «{periodo.rfc}» no tiene la forma de un RFC; corríjalo en "
            "la empresa.",
            f"The company's RFC «{periodo.rfc}» is not shaped like an RFC; fix it on the company.",
        )
    last = MES_CIERRE if balanza else 12
    if not (2015 <= periodo.anio <= 2099 and 1 <= periodo.mes <= last):
        out.add(
            "EINV-CE-PERIODO",
            "Mes",
            f"El periodo {periodo.anio}-{periodo.mes_text} no es válido: el año va de 2015 a "
            f"2099 y el mes de 01 a {last:02d}.",
            f"Period {periodo.anio}-{periodo.mes_text} is not valid: the year goes from 2015 to "
            f"2099 and the month from 01 to {last:02d}.",
        )
    return out


def check_solicitud(solicitud: Solicitud) -> list[Finding]:
    """TipoSolicitud AF/FC/DE/CO; AF and FC need NumOrden, DE and CO NumTramite."""
    out = _Findings()
    tipo = solicitud.tipo_solicitud
    if tipo not in TIPOS_SOLICITUD:
        out.add(
            "EINV-CE-SOLICITUD",
            "TipoSolicitud",
            f"El tipo de solicitud «{tipo}» no existe; use AF (acto de fiscalización), FC "
            "(fiscalización compulsa), DE (devolución) o CO (compensación).",
            f"Request type «{tipo}» does not exist; use AF (audit), FC (third-party audit), "
            "DE (refund) or CO (offset).",
        )
    _reference(
        out, "NumOrden", solicitud.num_orden, tipo in NEEDS_NUM_ORDEN, NUM_ORDEN_RE, "ABC1234567/25"
    )
    _reference(
        out,
        "NumTramite",
        solicitud.num_tramite,
        tipo in NEEDS_NUM_TRAMITE,
        NUM_TRAMITE_RE,
        "AB123456789012",
    )
    return out


def _reference(
    out: _Findings,
    field: str,
    value: str | None,
    required: bool,
    shape: re.Pattern[str],
    example: str,
) -> None:
    if not value:
        if required:
            out.add(
                "EINV-CE-SOLICITUD",
                field,
                f"Este tipo de solicitud exige {field}; cópielo del documento del SAT "
                f"(p. ej. {example}).",
                f"This request type requires {field}; copy it from SAT's document "
                f"(e.g. {example}).",
            )
    elif not shape.match(value):
        out.add(
            "EINV-CE-SOLICITUD",
            field,
            f"{field} «{value}» no tiene la forma del SAT ({example}); corríjalo.",
            f"{field} «{value}» is not shaped as SAT's ({example}); fix it.",
        )


# --- Catálogo ----------------------------------------------------------------


def check_catalogo(cuentas: Sequence[Cuenta]) -> list[Finding]:
    """Every account has an Anexo 24 código agrupador, a nature, a known parent
    one level up, a name, and a number used once."""
    out = _Findings()
    by_number: dict[str, Cuenta] = {}
    for c in cuentas:
        if c.num_cta in by_number:
            out.add(
                "EINV-CE-CUENTA",
                f"Ctas[{c.num_cta}]",
                f"La cuenta {c.num_cta} aparece dos veces en el catálogo; deje una.",
                f"Account {c.num_cta} appears twice in the chart; keep one.",
            )
        by_number[c.num_cta] = c
    for c in cuentas:
        _check_cuenta(out, c, by_number)
    return out


def _check_cuenta(out: _Findings, c: Cuenta, by_number: dict[str, Cuenta]) -> None:
    path = f"Ctas[{c.num_cta}]"
    name = f"{c.num_cta} «{c.desc}»"
    if not c.cod_agrup:
        out.add(
            "EINV-CE-AGRUPADOR",
            path,
            f"La cuenta {name} no tiene código agrupador del SAT; asígnelo en la cuenta.",
            f"Account {name} has no SAT código agrupador; set it on the account.",
        )
    elif catalogs.agrupador(c.cod_agrup) is None:
        out.add(
            "EINV-CE-AGRUPADOR",
            path,
            f"La cuenta {name} tiene el código agrupador «{c.cod_agrup}», que no está en el "
            "Anexo 24; elija uno vigente.",
            f"Account {name} has código agrupador «{c.cod_agrup}», which is not in Anexo 24; "
            "choose a current one.",
        )
    if c.natur not in NATURALEZAS:
        out.add(
            "EINV-CE-NATURALEZA",
            path,
            f"La naturaleza de la cuenta {name} es «{c.natur}»; debe ser D (deudora) o A "
            "(acreedora).",
            f"The nature of account {name} is «{c.natur}»; it must be D (debit) or A (credit).",
        )
    if not (c.desc or "").strip():
        out.add(
            "EINV-CE-TEXTO",
            path,
            f"La cuenta {c.num_cta} no tiene nombre; escríbalo en la cuenta.",
            f"Account {c.num_cta} has no name; fill it in on the account.",
        )
    _check_level(out, c, by_number, path, name)


def _check_level(
    out: _Findings, c: Cuenta, by_number: dict[str, Cuenta], path: str, name: str
) -> None:
    if c.sub_cta_de is None:
        if c.nivel != 1:
            out.add(
                "EINV-CE-NIVEL",
                path,
                f"La cuenta {name} no es subcuenta de otra, pero su nivel es {c.nivel}; "
                "debe ser 1.",
                f"Account {name} is not a sub-account, but its level is {c.nivel}; it must be 1.",
            )
        return
    parent = by_number.get(c.sub_cta_de)
    if parent is None:
        out.add(
            "EINV-CE-NIVEL",
            path,
            f"La cuenta {name} es subcuenta de {c.sub_cta_de}, que no está en el catálogo; "
            "agréguela.",
            f"Account {name} is a sub-account of {c.sub_cta_de}, which is not in the chart; add it.",
        )
    elif c.nivel != parent.nivel + 1:
        out.add(
            "EINV-CE-NIVEL",
            path,
            f"La cuenta {name} tiene nivel {c.nivel}, pero su cuenta padre {parent.num_cta} "
            f"tiene nivel {parent.nivel}; debe ser {parent.nivel + 1}.",
            f"Account {name} has level {c.nivel}, but its parent {parent.num_cta} has level "
            f"{parent.nivel}; it must be {parent.nivel + 1}.",
        )


# --- Balanza -----------------------------------------------------------------


def check_balanza(
    cuentas: Sequence[Cuenta],
    saldos: Sequence[SaldoCuenta],
    *,
    tipo_envio: str = ENVIO_NORMAL,
    fecha_mod_bal: date | None = None,
) -> list[Finding]:
    """Each line in the catálogo, SaldoFin from SaldoIni by nature, parents equal
    to the sum of their children, equal debit and credit totals."""
    out = _Findings()
    _check_envio(out, tipo_envio, fecha_mod_bal)
    by_number = {c.num_cta: c for c in cuentas}
    lines = {s.num_cta: s for s in saldos}
    for s in saldos:
        cuenta = by_number.get(s.num_cta)
        if cuenta is None:
            out.add(
                "EINV-CE-CUENTA",
                f"Ctas[{s.num_cta}]",
                f"La cuenta {s.num_cta} está en la balanza pero no en el catálogo de cuentas; "
                "agréguela con su código agrupador.",
                f"Account {s.num_cta} is in the trial balance but not in the chart of accounts; "
                "add it with its código agrupador.",
            )
            continue
        if catalogs.agrupador(cuenta.cod_agrup or "") is None:
            out.add(
                "EINV-CE-AGRUPADOR",
                f"Ctas[{s.num_cta}]",
                f"La cuenta {s.num_cta} de la balanza no tiene un código agrupador del SAT "
                "válido; asígnelo en la cuenta.",
                f"Account {s.num_cta} of the trial balance has no valid SAT código agrupador; "
                "set it on the account.",
            )
        _check_saldo(out, s, cuenta.natur)
    _check_parents(out, cuentas, lines)
    _check_totals(out, cuentas, lines)
    return out


def _check_envio(out: _Findings, tipo_envio: str, fecha_mod_bal: date | None) -> None:
    if tipo_envio not in (ENVIO_NORMAL, ENVIO_COMPLEMENTARIO):
        out.add(
            "EINV-CE-ENVIO",
            "TipoEnvio",
            f"TipoEnvio «{tipo_envio}» no existe; use N (normal) o C (complementaria).",
            f"TipoEnvio «{tipo_envio}» does not exist; use N (normal) or C (complementary).",
        )
    elif tipo_envio == ENVIO_COMPLEMENTARIO and fecha_mod_bal is None:
        out.add(
            "EINV-CE-ENVIO",
            "FechaModBal",
            "Una balanza complementaria exige la fecha de la última modificación contable "
            "(FechaModBal); indíquela.",
            "A complementary trial balance requires the date of the last change to the books "
            "(FechaModBal); give it.",
        )


def _check_saldo(out: _Findings, s: SaldoCuenta, natur: str) -> None:
    movement = s.debe - s.haber if natur == DEUDORA else s.haber - s.debe
    expected = _cents(s.saldo_ini) + _cents(movement)
    if _cents(s.saldo_fin) != expected:
        out.add(
            "EINV-CE-SALDO",
            f"Ctas[{s.num_cta}].SaldoFin",
            f"El saldo final de la cuenta {s.num_cta} es {s.saldo_fin}, pero su saldo inicial "
            f"más sus movimientos (naturaleza {natur}) dan {expected}; revise los apuntes.",
            f"The closing balance of account {s.num_cta} is {s.saldo_fin}, but its opening "
            f"balance plus its movements (nature {natur}) give {expected}; check its journal items.",
        )


def _check_parents(
    out: _Findings, cuentas: Sequence[Cuenta], lines: dict[str, SaldoCuenta]
) -> None:
    children: dict[str, list[SaldoCuenta]] = {}
    for c in cuentas:
        if c.sub_cta_de is not None and c.num_cta in lines:
            children.setdefault(c.sub_cta_de, []).append(lines[c.num_cta])
    for parent, kids in children.items():
        line = lines.get(parent)
        debe = sum((_cents(k.debe) for k in kids), ZERO)
        haber = sum((_cents(k.haber) for k in kids), ZERO)
        if line is None or (_cents(line.debe), _cents(line.haber)) != (debe, haber):
            out.add(
                "EINV-CE-SUBCUENTA",
                f"Ctas[{parent}]",
                f"Los cargos y abonos de la cuenta {parent} no son la suma de los de sus "
                f"subcuentas ({debe} / {haber}); genere la balanza de nuevo.",
                f"The debits and credits of account {parent} are not the sum of its "
                f"sub-accounts' ({debe} / {haber}); generate the trial balance again.",
            )


def _check_totals(out: _Findings, cuentas: Sequence[Cuenta], lines: dict[str, SaldoCuenta]) -> None:
    tops = [(c, lines[c.num_cta]) for c in cuentas if c.sub_cta_de is None and c.num_cta in lines]
    debe = sum((_cents(s.debe) for _, s in tops), ZERO)
    haber = sum((_cents(s.haber) for _, s in tops), ZERO)
    if debe != haber:
        out.add(
            "EINV-CE-BALANZA",
            "Ctas",
            f"La balanza no cuadra: los cargos suman {debe} y los abonos {haber} (diferencia "
            f"{debe - haber}); incluya todas las cuentas con movimientos.",
            f"The trial balance does not balance: debits total {debe} and credits {haber} "
            f"(difference {debe - haber}); include every account with journal items.",
        )
    for label_es, label_en, attr in (
        ("iniciales", "opening", "saldo_ini"),
        ("finales", "closing", "saldo_fin"),
    ):
        net = sum(
            (_cents(getattr(s, attr)) * (1 if c.natur == DEUDORA else -1) for c, s in tops), ZERO
        )
        if net:
            out.add(
                "EINV-CE-BALANZA",
                "Ctas",
                f"Los saldos {label_es} deudores y acreedores difieren en {net}; incluya "
                "todas las cuentas con saldo.",
                f"The {label_en} debit and credit balances differ by {net}; include every "
                "account with a balance.",
            )


# --- Pólizas -----------------------------------------------------------------


def check_polizas(
    polizas: Iterable[Poliza],
    *,
    periodo: Periodo | None = None,
    cuentas: Collection[str] | None = None,
    uuids: Container[str] | None = None,
) -> list[Finding]:
    """Each póliza once, balanced, dated in the period, on accounts of the catálogo
    (``cuentas``: its numbers), with well-formed vouchers and payments. A CFDI
    UUID not in ``uuids`` (the company's issued and received CFDI, upper case)
    is flagged as a warning. Reads ``polizas`` once."""
    out = _Findings()
    seen: set[str] = set()
    for p in polizas:
        path = f"Poliza[{p.num_un_iden_pol}]"
        if p.num_un_iden_pol in seen:
            out.add(
                "EINV-CE-POLIZA",
                path,
                f"La póliza {p.num_un_iden_pol} aparece dos veces; su número debe ser único.",
                f"Journal entry {p.num_un_iden_pol} appears twice; its number must be unique.",
            )
        seen.add(p.num_un_iden_pol)
        _check_poliza(out, p, path, periodo)
        for i, t in enumerate(p.transacciones, 1):
            _check_transaccion(out, t, f"{path}.Transaccion[{i}]", cuentas, uuids)
    return out


def _check_poliza(out: _Findings, p: Poliza, path: str, periodo: Periodo | None) -> None:
    if not p.transacciones:
        out.add(
            "EINV-CE-POLIZA",
            path,
            f"La póliza {p.num_un_iden_pol} no tiene movimientos; quítela o complétela.",
            f"Journal entry {p.num_un_iden_pol} has no lines; remove or complete it.",
        )
    debe = sum((_cents(t.debe) for t in p.transacciones), ZERO)
    haber = sum((_cents(t.haber) for t in p.transacciones), ZERO)
    if debe != haber:
        out.add(
            "EINV-CE-POLIZA-CUADRE",
            path,
            f"La póliza {p.num_un_iden_pol} no cuadra: cargos {debe}, abonos {haber}; corrija "
            "el asiento.",
            f"Journal entry {p.num_un_iden_pol} does not balance: debits {debe}, credits "
            f"{haber}; fix the entry.",
        )
    if not (p.concepto or "").strip():
        _empty(out, path, f"póliza {p.num_un_iden_pol}", f"journal entry {p.num_un_iden_pol}")
    if periodo is not None and (p.fecha.year, p.fecha.month) != (periodo.anio, periodo.mes):
        out.add(
            "EINV-CE-PERIODO",
            f"{path}.Fecha",
            f"La póliza {p.num_un_iden_pol} es del {p.fecha.isoformat()}, fuera del periodo "
            f"{periodo.anio}-{periodo.mes_text} del archivo.",
            f"Journal entry {p.num_un_iden_pol} is dated {p.fecha.isoformat()}, outside the "
            f"file's period {periodo.anio}-{periodo.mes_text}.",
        )


def _empty(out: _Findings, path: str, what_es: str, what_en: str) -> None:
    out.add(
        "EINV-CE-TEXTO",
        f"{path}.Concepto",
        f"La {what_es} no tiene concepto; escriba una referencia o etiqueta.",
        f"The {what_en} has no description; fill in a reference or label.",
    )


def _check_transaccion(
    out: _Findings,
    t: Transaccion,
    path: str,
    cuentas: Collection[str] | None,
    uuids: Container[str] | None,
) -> None:
    if cuentas is not None and t.num_cta not in cuentas:
        out.add(
            "EINV-CE-CUENTA",
            f"{path}.NumCta",
            f"La cuenta {t.num_cta} de {path} no está en el catálogo de cuentas; agréguela "
            "con su código agrupador.",
            f"Account {t.num_cta} of {path} is not in the chart of accounts; add it with its "
            "código agrupador.",
        )
    if not (t.concepto or "").strip():
        _empty(out, path, "transacción", "line")
    for i, c in enumerate(t.comp_nal, 1):
        _check_comp_nal(out, c, f"{path}.CompNal[{i}]", uuids)
    for i, o in enumerate(t.comp_nal_otr, 1):
        _check_voucher(out, o, f"{path}.CompNalOtr[{i}]")
    for i, e in enumerate(t.comp_ext, 1):
        _check_voucher(out, e, f"{path}.CompExt[{i}]")
    for i, ch in enumerate(t.cheque, 1):
        _check_payment(out, ch, f"{path}.Cheque[{i}]", (ch.ban_emis_nal,))
    for i, tr in enumerate(t.transferencia, 1):
        banks = (tr.banco_ori_nal, tr.banco_dest_nal)
        _check_payment(out, tr, f"{path}.Transferencia[{i}]", banks)
    for i, m in enumerate(t.otr_metodo_pago, 1):
        _check_payment(out, m, f"{path}.OtrMetodoPago[{i}]", ())
        _check_method(out, m.met_pago_pol, f"{path}.OtrMetodoPago[{i}].MetPagoPol")


def _check_method(out: _Findings, code: str, path: str) -> None:
    if code not in catalogs.codes("c_MetPagos"):
        out.add(
            "EINV-CE-METODO",
            path,
            f"El método de pago «{code}» no está en el catálogo del Anexo 24; use uno de "
            "c_MetPagos (01 efectivo, 02 cheque, 03 transferencia, ...).",
            f"Payment method «{code}» is not in Anexo 24's catalog; use a c_MetPagos code "
            "(01 cash, 02 cheque, 03 transfer, ...).",
        )


def _check_comp_nal(out: _Findings, c: CompNal, path: str, uuids: Container[str] | None) -> None:
    if not UUID_RE.match(c.uuid_cfdi or ""):
        out.add(
            "EINV-CE-UUID",
            f"{path}.UUID_CFDI",
            f"«{c.uuid_cfdi}» no es un UUID de CFDI (8-4-4-4-12 hexadecimales); corrija el "
            "folio fiscal del comprobante.",
            f"«{c.uuid_cfdi}» is not a CFDI UUID (8-4-4-4-12 hex digits); fix the voucher's "
            "fiscal folio.",
        )
    elif uuids is not None and c.uuid_cfdi.upper() not in uuids:
        out.add(
            "EINV-CE-UUID",
            f"{path}.UUID_CFDI",
            f"El CFDI {c.uuid_cfdi.upper()} no está entre los CFDI emitidos ni recibidos de la "
            "empresa; importe su XML o verifique el folio.",
            f"CFDI {c.uuid_cfdi.upper()} is not among the company's issued or received CFDI; "
            "import its XML or check the folio.",
            severity="warning",
        )
    _check_voucher(out, c, path)


def _check_voucher(out: _Findings, c: CompNal | CompNalOtr | CompExt, path: str) -> None:
    if not isinstance(c, CompExt):
        _check_rfc(out, c.rfc, f"{path}.RFC")
    _check_currency(out, c.moneda, c.tip_camb, path)
    if c.met_pago_aux is not None:
        _check_method(out, c.met_pago_aux, f"{path}.MetPagoAux")


def _check_payment(
    out: _Findings,
    p: Cheque | Transferencia | OtrMetodoPago,
    path: str,
    banks: tuple[str, ...],
) -> None:
    _check_rfc(out, p.rfc, f"{path}.RFC")
    _check_currency(out, p.moneda, p.tip_camb, path)
    for bank in banks:
        if bank not in catalogs.codes("c_Banco"):
            out.add(
                "EINV-CE-BANCO",
                path,
                f"El banco «{bank}» no está en el catálogo de bancos del Anexo 24; elija la "
                "clave del banco (999 y el nombre si es extranjero).",
                f"Bank «{bank}» is not in Anexo 24's bank catalog; choose the bank's code "
                "(999 and its name for a foreign bank).",
            )


def _check_rfc(out: _Findings, rfc: str, path: str) -> None:
    if not RFC_RE.match(normal_rfc(rfc)):
        out.add(
            "EINV-CE-RFC",
            path,
            f"El RFC «{rfc}» no tiene la forma de un RFC; corríjalo en el contacto "
            "(XEXX010101000 para extranjeros).",
            f"RFC «{rfc}» is not shaped like an RFC; fix it on the contact (XEXX010101000 "
            "for foreigners).",
        )


def _check_currency(
    out: _Findings, moneda: str | None, tip_camb: Decimal | None, path: str
) -> None:
    if moneda is None:
        return
    if moneda not in catalogs.codes("c_Moneda"):
        out.add(
            "EINV-CE-MONEDA",
            f"{path}.Moneda",
            f"La moneda «{moneda}» no está en el catálogo del Anexo 24; use su clave ISO 4217.",
            f"Currency «{moneda}» is not in Anexo 24's catalog; use its ISO 4217 code.",
        )
    elif moneda != MXN and not tip_camb:
        out.add(
            "EINV-CE-MONEDA",
            f"{path}.TipCamb",
            f"Un importe en {moneda} exige el tipo de cambio (TipCamb); indíquelo.",
            f"An amount in {moneda} requires the exchange rate (TipCamb); give it.",
        )


# --- Auxiliar de cuentas -----------------------------------------------------


def check_auxiliar_cuentas(
    cuentas: Iterable[CuentaAuxiliar], naturalezas: dict[str, str]
) -> list[Finding]:
    """SaldoFin = SaldoIni + the details' debits and credits, by the account's nature
    (``naturalezas``: NumCta -> D/A). Reads each account's details once."""
    out = _Findings()
    for c in cuentas:
        natur = naturalezas.get(c.num_cta, DEUDORA)
        net = ZERO
        for d in c.detalles:
            net += _cents(d.debe) - _cents(d.haber)
        expected = _cents(c.saldo_ini) + (net if natur == DEUDORA else -net)
        if _cents(c.saldo_fin) != expected:
            out.add(
                "EINV-CE-SALDO",
                f"Cuenta[{c.num_cta}].SaldoFin",
                f"El saldo final de la cuenta {c.num_cta} es {c.saldo_fin}, pero su saldo "
                f"inicial más sus movimientos dan {expected}; revise los apuntes.",
                f"The closing balance of account {c.num_cta} is {c.saldo_fin}, but its opening "
                f"balance plus its journal items give {expected}; check its journal items.",
            )
    return out
