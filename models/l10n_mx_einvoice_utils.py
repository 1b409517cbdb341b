"""Small bridges between Odoo and the engine: catalog selections, money, engine messages."""

from decimal import Decimal

from odoo.exceptions import UserError
from odoo.tools import float_repr

from ..cfdi import catalogs

USER_GROUP = "l10n_mx_einvoice.group_l10n_mx_einvoice_user"
MANAGER_GROUP = "l10n_mx_einvoice.group_l10n_mx_einvoice_manager"


def catalog_selection(name, predicate=None):
    """``fields.Selection`` values of a SAT catalog: ``[(code, "code - description")]``."""
    return [
        (row["code"], f"{row['code']} - {row['description']}")
        for row in catalogs.rows(name)
        if predicate is None or predicate(row)
    ]


def to_decimal(value, digits):
    """An Odoo float as the Decimal it means (rounded to ``digits``), never through binary."""
    return Decimal(float_repr(value or 0.0, digits))


def engine_message(env, error):
    """An engine error's (or finding's) text in the user's language (Spanish for es_*).

    The engine keeps both languages (its command line prints both); a user sees one.
    """
    return error.message(env.lang)


def finding_message(env, finding):
    """``CODE path: message`` of a rule finding, in the user's language."""
    where = f" {finding.path}" if finding.path else ""
    return f"{finding.code}{where}: {engine_message(env, finding)}"


def pac_message(env, error):
    """A PAC error in the user's language; a rejection with SAT's code and what to fix."""
    message = engine_message(env, error)
    hint = error.hint(env.lang) if hasattr(error, "hint") else ""
    if hint:
        return f"[{error.code}] {message} {hint}"
    return message


def kept_fields(model, names):
    """The readonly fields of this addon on ``model`` among ``names``: its code writes them."""
    fields_ = (model._fields.get(name) for name in names)
    return [f for f in fields_ if f and f._module == "l10n_mx_einvoice" and f.readonly]


def check_kept_fields(model, vals, creating=False):
    """A readonly field this addon adds to a standard model is written by the addon's code
    only: a computed one by nobody (the CFDI documents decide it), any other one as
    superuser (a new record may carry values an import read, never links to CFDI records)."""
    for field in kept_fields(model, vals):
        computed = field.compute and not field.inverse
        given_on_creation = creating and not field.relational
        if computed or not (model.env.su or given_on_creation):
            raise UserError(
                model.env._(
                    "%(field)s is kept by the CFDI's own records and cannot be written.",
                    field=field.get_description(model.env)["string"],
                )
            )
