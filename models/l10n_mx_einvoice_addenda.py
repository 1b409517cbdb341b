import base64
import re
from decimal import Decimal

from odoo import models
from odoo.exceptions import UserError

from ..cfdi.complements import addenda
from ..cfdi.errors import CfdiError
from .l10n_mx_einvoice_utils import engine_message, to_decimal


class L10nMxEinvoiceAddenda(models.AbstractModel):
    """A customer's addenda on a stamped invoice: the values of its template from the
    move and the partners, rendered and appended by the engine (``cfdi.complements.addenda``)
    outside the sealed part. The stamped XML stays SAT's attachment; the XML with the
    addenda is a second attachment, the one sent to the customer."""

    _name = "l10n_mx_einvoice.addenda"
    _description = "CFDI customer addenda"

    def _attach(self, move):
        """Build the addenda XML of ``move`` and keep it as its own attachment."""
        partner = move.partner_id.commercial_partner_id
        kind = partner.l10n_mx_einvoice_addenda
        stamped = move.sudo().l10n_mx_einvoice_attachment_id.raw
        if not kind or not stamped:
            raise UserError(
                self.env._(
                    "The invoice %(move)s needs a stamped CFDI and a customer with an addenda "
                    "(Sales & Purchase tab of %(partner)s).",
                    move=move.name,
                    partner=partner.display_name,
                )
            )
        values = self._values(move)
        try:
            if kind == "custom":
                template, xsd = self._custom_template(partner)
                data = addenda.add(stamped, template, values, xsd)
            else:
                data = addenda.add_built_in(stamped, kind, values)
        except CfdiError as error:
            raise UserError(
                self.env._(
                    "The addenda of the invoice %(move)s could not be built: %(error)s",
                    move=move.name,
                    error=engine_message(self.env, error),
                )
            ) from None
        name = move.l10n_mx_einvoice_attachment_id.name.removesuffix(".xml") + "-addenda.xml"
        attachment = (
            self.env["ir.attachment"]
            .sudo()
            .create(
                {
                    "name": name,
                    "raw": data,
                    "mimetype": "application/xml",
                    "res_model": "account.move",
                    "res_id": move.id,
                }
            )
        )
        # a readonly field of this addon: written by its code only (``check_kept_fields``)
        move.sudo().l10n_mx_einvoice_addenda_attachment_id = attachment
        return attachment

    def _custom_template(self, partner):
        view = partner.l10n_mx_einvoice_addenda_view_id
        if not view:
            raise UserError(
                self.env._(
                    "The customer %(partner)s has a custom addenda but no template: choose it on "
                    "the contact.",
                    partner=partner.display_name,
                )
            )
        xsd = partner.l10n_mx_einvoice_addenda_xsd
        return view.arch_db.encode(), base64.b64decode(xsd) if xsd else None

    def _values(self, move):
        """What the built-in templates (and custom ones) find besides ``cfdi``."""
        partner = move.partner_id.commercial_partner_id
        lines = self._lines(move)
        order = move.l10n_mx_einvoice_addenda_order or move.ref or ""
        order_date = move.l10n_mx_einvoice_addenda_order_date or move.invoice_date
        decimals = move.currency_id.decimal_places
        number = re.sub(r"[^A-Za-z0-9-]", "", move.name or "")
        return {
            "order": {"number": order, "date": order_date},
            "delivery_note": None,
            "buyer_gln": partner.l10n_mx_einvoice_gln or "",
            "seller_gln": move.company_id.partner_id.l10n_mx_einvoice_gln or "",
            "supplier_number": partner.l10n_mx_einvoice_supplier_number or "",
            "amount_in_words": move.currency_id.amount_to_text(move.amount_total).upper(),
            "lines": lines,
            # Soriana
            "remision": {"number": number, "date": move.invoice_date},
            "store": partner.l10n_mx_einvoice_store or "",
            "currency_code": "1" if move.currency_id.name == "MXN" else "2",
            "package_type": "1",
            "packages": sum((line["quantity"] for line in lines), Decimal(0)),
            "subtotal": to_decimal(move.amount_untaxed, decimals),
            "discounts": Decimal("0.00"),
            "ieps": Decimal("0.00"),
            "vat": to_decimal(move.amount_tax, decimals),
            "other_taxes": Decimal("0.00"),
            "total": to_decimal(move.amount_total, decimals),
            "orders_count": 1,
            "delivery_date": move.invoice_date,
            "appointment": None,
            "orders": [
                {
                    "number": order,
                    "store": partner.l10n_mx_einvoice_store or "",
                    "items": len(lines),
                }
            ],
        }

    def _lines(self, move):
        decimals = move.currency_id.decimal_places
        store = move.partner_id.commercial_partner_id.l10n_mx_einvoice_store or ""
        order = move.l10n_mx_einvoice_addenda_order or move.ref or ""
        result = []
        for line in move.invoice_line_ids.filtered(lambda x: x.display_type == "product"):
            vat = line.tax_ids.filtered(lambda t: t.amount > 0)
            quantity = to_decimal(line.quantity, 2)
            unit_price = line.price_subtotal / line.quantity if line.quantity else 0.0
            unit = to_decimal(unit_price, 6)
            result.append(
                {
                    "gtin": line.product_id.barcode or "",
                    "code": line.product_id.barcode or line.product_id.default_code or "",
                    "buyer_sku": None,
                    "description": (line.product_id.name or line.name or "")[:35],
                    "quantity": quantity,
                    "uom": line.product_uom_id._l10n_mx_einvoice_clave_unidad() or "H87",
                    "price": to_decimal(line.price_unit, decimals),
                    "net_price": to_decimal(unit_price, decimals),
                    "unit_cost": unit,
                    "vat_rate": to_decimal(sum(vat.mapped("amount")), 2),
                    "ieps_rate": Decimal("0.00"),
                    "vat_amount": to_decimal(line.price_total - line.price_subtotal, decimals),
                    "gross_amount": to_decimal(line.price_subtotal, decimals),
                    "net_amount": to_decimal(line.price_subtotal, decimals),
                    "order": order,
                    "store": store,
                }
            )
        return result
