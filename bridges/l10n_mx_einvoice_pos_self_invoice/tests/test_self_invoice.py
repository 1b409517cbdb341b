"""The self-invoicing page through HTTP as an anonymous visitor (issue 15): the ticket's
checks, the same answer for a wrong total as for no ticket, the rate limit, and a stamped
CFDI that passes SAT's XSD and XSLT; then the portal's XML download of the main addon."""

import datetime as dt

from lxml import etree
from odoo.addons.l10n_mx_einvoice.tests.common import (
    CfdiOracleMixin,
    JsonRpcMixin,
    L10nMxEinvoiceCommon,
)
from odoo.tests import new_test_user, tagged

from .common import PosFixtures, PublicPageMixin

TICKET = "/l10n_mx_einvoice/self_invoice/ticket"
RFC = "/l10n_mx_einvoice/self_invoice/rfc"
INVOICE = "/l10n_mx_einvoice/self_invoice/invoice"
NEW_CUSTOMER = {
    "rfc": "CACX7605101P8",  # persona física (13 characters), SAT's test RFC
    "name": "Xochilt Casas Chávez",
    "zip": "10740",
    "regimen": "612",
    "uso": "G03",
    "email": "cecilia@example.com",
}


@tagged("post_install", "-at_install")
class TestSelfInvoice(
    PublicPageMixin, PosFixtures, JsonRpcMixin, CfdiOracleMixin, L10nMxEinvoiceCommon
):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.forget_rfc("CACX7605101P8")
        cls.customer.email = "xenon@example.com"
        cls.setup_pos()
        cls.setup_json_rpc()

    def form(self, opener, reference=""):
        page = self.get(opener, f"/facturacion?ticket={reference}").text
        self.assertIn("o_l10n_mx_self_invoice_ticket", page)
        return page

    def send_ticket(self, opener, order, total=None, date=None, reference=None):
        page = self.form(opener)
        return self.submit(
            opener,
            page,
            TICKET,
            {
                "reference": reference or order.pos_reference,
                "date": (date or order._l10n_mx_einvoice_ticket_date()).isoformat(),
                "total": f"{order.amount_total if total is None else total:.2f}",
            },
        )

    def self_invoice(self, opener, order, customer):
        page = self.send_ticket(opener, order)
        self.assertIn("o_l10n_mx_self_invoice_rfc", page, self.error_of(page))
        page = self.submit(
            opener, page, RFC, {"token": self.hidden(page, "token"), "rfc": customer["rfc"]}
        )
        self.assertIn("o_l10n_mx_self_invoice_fiscal", page)
        return self.submit(
            opener,
            page,
            INVOICE,
            {"token": self.hidden(page, "token"), **customer},
        )

    # --- the ticket's step ------------------------------------------------------------------

    def test_form_is_public_and_prefills_the_ticket_of_the_qr(self):
        page = self.form(self.visitor(), "Order 00001-001-0001")
        self.assertIn('value="Order 00001-001-0001"', page)
        self.assertIn('name="csrf_token"', page)

    def test_post_without_csrf_token_is_refused(self):
        order = self.ticket()
        response = self.visitor().post(
            self.base_url + TICKET,
            data={"reference": order.pos_reference, "date": "2026-01-01", "total": "1"},
            timeout=60,
        )
        self.assertEqual(response.status_code, 400)

    def test_wrong_total_answers_the_same_as_a_missing_ticket(self):
        order = self.ticket()
        opener = self.visitor()
        wrong_total = self.error_of(self.send_ticket(opener, order, total=order.amount_total + 1))
        wrong_date = self.error_of(
            self.send_ticket(opener, order, date=dt.date.today() - dt.timedelta(days=3))
        )
        missing = self.error_of(self.send_ticket(opener, order, reference="Order 99999-999-9999"))
        self.assertTrue(missing)
        self.assertEqual(wrong_total.encode(), missing.encode())
        self.assertEqual(wrong_date.encode(), missing.encode())
        self.assertNotIn(order.pos_reference, missing)

    def test_rate_limit_per_ip_and_per_ticket(self):
        self.env["ir.config_parameter"].set_param(
            "l10n_mx_einvoice_pos_self_invoice.ip_limit", "3/15"
        )
        order = self.ticket()
        opener = self.visitor()
        for _attempt in range(3):
            page = self.send_ticket(opener, order, total=1)
            self.assertIn("found no paid ticket", self.error_of(page))
        # the right data is refused too while the visitor is blocked: no oracle by retrying
        page = self.send_ticket(opener, order)
        self.assertIn("Too many attempts", self.error_of(page))
        self.assertNotIn("o_l10n_mx_self_invoice_rfc", page)
        # the ticket's own limit holds from any address
        self.env["ir.config_parameter"].set_param(
            "l10n_mx_einvoice_pos_self_invoice.ticket_limit", "3/60"
        )
        attempts = self.env["l10n_mx_einvoice.self_invoice.attempt"].sudo()
        attempts.search([]).write({"ip": "203.0.113.9"})  # as if from another address
        page = self.send_ticket(opener, order)
        self.assertIn("Too many attempts", self.error_of(page))
        # another ticket from this address is free again
        page = self.send_ticket(opener, self.ticket())
        self.assertIn("o_l10n_mx_self_invoice_rfc", page, self.error_of(page))

    def test_ticket_outside_the_window_in_a_global_or_invoiced_is_refused(self):
        order = self.ticket()
        self.company.l10n_mx_einvoice_self_invoice_days = 5
        order.date_order = order.date_order - dt.timedelta(days=6)
        page = self.send_ticket(self.visitor(), order)
        self.assertIn("up to 5 days", self.error_of(page))

        # in a global invoice not stamped yet: refused (a stamped one is not, see below)
        in_global = self.ticket()
        in_global.l10n_mx_einvoice_global_document_id = (
            self.env["l10n_mx_einvoice.document"]
            .sudo()
            .create({"kind": "stamp", "state": "pending", "company_id": self.company.id})
        )
        page = self.send_ticket(self.visitor(), in_global)
        self.assertIn("global invoice", self.error_of(page))
        self.assertIn("still being stamped", self.error_of(page))
        self.assertFalse(in_global.sudo().l10n_mx_einvoice_egreso_document_ids)

    def test_ticket_in_a_stamped_global_gets_its_egreso_then_its_invoice(self):
        """SAT's Guía de llenado del CFDI global, Apéndice 2: the page issues the CFDI de
        egreso related (01) to the global invoice, then the customer's invoice."""
        order = self.ticket(quantity=3)
        request = self.env["l10n_mx_einvoice.global.invoice"].create(
            {
                "periodicidad": "04",
                "date_from": self.company._l10n_mx_einvoice_local_today().replace(day=1),
            }
        )
        request.pos_order_ids = order
        request.action_create_global_invoice()
        holder = order.l10n_mx_einvoice_global_document_id
        self.assertEqual(holder.state, "stamped", holder.message)
        page = self.self_invoice(self.visitor(), order, NEW_CUSTOMER)
        self.assertIn("o_l10n_mx_self_invoice_done", page, page[-3000:])
        order.invalidate_recordset()
        egreso = order.l10n_mx_einvoice_global_egreso_id
        self.assertEqual(egreso.state, "stamped", egreso.message)
        xml = egreso.attachment_id.raw
        self.assertSatValid(xml)
        root = etree.fromstring(xml)
        ns = {"cfdi": "http://www.sat.gob.mx/cfd/4"}
        self.assertEqual(root.get("TipoDeComprobante"), "E")
        self.assertEqual(root.get("Total"), f"{order.amount_total:.2f}")
        related = root.find("cfdi:CfdiRelacionados", ns)
        self.assertEqual(related.get("TipoRelacion"), "01")
        self.assertEqual(related.find("cfdi:CfdiRelacionado", ns).get("UUID"), holder.uuid)
        self.assertEqual(root.find("cfdi:Receptor", ns).get("Rfc"), "XAXX010101000")
        move = order.account_move
        self.assertEqual(move.l10n_mx_einvoice_state, "stamped", move.l10n_mx_einvoice_message)
        self.assertIn(move.l10n_mx_einvoice_uuid, page)
        self.assertSatValid(move.l10n_mx_einvoice_attachment_id.raw)
        # the same ticket again: invoiced, no second egreso
        page = self.send_ticket(self.visitor(), order)
        self.assertIn("already invoiced", self.error_of(page))
        self.assertEqual(order.sudo().l10n_mx_einvoice_egreso_document_ids, egreso)

    # --- a ticket turned into a CFDI ---------------------------------------------------------

    def test_new_customer_self_invoices_and_gets_a_valid_cfdi(self):
        order = self.ticket(quantity=2)
        opener = self.visitor()
        page = self.self_invoice(opener, order, NEW_CUSTOMER)
        self.assertIn("o_l10n_mx_self_invoice_done", page, page[-3000:])
        order.invalidate_recordset()
        move = order.account_move
        self.assertEqual(move.l10n_mx_einvoice_state, "stamped", move.l10n_mx_einvoice_message)
        self.assertIn(move.l10n_mx_einvoice_uuid, page)
        partner = move.partner_id
        self.assertEqual(
            (partner.vat, partner.name, partner.zip, partner.company_id),
            ("CACX7605101P8", "XOCHILT CASAS CHÁVEZ", "10740", self.company),
        )
        # the XML link of the page serves the stamped CFDI to the anonymous visitor
        href = self.hidden_href(page, "o_l10n_mx_self_invoice_xml")
        xml = self.get(opener, href).content
        self.assertEqual(xml, move.l10n_mx_einvoice_attachment_id.raw)
        self.assertSatValid(xml)
        receptor = etree.fromstring(xml).find("{http://www.sat.gob.mx/cfd/4}Receptor")
        self.assertEqual(receptor.get("Rfc"), "CACX7605101P8")
        self.assertEqual(receptor.get("UsoCFDI"), "G03")
        self.assertEqual(receptor.get("DomicilioFiscalReceptor"), "10740")
        self.assertEqual(receptor.get("RegimenFiscalReceptor"), "612")
        # the same ticket again: invoiced
        page = self.send_ticket(self.visitor(), order)
        self.assertIn("already invoiced", self.error_of(page))

    def test_known_rfc_needs_the_data_on_file_and_shows_none_of_it(self):
        order = self.ticket()
        opener = self.visitor()
        page = self.send_ticket(opener, order)
        page = self.submit(
            opener, page, RFC, {"token": self.hidden(page, "token"), "rfc": "XIA190128J61"}
        )
        self.assertIn("o_l10n_mx_self_invoice_known", page)
        for secret in (self.customer.name, self.customer.zip, self.customer.email):
            self.assertNotIn(secret, page)
        token = self.hidden(page, "token")
        wrong = self.submit(
            opener,
            page,
            INVOICE,
            {"token": token, "rfc": "XIA190128J61", "name": "OTRA", "zip": "76343", "uso": "G01"},
        )
        self.assertIn("does not match", wrong)
        self.assertFalse(order.account_move)
        done = self.submit(
            opener,
            page,
            INVOICE,
            {
                "token": token,
                "rfc": "XIA190128J61",
                "name": "Xenon Industrial Articles",
                "zip": "76343",
                "uso": "G01",
            },
        )
        self.assertIn("o_l10n_mx_self_invoice_done", done)
        order.invalidate_recordset()
        self.assertEqual(order.account_move.partner_id, self.customer)
        self.assertEqual(order.account_move.l10n_mx_einvoice_uso_cfdi, "G01")
        self.assertSatValid(order.account_move.l10n_mx_einvoice_attachment_id.raw)

    def test_bad_fiscal_data_is_refused_with_the_back_office_checks(self):
        order = self.ticket()
        bad = {**NEW_CUSTOMER, "regimen": "601"}  # régimen of companies for a person's RFC
        page = self.self_invoice(self.visitor(), order, bad)
        self.assertIn("o_l10n_mx_self_invoice_errors", page)
        self.assertIn("601", page)
        self.assertFalse(order.account_move)
        self.assertFalse(self.env["res.partner"].search([("vat", "=", "CACX7605101P8")]))

    def test_forged_token_is_refused(self):
        order = self.ticket()
        opener = self.visitor()
        page = self.send_ticket(opener, order)
        token = self.hidden(page, "token")
        other = self.ticket()
        forged = token.replace(str(order.id), str(other.id), 1)
        page = self.submit(opener, page, RFC, {"token": forged, "rfc": "XIA190128J61"})
        self.assertIn("expired", self.error_of(page))

    # --- the main addon's portal: the XML of the invoices ------------------------------------

    def test_portal_xml_for_the_owner_only(self):
        order = self.ticket()
        self.self_invoice(self.visitor(), order, NEW_CUSTOMER)
        order.invalidate_recordset()
        move = order.account_move
        owner = new_test_user(  # the customer's portal user
            self.env,
            login="xochilt",
            password="xochilt",
            groups="base.group_portal",
            partner_id=move.partner_id.id,
        )
        stranger = new_test_user(
            self.env, login="stranger", password="stranger", groups="base.group_portal"
        )
        listing = self.get(self.opener_of(owner), "/my/invoices").text
        self.assertIn(f"/my/invoices/{move.id}/cfdi_xml", listing)
        xml = self.get(self.opener_of(owner), f"/my/invoices/{move.id}/cfdi_xml").content
        self.assertEqual(xml, move.l10n_mx_einvoice_attachment_id.raw)
        response = self.opener_of(stranger).get(
            f"{self.base_url}/my/invoices/{move.id}/cfdi_xml", timeout=60
        )
        self.assertEqual(response.status_code, 404)
        self.assertNotIn(b"cfdi:Comprobante", response.content)
        bad_token = self.visitor().get(
            f"{self.base_url}/my/invoices/{move.id}/cfdi_xml?access_token=nope", timeout=60
        )
        self.assertEqual(bad_token.status_code, 404)

    @staticmethod
    def hidden_href(page, css_class):
        import re

        found = re.search(rf'class="[^"]*{css_class}[^"]*"\s+href="([^"]+)"', page)
        return found.group(1).replace("&amp;", "&")
