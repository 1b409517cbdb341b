"""Issue 12, points 1-8, through HTTP: JSON-RPC ``/web/dataset/call_kw`` as the logged-in
user of each role, two companies (``TenancyFixtures``). What the ORM tests prove with
``with_user`` holds for a client that talks to the server directly.

The requests share the test's transaction, one at a time: the concurrent
cases (points 5 and 6) are proven with real separate cursors in
``test_vendor_import_concurrency`` and ``test_stamp_concurrency``."""

import base64
import os
from unittest.mock import patch

from cryptography.fernet import Fernet
from odoo import Command
from odoo.addons.l10n_mx_einvoice.cfdi.testing.zips import overlapping_zip
from odoo.addons.l10n_mx_einvoice.models import l10n_mx_einvoice_secrets as secrets
from odoo.tests import tagged
from odoo.tools import config

from .common import (
    FlowFixtures,
    JsonRpcMixin,
    L10nMxEinvoiceCommon,
    TenancyFixtures,
    VendorFixtures,
)


@tagged("post_install", "-at_install")
class TestTenancyHttp(
    JsonRpcMixin, TenancyFixtures, VendorFixtures, FlowFixtures, L10nMxEinvoiceCommon
):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.setup_flow()
        cls.setup_tenancy()
        cls.setup_vendor()
        cls.setup_json_rpc()

    # --- JSON-RPC as a logged-in user (JsonRpcMixin.rpc) --------------------------------

    def allowed(self, user, model, method, *args, **kwargs):
        result, error = self.rpc(user, model, method, *args, **kwargs)
        self.assertFalse(error, f"{user.login} {model}.{method}: {error and error['message']}")
        return result

    def refused(self, user, model, method, *args, exception="", **kwargs):
        """The error's message; ``exception``: the end of the exception's name."""
        _result, error = self.rpc(user, model, method, *args, **kwargs)
        self.assertTrue(error, f"{user.login} could call {model}.{method}{args}")
        self.assertTrue(error["name"].endswith(exception), error["name"])
        return error["message"]

    # --- 1. a stamped CFDI cannot be unlocked, faked or re-pointed ----------------------

    def test_1_no_role_rewrites_or_unlocks_a_stamped_cfdi(self):
        move = self.stamped
        uuid, attachment = move.l10n_mx_einvoice_uuid, move.l10n_mx_einvoice_attachment_id
        foreign = self.env["ir.attachment"].create(
            {"name": "b.xml", "raw": b"<x/>", "company_id": self.company_b.id}
        )
        attempts = [
            {"l10n_mx_einvoice_state": "to_stamp"},
            {"l10n_mx_einvoice_uuid": "AAAAAAAA-BBBB-CCCC-DDDD-EEEEEEEEEEEE"},
            {"l10n_mx_einvoice_attachment_id": foreign.id},
            {"l10n_mx_einvoice_document_ids": [Command.clear()]},
        ]
        for user in (self.plain_a, self.cfdi_a, self.manager_a, self.admin_ab):
            for vals in attempts:
                with self.subTest(user=user.login, vals=vals):
                    self.refused(
                        user, "account.move", "write", [move.id], vals, exception="UserError"
                    )
            with self.subTest(user=user.login, action="button_draft"):
                self.refused(user, "account.move", "button_draft", [move.id])
        move.invalidate_recordset()
        self.assertEqual(
            (move.state, move.l10n_mx_einvoice_state, move.l10n_mx_einvoice_uuid),
            ("posted", "stamped", uuid),
        )
        self.assertEqual(move.l10n_mx_einvoice_attachment_id, attachment)

    # --- 2. every stamping path checks the same right -------------------------------------

    def test_2_only_cfdi_users_stamp_by_any_path(self):
        self.company.l10n_mx_einvoice_stamp_on_post = True
        waiting = self.make_invoice()  # posted by the superuser's setup: stamped on post
        self.assertEqual(waiting.l10n_mx_einvoice_state, "stamped")
        draft = self.make_invoice(post=False)
        self.allowed(self.plain_a, "account.move", "action_post", [draft.id])
        draft.invalidate_recordset()
        self.assertEqual((draft.state, draft.l10n_mx_einvoice_state), ("posted", "to_stamp"))
        self.assertFalse(draft.l10n_mx_einvoice_document_ids)  # posting left it to the cron
        message = self.refused(
            self.plain_a,
            "account.move",
            "action_l10n_mx_einvoice_stamp",
            [draft.id],
            exception="AccessError",
        )
        self.assertIn("Only CFDI users", message)
        self.allowed(self.cfdi_a, "account.move", "action_l10n_mx_einvoice_stamp", [draft.id])
        draft.invalidate_recordset()
        self.assertEqual(draft.l10n_mx_einvoice_state, "stamped")

    # --- 3. no company reaches another's CFDI, certificates, accounts, credits ------------

    def test_3_a_user_of_company_b_reaches_nothing_of_company_a(self):
        document = self.stamped.l10n_mx_einvoice_document_id
        attachment = self.stamped.l10n_mx_einvoice_attachment_id
        for user in (self.cfdi_b, self.manager_b):
            with self.subTest(user=user.login):
                for model, record in (
                    ("l10n_mx_einvoice.document", document),
                    ("l10n_mx_einvoice.certificate", self.certificate),
                    ("l10n_mx_einvoice.stamp.account", self.stamp_account),
                    ("account.move", self.stamped),
                ):
                    found = self.allowed(
                        user, model, "search_read", [("id", "=", record.id)], fields=["id"]
                    )
                    self.assertEqual(found, [], model)
                    self.refused(
                        user, model, "read", [record.id], ["display_name"], exception="AccessError"
                    )
                ledger = self.allowed(
                    user, "l10n_mx_einvoice.credit.move", "search_read", [], fields=["account_id"]
                )
                self.assertEqual({line["account_id"][0] for line in ledger}, {self.account_b.id})
                self.assertFalse(
                    self.allowed(
                        user,
                        "ir.attachment",
                        "search_read",
                        [("id", "=", attachment.id)],
                        fields=["id"],
                    )
                )
        # B's administrator cannot point B at A's stamp account, nor B's manager a document
        self.refused(
            self.admin_ab,
            "res.company",
            "write",
            [self.company_b.id],
            {"l10n_mx_einvoice_stamp_account_id": self.stamp_account.id},
        )
        self.assertEqual(self.company_b.l10n_mx_einvoice_stamp_account_id, self.account_b)
        self.refused(
            self.manager_b,
            "l10n_mx_einvoice.document",
            "create",
            {
                "kind": "stamp",
                "company_id": self.company_b.id,
                "stamp_account_id": self.stamp_account.id,
            },
            exception="AccessError",
        )

    # --- 4. the stamped XML and the ledger are append-only for everyone -------------------

    def test_4_a_manager_cannot_delete_the_xml_nor_touch_documents_and_ledger(self):
        document = self.stamped.l10n_mx_einvoice_document_id
        attachment = self.stamped.l10n_mx_einvoice_attachment_id
        raw = attachment.raw
        for user in (self.manager_a, self.admin_ab):
            with self.subTest(user=user.login):
                self.refused(user, "ir.attachment", "unlink", [attachment.id])
                self.refused(user, "ir.attachment", "write", [attachment.id], {"datas": "PHgvPg=="})
                self.refused(
                    user,
                    "ir.attachment",
                    "write",
                    [attachment.id],
                    {"res_id": self.make_invoice(post=False).id},
                )
                self.refused(
                    user,
                    "l10n_mx_einvoice.document",
                    "write",
                    [document.id],
                    {"state": "cancelled"},
                    exception="AccessError",
                )
                self.refused(
                    user,
                    "l10n_mx_einvoice.document",
                    "unlink",
                    [document.id],
                    exception="AccessError",
                )
                self.refused(
                    user,
                    "l10n_mx_einvoice.credit.move",
                    "create",
                    {
                        "account_id": self.stamp_account.id,
                        "kind": "adjustment",
                        "quantity": 500,
                        "reason": "x",
                    },
                    exception="AccessError",
                )
                lines = (
                    self.env["l10n_mx_einvoice.credit.move"]
                    .sudo()
                    .search([("account_id", "=", self.stamp_account.id)])
                )
                self.refused(
                    user,
                    "l10n_mx_einvoice.credit.move",
                    "unlink",
                    lines.ids,
                    exception="AccessError",
                )
        attachment.invalidate_recordset()
        document.invalidate_recordset()
        self.assertEqual((attachment.raw, document.state), (raw, "stamped"))

    # --- 5. untrusted supplier CFDI: posted only with a manager's reason ---------------------

    def test_5_a_bill_failing_its_checks_needs_a_managers_reason(self):
        other = self.supplier_cfdi(
            receiver_rfc="XIA190128J61", receiver_name="XENON INDUSTRIAL ARTICLES"
        )
        bill = self.result(self.run_import([("other.xml", other)], False), "other.xml").move_id
        message = self.refused(
            self.cfdi_a, "account.move", "action_post", [bill.id], exception="UserError"
        )
        self.assertIn("cannot be trusted", message)
        self.assertIn("receiver RFC", message)
        self.refused(
            self.cfdi_a,
            "l10n_mx_einvoice.vendor.allow",
            "create",
            {"move_ids": [Command.set(bill.ids)], "reason": "trust me"},
            exception="AccessError",
        )
        self.refused(
            self.cfdi_a,
            "account.move",
            "write",
            [bill.id],
            {"l10n_mx_einvoice_vendor_allowed_by": self.cfdi_a.id},
            exception="UserError",
        )
        wizard_id = self.allowed(
            self.manager_a,
            "l10n_mx_einvoice.vendor.allow",
            "create",
            {
                "move_ids": [Command.set(bill.ids)],
                "reason": "Billed to our customer's RFC by mistake",
            },
        )
        self.allowed(self.manager_a, "l10n_mx_einvoice.vendor.allow", "action_allow", [wizard_id])
        self.allowed(self.cfdi_a, "account.move", "action_post", [bill.id])
        bill.invalidate_recordset()
        self.assertEqual(
            (bill.state, bill.l10n_mx_einvoice_vendor_allowed_by), ("posted", self.manager_a)
        )
        allowed = bill.message_ids.filtered(lambda m: "by mistake" in (m.body or ""))
        self.assertEqual(allowed.author_id, self.manager_a.partner_id)

    # --- 6. stamping with one account waits, never fails ---------------------------------

    def test_6_two_users_stamp_with_the_same_account(self):
        self.company.l10n_mx_einvoice_stamp_on_post = False
        invoices = [self.make_invoice(post=False) for _user in range(2)]
        before = self.stamp_account.balance
        for user, invoice in zip((self.cfdi_a, self.manager_a), invoices, strict=True):
            self.allowed(user, "account.move", "action_post", [invoice.id])
            self.allowed(user, "account.move", "action_l10n_mx_einvoice_stamp", [invoice.id])
        for invoice in invoices:
            invoice.invalidate_recordset()
            self.assertEqual(
                invoice.l10n_mx_einvoice_state, "stamped", invoice.l10n_mx_einvoice_message
            )
        self.stamp_account.invalidate_recordset()
        self.assertEqual(self.stamp_account.balance, before - 2)

    # --- 7. secrets at rest, HTTPS -----------------------------------------------------------

    def stored(self, account, column):
        self.env.flush_all()
        self.env.cr.execute(
            f"SELECT {column} FROM l10n_mx_einvoice_stamp_account WHERE id = %s",  # noqa: S608
            [account.id],
        )
        return self.env.cr.fetchone()[0]

    def test_7_pac_secrets_are_stored_encrypted_and_urls_are_https(self):
        self.allowed(
            self.manager_a,
            "l10n_mx_einvoice.stamp.account",
            "write",
            [self.stamp_account.id],
            {"password": "pac-Secreto-123", "token": "tok-Secreto-456"},
        )
        stored = self.stored(self.stamp_account, "password_encrypted")
        self.assertNotIn("pac-Secreto-123", stored)
        keys = secrets._keys_text().split(",")
        self.assertEqual(Fernet(keys[0]).decrypt(stored.encode()), b"pac-Secreto-123")
        self.env.cr.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_name IN "
            "('l10n_mx_einvoice_stamp_account', 'l10n_mx_einvoice_certificate') "
            "AND column_name IN ('password', 'token')"
        )
        self.assertEqual(self.env.cr.fetchall(), [])  # nothing kept in clear
        for user in (self.plain_a, self.cfdi_a, self.manager_b):
            self.refused(
                user,
                "l10n_mx_einvoice.stamp.account",
                "read",
                [self.stamp_account.id],
                ["password"],
                exception="AccessError",
            )
        for url in ("http://pac.example.com/stamp", "ftp://pac.example.com", "pac.example.com"):
            message = self.refused(
                self.manager_a,
                "l10n_mx_einvoice.stamp.account",
                "write",
                [self.stamp_account.id],
                {"url": url},
                exception="ValidationError",
            )
            self.assertIn("https://", message)
        for url in (
            "https://pac.example.com/stamp",
            "http://127.0.0.1:8069/pac",
            "http://localhost:9000",
        ):
            self.allowed(
                self.manager_a,
                "l10n_mx_einvoice.stamp.account",
                "write",
                [self.stamp_account.id],
                {"url": url},
            )

    def test_7_without_the_secret_key_nothing_is_saved_or_stamped(self):
        invoice = self.make_invoice()
        environment = {k: v for k, v in os.environ.items() if k != secrets.ENVIRONMENT_VARIABLE}
        with (
            patch.dict(os.environ, environment, clear=True),
            patch.dict(config.options, {secrets.SETTING: ""}),
        ):
            self.env.registry.clear_cache()  # a restarted server has no decrypted key in memory
            message = self.refused(
                self.manager_a,
                "l10n_mx_einvoice.stamp.account",
                "write",
                [self.stamp_account.id],
                {"password": "pac-Secreto-123"},
                exception="UserError",
            )
            self.assertIn(secrets.SETTING, message)
            self.assertNotIn("pac-Secreto-123", message)
            message = self.refused(
                self.cfdi_a, "account.move", "action_l10n_mx_einvoice_stamp", [invoice.id]
            )
            self.assertIn(secrets.SETTING, message)
        invoice.invalidate_recordset()
        self.assertFalse(invoice.l10n_mx_einvoice_document_ids)

    # --- 8. hostile ZIPs ---------------------------------------------------------------------

    def test_8_a_zip_of_overlapping_entries_is_refused_over_json_rpc(self):
        wizard_id = self.allowed(
            self.cfdi_a,
            "l10n_mx_einvoice.vendor.import",
            "create",
            {
                "journal_id": self.journal.id,
                "check_sat_status": False,
                "attachment_ids": [
                    Command.create(
                        {
                            "name": "overlap.zip",
                            "datas": base64.b64encode(overlapping_zip()).decode(),
                        }
                    )
                ],
            },
        )
        self.allowed(self.cfdi_a, "l10n_mx_einvoice.vendor.import", "action_import", [wizard_id])
        lines = self.allowed(
            self.cfdi_a,
            "l10n_mx_einvoice.vendor.import.line",
            "search_read",
            [("wizard_id", "=", wizard_id)],
            fields=["name", "state", "code"],
        )
        self.assertEqual(
            [(line["name"], line["state"], line["code"]) for line in lines],
            [("overlap.zip", "error", "RECEPTION-ZIP-OVERLAP")],
        )
