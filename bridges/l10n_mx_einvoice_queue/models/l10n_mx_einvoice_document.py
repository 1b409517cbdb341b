"""Mass stamping and the SAT status follow-up as queue_job jobs (the main addon's
``_stamp_in_background`` and ``_check_sat_status_in_background`` extension points): a job
per batch, on the channel of its stamp account, so that several Odoo workers (and servers
sharing the database) take them at once, each batch's PAC calls running at once too."""

from odoo import api, models
from odoo.addons.l10n_mx_einvoice.models import l10n_mx_einvoice_document as lifecycle
from odoo.addons.queue_job.job import identity_exact
from odoo.addons.queue_job.utils import must_run_without_delay

CHANNEL = "root.l10n_mx_einvoice"
SAT_STATUS_JOB_SIZE = 100


class L10nMxEinvoiceDocument(models.Model):
    _inherit = "l10n_mx_einvoice.document"

    @api.model
    def _job_channel(self, account):
        """A stamp account's channel (its capacity is set in the job runner's channels)."""
        return f"{CHANNEL}.stamp_account_{account.id}" if account else CHANNEL

    @api.model
    def _stamp_account_of(self, subject):
        if subject._name == self._name:
            return subject.stamp_account_id
        return subject.company_id._l10n_mx_einvoice_stamp_account()

    def _job_prepare_context_before_enqueue_keys(self):
        # a job commits as its enqueuer would (tests force it to)
        return (*super()._job_prepare_context_before_enqueue_keys(), "l10n_mx_einvoice_commit")

    @api.model
    def _stamp_in_background(self, subjects):
        """A job per batch of ``subjects`` (at most STAMP_BATCH_SIZE, one stamp account);
        each job's result lists how each subject went. Returns the jobs. queue_job's
        no-delay switch (``queue_job__no_delay``) runs the batches now, as without it."""
        if must_run_without_delay(self.env):
            return super()._stamp_in_background(subjects)
        size = lifecycle.STAMP_BATCH_SIZE
        by_account = {}
        for subject in subjects:
            by_account.setdefault(self._stamp_account_of(subject), []).append(subject.id)
        jobs = []
        for account, ids in by_account.items():
            for start in range(0, len(ids), size):
                batch = subjects.browse(ids[start : start + size])
                jobs.append(
                    self.with_delay(
                        channel=self._job_channel(account),
                        description=self.env._(
                            "Stamp %(count)s CFDI: %(first)s ...",
                            count=len(batch),
                            first=batch[:1].display_name,
                        ),
                        identity_key=identity_exact,
                    )._stamp_unattended_batch(batch)
                )
        return jobs

    @api.model
    def _check_sat_status_in_background(self, documents):
        if must_run_without_delay(self.env):
            return super()._check_sat_status_in_background(documents)
        jobs = []
        for account in documents.stamp_account_id:
            mine = documents.filtered(lambda d, account=account: d.stamp_account_id == account)
            for start in range(0, len(mine), SAT_STATUS_JOB_SIZE):
                batch = mine[start : start + SAT_STATUS_JOB_SIZE]
                jobs.append(
                    batch.with_delay(
                        channel=self._job_channel(account),
                        description=self.env._("SAT status of %s CFDI", len(batch)),
                        identity_key=identity_exact,
                    )._check_sat_status_batch()
                )
        return jobs
