"""A large selection stamped in the background as jobs: the run is handed to the job queue
at once (a job per batch, ``_stamp_in_background``); its progress and per-invoice report
are the main addon's, read from its invoices as the jobs end."""

from odoo import models
from odoo.addons.queue_job.utils import must_run_without_delay


class L10nMxEinvoiceStampRun(models.Model):
    _inherit = "l10n_mx_einvoice.stamp.run"

    def _launch(self):
        if must_run_without_delay(self.env):
            return super()._launch()
        return self._run(commit=False)  # the jobs are enqueued with the user's transaction
