"""Mass stamping and SAT status follow-up as queue_job jobs: a job per batch on its stamp
account's channel, a line per invoice in each job's result. (Two worker processes taking
the jobs at once: benchmarks/bench_odoo.py --queue-workers 2.)"""

import contextlib
import uuid as uuid_module
from unittest.mock import patch

from odoo.addons.l10n_mx_einvoice.tests.common import make_invoice, setup_company
from odoo.addons.queue_job.job import Job
from odoo.tests import TransactionCase, tagged

BATCH = "odoo.addons.l10n_mx_einvoice.models.l10n_mx_einvoice_document.STAMP_BATCH_SIZE"


def perform(jobs):
    """Perform jobs in the test's transaction: their own cursor (allow_commit) could not
    see the test's uncommitted records."""
    with patch.object(Job, "in_temporary_env", lambda job: contextlib.nullcontext()):
        for job in jobs:
            job.perform()


def enqueued(env, method):
    """The jobs of ``method`` waiting in the queue (queue_job's ``queue.job`` records)."""
    records = env["queue.job"].search(
        [("method_name", "=", method), ("state", "=", "pending")], order="id"
    )
    return [Job.load(env, record.uuid) for record in records]


@tagged("post_install", "-at_install")
class TestStampJobs(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True))
        cls.company, _certificate, cls.account = setup_company(
            cls.env, name=f"EKU jobs {uuid_module.uuid4().hex[:8]}"
        )
        cls.env = cls.env(context=dict(cls.env.context, allowed_company_ids=[cls.company.id]))
        cls.customer, cls.product, cls.tax = customer_product_tax(cls.env, cls.company)

    def mine(self, method):
        """The enqueued jobs of ``method`` on this test's stamp account's channel."""
        channel = f"root.l10n_mx_einvoice.stamp_account_{self.account.id}"
        return [job for job in enqueued(self.env, method) if job.channel == channel]

    def invoices(self, count, customer=None):
        return self.env["account.move"].union(
            *(
                make_invoice(
                    self.env, self.company, customer or self.customer, self.product, self.tax
                )
                for _ in range(count)
            )
        )

    def test_a_job_per_batch_on_the_stamp_accounts_channel(self):
        moves = self.invoices(5)
        with patch(BATCH, 2):
            jobs = self.env["l10n_mx_einvoice.document"]._stamp_in_background(moves)
        self.assertEqual(len(jobs), 3)
        self.assertEqual(len(self.mine("_stamp_unattended_batch")), 3)
        channels = {job.channel for job in jobs}
        self.assertEqual(channels, {f"root.l10n_mx_einvoice.stamp_account_{self.account.id}"})
        self.assertEqual(set(moves.mapped("l10n_mx_einvoice_state")), {"to_stamp"})  # not yet
        perform(self.mine("_stamp_unattended_batch"))
        self.assertEqual(set(moves.mapped("l10n_mx_einvoice_state")), {"stamped"})

    def test_each_jobs_result_says_how_each_invoice_went(self):
        no_regimen = self.customer.copy(
            {"name": "SIN REGIMEN SA", "l10n_mx_einvoice_regimen_fiscal": False}
        )
        good, bad = self.invoices(2), self.invoices(1, no_regimen)
        jobs = self.env["l10n_mx_einvoice.document"]._stamp_in_background(good | bad)
        self.assertEqual(len(jobs), 1)
        job = self.mine("_stamp_unattended_batch")[0]
        perform([job])
        self.assertEqual(good.mapped("l10n_mx_einvoice_state"), ["stamped", "stamped"])
        self.assertEqual(bad.l10n_mx_einvoice_state, "error")  # one refusal stops no other
        for move in good:
            self.assertIn(
                f"{move.display_name}: Stamped ({move.l10n_mx_einvoice_uuid})", job.result
            )
        self.assertIn(f"{bad.display_name}: Error", job.result)
        self.assertIn("fiscal regime", job.result)

    def test_the_cron_enqueues_and_a_large_selection_runs_in_the_background(self):
        moves = self.invoices(2)
        self.company.l10n_mx_einvoice_stamp_on_post = True  # the cron stamps what waits
        self.env["l10n_mx_einvoice.document"]._cron_stamp()
        self.assertEqual(len(self.mine("_stamp_unattended_batch")), 1)
        self.assertEqual(set(moves.mapped("l10n_mx_einvoice_state")), {"to_stamp"})
        self.env["l10n_mx_einvoice.document"]._cron_stamp()  # again: the same job, not another
        self.assertEqual(len(self.mine("_stamp_unattended_batch")), 1)
        with patch("odoo.addons.l10n_mx_einvoice.models.account_move.BACKGROUND_FROM", 2):
            action = moves.action_l10n_mx_einvoice_stamp()
        run = self.env[action["res_model"]].browse(action["res_id"])
        self.assertEqual((run.state, run.progress, run.waiting_count), ("running", 0.0, 2))
        self.assertEqual(len(self.mine("_stamp_unattended_batch")), 1)  # identity
        perform(self.mine("_stamp_unattended_batch"))
        self.assertEqual(set(moves.mapped("l10n_mx_einvoice_state")), {"stamped"})
        run.invalidate_recordset()
        self.assertEqual((run.state, run.progress, run.stamped_count), ("done", 100.0, 2))

    def test_sat_status_follow_up_as_jobs(self):
        moves = self.invoices(2)
        moves.action_l10n_mx_einvoice_stamp()
        self.env["l10n_mx_einvoice.document"]._cron_sat_status()
        jobs = self.mine("_check_sat_status_batch")
        self.assertEqual(len(jobs), 1)
        perform(jobs)
        self.assertEqual(
            moves.l10n_mx_einvoice_document_id.mapped("sat_estado"), ["Vigente", "Vigente"]
        )


def customer_product_tax(env, company):
    customer = env["res.partner"].create(
        {
            "name": "XENON INDUSTRIAL ARTICLES",
            "vat": "XIA190128J61",
            "zip": "76343",
            "country_id": env.ref("base.mx").id,
            "l10n_mx_einvoice_regimen_fiscal": "601",
            "l10n_mx_einvoice_uso_cfdi": "G03",
            "company_id": company.id,
        }
    )
    product = env["product.product"].create(
        {
            "name": "Servicio",
            "uom_id": env.ref("uom.product_uom_unit").id,
            "company_id": company.id,
            "l10n_mx_einvoice_clave_prod_serv_id": env["l10n_mx_einvoice.sat.code"]
            ._l10n_mx_einvoice_find("84111506", "product")
            .id,
        }
    )
    return customer, product, env["account.chart.template"].with_company(company).ref("tax12")
