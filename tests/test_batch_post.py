"""Posting several invoices at once gives the same journal items as posting each alone."""

from unittest.mock import patch

from odoo import fields
from odoo.tests import tagged

from .common import FlowFixtures, L10nMxEinvoiceCommon


@tagged("post_install", "-at_install")
class TestBatchPost(FlowFixtures, L10nMxEinvoiceCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.setup_flow()
        cls.usd = cls.env.ref("base.USD")
        cls.usd.active = True
        today = fields.Date.context_today(cls.env["account.move"])
        cls.todays_rate = cls.env["res.currency.rate"].create(
            {
                "currency_id": cls.usd.id,
                "company_id": cls.company.id,
                "name": today,
                "inverse_company_rate": 18.35,
            }
        )

    def draft(self, term="account.account_payment_term_30days", currency=None):
        lines = [
            {"price_unit": 1000.0, "name": "Consultoría"},
            {"price_unit": 333.33, "quantity": 3.0, "discount": 10.0, "name": "Soporte"},
        ]
        return self.make_invoice(
            lines, post=False, currency=currency, invoice_payment_term_id=self.env.ref(term).id
        )

    @staticmethod
    def items(move):
        return sorted(
            (
                line.display_type,
                line.account_id.id,
                line.debit,
                line.credit,
                line.amount_currency,
                line.date_maturity,
            )
            for line in move.line_ids
        )

    def assert_batch_matches_alone(self, before_posting=None, **draft):
        alone = self.draft(**draft)
        together = self.draft(**draft) | self.draft(**draft) | self.draft(**draft)
        if before_posting:
            before_posting()
        alone.action_post()
        together.action_post()
        today = fields.Date.context_today(together)
        for move in together:
            self.assertEqual(move.state, "posted")
            self.assertEqual(move.invoice_date, today)
            self.assertEqual(move.invoice_date_due, alone.invoice_date_due)
            self.assertEqual(self.items(move), self.items(alone))
            self.assertEqual(
                (move.amount_untaxed, move.amount_tax, move.amount_total),
                (alone.amount_untaxed, alone.amount_tax, alone.amount_total),
            )
            self.assertEqual(move.checked, move.journal_id.autocheck_on_post)
        return alone

    def test_undated_invoices_posted_together_match_one_posted_alone(self):
        alone = self.assert_batch_matches_alone()
        self.assertEqual(alone.invoice_date_due, fields.Date.add(alone.invoice_date, days=30))

    def test_foreign_currency_is_priced_again_at_posting(self):
        def rate_changes_after_typing():  # the drafts were priced at 18.35
            self.todays_rate.inverse_company_rate = 19.02

        alone = self.assert_batch_matches_alone(rate_changes_after_typing, currency=self.usd)
        receivable = alone.line_ids.filtered(lambda line: line.display_type == "payment_term")
        self.assertAlmostEqual(
            sum(receivable.mapped("debit")) / alone.amount_total, 19.02, places=3
        )

    def test_early_payment_discount_term(self):
        alone = self.assert_batch_matches_alone(
            term="account.account_payment_term_30days_early_discount"
        )
        self.assertTrue(alone.line_ids.filtered(lambda line: line.display_type == "payment_term"))

    def test_review_flag_changes_no_journal_item(self):
        move = self.draft()
        move.action_post()
        before = self.items(move), move.line_ids.ids
        move.write({"checked": not move.checked})
        self.assertEqual((self.items(move), move.line_ids.ids), before)

    def test_a_company_outside_mexico_posts_as_odoo_does(self):
        us = self.env["res.company"].create(
            {"name": "US Company", "country_id": self.env.ref("base.us").id}
        )
        self.env["account.chart.template"].try_loading("generic_coa", us, install_demo=False)
        self.assertNotEqual(us.account_fiscal_country_id.code, "MX")
        drafts = self.env["account.move"].create(
            [
                {
                    "move_type": "out_invoice",
                    "company_id": us.id,
                    "partner_id": self.partner_a.id,
                    "invoice_line_ids": [
                        fields.Command.create(
                            {"name": "Service", "price_unit": 100.0, "tax_ids": []}
                        )
                    ],
                }
                for _ in range(2)
            ]
        )
        Move = type(self.env["account.move"])
        writes = []
        write = Move.write

        def spy(records, vals):
            writes.append((len(records), set(vals), records.env.context.get("skip_invoice_sync")))
            return write(records, vals)

        drafts._l10n_mx_einvoice_date_sales_together()  # the Mexican shortcut leaves them alone
        self.assertEqual(drafts.mapped("invoice_date"), [False, False])
        with patch.object(Move, "write", spy):
            drafts.action_post()
        self.assertEqual(set(drafts.mapped("state")), {"posted"})
        # Odoo dates each invoice on its own; no write of the dates of both at once
        self.assertNotIn((2, {"invoice_date"}, None), writes)
        self.assertTrue(all(move.invoice_date for move in drafts))
        self.assertEqual(set(drafts.mapped("l10n_mx_einvoice_state")), {False})
        mexican = self.draft() | self.draft()
        mexican._l10n_mx_einvoice_date_sales_together()
        self.assertEqual(len(set(mexican.mapped("invoice_date"))), 1)
