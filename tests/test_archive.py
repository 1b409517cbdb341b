import base64
import csv
import hashlib
import io
import os
import zipfile
from datetime import timedelta

from odoo import fields
from odoo.tests import tagged

from .common import SUPPLIER_RFC, FlowFixtures, L10nMxEinvoiceCommon, VendorFixtures


@tagged("post_install", "-at_install")
class TestArchive(VendorFixtures, FlowFixtures, L10nMxEinvoiceCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.setup_flow()
        cls.setup_vendor()
        cls.invoice = cls.make_invoice([{"price_unit": 1000.0}])
        cls.invoice.action_l10n_mx_einvoice_stamp()
        assert cls.invoice.l10n_mx_einvoice_state == "stamped", cls.invoice.l10n_mx_einvoice_message
        cls.supplier_xml = cls.services_cfdi()

    def setUp(self):
        super().setUp()
        wizard = self.run_import([("s.xml", self.supplier_xml)], check_sat_status=False)
        self.bill = wizard.move_ids
        self.bill.sudo().l10n_mx_einvoice_vendor_sat_state = "vigente"

    def build(self, **values):
        today = fields.Date.today()
        wizard = self.env["l10n_mx_einvoice.archive"].create(
            {
                "company_id": self.company.id,
                "date_from": today - timedelta(days=1),
                "date_to": today + timedelta(days=1),
                **values,
            }
        )
        wizard.action_build()
        archive = zipfile.ZipFile(io.BytesIO(base64.b64decode(wizard.zip_file)))
        self.assertIsNone(archive.testzip())
        rows = list(csv.DictReader(io.StringIO(archive.read("index.csv").decode("utf-8"))))
        return wizard, archive, rows

    def test_zip_holds_issued_and_received_xml_and_the_index_matches_the_records(self):
        wizard, archive, rows = self.build()
        self.assertEqual((wizard.issued_count, wizard.received_count), (1, 1))
        by_type = {row["type"]: row for row in rows}
        self.assertEqual(len(rows), 2)
        issued, received = by_type["issued"], by_type["received"]
        invoice_xml = self.invoice.l10n_mx_einvoice_attachment_id
        self.assertEqual(
            issued,
            {
                "uuid": self.invoice.l10n_mx_einvoice_uuid,
                "type": "issued",
                "tipo_comprobante": "I",
                "issuer_rfc": "EKU9003173C9",
                "receiver_rfc": "XIA190128J61",
                "date": issued["date"],
                "total": "1160.00",
                "currency": "MXN",
                "sat_status": "Vigente",
                "file": f"issued/{invoice_xml.name}",
                "sha256": hashlib.sha256(invoice_xml.raw).hexdigest(),
                "integrity": "ok",
            },
        )
        self.assertTrue(issued["date"].startswith(str(self.invoice.invoice_date.year)))
        self.assertEqual(archive.read(issued["file"]), invoice_xml.raw)
        bill_xml = self.bill.l10n_mx_einvoice_vendor_attachment_id
        self.assertEqual(
            received,
            {
                "uuid": self.bill.l10n_mx_einvoice_vendor_uuid,
                "type": "received",
                "tipo_comprobante": "I",
                "issuer_rfc": SUPPLIER_RFC,
                "receiver_rfc": "EKU9003173C9",
                "date": self.bill.l10n_mx_einvoice_vendor_fecha,
                "total": "2113.33",
                "currency": "MXN",
                "sat_status": "Vigente",
                "file": f"received/{bill_xml.name}",
                "sha256": hashlib.sha256(self.supplier_xml).hexdigest(),
                "integrity": "ok",
            },
        )
        self.assertEqual(archive.read(received["file"]), self.supplier_xml)
        self.assertNotIn("INTEGRITY_REPORT.txt", archive.namelist())
        self.assertEqual(wizard.integrity_report, "Every file matches its stored SHA-256.")
        self.assertTrue(wizard.zip_filename.startswith("CFDI-EKU9003173C9-"))

    def test_issued_xml_is_hashed_when_created(self):
        attachment = self.invoice.l10n_mx_einvoice_attachment_id
        self.assertEqual(
            attachment.l10n_mx_einvoice_sha256, hashlib.sha256(attachment.raw).hexdigest()
        )

    def tamper(self, attachment, data):
        """Swap the stored bytes behind Odoo's back (another file on disk, or the database
        column), as an intruder would; the original file stays for other attachments."""
        if attachment.store_fname:
            fname = attachment._file_write(data, attachment._compute_checksum(data))
            self.env.cr.execute(
                "UPDATE ir_attachment SET store_fname = %s WHERE id = %s", [fname, attachment.id]
            )
        else:
            self.env.cr.execute(
                "UPDATE ir_attachment SET db_datas = %s WHERE id = %s", [data, attachment.id]
            )
        attachment.invalidate_recordset(["raw", "datas", "store_fname"])

    def test_a_file_changed_outside_odoo_is_reported(self):
        attachment = self.bill.l10n_mx_einvoice_vendor_attachment_id
        self.tamper(attachment, self.supplier_xml.replace(b"Papel bond carta", b"Papel bond falso"))
        self.assertEqual(attachment._l10n_mx_einvoice_integrity(), "mismatch")
        wizard, archive, rows = self.build()
        [row] = [row for row in rows if row["type"] == "received"]
        self.assertEqual(row["integrity"], "mismatch")
        report = archive.read("INTEGRITY_REPORT.txt").decode()
        self.assertIn(attachment.name, report)
        self.assertIn(self.bill.l10n_mx_einvoice_vendor_uuid, wizard.integrity_report)
        self.assertIn("no longer matches", wizard.integrity_report)
        [issued] = [row for row in rows if row["type"] == "issued"]
        self.assertEqual(issued["integrity"], "ok")

    def test_date_range_and_sat_status_and_pdfs(self):
        wizard = self.env["l10n_mx_einvoice.archive"].create(
            {"company_id": self.company.id, "date_from": "2020-01-01", "date_to": "2020-12-31"}
        )
        wizard.action_build()
        archive = zipfile.ZipFile(io.BytesIO(base64.b64decode(wizard.zip_file)))
        self.assertEqual(archive.namelist(), ["index.csv"])
        self.assertEqual(
            archive.read("index.csv").decode().strip(),
            ",".join(
                [
                    "uuid",
                    "type",
                    "tipo_comprobante",
                    "issuer_rfc",
                    "receiver_rfc",
                    "date",
                    "total",
                    "currency",
                    "sat_status",
                    "file",
                    "sha256",
                    "integrity",
                ]
            ),
        )

        self.bill.sudo().l10n_mx_einvoice_vendor_sat_state = "cancelado"
        pdf = self.env["ir.attachment"].create(
            {
                "name": "factura.pdf",
                "raw": b"%PDF-1.4 proveedor",
                "mimetype": "application/pdf",
                "res_model": "account.move",
                "res_id": self.bill.id,
            }
        )
        _wizard, archive, rows = self.build(include_pdf=True)
        [received] = [row for row in rows if row["type"] == "received"]
        self.assertEqual(received["sat_status"], "Cancelado")
        bill_stem = self.bill.l10n_mx_einvoice_vendor_attachment_id.name.removesuffix(".xml")
        self.assertEqual(archive.read(f"received/pdf/{bill_stem}.pdf"), b"%PDF-1.4 proveedor")
        self.assertNotIn(str(pdf.id), " ".join(archive.namelist()))
        _wizard, archive, _rows = self.build(include_pdf=False)
        self.assertFalse([name for name in archive.namelist() if name.endswith(".pdf")])

    def test_archive_names_are_unique_per_file(self):
        _wizard, archive, rows = self.build()
        names = archive.namelist()
        self.assertEqual(len(names), len(set(names)))
        self.assertEqual(
            sorted(row["file"] for row in rows), sorted(n for n in names if n != "index.csv")
        )
        self.assertTrue(all(os.path.basename(row["file"]).endswith(".xml") for row in rows))

    def test_pdf_of_every_issued_cfdi_with_its_xml_name(self):
        # the PDF Odoo kept was detached (invoice reset, sent again): never the archive's
        self.env["ir.attachment"].create(
            {
                "name": "INV_2026_00001 (detached by Administrator on 2026-12-01).pdf",
                "raw": b"%PDF-1.4 old",
                "mimetype": "application/pdf",
                "res_model": "account.move",
                "res_id": self.invoice.id,
            }
        )
        _wizard, archive, _rows = self.build(include_pdf=True)
        stem = self.invoice.l10n_mx_einvoice_attachment_id.name.removesuffix(".xml")
        printed = archive.read(f"issued/pdf/{stem}.pdf")
        # tests render the report's HTML (Odoo skips wkhtmltopdf under --test-enable)
        self.assertIn(self.invoice.l10n_mx_einvoice_uuid.encode(), printed)
        self.assertFalse([name for name in archive.namelist() if "detached" in name])

    def test_cancellation_acknowledgment_is_archived_beside_the_cfdi(self):
        invoice = self.make_invoice([{"price_unit": 300.0}])
        invoice.action_l10n_mx_einvoice_stamp()
        uuid = invoice.l10n_mx_einvoice_uuid
        request = invoice._l10n_mx_einvoice_request_cancel("02")
        self.assertTrue(request.attachment_id, request.message)
        _wizard, archive, rows = self.build()
        [row] = [row for row in rows if row["type"] == "cancellation"]
        self.assertEqual(row["uuid"], uuid)
        self.assertEqual(row["sat_status"], "Cancelado")
        self.assertEqual(row["file"], f"issued/cancellations/{request.attachment_id.name}")
        self.assertEqual(archive.read(row["file"]), request.attachment_id.raw)
        self.assertEqual(row["integrity"], "unknown")  # SAT's acuse is not a stamped CFDI
        self.assertNotIn("INTEGRITY_REPORT.txt", archive.namelist())
