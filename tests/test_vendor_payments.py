"""Supplier payment complements (CFDI type P) imported and matched to the vendor bills they
pay by the UUID in DoctoRelacionado; the PPD bills paid without one are listed (issue 13,
item 8: IVA on PPD purchases is creditable only with the supplier's complement)."""

import ast
from datetime import datetime

from odoo import fields
from odoo.addons.l10n_mx_einvoice.cfdi import reception
from odoo.addons.l10n_mx_einvoice.cfdi.testing import supplier_documents as docs
from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import FlowFixtures, L10nMxEinvoiceCommon, VendorFixtures


@tagged("post_install", "-at_install")
class TestVendorPayments(VendorFixtures, FlowFixtures, L10nMxEinvoiceCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.setup_vendor()

    def import_bill(self, metodo_pago="PPD"):
        """A supplier invoice of 1160.00 (1000 + IVA 16 %) imported and posted."""
        data = self.supplier_cfdi(metodo_pago=metodo_pago)
        line = self.result(self.run_import([("bill.xml", data)], False), "bill.xml")
        bill = line.move_id
        self.assertTrue(bill, line.message)
        bill.action_post()
        return data, bill

    def pay(self, bill, amount):
        self.env["account.payment.register"].with_context(
            active_model="account.move", active_ids=bill.ids
        ).create({"amount": amount, "payment_date": fields.Date.today()})._create_payments()

    def complement(self, paid, **kwargs):
        return docs.stamped(
            self.connector, docs.supplier_payment(paid, **kwargs), self.supplier_credential
        )

    def waiting(self):
        return self.env["account.move"].search(
            [
                ("company_id", "=", self.company.id),
                ("l10n_mx_einvoice_vendor_payment_missing", "=", True),
            ]
        )

    def test_complement_is_matched_to_the_bills_it_pays(self):
        data_1, bill_1 = self.import_bill()
        data_2, bill_2 = self.import_bill()
        _data_3, bill_3 = self.import_bill()
        _data_pue, bill_pue = self.import_bill(metodo_pago="PUE")
        self.assertEqual(bill_1.l10n_mx_einvoice_vendor_metodo_pago, "PPD")
        self.assertFalse(self.waiting() & (bill_1 | bill_2 | bill_3))  # nothing paid yet
        self.pay(bill_1, 1160.0)
        self.pay(bill_2, 580.0)
        self.pay(bill_3, 1160.0)
        self.pay(bill_pue, 1160.0)
        self.assertEqual(bill_2.payment_state, "partial")
        self.assertEqual(
            self.waiting() & (bill_1 | bill_2 | bill_3 | bill_pue), bill_1 | bill_2 | bill_3
        )

        xml = self.complement(
            [(data_1, "1160.00"), (data_2, "580.00")], fecha_pago=datetime(2026, 11, 20, 12, 30)
        )
        uuid = reception.read_cfdi("p.xml", xml).uuid
        wizard = self.run_import([("pago.xml", xml)], False)
        line = self.result(wizard, "pago.xml")
        self.assertEqual(line.state, "imported", line.message)
        self.assertIn(bill_1.display_name, line.message)
        self.assertIn(bill_2.display_name, line.message)
        self.assertFalse(wizard.move_ids)  # no bill created for a complement

        [payment_1] = bill_1.l10n_mx_einvoice_vendor_payment_ids
        self.assertEqual(payment_1.uuid, uuid)
        self.assertEqual(payment_1.document_uuid, bill_1.l10n_mx_einvoice_vendor_uuid)
        self.assertAlmostEqual(payment_1.amount, 1160.0)
        self.assertEqual(payment_1.payment_date, fields.Date.from_string("2026-11-20"))
        self.assertAlmostEqual(payment_1.balance_after, 0.0)
        self.assertTrue(payment_1.seal_ok)
        self.assertEqual(payment_1.attachment_id.raw, xml)
        with self.assertRaises(UserError):  # a received CFDI is kept as it came
            payment_1.attachment_id.unlink()
        [payment_2] = bill_2.l10n_mx_einvoice_vendor_payment_ids
        self.assertAlmostEqual(payment_2.amount, 580.0)
        self.assertAlmostEqual(payment_2.balance_after, 580.0)
        self.assertIn(uuid, " ".join(bill_1.message_ids.mapped("body")))
        # the complement covers what was paid: only the bill paid without one still waits
        self.assertEqual(self.waiting() & (bill_1 | bill_2 | bill_3), bill_3)
        # the rest of bill 2 paid: waiting again until its second complement arrives
        self.pay(bill_2, 580.0)
        self.assertIn(bill_2, self.waiting())
        # the same complement again: not imported twice
        again = self.result(self.run_import([("again.xml", xml)], False), "again.xml")
        self.assertEqual(again.state, "duplicate")
        self.assertEqual(len(bill_1.l10n_mx_einvoice_vendor_payment_ids), 1)

    def test_complement_before_its_bill_is_matched_when_the_bill_arrives(self):
        invoice = self.supplier_cfdi(metodo_pago="PPD")
        xml = self.complement([(invoice, "1160.00")])
        line = self.result(self.run_import([("pago.xml", xml)], False), "pago.xml")
        self.assertEqual(line.state, "warning")
        self.assertIn(reception.read_cfdi("f.xml", invoice).uuid, line.message)
        [payment] = self.env["l10n_mx_einvoice.vendor.payment"].search(
            [("uuid", "=", reception.read_cfdi("p.xml", xml).uuid)]
        )
        self.assertFalse(payment.move_id)
        bill = self.result(self.run_import([("bill.xml", invoice)], False), "bill.xml").move_id
        self.assertEqual(payment.move_id, bill)
        self.assertEqual(bill.l10n_mx_einvoice_vendor_payment_ids, payment)
        bill.action_post()
        self.pay(bill, 1160.0)
        self.assertNotIn(bill, self.waiting())

    def test_waiting_list_action_and_filter(self):
        action = self.env.ref("l10n_mx_einvoice.action_l10n_mx_einvoice_vendor_payment_missing")
        _data, bill = self.import_bill()
        self.pay(bill, 100.0)
        domain = [*ast.literal_eval(action.domain), ("company_id", "=", self.company.id)]
        self.assertIn(bill, self.env["account.move"].search(domain))
