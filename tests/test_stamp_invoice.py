import datetime as dt
from decimal import Decimal
from unittest.mock import patch

import psycopg2
from odoo import Command
from odoo.addons.l10n_mx_einvoice.cfdi import rules
from odoo.addons.l10n_mx_einvoice.cfdi import xml as cfdi_xml
from odoo.addons.l10n_mx_einvoice.cfdi.pac.base import AuthenticationFailed
from odoo.exceptions import UserError
from odoo.tests import tagged
from odoo.tools import mute_logger

from .common import CfdiOracleMixin, FlowFixtures, L10nMxEinvoiceCommon, load_spanish


@tagged("post_install", "-at_install")
class TestStampInvoice(CfdiOracleMixin, FlowFixtures, L10nMxEinvoiceCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.setup_flow()

    # --- helpers --------------------------------------------------------------------

    def stamp(self, move):
        move.action_l10n_mx_einvoice_stamp()
        self.assertEqual(move.l10n_mx_einvoice_state, "stamped", move.l10n_mx_einvoice_message)
        xml = move.l10n_mx_einvoice_attachment_id.raw
        self.assertEqual(rules.validate(xml), [])
        comprobante = cfdi_xml.from_bytes(xml)
        self.assertEqual(comprobante.complemento.timbre.uuid, move.l10n_mx_einvoice_uuid)
        self.assertEqual(
            comprobante.total, Decimal(str(move.amount_total)).quantize(Decimal("0.01"))
        )
        return comprobante

    def set_provider(self, provider, url=False):
        self.stamp_account.write({"provider": provider, "url": url})

    def credits_used(self):
        return self.env["l10n_mx_einvoice.credit.move"].search_count(
            [("account_id", "=", self.stamp_account.id), ("kind", "=", "stamp")]
        )

    def assert_nothing_stamped(self, move, used_before):
        self.assertFalse(move.l10n_mx_einvoice_uuid)
        self.assertFalse(move.l10n_mx_einvoice_document_ids)
        self.assertEqual(self.credits_used(), used_before)

    # --- happy paths ------------------------------------------------------------------

    def test_mxn_invoice(self):
        move = self.make_invoice([{"price_unit": 1234.56, "quantity": 1.0}])
        self.assertEqual(move.l10n_mx_einvoice_state, "to_stamp")
        used = self.credits_used()
        c = self.stamp(move)
        self.assertEqual(c.moneda, "MXN")
        self.assertIsNone(c.tipo_cambio)
        self.assertEqual(c.tipo_de_comprobante, "I")
        self.assertEqual(c.emisor.rfc, "EKU9003173C9")
        self.assertEqual(c.receptor.rfc, "XIA190128J61")
        self.assertEqual(c.receptor.uso_cfdi, "G03")
        self.assertEqual(c.lugar_expedicion, "42501")
        self.assertEqual(c.conceptos[0].clave_prod_serv, "43211507")
        self.assertEqual(c.conceptos[0].clave_unidad, "H87")
        self.assertEqual(c.subtotal, Decimal("1234.56"))
        self.assertEqual(c.impuestos.total_trasladados, Decimal("197.53"))
        self.assertEqual(self.credits_used(), used + 1)
        document = move.l10n_mx_einvoice_document_ids
        self.assertEqual(len(document), 1)
        self.assertEqual(document.state, "stamped")
        self.assertEqual(len(document.digest), 64)
        self.assertTrue(document.signed_xml)

    def test_attachment_name_and_immutable(self):
        move = self.make_invoice()
        self.stamp(move)
        attachment = move.l10n_mx_einvoice_attachment_id
        serie, folio = self.env["l10n_mx_einvoice.builder.invoice"]._serie_folio(move)
        self.assertEqual(
            attachment.name, f"EKU9003173C9-{serie}{folio}-{move.l10n_mx_einvoice_uuid}.xml"
        )
        self.assertEqual((attachment.res_model, attachment.res_id), ("account.move", move.id))
        with self.assertRaises(UserError):
            attachment.unlink()
        with self.assertRaises(UserError):
            attachment.write({"raw": b"<x/>"})

    def test_usd_invoice_tipo_cambio(self):
        usd = self.env.ref("base.USD")
        usd.active = True
        self.env["res.currency.rate"].create(
            {
                "currency_id": usd.id,
                "company_id": self.company.id,
                "name": dt.date.today() - dt.timedelta(days=1),
                "inverse_company_rate": 17.2534,
            }
        )
        move = self.make_invoice(
            [{"price_unit": 100.0}], currency=usd, invoice_date=dt.date.today()
        )
        c = self.stamp(move)
        self.assertEqual(c.moneda, "USD")
        self.assertEqual(c.tipo_cambio, Decimal("17.253400"))
        self.assertEqual(c.total, Decimal("116.00"))

    def test_foreign_customer_with_its_tax_id(self):
        foreign = self.env["res.partner"].create(
            {
                "name": "ACME TRADING LLC",
                "is_company": True,
                "country_id": self.env.ref("base.us").id,
                "vat": "123456789",
                "zip": "10001",
            }
        )
        move = self.make_invoice(
            [{"price_unit": 500.0, "tax_ids": [Command.set(self.tax_0.ids)]}], partner_id=foreign.id
        )
        c = self.stamp(move)
        self.assertSatValid(move.l10n_mx_einvoice_attachment_id.raw)
        receptor = c.receptor
        self.assertEqual(
            (receptor.rfc, receptor.residencia_fiscal, receptor.num_reg_id_trib),
            ("XEXX010101000", "USA", "123456789"),
        )
        self.assertEqual(
            (receptor.regimen_fiscal, receptor.uso_cfdi, receptor.domicilio_fiscal),
            ("616", "S01", "42501"),
        )

    def test_discount(self):
        move = self.make_invoice([{"price_unit": 200.0, "quantity": 3.0, "discount": 10.0}])
        c = self.stamp(move)
        self.assertEqual(c.conceptos[0].importe, Decimal("600.00"))
        self.assertEqual(c.conceptos[0].descuento, Decimal("60.00"))
        self.assertEqual(c.descuento, Decimal("60.00"))
        self.assertEqual(c.total, Decimal("626.40"))

    def test_iva_rates_and_exento(self):
        move = self.make_invoice(
            [
                {"price_unit": 100.0, "tax_ids": [Command.set(self.tax_16.ids)]},
                {"price_unit": 100.0, "tax_ids": [Command.set(self.tax_8.ids)]},
                {"price_unit": 100.0, "tax_ids": [Command.set(self.tax_0.ids)]},
                {"price_unit": 100.0, "tax_ids": [Command.set(self.tax_exento.ids)]},
            ]
        )
        c = self.stamp(move)
        factors = sorted(
            (t.tipo_factor, t.tasa_o_cuota) for cp in c.conceptos for t in cp.impuestos.traslados
        )
        self.assertEqual(
            factors,
            [
                ("Exento", None),
                ("Tasa", Decimal("0.000000")),
                ("Tasa", Decimal("0.080000")),
                ("Tasa", Decimal("0.160000")),
            ],
        )
        self.assertEqual(c.impuestos.total_trasladados, Decimal("24.00"))
        self.assertEqual(c.total, Decimal("424.00"))

    def test_ieps(self):
        move = self.make_invoice(
            [{"price_unit": 100.0, "tax_ids": [Command.set((self.tax_ieps_8 | self.tax_16).ids)]}]
        )
        c = self.stamp(move)
        traslados = {t.impuesto: t for t in c.conceptos[0].impuestos.traslados}
        self.assertEqual(traslados["003"].importe, Decimal("8.00"))
        self.assertEqual(traslados["002"].base, Decimal("108.00"))  # IEPS is part of IVA's base
        self.assertEqual(c.total, Decimal(str(move.amount_total)))

    def test_withholdings(self):
        move = self.make_invoice(
            [
                {
                    "price_unit": 1000.0,
                    "tax_ids": [
                        Command.set((self.tax_16 | self.tax_ret_iva | self.tax_ret_isr).ids)
                    ],
                }
            ]
        )
        c = self.stamp(move)
        retenciones = {r.impuesto: r.importe for r in c.impuestos.retenciones}
        self.assertEqual(retenciones, {"001": Decimal("100.00"), "002": Decimal("106.67")})
        self.assertEqual(c.total, Decimal("953.33"))  # 1000 + 160 - 106.67 - 100

    def test_credit_note_related_01(self):
        invoice = self.make_invoice([{"price_unit": 500.0}])
        self.stamp(invoice)
        wizard = (
            self.env["account.move.reversal"]
            .with_context(active_model="account.move", active_ids=invoice.ids)
            .create({"reason": "devolución", "journal_id": invoice.journal_id.id})
        )
        refund = self.env["account.move"].browse(wizard.refund_moves()["res_id"])
        refund.action_post()
        c = self.stamp(refund)
        self.assertEqual(c.tipo_de_comprobante, "E")
        self.assertEqual(c.cfdi_relacionados[0].tipo_relacion, "01")
        self.assertEqual(c.cfdi_relacionados[0].uuids, [invoice.l10n_mx_einvoice_uuid])

    def test_credit_note_selected_with_its_invoice_is_related_to_it(self):
        invoice = self.make_invoice([{"price_unit": 500.0}])
        wizard = (
            self.env["account.move.reversal"]
            .with_context(active_model="account.move", active_ids=invoice.ids)
            .create({"reason": "devolución", "journal_id": invoice.journal_id.id})
        )
        refund = self.env["account.move"].browse(wizard.refund_moves()["res_id"])
        refund.action_post()
        (refund | invoice).action_l10n_mx_einvoice_stamp()  # the credit note first in the selection
        self.assertEqual(set((refund | invoice).mapped("l10n_mx_einvoice_state")), {"stamped"})
        c = cfdi_xml.from_bytes(refund.l10n_mx_einvoice_attachment_id.raw)
        self.assertEqual(c.cfdi_relacionados[0].uuids, [invoice.l10n_mx_einvoice_uuid])

    def test_total_equals_amount_total_round_globally(self):
        # 3 x 10.03 at 16%: per line 1.6048 -> 1.60 (4.80), globally 30.09 x 16% = 4.81.
        self.assertEqual(self.company.tax_calculation_rounding_method, "round_globally")
        move = self.make_invoice([{"price_unit": 10.03}] * 3)
        self.assertEqual(move.amount_tax, 4.81)
        c = self.stamp(move)
        self.assertEqual(c.impuestos.total_trasladados, Decimal("4.81"))
        self.assertEqual(
            sorted(t.importe for cp in c.conceptos for t in cp.impuestos.traslados),
            [Decimal("1.60"), Decimal("1.60"), Decimal("1.61")],
        )
        self.assertEqual(c.total, Decimal("34.90"))

    def test_total_equals_amount_total_round_per_line(self):
        self.company.tax_calculation_rounding_method = "round_per_line"
        move = self.make_invoice([{"price_unit": 10.03}] * 3)
        self.assertEqual(move.amount_tax, 4.80)
        c = self.stamp(move)
        self.assertEqual(c.total, Decimal("34.89"))

    # --- problems before the PAC ---------------------------------------------------------

    def assert_refused(self, move, *fragments):
        used = self.credits_used()
        with self.assertRaises(UserError) as caught:
            move.action_l10n_mx_einvoice_stamp()
        message = str(caught.exception.args[0])
        for fragment in fragments:
            self.assertIn(fragment, message)
        self.assert_nothing_stamped(move, used)
        return message

    def test_missing_customer_rfc(self):
        move = self.make_invoice()
        self.customer.vat = False
        self.assert_refused(move, "has no RFC", self.customer.name)

    def test_problems_in_the_users_language_only(self):
        move = self.make_invoice()
        self.customer.vat = False
        spanish = load_spanish(self.env)
        with self.assertRaises(UserError) as caught:
            move.with_env(spanish).action_l10n_mx_einvoice_stamp()
        message = str(caught.exception.args[0])
        self.assertIn("no se puede timbrar", message)
        self.assertIn(f"El cliente {self.customer.name} no tiene RFC", message)
        self.assertNotIn("has no RFC", message)
        english = self.assert_refused(move, "cannot be stamped", "has no RFC")
        self.assertNotIn("no tiene RFC", english)

    def test_missing_zip(self):
        move = self.make_invoice()
        self.customer.zip = False
        self.company.partner_id.zip = False
        self.assert_refused(move, "postal code", self.customer.name, self.company.name)

    def test_product_without_clave(self):
        move = self.make_invoice([{"product_id": self.product_nocode.id, "price_unit": 10.0}])
        self.assert_refused(move, "ClaveProdServ", "Sin clave SAT")

    def test_no_certificate(self):
        move = self.make_invoice()
        self.certificate.active = False
        self.assert_refused(move, "CSD", self.company.name)

    def test_zero_credits(self):
        move = self.make_invoice()
        balance = self.stamp_account.balance
        self.env["l10n_mx_einvoice.credit.move"].sudo().create(
            {
                "account_id": self.stamp_account.id,
                "quantity": -balance,
                "kind": "adjustment",
                "reason": "empty",
            }
        )
        self.assert_refused(move, "Sin folios disponibles", self.stamp_account.name)

    def test_all_problems_in_one_message(self):
        move = self.make_invoice([{"product_id": self.product_nocode.id, "price_unit": 10.0}])
        self.customer.write({"vat": False, "l10n_mx_einvoice_regimen_fiscal": False})
        message = self.assert_refused(move, "RFC", "fiscal regime", "ClaveProdServ")
        self.assertGreaterEqual(message.count("• "), 3)

    # --- several invoices at once (list view selection) ---------------------------------

    def test_selection_stamped_in_batches(self):
        moves = (
            self.make_invoice() | self.make_invoice() | self.make_invoice([{"price_unit": 77.0}])
        )
        used = self.credits_used()
        with patch(
            "odoo.addons.l10n_mx_einvoice.models.l10n_mx_einvoice_document.STAMP_BATCH_SIZE", 2
        ):
            moves.action_l10n_mx_einvoice_stamp()
        for move in moves:
            self.assertEqual(move.l10n_mx_einvoice_state, "stamped", move.l10n_mx_einvoice_message)
            self.assertEqual(rules.validate(move.l10n_mx_einvoice_attachment_id.raw), [])
            self.assertEqual(move.l10n_mx_einvoice_document_ids.mapped("state"), ["stamped"])
        self.assertEqual(len(set(moves.mapped("l10n_mx_einvoice_uuid"))), 3)
        self.assertEqual(self.credits_used(), used + 3)

    def test_one_bad_invoice_stops_its_batch_before_the_pac(self):
        good = self.make_invoice()
        bad = self.make_invoice([{"product_id": self.product_nocode.id, "price_unit": 10.0}])
        used = self.credits_used()
        with self.assertRaises(UserError) as caught:
            (good | bad).action_l10n_mx_einvoice_stamp()
        message = str(caught.exception.args[0])
        self.assertIn(bad.name, message)
        self.assertIn("ClaveProdServ", message)
        self.assertNotIn(good.name, message)
        for move in good | bad:
            self.assert_nothing_stamped(move, used)

    def test_selection_larger_than_the_credits_left(self):
        moves = self.make_invoice() | self.make_invoice() | self.make_invoice()
        self.env["l10n_mx_einvoice.credit.move"].sudo().create(
            {
                "account_id": self.stamp_account.id,
                "quantity": 2 - self.stamp_account.balance,
                "kind": "adjustment",
                "reason": "two left",
            }
        )
        self.stamp_account.invalidate_recordset()
        used = self.credits_used()
        with self.assertRaises(UserError) as caught:
            moves.action_l10n_mx_einvoice_stamp()
        self.assertIn("has 2 stamps free", str(caught.exception.args[0]))
        self.assertIn("for 3 invoice(s)", str(caught.exception.args[0]))
        for move in moves:
            self.assert_nothing_stamped(move, used)
        self.assertEqual(self.stamp_account.balance, 2)
        moves[:2].action_l10n_mx_einvoice_stamp()
        self.assertEqual(set(moves[:2].mapped("l10n_mx_einvoice_state")), {"stamped"})

    def test_waiting_document_keeps_its_credit(self):
        waiting, other = self.make_invoice(), self.make_invoice()
        self.env["l10n_mx_einvoice.credit.move"].sudo().create(
            {
                "account_id": self.stamp_account.id,
                "quantity": 1 - self.stamp_account.balance,
                "kind": "adjustment",
                "reason": "one left",
            }
        )
        self.set_provider("finkok", "http://127.0.0.1:9/")  # the PAC does not answer
        waiting.action_l10n_mx_einvoice_stamp()
        self.assertEqual(waiting.l10n_mx_einvoice_document_ids.state, "pending")
        self.set_provider("sandbox")
        used = self.credits_used()
        with self.assertRaises(UserError) as caught:
            other.action_l10n_mx_einvoice_stamp()
        self.assertIn("has 0 stamps free", str(caught.exception.args[0]))
        self.assertIn("for 1 invoice(s)", str(caught.exception.args[0]))
        self.assert_nothing_stamped(other, used)
        self.stamp(waiting)  # the last credit was kept for it
        self.assertEqual(self.stamp_account.balance, 0)

    # --- PAC answers -------------------------------------------------------------------

    def test_rejection_then_retry(self):
        move = self.make_invoice()
        connector = self.stamp_account._get_connector()
        real_clock = connector.clock
        connector.clock = lambda: real_clock() + dt.timedelta(days=4)  # Fecha now out of SAT's 72 h
        try:
            move.action_l10n_mx_einvoice_stamp()
        finally:
            connector.clock = real_clock
        self.assertEqual(move.l10n_mx_einvoice_state, "error")
        self.assertIn("[401]", move.l10n_mx_einvoice_message)
        self.assertEqual(move.l10n_mx_einvoice_document_ids.state, "rejected")
        self.stamp(move)
        self.assertEqual(
            move.l10n_mx_einvoice_document_ids.mapped("state"), ["stamped", "rejected"]
        )

    def test_unavailable_keeps_pending_then_retry_asks_first(self):
        move = self.make_invoice()
        self.set_provider("finkok", "http://127.0.0.1:9/")
        move.action_l10n_mx_einvoice_stamp()
        self.assertEqual(move.l10n_mx_einvoice_state, "to_stamp")
        document = move.l10n_mx_einvoice_document_ids
        self.assertEqual(document.state, "pending")
        self.assertTrue(move.l10n_mx_einvoice_message)
        with self.assertRaises(UserError):
            move.button_draft()  # a pending document may have been stamped
        self.set_provider("sandbox")
        self.stamp(move)
        self.assertEqual(
            move.l10n_mx_einvoice_document_ids, document
        )  # same signed XML, same document

    def test_lookup_failure_on_retry_never_seals_again(self):
        move = self.make_invoice()
        self.set_provider("finkok", "http://127.0.0.1:9/")
        move.action_l10n_mx_einvoice_stamp()
        document = move.l10n_mx_einvoice_document_ids
        self.set_provider("sandbox")
        connector = self.stamp_account._get_connector()
        refused = AuthenticationFailed("Usuario o contraseña inválidos.", "Wrong user or password.")
        with patch.object(type(connector), "find_stamped", side_effect=refused):
            move.action_l10n_mx_einvoice_stamp()  # the PAC cannot say whether it stamped that XML
        self.assertEqual((document.state, move.l10n_mx_einvoice_state), ("pending", "to_stamp"))
        self.assertIn("Wrong user or password", move.l10n_mx_einvoice_message)
        self.stamp(move)
        self.assertEqual(move.l10n_mx_einvoice_document_ids, document)  # the same signed XML

    def test_crash_after_pac_answer_recovers_same_uuid(self):
        move = self.make_invoice()
        used = self.credits_used()
        Document = type(self.env["l10n_mx_einvoice.document"])
        store = Document._store_stamps
        crashed = False
        with patch.object(Document, "_store_stamps", side_effect=RuntimeError("crash")):
            try:  # no assertRaises: its savepoint would also undo the (committed) pending document
                move.action_l10n_mx_einvoice_stamp()
            except RuntimeError:
                crashed = True
        self.assertTrue(crashed)
        # what a crash leaves: the committed pending document, no stored answer
        self.assertEqual(move.l10n_mx_einvoice_document_ids.state, "pending")
        signed = move.l10n_mx_einvoice_document_ids._signed_bytes()
        earlier = self.stamp_account._get_connector().find_stamped(signed)
        self.assertTrue(earlier)
        self.assertIs(Document._store_stamps, store)
        self.stamp(move)
        self.assertEqual(move.l10n_mx_einvoice_uuid, earlier.uuid)
        self.assertEqual(self.credits_used(), used + 1)

    # --- protection ----------------------------------------------------------------------

    def test_stamped_cannot_go_back_to_draft_or_change(self):
        move = self.make_invoice()
        self.assertTrue(move.show_reset_to_draft_button)
        self.stamp(move)
        self.assertFalse(move.show_reset_to_draft_button)  # the form hides the button
        with self.assertRaises(UserError):
            move.button_draft()
        with self.assertRaises(UserError):
            move.button_cancel()
        with self.assertRaises(UserError):
            move.write({"partner_id": self.env["res.partner"].create({"name": "Otro"}).id})
        with self.assertRaises(UserError):
            move.write({"l10n_mx_einvoice_uso_cfdi": "G01"})
        move.write({"ref": "still editable"})
        self.assertEqual(move.state, "posted")

    def test_uuid_unique(self):
        first = self.make_invoice()
        self.stamp(first)
        second = self.make_invoice()
        with self.assertRaises(UserError):  # an entry's UUID is its document's, never written
            second.sudo().write({"l10n_mx_einvoice_uuid": first.l10n_mx_einvoice_uuid})
        with (
            self.assertRaises(psycopg2.IntegrityError),
            self.cr.savepoint(),
            mute_logger("odoo.sql_db"),
        ):
            self.env["l10n_mx_einvoice.document"].sudo().create(
                {
                    "kind": "stamp",
                    "state": "stamped",
                    "company_id": self.company.id,
                    "move_id": second.id,
                    "uuid": first.l10n_mx_einvoice_uuid.lower(),
                }
            ).flush_recordset()

    # --- stamp on post, cron -------------------------------------------------------------

    def test_stamp_on_post(self):
        self.company.l10n_mx_einvoice_stamp_on_post = True
        move = self.make_invoice()
        self.assertEqual(move.l10n_mx_einvoice_state, "stamped")

    def test_cron_stamps_waiting_invoices(self):
        self.set_provider("finkok", "http://127.0.0.1:9/")
        self.company.l10n_mx_einvoice_stamp_on_post = True
        moves = self.make_invoice() | self.make_invoice()
        self.assertEqual(set(moves.mapped("l10n_mx_einvoice_state")), {"to_stamp"})
        self.set_provider("sandbox")
        self.env["l10n_mx_einvoice.document"]._cron_stamp()
        self.assertEqual(set(moves.mapped("l10n_mx_einvoice_state")), {"stamped"})
        for move in moves:
            self.assertEqual(rules.validate(move.l10n_mx_einvoice_attachment_id.raw), [])

    # --- Send & Print ---------------------------------------------------------------------

    def test_send_and_print_stamps_and_mails_xml_and_pdf(self):
        move = self.make_invoice()
        self.env["account.move.send"]._generate_and_send_invoices(
            move, sending_methods=["email"], allow_fallback_pdf=False
        )
        self.assertEqual(move.l10n_mx_einvoice_state, "stamped")
        message = self.env["mail.message"].search(
            [
                ("model", "=", "account.move"),
                ("res_id", "=", move.id),
                ("message_type", "=", "comment"),
            ],
            order="id desc",
            limit=1,
        )
        names = sorted(message.attachment_ids.mapped("name"))
        self.assertEqual(len(names), 2, names)
        self.assertTrue(names[0].endswith(".pdf") or names[1].endswith(".pdf"), names)
        self.assertIn(move.l10n_mx_einvoice_attachment_id.name, names)
