"""DIOT from real Odoo vendor bills and payments: what was paid in the month per supplier
(cash basis), by IVA section, and SAT's 2025 batch file (54 fields), each figure
computed here from the bills' own amounts."""

import base64
import datetime as dt

from odoo import Command
from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged

from .common import BooksFixtures, L10nMxEinvoiceCommon


@tagged("post_install", "-at_install")
class TestDiot(BooksFixtures, L10nMxEinvoiceCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.setup_books()
        cls.today = dt.date.today()

    def diot(self, user=None):
        env = self.env(user=user) if user else self.env
        wizard = env["l10n_mx_einvoice.diot"].create(
            {"company_id": self.company.id, "year": self.today.year, "month": str(self.today.month)}
        )
        wizard.action_compute()
        return wizard

    def line_of(self, wizard, partner):
        (line,) = wizard.line_ids.filtered(lambda item: item.partner_id == partner)
        return line

    def test_paid_bills_by_supplier_and_section(self):
        bill = self.make_bill(self.supplier, [(1000.0, self.purchase_16)])
        other = self.make_bill(
            self.supplier, [(300.0, self.purchase_exento), (200.0, self.purchase_0)]
        )
        fees = self.make_bill(
            self.professional, [(1000.0, self.purchase_16 | self.purchase_ret_iva)]
        )
        imported = self.make_bill(
            self.foreign_supplier, [(100.0, self.purchase_import)], currency=self.usd
        )
        unpaid = self.make_bill(self.supplier, [(777.0, self.purchase_16)])
        payments = self.pay_bill(bill, 1160.0) | self.pay_bill(other, 500.0)
        self.assertEqual(fees.amount_total, 1053.30)  # 1000 + 160 - 106.70 withheld
        self.pay_bill(fees, 526.65)  # half of it
        self.pay_bill(imported, 116.0, currency=self.usd)

        wizard = self.diot()
        self.assertFalse(wizard.problems)
        self.assertEqual(len(wizard.line_ids), 3)
        national = self.line_of(wizard, self.supplier)
        self.assertEqual(
            (national.tipo_tercero, national.tipo_operacion, national.rfc),
            ("04", "85", "ICV060329BY0"),
        )
        self.assertEqual(
            (national.paid_16, national.iva_16, national.paid_exempt, national.paid_0),
            (1000.0, 160.0, 300.0, 200.0),
        )
        self.assertNotIn(unpaid, national.move_ids)
        self.assertEqual(national.move_ids, bill | other | payments.move_id)
        action = national.action_open_moves()
        self.assertEqual(self.env["account.move"].search(action["domain"]), national.move_ids)
        self.assertEqual(action["views"][0], (self.env.ref("account.view_move_tree").id, "list"))

        fees_line = self.line_of(wizard, self.professional)
        self.assertEqual(fees_line.tipo_operacion, "03")
        self.assertEqual(
            (fees_line.paid_16, fees_line.iva_16, fees_line.iva_withheld), (500.0, 80.0, 53.35)
        )
        foreign = self.line_of(wizard, self.foreign_supplier)
        self.assertEqual((foreign.tipo_tercero, foreign.tipo_operacion), ("05", "07"))
        # pesos at the bill's rate (17.50)
        self.assertEqual((foreign.paid_import, foreign.iva_import), (1750.0, 280.0))

        rows = base64.b64decode(wizard.txt_file).decode("utf-8").split("\r\n")
        self.assertEqual(rows[-1], "")
        rows = {row.split("|")[2] or row.split("|")[3]: row.split("|") for row in rows[:-1]}
        self.assertEqual(len(rows), 3)
        for fields_ in rows.values():
            self.assertEqual(len(fields_), 54)
        expected = [""] * 54
        expected[0:3] = ["04", "85", "ICV060329BY0"]
        expected[12 - 1] = "1000"  # field 12: 16 % paid
        expected[22 - 1] = "160"  # field 22: IVA 16 % creditable
        expected[50 - 1] = "300"  # field 50: exempt
        expected[51 - 1] = "200"  # field 51: 0 %
        expected[54 - 1] = "01"
        self.assertEqual(rows["ICV060329BY0"], expected)
        fees_row = rows["MAS0810247C0"]
        self.assertEqual((fees_row[11], fees_row[21], fees_row[47]), ("500", "80", "53"))
        foreign_row = rows["98-7654321"]
        self.assertEqual(foreign_row[:6], ["05", "07", "", "98-7654321", "ACME Tools Inc.", "USA"])
        self.assertEqual((foreign_row[13], foreign_row[23]), ("1750", "280"))

    def test_border_rate_returns_rent_and_global_suppliers(self):
        chart = self.env["account.chart.template"].with_company(self.company)
        north = chart.ref("tax16")  # 8 % región fronteriza norte
        landlord = self.env["res.partner"].create(
            {
                "name": "INMOBILIARIA DEL NORTE",
                "is_company": True,
                "country_id": self.env.ref("base.mx").id,
                "vat": "IIA040805DZ4",
                "l10n_mx_einvoice_diot_operation": "06",
            }
        )
        public = self.env["res.partner"].create(
            {
                "name": "PROVEEDORES DE MOSTRADOR",
                "country_id": self.env.ref("base.mx").id,
                "vat": "XAXX010101000",
            }
        )
        border = self.make_bill(self.supplier, [(1000.0, north)])
        bill = self.make_bill(self.supplier, [(2000.0, self.purchase_16)])
        refund = self.make_bill(
            self.supplier, [(500.0, self.purchase_16)], move_type="in_refund", ref="NC-1"
        )
        (bill | refund).line_ids.filtered(
            lambda item: item.account_type == "liability_payable"
        ).reconcile()
        self.assertEqual(bill.amount_residual, 2320.0 - 580.0)
        self.pay_bill(bill, 1740.0)
        self.pay_bill(border, 1080.0)
        rent = self.make_bill(landlord, [(10000.0, self.purchase_16)])
        self.pay_bill(rent, 11600.0)
        counter = self.make_bill(public, [(300.0, self.purchase_16)])
        self.pay_bill(counter, 348.0)

        wizard = self.diot()
        self.assertFalse(wizard.problems)
        national = self.line_of(wizard, self.supplier)
        self.assertEqual(
            (national.paid_8_north, national.iva_8_north),
            (1000.0, 80.0),
        )
        # the bill paid in full (by the payment and by the return), the return apart
        self.assertEqual(
            (national.paid_16, national.refunds_16, national.iva_16), (2000.0, 500.0, 240.0)
        )
        self.assertIn(refund, national.move_ids)
        rent_line = self.line_of(wizard, landlord)
        self.assertEqual((rent_line.tipo_tercero, rent_line.tipo_operacion), ("04", "06"))
        counter_line = self.line_of(wizard, public)
        self.assertEqual(
            (counter_line.tipo_tercero, counter_line.tipo_operacion, counter_line.rfc),
            ("15", "87", "XAXX010101000"),
        )
        rows = base64.b64decode(wizard.txt_file).decode("utf-8").split("\r\n")[:-1]
        rows = {row.split("|")[2]: row.split("|") for row in rows}
        row = rows["ICV060329BY0"]
        # fields 8 and 18: 8 % north paid and its IVA; 12, 13, 22: 16 % paid, returns, IVA
        self.assertEqual((row[7], row[17]), ("1000", "80"))
        self.assertEqual((row[11], row[12], row[21]), ("2000", "500", "240"))
        self.assertEqual(rows["IIA040805DZ4"][:2], ["04", "06"])
        self.assertEqual(rows["IIA040805DZ4"][11], "10000")
        self.assertEqual(rows["XAXX010101000"][:2], ["15", "87"])

    def test_a_supplier_without_rfc_is_listed_and_no_file_is_made(self):
        nameless = self.env["res.partner"].create(
            {"name": "FERRETERIA SIN RFC", "country_id": self.env.ref("base.mx").id}
        )
        bill = self.make_bill(nameless, [(100.0, self.purchase_16)])
        self.pay_bill(bill, 116.0)
        wizard = self.diot()
        self.assertIn("FERRETERIA SIN RFC", wizard.problems)
        self.assertIn("EINV-DIOT-RFC", wizard.problems)
        self.assertFalse(wizard.txt_file)
        self.assertEqual(self.line_of(wizard, nameless).paid_16, 100.0)  # the report still shows it

    def test_payments_of_another_month_are_not_counted(self):
        bill = self.make_bill(self.supplier, [(1000.0, self.purchase_16)])
        next_month = (self.today.replace(day=1) + dt.timedelta(days=32)).replace(day=1)
        self.pay_bill(bill, 1160.0, date=next_month)
        self.assertFalse(self.diot().line_ids)

    def test_accounting_managers_of_the_company_only(self):
        invoicing = new_test_user(
            self.env,
            "diot_invoicing",
            groups="account.group_account_invoice",
            company_id=self.company.id,
        )
        with self.assertRaises(AccessError):
            self.diot(user=invoicing)
        other = self.setup_other_company(name="OTRA EMPRESA DIOT")["company"]
        manager = new_test_user(
            self.env,
            "diot_manager",
            groups="account.group_account_manager",
            company_id=other.id,
            company_ids=[Command.set(other.ids)],
        )
        with self.assertRaises(AccessError):
            self.diot(user=manager)
