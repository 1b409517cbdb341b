"""Two users importing the same supplier CFDI at the same moment, with real separate
database cursors (real commits): one bill, and a clear message for the other user."""

import threading
import uuid as uuid_module
from unittest.mock import patch

from odoo import SUPERUSER_ID, api
from odoo.addons.l10n_mx_einvoice.cfdi.testing import supplier_documents as docs
from odoo.tests import TransactionCase, tagged
from odoo.tools import mute_logger

from .common import setup_company


@tagged("post_install", "-at_install")
class TestVendorImportConcurrency(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        with cls.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {"tracking_disable": True})
            company, _certificate, account = setup_company(
                env, name=f"EKU vendor concurrency {uuid_module.uuid4().hex[:8]}"
            )
            cls.company_id = company.id
            cls.journal_id = (
                env["account.journal"]
                .search([("company_id", "=", company.id), ("type", "=", "purchase")], limit=1)
                .id
            )
            cls.cfdi = docs.stamped(
                account._get_connector(), docs.supplier_invoice(), docs.supplier_credential()
            )
            cr.commit()  # pylint: disable=invalid-commit
        cls.addClassCleanup(cls.release_company_name)

    @classmethod
    def release_company_name(cls):
        with cls.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            env["res.company"].browse(
                cls.company_id
            ).partner_id.name = f"EKU vendor concurrency {cls.company_id} (done)"
            cr.commit()  # pylint: disable=invalid-commit

    def env_of(self, cr):
        if cr.transaction is None:  # Registry(dbname) would wait for the lock the test run holds
            cr.transaction = api.Transaction(self.registry)
        return api.Environment(
            cr, SUPERUSER_ID, {"tracking_disable": True, "allowed_company_ids": [self.company_id]}
        )

    def import_in_new_cursor(self, results):
        with self.registry.cursor() as cr:
            env = self.env_of(cr)
            wizard = env["l10n_mx_einvoice.vendor.import"].create(
                {
                    "journal_id": self.journal_id,
                    "check_sat_status": False,
                    "attachment_ids": [(0, 0, {"name": "factura.xml", "raw": self.cfdi})],
                }
            )
            wizard.action_import()
            results.append([(line.state, line.message) for line in wizard.line_ids])
            cr.commit()  # pylint: disable=invalid-commit

    def test_the_same_cfdi_imported_at_once_makes_one_bill_and_a_clear_message(self):
        Reader = type(self.env["l10n_mx_einvoice.bill.reader"])
        create_many = Reader._create_many
        both_checked = threading.Barrier(2, timeout=30)

        def create_together(reader, journal, prepared):
            both_checked.wait()  # both found no bill of this UUID before either creates one
            return create_many(reader, journal, prepared)

        results = []
        with (
            patch.object(Reader, "_create_many", create_together),
            mute_logger("odoo.sql_db"),  # the unique index's refusal, turned into the message
        ):
            threads = [
                threading.Thread(target=self.import_in_new_cursor, args=(results,))
                for _ in range(2)
            ]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
        self.assertEqual(len(results), 2, "a thread ended with an exception")
        states = sorted(state for [(state, _message)] in results)
        self.assertEqual(states, ["error", "imported"], results)
        [(_state, message)] = next(lines for lines in results if lines[0][0] == "error")
        self.assertIn("imported by another user at the same moment", message)
        with self.registry.cursor() as cr:
            bills = self.env_of(cr)["account.move"].search(
                [
                    ("company_id", "=", self.company_id),
                    ("l10n_mx_einvoice_vendor_uuid", "!=", False),
                ]
            )
            self.assertEqual(len(bills), 1)
