"""The vendor imports as queue_job jobs: a large supplier CFDI upload is imported by a job
per chunk of files, and the packages of a SAT mass download by jobs too, on the company's
channel; nothing is imported twice (a copy in another chunk, a job run again) and hostile
files are refused as without the queue."""

import tempfile
from datetime import UTC, datetime
from pathlib import Path
from unittest.mock import patch

from odoo.addons.l10n_mx_einvoice.cfdi import reception
from odoo.addons.l10n_mx_einvoice.cfdi.testing.descarga import sat, write_documents
from odoo.addons.l10n_mx_einvoice.tests import test_descarga
from odoo.addons.l10n_mx_einvoice.tests.common import (
    RUN_JOBS_NOW,
    L10nMxEinvoiceCommon,
    VendorFixtures,
)
from odoo.addons.l10n_mx_einvoice.tests.test_vendor_import import XXE
from odoo.tests import tagged

from .test_queue import enqueued, perform

VENDOR_IMPORT = "odoo.addons.l10n_mx_einvoice_queue.models.l10n_mx_einvoice_vendor_import"


class ImportJobsCommon(VendorFixtures, L10nMxEinvoiceCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # the main addon's tests run jobs at once: these queue them, as a user would
        context = {k: v for k, v in cls.env.context.items() if k not in RUN_JOBS_NOW}
        cls.env = cls.env(context=context)
        cls.setup_vendor()

    def jobs(self, method):
        channel = f"root.l10n_mx_einvoice.company_{self.company.id}"
        # the accountant queues the jobs; reading the queue is for its managers
        return [job for job in enqueued(self.env(su=True), method) if job.channel == channel]

    def bills(self, uuids):
        return self.env["account.move"].search([("l10n_mx_einvoice_vendor_uuid", "in", uuids)])


@tagged("post_install", "-at_install")
class TestVendorImportJobs(ImportJobsCommon):
    def test_a_large_upload_is_imported_by_a_job_per_chunk(self):
        services, other = self.services_cfdi(), self.supplier_cfdi()
        files = [
            ("a.xml", services),
            ("b.xml", other),
            ("a-copy.xml", services),  # in another chunk: refused as a duplicate
            ("xxe.xml", XXE),  # hostile: refused
        ]
        with patch(f"{VENDOR_IMPORT}.IMPORT_JOB_FILES", 2):
            wizard = self.run_import(files, check_sat_status=False)
        self.assertEqual(wizard.state, "draft")  # the result is the jobs'
        jobs = self.jobs("_import_chunk")
        self.assertEqual(len(jobs), 2)
        self.assertFalse(wizard.line_ids)
        perform(jobs)
        a_bill = self.bills([self.reception_uuid(services)])
        self.assertEqual(len(a_bill), 1)
        self.assertEqual(len(self.bills([self.reception_uuid(other)])), 1)
        first, second = (job.result for job in jobs)
        self.assertIn("a.xml: Imported", first)
        self.assertIn("b.xml: Imported", first)
        self.assertIn("a-copy.xml: Already imported", second)
        self.assertIn(a_bill.display_name, second)
        self.assertIn("xxe.xml: Not imported", second)
        self.assertFalse(wizard.attachment_ids.exists(), "the uploads are not kept")

    def test_a_small_upload_is_imported_now(self):
        wizard = self.run_import([("a.xml", self.services_cfdi())], check_sat_status=False)
        self.assertEqual(wizard.state, "done")
        self.assertFalse(self.jobs("_import_chunk"))
        self.assertEqual(wizard.line_ids.state, "imported")

    @staticmethod
    def reception_uuid(data):
        return reception.summary(reception.parse_root("x.xml", data)).uuid


@tagged("post_install", "-at_install")
class TestSatDownloadJobs(ImportJobsCommon):
    # the main addon's request helpers (module attribute: its test class is not collected here)
    download = test_descarga.TestDescarga.download
    run_download = test_descarga.TestDescarga.run_download
    rows = test_descarga.TestDescarga.rows

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        folder = Path(cls.enterClassContext(tempfile.TemporaryDirectory()))
        cls.cfdi_dir = folder / "cfdi"
        cls.cfdi_dir.mkdir()
        cls.uuids = write_documents(cls.cfdi_dir)
        cls.fiel = cls.env["l10n_mx_einvoice.fiel"].create(test_descarga.fiel_values(cls.company))

    def setUp(self):
        super().setUp()
        state = Path(self.enterContext(tempfile.TemporaryDirectory()))
        _simulator, server = self.enterContext(sat(self.cfdi_dir, state, steps=1))
        self.env["ir.config_parameter"].sudo().set_param(
            "l10n_mx_einvoice.descarga_url", server.url
        )

    def test_stored_packages_are_imported_by_jobs_once(self):
        download = self.run_download(self.download())
        self.assertEqual(download.state, "done", download.sat_message)
        self.assertFalse(self.rows(), "the scheduled action only talks to SAT")
        jobs = self.jobs("_import_packages_job")
        self.assertEqual(len(jobs), download.package_count)
        download._advance(datetime.now(UTC))  # the next run: the same jobs, no others
        self.assertEqual(len(self.jobs("_import_packages_job")), len(jobs))
        perform(jobs)
        perform(jobs)  # run again: each package was imported once
        received = list(self.uuids["received"])
        self.assertEqual(set(self.rows().mapped("uuid")), set(received))
        self.assertEqual(len(self.bills(received)), 4, download.import_problems)
        self.assertEqual(sorted(download.imported_packages), sorted(download.job["stored"]))
        self.assertIn("Packages imported:", jobs[0].result)
