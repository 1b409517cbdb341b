"""Every ordinary invoice stamps with Total = Odoo's total (issue 13, item 1).

A fixed-seed generator makes invoices as an accountant would (1-60 lines, quantities and
unit prices with up to 6 decimals, Product Price precision 6, discounts, IVA 16/8/0/exempt,
IEPS, ISR and IVA withholdings, MXN and USD) under both of Odoo's tax rounding methods;
every one is stamped by the sandbox PAC, its Total equals the move's ``amount_total`` to
the cent, and SAT's XSD and XSLT accept it."""

import datetime as dt
import logging
import random
from decimal import Decimal

from odoo import Command
from odoo.addons.l10n_mx_einvoice.cfdi import xml as cfdi_xml
from odoo.tests import tagged

from .common import CfdiOracleMixin, FlowFixtures, L10nMxEinvoiceCommon, add_credits

_logger = logging.getLogger(__name__)

SEED = 13
INVOICES_PER_METHOD = 200  # under each rounding method: 400 stamped invoices
BATCH = 25


@tagged("post_install", "-at_install")
class TestInvoiceRounding(CfdiOracleMixin, FlowFixtures, L10nMxEinvoiceCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.setup_flow()
        cls.env.ref("product.decimal_price").digits = 6
        cls.env.ref("product.decimal_product_uom").digits = 6
        add_credits(cls.stamp_account, 2 * INVOICES_PER_METHOD + 10)
        cls.usd = cls.env.ref("base.USD")
        cls.usd.active = True
        cls.env["res.currency.rate"].create(
            {
                "currency_id": cls.usd.id,
                "company_id": cls.company.id,
                "name": dt.date.today() - dt.timedelta(days=3),
                "inverse_company_rate": 17.3456,
            }
        )
        cls.tax_sets = [
            cls.tax_16,
            cls.tax_8,
            cls.tax_0,
            cls.tax_exento,
            cls.tax_ieps_8 | cls.tax_16,
            cls.tax_16 | cls.tax_ret_iva | cls.tax_ret_isr,
            cls.tax_16 | cls.tax_ret_isr,
            cls.tax_8 | cls.tax_ret_iva,
        ]

    def random_line(self, rng):
        return {
            "name": f"Concepto {rng.randrange(10**9)}",
            "quantity": self.random_number(rng, 0.001, 50.0),
            "price_unit": self.random_number(rng, 0.01, 3000.0),
            "discount": rng.choice([0, 0, 0, 5, 12.5, round(rng.uniform(0, 40), 2)]),
            "tax_ids": [Command.set(rng.choice(self.tax_sets).ids)],
        }

    @staticmethod
    def random_number(rng, low, high):
        value = round(rng.uniform(low, high), rng.randint(0, 6))
        return value or round(high / 7, 6)

    def random_invoices(self, rng, count):
        values = []
        for _ in range(count):
            size = rng.choice([1, 2, 3, 5, 8]) if rng.random() < 0.8 else rng.randint(9, 60)
            values.append(
                {
                    "move_type": "out_invoice",
                    "partner_id": self.customer.id,
                    "currency_id": (self.usd if rng.random() < 0.3 else self.mxn).id,
                    "invoice_date": dt.date.today(),
                    "invoice_line_ids": [
                        Command.create({"product_id": self.product.id, **self.random_line(rng)})
                        for _ in range(size)
                    ],
                }
            )
        for invoice in values:
            if rng.random() < 0.15:  # a global discount line (issue 13, item 2)
                first = invoice["invoice_line_ids"][0][2]
                amount = first["quantity"] * first["price_unit"] * (1 - first["discount"] / 100)
                invoice["invoice_line_ids"].append(
                    Command.create(
                        {
                            "product_id": self.product.id,
                            "name": "Descuento global",
                            "quantity": 1.0,
                            "price_unit": -round(amount * rng.uniform(0.05, 0.5), 2) or -0.01,
                            "tax_ids": first["tax_ids"],
                        }
                    )
                )
        moves = self.env["account.move"].create(values)
        moves.action_post()
        return moves

    def spread_cents(self, move):
        """Whether Odoo's global rounding moved cents between this move's lines."""
        base_lines, _tax_lines = move._get_rounded_base_and_tax_lines()
        return any(
            line["tax_details"]["delta_total_excluded_currency"]
            or any(
                not move.currency_id.is_zero(
                    tax["tax_amount_currency"]
                    - move.currency_id.round(tax["raw_tax_amount_currency"])
                )
                for tax in line["tax_details"]["taxes_data"]
            )
            for line in base_lines
        )

    def check_rounding_method(self, method, seed):
        self.company.tax_calculation_rounding_method = method
        moves = self.random_invoices(random.Random(seed), INVOICES_PER_METHOD)
        for start in range(0, len(moves), BATCH):
            moves[start : start + BATCH].action_l10n_mx_einvoice_stamp()
        checked = 0
        for move in moves:
            self.assertEqual(move.l10n_mx_einvoice_state, "stamped", move.l10n_mx_einvoice_message)
            xml = move.l10n_mx_einvoice_attachment_id.raw
            self.assertSatValid(xml)
            total = cfdi_xml.from_bytes(xml).total
            self.assertEqual(total, Decimal(str(move.amount_total)).quantize(Decimal("0.01")))
            checked += 1
        lines = sum(len(move.invoice_line_ids) for move in moves)
        spread = len(moves.filtered(self.spread_cents))
        negative = len(
            moves.filtered(
                lambda move: any(line.price_subtotal < 0 for line in move.invoice_line_ids)
            )
        )
        _logger.info(
            "%s: %d random invoices (%d lines, %d in USD, %d with a negative line, %d with "
            "rounding cents spread over their lines) stamped, Total = amount_total, SAT's "
            "XSD/XSLT valid",
            method,
            checked,
            lines,
            len(moves.filtered(lambda m: m.currency_id == self.usd)),
            negative,
            spread,
        )
        self.assertTrue(negative)
        if method == "round_globally":
            self.assertTrue(spread)  # the case the issue is about was exercised
        return checked

    def test_random_invoices_both_rounding_methods(self):
        checked = self.check_rounding_method("round_per_line", SEED)
        checked += self.check_rounding_method("round_globally", SEED + 1)
        _logger.info("random invoices stamped and checked: %d", checked)
        self.assertGreaterEqual(checked, 200)

    def test_three_lines_of_10_004_round_globally(self):
        """The issue's example: Odoo's total 34.81, the CFDI's too."""
        self.company.tax_calculation_rounding_method = "round_globally"
        move = self.make_invoice([{"price_unit": 10.004, "quantity": 1.0}] * 3)
        self.assertAlmostEqual(move.amount_total, 34.81)
        move.action_l10n_mx_einvoice_stamp()
        self.assertEqual(move.l10n_mx_einvoice_state, "stamped", move.l10n_mx_einvoice_message)
        xml = move.l10n_mx_einvoice_attachment_id.raw
        self.assertSatValid(xml)
        c = cfdi_xml.from_bytes(xml)
        self.assertEqual(c.total, Decimal("34.81"))
        self.assertEqual(c.subtotal - (c.descuento or 0), Decimal("30.01"))
