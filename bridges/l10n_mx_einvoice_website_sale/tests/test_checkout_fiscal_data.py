"""The shop's address form with the fiscal data (issue 15): validated with the back
office's partner checks, stored on the partner, used on the sale's stamped invoice."""

import json

from lxml import etree
from odoo import Command
from odoo.addons.l10n_mx_einvoice.tests.common import CfdiOracleMixin, L10nMxEinvoiceCommon
from odoo.addons.website.tools import MockRequest
from odoo.tests import tagged

from ..controllers.main import L10nMxEinvoiceWebsiteSale

CFDI = "{http://www.sat.gob.mx/cfd/4}"


@tagged("post_install", "-at_install")
class TestCheckoutFiscalData(CfdiOracleMixin, L10nMxEinvoiceCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.forget_rfc("CACX7605101P8")
        cls.website = cls.env["website"].create({"name": "Tienda", "company_id": cls.company.id})
        cls.controller = (
            L10nMxEinvoiceWebsiteSale()
        )  # the routes' class, with this bridge's override
        cls.mx = cls.env.ref("base.mx")
        cls.state = cls.env["res.country.state"].search(
            [("country_id", "=", cls.mx.id), ("code", "=", "HID")], limit=1
        )

    def cart(self):
        return self.env["sale.order"].create(
            {
                "partner_id": self.website.user_id.partner_id.id,
                "website_id": self.website.id,
                "company_id": self.company.id,
                "order_line": [Command.create({"product_id": self.product_a.id})],
            }
        )

    def submit(self, cart, **fiscal):
        values = {
            "name": "Xochilt Casas Chavez",
            "email": "xochilt@example.com",
            "phone": "5555555555",
            "street": "Calle 1",
            "city": "Pachuca",
            "zip": "42501",
            "country_id": str(self.mx.id),
            "state_id": str(self.state.id),
            "address_type": "billing",
            "use_delivery_as_billing": "true",
            **fiscal,
        }
        visitor = self.env(user=self.website.user_id)  # an anonymous visitor's cart
        website = self.website.with_env(visitor)  # else the cart becomes the test user's
        with MockRequest(visitor, website=website, sale_order_id=cart.id) as req:
            req.httprequest.method = "POST"
            answer = self.controller.shop_address_submit(**values)
            return json.loads(getattr(answer, "data", answer))

    def test_fiscal_data_is_checked_like_the_back_office(self):
        cart = self.cart()
        # a company's régimen (601) for a person's RFC: the back office's message
        answer = self.submit(
            cart,
            vat="CACX7605101P8",
            l10n_mx_einvoice_regimen_fiscal="601",
            l10n_mx_einvoice_uso_cfdi="G03",
            l10n_mx_einvoice_want_cfdi="true",
        )
        self.assertIn("l10n_mx_einvoice_regimen_fiscal", answer["invalid_fields"])
        self.assertTrue(any("601" in message for message in answer["messages"]), answer)
        # a malformed RFC and a postal code SAT does not have
        answer = self.submit(
            cart,
            vat="ABC123",
            zip="00000",
            l10n_mx_einvoice_regimen_fiscal="612",
            l10n_mx_einvoice_uso_cfdi="G03",
            l10n_mx_einvoice_want_cfdi="true",
        )
        self.assertIn("vat", answer["invalid_fields"])
        self.assertTrue(any("ABC123" in message for message in answer["messages"]), answer)
        # wanting a CFDI without its data
        answer = self.submit(cart, l10n_mx_einvoice_want_cfdi="true")
        self.assertIn("l10n_mx_einvoice_uso_cfdi", answer["invalid_fields"])
        self.assertFalse(self.env["res.partner"].search([("vat", "=", "CACX7605101P8")]))

    def test_fiscal_data_is_stored_and_invoiced(self):
        cart = self.cart()
        answer = self.submit(
            cart,
            vat="cacx-7605101p8",
            l10n_mx_einvoice_regimen_fiscal="612",
            l10n_mx_einvoice_uso_cfdi="G01",
            l10n_mx_einvoice_want_cfdi="true",
        )
        self.assertIn("redirectUrl", answer, answer)
        partner = cart.partner_invoice_id
        where = (
            f"order partner {cart.partner_id.display_name}, invoice partner "
            f"{partner.display_name} (parent {partner.parent_id.display_name})"
        )
        self.assertEqual(
            (
                partner.vat,
                partner.zip,
                partner.l10n_mx_einvoice_regimen_fiscal,
                partner.l10n_mx_einvoice_uso_cfdi,
            ),
            ("CACX7605101P8", "42501", "612", "G01"),
            where,
        )
        partner.name = "XOCHILT CASAS CHAVEZ"
        cart.action_confirm()
        invoice = cart._create_invoices()
        invoice.action_post()
        invoice.action_l10n_mx_einvoice_stamp()
        self.assertEqual(
            invoice.l10n_mx_einvoice_state, "stamped", invoice.l10n_mx_einvoice_message
        )
        xml = invoice.l10n_mx_einvoice_attachment_id.raw
        self.assertSatValid(xml)
        receptor = etree.fromstring(xml).find(f"{CFDI}Receptor")
        self.assertEqual(
            (
                receptor.get("Rfc"),
                receptor.get("UsoCFDI"),
                receptor.get("RegimenFiscalReceptor"),
                receptor.get("DomicilioFiscalReceptor"),
            ),
            ("CACX7605101P8", "G01", "612", "42501"),
        )

    def test_no_cfdi_wanted_no_fiscal_check(self):
        answer = self.submit(self.cart())
        self.assertIn("redirectUrl", answer, answer)

    # --- /my/orders: the CFDI of a paid order (bridge l10n_mx_einvoice_sale) -------------------

    def paid_order(self, partner):
        order = self.env["sale.order"].create(
            {
                "partner_id": partner.id,
                "company_id": self.company.id,
                "order_line": [Command.create({"product_id": self.product_a.id})],
            }
        )
        order.action_confirm()
        provider = self.env["payment.provider"].create(
            {"name": "Prueba", "code": "none", "state": "test", "company_id": self.company.id}
        )
        self.env["payment.transaction"].create(
            {
                "provider_id": provider.id,
                "payment_method_id": self.env.ref("payment.payment_method_unknown").id,
                "amount": order.amount_total,
                "currency_id": order.currency_id.id,
                "partner_id": partner.id,
                "reference": f"{order.name}-portal",
                "sale_order_ids": [Command.set(order.ids)],
                "state": "done",
            }
        )
        return order

    def test_paid_order_asks_for_its_cfdi(self):
        bare = self.env["res.partner"].create({"name": "SIN DATOS", "country_id": self.mx.id})
        self.assertEqual(self.paid_order(bare)._l10n_mx_einvoice_portal_refusal(), "fiscal_data")
        unpaid = self.env["sale.order"].create(
            {
                "partner_id": self.customer.id,
                "order_line": [Command.create({"product_id": self.product_a.id})],
            }
        )
        unpaid.action_confirm()
        self.assertEqual(unpaid._l10n_mx_einvoice_portal_refusal(), "not_paid")
        order = self.paid_order(self.customer)
        self.assertFalse(order._l10n_mx_einvoice_portal_refusal())
        invoice = order._l10n_mx_einvoice_portal_invoice()
        self.assertEqual(
            invoice.l10n_mx_einvoice_state, "stamped", invoice.l10n_mx_einvoice_message
        )
        self.assertSatValid(invoice.l10n_mx_einvoice_attachment_id.raw)
        # asked again: the same invoice, no second CFDI
        self.assertEqual(order._l10n_mx_einvoice_portal_invoice(), invoice)
        self.assertEqual(order._l10n_mx_einvoice_portal_refusal(), "not_paid")
