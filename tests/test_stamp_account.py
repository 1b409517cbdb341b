from datetime import timedelta

from odoo import Command, fields
from odoo.exceptions import UserError, ValidationError
from odoo.tests import Form, tagged
from odoo.tools import mute_logger
from psycopg2 import IntegrityError

from .common import L10nMxEinvoiceCommon, make_invoice

UUID_A = "6f1a3c5e-0b7d-4c2a-9e8f-1a2b3c4d5e6f"
UUID_B = "7a2b4c6d-1e8f-4a3b-8c9d-2b3c4d5e6f70"


@tagged("post_install", "-at_install")
class TestStampAccount(L10nMxEinvoiceCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Ledger = cls.env["l10n_mx_einvoice.credit.move"].sudo()  # no create right for anyone
        cls.package = cls.env["product.product"].create(
            {
                "name": "Paquete de 100 timbres",
                "type": "service",
                "l10n_mx_einvoice_stamp_credits": 100,
                "standard_price": 250.0,
            }
        )

    def _adjust(self, quantity, reason="test"):
        self.Ledger.create(
            {
                "account_id": self.stamp_account.id,
                "kind": "adjustment",
                "quantity": quantity,
                "reason": reason,
            }
        )
        self.stamp_account.invalidate_recordset()

    def _bill(self, quantity=1, move_type="in_invoice"):
        bill = self.env["account.move"].create(
            {
                "move_type": move_type,
                "partner_id": self.partner_a.id,
                "invoice_date": fields.Date.today(),
                "invoice_line_ids": [
                    Command.create(
                        {
                            "product_id": self.package.id,
                            "quantity": quantity,
                            "price_unit": 250.0,
                            "tax_ids": [Command.clear()],
                        }
                    )
                ],
            }
        )
        return bill

    def test_balance_is_the_sum_of_the_ledger(self):
        self.assertEqual(self.stamp_account.balance, 100)
        self._adjust(-30)
        self.assertEqual(self.stamp_account.balance, 70)

    def test_consume_credit_once_per_uuid(self):
        first = self.Ledger._record_stamps(self.stamp_account, [(UUID_A, False)])
        again = self.Ledger._record_stamps(self.stamp_account, [(UUID_A.upper(), False)])
        self.assertEqual(first, again)
        self.assertEqual(first.quantity, -1)
        self.assertEqual(first.uuid, UUID_A.upper())
        self.Ledger._record_stamps(self.stamp_account, [(UUID_B, False)])
        self.stamp_account.invalidate_recordset()
        self.assertEqual(self.stamp_account.balance, 98)

    def test_consume_credits_of_a_batch_charges_each_new_uuid_once(self):
        first = self.Ledger._record_stamps(self.stamp_account, [(UUID_A, False)])
        lines = self.Ledger._record_stamps(
            self.stamp_account, [(UUID_A, False), (UUID_B.lower(), False)]
        )
        self.assertEqual(len(lines), 2)
        self.assertIn(first, lines)
        self.assertEqual(sorted(lines.mapped("uuid")), sorted([UUID_A.upper(), UUID_B.upper()]))
        self.stamp_account.invalidate_recordset()
        self.assertEqual(self.stamp_account.balance, 98)

    def test_uuid_is_unique_in_the_database(self):
        self.Ledger._record_stamps(self.stamp_account, [(UUID_A, False)])
        with mute_logger("odoo.sql_db"), self.assertRaises(IntegrityError), self.cr.savepoint():
            self.Ledger.create(
                {
                    "account_id": self.stamp_account.id,
                    "kind": "stamp",
                    "quantity": -1,
                    "uuid": UUID_A.upper(),
                }
            )

    def test_zero_credits_stop_stamping_with_a_clear_message(self):
        self.assertTrue(self.stamp_account._check_can_stamp())
        self._adjust(-100, "Sin saldo")
        with self.assertRaises(UserError) as caught:
            self.stamp_account._check_can_stamp()
        message = str(caught.exception)
        self.assertIn("Sin folios disponibles", message)
        self.assertIn("Sandbox", message)
        self.assertIn("vendor bill", message)
        self.assertIn("unlimited", message)

    def test_unlimited_plan_with_expiry(self):
        self._adjust(-100)
        self.stamp_account.write({"unlimited": True, "unlimited_until": False})
        self.assertTrue(self.stamp_account._check_can_stamp())
        move = self.Ledger._record_stamps(self.stamp_account, [(UUID_A, False)])
        self.assertEqual(move.quantity, 0, "an unlimited plan does not spend credits")
        self.stamp_account.unlimited_until = fields.Date.today() - timedelta(days=1)
        with self.assertRaises(UserError):
            self.stamp_account._check_can_stamp()

    def test_vendor_bill_of_a_stamp_package_adds_credits(self):
        bill = self._bill(quantity=2)
        bill.action_post()
        purchase = self.Ledger.search([("move_id", "=", bill.id)])
        self.assertEqual(purchase.kind, "purchase")
        self.assertEqual(purchase.quantity, 200)
        self.stamp_account.invalidate_recordset()
        self.assertEqual(self.stamp_account.balance, 300)
        # posting again after a reset does not count the stamps twice
        bill.button_draft()
        self.stamp_account.invalidate_recordset()
        self.assertEqual(self.stamp_account.balance, 100)
        bill.action_post()
        self.stamp_account.invalidate_recordset()
        self.assertEqual(self.stamp_account.balance, 300)
        self.assertEqual(
            sum(self.Ledger.search([("move_id", "=", bill.id)]).mapped("quantity")), 200
        )

    def test_vendor_refund_of_a_stamp_package_removes_credits(self):
        refund = self._bill(quantity=1, move_type="in_refund")
        refund.action_post()
        self.stamp_account.invalidate_recordset()
        self.assertEqual(self.stamp_account.balance, 0)

    def test_customer_invoice_or_plain_bill_adds_nothing(self):
        bill = self.env["account.move"].create(
            {
                "move_type": "in_invoice",
                "partner_id": self.partner_a.id,
                "invoice_date": fields.Date.today(),
                "invoice_line_ids": [
                    Command.create({"product_id": self.product_a.id, "price_unit": 10})
                ],
            }
        )
        bill.action_post()
        self.assertFalse(self.Ledger.search([("move_id", "=", bill.id)]))

    def test_bill_without_stamp_account_says_so(self):
        self.company.l10n_mx_einvoice_stamp_account_id = False
        bill = self._bill()
        bill.action_post()
        self.assertFalse(self.Ledger.search([("move_id", "=", bill.id)]))
        self.assertIn("no stamp account", bill.message_ids[0].body)

    def test_manual_adjustment_needs_a_reason(self):
        with self.assertRaises(ValidationError):
            self.Ledger.create(
                {
                    "account_id": self.stamp_account.id,
                    "kind": "adjustment",
                    "quantity": 5,
                    "reason": "  ",
                }
            )
        wizard = self.env["l10n_mx_einvoice.credit.adjust"].create(
            {"account_id": self.stamp_account.id, "quantity": 5, "reason": " "}
        )
        with self.assertRaises(UserError):
            wizard.action_apply()
        wizard.reason = "Cortesía del proveedor"
        wizard.action_apply()
        self.stamp_account.invalidate_recordset()
        self.assertEqual(self.stamp_account.balance, 105)
        self.assertEqual(self.stamp_account.credit_move_ids[0].reason, "Cortesía del proveedor")

    def test_ledger_is_append_only(self):
        line = self.stamp_account.credit_move_ids[0]
        with self.assertRaises(UserError):
            line.quantity = 1000
        with self.assertRaises(UserError):
            line.unlink()

    def test_sync_balance_from_the_provider(self):
        connector = self.stamp_account._get_connector()
        self.assertIn(str(self.stamp_account.id), str(connector.state_dir))
        connector.set_credits(42)
        action = self.stamp_account.action_sync_balance()
        self.assertEqual(action["params"]["type"], "info")
        self.stamp_account.invalidate_recordset()
        self.assertEqual(self.stamp_account.balance, 42)
        self.assertEqual(self.stamp_account.credit_move_ids[0].kind, "sync")
        self.assertFalse(self.stamp_account.unlimited)
        self.assertIn("42 stamps left", self.stamp_account.message_ids[0].body)

    def test_sync_never_switches_to_unlimited_silently(self):
        connector = self.stamp_account._get_connector()
        connector.set_credits(0)
        self.stamp_account.action_sync_balance()
        self.stamp_account.invalidate_recordset()
        self.assertEqual(self.stamp_account.balance, 0)
        connector.set_credits(None)  # the sandbox's unlimited plan
        action = self.stamp_account.action_sync_balance()
        self.assertEqual(action["params"]["type"], "warning")
        self.assertIn("NOT switched to unlimited", action["params"]["message"])
        self.assertIn("NOT switched to unlimited", self.stamp_account.message_ids[0].body)
        self.assertFalse(self.stamp_account.unlimited)
        with self.assertRaisesRegex(UserError, "Sin folios disponibles"):
            self.stamp_account._check_can_stamp()
        # a provider that ends the unlimited plan ends it here too, and says so
        self.stamp_account.unlimited = True
        connector.set_credits(5)
        self.stamp_account.action_sync_balance()
        self.assertFalse(self.stamp_account.unlimited)
        self.assertEqual(self.stamp_account.balance, 5)
        self.assertIn("no longer unlimited", self.stamp_account.message_ids[0].body)

    def test_new_account_form_does_not_say_no_credits(self):
        form = Form(self.env["l10n_mx_einvoice.stamp.account"])
        form.name = "Finkok"
        self.assertFalse(form.is_out_of_credits)
        self.assertFalse(form.is_low_balance)
        account = form.save()
        self.assertTrue(account.is_out_of_credits)
        self.assertFalse(self.stamp_account.is_out_of_credits)

    def test_ledger_line_names_the_invoice(self):
        invoice = make_invoice(
            self.env, self.company, self.customer, self.product_a, self.tax_iva16
        )
        invoice.action_l10n_mx_einvoice_stamp()
        line = self.stamp_account.credit_move_ids.filtered(lambda m: m.kind == "stamp")
        self.assertEqual(line.uuid, invoice.l10n_mx_einvoice_uuid)
        self.assertEqual(line.stamped_move_id, invoice)

    def test_low_balance_warns_the_managers(self):
        self.stamp_account.low_balance_threshold = 10
        self._adjust(-89)
        self.assertFalse(self.stamp_account.is_low_balance)
        self.Ledger._record_stamps(self.stamp_account, [(UUID_A, False)])
        self.stamp_account.invalidate_recordset()
        self.assertEqual(self.stamp_account.balance, 10)
        self.assertTrue(self.stamp_account.is_low_balance)
        self.assertIn(self.env.user, self.stamp_account.activity_ids.user_id)
        self.assertIn("10 stamps left", self.stamp_account.message_ids[0].body)
        self.assertTrue(self.stamp_account.low_balance_warned)
        activities = len(self.stamp_account.activity_ids)
        self.stamp_account.activity_ids.action_feedback("Paquete pedido")
        self.Ledger._record_stamps(self.stamp_account, [(UUID_B, False)])
        self.env["l10n_mx_einvoice.stamp.account"]._cron_low_balance()
        self.assertFalse(self.stamp_account.activity_ids, "warned once while the balance stays low")
        # a purchase lifts the balance: the next drop warns again
        self._adjust(50, "Compra")
        self.assertFalse(self.stamp_account.low_balance_warned)
        self._adjust(-50, "Corrección")
        self.assertEqual(len(self.stamp_account.activity_ids), activities)

    def test_no_credits_message_in_spanish(self):
        self.env["res.lang"]._activate_lang("es_419")
        self.env["ir.module.module"]._load_module_terms(
            ["l10n_mx_einvoice"], ["es_419"], overwrite=True
        )
        self._adjust(-100)
        with self.assertRaises(UserError) as caught:
            self.stamp_account.with_context(lang="es_419")._check_can_stamp()
        self.assertIn(
            "Sin folios disponibles en la cuenta de timbrado Sandbox de ESCUELA KEMPER URGATE",
            str(caught.exception),
        )
        self.assertIn("factura de proveedor", str(caught.exception))
