"""Guided setup (issue 20): the CFDI settings' checklist says what is done and what is
missing; the CSD holder's name is checked on save and before sealing; a company that is not
Mexican is told so first."""

from odoo.addons.l10n_mx_einvoice.models.res_config_settings import SETUP_ITEMS
from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import FlowFixtures, L10nMxEinvoiceCommon, add_credits


@tagged("post_install", "-at_install")
class TestSetupChecklist(FlowFixtures, L10nMxEinvoiceCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.setup_flow()
        cls.env["account.journal"].search(
            [("company_id", "=", cls.company.id), ("type", "in", ("bank", "cash"))]
        ).l10n_mx_einvoice_forma_pago = "03"

    def checklist(self):
        settings = self.env["res.config.settings"].with_company(self.company).create({})
        return {item: settings[f"l10n_mx_einvoice_setup_{item}"] for item in SETUP_ITEMS}

    def test_a_ready_company_has_every_item_done(self):
        self.assertEqual(self.checklist(), dict.fromkeys(SETUP_ITEMS, True))
        settings = self.env["res.config.settings"].with_company(self.company).create({})
        self.assertTrue(settings.l10n_mx_einvoice_setup_done)

    def test_each_missing_item_is_shown(self):
        journal = self.company_data["default_journal_cash"]
        journal.l10n_mx_einvoice_forma_pago = False
        self.company.write({"vat": False, "zip": False, "l10n_mx_einvoice_regimen_fiscal": False})
        add_credits(self.stamp_account, -self.stamp_account.balance)
        missing = [item for item, done in self.checklist().items() if not done]
        self.assertEqual(missing, ["rfc", "regimen", "zip", "credits", "journals"])
        action = (
            self.env["res.config.settings"]
            .with_company(self.company)
            .create({})
            .action_l10n_mx_einvoice_open_journals()
        )
        self.assertEqual(action["domain"], [("id", "in", journal.ids)])

    def test_a_company_that_is_not_mexican_is_told_so_first(self):
        self.company.country_id = self.env.ref("base.us")
        self.assertFalse(self.checklist()["country"])
        invoice = self.make_invoice()
        with self.assertRaises(UserError) as caught:
            invoice.action_l10n_mx_einvoice_stamp()
        message = str(caught.exception)
        self.assertIn("The company's country is not Mexico", message)
        first = message.split("•")[1].strip()
        self.assertTrue(first.startswith("The company's country is not Mexico"), message)
        # not the misleading messages of the generic RFC a foreign company gets
        self.assertNotIn("generic", message)
        self.assertNotIn("persona", message)
        self.assertFalse(invoice.l10n_mx_einvoice_document_ids)

    def test_a_company_with_another_fiscal_country_is_told_so(self):
        invoice = self.make_invoice()
        self.company.account_fiscal_country_id = self.env.ref("base.us")
        with self.assertRaisesRegex(UserError, "country is not Mexico"):
            invoice.action_l10n_mx_einvoice_stamp()
        self.assertFalse(invoice.l10n_mx_einvoice_document_ids)

    def test_csd_holder_name_checked_on_save_and_before_sealing(self):
        self.company.name = "Escuela Kemper"  # not the CSD holder's name
        self.assertFalse(self.checklist()["name"])
        self.assertIn("CFDI40138", self.certificate.name_mismatch)
        self.assertIn("«ESCUELA KEMPER URGATE»", self.certificate.name_mismatch)
        # saving the CSD again warns in its chatter
        self.certificate.password = self.certificate.password
        self.assertIn("CFDI40138", self.certificate.message_ids[0].body)
        invoice = self.make_invoice()
        with self.assertRaisesRegex(UserError, "CSD holder"):
            invoice.action_l10n_mx_einvoice_stamp()
        self.assertFalse(invoice.l10n_mx_einvoice_document_ids)
        used = self.stamp_account.balance
        # the settings' button (and the certificate's) uses the certificate's name
        self.env["res.config.settings"].with_company(self.company).create(
            {}
        ).action_l10n_mx_einvoice_use_certificate_name()
        self.assertEqual(self.company.name, "ESCUELA KEMPER URGATE")
        self.assertFalse(self.certificate.name_mismatch)
        self.assertTrue(self.checklist()["name"])
        invoice.action_l10n_mx_einvoice_stamp()
        self.assertEqual(invoice.l10n_mx_einvoice_state, "stamped")
        self.stamp_account.invalidate_recordset()
        self.assertEqual(self.stamp_account.balance, used - 1)
