from unittest.mock import patch

from odoo import Command
from odoo.addons.l10n_mx_einvoice.cfdi import xml as cfdi_xml
from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import CancellationFixtures, L10nMxEinvoiceCommon


@tagged("post_install", "-at_install")
class TestCancellation(CancellationFixtures, L10nMxEinvoiceCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.setup_payments()

    def stamped_invoice(self, price=1000.0, **vals):
        invoice = self.make_invoice([{"price_unit": price}], **vals)
        invoice.action_l10n_mx_einvoice_stamp()
        self.assertEqual(
            invoice.l10n_mx_einvoice_state, "stamped", invoice.l10n_mx_einvoice_message
        )
        return invoice

    def test_motive_02_cancelled_without_acceptance(self):
        invoice = self.stamped_invoice()
        uuid = invoice.l10n_mx_einvoice_uuid
        action = self.cancel(invoice, "02")
        self.assertEqual(action["params"]["type"], "success")
        self.assertEqual(invoice.l10n_mx_einvoice_state, "cancelled")
        self.assertEqual(invoice.state, "cancel")  # Odoo's side follows
        document = self.cancel_documents(invoice)
        self.assertEqual(
            (document.state, document.motive, document.uuid), ("cancelled", "02", uuid)
        )
        acuse = document.attachment_id
        self.assertEqual(acuse.name, f"Acuse-cancelacion-{uuid}.xml")
        self.assertIn(uuid.encode(), acuse.raw)
        self.assertIn("motive 02", self.chatter(invoice))
        self.assertEqual(
            self.connector()
            .status(
                uuid,
                "EKU9003173C9",
                "XIA190128J61",
                cfdi_xml.from_bytes(invoice.l10n_mx_einvoice_attachment_id.raw).total,
            )
            .estado,
            "Cancelado",
        )

    def test_retry_never_sends_a_second_request(self):
        invoice = self.stamped_invoice()
        self.cancel(invoice, "03")
        connector = self.connector()
        with patch.object(connector, "cancel", wraps=connector.cancel) as sent:
            document = invoice._l10n_mx_einvoice_request_cancel("03")
            with self.assertRaises(UserError):  # the wizard refuses a cancelled CFDI
                self.cancel(invoice, "03")
        self.assertEqual(sent.call_count, 0)
        self.assertEqual(document, self.cancel_documents(invoice))
        self.assertIn("no new request", self.chatter(invoice))

    def test_in_process_then_accepted_by_receiver(self):
        invoice = self.stamped_invoice(2000.0)
        self.later(25)  # more than 1,000 MXN, more than 24 h after stamping: the receiver decides
        action = self.cancel(invoice, "02")
        self.assertEqual(action["params"]["type"], "warning")
        self.assertEqual(invoice.l10n_mx_einvoice_state, "cancel_requested")
        self.assertEqual(invoice.state, "posted")
        connector = self.connector()
        with patch.object(connector, "cancel", wraps=connector.cancel) as sent:
            invoice._l10n_mx_einvoice_request_cancel("02")  # a retry only asks the status
        self.assertEqual(sent.call_count, 0)
        self.assertEqual(invoice.l10n_mx_einvoice_sat_estatus_cancelacion, "En proceso")
        connector.respond_to_cancellation(invoice.l10n_mx_einvoice_uuid, accept=True)
        invoice.action_l10n_mx_einvoice_check_sat_status()
        self.assertEqual(invoice.l10n_mx_einvoice_state, "cancelled")
        self.assertEqual(invoice.l10n_mx_einvoice_sat_estado, "Cancelado")
        self.assertEqual(
            invoice.l10n_mx_einvoice_sat_estatus_cancelacion, "Cancelado con aceptación"
        )
        self.assertEqual(self.cancel_documents(invoice).state, "cancelled")
        self.assertEqual(invoice.state, "cancel")

    def test_in_process_rejected_by_receiver_stays_valid(self):
        invoice = self.stamped_invoice(2000.0)
        self.later(25)
        self.cancel(invoice, "02")
        self.connector().respond_to_cancellation(invoice.l10n_mx_einvoice_uuid, accept=False)
        invoice.action_l10n_mx_einvoice_check_sat_status()
        self.assertEqual(invoice.l10n_mx_einvoice_state, "stamped")
        self.assertEqual(invoice.l10n_mx_einvoice_sat_estado, "Vigente")
        self.assertIn("rejected the cancellation", invoice.l10n_mx_einvoice_message)
        self.assertEqual(self.cancel_documents(invoice).state, "rejected")
        self.assertEqual(invoice.state, "posted")

    def test_motive_01_with_replacement_created_from_the_wizard(self):
        invoice = self.stamped_invoice()
        wizard = self.env["l10n_mx_einvoice.cancel"].create({"move_id": invoice.id, "motive": "01"})
        with self.assertRaises(UserError):  # motive 01 needs the replacement first
            wizard.action_cancel_cfdi()
        action = wizard.action_create_replacement()
        replacement = self.env["account.move"].browse(action["res_id"])
        self.assertEqual(
            (
                replacement.l10n_mx_einvoice_tipo_relacion,
                replacement.l10n_mx_einvoice_related_uuids,
            ),
            ("04", invoice.l10n_mx_einvoice_uuid),
        )
        replacement.action_post()
        replacement.action_l10n_mx_einvoice_stamp()
        stamped = cfdi_xml.from_bytes(replacement.l10n_mx_einvoice_attachment_id.raw)
        self.assertEqual(
            [(r.tipo_relacion, r.uuids) for r in stamped.cfdi_relacionados],
            [("04", [invoice.l10n_mx_einvoice_uuid])],
        )
        self.assertSatValid(replacement.l10n_mx_einvoice_attachment_id.raw)
        wizard.replacement_move_id = replacement
        wizard.action_cancel_cfdi()
        self.assertEqual(invoice.l10n_mx_einvoice_state, "cancelled")
        self.assertEqual(
            self.cancel_documents(invoice).replacement_uuid, replacement.l10n_mx_einvoice_uuid
        )

    def test_rejected_by_sat_reason_shown_document_stays_valid(self):
        invoice = self.stamped_invoice()
        replacement = self.stamped_invoice(
            500.0,
            l10n_mx_einvoice_tipo_relacion="04",
            l10n_mx_einvoice_related_uuids=invoice.l10n_mx_einvoice_uuid,
        )
        # the replacement is no longer valid at SAT: motive 01 is refused (code 208)
        data = cfdi_xml.from_bytes(replacement.l10n_mx_einvoice_attachment_id.raw)
        self.connector().cancel(
            replacement.l10n_mx_einvoice_uuid,
            "02",
            None,
            "EKU9003173C9",
            "XIA190128J61",
            data.total,
            None,
        )
        action = self.cancel(invoice, "01", replacement)
        self.assertEqual(action["params"]["type"], "danger")
        self.assertIn("sustitución", action["params"]["message"])
        self.assertEqual(invoice.l10n_mx_einvoice_state, "stamped")
        self.assertEqual(invoice.state, "posted")
        self.assertIn("sustitución", invoice.l10n_mx_einvoice_message)
        self.assertEqual(self.cancel_documents(invoice).state, "rejected")
        self.assertIn("sustitución", self.chatter(invoice))

    def test_credit_note_cancelled(self):
        invoice = self.stamped_invoice()
        refund = (
            self.env["account.move.reversal"]
            .with_context(active_model="account.move", active_ids=invoice.ids)
            .create({"reason": "devolución", "journal_id": invoice.journal_id.id})
            .refund_moves()
        )
        credit_note = self.env["account.move"].browse(refund["res_id"])
        credit_note.action_post()
        credit_note.action_l10n_mx_einvoice_stamp()
        self.assertEqual(
            credit_note.l10n_mx_einvoice_state, "stamped", credit_note.l10n_mx_einvoice_message
        )
        self.later(25)  # type E needs no acceptance even after 24 h
        self.cancel(credit_note, "02")
        self.assertEqual(credit_note.l10n_mx_einvoice_state, "cancelled")
        self.assertEqual(credit_note.state, "cancel")
        self.assertEqual(invoice.l10n_mx_einvoice_state, "stamped")

    def test_payment_complement_cancelled_payment_stays(self):
        invoice = self.ppd_invoice([{"price_unit": 1000.0}])
        payment = self.pay(invoice, 500.0)
        self.stamp_payment(payment)
        self.cancel(payment.move_id, "02")
        self.assertEqual(payment.l10n_mx_einvoice_state, "cancelled")
        self.assertEqual(payment.move_id.state, "posted")
        self.assertEqual(invoice.amount_residual, 660.0)
        # a new complement can be issued for the same payment (new UUID)
        old_uuid = self.cancel_documents(payment.move_id).uuid
        _comprobante, pago = self.stamp_payment(payment)
        self.assertNotEqual(payment.l10n_mx_einvoice_uuid, old_uuid)
        self.assertEqual(pago.doctos[0].num_parcialidad, 1)

    def test_invoice_with_standing_complement_is_refused(self):
        invoice = self.ppd_invoice([{"price_unit": 1000.0}])
        payment = self.pay(invoice, 500.0)
        self.stamp_payment(payment)
        with self.assertRaises(UserError):
            self.cancel(invoice, "02")
        self.assertEqual(invoice.l10n_mx_einvoice_state, "stamped")
        self.cancel(payment.move_id, "02")  # the complement first, then the invoice
        self.cancel(invoice, "02")
        self.assertEqual(invoice.l10n_mx_einvoice_state, "cancelled")

    def test_cfdi_user_stamps_complement_cancels_and_checks_status(self):
        """A CFDI user (not manager: no access to keys or PAC passwords) does the weekly work."""
        groups = self.env.ref("account.group_account_invoice") | self.env.ref(
            "l10n_mx_einvoice.group_l10n_mx_einvoice_user"
        )
        user = self.env["res.users"].create(
            {
                "name": "Contadora",
                "login": "contadora_pay",
                "email": "contadora@example.com",
                "company_id": self.company.id,
                "company_ids": [Command.set(self.company.ids)],
                "groups_id": [Command.set(groups.ids)],
            }
        )
        invoice = self.ppd_invoice([{"price_unit": 1000.0}])
        payment = self.pay(invoice, 300.0)
        payment.with_user(user).action_l10n_mx_einvoice_stamp_payment()
        self.assertEqual(
            payment.l10n_mx_einvoice_state, "stamped", payment.l10n_mx_einvoice_message
        )
        payment.with_user(user).action_l10n_mx_einvoice_check_sat_status()
        self.assertEqual(payment.move_id.l10n_mx_einvoice_sat_estado, "Vigente")
        wizard = (
            self.env["l10n_mx_einvoice.cancel"]
            .with_user(user)
            .create({"move_id": payment.move_id.id, "motive": "02"})
        )
        wizard.action_cancel_cfdi()
        self.assertEqual(payment.l10n_mx_einvoice_state, "cancelled")
        self.assertTrue(self.cancel_documents(payment.move_id).attachment_id)

    def test_replacement_must_be_same_customer(self):
        invoice = self.stamped_invoice()
        other = self.env["res.partner"].create(
            {
                "name": "OTRO CLIENTE",
                "is_company": True,
                "country_id": self.env.ref("base.mx").id,
                "vat": "XIA190128J61",
                "zip": "76343",
                "l10n_mx_einvoice_regimen_fiscal": "601",
            }
        )
        replacement = self.make_invoice([{"price_unit": 100.0}], partner_id=other.id)
        replacement.action_l10n_mx_einvoice_stamp()
        wizard = self.env["l10n_mx_einvoice.cancel"].create(
            {"move_id": invoice.id, "motive": "01", "replacement_move_id": replacement.id}
        )
        with self.assertRaises(UserError):
            wizard.action_cancel_cfdi()
        self.assertEqual(invoice.l10n_mx_einvoice_state, "stamped")
        self.assertFalse(self.cancel_documents(invoice))
