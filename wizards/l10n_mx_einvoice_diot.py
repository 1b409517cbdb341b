"""DIOT of a month: what was paid to each supplier (cash basis), by IVA section.

A vendor bill counts in the month its payments are reconciled with it
(``account.partial.reconcile.max_date``), in the paid proportion. Each tax of the bill
says its DIOT section by the tag l10n_mx puts on its invoice base repartition line
(``DIOT: 16%``, ``DIOT: 8% N.``, ...); IVA withheld is the tax lines tagged
``DIOT: Retención``. Amounts are in pesos at the bill's rate (Odoo books the exchange
difference of the payment apart). The engine (``cfdi.contabilidad.diot``) adds the lines
up per supplier, checks them and writes SAT's 2025 batch file.
"""

import base64
import io
from collections import defaultdict
from dataclasses import replace
from decimal import Decimal

from odoo import fields, models

from ..cfdi import catalogs
from ..cfdi.contabilidad import diot
from ..models.l10n_mx_einvoice_utils import finding_message, to_decimal
from .l10n_mx_einvoice_diot_line import AMOUNT_FIELDS

PURCHASE_TYPES = ("in_invoice", "in_refund", "in_receipt")
# l10n_mx's DIOT tags (on a purchase tax's invoice base line) -> (section, IVA creditable)
SECTION_TAGS = {
    "DIOT: 16%": ("tasa_16", True),
    "DIOT: 16% NO ACREDITABLE": ("tasa_16", False),
    "DIOT: 8% N.": ("fronteriza_norte", True),
    "DIOT: 8% N. NO ACREDITABLE": ("fronteriza_norte", False),
    "DIOT: 8% S.": ("fronteriza_sur", True),
    "DIOT: 8% S. NO ACREDITABLE": ("fronteriza_sur", False),
    "DIOT: 16% IMP": ("importacion_tangibles", True),
    "DIOT: 16% IMP NO ACREDITABLE": ("importacion_tangibles", False),
    "DIOT: 16% IMP INT": ("importacion_intangibles", True),
    "DIOT: 16% IMP INT NO ACREDITABLE": ("importacion_intangibles", False),
}
EXTRA_TAGS = {
    "DIOT: 0%": "tasa_0",
    "DIOT: Exento": "exento",
    "DIOT: Exento Imports": "importacion_exenta",
    "DIOT: No Tax Object": "no_objeto",
}
WITHHOLDING_TAG = "DIOT: Retención"
GLOBAL_RFC = "XAXX010101000"


def _tag_names(repartition_lines):
    return {
        name.lstrip("+-")
        for name in repartition_lines.tag_ids.with_context(lang="en_US").mapped("name")
    }


def _diot_kind(tax):
    """(what, creditable) of a purchase tax: a section name, an extra field name, or
    "retencion"; None when the DIOT does not report it (ISR, IEPS)."""
    repartition = tax.invoice_repartition_line_ids
    base_tags = _tag_names(repartition.filtered(lambda r: r.repartition_type == "base"))
    for tag, (section, creditable) in SECTION_TAGS.items():
        if tag in base_tags:
            return section, creditable
    for tag, name in EXTRA_TAGS.items():
        if tag in base_tags:
            return name, True
    if WITHHOLDING_TAG in _tag_names(repartition.filtered(lambda r: r.repartition_type == "tax")):
        return "retencion", True
    return None


