"""Payments (issue 20): the SAT form of payment on the payment wizard and the payment,
defaulted from the payment method or the journal; a payment complement that fails says
why on the payment and on the invoice, where the user looks."""

from odoo.addons.l10n_mx_einvoice.cfdi import xml as cfdi_xml
from odoo.exceptions import UserError
from odoo.tests import Form, tagged

from .common import L10nMxEinvoiceCommon, PaymentFixtures


@tagged("post_install", "-at_install")
class TestPaymentFormaPago(PaymentFixtures, L10nMxEinvoiceCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.setup_payments()

    def register(self, invoice):
        return Form(
            self.env["account.payment.register"].with_context(
                active_model="account.move", active_ids=invoice.ids
            )
        )

    def test_wizard_defaults_from_journal_then_method_and_the_user_chooses(self):
        invoice = self.ppd_invoice([{"price_unit": 1000.0}])
        form = self.register(invoice)
        form.journal_id = self.bank
        self.assertEqual(form.l10n_mx_einvoice_forma_pago, "03")  # the journal's
        form.payment_method_line_id.l10n_mx_einvoice_forma_pago = "04"
        form = self.register(invoice)
        form.journal_id = self.bank
        self.assertEqual(form.l10n_mx_einvoice_forma_pago, "04")  # the method's wins
        form.l10n_mx_einvoice_forma_pago = "02"
        form.amount = 500.0
        payment = form.save()._create_payments()
        self.assertEqual(payment.l10n_mx_einvoice_forma_pago, "02")
        payment.action_l10n_mx_einvoice_stamp_payment()
        self.assertEqual(payment.l10n_mx_einvoice_state, "stamped")
        comprobante = cfdi_xml.from_bytes(payment.move_id.l10n_mx_einvoice_attachment_id.raw)
        self.assertEqual(comprobante.complemento.pagos.pagos[0].forma_de_pago, "02")
        with self.assertRaisesRegex(UserError, "form of payment cannot change"):
            payment.l10n_mx_einvoice_forma_pago = "01"

    def test_payment_form_defaults_from_the_journal(self):
        form = Form(
            self.env["account.payment"].with_context(
                default_payment_type="inbound", default_partner_type="customer"
            )
        )
        form.partner_id = self.customer
        form.amount = 100.0
        form.journal_id = self.bank
        self.assertEqual(form.l10n_mx_einvoice_forma_pago, "03")

    def test_failed_complement_is_shown_on_payment_and_invoice(self):
        self.company.l10n_mx_einvoice_stamp_payments_on_post = True
        invoice = self.ppd_invoice([{"price_unit": 1000.0}])
        self.bank.l10n_mx_einvoice_forma_pago = False
        payment = self.pay(invoice, 580.0)  # stamping on post fails: no form of payment
        self.assertFalse(payment.l10n_mx_einvoice_forma_pago)
        self.assertEqual(payment.l10n_mx_einvoice_state, "error")
        self.assertIn("no SAT form of payment", payment.l10n_mx_einvoice_message)
        self.assertIn("no SAT form of payment", payment.message_ids[0].body)
        self.assertIn("no SAT form of payment", invoice.l10n_mx_einvoice_complement_message)
        self.assertIn(payment.move_id.name, invoice.l10n_mx_einvoice_complement_message)
        self.assertIn("no SAT form of payment", invoice.message_ids[0].body)
        # the user chooses it on the payment and stamps: the alert goes away
        payment.l10n_mx_einvoice_forma_pago = "03"
        payment.action_l10n_mx_einvoice_stamp_payment()
        self.assertEqual(payment.l10n_mx_einvoice_state, "stamped")
        invoice.invalidate_recordset(["l10n_mx_einvoice_complement_message"])
        self.assertFalse(invoice.l10n_mx_einvoice_complement_message)
