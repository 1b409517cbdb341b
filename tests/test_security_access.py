import logging

from odoo.exceptions import AccessError, ValidationError
from odoo.tests import tagged

from .common import CSD_PASSWORD, L10nMxEinvoiceCommon, fixture_b64

SECRET_FIELDS = {
    "l10n_mx_einvoice.certificate": ["key_file", "password"],
    "l10n_mx_einvoice.stamp.account": ["password", "token", "username"],
}


class _CaptureAll(logging.Handler):
    def __init__(self):
        super().__init__(logging.DEBUG)
        self.messages = []

    def emit(self, record):
        self.messages.append(record.getMessage())


@tagged("post_install", "-at_install")
class TestSecurityAccess(L10nMxEinvoiceCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.stamp_account.sudo().write(
            {
                "provider": "finkok",
                "username": "pac-user",
                "password": "pac-Secret-123",
                "token": "tok-Secret-456",
            }
        )
        groups = cls.env.ref("account.group_account_invoice") | cls.env.ref(
            "base.group_allow_export"
        )
        cls.invoicing_user = cls.env["res.users"].create(
            {
                "name": "Plain invoicing user",
                "login": "plain_invoicing",
                "company_id": cls.company.id,
                "company_ids": [(6, 0, cls.company.ids)],
                "groups_id": [(6, 0, groups.ids)],
            }
        )
        cls.cfdi_user = cls.env["res.users"].create(
            {
                "name": "CFDI user",
                "login": "cfdi_user_sec",
                "company_id": cls.company.id,
                "company_ids": [(6, 0, cls.company.ids)],
                "groups_id": [
                    (
                        6,
                        0,
                        (groups | cls.env.ref("l10n_mx_einvoice.group_l10n_mx_einvoice_user")).ids,
                    )
                ],
            }
        )
        cls.manager = cls.env["res.users"].create(
            {
                "name": "CFDI manager",
                "login": "cfdi_manager_sec",
                "company_id": cls.company.id,
                "company_ids": [(6, 0, cls.company.ids)],
                "groups_id": [
                    (
                        6,
                        0,
                        (
                            groups | cls.env.ref("l10n_mx_einvoice.group_l10n_mx_einvoice_manager")
                        ).ids,
                    )
                ],
            }
        )

    def _records(self, user):
        return {
            "l10n_mx_einvoice.certificate": self.certificate.with_user(user),
            "l10n_mx_einvoice.stamp.account": self.stamp_account.with_user(user),
        }

    def test_users_without_the_manager_group_cannot_read_secrets(self):
        for user in (self.invoicing_user, self.cfdi_user):
            for model, record in self._records(user).items():
                for field in SECRET_FIELDS[model]:
                    with self.subTest(user=user.login, model=model, field=field):
                        record.invalidate_recordset()
                        with self.assertRaises(AccessError):
                            record.read([field])
                        with self.assertRaises(AccessError):
                            record.search_read([("id", "=", record.id)], [field])
                        with self.assertRaises(AccessError):
                            record.export_data([field])
                # a plain read returns the other fields, never the secret ones
                values = record.read()[0]
                self.assertFalse(set(SECRET_FIELDS[model]) & set(values))
                exported = record.export_data(["display_name"])["datas"]
                self.assertEqual(len(exported), 1)
                self.assertFalse(set(SECRET_FIELDS[model]) & set(record.fields_get()))

    def test_the_cfdi_manager_can_read_secrets(self):
        records = self._records(self.manager)
        certificate = records["l10n_mx_einvoice.certificate"]
        self.assertEqual(certificate.read(["password"])[0]["password"], CSD_PASSWORD)
        key_file = certificate.read(["key_file"])[0]["key_file"]
        self.assertEqual(
            key_file if isinstance(key_file, bytes) else key_file.encode(),
            fixture_b64("csd/EKU9003173C9.key"),
        )
        account = records["l10n_mx_einvoice.stamp.account"]
        self.assertEqual(
            account.search_read([("id", "=", account.id)], ["password"])[0]["password"],
            "pac-Secret-123",
        )
        exported = account.export_data(["token"])["datas"]
        self.assertEqual(exported, [["tok-Secret-456"]])

    def test_plain_users_cannot_create_or_change_certificates_and_accounts(self):
        for model, record in self._records(self.invoicing_user).items():
            with self.subTest(model=model), self.assertRaises(AccessError):
                record.write({"active": False})
        with self.assertRaises(AccessError):
            self.env["l10n_mx_einvoice.certificate"].with_user(self.cfdi_user).create(
                {
                    "company_id": self.company.id,
                    "cer_file": fixture_b64("csd/EKU9003173C9.cer"),
                }
            )

    def test_records_of_other_companies_are_invisible(self):
        other = self.env["res.company"].create({"name": "Otra empresa"})
        other_account = self.env["l10n_mx_einvoice.stamp.account"].create(
            {"name": "Otra cuenta", "company_id": other.id}
        )
        visible = self.env["l10n_mx_einvoice.stamp.account"].with_user(self.manager).search([])
        self.assertIn(self.stamp_account, visible)
        self.assertNotIn(other_account, visible)
        with self.assertRaises(AccessError):
            other_account.with_user(self.manager).read(["name"])

    def test_secrets_never_reach_logs_chatter_or_messages(self):
        # Odoo's production log level (INFO), and DEBUG for this addon and its engine.
        # (--log-level=debug_sql prints every SQL query with its parameters, any Odoo
        # password included: that level is not for production.)
        handler = _CaptureAll()
        root = logging.getLogger()
        root.addHandler(handler)
        old_level = root.level
        root.setLevel(logging.INFO)
        ours = [logging.getLogger(name) for name in ("odoo.addons.l10n_mx_einvoice", "cfdi")]
        old_levels = [logger.level for logger in ours]
        for logger in ours:
            logger.setLevel(logging.DEBUG)
        try:
            with self.assertRaises(ValidationError) as caught:
                self.env["l10n_mx_einvoice.certificate"].create(
                    {
                        "company_id": self.company.id,
                        "cer_file": fixture_b64("csd/EKU9003173C9.cer"),
                        "key_file": fixture_b64("csd/EKU9003173C9.key"),
                        "password": "Wr0ng-Passw0rd",
                    }
                )
            self.stamp_account.write({"password": "pac-Other-789", "token": "tok-Other-000"})
            for user in (self.invoicing_user, self.cfdi_user):
                with self.assertRaises(AccessError) as denied:
                    self.stamp_account.with_user(user).read(["password"])
                self.assertNotIn("pac-Other-789", str(denied.exception))
            self.certificate.with_user(self.cfdi_user)._get_credential()
            self.stamp_account.with_user(self.cfdi_user)._get_connector()
        finally:
            root.removeHandler(handler)
            root.setLevel(old_level)
            for logger, level in zip(ours, old_levels, strict=True):
                logger.setLevel(level)
        secrets = [
            "Wr0ng-Passw0rd",
            "pac-Other-789",
            "tok-Other-000",
            CSD_PASSWORD,
            fixture_b64("csd/EKU9003173C9.key").decode()[:40],
        ]
        texts = handler.messages + [str(caught.exception)]
        texts += (
            self.env["mail.message"]
            .sudo()
            .search(
                [
                    ("model", "in", list(SECRET_FIELDS)),
                    ("res_id", "in", [self.certificate.id, self.stamp_account.id]),
                ]
            )
            .mapped(
                lambda m: (
                    str(m.body)
                    + " "
                    + str(
                        m.tracking_value_ids.mapped(
                            lambda t: f"{t.old_value_char} {t.new_value_char}"
                        )
                    )
                )
            )
        )
        for secret in secrets:
            for text in texts:
                self.assertNotIn(secret, text)
