from decimal import Decimal

from odoo import Command
from odoo.exceptions import UserError, ValidationError
from odoo.tests import Form, tagged

from .common import L10nMxEinvoiceCommon


@tagged("post_install", "-at_install")
class TestFiscalData(L10nMxEinvoiceCommon):
    def _tax(self, xmlid):
        return self.env["account.chart.template"].with_company(self.company).ref(xmlid)

    def test_sat_catalogs_are_loaded_as_records(self):
        codes = self.env["l10n_mx_einvoice.sat.code"]
        self.assertGreater(codes.search_count([("applies_to", "=", "product")]), 52000)
        self.assertGreater(codes.search_count([("applies_to", "=", "uom")]), 2000)
        self.assertEqual(self.sat_code("84111506").name, "Servicios de facturación")
        self.assertEqual(self.sat_code("H87", "uom").display_name, "H87 Pieza")
        postal = self.env["l10n_mx_einvoice.postal.code"].search([("code", "=", "42501")])
        self.assertEqual(postal.state_code, "HID")
        self.assertEqual(postal._state(), self.env.ref("base.state_mx_hgo"))
        found = self.env["l10n_mx_einvoice.sat.code"].name_search("facturación", limit=50)
        self.assertIn("84111506 Servicios de facturación", [name for _id, name in found])

    def test_reloading_the_catalogs_is_idempotent(self):
        codes = self.env["l10n_mx_einvoice.sat.code"]
        before = codes.search_count([])
        codes._l10n_mx_einvoice_load_catalogs()
        self.assertEqual(codes.search_count([]), before)

    def test_company_and_customer_fiscal_data(self):
        self.assertEqual(self.company.l10n_mx_einvoice_regimen_fiscal, "601")
        self.assertEqual(self.company.partner_id.l10n_mx_einvoice_regimen_fiscal, "601")
        self.assertEqual(self.customer._l10n_mx_einvoice_rfc(), "XIA190128J61")
        self.assertEqual(self.customer.l10n_mx_einvoice_uso_cfdi, "G03")
        selection = dict(
            self.env["res.partner"]
            ._fields["l10n_mx_einvoice_regimen_fiscal"]
            ._description_selection(self.env)
        )
        self.assertEqual(selection["601"], "601 - General de Ley Personas Morales")

    def test_rfc_shape_is_validated_for_mexican_partners(self):
        mx = self.env.ref("base.mx")
        Partner = self.env["res.partner"]
        for bad in ("ABC123", "EKU9003173C", "1KU9003173C9", "EKU90031A3C9"):
            with self.subTest(rfc=bad), self.assertRaises(ValidationError) as caught:
                Partner.create({"name": "Mal RFC", "country_id": mx.id, "vat": bad})
            self.assertIn(bad, str(caught.exception))
        for good in (
            "XAXX010101000",
            "XEXX010101000",
            "CACX7605101P8",
            "EKU9003173C9",
            "eku-900317-3c9",
        ):
            Partner.create({"name": "Buen RFC", "country_id": mx.id, "vat": good})
        foreign = Partner.create(
            {"name": "Foreign", "country_id": self.env.ref("base.us").id, "vat": "123456789"}
        )
        self.assertEqual(foreign._l10n_mx_einvoice_rfc(), "XEXX010101000")

    def test_postal_code_is_validated_and_fills_the_state(self):
        with self.assertRaises(ValidationError):
            self.env["res.partner"].create(
                {"name": "CP", "country_id": self.env.ref("base.mx").id, "zip": "00100"}
            )
        form = Form(self.env["res.partner"])
        form.name = "Cliente de Querétaro"
        form.country_id = self.env.ref("base.mx")
        form.zip = "76343"
        self.assertEqual(form.state_id, self.env.ref("base.state_mx_qro"))

    def test_product_and_unit_codes(self):
        self.assertEqual(self.product_a._l10n_mx_einvoice_clave_prod_serv(), "43211507")
        self.assertEqual(self.unit._l10n_mx_einvoice_clave_unidad(), "H87")
        self.assertEqual(
            self.env.ref("uom.product_uom_hour")._l10n_mx_einvoice_clave_unidad(), "HUR"
        )
        self.assertEqual(
            self.env.ref("uom.product_uom_kgm")._l10n_mx_einvoice_clave_unidad(), "KGM"
        )
        no_code = self.env["product.product"].create({"name": "Sin clave"})
        self.assertFalse(no_code._l10n_mx_einvoice_clave_prod_serv())
        with self.assertRaises(ValidationError):
            self.package_template = self.env["product.template"].create(
                {"name": "Negativo", "l10n_mx_einvoice_stamp_credits": -1}
            )

    def test_product_form_shows_and_edits_the_sat_unit_code_services_default_to_e48(self):
        form = Form(self.env["product.template"])
        form.name = "Consultoría"
        form.type = "service"
        self.assertEqual(form.l10n_mx_einvoice_clave_unidad_id.code, "E48")
        form.type = "consu"
        self.assertEqual(form.l10n_mx_einvoice_clave_unidad_id.code, "H87")  # Units' code
        form.l10n_mx_einvoice_clave_unidad_id = self.sat_code("XBX", "uom")
        product = form.save().product_variant_id
        self.assertEqual(product._l10n_mx_einvoice_clave_unidad(self.unit), "XBX")
        self.assertEqual(
            self.unit._l10n_mx_einvoice_clave_unidad(), "H87"
        )  # the unit keeps its own
        dozen = self.env.ref("uom.product_uom_dozen")
        self.assertEqual(product._l10n_mx_einvoice_clave_unidad(dozen), "DPC")

    def test_missing_sat_codes_point_to_the_product_form_tab(self):
        product = self.env["product.product"].create({"name": "Sin clave", "type": "service"})
        bare_unit = self.env["uom.uom"].create(
            {
                "name": "Bulto sin clave",
                "category_id": self.unit.category_id.id,
                "uom_type": "bigger",
                "factor_inv": 3.0,
            }
        )
        move = self.env["account.move"].create(
            {
                "move_type": "out_invoice",
                "partner_id": self.customer.id,
                "invoice_line_ids": [
                    Command.create({"product_id": product.id, "price_unit": 100.0}),
                    Command.create(
                        {"product_id": self.product_a.id, "product_uom_id": bare_unit.id}
                    ),
                ],
            }
        )
        builder = self.env["l10n_mx_einvoice.builder.invoice"]
        no_code, other_unit = move.invoice_line_ids
        [problem] = builder._line_problems(no_code)  # E48, its service unit code: no problem
        self.assertIn(
            "ClaveProdServ): set it on the product form, General Information tab", problem
        )
        [problem] = builder._line_problems(other_unit)
        self.assertIn("in Bulto sin clave has no SAT unit code", problem)
        self.assertIn("General Information tab, field SAT unit code", problem)

    def test_tax_values_from_l10n_mx_taxes(self):
        def values(xmlid):
            return self._tax(xmlid)._l10n_mx_einvoice_tax_values()

        self.assertEqual(self.tax_iva16, self._tax("tax12"))
        self.assertEqual(
            values("tax12"),
            {
                "impuesto": "002",
                "tipo_factor": "Tasa",
                "tasa_o_cuota": Decimal("0.160000"),
                "retention": False,
            },
        )
        self.assertEqual(values("tax17")["tasa_o_cuota"], Decimal("0.080000"))
        self.assertEqual(values("tax9")["tasa_o_cuota"], Decimal("0.000000"))
        exento = values("tax19")
        self.assertEqual(
            (exento["impuesto"], exento["tipo_factor"], exento["tasa_o_cuota"]),
            ("002", "Exento", None),
        )
        self.assertEqual(values("ieps_8_sale")["impuesto"], "003")
        retention = values("tax1")
        self.assertEqual(
            (retention["impuesto"], retention["tasa_o_cuota"], retention["retention"]),
            ("002", Decimal("0.040000"), True),
        )
        isr = values("tax3")
        self.assertEqual(
            (isr["impuesto"], isr["tasa_o_cuota"], isr["retention"]),
            ("001", Decimal("0.100000"), True),
        )
        local = self._tax("tax12").copy({"name": "Local 2%", "amount": 2.0})
        local.l10n_mx_tax_type = "local"
        with self.assertRaises(UserError) as caught:
            local._l10n_mx_einvoice_tax_values()
        self.assertIn("Local 2%", str(caught.exception))

    def test_objeto_imp_derived_and_overridable(self):
        Tax = self.env["account.tax"]
        self.assertEqual(Tax._l10n_mx_einvoice_objeto_imp(), "01")
        self.assertEqual(self.tax_iva16._l10n_mx_einvoice_objeto_imp(), "02")
        self.tax_iva16.l10n_mx_einvoice_objeto_imp = "03"
        self.assertEqual(self.tax_iva16._l10n_mx_einvoice_objeto_imp(), "03")

    def test_payment_term_gives_metodo_pago(self):
        self.assertEqual(
            self.env.ref("account.account_payment_term_immediate")._l10n_mx_einvoice_metodo_pago(),
            "PUE",
        )
        self.assertEqual(
            self.env.ref("account.account_payment_term_30days")._l10n_mx_einvoice_metodo_pago(),
            "PPD",
        )
        self.assertEqual(self.pay_terms_b._l10n_mx_einvoice_metodo_pago(), "PPD")
        term = self.env["account.payment.term"].create(
            {
                "name": "Contado 30 días",
                "l10n_mx_einvoice_metodo_pago": "PUE",
                "line_ids": [
                    Command.create({"value": "percent", "value_amount": 100, "nb_days": 30})
                ],
            }
        )
        self.assertEqual(term._l10n_mx_einvoice_metodo_pago(), "PUE")

    def test_forma_pago_on_journal_and_payment_method(self):
        bank = self.company_data["default_journal_bank"]
        bank.l10n_mx_einvoice_forma_pago = "03"
        line = bank.inbound_payment_method_line_ids[:1]
        line.l10n_mx_einvoice_forma_pago = "04"
        self.assertEqual(
            (bank.l10n_mx_einvoice_forma_pago, line.l10n_mx_einvoice_forma_pago), ("03", "04")
        )

    def test_settings_page_writes_the_company(self):
        settings = self.env["res.config.settings"].create(
            {
                "l10n_mx_einvoice_regimen_fiscal": "626",
                "l10n_mx_einvoice_stamp_on_post": True,
            }
        )
        settings.execute()
        self.assertEqual(self.company.l10n_mx_einvoice_regimen_fiscal, "626")
        self.assertTrue(self.company.l10n_mx_einvoice_stamp_on_post)
        self.assertEqual(settings.l10n_mx_einvoice_balance, 100)
        self.assertEqual(settings.l10n_mx_einvoice_certificate_count, 1)

    def test_regimen_and_uso_cfdi_must_fit_the_partner(self):
        mx = self.env.ref("base.mx")
        Partner = self.env["res.partner"]
        with self.assertRaises(ValidationError) as caught:  # 612 is for personas físicas
            Partner.create(
                {
                    "name": "Moral",
                    "country_id": mx.id,
                    "vat": "XIA190128J61",
                    "l10n_mx_einvoice_regimen_fiscal": "612",
                }
            )
        self.assertIn("612", str(caught.exception))
        with self.assertRaises(ValidationError):  # G03 is not allowed with régimen 616
            Partner.create(
                {
                    "name": "Física",
                    "country_id": mx.id,
                    "vat": "CACX7605101P8",
                    "l10n_mx_einvoice_regimen_fiscal": "616",
                    "l10n_mx_einvoice_uso_cfdi": "G03",
                }
            )
        Partner.create(
            {
                "name": "Física",
                "country_id": mx.id,
                "vat": "CACX7605101P8",
                "l10n_mx_einvoice_regimen_fiscal": "616",
                "l10n_mx_einvoice_uso_cfdi": "S01",
            }
        )
        Partner.create(
            {
                "name": "Público en general",
                "country_id": mx.id,
                "vat": "XAXX010101000",
                "l10n_mx_einvoice_regimen_fiscal": "616",
                "l10n_mx_einvoice_uso_cfdi": "S01",
            }
        )
