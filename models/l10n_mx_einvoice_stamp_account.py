import functools
import hashlib
import logging
import os
import random
import time

from odoo import api, fields, models, tools
from odoo.exceptions import UserError, ValidationError
from psycopg2.errors import LockNotAvailable

from ..cfdi import pac
from ..cfdi.errors import CfdiError
from . import l10n_mx_einvoice_secrets as secrets
from .l10n_mx_einvoice_utils import MANAGER_GROUP, engine_message

_logger = logging.getLogger(__name__)

# a claim on a stamp account: one short wait for its row lock, retried with a growing pause
# (about a minute in all) before giving up with a clear message
CLAIM_LOCK_TIMEOUT = "2s"
CLAIM_TRIES = 30


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
    password = fields.Char(
        groups=MANAGER_GROUP, copy=False, compute="_compute_secrets", inverse="_inverse_password"
    )
    token = fields.Char(
        groups=MANAGER_GROUP, copy=False, compute="_compute_secrets", inverse="_inverse_token"
    )
    # encrypted with the key held outside the database (l10n_mx_einvoice_secrets)
    password_encrypted = fields.Char(copy=False, groups="base.group_system")
    token_encrypted = fields.Char(copy=False, groups="base.group_system")
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
    is_out_of_credits = fields.Boolean(
        string="Out of credits",
        compute="_compute_balance",
        help="A saved account that cannot stamp one more CFDI.",
    )

    def init(self):
        secrets.encrypt_clear_columns(
            self.env,
            self._table,
            {"password": "password_encrypted", "token": "token_encrypted"},
        )

    @api.depends("password_encrypted", "token_encrypted")
    def _compute_secrets(self):
        for account in self:
            stored = account.sudo()
            account.password = secrets.shown(self.env, stored.password_encrypted)
            account.token = secrets.shown(self.env, stored.token_encrypted)

    def _inverse_password(self):
        for account in self:
            account.sudo().password_encrypted = secrets.encrypt(self.env, account.password)

    def _inverse_token(self):
        for account in self:
            account.sudo().token_encrypted = secrets.encrypt(self.env, account.token)

    def _rotate_secrets(self):
        """Re-encrypt the password and token of every account with the first secret key."""
        records = (
            self.sudo()
            .with_context(active_test=False)
            .search(["|", ("password_encrypted", "!=", False), ("token_encrypted", "!=", False)])
        )
        secrets.rotate_records(records, ["password_encrypted", "token_encrypted"])

    @api.constrains("url")
    def _check_url(self):
        for account in self:
            if account.url and not secrets.safe_url(account.url):
                raise ValidationError(
                    self.env._(
                        "The service URL of stamp account %(account)s must start with https:// "
                        "(plain http only for a local sandbox on 127.0.0.1 or localhost): "
                        "passwords and invoices travel over it.",
                        account=account.display_name,
                    )
                )

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
            saved = bool(account._origin)  # a new account has no ledger yet, not "no credits"
            account.balance = balances.get(account._origin, 0) if saved else 0
            account.is_unlimited_now = account.unlimited and (
                not account.unlimited_until or account.unlimited_until >= today
            )
            limited = saved and not account.is_unlimited_now
            account.is_low_balance = limited and account.balance <= account.low_balance_threshold
            account.is_out_of_credits = limited and account.balance <= 0

    # --- the provider ---------------------------------------------------------------

    def _get_connector(self):
        """The engine's PAC connector for this account (credentials read as superuser)."""
        self.ensure_one()
        record = self.sudo()
        stored = "\0".join(
            record[name] or "" for name in ("username", "password_encrypted", "token_encrypted")
        )
        return self._connector(
            record.id,
            record.provider,
            record.environment,
            record.url or None,
            hashlib.sha256(stored.encode()).hexdigest(),
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
            password=secrets.decrypt(self.env, record.password_encrypted) or None,
            token=secrets.decrypt(self.env, record.token_encrypted) or None,
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

        Two transactions sealing with the same account must not both count its last
        credit. A transaction that commits its pending documents before the PAC is called
        (always, but in tests) claims the account in a short transaction of its own: the
        account's row locked there, and counted there with a fresh snapshot once the lock is
        obtained, whatever this transaction's snapshot. The lock is held until this
        transaction commits its pending documents (or rolls back), never while the PAC
        answers; the next claimer waits for it. Documents this transaction has not
        committed yet are not counted there (at worst one too many: an expired document).
        """
        self.ensure_one()
        if not self.env["l10n_mx_einvoice.document"]._can_commit():
            self.env.flush_all()  # no other transaction sees this one's documents
            return self._count_credits(self.env.cr)
        return self._count_credits(self._claim_cursor())

    def _count_credits(self, cr):
        cr.execute(
            """SELECT (SELECT COALESCE(SUM(quantity), 0) FROM l10n_mx_einvoice_credit_move
                        WHERE account_id = %(id)s),
                      (SELECT COUNT(*) FROM l10n_mx_einvoice_document
                        WHERE stamp_account_id = %(id)s AND kind = 'stamp' AND state = 'pending')
            """,
            {"id": self.id},
        )
        balance, pending = cr.fetchone()
        return balance, pending

    def _claim_cursor(self):
        """A cursor holding the lock on this account's row until this transaction ends.

        Short lock timeouts, retried with a growing pause: a claim is held only while its
        holder creates its pending documents and commits them.
        """
        claims = self.env.cr.cache.setdefault("l10n_mx_einvoice_claims", {})
        if self.id in claims:
            return claims[self.id]
        for attempt in range(CLAIM_TRIES):
            claim = self.env.registry.cursor()
            try:
                # each statement sees what was committed before it: the counts are read
                # after the lock is obtained
                claim.execute("SET TRANSACTION ISOLATION LEVEL READ COMMITTED")
                claim.execute("SET LOCAL lock_timeout = %s", [CLAIM_LOCK_TIMEOUT])
                claim.execute(
                    "SELECT id FROM l10n_mx_einvoice_stamp_account WHERE id = %s FOR NO KEY UPDATE",
                    [self.id],
                    log_exceptions=False,
                )
            except LockNotAvailable:
                claim.close()
                time.sleep(min(0.05 * 2**attempt, 1.0) * random.uniform(0.5, 1.5))  # noqa: S311
                continue
            except Exception:
                claim.close()
                raise
            claims[self.id] = claim
            release = functools.partial(self._release_claim, claims, self.id)
            self.env.cr.postcommit.add(release)
            self.env.cr.postrollback.add(release)
            return claim
        raise UserError(
            self.env._(
                "The stamp account %(account)s stayed busy for more than a minute: these "
                "invoices were not stamped (nothing reached the PAC); try again.",
                account=self.display_name,
            )
        )

    @staticmethod
    def _release_claim(claims, account_id):
        claim = claims.pop(account_id, None)
        if claim is not None:
            claim.close()  # a rollback: the claim wrote nothing

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
        """Align the ledger with the provider's own balance where it reports one.

        A provider that reports an unlimited plan never switches a limited account to
        unlimited (a sandbox does, and the next stamp would go through without credits):
        the manager is told, and ticks *Unlimited plan* if the contract says so.
        """
        messages, refused = [], False
        for account in self:
            balance = account._provider_balance()
            if balance.unlimited and not account.unlimited:
                refused = True
                message = self.env._(
                    "The provider reports an unlimited plan for the stamp account %(account)s; "
                    "the account was NOT switched to unlimited and still stamps only with its "
                    "%(left)s credits. If your contract is unlimited, tick 'Unlimited plan' on "
                    "the account.",
                    account=account.display_name,
                    left=account.balance,
                )
            elif balance.unlimited:
                message = self.env._("The provider confirms the unlimited plan.")
            else:
                if account.unlimited:
                    account.write({"unlimited": False, "unlimited_until": False})
                    message = self.env._(
                        "The provider reports %(left)s stamps left and no unlimited plan: the "
                        "account is no longer unlimited.",
                        left=balance.stamps_left,
                    )
                else:
                    message = self.env._(
                        "Balance synchronized with the provider: %(left)s stamps left.",
                        left=balance.stamps_left,
                    )
                if balance.stamps_left is not None:
                    self.env["l10n_mx_einvoice.credit.move"]._record_sync(
                        account, balance.stamps_left
                    )
            account.message_post(body=message)
            messages.append(message)
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "title": self.env._("Provider balance"),
                "message": "\n".join(messages),
                "type": "warning" if refused else "info",
                "sticky": refused,
                "next": {"type": "ir.actions.client", "tag": "soft_reload"},
            },
        }

    def _provider_balance(self):
        """The provider's ``Balance`` of this account; UserError when it reports none."""
        self.ensure_one()
        try:
            return self._get_connector().balance()
        except NotImplementedError:
            raise UserError(
                self.env._(
                    "The provider of stamp account %(account)s does not report a balance; "
                    "keep the ledger with vendor bills and manual adjustments.",
                    account=self.display_name,
                )
            ) from None
        except CfdiError as error:
            raise UserError(
                self.env._(
                    "Could not read the balance of stamp account %(account)s: %(message)s",
                    account=self.display_name,
                    message=engine_message(self.env, error),
                )
            ) from None

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
