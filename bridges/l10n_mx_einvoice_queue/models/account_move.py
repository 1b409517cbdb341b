from odoo import models
from odoo.addons.queue_job.utils import must_run_without_delay

# a selection this large is stamped in the background, as jobs
BACKGROUND_FROM = 100


class AccountMove(models.Model):
    _inherit = "account.move"

    def action_l10n_mx_einvoice_stamp(self):
        """A large selection is stamped by jobs; the user is told where to follow them."""
        documents = self.env["l10n_mx_einvoice.document"]
        moves = self.filtered(lambda m: m._l10n_mx_einvoice_stampable())
        if len(moves) < BACKGROUND_FROM or must_run_without_delay(self.env):
            return super().action_l10n_mx_einvoice_stamp()
        documents._check_stamp_right()
        jobs = documents._stamp_in_background(moves)
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "info",
                "sticky": True,
                "title": self.env._("Stamping in the background"),
                "message": self.env._(
                    "%(count)s invoices are being stamped in %(jobs)s jobs. Each invoice shows "
                    "its CFDI state as soon as its batch is done; Job Queue > Jobs lists each "
                    "batch's progress and, when done, a line per invoice.",
                    count=len(moves),
                    jobs=len(jobs),
                ),
            },
        }
