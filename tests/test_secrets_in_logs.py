import base64
import contextlib
import datetime as dt
import logging

from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import FlowFixtures, L10nMxEinvoiceCommon, csd_files

PAC_PASSWORD = "Pac-S3cret-Pa55word"
PAC_TOKEN = "tok-7f3a9c1e5b2d4f6a8c0e"


class _Capture(logging.Handler):
    def __init__(self):
        super().__init__(logging.DEBUG)
        self.lines = []

    def emit(self, record):
        self.lines.append(self.format(record))


@tagged("post_install", "-at_install")
class TestSecretsInLogs(FlowFixtures, L10nMxEinvoiceCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.setup_flow()
        cer, key, password = csd_files()
        cls.secrets = [
            password,
            PAC_PASSWORD,
            PAC_TOKEN,
            base64.b64encode(key).decode(),
            base64.b64encode(key).decode()[20:60],
            key.hex()[:64],
        ]

    def setUp(self):
        super().setUp()
        self.capture = _Capture()
        self.capture.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))
        self.errors = []

    @contextlib.contextmanager
    def capturing(self):
        """Every log record (DEBUG and up) emitted while the flow runs."""
        root = logging.getLogger()
        old_level = root.level
        # Odoo's own handlers keep printing what they printed before; only ours sees DEBUG
        handler_levels = [(handler, handler.level) for handler in root.handlers]
        for handler, level in handler_levels:
            handler.setLevel(max(level, old_level))
        root.addHandler(self.capture)
        root.setLevel(logging.DEBUG)
        try:
            yield
        finally:
            root.setLevel(old_level)
            root.removeHandler(self.capture)
            for handler, level in handler_levels:
                handler.setLevel(level)

    def use_account(self, provider, url):
        self.stamp_account.write(
            {
                "provider": provider,
                "url": url,
                "username": "demo@example.com",
                "password": PAC_PASSWORD,
                "token": PAC_TOKEN,
            }
        )

    def assert_no_secret_anywhere(self, moves):
        messages = (
            self.env["mail.message"]
            .sudo()
            .search([("model", "=", "account.move"), ("res_id", "in", moves.ids)])
        )
        documents = moves.sudo().l10n_mx_einvoice_document_ids
        places = {
            "logs": "\n".join(self.capture.lines),
            "chatter": "\n".join(str(m.body) for m in messages),
            "documents": "\n".join(d.message or "" for d in documents),
            "moves": "\n".join(m.l10n_mx_einvoice_message or "" for m in moves),
            "errors": "\n".join(self.errors),
        }
        self.assertTrue(places["logs"])
        self.assertTrue(places["chatter"])
        for where, text in places.items():
            for secret in self.secrets:
                self.assertNotIn(secret, text, f"a secret leaked into {where}")

    def test_stamping_failures_leak_nothing(self):
        unavailable = self.make_invoice()
        self.use_account("finkok", "http://127.0.0.1:9/")  # refused connection: Unavailable
        with self.capturing():
            unavailable.action_l10n_mx_einvoice_stamp()
        self.assertEqual(unavailable.l10n_mx_einvoice_document_ids.state, "pending")

        rejected = self.make_invoice()
        self.use_account("sandbox", False)
        connector = self.stamp_account._get_connector()
        real_clock = connector.clock
        connector.clock = lambda: real_clock() + dt.timedelta(days=5)
        try:
            with self.capturing():
                rejected.action_l10n_mx_einvoice_stamp()
        finally:
            connector.clock = real_clock
        self.assertEqual(rejected.l10n_mx_einvoice_state, "error")

        refused = self.make_invoice()
        self.customer.vat = False
        with self.assertRaises(UserError) as caught, self.capturing():
            refused.action_l10n_mx_einvoice_stamp()
        self.errors.append(str(caught.exception.args[0]))
        self.assert_no_secret_anywhere(unavailable | rejected | refused)

    def test_cancellation_failures_leak_nothing(self):
        move = self.make_invoice()
        move.action_l10n_mx_einvoice_stamp()
        self.assertEqual(move.l10n_mx_einvoice_state, "stamped")
        self.use_account("finkok", "http://127.0.0.1:9/")
        with self.capturing():
            document = move._l10n_mx_einvoice_request_cancel("02")
        self.assertEqual(document.state, "error")
        self.assertEqual(move.l10n_mx_einvoice_state, "stamped")
        self.use_account("sandbox", False)
        with self.capturing():
            document = move._l10n_mx_einvoice_request_cancel("01")  # 01 without a replacement
        self.assertIn(document.state, ("error", "rejected"))
        self.assert_no_secret_anywhere(move)

    def test_cancellation_with_sandbox(self):
        move = self.make_invoice()
        move.action_l10n_mx_einvoice_stamp()
        document = move._l10n_mx_einvoice_request_cancel("02")
        self.assertEqual(document.state, "cancelled", document.message)
        self.assertEqual(move.l10n_mx_einvoice_state, "cancelled")
        move.button_draft()  # Odoo 18 cancels drafts only; a cancelled CFDI no longer locks the entry
        move.button_cancel()
        self.assertEqual(move.state, "cancel")
        self.assertEqual(move.l10n_mx_einvoice_state, "cancelled")
