"""Issue 12, point 7: the CSD key's password and the PAC password and token are stored
encrypted with a key held outside the database (``l10n_mx_einvoice_secret_key`` or
``L10N_MX_EINVOICE_SECRET_KEY``); the key is rotated without losing them."""

from unittest.mock import patch

from cryptography.fernet import Fernet
from odoo.addons.l10n_mx_einvoice.models import l10n_mx_einvoice_secrets as secrets
from odoo.exceptions import UserError
from odoo.tests import tagged
from odoo.tools import config

from .common import CSD_PASSWORD, FlowFixtures, L10nMxEinvoiceCommon


@tagged("post_install", "-at_install")
class TestSecretsAtRest(FlowFixtures, L10nMxEinvoiceCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.setup_flow()

    def stored(self, record, column):
        self.env.flush_all()
        self.env.cr.execute(
            f"SELECT {column} FROM {record._table} WHERE id = %s",  # noqa: S608
            [record.id],
        )
        return self.env.cr.fetchone()[0]

    def keys(self, text):
        """The secret key setting as ``text``, as after a restart (nothing decrypted kept)."""
        self.env.registry.clear_cache()
        self.env.invalidate_all()
        return patch.dict(config.options, {secrets.SETTING: text})

    def test_the_csd_password_is_stored_encrypted_and_still_seals(self):
        stored = self.stored(self.certificate, "password_encrypted")
        self.assertNotIn(CSD_PASSWORD, stored)
        current = secrets._keys_text().split(",")[0]
        self.assertEqual(Fernet(current).decrypt(stored.encode()).decode(), CSD_PASSWORD)
        self.assertTrue(self.certificate._get_credential().certificate.no_certificado)
        self.assertEqual(self.certificate.password, CSD_PASSWORD)  # the manager's form

    def test_rotation_re_encrypts_with_the_new_key_and_the_old_one_can_go(self):
        old, new = secrets._keys_text(), Fernet.generate_key().decode()
        self.stamp_account.write({"password": "pac-Secreto-1", "token": "tok-Secreto-2"})
        before = [self.stored(self.stamp_account, "password_encrypted")]
        before.append(self.stored(self.certificate, "password_encrypted"))
        with self.keys(f"{new},{old}"):  # the new key first, the old one still opens
            self.assertEqual(self.stamp_account.password, "pac-Secreto-1")
            self.env["l10n_mx_einvoice.certificate"]._rotate_secrets()
            self.env["l10n_mx_einvoice.stamp.account"]._rotate_secrets()
            after = [self.stored(self.stamp_account, "password_encrypted")]
            after.append(self.stored(self.certificate, "password_encrypted"))
        for was, now in zip(before, after, strict=True):
            self.assertNotEqual(was, now)
            self.assertTrue(Fernet(new).decrypt(now.encode()))
        with self.keys(new):  # the old key removed from the setting
            self.assertEqual(
                (self.stamp_account.password, self.stamp_account.token),
                ("pac-Secreto-1", "tok-Secreto-2"),
            )
            self.assertTrue(self.certificate._get_credential())
            invoice = self.make_invoice()
            invoice.action_l10n_mx_einvoice_stamp()
            self.assertEqual(
                invoice.l10n_mx_einvoice_state, "stamped", invoice.l10n_mx_einvoice_message
            )
        with self.keys(old):  # a key that no longer opens them: a clear message
            with self.assertRaisesRegex(UserError, secrets.SETTING):
                self.certificate._get_credential()
            self.assertFalse(self.certificate.password)  # the form still opens

    def test_without_the_key_secrets_are_neither_saved_nor_used(self):
        with self.keys(""), patch.dict("os.environ", {secrets.ENVIRONMENT_VARIABLE: ""}):
            with self.assertRaisesRegex(UserError, secrets.SETTING) as refused:
                self.stamp_account.write({"password": "pac-Secreto-1"})
            self.assertNotIn("pac-Secreto-1", str(refused.exception))
            with self.assertRaisesRegex(UserError, secrets.SETTING):
                self.certificate._get_credential()
        with self.keys("not-a-key"), self.assertRaisesRegex(UserError, secrets.SETTING):
            self.certificate._get_credential()

    def test_passwords_kept_in_clear_by_an_earlier_version_are_encrypted_on_update(self):
        table = self.certificate._table
        self.env.flush_all()
        self.env.cr.execute(f"ALTER TABLE {table} ADD COLUMN password varchar")  # noqa: S608
        self.env.cr.execute(
            f"UPDATE {table} SET password = %s, password_encrypted = NULL WHERE id = %s",  # noqa: S608
            [CSD_PASSWORD, self.certificate.id],
        )
        self.env["l10n_mx_einvoice.certificate"].init()  # what an update of the module runs
        self.env.cr.execute(
            "SELECT 1 FROM information_schema.columns WHERE table_name = %s AND column_name = 'password'",
            [table],
        )
        self.assertFalse(self.env.cr.fetchall())
        self.env.invalidate_all()
        self.env.registry.clear_cache()
        self.assertNotIn(CSD_PASSWORD, self.stored(self.certificate, "password_encrypted"))
        self.assertEqual(self.certificate.password, CSD_PASSWORD)
        self.assertTrue(self.certificate._get_credential())
