"""Cancellation with motive 01 (issue 20): *Create replacement* drafts the replacement
(TipoRelacion 04 to the original UUID), the user stamps it, *Finish cancellation* cancels
the original with it; only such a replacement is accepted."""

from odoo.addons.l10n_mx_einvoice.cfdi import xml as cfdi_xml
from odoo.exceptions import UserError
from odoo.tests import Form, tagged
from odoo.tools.safe_eval import safe_eval

from .common import CancellationFixtures, L10nMxEinvoiceCommon


@tagged("post_install", "-at_install")
class TestCancelReplacement(CancellationFixtures, L10nMxEinvoiceCommon):
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

    def wizard(self, invoice, **vals):
        form = Form(
            self.env["l10n_mx_einvoice.cancel"].with_context(
                active_model="account.move", active_id=invoice.id
            )
        )
        form.motive = "01"
        for name, value in vals.items():
            setattr(form, name, value)
        return form.save()

    def test_create_replacement_stamp_it_and_finish(self):
        invoice = self.stamped_invoice()
        uuid = invoice.l10n_mx_einvoice_uuid
        wizard = self.wizard(invoice)  # the replacement is not required to create it
        action = wizard.action_create_replacement()
        replacement = self.env["account.move"].browse(action["res_id"])
        self.assertEqual((action["res_model"], replacement.state), ("account.move", "draft"))
        self.assertEqual(
            (
                replacement.l10n_mx_einvoice_tipo_relacion,
                replacement.l10n_mx_einvoice_related_uuids,
                replacement.partner_id,
            ),
            ("04", uuid, invoice.partner_id),
        )
        # pressing it again opens the same draft, not a second one
        self.assertEqual(wizard.action_create_replacement()["res_id"], replacement.id)
        self.assertFalse(invoice.l10n_mx_einvoice_replacement_id)  # not stamped yet
        with self.assertRaisesRegex(UserError, "not stamped yet"):
            self.wizard(invoice, replacement_move_id=replacement).action_cancel_cfdi()

        # the user corrects and stamps it
        with Form(replacement) as form:
            with form.invoice_line_ids.edit(0) as line:
                line.price_unit = 900.0
        replacement.action_post()
        replacement.action_l10n_mx_einvoice_stamp()
        stamped = cfdi_xml.from_bytes(replacement.l10n_mx_einvoice_attachment_id.raw)
        self.assertEqual(
            [(r.tipo_relacion, r.uuids) for r in stamped.cfdi_relacionados], [("04", [uuid])]
        )
        self.assertSatValid(replacement.l10n_mx_einvoice_attachment_id.raw)

        invoice.invalidate_recordset()
        self.assertEqual(invoice.l10n_mx_einvoice_replacement_id, replacement)
        action = invoice.action_l10n_mx_einvoice_finish_cancellation()
        self.assertEqual(action["params"]["type"], "success")
        self.assertEqual(invoice.l10n_mx_einvoice_state, "cancelled")
        request = self.cancel_documents(invoice)
        self.assertEqual(
            (request.motive, request.replacement_uuid),
            ("01", replacement.l10n_mx_einvoice_uuid),
        )
        self.assertEqual(replacement.l10n_mx_einvoice_state, "stamped")
        self.assertFalse(invoice.l10n_mx_einvoice_replacement_id)

    def test_selector_offers_only_replacements_of_this_cfdi(self):
        invoice = self.stamped_invoice()
        uuid = invoice.l10n_mx_einvoice_uuid
        relating = {"l10n_mx_einvoice_tipo_relacion": "04", "l10n_mx_einvoice_related_uuids": uuid}
        good = self.stamped_invoice(900.0, **relating)
        unrelated = self.stamped_invoice(800.0)
        wrong_relation = self.stamped_invoice(
            700.0, l10n_mx_einvoice_tipo_relacion="01", l10n_mx_einvoice_related_uuids=uuid
        )
        credit_note = self.make_invoice([{"price_unit": 100.0}], move_type="out_refund", **relating)
        credit_note.action_l10n_mx_einvoice_stamp()
        draft = self.make_invoice([{"price_unit": 600.0}], post=False, **relating)
        wizard = self.wizard(invoice)
        domain = safe_eval(
            wizard._fields["replacement_move_id"].domain,
            {
                "move_id": invoice.id,
                "partner_id": wizard.partner_id.id,
                "move_type": wizard.move_type,
                "uuid": wizard.uuid,
            },
        )
        offered = self.env["account.move"].search(domain)
        self.assertIn(good, offered)
        for refused in (unrelated, wrong_relation, credit_note, draft, invoice):
            self.assertNotIn(refused, offered)
        for refused in (unrelated, wrong_relation, credit_note):
            wizard.replacement_move_id = refused
            with self.assertRaisesRegex(UserError, "TipoRelacion 04"):
                wizard.action_cancel_cfdi()
        self.assertEqual(invoice.l10n_mx_einvoice_state, "stamped")
        self.assertFalse(self.cancel_documents(invoice))
        wizard.replacement_move_id = good
        wizard.action_cancel_cfdi()
        self.assertEqual(invoice.l10n_mx_einvoice_state, "cancelled")

    def test_replacement_of_another_customer_is_refused(self):
        invoice = self.stamped_invoice()
        other = self.customer.copy({"name": "OTRO CLIENTE"})
        replacement = self.stamped_invoice(
            500.0,
            partner_id=other.id,
            l10n_mx_einvoice_tipo_relacion="04",
            l10n_mx_einvoice_related_uuids=invoice.l10n_mx_einvoice_uuid,
        )
        wizard = self.env["l10n_mx_einvoice.cancel"].create(
            {"move_id": invoice.id, "motive": "01", "replacement_move_id": replacement.id}
        )
        with self.assertRaisesRegex(UserError, "same customer"):
            wizard.action_cancel_cfdi()
        self.assertFalse(invoice.l10n_mx_einvoice_replacement_id)
        self.assertFalse(self.cancel_documents(invoice))
