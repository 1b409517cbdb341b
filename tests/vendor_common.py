"""Fixtures of the supplier-CFDI tests: purchase taxes of the MX chart, supplier CFDI built
with the engine (sealed with the supplier's test CSD CACX7605101P8, stamped by the
company's sandbox PAC) and a helper that runs the import wizard."""

from decimal import Decimal

from odoo.addons.l10n_mx_einvoice.cfdi.testing import supplier_documents as docs
from odoo.addons.l10n_mx_einvoice.cfdi.testing.servers import sat_server

from .common import FIXTURES

RET_ISR_10 = ("001", Decimal("0.100000"))
RET_IVA_2_3 = ("002", Decimal("0.106667"))


class VendorFixtures:
    @classmethod
    def setup_vendor(cls):
        cls.journal = cls.company_data["default_journal_purchase"]
        chart = cls.env["account.chart.template"].with_company(cls.company)
        cls.tax_iva16_purchase = chart.ref("tax14")
        cls.tax_ret_isr10_purchase = chart.ref("tax3")
        cls.tax_ret_iva1067_chart = chart.ref("tax8")  # the chart's -10.67 %
        cls.tax_ret_iva_2_3 = cls.env["account.tax"].create(
            {
                "name": "RET IVA 10.6667% (2/3)",
                "amount": -10.6667,
                "amount_type": "percent",
                "type_tax_use": "purchase",
                "company_id": cls.company.id,
                "l10n_mx_tax_type": "iva",
                "l10n_mx_factor_type": "Tasa",
                "tax_group_id": cls.tax_ret_iva1067_chart.tax_group_id.id,
                "sequence": 1,
            }
        )
        cls.connector = cls.stamp_account._get_connector()
        cls.supplier_credential = docs.supplier_credential()

    @classmethod
    def supplier_cfdi(cls, lines=None, **kwargs):
        """A stamped supplier CFDI 4.0 (bytes) to the test company."""
        return docs.stamped(
            cls.connector, docs.supplier_invoice(lines, **kwargs), cls.supplier_credential
        )

    @classmethod
    def services_cfdi(cls):
        """Paper (IVA 16 %) + professional fees with ISR 10 % and IVA 2/3 retentions: 2113.33."""
        return cls.supplier_cfdi(
            [
                docs.Line(),
                docs.Line(
                    descripcion="Honorarios",
                    cantidad="1",
                    valor_unitario="1000.00",
                    clave_prod_serv="80111600",
                    clave_unidad="E48",
                    retenciones=[RET_ISR_10, RET_IVA_2_3],
                ),
            ]
        )

    def run_import(self, files, check_sat_status=True):
        """The import wizard run on ``[(name, bytes)]``, as a user would upload them."""
        wizard = self.env["l10n_mx_einvoice.vendor.import"].create(
            {
                "journal_id": self.journal.id,
                "check_sat_status": check_sat_status,
                "attachment_ids": [(0, 0, {"name": name, "raw": data}) for name, data in files],
            }
        )
        wizard.action_import()
        return wizard

    def result(self, wizard, name):
        [line] = wizard.line_ids.filtered(lambda line: line.name == name)
        return line


def sat_status_server(status):
    """SAT's ConsultaCFDIService on 127.0.0.1 answering from ``status`` (a connector's)."""
    return sat_server.running(status)


def sample_bytes(name):
    return (FIXTURES / "samples" / name).read_bytes()


Line = docs.Line
supplier_invoice = docs.supplier_invoice
SUPPLIER_RFC = docs.SUPPLIER_RFC
SUPPLIER_NAME = docs.SUPPLIER_NAME
