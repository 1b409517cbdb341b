import hashlib
import logging
import os

from odoo import api, fields, models, tools
from odoo.exceptions import UserError
from psycopg2.errors import SerializationFailure

from ..cfdi import pac
from ..cfdi.errors import CfdiError
from .l10n_mx_einvoice_utils import MANAGER_GROUP, engine_message

_logger = logging.getLogger(__name__)


class L10nMxEinvoiceStampAccount(models.Model):
    """A stamping provider account ("cuenta de timbrado") and its credit balance.

    The credits themselves are the lines of its ledger (``l10n_mx_einvoice.credit.move``,
    which alone writes them); here: the balance, the claim before sealing, the connector.
    """

    _name = "l10n_mx_einvoice.stamp.account"
    _description = "CFDI stamp account (cuenta de timbrado)"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "company_id, name"
    # a branch stamps with its own account or its root company's
    _check_company_domain = models.check_company_domain_parent_of
    _sql_constraints = [
        (
            "concurrency_positive",
            "CHECK (concurrency >= 1)",
            "The PAC calls at once of a stamp account must be 1 or more.",
        )
    ]

    name = fields.Char(required=True, tracking=True)
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company, index=True
    )
    active = fields.Boolean(default=True)
    provider = fields.Selection(
        [
            ("sandbox", "Sandbox (embedded, not valid for tax purposes)"),
            ("finkok", "Finkok"),
            ("sw", "SW Sapien"),
        ],
        required=True,
        default="sandbox",
        tracking=True,
    )
    environment = fields.Selection(
        [("test", "Test"), ("production", "Production")],
        required=True,
        default="test",
        tracking=True,
    )
    username = fields.Char(groups=MANAGER_GROUP, copy=False)
    password = fields.Char(groups=MANAGER_GROUP, copy=False)
    token = fields.Char(groups=MANAGER_GROUP, copy=False)
    url = fields.Char(string="Service URL", help="Leave empty to use the provider's own URL.")
    unlimited = fields.Boolean(string="Unlimited plan", tracking=True)
    unlimited_until = fields.Date(
        string="Unlimited until", tracking=True, help="End of the unlimited plan; empty = no end."
    )
    credit_move_ids = fields.One2many(
        "l10n_mx_einvoice.credit.move", "account_id", string="Credit ledger"
    )
    balance = fields.Integer(compute="_compute_balance", string="Stamps left")
    low_balance_threshold = fields.Integer(
        default=10,
        tracking=True,
        help="Warn the CFDI managers when the stamps left reach this number.",
    )
    concurrency = fields.Integer(
        string="PAC calls at once",
        default=8,
        help="How many documents of a batch are sent to the PAC at the same time (at most "
        "what the provider accepts from one account). 1 sends them one after another.",
    )
    is_low_balance = fields.Boolean(compute="_compute_balance")
    low_balance_warned = fields.Boolean(
        readonly=True,
        copy=False,
        help="The managers were warned of the current low balance (reset when it recovers).",
    )
    is_unlimited_now = fields.Boolean(compute="_compute_balance")

    @api.depends(
        "credit_move_ids.quantity", "unlimited", "unlimited_until", "low_balance_threshold"
    )
    def _compute_balance(self):
        balances = dict(
            self.env["l10n_mx_einvoice.credit.move"]
            .sudo()
            ._read_group([("account_id", "in", self.ids)], ["account_id"], ["quantity:sum"])
        )
        today = fields.Date.context_today(self)
        for account in self:
            account.balance = balances.get(account._origin, 0) if account._origin else 0
            account.is_unlimited_now = account.unlimited and (
                not account.unlimited_until or account.unlimited_until >= today
            )
            account.is_low_balance = (
                not account.is_unlimited_now and account.balance <= account.low_balance_threshold
            )

    # --- the provider ---------------------------------------------------------------

    def _get_connector(self):
        """The engine's PAC connector for this account (credentials read as superuser)."""
        self.ensure_one()
        record = self.sudo()
        secrets = "\0".join(record[name] or "" for name in ("username", "password", "token"))
        return self._connector(
            record.id,
            record.provider,
            record.environment,
            record.url or None,
            hashlib.sha256(secrets.encode()).hexdigest(),
        )

    @tools.ormcache("account_id", "provider", "environment", "url", "secrets_digest")
    def _connector(self, account_id, provider, environment, url, secrets_digest):
        # keyed by the settings (the secrets by their digest): write_date does not change
        # between writes of one transaction, and a changed setting is a new connector
        record = self.browse(account_id).sudo()
        return pac.get_connector(
            provider,
            test=environment != "production",
            username=record.username or None,
            password=record.password or None,
            token=record.token or None,
            url=url,
            state_dir=record._sandbox_state_dir() if provider == "sandbox" else None,
        )

    def _sandbox_state_dir(self):
        return os.path.join(
            tools.config["data_dir"], "l10n_mx_einvoice_sandbox", self.env.cr.dbname, str(self.id)
        )

    # --- can it stamp ---------------------------------------------------------------

    def _check_can_stamp(self):
        """UserError "Sin folios disponibles" when the account cannot stamp one more CFDI."""
        self.ensure_one()
        account = self.sudo()
        if account.is_unlimited_now or account.balance > 0:
            return True
        raise UserError(
            self.env._(
                "No stamps left (Sin folios disponibles) in the stamp account %(account)s of "
                "%(company)s: the document was not stamped. Buy more: post a vendor bill for a "
                "stamp package product (a product with 'Stamps per unit' set), add credits with a "
                "manual adjustment, or switch the account to an unlimited plan.",
                account=account.display_name,
                company=account.company_id.display_name,
            )
        )

    def _claim_credits(self):
        """(balance, documents waiting for the PAC) of this account, for new stamps.

        The account's row is updated first, so two transactions sealing for the same
        account cannot both count its last credit: the second waits for the first to
        commit and is then refused with a clear message (its snapshot cannot see the
        first one's pending documents).
        """
        self.ensure_one()
        try:
            with self.env.cr.savepoint(flush=False):
                self.env.cr.execute(
                    "UPDATE l10n_mx_einvoice_stamp_account SET write_date = write_date WHERE id = %s",
                    [self.id],
                    log_exceptions=False,
                )
        except SerializationFailure:
            # another transaction sealed with this account since this one began; a replay of
            # the whole request could repeat work already committed (stamp on post)
            raise UserError(
                self.env._(
                    "Another user was stamping with the stamp account %(account)s at the same "
                    "time: these invoices were not stamped (nothing reached the PAC); try again in "
                    "a few seconds.",
                    account=self.display_name,
                )
            ) from None
        account = self.sudo()
        account.invalidate_recordset(["balance", "is_low_balance", "is_unlimited_now"])
        pending = (
            self.env["l10n_mx_einvoice.document"]
            .sudo()
            .search_count(
                [
                    ("stamp_account_id", "=", self.id),
                    ("kind", "=", "stamp"),
                    ("state", "=", "pending"),
                ]
            )
        )
        return account.balance, pending

    @api.model
    def _credit_shortfall(self, accounts):
        """Problems when the stamp accounts hold fewer free credits than the documents
        about to be sealed need (``accounts``: one entry per document).

        Credits of documents already waiting for the PAC are not free: they are spent as
        soon as the PAC answers.
        """
        problems = []
        for account_id in sorted({account_id for account_id in accounts}):  # one lock order
            account, needed = self.sudo().browse(account_id), accounts.count(account_id)
            if account.is_unlimited_now:
                continue
            balance, pending = account._claim_credits()
            if balance - pending < needed:
                problems.append(
                    self.env._(
                        "Sin folios disponibles: the stamp account %(account)s has %(free)s "
                        "stamps free (balance %(balance)s, %(pending)s waiting for the PAC) for "
                        "%(needed)s invoice(s): nothing was stamped. Stamp fewer invoices, or buy "
                        "a stamp package (a vendor bill for a stamp package product) or record an "
                        "adjustment.",
                        account=account.display_name,
                        free=balance - pending,
                        balance=balance,
                        pending=pending,
                        needed=needed,
                    )
                )
        return problems

    # --- the manager's buttons ------------------------------------------------------

    def action_sync_balance(self):
        """Align the ledger with the provider's own balance where it reports one."""
        for account in self:
            try:
                balance = account._get_connector().balance()
            except NotImplementedError:
                raise UserError(
                    self.env._(
                        "The provider of stamp account %(account)s does not report a balance; "
                        "keep the ledger with vendor bills and manual adjustments.",
                        account=account.display_name,
                    )
                ) from None
            except CfdiError as error:
                raise UserError(
                    self.env._(
                        "Could not read the balance of stamp account %(account)s: %(message)s",
                        account=account.display_name,
                        message=engine_message(self.env, error),
                    )
                ) from None
            vals = {}
            if balance.unlimited:
                vals = {"unlimited": True, "unlimited_until": balance.expires}
            elif account.unlimited:
                vals = {"unlimited": False}
            if vals:
                account.write(vals)
            if balance.stamps_left is not None:
                self.env["l10n_mx_einvoice.credit.move"]._record_sync(account, balance.stamps_left)
        return True

    def action_open_adjustment(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Adjust stamp credits"),
            "res_model": "l10n_mx_einvoice.credit.adjust",
            "view_mode": "form",
            "target": "new",
            "context": {"default_account_id": self.id},
        }

    def action_open_ledger(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "l10n_mx_einvoice.action_l10n_mx_einvoice_credit_move"
        )
        action["domain"] = [("account_id", "=", self.id)]
        action["context"] = {"default_account_id": self.id}
        return action

    # --- low balance warnings -------------------------------------------------------

    def _warn_low_balance(self):
        """Warn the managers once (message + activity) when the balance becomes low."""
        activity_type = self.env.ref("mail.mail_activity_data_warning")
        group = self.env.ref(MANAGER_GROUP)
        for account in self.sudo():
            account.invalidate_recordset(["balance", "is_low_balance", "is_unlimited_now"])
            if account.is_low_balance == account.low_balance_warned:
                continue
            if not account.is_low_balance:  # recovered: warn again next time
                account.low_balance_warned = False
                continue
            account.low_balance_warned = True
            summary = self.env._(
                "Stamp account %(account)s: %(left)s stamps left",
                account=account.display_name,
                left=account.balance,
            )
            account.message_post(body=summary)
            for user in group.users.filtered(
                lambda u, a=account: a.company_id in u.company_ids and u.active and not u.share
            ):
                account.activity_schedule(
                    activity_type_id=activity_type.id,
                    summary=summary,
                    note=self.env._(
                        "Buy more stamps: post a vendor bill for a stamp package product, "
                        "or switch the account to an unlimited plan."
                    ),
                    user_id=user.id,
                )

    @api.model
    def _cron_low_balance(self):
        self.search([("active", "=", True)])._warn_low_balance()
