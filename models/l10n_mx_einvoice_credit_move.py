from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from psycopg2.errors import UniqueViolation

from .l10n_mx_einvoice_utils import MANAGER_GROUP


class L10nMxEinvoiceCreditMove(models.Model):
    """One line of a stamp account's credit ledger; the balance is their sum.

    Append-only, for everyone: nobody writes or deletes a line, and nobody creates one
    directly (no access right allows it). Lines come only from here: a PAC's answer
    (``_record_stamps``), a posted vendor bill of a stamp package (``_record_bill_purchases``),
    a manager's adjustment with a reason (``_record_adjustment``), the provider's own
    balance (``_record_sync``).
    """

    _name = "l10n_mx_einvoice.credit.move"
    _description = "CFDI stamp credit ledger line"
    _order = "create_date desc, id desc"
    _check_company_auto = True

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
    stamped_move_id = fields.Many2one(
        related="document_id.move_id", string="Invoice / payment", help="What this stamp paid for."
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
        lines = super().create(vals_list)
        lines.account_id._warn_low_balance()
        return lines

    def write(self, vals):
        if vals:
            raise UserError(
                self.env._(
                    "The stamp credit ledger cannot be edited; add an adjustment with a reason "
                    "instead."
                )
            )
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_never(self):
        raise UserError(
            self.env._(
                "The stamp credit ledger cannot be deleted; add an adjustment with a reason instead."
            )
        )

    # --- where credits come from ----------------------------------------------------------

    @api.model
    def _record_stamps(self, account, stamps):
        """The ledger lines of ``stamps`` ((uuid, document) pairs the PAC stamped), one per
        UUID: −1 credit each (0 on an unlimited plan).

        A UUID already in the ledger is not charged again; when another transaction records
        one of them at the same time, the unique constraint refuses the batch and each
        stamp is recorded on its own.
        """
        ledger = self.sudo()
        documents = {uuid.upper(): document for uuid, document in stamps}
        lines = ledger.search([("uuid", "in", list(documents))])
        recorded = set(lines.mapped("uuid"))
        new = [uuid for uuid in documents if uuid not in recorded]
        if not new:
            return lines
        quantity = 0 if account.sudo().is_unlimited_now else -1
        vals_list = [
            {
                "account_id": account.id,
                "kind": "stamp",
                "quantity": quantity,
                "uuid": uuid,
                "document_id": documents[uuid].id if documents[uuid] else False,
            }
            for uuid in new
        ]
        try:
            with self.env.cr.savepoint():
                return lines | ledger.create(vals_list)
        except UniqueViolation:  # one of these UUIDs recorded concurrently
            if len(new) == 1:
                return lines | ledger.search([("uuid", "=", new[0])], limit=1)
            return lines.concat(
                *(self._record_stamps(account, [(uuid, documents[uuid])]) for uuid in new)
            )

    @api.model
    def _record_bill_purchases(self, moves):
        """Make the ledger hold exactly the credits each vendor bill of ``moves`` currently
        buys (posted: its stamp packages; draft or cancelled: none). Idempotent."""
        ledger = self.sudo()
        bills = moves.filtered(lambda m: m.move_type in ("in_invoice", "in_refund"))
        if not bills:
            return
        recorded = dict(
            ledger._read_group([("move_id", "in", bills.ids)], ["move_id"], ["quantity:sum"])
        )
        for bill in bills:
            expected = self._bill_credits(bill)
            delta = expected - recorded.get(bill, 0)
            if not delta:
                continue
            account = bill.company_id._l10n_mx_einvoice_stamp_account()
            if not account:
                bill.message_post(
                    body=self.env._(
                        "This bill buys %(count)s stamps but the company %(company)s has no stamp "
                        "account; choose one in Settings > Invoicing > CFDI (México) and post the "
                        "bill again.",
                        count=expected,
                        company=bill.company_id.display_name,
                    )
                )
                continue
            ledger.create(
                {
                    "account_id": account.id,
                    "kind": "purchase",
                    "quantity": delta,
                    "move_id": bill.id,
                    "reason": bill.name
                    if delta > 0
                    else self.env._("%(bill)s reset or cancelled", bill=bill.name),
                }
            )
            bill.message_post(
                body=self.env._(
                    "%(count)s stamps recorded in the stamp account %(account)s.",
                    count=delta,
                    account=account.display_name,
                )
            )

    @api.model
    def _bill_credits(self, bill):
        """Stamps ``bill`` buys: Σ stamps per unit × quantity (negative for refunds)."""
        if bill.state != "posted" or bill.move_type not in ("in_invoice", "in_refund"):
            return 0
        stamps = sum(
            int(line.product_id.product_tmpl_id.l10n_mx_einvoice_stamp_credits * line.quantity)
            for line in bill.invoice_line_ids
            if line.product_id.product_tmpl_id.l10n_mx_einvoice_stamp_credits
        )
        return -stamps if bill.move_type == "in_refund" else stamps

    @api.model
    def _record_adjustment(self, account, quantity, reason):
        """A manager's correction of ``account``'s credits, with its reason and author."""
        if not self.env.user.has_group(MANAGER_GROUP):
            raise AccessError(self.env._("Only CFDI managers can adjust stamp credits."))
        account.check_access("write")
        reason = (reason or "").strip()
        if not quantity:
            raise UserError(self.env._("Type a number of stamps other than zero."))
        if not reason:
            raise UserError(self.env._("Type the reason of the adjustment."))
        line = self.sudo().create(
            {"account_id": account.id, "kind": "adjustment", "quantity": quantity, "reason": reason}
        )
        account.message_post(
            body=self.env._(
                "%(user)s adjusted the credits by %(quantity)s: %(reason)s",
                user=self.env.user.name,
                quantity=quantity,
                reason=reason,
            )
        )
        return line.sudo(False)

    @api.model
    def _record_sync(self, account, stamps_left):
        """The provider's own balance, when it differs from the ledger's."""
        account.check_access("write")
        if stamps_left == account.balance:
            return self.browse()
        line = self.sudo().create(
            {
                "account_id": account.id,
                "kind": "sync",
                "quantity": stamps_left - account.balance,
                "reason": self.env._(
                    "Balance reported by the provider: %(left)s", left=stamps_left
                ),
            }
        )
        account.invalidate_recordset(["balance", "is_low_balance"])
        return line.sudo(False)
