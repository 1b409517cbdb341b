import base64
import hashlib
import io
import zipfile
from datetime import timedelta
from decimal import Decimal
from unittest.mock import patch

from odoo import Command, fields
from odoo.addons.l10n_mx_einvoice.cfdi import reception
from odoo.addons.l10n_mx_einvoice.cfdi.testing import supplier_documents as docs
from odoo.addons.l10n_mx_einvoice.cfdi.testing.zips import overlapping_zip
from odoo.exceptions import AccessError, UserError
from odoo.tests import new_test_user, tagged

from .common import (
    SUPPLIER_NAME,
    SUPPLIER_RFC,
    FlowFixtures,
    L10nMxEinvoiceCommon,
    Line,
    VendorFixtures,
    sample_bytes,
    sat_status_server,
    supplier_invoice,
)

NS33 = "http://www.sat.gob.mx/cfd/3"
CFDI33 = (
    f'<?xml version="1.0" encoding="UTF-8"?><cfdi:Comprobante xmlns:cfdi="{NS33}" Version="3.3" '
    'Total="116.00" TipoDeComprobante="I"><cfdi:Emisor Rfc="CACX7605101P8"/><cfdi:Receptor '
    'Rfc="EKU9003173C9"/><cfdi:Complemento><tfd:TimbreFiscalDigital xmlns:tfd="http://www.sat.'
    'gob.mx/TimbreFiscalDigital" Version="1.1" UUID="AAAAAAAA-BBBB-CCCC-DDDD-EEEEEEEEEEEE"/>'
    "</cfdi:Complemento></cfdi:Comprobante>"
).encode()
BILLION_LAUGHS = (
    b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;'
    b'&lol;&lol;&lol;&lol;&lol;&lol;&lol;"><!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;'
    b'&lol2;&lol2;">]><cfdi:Comprobante xmlns:cfdi="http://www.sat.gob.mx/cfd/4">&lol3;'
    b"</cfdi:Comprobante>"
)
XXE = (
    b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
    b'<cfdi:Comprobante xmlns:cfdi="http://www.sat.gob.mx/cfd/4" Version="4.0">&x;'
    b"</cfdi:Comprobante>"
)
REMOTE_DTD = b'<!DOCTYPE r SYSTEM "http://127.0.0.1:9/evil.dtd"><r/>'


def zip_of(files):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files:
            archive.writestr(name, data)
    return buffer.getvalue()


