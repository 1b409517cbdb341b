"""Posting several invoices at once gives the same journal items as posting each alone."""
from odoo import fields
from odoo.tests import tagged

from .common import L10nMxEinvoiceCommon
from .flow_common import FlowFixtures


@tagged("post_install", "-at_install")
class TestBatchPost(FlowFixtures, L10nMxEinvoiceCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.setup_flow()
        cls.term_30 = cls.env.ref("account.account_payment_term_30days")

    def draft(self):
        lines = [{"price_unit": 1000.0, "name": "Consultoría"},
                 {"price_unit": 333.33, "quantity": 3.0, "discount": 10.0, "name": "Soporte"}]
        return self.make_invoice(lines, post=False, invoice_payment_term_id=self.term_30.id)

    @staticmethod
    def items(move):
        return sorted((line.display_type, line.account_id.id, line.debit, line.credit,
                       line.date_maturity) for line in move.line_ids)

    def test_undated_invoices_posted_together_match_one_posted_alone(self):
        alone = self.draft()
        alone.action_post()
        together = self.draft() | self.draft() | self.draft()
        together.action_post()
        today = fields.Date.context_today(together)
        for move in together:
            self.assertEqual(move.state, "posted")
            self.assertEqual(move.invoice_date, today)
            self.assertEqual(move.invoice_date_due, alone.invoice_date_due)
            self.assertEqual(self.items(move), self.items(alone))
            self.assertEqual((move.amount_untaxed, move.amount_tax, move.amount_total),
                             (alone.amount_untaxed, alone.amount_tax, alone.amount_total))
            self.assertEqual(move.checked, move.journal_id.autocheck_on_post)
        self.assertEqual(alone.invoice_date_due, fields.Date.add(today, days=30))

    def test_review_flag_changes_no_journal_item(self):
        move = self.draft()
        move.action_post()
        before = self.items(move), move.line_ids.ids
        move.write({"checked": not move.checked})
        self.assertEqual((self.items(move), move.line_ids.ids), before)
