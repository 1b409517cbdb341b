"""The account tree of the catálogo and the balanza computed over it.

``catalogo`` takes the company's accounts (Odoo's are flat: ``102.01.01``) and
adds the cuentas de mayor and subcuentas their dotted codes imply (``102``,
``102.01``), so the catálogo and the balanza show the levels SAT asks for.
``balanza`` takes each account's totals as Odoo reads them (debit minus credit
before the period, debits and credits in it) and returns every account's
SaldoIni/Debe/Haber/SaldoFin in the account's nature, parents included.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal

from . import catalogs
from .agrupador import DEUDORA
from .documents import ContabilidadError, Cuenta, SaldoCuenta

ZERO = Decimal("0")


@dataclass(frozen=True)
class AccountTotals:
    """One account's figures for a period, as Odoo's journal items give them."""

    num_cta: str
    opening_balance: Decimal  # debit minus credit of everything before the period
    debit: Decimal  # debits within the period
    credit: Decimal  # credits within the period


def _ancestors(num_cta: str) -> list[str]:
    """``102.01.01`` -> ``["102", "102.01"]`` (nearest last)."""
    parts = num_cta.split(".")
    return [".".join(parts[:i]) for i in range(1, len(parts))]


def _sort_key(num_cta: str) -> list[tuple[int, str]]:
    return [(0, "") if not p else (1, p) for p in num_cta.split(".")]


def _parent(num_cta: str, cod_agrup: str, natur: str, names: Mapping[str, str]) -> Cuenta:
    own = catalogs.agrupador(num_cta)
    description = names.get(num_cta) or (own.description if own else num_cta)
    if own is not None:
        return Cuenta(num_cta, description, own.code, own.nature)
    return Cuenta(num_cta, description, cod_agrup, natur)


def catalogo(cuentas: Iterable[Cuenta], names: Mapping[str, str] | None = None) -> list[Cuenta]:
    """The accounts plus the parents their dotted codes imply, with Nivel and SubCtaDe.

    A missing parent whose code is an Anexo 24 code (``102``, ``102.01``) takes
    that code as its CodAgrup and its nature; another one takes its first child's.
    Its name comes from ``names`` (Odoo's account groups by code prefix), else from
    the código agrupador, else it is the code itself. Sorted by account code.
    """
    names = names or {}
    by_number: dict[str, Cuenta] = {c.num_cta: c for c in cuentas}
    for cuenta in list(by_number.values()):
        for prefix in _ancestors(cuenta.num_cta):
            if prefix not in by_number:
                by_number[prefix] = _parent(prefix, cuenta.cod_agrup, cuenta.natur, names)
    out = []
    for number in sorted(by_number, key=_sort_key):
        chain = [p for p in _ancestors(number) if p in by_number]
        out.append(
            replace(
                by_number[number], nivel=len(chain) + 1, sub_cta_de=chain[-1] if chain else None
            )
        )
    return out


def _signed(value: Decimal, natur: str) -> Decimal:
    return value if natur == DEUDORA else -value


def _lines_to_parents(cuentas: Sequence[Cuenta]) -> dict[str, list[str]]:
    """Each account's number followed by its ancestors' (SubCtaDe chain)."""
    by_number = {c.num_cta: c for c in cuentas}
    out: dict[str, list[str]] = {}
    for cuenta in cuentas:
        chain = [cuenta.num_cta]
        parent = cuenta.sub_cta_de
        while parent is not None and parent in by_number and parent not in chain:
            chain.append(parent)
            parent = by_number[parent].sub_cta_de
        out[cuenta.num_cta] = chain
    return out


def balanza(
    cuentas: Sequence[Cuenta], totals: Iterable[AccountTotals], *, include_zero: bool = False
) -> list[SaldoCuenta]:
    """Balanza lines of ``cuentas`` (a ``catalogo``), each parent the sum of its children.

    SaldoFin = SaldoIni + Debe - Haber for a "D" account, SaldoIni - Debe + Haber
    for an "A" one. Accounts without balance nor movement are left out unless
    ``include_zero``. An account of ``totals`` missing from ``cuentas`` is refused.
    """
    lines = _lines_to_parents(cuentas)
    sums: dict[str, list[Decimal]] = {n: [ZERO, ZERO, ZERO] for n in lines}
    unknown = []
    for t in totals:
        if t.num_cta not in lines:
            unknown.append(t.num_cta)
            continue
        for number in lines[t.num_cta]:
            row = sums[number]
            row[0] += t.opening_balance
            row[1] += t.debit
            row[2] += t.credit
    if unknown:
        raise ContabilidadError(
            f"Las cuentas {', '.join(sorted(set(unknown)))} tienen movimientos pero no están en "
            "el catálogo de cuentas; agréguelas con su código agrupador.",
            f"Accounts {', '.join(sorted(set(unknown)))} have journal items but are not in the "
            "chart of accounts sent to SAT; add them with their código agrupador.",
            code="EINV-CE-CUENTA",
        )
    out = []
    for cuenta in cuentas:
        opening, debe, haber = sums[cuenta.num_cta]
        saldo_ini = _signed(opening, cuenta.natur)
        saldo_fin = saldo_ini + _signed(debe - haber, cuenta.natur)
        if include_zero or any((saldo_ini, debe, haber, saldo_fin)):
            out.append(SaldoCuenta(cuenta.num_cta, saldo_ini, debe, haber, saldo_fin))
    return out
