"""The SAT mass download's import as queue_job jobs: the packages a request stored are
imported by jobs (PACKAGES_PER_JOB packages each, SAT's packages being chunks of files
already) on the company's channel, so that the scheduled action only talks to SAT. A job
waits for its request's row, then imports each of its packages once (one imported
meanwhile is skipped), as the main addon does."""

from odoo import models
from odoo.addons.queue_job.job import identity_exact
from odoo.addons.queue_job.utils import must_run_without_delay

CHANNEL = "root.l10n_mx_einvoice"
PACKAGES_PER_JOB = 1


class L10nMxEinvoiceSatDownload(models.Model):
    _inherit = "l10n_mx_einvoice.sat.download"

    def _import_packages_in_background(self, package_ids):
        if must_run_without_delay(self.env):
            return super()._import_packages_in_background(package_ids)
        for start in range(0, len(package_ids), PACKAGES_PER_JOB):
            chunk = package_ids[start : start + PACKAGES_PER_JOB]
            self.with_delay(
                channel=f"{CHANNEL}.company_{self.company_id.id}",
                description=self.env._(
                    "Import SAT package %(packages)s of %(download)s",
                    packages=", ".join(chunk),
                    download=self.display_name,
                ),
                identity_key=identity_exact,  # the next run does not queue it again
            )._import_packages_job(chunk)

    def _import_packages_job(self, package_ids):
        """A job: its request's row locked (another job of it waits), then each package
        not imported yet. Returns what was imported and the problems found."""
        self.ensure_one()
        self.env.cr.execute(
            f"SELECT id FROM {self._table} WHERE id = %s FOR NO KEY UPDATE",  # noqa: S608
            [self.id],
        )
        self.invalidate_recordset(["imported_packages", "import_problems"])
        before = set(self.imported_packages or [])
        self._import_package_ids(package_ids)
        done = [package for package in package_ids if package not in before]
        return "\n".join(
            [
                self.env._("Packages imported: %s", ", ".join(done) or "-"),
                self.import_problems or "",
            ]
        ).strip()
