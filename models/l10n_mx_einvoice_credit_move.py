from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError


class L10nMxEinvoiceCreditMove(models.Model):
    """One line of a stamp account's credit ledger; the balance is their sum."""

    _name = "l10n_mx_einvoice.credit.move"
    _description = "CFDI stamp credit ledger line"
    _order = "create_date desc, id desc"

    account_id = fields.Many2one(
        "l10n_mx_einvoice.stamp.account", required=True, ondelete="restrict", index=True
    )
    company_id = fields.Many2one(related="account_id.company_id", store=True, index=True)
    date = fields.Datetime(default=fields.Datetime.now, required=True, readonly=True)
    quantity = fields.Integer(
        required=True,
        readonly=True,
        help="+N purchased, −1 per stamped CFDI, ± adjustment or sync.",
    )
    kind = fields.Selection(
        [
            ("purchase", "Purchase"),
            ("stamp", "Stamp"),
            ("adjustment", "Adjustment"),
            ("sync", "Provider sync"),
        ],
        required=True,
        readonly=True,
    )
    reason = fields.Char(readonly=True)
    uuid = fields.Char(string="UUID", readonly=True, index=True)
    move_id = fields.Many2one(
        "account.move",
        string="Vendor bill",
        readonly=True,
        ondelete="restrict",
        index="btree_not_null",
    )
    document_id = fields.Many2one(
        "l10n_mx_einvoice.document", string="CFDI document", readonly=True, ondelete="set null"
    )

    _sql_constraints = [
        ("uuid_unique", "unique(uuid)", "A stamped UUID consumes one credit only once."),
        (
            "stamp_has_uuid",
            "CHECK(kind != 'stamp' OR uuid IS NOT NULL)",
            "A stamp line carries the UUID it paid for.",
        ),
    ]

    @api.constrains("kind", "reason", "quantity")
    def _check_adjustment(self):
        for move in self:
            if move.kind == "adjustment" and not (move.reason or "").strip():
                raise ValidationError(
                    self.env._("A manual adjustment of stamp credits needs a reason.")
                )
            if move.kind in ("adjustment", "purchase") and not move.quantity:
                raise ValidationError(self.env._("A credit adjustment or purchase cannot be zero."))

    @api.model_create_multi
    def create(self, vals_list):
        moves = super().create(vals_list)
        moves.account_id._l10n_mx_einvoice_warn_low_balance()
        return moves

    def write(self, vals):
        if set(vals) - {"document_id"}:
            raise UserError(
                self.env._(
                    "The stamp credit ledger cannot be edited; add an adjustment "
                    "with a reason instead."
                )
            )
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_never(self):
        raise UserError(
            self.env._(
                "The stamp credit ledger cannot be deleted; add an adjustment with a "
                "reason instead."
            )
        )
