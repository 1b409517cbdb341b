import base64
from decimal import Decimal as D
from unittest.mock import patch

from odoo import Command
from odoo.addons.l10n_mx_einvoice.cfdi import xml as cfdi_xml
from odoo.addons.l10n_mx_einvoice.cfdi.pac import Unavailable
from odoo.addons.l10n_mx_einvoice.tests.common import (
    CfdiOracleMixin,
    FlowFixtures,
    L10nMxEinvoiceCommon,
)
from odoo.exceptions import UserError, ValidationError
from odoo.tests import tagged

from .common import refund_data, setup_shop, sync, ticket_data


@tagged("post_install", "-at_install")
class TestPosCfdi(CfdiOracleMixin, FlowFixtures, L10nMxEinvoiceCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.setup_flow()
        cls.product_0 = cls.product_b
        cls.product_0.taxes_id = [Command.set(cls.tax_0.ids)]
        cls.config, cls.session, cls.cash, cls.card = setup_shop(cls.env, cls.company, cls.product)
        cls.product_0.available_in_pos = True

    def ticket(self, lines, **kwargs):
        orders, _answer = sync(self.env, ticket_data(self.session, lines, **kwargs))
        return orders

    def global_request(self, **vals):
        return self.env["l10n_mx_einvoice.global.invoice"].create(
            {"periodicidad": "04", "date_from": self.today().replace(day=1), **vals}
        )

    def today(self):
        return self.company._l10n_mx_einvoice_local_today()

    # --- at the counter -------------------------------------------------------------

    def test_payment_methods_map_to_sat_forms_of_payment(self):
        self.assertEqual(self.cash.l10n_mx_einvoice_forma_pago, "01")
        self.assertEqual(self.card.l10n_mx_einvoice_forma_pago, "04")
        fields = self.env["res.partner"]._load_pos_data_fields(self.config.id)
        self.assertIn("l10n_mx_einvoice_regimen_fiscal", fields)
        self.assertIn("l10n_mx_einvoice_uso_cfdi", fields)

    def test_counter_partner_checked_as_in_the_back_office(self):
        """The POS customer editor saves through res.partner: the same constraints."""
        with self.assertRaises(ValidationError):
            self.env["res.partner"].create(
                {
                    "name": "CLIENTE MOSTRADOR",
                    "country_id": self.env.ref("base.mx").id,
                    "vat": "XIA190128J61",
                    "zip": "76343",
                    "l10n_mx_einvoice_regimen_fiscal": "605",  # a person's régimen, RFC moral
                }
            )
        view = self.env.ref("point_of_sale.res_partner_action_edit_pos").view_id
        arch = self.env["res.partner"].get_view(view.id, "form")["arch"]
        self.assertIn('name="l10n_mx_einvoice_regimen_fiscal"', arch)
        self.assertIn('name="l10n_mx_einvoice_uso_cfdi"', arch)

    def test_ticket_to_invoice_is_stamped_when_paid(self):
        self.customer.email = "cliente@example.com"
        data = ticket_data(
            self.session,
            [(self.product, 2, 150.0, None)],
            partner=self.customer,
            to_invoice=True,
            payments=[(self.card, 0.75), (self.cash, 0.25)],
        )
        orders, answer = sync(self.env, data)
        invoice = orders.account_move
        self.assertEqual(orders.state, "invoiced")
        self.assertEqual(
            invoice.l10n_mx_einvoice_state, "stamped", invoice.l10n_mx_einvoice_message
        )
        self.assertEqual(
            (invoice.l10n_mx_einvoice_forma_pago, invoice.l10n_mx_einvoice_metodo_pago),
            ("04", "PUE"),
        )
        xml = invoice.l10n_mx_einvoice_attachment_id.raw
        self.assertSatValid(xml)
        self.assertCliValid(xml)
        comprobante = cfdi_xml.from_bytes(xml)
        self.assertEqual(comprobante.receptor.rfc, "XIA190128J61")
        self.assertEqual(comprobante.total, D("348.00"))
        # the receipt's data from the server carries the UUID
        self.assertEqual(
            answer["pos.order"][0]["l10n_mx_einvoice_uuid"], invoice.l10n_mx_einvoice_uuid
        )
        # Odoo's invoice mail (Send & Print) went to the customer with the XML and the PDF
        mailed = invoice.message_ids.filtered(lambda m: self.customer in m.partner_ids)
        self.assertTrue(mailed, "the invoice was not mailed to the customer")
        self.assertIn(xml, mailed.attachment_ids.mapped("raw"))
        self.assertTrue(mailed.attachment_ids.filtered(lambda a: a.mimetype == "application/pdf"))
        # the receipt mailed to the customer carries the XML (and Odoo's invoice PDF)
        attachments = orders._add_mail_attachment("T", base64.b64encode(b"jpg"), False)
        sent = self.env["ir.attachment"].browse([command[1] for command in attachments])
        xml_sent = sent.filtered(lambda a: a.mimetype == "application/xml")
        self.assertEqual(xml_sent.raw, xml)
        self.assertTrue(sent.filtered(lambda a: a.name == "T.pdf"))
        # an invoiced ticket is not invoiceable again nor in the global invoice
        self.assertFalse(orders._l10n_mx_einvoice_invoiceable())
        self.assertNotIn(orders, self.global_request().pos_order_ids)

    def test_pac_down_queues_the_invoice_and_the_cron_stamps_it(self):
        connector = self.stamp_account._get_connector()
        down = Unavailable("Servicio no disponible (prueba).", "Service unavailable (test).")
        with (
            patch.object(connector, "stamp", side_effect=down),
            patch.object(connector, "find_stamped", return_value=None),
        ):
            orders = self.ticket(
                [(self.product, 1, 99.0, None)], partner=self.customer, to_invoice=True
            )
        invoice = orders.account_move
        self.assertEqual(orders.state, "invoiced")  # the order is kept, paid and invoiced
        self.assertEqual(invoice.state, "posted")
        self.assertEqual(invoice.l10n_mx_einvoice_state, "to_stamp")
        pending = invoice.l10n_mx_einvoice_document_ids.filtered(lambda d: d.state == "pending")
        self.assertEqual(len(pending), 1)
        self.env["l10n_mx_einvoice.document"]._cron_stamp()
        self.assertEqual(
            invoice.l10n_mx_einvoice_state, "stamped", invoice.l10n_mx_einvoice_message
        )
        self.assertEqual(pending.state, "stamped")  # the same signed XML, not sealed again
        xml = invoice.l10n_mx_einvoice_attachment_id.raw
        self.assertSatValid(xml)
        # stamped late, the invoice is mailed late, with its XML
        self.assertTrue(invoice.is_move_sent)
        mailed = invoice.message_ids.filtered(lambda m: self.customer in m.partner_ids)
        self.assertIn(xml, mailed.attachment_ids.mapped("raw"))

    def test_refused_cfdi_keeps_the_order(self):
        """A customer without régimen: the PAC is not called, the order stays invoiced and
        the invoice says why."""
        self.customer.l10n_mx_einvoice_regimen_fiscal = False
        orders = self.ticket(
            [(self.product, 1, 50.0, None)], partner=self.customer, to_invoice=True
        )
        self.assertEqual(orders.state, "invoiced")
        self.assertFalse(orders.account_move.l10n_mx_einvoice_uuid)
        self.assertTrue(orders.account_move.l10n_mx_einvoice_problems)

    # --- the global invoice of the tickets ---------------------------------------------

    def test_global_invoice_of_tickets_with_refunds(self):
        first = self.ticket([(self.product, 1, 100.0, None)], payments=[(self.card, 1.0)])
        zero_rate = self.ticket([(self.product_0, 1, 250.0, None), (self.product, 1, 10.0, None)])
        returned = self.ticket([(self.product, 1, 40.0, None)])
        partly = self.ticket([(self.product, 2, 60.0, None)])
        invoiced = self.ticket(
            [(self.product, 1, 70.0, None)], partner=self.customer, to_invoice=True
        )
        refund_all, _answer = sync(self.env, refund_data(self.session, returned))
        line = partly.lines
        refund_part, _answer = sync(self.env, refund_data(self.session, partly, {line.id: 1}))
        request = self.global_request()
        tickets = first | zero_rate | returned | partly | refund_all | refund_part
        self.assertEqual(request.pos_order_ids, tickets)
        self.assertNotIn(invoiced, request.pos_order_ids)
        request.action_create_global_invoice()
        holder = first.l10n_mx_einvoice_global_document_id
        self.assertEqual(holder.state, "stamped", holder.message)
        self.assertEqual(holder.pos_order_ids, tickets)
        xml = holder.attachment_id.raw
        self.assertSatValid(xml)
        self.assertCliValid(xml)
        c = cfdi_xml.from_bytes(xml)
        self.assertEqual(c.receptor.rfc, "XAXX010101000")
        self.assertEqual(c.forma_pago, "01")  # cash is the largest amount
        conceptos = {x.no_identificacion: x for x in c.conceptos}
        # the ticket refunded in full is left out; the partial refund is netted
        self.assertEqual(
            set(conceptos), {first.pos_reference, zero_rate.pos_reference, partly.pos_reference}
        )
        self.assertEqual(conceptos[partly.pos_reference].importe, D("60.00"))
        self.assertEqual(
            {
                (t.tasa_o_cuota, t.base)
                for t in conceptos[zero_rate.pos_reference].impuestos.traslados
            },
            {(D("0.000000"), D("250.00")), (D("0.160000"), D("10.00"))},
        )
        for concepto in c.conceptos:
            self.assertEqual((concepto.clave_prod_serv, concepto.clave_unidad), ("01010101", "ACT"))
        self.assertEqual(c.total, D("116.00") + D("261.60") + D("69.60"))
        # nothing left for a second global invoice; forcing a ticket in is refused
        self.assertFalse(self.global_request().pos_order_ids)
        again = self.global_request()
        again.pos_order_ids = first
        with self.assertRaisesRegex(UserError, "already belong to a global invoice"):
            again.action_create_global_invoice()
        self.assertFalse(first._l10n_mx_einvoice_invoiceable())
        # a cancelled global invoice frees its tickets
        holder._cancel("02")
        self.assertEqual(holder.state, "cancelled", holder.message)
        self.assertTrue(first._l10n_mx_einvoice_invoiceable())
        self.assertEqual(self.global_request().pos_order_ids, tickets)

    def test_ticket_in_a_stamped_global_gets_an_egreso_then_its_invoice(self):
        """SAT's Guía de llenado del CFDI global, Apéndice 2: a CFDI de egreso to público
        en general related (01) to the global invoice takes the ticket out, then the
        ticket gets its own invoice; once."""
        sold = self.ticket(
            [(self.product_0, 1, 250.0, None), (self.product, 2, 50.0, None)],
            payments=[(self.card, 1.0)],
        )
        other = self.ticket([(self.product, 1, 30.0, None)])
        request = self.global_request()
        request.pos_order_ids = sold | other
        request.action_create_global_invoice()
        holder = sold.l10n_mx_einvoice_global_document_id
        self.assertEqual(holder.state, "stamped", holder.message)
        in_global = {
            c.no_identificacion: c for c in cfdi_xml.from_bytes(holder.attachment_id.raw).conceptos
        }[sold.pos_reference]
        sold.partner_id = self.customer
        # a refused egreso (no place of issue): nothing sent, no invoice, the ticket named
        partner = self.company.partner_id
        zip_code, partner.zip = partner.zip, False
        with self.assertRaisesRegex(UserError, f"egreso of the ticket {sold.name}"):
            sold.action_pos_order_invoice()
        partner.zip = zip_code
        self.assertFalse(sold.account_move)
        self.assertFalse(sold.l10n_mx_einvoice_egreso_document_ids)
        # the PAC is down: no egreso stamped, no invoice, a clear message; the signed
        # egreso stays pending (nothing lost)
        connector = self.stamp_account._get_connector()
        down = Unavailable("Servicio no disponible (prueba).", "Service unavailable (test).")
        with (
            patch.object(connector, "stamp", side_effect=down),
            patch.object(connector, "find_stamped", return_value=None),
            self.assertRaisesRegex(UserError, "CFDI de egreso"),
        ):
            sold.action_pos_order_invoice()
        self.assertFalse(sold.account_move)
        self.assertTrue(sold._l10n_mx_einvoice_in_global())
        pending = sold.l10n_mx_einvoice_egreso_document_ids
        self.assertEqual(pending.mapped("state"), ["pending"])
        # the PAC answers: the same egreso (its XML sent again), then the invoice
        sold.action_pos_order_invoice()
        egreso = sold.l10n_mx_einvoice_global_egreso_id
        self.assertEqual(egreso, pending)
        self.assertEqual(egreso.state, "stamped", egreso.message)
        self.assertEqual(egreso.document_type, "global_egreso")
        self.assertFalse(egreso.move_id)  # fiscal only: the session booked the sale
        self.assertTrue(egreso.display_name.startswith(f"{sold.name} · "), egreso.display_name)
        xml = egreso.attachment_id.raw
        self.assertSatValid(xml)
        self.assertCliValid(xml)
        c = cfdi_xml.from_bytes(xml)
        self.assertEqual((c.tipo_de_comprobante, c.metodo_pago, c.forma_pago), ("E", "PUE", "04"))
        self.assertEqual(
            [(r.tipo_relacion, r.uuids) for r in c.cfdi_relacionados], [("01", [holder.uuid])]
        )
        r = c.receptor
        self.assertEqual(
            (r.rfc, r.nombre, r.regimen_fiscal, r.uso_cfdi, r.domicilio_fiscal),
            ("XAXX010101000", "PUBLICO EN GENERAL", "616", "S01", c.lugar_expedicion),
        )
        info = c.informacion_global
        self.assertEqual(
            (info.periodicidad, info.meses, info.anio),
            (holder.periodicidad, holder.meses, holder.anio),
        )
        [concepto] = c.conceptos
        self.assertEqual(
            (concepto.clave_prod_serv, concepto.clave_unidad, concepto.no_identificacion),
            ("84111506", "ACT", sold.pos_reference),
        )
        self.assertEqual(concepto.importe, in_global.importe)
        self.assertEqual(
            {(t.tasa_o_cuota, t.base, t.importe) for t in concepto.impuestos.traslados},
            {(t.tasa_o_cuota, t.base, t.importe) for t in in_global.impuestos.traslados},
        )
        self.assertEqual(c.total, D("366.00"))
        self.assertEqual(c.total, D(str(sold.amount_total)))
        # then the ticket's own invoice, to the customer
        invoice = sold.account_move
        self.assertEqual(
            invoice.l10n_mx_einvoice_state, "stamped", invoice.l10n_mx_einvoice_message
        )
        self.assertSatValid(invoice.l10n_mx_einvoice_attachment_id.raw)
        self.assertEqual(invoice.partner_id, self.customer)
        self.assertFalse(sold._l10n_mx_einvoice_in_global())
        self.assertTrue(other._l10n_mx_einvoice_in_global())  # the others stay in it
        # asked again: nothing more is issued
        sold.action_pos_order_invoice()
        documents = self.env["l10n_mx_einvoice.document"].sudo()
        self.assertFalse(documents._stamp(sold))
        self.assertEqual(documents.search([("pos_egreso_order_id", "=", sold.id)]), egreso)
        self.assertEqual(sold.account_move, invoice)

    def test_ticket_in_a_pending_global_is_refused(self):
        sold = self.ticket([(self.product, 1, 30.0, None)])
        pending = (
            self.env["l10n_mx_einvoice.document"]
            .sudo()
            .create({"kind": "stamp", "document_type": "global", "company_id": self.company.id})
        )
        sold.sudo().write({"l10n_mx_einvoice_global_document_id": pending.id})
        sold.partner_id = self.customer
        with self.assertRaisesRegex(UserError, "not stamped yet"):
            sold.action_pos_order_invoice()
        self.assertFalse(sold.account_move)
        self.assertFalse(sold.l10n_mx_einvoice_egreso_document_ids)

    def test_orphan_refund_is_refused(self):
        sold = self.ticket([(self.product, 1, 30.0, None)])
        self.global_request().action_create_global_invoice()
        refund, _answer = sync(self.env, refund_data(self.session, sold))
        self.assertFalse(self.global_request().pos_order_ids)  # not netted into anything
        request = self.global_request()
        request.pos_order_ids = refund
        with self.assertRaisesRegex(UserError, "credit note"):
            request.action_create_global_invoice()

    def test_writing_a_taken_ticket_is_refused(self):
        sold = self.ticket([(self.product, 1, 30.0, None)])
        self.global_request().action_create_global_invoice()
        other = (
            self.env["l10n_mx_einvoice.document"]
            .sudo()
            .create({"kind": "stamp", "document_type": "global", "company_id": self.company.id})
        )
        with self.assertRaisesRegex(UserError, "already belong"):
            sold.sudo().write({"l10n_mx_einvoice_global_document_id": other.id})

    def test_cron_issues_the_closed_period(self):
        import datetime as dt

        from ..models.res_company import closed_period

        day = dt.date(2026, 3, 10)
        self.assertEqual(closed_period("01", day), (dt.date(2026, 3, 9), dt.date(2026, 3, 9), "03"))
        self.assertEqual(closed_period("02", day), (dt.date(2026, 3, 2), dt.date(2026, 3, 8), "03"))
        self.assertEqual(
            closed_period("03", day), (dt.date(2026, 2, 16), dt.date(2026, 2, 28), "02")
        )
        self.assertEqual(
            closed_period("04", day), (dt.date(2026, 2, 1), dt.date(2026, 2, 28), "02")
        )
        self.assertEqual(
            closed_period("05", day), (dt.date(2026, 1, 1), dt.date(2026, 2, 28), "13")
        )
        self.assertEqual(closed_period("05", dt.date(2026, 1, 5))[2], "18")
        sold = self.ticket([(self.product, 1, 30.0, None)])
        self.company.l10n_mx_einvoice_pos_global_periodicity = "01"
        tomorrow = self.today() + dt.timedelta(days=1)
        with patch.object(
            type(self.company), "_l10n_mx_einvoice_local_today", return_value=tomorrow
        ):
            self.env["pos.order"]._cron_l10n_mx_einvoice_global()
        holder = sold.l10n_mx_einvoice_global_document_id
        self.assertEqual(holder.state, "stamped", holder.message)
        self.assertEqual((holder.periodicidad, holder.meses), ("01", f"{self.today().month:02d}"))
