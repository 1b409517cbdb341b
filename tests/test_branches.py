"""Odoo 18 branches and issuing addresses (issue 13, item 6): a branch issues with its root
company's RFC, CSD and stamp account; the place of issue (LugarExpedicion) and the time
zone of Fecha come from the journal's issuing address when one is set, else from the
issuing company's address."""

from datetime import datetime, timezone

from odoo.addons.l10n_mx_einvoice.cfdi import catalogs
from odoo.addons.l10n_mx_einvoice.cfdi import xml as cfdi_xml
from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import (
    CSD_PASSWORD,
    CfdiOracleMixin,
    FlowFixtures,
    L10nMxEinvoiceCommon,
    fixture_b64,
)


@tagged("post_install", "-at_install")
class TestBranches(CfdiOracleMixin, FlowFixtures, L10nMxEinvoiceCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.setup_flow()
        # Cancún: America/Cancun (UTC-5 all year), the root is in Centro (42501, UTC-6)
        cls.branch = cls._create_company(
            name="EKU SUCURSAL CANCUN", parent_id=cls.company.id, zip="77500"
        )
        # a branch uses its root's journals (Odoo 18)
        cls.branch_journal = cls.env["account.journal"].search(
            [*cls.env["account.journal"]._check_company_domain(cls.branch), ("type", "=", "sale")],
            limit=1,
        )
        cls.sale_journal = cls.company_data["default_journal_sale"]
        cls.hermosillo = cls.env["res.partner"].create(
            {
                "name": "Planta Hermosillo",
                "type": "other",  # a contact-type child takes its parent's address
                "zip": "83000",
                "parent_id": cls.company.partner_id.id,
            }
        )

    def stamped_xml(self, move):
        move.action_l10n_mx_einvoice_stamp()
        self.assertEqual(move.l10n_mx_einvoice_state, "stamped", move.l10n_mx_einvoice_message)
        data = move.l10n_mx_einvoice_attachment_id.raw
        self.assertSatValid(data)
        return cfdi_xml.from_bytes(data)

    def assertFechaAt(self, c, lugar):
        """Fecha is the local time of ``lugar``'s zone (not the root company's)."""
        now = datetime.now(timezone.utc)
        local = catalogs.local_time(now, lugar)
        self.assertLess(abs((local - c.fecha).total_seconds()), 600, (lugar, c.fecha, local))
        centro = catalogs.local_time(now, "42501")
        self.assertGreater(abs((centro - c.fecha).total_seconds()), 3000)

    def stamps_used(self, account):
        return self.env["l10n_mx_einvoice.credit.move"].search_count(
            [("account_id", "=", account.id), ("kind", "=", "stamp")]
        )

    def test_branch_issues_with_the_root_csd_and_stamp_account(self):
        self.assertFalse(self.branch.l10n_mx_einvoice_certificate_ids)
        self.assertFalse(self.branch.l10n_mx_einvoice_stamp_account_id)
        self.assertEqual(self.branch._l10n_mx_einvoice_stamp_account(), self.stamp_account)
        used = self.stamps_used(self.stamp_account)
        move = self.make_invoice(company_id=self.branch.id, journal_id=self.branch_journal.id)
        self.assertEqual(move.company_id, self.branch)
        c = self.stamped_xml(move)
        self.assertEqual(
            (c.emisor.rfc, c.emisor.nombre, c.emisor.regimen_fiscal),
            ("EKU9003173C9", self.company.partner_id.name, "601"),
        )
        self.assertEqual(c.no_certificado, self.certificate.no_certificado)
        self.assertEqual(c.lugar_expedicion, "77500")
        self.assertFechaAt(c, "77500")
        document = move.l10n_mx_einvoice_document_id
        self.assertEqual(document.company_id, self.branch)
        self.assertEqual(document.stamp_account_id, self.stamp_account)
        self.assertEqual(self.stamps_used(self.stamp_account), used + 1)

    def test_branch_with_a_csd_of_its_own_seals_with_it(self):
        own = self.env["l10n_mx_einvoice.certificate"].create(
            {
                "company_id": self.branch.id,
                "cer_file": fixture_b64("csd/EKU9003173C9.cer"),
                "cer_filename": "EKU9003173C9.cer",
                "key_file": fixture_b64("csd/EKU9003173C9.key"),
                "key_filename": "EKU9003173C9.key",
                "password": CSD_PASSWORD,
            }
        )
        self.assertEqual(self.branch._l10n_mx_einvoice_certificate_at(datetime.now()), own)
        self.certificate.active = False  # the root's is not needed
        self.assertEqual(self.branch._l10n_mx_einvoice_certificate_at(datetime.now()), own)
        move = self.make_invoice(company_id=self.branch.id, journal_id=self.branch_journal.id)
        c = self.stamped_xml(move)
        self.assertEqual(c.no_certificado, own.no_certificado)

    def test_journal_issuing_address_is_the_place_of_issue(self):
        self.sale_journal.l10n_mx_einvoice_issuing_address_id = self.hermosillo
        move = self.make_invoice(journal_id=self.sale_journal.id)
        c = self.stamped_xml(move)
        self.assertEqual(c.lugar_expedicion, "83000")
        self.assertFechaAt(c, "83000")  # America/Mazatlan: UTC-7

    def test_foreign_customer_is_domiciled_at_the_place_of_issue(self):
        self.sale_journal.l10n_mx_einvoice_issuing_address_id = self.hermosillo
        self.customer.write({"country_id": self.env.ref("base.us").id, "vat": "123456789"})
        c = self.stamped_xml(self.make_invoice(journal_id=self.sale_journal.id))
        self.assertEqual((c.receptor.rfc, c.receptor.domicilio_fiscal), ("XEXX010101000", "83000"))

    def test_issuing_address_without_postal_code_is_refused_before_sealing(self):
        self.hermosillo.zip = False
        self.sale_journal.l10n_mx_einvoice_issuing_address_id = self.hermosillo
        move = self.make_invoice(journal_id=self.sale_journal.id)
        with self.assertRaises(UserError) as caught:
            move.action_l10n_mx_einvoice_stamp()
        message = str(caught.exception)
        self.assertIn("Planta Hermosillo", message)
        self.assertIn(self.sale_journal.name, message)
        self.assertIn("LugarExpedicion", message)
        self.assertFalse(move.l10n_mx_einvoice_document_ids)
