"""A large selection stamped in the background: its invoices, how far it went and, per
invoice, how it went (its CFDI state, UUID or the problem found)."""

from odoo import api, fields, models


class L10nMxEinvoiceStampRun(models.Model):
    _name = "l10n_mx_einvoice.stamp.run"
    _description = "CFDI stamping in the background"
    _order = "id desc"
    _check_company_auto = True

    name = fields.Char(required=True, readonly=True)
    company_id = fields.Many2one(
        "res.company", required=True, readonly=True, default=lambda self: self.env.company
    )
    move_ids = fields.Many2many(
        "account.move",
        "l10n_mx_einvoice_stamp_run_move_rel",
        "run_id",
        "move_id",
        string="Invoices",
        readonly=True,
    )
    launched = fields.Boolean(
        readonly=True, help="Its invoices were handed to the stamping (batches or jobs)."
    )
    state = fields.Selection(
        [("waiting", "Waiting"), ("running", "In progress"), ("done", "Done")],
        compute="_compute_progress",
    )
    total_count = fields.Integer("Selected invoices", compute="_compute_progress")
    stamped_count = fields.Integer("Stamped", compute="_compute_progress")
    error_count = fields.Integer("With problems", compute="_compute_progress")
    waiting_count = fields.Integer("To stamp", compute="_compute_progress")
    progress = fields.Float(compute="_compute_progress")

    @api.depends("launched", "move_ids.l10n_mx_einvoice_state")
    def _compute_progress(self):
        for run in self:
            states = run.move_ids.mapped("l10n_mx_einvoice_state")
            run.total_count = len(states)
            run.stamped_count = states.count("stamped")
            run.error_count = states.count("error")
            run.waiting_count = states.count("to_stamp")
            finished = run.total_count - run.waiting_count
            run.progress = 100.0 * finished / run.total_count if run.total_count else 100.0
            if not run.launched:
                run.state = "waiting"
            else:
                run.state = "running" if run.waiting_count else "done"

    @api.model
    def _start(self, moves):
        """Stamp ``moves`` in the background; returns the action showing the run."""
        run = self.create(
            {
                "name": self.env._("%(count)s invoices", count=len(moves)),
                "company_id": moves.company_id[:1].id,
                "move_ids": [fields.Command.set(moves.ids)],
            }
        )
        run._launch()
        return run._action_open()

    def _launch(self):
        """Hand the run to the stamping: here the stamping scheduled action, triggered now
        (``_cron_stamp`` takes the runs not launched yet); the job queue bridge makes it
        jobs at once instead."""
        self.env.ref("l10n_mx_einvoice.ir_cron_l10n_mx_einvoice_stamp").sudo()._trigger()

    def _run(self, commit=True):
        """Stamp what waits of each run (``_stamp_in_background``: batches committed one by
        one, or jobs), then mark it launched. A run cut short keeps what was stamped and
        the next run stamps the rest."""
        documents = self.env["l10n_mx_einvoice.document"]
        for run in self:
            waiting = run.move_ids.filtered(lambda m: m.l10n_mx_einvoice_state == "to_stamp")
            documents._stamp_in_background(waiting)
            run.launched = True
            if commit:
                documents._commit()

    def _action_open(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
            "name": self.env._("Stamping in the background"),
        }

    def action_refresh(self):
        """The form's button: the progress as it is now (the form reloads)."""
        return True

    def _report(self):
        """A line per invoice: its CFDI state and UUID, or why it is not stamped."""
        return self.env["l10n_mx_einvoice.document"]._stamp_report(self.move_ids)