@tagged("post_install", "-at_install")
class TestVendorImport(VendorFixtures, FlowFixtures, L10nMxEinvoiceCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.setup_vendor()
        cls.services = cls.services_cfdi()

    def bills(self, uuid=None):
        domain = [
            ("company_id", "=", self.company.id),
            ("l10n_mx_einvoice_vendor_uuid", "!=", False),
        ]
        if uuid:
            domain.append(("l10n_mx_einvoice_vendor_uuid", "=", uuid))
        return self.env["account.move"].search(domain)

    # --- the bill -----------------------------------------------------------------------

    def test_import_creates_a_draft_bill_with_supplier_lines_taxes_and_checks(self):
        wizard = self.run_import([("F-services.xml", self.services)])
        line = self.result(wizard, "F-services.xml")
        self.assertEqual(line.state, "imported", line.message)
        bill = line.move_id
        self.assertEqual((bill.move_type, bill.state), ("in_invoice", "draft"))
        partner = bill.partner_id
        self.assertEqual(
            (partner.vat, partner.name, partner.l10n_mx_einvoice_regimen_fiscal),
            (SUPPLIER_RFC, SUPPLIER_NAME, "612"),
        )
        self.assertFalse(partner.is_company)  # 13-character RFC: persona física
        self.assertEqual(len(line.uuid), 36)
        self.assertEqual(bill.l10n_mx_einvoice_vendor_uuid, line.uuid)
        self.assertEqual(bill.l10n_mx_einvoice_vendor_attachment_id.raw, self.services)
        self.assertEqual(bill.l10n_mx_einvoice_vendor_attachment_id.res_id, bill.id)
        paper, fees = bill.invoice_line_ids.sorted("sequence")
        self.assertEqual((paper.quantity, paper.price_unit), (2.0, 500.0))
        self.assertEqual(paper.tax_ids, self.tax_iva16_purchase)
        self.assertEqual(
            fees.tax_ids,
            self.tax_iva16_purchase | self.tax_ret_isr10_purchase | self.tax_ret_iva_2_3,
        )
        self.assertAlmostEqual(bill.amount_untaxed, 2000.0)
        self.assertAlmostEqual(bill.amount_total, 2113.33)
        self.assertTrue(bill.l10n_mx_einvoice_vendor_seal_ok)
        self.assertTrue(bill.l10n_mx_einvoice_vendor_receiver_ok)
        self.assertTrue(bill.l10n_mx_einvoice_vendor_totals_ok)
        self.assertEqual(bill.l10n_mx_einvoice_vendor_sat_state, "vigente")
        self.assertTrue(bill.l10n_mx_einvoice_vendor_sat_checked)
        self.assertFalse(bill.l10n_mx_einvoice_vendor_cancelled)
        self.assertEqual(
            bill.invoice_date, fields.Date.from_string(bill.l10n_mx_einvoice_vendor_fecha[:10])
        )
        self.assertEqual(wizard.move_ids, bill)
        # the bill can be posted like any other
        bill.action_post()
        self.assertEqual(bill.state, "posted")
        self.assertFalse(bill.l10n_mx_einvoice_state)  # a vendor bill is never stamped by us

    def test_credit_note_becomes_a_vendor_refund(self):
        data = self.supplier_cfdi([Line(valor_unitario="100.00", cantidad="1")], tipo="E")
        wizard = self.run_import([("nc.xml", data)], check_sat_status=False)
        bill = self.result(wizard, "nc.xml").move_id
        self.assertEqual(bill.move_type, "in_refund")
        self.assertAlmostEqual(bill.amount_total, 116.0)
        self.assertTrue(bill.l10n_mx_einvoice_vendor_totals_ok)
        self.assertFalse(bill.l10n_mx_einvoice_vendor_sat_state)

    def test_products_matched_by_supplier_code_default_code_and_clave_prod_serv(self):
        supplier = self.env["res.partner"].create(
            {
                "name": "Xochilt (existing)",
                "vat": SUPPLIER_RFC,
                "country_id": self.env.ref("base.mx").id,
            }
        )
        self.env["product.supplierinfo"].create(
            {
                "partner_id": supplier.id,
                "product_tmpl_id": self.product_a.product_tmpl_id.id,
                "product_code": "PAP-01",
            }
        )
        product_c = self.env["product.product"].create({"name": "Toner", "default_code": "TON-9"})
        data = self.supplier_cfdi(
            [
                Line(no_identificacion="PAP-01", clave_prod_serv="14111507"),
                Line(no_identificacion="TON-9", descripcion="Toner negro"),
                Line(clave_prod_serv="84111506", descripcion="Servicio contable"),
                Line(clave_prod_serv="50202306", descripcion="Agua embotellada"),
            ]
        )
        wizard = self.run_import([("f.xml", data)], check_sat_status=False)
        bill = self.result(wizard, "f.xml").move_id
        self.assertEqual(bill.partner_id, supplier)  # matched by RFC, not created again
        lines = bill.invoice_line_ids.sorted("sequence")
        self.assertEqual(lines.mapped("product_id"), self.product_a | product_c | self.product_b)
        self.assertFalse(lines[3].product_id)
        self.assertIn("Agua embotellada", bill.l10n_mx_einvoice_vendor_notes)
        self.assertIn("[PAP-01]", lines[0].name)
        self.assertEqual(supplier.l10n_mx_einvoice_regimen_fiscal, "612")  # completed from the CFDI

    def test_discount_is_kept(self):
        data = self.supplier_cfdi(
            [Line(cantidad="1", valor_unitario="1000.00", descuento="100.00")]
        )
        bill = self.result(self.run_import([("d.xml", data)], False), "d.xml").move_id
        self.assertAlmostEqual(bill.invoice_line_ids.discount, 10.0)
        self.assertAlmostEqual(bill.amount_total, 1044.0)
        self.assertTrue(bill.l10n_mx_einvoice_vendor_totals_ok)

    def test_unit_price_with_six_decimals_keeps_the_cfdi_total(self):
        data = self.supplier_cfdi(
            [
                Line(cantidad="3", valor_unitario="33.333333"),
                Line(cantidad="2", valor_unitario="10.50"),
            ]
        )
        bill = self.result(self.run_import([("p.xml", data)], False), "p.xml").move_id
        exact, fine = bill.invoice_line_ids.sorted("price_unit")
        self.assertEqual((exact.quantity, exact.price_unit), (2.0, 10.5))
        self.assertEqual((fine.quantity, fine.price_unit), (1.0, 100.0))
        self.assertIn("3 × 33.333333", fine.name)
        self.assertAlmostEqual(bill.amount_total, 140.36)  # (100.00 + 21.00) × 1.16
        self.assertTrue(bill.l10n_mx_einvoice_vendor_totals_ok)
        self.assertIn("1 × 100.00", bill.l10n_mx_einvoice_vendor_notes)

    # --- duplicates -------------------------------------------------------------------------

    def test_second_import_of_a_uuid_is_refused_with_the_existing_bill(self):
        wizard = self.run_import([("a.xml", self.services), ("a-copy.xml", self.services)], False)
        first = self.result(wizard, "a.xml").move_id
        copy = self.result(wizard, "a-copy.xml")
        self.assertEqual((copy.state, copy.move_id), ("duplicate", first))
        self.assertIn("earlier in this upload", copy.message)
        wizard = self.run_import([("again.xml", self.services), ("copy.xml", self.services)], False)
        for name in ("again.xml", "copy.xml"):
            line = self.result(wizard, name)
            self.assertEqual((line.state, line.move_id), ("duplicate", first))
            self.assertIn(first.display_name, line.message)
        self.assertEqual(self.bills(first.l10n_mx_einvoice_vendor_uuid), first)
        with self.assertRaisesRegex(UserError, "already imported"):
            self.env["l10n_mx_einvoice.bill.reader"]._refuse_duplicate(
                self.company, first.l10n_mx_einvoice_vendor_uuid.lower()
            )

    # --- hostile and broken input ------------------------------------------------------------

    def test_mixed_upload_imports_the_good_files_and_reports_each_bad_one(self):
        good_in_zip = self.supplier_cfdi([Line(cantidad="3")])
        good_plain = self.supplier_cfdi([Line(cantidad="5")])
        upload = zip_of(
            [
                ("good.xml", good_in_zip),
                ("broken.xml", b"<cfdi:Comprobante xmlns:cfdi='http://www.sat.gob.mx/cfd/4'"),
                ("laughs.xml", BILLION_LAUGHS),
                ("xxe.xml", XXE),
                ("dtd.xml", REMOTE_DTD),
                (
                    "ns.xml",
                    b'<cfdi:Comprobante xmlns:cfdi="http://www.sat.gob.mx/cfd/9" Version="4.0"/>',
                ),
                (
                    "ubl.xml",
                    b'<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"/>',
                ),
                ("old.xml", CFDI33),
                ("unstamped.xml", self.sealed_only()),
                ("factura.pdf", b"%PDF-1.4 supplier pdf"),
                ("inner.zip", zip_of([("x.xml", good_plain)])),
                ("bomb.xml", b"<a>" + b"0" * (8 * 1024 * 1024) + b"</a>"),
            ]
        )
        oversize = b"<a>" + b" " * (6 * 1024 * 1024) + b"</a>"
        before = len(self.bills())
        wizard = self.run_import(
            [("lote.zip", upload), ("plain.xml", good_plain), ("huge.xml", oversize)],
            check_sat_status=False,
        )
        expected = {
            "lote.zip/good.xml": ("imported", "OK"),
            "lote.zip/broken.xml": ("error", "XML"),
            "lote.zip/laughs.xml": ("error", "XML-HOSTILE"),
            "lote.zip/xxe.xml": ("error", "XML-HOSTILE"),
            "lote.zip/dtd.xml": ("error", "XML-HOSTILE"),
            "lote.zip/ns.xml": ("error", "RECEPTION-NAMESPACE"),
            "lote.zip/ubl.xml": ("error", "RECEPTION-NOT-CFDI"),
            "lote.zip/old.xml": ("error", "RECEPTION-CFDI33"),
            "lote.zip/unstamped.xml": ("error", "RECEPTION-NOT-STAMPED"),
            "lote.zip/factura.pdf": ("skipped", "RECEPTION-SKIPPED"),
            "lote.zip/inner.zip": ("error", "RECEPTION-ZIP-NESTED"),
            "lote.zip/bomb.xml": ("error", "RECEPTION-TOO-LARGE"),
            "plain.xml": ("imported", "OK"),
            "huge.xml": ("error", "RECEPTION-TOO-LARGE"),
        }
        self.assertEqual({line.name: (line.state, line.code) for line in wizard.line_ids}, expected)
        for line in wizard.line_ids.filtered(lambda line: line.state == "error"):
            self.assertTrue(line.message, line.name)
            self.assertFalse(line.move_id, line.name)
        self.assertEqual(len(self.bills()), before + 2)
        self.assertEqual(
            wizard.move_ids, wizard.line_ids.filtered(lambda line: line.state == "imported").move_id
        )
        self.assertIn("2 imported", wizard.summary)
        self.assertNotIn("root:x:0:0", "".join(wizard.line_ids.mapped("message")))

    def test_a_zip_of_overlapping_entries_is_refused_without_inflating_it(self):
        before = len(self.bills())
        bomb = overlapping_zip()  # ~260 KB whose 5000 entries point at one "5 MiB" member
        with patch.object(zipfile.ZipFile, "open", side_effect=AssertionError("inflated")):
            wizard = self.run_import([("overlap.zip", bomb)], check_sat_status=False)
        [line] = wizard.line_ids
        self.assertEqual(
            (line.name, line.state, line.code), ("overlap.zip", "error", "RECEPTION-ZIP-OVERLAP")
        )
        self.assertIn("overlap", line.message)
        self.assertFalse(line.move_id)
        self.assertEqual(len(self.bills()), before)

    def sealed_only(self):
        from odoo.addons.l10n_mx_einvoice.cfdi.testing import supplier_documents

        return supplier_documents.sealed(supplier_invoice(), self.supplier_credential)

    def test_a_bill_failing_in_a_batch_is_reported_and_the_others_are_created(self):
        files = [(f"f{n}.xml", self.supplier_cfdi([Line(cantidad=str(n + 1))])) for n in range(3)]
        bad_uuid = reception.read_cfdi("f1.xml", files[1][1]).uuid
        Move = type(self.env["account.move"])
        summary = Move._l10n_mx_einvoice_vendor_summary

        def refuse_one(move):
            if move.l10n_mx_einvoice_vendor_uuid == bad_uuid:
                raise UserError(move.env._("simulated failure of one bill"))
            return summary(move)

        with patch.object(Move, "_l10n_mx_einvoice_vendor_summary", refuse_one):
            wizard = self.run_import(files, check_sat_status=False)
        self.assertEqual(
            [line.state for line in wizard.line_ids], ["imported", "error", "imported"]
        )
        self.assertIn("simulated failure", self.result(wizard, "f1.xml").message)
        self.assertFalse(self.bills(bad_uuid))
        self.assertEqual(len(wizard.move_ids), 2)

    def test_cfdi33_is_refused_with_a_clear_message(self):
        line = self.result(self.run_import([("old.xml", CFDI33)], False), "old.xml")
        self.assertEqual(line.state, "error")
        self.assertIn("3.3", line.message)
        self.assertIn("CFDI 4.0", line.message)

    def test_missing_purchase_tax_refuses_that_file_only(self):
        untaxed = self.supplier_cfdi([Line(iva=None)])
        taxed = self.supplier_cfdi([Line()])
        self.env["account.tax"].search(
            [
                ("company_id", "=", self.company.id),
                ("type_tax_use", "=", "purchase"),
                ("amount", "=", 16.0),
            ]
        ).active = False
        before = len(self.bills())
        wizard = self.run_import([("untaxed.xml", untaxed), ("taxed.xml", taxed)], False)
        self.assertEqual(self.result(wizard, "untaxed.xml").state, "imported")
        line = self.result(wizard, "taxed.xml")
        self.assertEqual((line.state, line.move_id.id), ("error", False))
        self.assertIn("no purchase tax", line.message)
        self.assertIn("0.160000", line.message)
        self.assertEqual(len(self.bills()), before + 1)

    # --- checks shown on the bill -----------------------------------------------------------

    def test_nearest_rate_tax_is_noted_and_totals_mismatch_flagged(self):
        self.tax_ret_iva_2_3.active = False  # only the chart's 10.67 % is left
        wizard = self.run_import([("s.xml", self.services)], False)
        line = self.result(wizard, "s.xml")
        bill = line.move_id
        self.assertIn(-10.67, bill.invoice_line_ids.tax_ids.mapped("amount"))
        self.assertFalse(
            bill.l10n_mx_einvoice_vendor_totals_ok
        )  # 106.70 withheld instead of 106.67
        self.assertEqual(line.state, "warning")
        self.assertIn("differs from the CFDI total", line.message)
        self.assertIn("nearest rate", bill.l10n_mx_einvoice_vendor_notes)

    def test_receiver_of_another_company_and_altered_xml_are_flagged(self):
        other = self.supplier_cfdi(
            receiver_rfc="XIA190128J61", receiver_name="XENON INDUSTRIAL ARTICLES"
        )
        altered = self.services.replace(b"Papel bond carta", b"Papel bond oficio", 1)
        wizard = self.run_import([("other.xml", other), ("altered.xml", altered)], False)
        other_bill = self.result(wizard, "other.xml").move_id
        self.assertFalse(other_bill.l10n_mx_einvoice_vendor_receiver_ok)
        self.assertTrue(other_bill.l10n_mx_einvoice_vendor_seal_ok)
        self.assertEqual(self.result(wizard, "other.xml").state, "warning")
        self.assertIn("XIA190128J61", other_bill.l10n_mx_einvoice_vendor_notes)
        altered_bill = self.result(wizard, "altered.xml").move_id
        self.assertFalse(altered_bill.l10n_mx_einvoice_vendor_seal_ok)
        self.assertIn("seal", self.result(wizard, "altered.xml").message)

    def test_a_bill_failing_its_checks_is_posted_only_with_a_managers_reason(self):
        other = self.supplier_cfdi(
            receiver_rfc="XIA190128J61", receiver_name="XENON INDUSTRIAL ARTICLES"
        )
        altered = self.services.replace(b"Papel bond carta", b"Papel bond oficio", 1)
        wizard = self.run_import([("other.xml", other), ("altered.xml", altered)], False)
        other_bill = self.result(wizard, "other.xml").move_id
        altered_bill = self.result(wizard, "altered.xml").move_id
        for bill, problem in ((other_bill, "receiver RFC"), (altered_bill, "seal")):
            with self.assertRaisesRegex(UserError, "cannot be trusted") as refused:
                bill.action_post()
            self.assertIn(bill.display_name, str(refused.exception))
            self.assertIn(problem, str(refused.exception))
            self.assertEqual(bill.state, "draft")
        clerk = new_test_user(
            self.env,
            login="clerk_allow",
            groups="account.group_account_invoice,l10n_mx_einvoice.group_l10n_mx_einvoice_user",
            company_id=self.company.id,
            company_ids=[Command.set(self.company.ids)],
        )
        with self.assertRaises(AccessError):
            other_bill.with_user(clerk)._l10n_mx_einvoice_vendor_allow_posting("trust me")
        with self.assertRaises(AccessError):  # the wizard is the managers' only
            self.env["l10n_mx_einvoice.vendor.allow"].with_user(clerk).create(
                {"move_ids": [Command.set(other_bill.ids)], "reason": "trust me"}
            )
        with self.assertRaises(UserError):  # nor can anyone write who allowed it
            other_bill.with_user(clerk).write(
                {
                    "l10n_mx_einvoice_vendor_allowed_by": clerk.id,
                    "l10n_mx_einvoice_vendor_allowed_reason": "x",
                }
            )
        with self.assertRaisesRegex(UserError, "reason"):
            other_bill._l10n_mx_einvoice_vendor_allow_posting("   ")
        self.env["l10n_mx_einvoice.vendor.allow"].create(
            {
                "move_ids": [Command.set(other_bill.ids)],
                "reason": "Supplier invoiced our branch by mistake; credit note requested",
            }
        ).action_allow()
        self.assertEqual(other_bill.l10n_mx_einvoice_vendor_allowed_by, self.env.user)
        message = other_bill.message_ids[:1]
        self.assertEqual(message.author_id, self.env.user.partner_id)
        self.assertIn("credit note requested", message.body)
        self.assertIn("receiver RFC", message.body)
        other_bill.action_post()
        self.assertEqual(other_bill.state, "posted")
        with self.assertRaisesRegex(UserError, "cannot be trusted"):  # allowed one by one
            altered_bill.action_post()

    def test_cfdi_issued_by_the_company_itself_is_refused(self):
        # the company now has the supplier's RFC (a persona física: régimen 612)
        self.company.partner_id.write(
            {"vat": SUPPLIER_RFC, "l10n_mx_einvoice_regimen_fiscal": "612"}
        )
        wizard = self.run_import([("own.xml", self.services)], False)
        line = self.result(wizard, "own.xml")
        self.assertEqual((line.state, line.move_id), ("error", self.env["account.move"]))
        self.assertIn(f"issued by {self.company.name} itself (RFC {SUPPLIER_RFC})", line.message)
        self.assertFalse(self.bills())

    def test_real_production_sample_imports_with_its_real_seal(self):
        data = sample_bytes("I_real_production_stamped.xml")
        line = self.result(self.run_import([("real.xml", data)], False), "real.xml")
        bill = line.move_id
        self.assertTrue(bill, line.message)
        self.assertEqual(bill.partner_id.vat, "ISD950921HE5")
        self.assertTrue(bill.partner_id.is_company)
        self.assertTrue(bill.l10n_mx_einvoice_vendor_seal_ok)
        self.assertFalse(bill.l10n_mx_einvoice_vendor_receiver_ok)  # addressed to COSC8001137NA
        self.assertEqual(bill.l10n_mx_einvoice_vendor_uuid, "C2832671-DA6D-11EF-A83D-00155D012007")
        self.assertEqual(line.state, "warning")

    def test_supplier_cfdi_with_complements_the_engine_does_not_model_is_authentic(self):
        """Leyendas Fiscales, INE, Divisas: the seal is checked over SAT's whole cadena
        (SAT's XSLT tree); altering the complement is caught."""
        files = []
        for name in sorted(docs.OTHER_COMPLEMENTS):
            invoice = docs.with_complement(docs.supplier_invoice(), name)
            files.append(
                (f"{name}.xml", docs.stamped(self.connector, invoice, self.supplier_credential))
            )
        other = docs.with_complement(docs.supplier_invoice(), "leyendas_fiscales")
        leyendas = docs.stamped(self.connector, other, self.supplier_credential)
        altered = leyendas.replace(b"Obra protegida", b"Obra no protegida")
        self.assertNotEqual(altered, leyendas)
        wizard = self.run_import([*files, ("altered.xml", altered)], False)
        for name, _data in files:
            line = self.result(wizard, name)
            self.assertEqual(line.state, "imported", line.message)
            self.assertTrue(line.move_id.l10n_mx_einvoice_vendor_seal_ok, name)
            self.assertNotIn("seal", line.move_id.l10n_mx_einvoice_vendor_notes or "")
        altered_bill = self.result(wizard, "altered.xml").move_id
        self.assertFalse(altered_bill.l10n_mx_einvoice_vendor_seal_ok)

    # --- SAT status -------------------------------------------------------------------------

    def test_cancelled_supplier_cfdi_is_flagged_by_the_cron(self):
        # its own CFDI: the sandbox's state outlives the test transaction
        bill = self.result(self.run_import([("s.xml", self.services_cfdi())]), "s.xml").move_id
        self.assertEqual(bill.l10n_mx_einvoice_vendor_sat_state, "vigente")
        self.assertTrue(bill.l10n_mx_einvoice_vendor_sat_message.startswith("Sandbox (not SAT): "))
        result = self.connector.cancel(
            bill.l10n_mx_einvoice_vendor_uuid,
            "02",
            None,
            SUPPLIER_RFC,
            "EKU9003173C9",
            Decimal("2113.33"),
            self.supplier_credential,
        )
        self.assertEqual(result.outcome, "cancelled", result.message)
        self.env["account.move"]._cron_l10n_mx_einvoice_vendor_status()
        self.assertEqual(
            bill.l10n_mx_einvoice_vendor_sat_state, "vigente"
        )  # checked today: not due
        bill.sudo().l10n_mx_einvoice_vendor_sat_checked = fields.Datetime.now() - timedelta(days=8)
        self.env["account.move"]._cron_l10n_mx_einvoice_vendor_status()
        self.assertEqual(bill.l10n_mx_einvoice_vendor_sat_state, "cancelado")
        self.assertTrue(bill.l10n_mx_einvoice_vendor_cancelled)
        self.assertIn("CANCELLED", bill.message_ids[0].body)
        self.assertIn("the CFDI is CANCELLED at SAT", bill._l10n_mx_einvoice_vendor_problems())
        self.assertIn(
            bill,
            self.env["account.move"].search([("l10n_mx_einvoice_vendor_cancelled", "=", True)]),
        )

    def test_status_through_sat_soap_service_on_loopback(self):
        bill = self.result(self.run_import([("s.xml", self.services)], False), "s.xml").move_id
        with sat_status_server(self.connector.status) as server:
            self.env["ir.config_parameter"].sudo().set_param(
                "l10n_mx_einvoice.sat_status_url", server.url
            )
            bill.action_l10n_mx_einvoice_vendor_check_status()
            self.assertEqual(bill.l10n_mx_einvoice_vendor_sat_state, "vigente")
            self.assertIn("Vigente", bill.l10n_mx_einvoice_vendor_sat_message)
            self.assertNotIn("Sandbox", bill.l10n_mx_einvoice_vendor_sat_message)
            self.assertIn(f"id={bill.l10n_mx_einvoice_vendor_uuid}", server.expressions[-1])
            self.assertIn(f"re={SUPPLIER_RFC}", server.expressions[-1])
            self.assertIn("tt=2113.33", server.expressions[-1])
            port = server.server_address[1]
        # the service is gone: the bill keeps its state and says why it was not checked
        self.env["ir.config_parameter"].sudo().set_param(
            "l10n_mx_einvoice.sat_status_url", f"http://127.0.0.1:{port}/ConsultaCFDIService.svc"
        )
        checked = bill.l10n_mx_einvoice_vendor_sat_checked
        bill.action_l10n_mx_einvoice_vendor_check_status()
        self.assertEqual(bill.l10n_mx_einvoice_vendor_sat_state, "vigente")
        self.assertEqual(bill.l10n_mx_einvoice_vendor_sat_checked, checked)
        self.assertTrue(bill.l10n_mx_einvoice_vendor_sat_message)

    # --- mail alias and dashboard upload ----------------------------------------------------

    def mail_with(self, attachments):
        parts = "".join(
            "--BOUNDARY\nContent-Type: application/xml\nContent-Transfer-Encoding: base64\n"
            f'Content-Disposition: attachment; filename="{name}"\n\n'
            f"{base64.b64encode(data).decode()}\n"
            for name, data in attachments
        )
        message_id = hashlib.md5(b"".join(data for _name, data in attachments)).hexdigest()
        to = self.journal.alias_id.display_name or "bills@example.com"
        return (
            "MIME-Version: 1.0\nDate: Mon, 23 Nov 2026 10:00:00 -0600\n"
            f"Message-ID: <cfdi-test-{message_id}@example.com>\nSubject: Factura\n"
            f"From: Proveedor <facturas@proveedor.example>\nTo: {to}\n"
            'Content-Type: multipart/mixed; boundary="BOUNDARY"\n\n'
            f"--BOUNDARY\nContent-Type: text/plain; charset=UTF-8\n\nSu factura.\n{parts}--BOUNDARY--\n"
        )

    def test_mail_alias_creates_the_bill_from_the_xml(self):
        values = {
            "move_type": "in_invoice",
            "journal_id": self.journal.id,
            "company_id": self.company.id,
        }
        move_id = self.env["mail.thread"].message_process(
            "account.move", self.mail_with([("factura.xml", self.services)]), custom_values=values
        )
        bill = self.env["account.move"].browse(move_id)
        self.assertTrue(bill.l10n_mx_einvoice_vendor_uuid)
        self.assertEqual(bill.partner_id.vat, SUPPLIER_RFC)
        self.assertAlmostEqual(bill.amount_total, 2113.33)
        self.assertEqual(bill.l10n_mx_einvoice_vendor_attachment_id.name, "factura.xml")
        self.assertTrue(bill.l10n_mx_einvoice_vendor_totals_ok)
        # the same CFDI mailed again: a bill without lines saying why
        again = self.env["account.move"].browse(
            self.env["mail.thread"].message_process(
                "account.move",
                self.mail_with([("otra-vez.xml", self.services)]).replace(
                    "cfdi-test-", "cfdi-test-again-"
                ),
                custom_values=values,
            )
        )
        self.assertFalse(again.l10n_mx_einvoice_vendor_uuid)
        self.assertFalse(again.invoice_line_ids)
        self.assertTrue(any("already imported" in (m.body or "") for m in again.message_ids))

    def test_mail_alias_ignores_hostile_xml(self):
        values = {
            "move_type": "in_invoice",
            "journal_id": self.journal.id,
            "company_id": self.company.id,
        }
        move_id = self.env["mail.thread"].message_process(
            "account.move", self.mail_with([("x.xml", XXE)]), custom_values=values
        )
        bill = self.env["account.move"].browse(move_id)
        self.assertFalse(bill.l10n_mx_einvoice_vendor_uuid)
        self.assertFalse(bill.invoice_line_ids)
        refusal = [m.body for m in bill.message_ids if "x.xml was not imported" in (m.body or "")]
        self.assertEqual(len(refusal), 1)
        self.assertIn("DOCTYPE", refusal[0])

    def test_dashboard_upload_uses_the_same_import(self):
        attachment = self.env["ir.attachment"].create(
            {"name": "subida.xml", "raw": self.services, "mimetype": "application/xml"}
        )
        bill = self.journal.with_context(
            default_move_type="in_invoice"
        )._create_document_from_attachment(attachment.ids)
        self.assertEqual(bill.l10n_mx_einvoice_vendor_attachment_id, attachment)
        self.assertAlmostEqual(bill.amount_total, 2113.33)
        self.assertEqual(len(bill.invoice_line_ids), 2)

    # --- the XML is kept ---------------------------------------------------------------------

    def test_supplier_xml_is_hashed_and_cannot_be_deleted_or_replaced(self):
        bill = self.result(self.run_import([("s.xml", self.services)], False), "s.xml").move_id
        attachment = bill.l10n_mx_einvoice_vendor_attachment_id
        self.assertEqual(
            attachment.l10n_mx_einvoice_sha256, hashlib.sha256(self.services).hexdigest()
        )
        self.assertEqual(attachment._l10n_mx_einvoice_integrity(), "ok")
        with self.assertRaises(UserError):
            attachment.unlink()
        with self.assertRaises(UserError):
            attachment.write({"raw": b"<otro/>"})
        with self.assertRaises(UserError):
            attachment.with_user(self.env.user).write({"l10n_mx_einvoice_sha256": "0" * 64})
        with self.assertRaises(UserError):
            bill.unlink()
        self.assertTrue(attachment.exists())
        plain = self.env["ir.attachment"].create({"name": "n.txt", "raw": b"hello"})
        self.assertFalse(plain.l10n_mx_einvoice_sha256)
        plain.unlink()
