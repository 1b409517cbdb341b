"""Proposals for an account's código agrupador and nature.

Odoo's Mexican chart (``l10n_mx``) numbers its accounts after SAT's código
agrupador: account ``102.01.01`` sits under the account group ``102.01``
("Bancos nacionales"), and every ``l10n_mx`` account group is an Anexo 24 code.
So the agrupador of an account is the first two dotted segments of its code when
SAT has that code, else the first segment. Codes that do not follow the
convention (``999998``, or a company's own ``1020101``) get no proposal: they
are listed for the user to map by hand.
"""

from __future__ import annotations

from . import catalogs

DEUDORA = "D"
ACREEDORA = "A"

# Odoo's account.account account_type values whose usual balance is a debit.
_DEBIT_TYPES = ("asset_", "expense", "off_balance")


def propose_agrupador(account_code: str) -> str | None:
    """SAT's código agrupador for an account numbered like ``l10n_mx``, or None."""
    parts = (account_code or "").strip().split(".")
    candidates = [".".join(parts[:2]), parts[0]] if len(parts) > 1 else [parts[0]]
    for code in candidates:
        if catalogs.agrupador(code) is not None:
            return code
    return None


def propose_nature(agrupador: str | None, account_type: str | None = None) -> str:
    """D or A: the agrupador's usual nature, else the one of Odoo's account type.

    The agrupador knows contra accounts (depreciación acumulada is an asset with a
    credit balance); Odoo's account type does not.
    """
    found = catalogs.agrupador(agrupador) if agrupador else None
    if found is not None:
        return found.nature
    return DEUDORA if (account_type or "").startswith(_DEBIT_TYPES) else ACREEDORA
