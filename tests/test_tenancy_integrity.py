"""Issue 12, points 1-4, as the real user of each role through the ORM (``with_user``), with
two companies: nobody unlocks, fakes or re-points a stamped CFDI; every stamping path checks
the same right; no company reaches another's CFDI, certificates, stamp accounts or credits;
the stamped XML and the ledger are append-only for everyone."""

from odoo import Command, fields
from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from .common import (
    CSD_PASSWORD,
    FlowFixtures,
    L10nMxEinvoiceCommon,
    TenancyFixtures,
    fixture_b64,
)


@tagged("post_install", "-at_install")
class TestTenancyIntegrity(TenancyFixtures, FlowFixtures, L10nMxEinvoiceCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.setup_flow()
        cls.setup_tenancy()

    def ledger(self, account=None):
        return (
            self.env["l10n_mx_einvoice.credit.move"]
            .sudo()
            .search([("account_id", "=", (account or self.stamp_account).id)])
        )

    # --- 1. a stamped CFDI cannot be unlocked, faked or re-pointed ----------------------

    def test_the_cfdi_fields_of_an_entry_are_written_by_nobody(self):
        document = self.stamped.l10n_mx_einvoice_document_id
        other_xml = self.env["ir.attachment"].create({"name": "other.xml", "raw": b"<x/>"})
        waiting = self.make_invoice()
        attempts = [
            {"l10n_mx_einvoice_state": False},
            {"l10n_mx_einvoice_state": "to_stamp"},
            {"l10n_mx_einvoice_uuid": "AAAAAAAA-BBBB-CCCC-DDDD-EEEEEEEEEEEE"},
            {"l10n_mx_einvoice_attachment_id": other_xml.id},
            {"l10n_mx_einvoice_document_id": False},
            {"l10n_mx_einvoice_document_ids": [Command.unlink(document.id)]},
        ]
        for user in (self.plain_a, self.cfdi_a, self.manager_a, self.admin_ab):
            for vals in attempts:
                with self.subTest(user=user.login, vals=vals), self.assertRaises(UserError):
                    self.stamped.with_user(user).write(vals)
        for vals in attempts:  # not even the superuser: the documents decide them
            with self.subTest(sudo=True, vals=vals), self.assertRaises(UserError):
                self.stamped.sudo().write(vals)
        # a stamp cannot be faked on an entry that has none, nor given on creation
        with self.assertRaises(UserError):
            waiting.with_user(self.manager_a).write(
                {"l10n_mx_einvoice_state": "stamped", "l10n_mx_einvoice_uuid": document.uuid}
            )
        with self.assertRaises(UserError):
            self.env["account.move"].with_user(self.manager_a).create(
                {
                    "move_type": "out_invoice",
                    "partner_id": self.customer.id,
                    "l10n_mx_einvoice_state": "stamped",
                }
            )
        payment = self.env["account.payment"].create(
            {
                "payment_type": "inbound",
                "partner_type": "customer",
                "partner_id": self.customer.id,
                "amount": 10.0,
                "journal_id": self.company_data["default_journal_bank"].id,
            }
        )
        payment.action_post()
        with self.assertRaises(UserError):  # the payment's fields are its entry's
            payment.with_user(self.manager_a).write({"l10n_mx_einvoice_state": "stamped"})
        with self.assertRaises(UserError):
            payment.with_user(self.manager_a).write({"l10n_mx_einvoice_uuid": document.uuid})
        self.assertEqual(self.stamped.l10n_mx_einvoice_state, "stamped")
        self.assertEqual(self.stamped.l10n_mx_einvoice_attachment_id, document.attachment_id)
        self.assertFalse(waiting.l10n_mx_einvoice_uuid)

    def test_a_stamped_entry_cannot_be_unlocked(self):
        for user in (self.plain_a, self.cfdi_a, self.manager_a, self.admin_ab):
            with self.subTest(user=user.login):
                with self.assertRaises(UserError):
                    self.stamped.with_user(user).button_draft()
                with self.assertRaises(UserError):
                    self.stamped.with_user(user).write({"partner_id": self.partner_a.id})
        self.assertEqual(self.stamped.state, "posted")

    def test_documents_are_written_by_the_lifecycle_only(self):
        document = self.stamped.l10n_mx_einvoice_document_id
        for user in (self.plain_a, self.cfdi_a, self.manager_a, self.admin_ab):
            as_user = document.with_user(user)
            with self.subTest(user=user.login):
                self.assertEqual(as_user.state, "stamped")  # readable in its company
                with self.assertRaises(AccessError):
                    as_user.write({"state": "cancelled"})
                with self.assertRaises(AccessError):
                    as_user.write({"attachment_id": False})
                with self.assertRaises(AccessError):
                    as_user.unlink()
                with self.assertRaises(AccessError):
                    self.env["l10n_mx_einvoice.document"].with_user(user).create(
                        {
                            "company_id": self.company.id,
                            "move_id": self.make_invoice().id,
                            "state": "stamped",
                            "uuid": "AAAAAAAA-BBBB-CCCC-DDDD-EEEEEEEEEEEE",
                        }
                    )
        with self.assertRaises(UserError):  # kept (CFF art. 30), even for the superuser
            document.sudo().unlink()

    def test_the_pdf_prints_the_documents_own_xml(self):
        values = self.stamped._l10n_mx_einvoice_pdf_values()
        self.assertEqual(values["uuid"], self.stamped.l10n_mx_einvoice_uuid)
        self.assertEqual(
            self.stamped.l10n_mx_einvoice_attachment_id,
            self.stamped.l10n_mx_einvoice_document_id.attachment_id,
        )

    # --- 2. every stamping path checks the same right ------------------------------------

    def test_a_user_without_the_cfdi_right_stamps_by_no_path(self):
        invoice = self.make_invoice().with_user(self.plain_a)
        with self.assertRaises(AccessError):
            invoice.action_l10n_mx_einvoice_stamp()
        with self.assertRaises(AccessError):
            self.env["l10n_mx_einvoice.document"].with_user(self.plain_a)._stamp(invoice)
        error = (
            self.env["account.move.send"]
            .with_user(self.plain_a)
            ._l10n_mx_einvoice_stamp_for_sending(invoice)
        )
        self.assertIn("Only CFDI users", error)
        with self.assertRaises(AccessError):
            self.stamped.l10n_mx_einvoice_document_id.with_user(self.plain_a)._cancel("02")
        self.assertFalse(invoice.l10n_mx_einvoice_document_ids)
        self.assertEqual(self.stamped.l10n_mx_einvoice_state, "stamped")

    def test_stamp_on_post_without_the_right_posts_and_leaves_it_to_the_cron(self):
        self.company.l10n_mx_einvoice_stamp_on_post = True
        invoice = self.make_invoice(post=False)
        invoice.with_user(self.plain_a).action_post()
        self.assertEqual((invoice.state, invoice.l10n_mx_einvoice_state), ("posted", "to_stamp"))
        self.assertFalse(invoice.l10n_mx_einvoice_document_ids)
        # the scheduled action runs as its own user, a CFDI manager (OdooBot)
        cron_user = self.env.ref("l10n_mx_einvoice.ir_cron_l10n_mx_einvoice_stamp").user_id
        self.assertTrue(cron_user.has_group("l10n_mx_einvoice.group_l10n_mx_einvoice_user"))
        self.env["l10n_mx_einvoice.document"].with_user(cron_user)._cron_stamp()
        self.assertEqual(invoice.l10n_mx_einvoice_state, "stamped")
        # a CFDI user posting gets it stamped at once
        stamped_on_post = self.make_invoice(post=False)
        stamped_on_post.with_user(self.cfdi_a).action_post()
        self.assertEqual(stamped_on_post.l10n_mx_einvoice_state, "stamped")

    def test_global_invoice_and_payment_paths_check_the_right(self):
        with self.assertRaises(AccessError):
            self.env["l10n_mx_einvoice.global.invoice"].with_user(self.plain_a).create({})
        wizard = self.env["l10n_mx_einvoice.global.invoice"].create({})
        with self.assertRaises(AccessError):
            self.env["l10n_mx_einvoice.document"].with_user(self.plain_a)._stamp(wizard)
        payment = self.env["account.payment"].create(
            {
                "payment_type": "inbound",
                "partner_type": "customer",
                "partner_id": self.customer.id,
                "amount": 10.0,
                "journal_id": self.company_data["default_journal_bank"].id,
            }
        )
        with self.assertRaises(AccessError):
            payment.with_user(self.plain_a).action_l10n_mx_einvoice_stamp_payment()

    # --- 3. multi-company ---------------------------------------------------------------

    def test_a_user_of_company_b_reaches_none_of_company_a(self):
        document = self.stamped.l10n_mx_einvoice_document_id
        records = {
            "l10n_mx_einvoice.document": document,
            "l10n_mx_einvoice.certificate": self.certificate,
            "l10n_mx_einvoice.stamp.account": self.stamp_account,
            "l10n_mx_einvoice.credit.move": self.ledger()[:1],
        }
        for user in (self.cfdi_b, self.manager_b):
            for model, record in records.items():
                with self.subTest(user=user.login, model=model):
                    self.assertFalse(
                        self.env[model].with_user(user).search([("id", "=", record.id)])
                    )
                    with self.assertRaises(AccessError):
                        record.with_user(user).read(["id"])
            with self.assertRaises(AccessError):  # the stamped XML of company A either
                document.attachment_id.with_user(user).read(["raw"])

    def test_a_company_stamps_with_its_own_account_or_its_roots(self):
        with self.assertRaises(UserError):  # incompatible companies
            self.company_b.with_user(self.admin_ab).write(
                {"l10n_mx_einvoice_stamp_account_id": self.stamp_account.id}
            )
        with self.assertRaises(UserError):  # nor through the settings
            self.env["res.config.settings"].with_user(self.admin_ab).with_company(
                self.company_b
            ).create({"l10n_mx_einvoice_stamp_account_id": self.stamp_account.id}).execute()
        branch = self.env["res.company"].create(
            {"name": "SUCURSAL A", "parent_id": self.company.id}
        )
        branch.l10n_mx_einvoice_stamp_account_id = self.stamp_account  # the root's: allowed
        self.assertEqual(branch._l10n_mx_einvoice_stamp_account(), self.stamp_account)
        # even a value written around the ORM is never used for another company
        self.env.cr.execute(
            "UPDATE res_company SET l10n_mx_einvoice_stamp_account_id = %s WHERE id = %s",
            [self.stamp_account.id, self.company_b.id],
        )
        self.company_b.invalidate_recordset()
        self.assertFalse(self.company_b._l10n_mx_einvoice_stamp_account())
        used = len(self.ledger())
        certificate, account, problems = self.env["l10n_mx_einvoice.document"]._setup(
            self.company_b, fields.Datetime.now()
        )
        self.assertFalse(account)
        self.assertIn("has no stamp account", " ".join(problems))
        self.assertEqual(len(self.ledger()), used)

    def test_a_manager_of_company_b_cannot_put_a_document_on_company_as_account(self):
        with self.assertRaises(AccessError):
            self.env["l10n_mx_einvoice.document"].with_user(self.manager_b).create(
                {
                    "company_id": self.company_b.id,
                    "stamp_account_id": self.stamp_account.id,
                    "state": "pending",
                }
            )
        with self.assertRaises(AccessError):
            self.stamp_account.with_user(self.manager_b).write({"company_id": self.company_b.id})

    # --- 4. the stamped XML and the ledger are append-only ------------------------------

    def test_the_stamped_xml_is_kept_for_everyone(self):
        xml = self.stamped.l10n_mx_einvoice_attachment_id
        for attachment in (xml.with_user(self.manager_a), xml.with_user(self.admin_ab), xml.sudo()):
            with self.subTest(user=attachment.env.user.login, su=attachment.env.su):
                with self.assertRaises(UserError):
                    attachment.unlink()
                with self.assertRaises(UserError):
                    attachment.write({"raw": b"<cfdi/>"})
                with self.assertRaises(UserError):
                    attachment.write({"res_id": self.make_invoice().id})
        self.assertIn(self.stamped.l10n_mx_einvoice_uuid.encode(), xml.raw)

    def test_the_ledger_is_append_only_for_everyone(self):
        line = self.ledger()[:1]
        Ledger = self.env["l10n_mx_einvoice.credit.move"]
        for user in (self.cfdi_a, self.manager_a, self.admin_ab):
            with self.subTest(user=user.login):
                with self.assertRaises(UserError):
                    line.with_user(user).write({"quantity": 1000})
                with self.assertRaises(UserError):
                    line.with_user(user).unlink()
                for kind in ("stamp", "purchase", "adjustment"):
                    with self.assertRaises(AccessError):
                        Ledger.with_user(user).create(
                            {
                                "account_id": self.stamp_account.id,
                                "kind": kind,
                                "quantity": 1000,
                                "uuid": "AAAAAAAA-BBBB-CCCC-DDDD-EEEEEEEEEEEE",
                                "reason": "free stamps",
                            }
                        )
        with self.assertRaises(UserError):
            line.sudo().write({"quantity": 1000})

    def test_an_adjustment_needs_a_manager_and_a_reason_and_keeps_its_author(self):
        wizard = self.env["l10n_mx_einvoice.credit.adjust"]
        with self.assertRaises(AccessError):  # a CFDI user is not a manager
            wizard.with_user(self.cfdi_a).create(
                {"account_id": self.stamp_account.id, "quantity": 5, "reason": "x"}
            )
        with self.assertRaises(AccessError):
            Ledger = self.env["l10n_mx_einvoice.credit.move"].with_user(self.cfdi_a)
            Ledger._record_adjustment(self.stamp_account, 5, "x")
        adjust = wizard.with_user(self.manager_a).create(
            {"account_id": self.stamp_account.id, "quantity": 5, "reason": "   "}
        )
        with self.assertRaises(UserError):
            adjust.action_apply()
        adjust.reason = "Cortesía del proveedor"
        adjust.action_apply()
        line = self.ledger()[0]
        self.assertEqual(
            (line.kind, line.quantity, line.reason), ("adjustment", 5, "Cortesía del proveedor")
        )
        self.assertEqual(line.create_uid, self.manager_a)
        self.assertIn(self.manager_a.name, self.stamp_account.message_ids[0].body)

    def test_purchases_come_from_posted_vendor_bills_only(self):
        package = self.env["product.product"].create(
            {
                "name": "Paquete de 50 timbres",
                "type": "service",
                "l10n_mx_einvoice_stamp_credits": 50,
            }
        )
        bill = self.env["account.move"].create(
            {
                "move_type": "in_invoice",
                "partner_id": self.partner_a.id,
                "invoice_date": fields.Date.today(),
                "invoice_line_ids": [
                    Command.create(
                        {
                            "product_id": package.id,
                            "quantity": 2,
                            "price_unit": 100.0,
                            "tax_ids": [],
                        }
                    )
                ],
            }
        )
        self.assertFalse(self.ledger().filtered(lambda line: line.move_id == bill))
        bill.action_post()
        purchase = self.ledger().filtered(lambda line: line.move_id == bill)
        self.assertEqual((purchase.kind, purchase.quantity), ("purchase", 100))
        bill.button_draft()
        self.assertEqual(
            sum(self.ledger().filtered(lambda line: line.move_id == bill).mapped("quantity")), 0
        )

    def test_a_stamp_line_comes_from_the_pacs_answer(self):
        document = self.stamped.l10n_mx_einvoice_document_id
        line = self.ledger().filtered(
            lambda line: line.kind == "stamp" and line.document_id == document
        )
        self.assertEqual((line.uuid, line.quantity), (document.uuid, -1))
        xml = document.attachment_id.raw
        self.assertIn(f'UUID="{document.uuid}"'.encode(), xml)

    def test_the_cfdi_managers_secret_fields_stay_secret_to_other_companies(self):
        # the manager of B cannot read A's certificate, let alone its key and password
        with self.assertRaises(AccessError):
            self.certificate.with_user(self.manager_b).read(["password"])
        certificate_b = self.env["l10n_mx_einvoice.certificate"].with_user(self.manager_b)
        with self.assertRaises(AccessError):  # a certificate for company A from B's manager
            certificate_b.create(
                {
                    "company_id": self.company.id,
                    "cer_file": fixture_b64("csd/EKU9003173C9.cer"),
                    "key_file": fixture_b64("csd/EKU9003173C9.key"),
                    "password": CSD_PASSWORD,
                }
            )
