"""Shared base of the addon's Odoo tests: a Mexican company ready to stamp.

ESCUELA KEMPER URGATE (RFC EKU9003173C9, SAT's public test taxpayer) with the
l10n_mx chart, postal code 42501, régimen 601, SAT's test CSD loaded, a
sandbox stamp account with credits, the customer XENON INDUSTRIAL ARTICLES
(XIA190128J61, 76343, 601, uso G03), products with ClaveProdServ and units with
ClaveUnidad, and IVA 16 % as default sale tax.
"""

import base64
from pathlib import Path

from odoo import Command
from odoo.addons.account.tests.common import AccountTestInvoicingCommon

FIXTURES = Path(__file__).resolve().parent.parent / "cfdi" / "tests" / "fixtures"
CSD_PASSWORD = "12345678a"


def fixture_bytes(relative_path):
    return (FIXTURES / relative_path).read_bytes()


def fixture_b64(relative_path):
    return base64.b64encode(fixture_bytes(relative_path))


class L10nMxEinvoiceCommon(AccountTestInvoicingCommon):
    @classmethod
    def get_default_groups(cls):
        return super().get_default_groups() | cls.env.ref(
            "l10n_mx_einvoice.group_l10n_mx_einvoice_manager"
        )

    @classmethod
    def setup_independent_company(cls, **kwargs):
        values = {
            "name": "ESCUELA KEMPER URGATE",
            "vat": "EKU9003173C9",
            "zip": "42501",
            "l10n_mx_einvoice_regimen_fiscal": "601",
            **kwargs,
        }
        return cls._create_company(**values)

    @classmethod
    @AccountTestInvoicingCommon.setup_country("mx")
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.company_data["company"]
        cls.mxn = cls.env.ref("base.MXN")
        cls.sat_codes = cls.env["l10n_mx_einvoice.sat.code"]

        cls.certificate = cls.env["l10n_mx_einvoice.certificate"].create(
            {
                "company_id": cls.company.id,
                "cer_file": fixture_b64("csd/EKU9003173C9.cer"),
                "cer_filename": "EKU9003173C9.cer",
                "key_file": fixture_b64("csd/EKU9003173C9.key"),
                "key_filename": "EKU9003173C9.key",
                "password": CSD_PASSWORD,
            }
        )

        cls.stamp_account = cls.env["l10n_mx_einvoice.stamp.account"].create(
            {
                "name": "Sandbox",
                "company_id": cls.company.id,
                "provider": "sandbox",
                "environment": "test",
            }
        )
        cls.env["l10n_mx_einvoice.credit.move"].create(
            {
                "account_id": cls.stamp_account.id,
                "kind": "adjustment",
                "quantity": 100,
                "reason": "Test credits",
            }
        )
        cls.company.l10n_mx_einvoice_stamp_account_id = cls.stamp_account

        cls.customer = cls.env["res.partner"].create(
            {
                "name": "XENON INDUSTRIAL ARTICLES",
                "is_company": True,
                "country_id": cls.env.ref("base.mx").id,
                "vat": "XIA190128J61",
                "zip": "76343",
                "l10n_mx_einvoice_regimen_fiscal": "601",
                "l10n_mx_einvoice_uso_cfdi": "G03",
            }
        )

        cls.tax_iva16 = cls.company_data["default_tax_sale"]
        cls.unit = cls.env.ref("uom.product_uom_unit")  # ClaveUnidad H87 (set on install)
        cls.product_a.product_tmpl_id.l10n_mx_einvoice_clave_prod_serv_id = cls.sat_code("43211507")
        cls.product_b.product_tmpl_id.l10n_mx_einvoice_clave_prod_serv_id = cls.sat_code("84111506")
        (cls.product_a | cls.product_b).write(
            {
                "uom_id": cls.unit.id,
                "uom_po_id": cls.unit.id,
                "taxes_id": [Command.set(cls.tax_iva16.ids)],
            }
        )

    @classmethod
    def sat_code(cls, code, applies_to="product"):
        return cls.env["l10n_mx_einvoice.sat.code"]._l10n_mx_einvoice_find(code, applies_to)
