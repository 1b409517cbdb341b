"""A large selection stamped in the background without a job queue: the stamping
scheduled action takes it (triggered at once); the run shows how far it went and, per
invoice, its CFDI state and UUID or the problem found."""

from unittest.mock import patch

from odoo.tests import tagged

from .common import FlowFixtures, L10nMxEinvoiceCommon

BACKGROUND_FROM = "odoo.addons.l10n_mx_einvoice.models.account_move.BACKGROUND_FROM"


@tagged("post_install", "-at_install")
class TestStampRun(FlowFixtures, L10nMxEinvoiceCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.setup_flow()

    def test_a_large_selection_runs_in_the_background_with_progress_and_a_report(self):
        no_regimen = self.customer.copy({"l10n_mx_einvoice_regimen_fiscal": False})
        good = self.make_invoice() | self.make_invoice()
        bad = self.make_invoice(partner_id=no_regimen.id)
        cron = self.env.ref("l10n_mx_einvoice.ir_cron_l10n_mx_einvoice_stamp")
        triggers = self.env["ir.cron.trigger"].search_count([("cron_id", "=", cron.id)])
        with patch(BACKGROUND_FROM, 3):
            action = (good | bad).action_l10n_mx_einvoice_stamp()
            small = self.make_invoice()
            self.assertIs(small.action_l10n_mx_einvoice_stamp(), True)  # a few: at once
        self.assertEqual(small.l10n_mx_einvoice_state, "stamped")
        run = self.env[action["res_model"]].browse(action["res_id"])
        self.assertEqual(run.move_ids, good | bad)
        self.assertEqual((run.state, run.waiting_count, run.progress), ("waiting", 3, 0.0))
        self.assertEqual(
            self.env["ir.cron.trigger"].search_count([("cron_id", "=", cron.id)]), triggers + 1
        )
        self.env["l10n_mx_einvoice.document"]._cron_stamp()  # the triggered run
        run.invalidate_recordset()
        self.assertEqual(run.state, "done")
        self.assertEqual((run.stamped_count, run.error_count, run.progress), (2, 1, 100.0))
        report = run._report()
        for move in good:
            self.assertIn(f"{move.display_name}: Stamped ({move.l10n_mx_einvoice_uuid})", report)
        self.assertIn(f"{bad.display_name}: Error", report)
        self.assertIn("fiscal regime", report)
        self.env["l10n_mx_einvoice.document"]._cron_stamp()  # once launched, not again
        self.assertEqual(len(good.l10n_mx_einvoice_document_ids), 2)