class L10nMxEinvoiceDiot(models.TransientModel):
    _name = "l10n_mx_einvoice.diot"
    _description = "DIOT (operations with third parties)"

    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company
    )
    year = fields.Integer(required=True, default=lambda self: fields.Date.today().year)
    month = fields.Selection(
        [(str(m), f"{m:02d}") for m in range(1, 13)],
        required=True,
        default=lambda self: str(fields.Date.today().month),
    )
    state = fields.Selection([("draft", "Options"), ("done", "Report")], default="draft")
    line_ids = fields.One2many("l10n_mx_einvoice.diot.line", "wizard_id", readonly=True)
    problems = fields.Text(readonly=True)
    txt_file = fields.Binary(string="DIOT file", attachment=False, readonly=True)
    txt_filename = fields.Char(readonly=True)

    def action_compute(self):
        self.ensure_one()
        books = self.env["l10n_mx_einvoice.contabilidad"]
        date_from, date_to = books._bounds(self.year, int(self.month))
        paid = self._paid_bills(date_from, date_to)
        operations = []  # (OperacionTercero, moves)
        for bill, (fraction, payments) in paid.items():
            operations.append((self._operacion(bill, fraction), bill | payments))
        combined = {}
        for operacion, moves in operations:
            key = operacion.key
            if key in combined:
                before, before_moves = combined[key]
                combined[key] = (diot.combine([before, operacion])[0], before_moves | moves)
            else:
                combined[key] = (operacion, moves)
        lines = [op for op, _moves in combined.values()]
        problems = diot.check_diot(lines)
        out = io.BytesIO()
        if not problems:
            diot.write_diot(lines, out)
        self.line_ids.unlink()
        self.write(
            {
                "state": "done",
                "line_ids": [
                    fields.Command.create(self._line_values(op, moves))
                    for op, moves in combined.values()
                ],
                "problems": "\n".join(finding_message(self.env, p) for p in problems) or False,
                "txt_file": base64.b64encode(out.getvalue()) if not problems else False,
                "txt_filename": f"DIOT_{self.company_id.vat or ''}_{self.year}{int(self.month):02d}.txt",
            }
        )
        return {
            "type": "ir.actions.act_window",
            "name": self.env.ref("l10n_mx_einvoice.action_l10n_mx_einvoice_diot").name,
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
            "target": "new",
            "context": {"dialog_size": "extra-large"},
        }

    def _paid_bills(self, date_from, date_to):
        """{bill: (paid fraction in the month, payment entries)} of the month."""
        partials = self.env["account.partial.reconcile"].search(
            [
                ("company_id", "=", self.company_id.id),
                ("max_date", ">=", date_from),
                ("max_date", "<=", date_to),
            ]
        )
        paid = defaultdict(lambda: [Decimal(0), self.env["account.move"]])
        for partial in partials:
            sides = (
                (partial.debit_move_id, partial.debit_amount_currency, partial.credit_move_id),
                (partial.credit_move_id, partial.credit_amount_currency, partial.debit_move_id),
            )
            for line, amount, other in sides:
                bill = line.move_id
                if bill.move_type not in PURCHASE_TYPES or bill.state != "posted":
                    continue
                if line.account_id.account_type != "liability_payable":
                    continue
                digits = bill.currency_id.decimal_places
                paid[bill][0] += to_decimal(amount, digits)
                paid[bill][1] |= other.move_id
        result = {}
        for bill, (amount, payments) in paid.items():
            total = to_decimal(bill.amount_total, bill.currency_id.decimal_places)
            if total:
                result[bill] = (min(amount / total, Decimal(1)), payments)
        return result

    def _third_party(self, partner):
        """tipo_tercero, tipo_operacion and identity of a supplier."""
        rfc = (partner.vat or "").replace(" ", "").replace("-", "").upper()
        if rfc == GLOBAL_RFC:
            return {
                "tipo_tercero": diot.GLOBAL,
                "tipo_operacion": diot.OPERACIONES_GLOBALES,
                "rfc": rfc,
            }
        operation = partner.l10n_mx_einvoice_diot_operation or diot.OTROS
        if not partner.country_id or partner.country_id.code == "MX":
            # the name is not written for a national supplier: it names it in the checks
            return {
                "tipo_tercero": diot.NACIONAL,
                "tipo_operacion": operation,
                "rfc": rfc,
                "nombre_extranjero": "" if rfc else partner.name,
            }
        country = next(
            (
                r["code"]
                for r in catalogs.rows("c_Pais")
                if r.get("alpha2") == partner.country_id.code
            ),
            diot.PAIS_NO_DECLARADO,
        )
        return {
            "tipo_tercero": diot.EXTRANJERO,
            "tipo_operacion": operation,
            "num_id_fiscal": partner.vat or "",
            "nombre_extranjero": partner.name or "",
            "pais": country,
            "jurisdiccion": partner.country_id.name if country == diot.PAIS_NO_DECLARADO else "",
        }

    def _operacion(self, bill, fraction):
        """One OperacionTercero: the paid part of a bill (or refund), by DIOT section."""
        digits = bill.company_id.currency_id.decimal_places
        refund = bill.move_type == "in_refund"
        sections = defaultdict(lambda: defaultdict(Decimal))
        extra = defaultdict(Decimal)
        for line in bill.line_ids:
            balance = to_decimal(line.balance, digits) * fraction
            if line.tax_line_id:
                kind = _diot_kind(line.tax_line_id)
                if kind is None:
                    continue
                what, creditable = kind
                if what == "retencion":
                    extra["iva_retenido"] += -balance
                elif what in diot.SECTIONS:
                    # a return's IVA (a credit) lowers the IVA of the section's purchases
                    field = "iva_acreditable" if creditable else "iva_no_acreditable_requisitos"
                    sections[what][field] += balance
                continue
            for tax in line.tax_ids:
                kind = _diot_kind(tax)
                if kind is None or kind[0] == "retencion":
                    continue
                what = kind[0]
                if what in diot.SECTIONS:
                    sections[what]["devoluciones" if refund else "pagado"] += abs(balance)
                elif not refund:
                    extra[what] += balance
        operacion = diot.OperacionTercero(**self._third_party(bill.commercial_partner_id))
        return replace(
            operacion,
            **{name: diot.Actos(**dict(values)) for name, values in sections.items()},
            **dict(extra),
        )

    def _line_values(self, op, moves):
        values = {
            "partner_id": moves.filtered(lambda m: m.move_type in PURCHASE_TYPES)[
                :1
            ].commercial_partner_id.id,
            "tipo_tercero": op.tipo_tercero,
            "tipo_operacion": op.tipo_operacion,
            "rfc": op.rfc or op.num_id_fiscal,
            "move_ids": [fields.Command.set(moves.ids)],
        }
        for name, (section, attribute) in AMOUNT_FIELDS.items():
            source = getattr(op, section) if attribute else op
            values[name] = float(getattr(source, attribute or section))
        return values
