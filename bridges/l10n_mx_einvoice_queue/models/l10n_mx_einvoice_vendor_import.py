"""The supplier CFDI import as queue_job jobs: a large upload is split into chunks of files,
a job per chunk on its company's channel (``root.l10n_mx_einvoice.company_<id>``). Each job
is the main addon's import of its files (duplicates refused, hostile files refused), and
its result lists how each file went."""

from odoo import api, models
from odoo.addons.queue_job.utils import must_run_without_delay

CHANNEL = "root.l10n_mx_einvoice"
# uploaded files per job (a ZIP archive is one file); an upload of more, or heavier than
# BACKGROUND_BYTES, is imported in the background
IMPORT_JOB_FILES = 50
BACKGROUND_BYTES = 20 * 1024 * 1024


class L10nMxEinvoiceVendorImport(models.TransientModel):
    _inherit = "l10n_mx_einvoice.vendor.import"

    @api.model
    def _company_channel(self, company):
        return f"{CHANNEL}.company_{company.id}"

    def _import_in_background(self, attachments):
        heavy = sum(attachments.mapped("file_size")) > BACKGROUND_BYTES
        if must_run_without_delay(self.env) or (len(attachments) <= IMPORT_JOB_FILES and not heavy):
            return super()._import_in_background(attachments)
        values = {
            "company_id": self.company_id.id,
            "journal_id": self.journal_id.id,
            "check_sat_status": self.check_sat_status,
        }
        jobs = []
        for start in range(0, len(attachments), IMPORT_JOB_FILES):
            chunk = attachments[start : start + IMPORT_JOB_FILES]
            jobs.append(
                self.with_delay(
                    channel=self._company_channel(self.company_id),
                    description=self.env._(
                        "Import %(count)s supplier CFDI files: %(first)s ...",
                        count=len(chunk),
                        first=chunk[:1].name,
                    ),
                )._import_chunk(values, chunk)
            )
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "info",
                "sticky": True,
                "title": self.env._("Importing in the background"),
                "message": self.env._(
                    "%(count)s files are being imported in %(jobs)s jobs. The bills appear in "
                    "Vendor Bills as each job ends; Job Queue > Jobs (for its managers) lists "
                    "each job and, when done, a line per file.",
                    count=len(attachments),
                    jobs=len(jobs),
                ),
                "next": {"type": "ir.actions.act_window_close"},
            },
        }

    @api.model
    def _import_chunk(self, values, attachments):
        """A job: import ``attachments`` with the upload's settings (``values``) in a wizard
        of its own; returns a line per file (ZIP members included)."""
        wizard = self.create(values)
        wizard._import_attachments(attachments.exists())
        states = dict(wizard.line_ids._fields["state"]._description_selection(self.env))
        lines = [
            f"{line.name}: {states.get(line.state, line.state)}"
            + (f" ({line.message})" if line.message else "")
            for line in wizard.line_ids
        ]
        return "\n".join([wizard.summary, *lines])
