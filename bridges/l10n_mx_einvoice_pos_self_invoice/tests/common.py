"""A Point of Sale of the main addon's test company, and tickets sent as the POS UI sends
them (``pos.order.sync_from_ui``, as point_of_sale's own tests do)."""

import itertools
import re
import uuid

from odoo import Command, fields
from odoo.tests.common import TEST_CURSOR_COOKIE_NAME, Opener

_SEQUENCE = itertools.count(1)


class PosFixtures:
    @classmethod
    def setup_pos(cls):
        cls.pos_product = cls.product_a
        cls.pos_product.write({"available_in_pos": True, "lst_price": 100.0})
        cash_journal = cls.company_data["default_journal_cash"]
        cash_journal.pos_payment_method_ids.unlink()
        cls.cash_method = cls.env["pos.payment.method"].create(
            {"name": "Efectivo", "journal_id": cash_journal.id, "company_id": cls.company.id}
        )
        cls.pos_config = cls.env["pos.config"].create(
            {"name": "Caja 1", "payment_method_ids": [Command.set(cls.cash_method.ids)]}
        )
        cls.pos_config.open_ui()
        cls.pos_session = cls.pos_config.current_session_id
        cls.pos_session.set_opening_control(0, None)

    @classmethod
    def ticket(cls, quantity=1):
        """A paid ticket of ``quantity`` products at 100 + IVA 16 %."""
        number = next(_SEQUENCE)
        product = cls.pos_product
        taxes = product.taxes_id.filtered(lambda tax: tax.company_id == cls.company)
        computed = taxes.compute_all(100.0, cls.company.currency_id, quantity)
        total = computed["total_included"]
        ticket_uuid = str(uuid.uuid4())
        order = {
            "amount_paid": total,
            "amount_return": 0,
            "amount_tax": total - computed["total_excluded"],
            "amount_total": total,
            "date_order": fields.Datetime.to_string(fields.Datetime.now()),
            "fiscal_position_id": False,
            "pricelist_id": cls.pos_config.pricelist_id.id,
            "name": f"Order 00{cls.pos_session.id:03d}-001-{number:04d}",
            "last_order_preparation_change": "{}",
            "lines": [
                Command.create(
                    {
                        "product_id": product.id,
                        "qty": quantity,
                        "price_unit": 100.0,
                        "price_subtotal": computed["total_excluded"],
                        "price_subtotal_incl": total,
                        "tax_ids": [Command.set(taxes.ids)],
                        "pack_lot_ids": [],
                    }
                )
            ],
            "partner_id": False,
            "session_id": cls.pos_session.id,
            "sequence_number": number,
            "payment_ids": [
                Command.create(
                    {
                        "amount": total,
                        "name": fields.Datetime.now(),
                        "payment_method_id": cls.cash_method.id,
                    }
                )
            ],
            "uuid": ticket_uuid,
            "user_id": cls.env.uid,
            "to_invoice": False,
            "state": "paid",
        }
        result = cls.env["pos.order"].sync_from_ui([order])
        return cls.env["pos.order"].browse(result["pos.order"][0]["id"])


class PublicPageMixin:
    """The public page through HTTP as an anonymous visitor, in the test's transaction."""

    def visitor(self, headers=None):
        opener = Opener(self.cr)
        opener.cookies[TEST_CURSOR_COOKIE_NAME] = self.http_request_key
        opener.headers.update(headers or {})
        return opener

    def get(self, opener, path):
        response = opener.get(self.base_url + path, timeout=120)
        response.raise_for_status()
        return response

    def submit(self, opener, page, action, data):
        """POST ``data`` to ``action`` with the CSRF token of ``page``'s form."""
        token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
        response = opener.post(
            self.base_url + action, data={"csrf_token": token, **data}, timeout=120
        )
        response.raise_for_status()
        return response.text

    @staticmethod
    def error_of(page):
        found = re.search(r'o_l10n_mx_self_invoice_error"[^>]*>(.*?)</div>', page, re.S)
        return found and found.group(1)

    @staticmethod
    def hidden(page, name):
        return re.search(rf'name="{name}" value="([^"]*)"', page).group(1)
