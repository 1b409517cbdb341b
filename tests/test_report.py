import base64
import io
import re

from odoo.addons.l10n_mx_einvoice.cfdi import catalogs, tfd
from odoo.addons.l10n_mx_einvoice.cfdi import xml as cfdi_xml
from odoo.addons.l10n_mx_einvoice.models.l10n_mx_einvoice_printing import amount_in_words
from odoo.tests import Form, tagged
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

    def rendered_text(self, move):
        html, _kind = self.env["ir.actions.report"]._render_qweb_html(
            "account.account_invoices", move.ids
        )
        return " ".join(re.sub(r"<[^>]+>", " ", html.decode()).split())

    def test_pdf_prints_catalog_descriptions_line_codes_and_the_issuer(self):
        values = self.move._l10n_mx_einvoice_pdf_values()
        self.assertEqual(values["uso_cfdi"], "G03 — Gastos en general")
        self.assertEqual(values["emisor_regimen"], "601 — General de Ley Personas Morales")
        self.assertEqual(values["receptor_regimen"], "601 — General de Ley Personas Morales")
        forma = self.move.l10n_mx_einvoice_forma_pago
        self.assertEqual(
            values["forma_pago"], f"{forma} — {catalogs.description('c_FormaPago', forma)}"
        )
        self.assertEqual(values["metodo_pago"], "PUE — Pago en una sola exhibición")
        text = self.rendered_text(self.move)
        self.assertIn("ClaveProdServ 43211507 · ClaveUnidad H87", text)
        self.assertIn(
            "ESCUELA KEMPER URGATE · RFC EKU9003173C9 Régimen fiscal 601 — General de Ley "
            "Personas Morales · Lugar de expedición 42501",
            text,
        )
        self.assertIn("Uso CFDI G03 — Gastos en general", text)

    def test_a_mexican_customer_reads_spanish_with_amounts_as_mexico_writes_them(self):
        self.env["res.lang"]._activate_lang("es_MX")
        self.env["ir.module.module"]._load_module_terms(
            ["account", "l10n_mx_einvoice"], ["es_MX"], overwrite=True
        )
        mexico = self.env.ref("base.mx")
        partner = self.env["res.partner"].create({"name": "Cliente nuevo", "country_id": mexico.id})
        self.assertEqual(partner.lang, "es_MX")
        form = Form(self.env["res.partner"])
        form.name = "Cliente capturado"
        form.country_id = mexico
        self.assertEqual(form.lang, "es_MX")
        abroad = self.env["res.partner"].create(
            {"name": "Customer", "country_id": self.env.ref("base.us").id}
        )
        self.assertEqual(abroad.lang, "en_US")

        self.move.partner_id.lang = "es_MX"
        text = self.rendered_text(self.move)
        self.assertIn("Fecha de factura", text)
        self.assertNotIn("Invoice Date", text)
        self.assertIn("1,234.55", text)  # es_419 would print 1.234,55
        self.assertNotIn("1.234,55", text)
