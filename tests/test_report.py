import base64
import io

from odoo.addons.l10n_mx_einvoice.cfdi import tfd
from odoo.addons.l10n_mx_einvoice.cfdi import xml as cfdi_xml
from odoo.addons.l10n_mx_einvoice.models.l10n_mx_einvoice_printing import amount_in_words
from odoo.tests import tagged
from odoo.tools.pdf import PdfFileReader

from .common import FlowFixtures, L10nMxEinvoiceCommon


@tagged("post_install", "-at_install")
class TestReport(FlowFixtures, L10nMxEinvoiceCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.setup_flow()
        cls.move = cls.make_invoice([{"price_unit": 1064.27}])  # total 1234.55 with IVA 16 %
        cls.move.action_l10n_mx_einvoice_stamp()

    def test_amount_in_words(self):
        self.assertEqual(
            amount_in_words("1234.56", "MXN"), "(MIL DOSCIENTOS TREINTA Y CUATRO PESOS 56/100 M.N.)"
        )
        self.assertEqual(amount_in_words("1.00", "MXN"), "(UN PESO 00/100 M.N.)")
        self.assertEqual(
            amount_in_words("2000000.05", "MXN"), "(DOS MILLONES DE PESOS 05/100 M.N.)"
        )
        self.assertEqual(amount_in_words("116.00", "USD"), "(CIENTO DIECISÉIS DÓLARES 00/100 USD)")

    def test_pdf_values_come_from_the_stamped_xml(self):
        values = self.move._l10n_mx_einvoice_pdf_values()
        comprobante = cfdi_xml.from_bytes(self.move.l10n_mx_einvoice_attachment_id.raw)
        timbre = comprobante.complemento.timbre
        self.assertEqual(values["uuid"], self.move.l10n_mx_einvoice_uuid)
        self.assertEqual(values["no_certificado"], self.certificate.no_certificado)
        self.assertEqual(values["no_certificado_sat"], timbre.no_certificado_sat)
        self.assertEqual(values["sello_sat"], timbre.sello_sat)
        self.assertTrue(values["cadena_tfd"].startswith("||1.1|" + timbre.uuid + "|"))
        self.assertEqual(values["url"], tfd.verification_url_of(comprobante))
        self.assertTrue(values["url"].endswith("&fe=" + comprobante.sello[-8:]))
        self.assertEqual(
            values["total_words"], "(MIL DOSCIENTOS TREINTA Y CUATRO PESOS 55/100 M.N.)"
        )
        png = base64.b64decode(values["qr_src"].split(",", 1)[1])
        self.assertEqual(png[:8], b"\x89PNG\r\n\x1a\n")

    def test_invoice_html_shows_the_cfdi_block(self):
        html, _kind = self.env["ir.actions.report"]._render_qweb_html(
            "account.account_invoices", self.move.ids
        )
        html = html.decode()
        values = self.move._l10n_mx_einvoice_pdf_values()
        for text in (
            values["uuid"],
            values["no_certificado"],
            values["no_certificado_sat"],
            values["sello"],
            values["sello_sat"],
            values["total_words"],
            values["qr_src"][:60],
            "Cadena original del complemento de certificación digital del SAT",
        ):
            self.assertIn(text, html)
        self.assertIn(values["cadena_tfd"].replace("&", "&amp;")[:40], html)

    def test_unstamped_invoice_has_no_cfdi_block(self):
        draft = self.make_invoice(post=False)
        html, _kind = self.env["ir.actions.report"]._render_qweb_html(
            "account.account_invoices", draft.ids
        )
        self.assertNotIn("l10n_mx_einvoice_cfdi", html.decode())

    def test_pdf_renders_with_wkhtmltopdf(self):
        # wkhtmltopdf would fetch the styles from this very server, whose request threads wait
        # for the registry the test run holds: point it to a closed port (unstyled, no wait)
        self.env["ir.config_parameter"].sudo().set_param("report.url", "http://127.0.0.1:9")
        pdf, kind = (
            self.env["ir.actions.report"]
            .with_context(force_report_rendering=True)
            ._render_qweb_pdf("account.account_invoices", self.move.ids)
        )
        self.assertEqual(kind, "pdf")
        self.assertTrue(pdf.startswith(b"%PDF"))
        # read the text back from the PDF itself (PyPDF2 ships with Odoo)
        reader = PdfFileReader(io.BytesIO(pdf))
        text = "".join(page.extract_text() for page in reader.pages)
        self.assertIn(self.move.l10n_mx_einvoice_uuid, text.replace("\n", ""))
