"""Fixtures of the supplier-CFDI tests: purchase taxes of the MX chart, supplier CFDI built
with the engine (sealed with the supplier's test CSD CACX7605101P8, stamped by the
company's sandbox PAC) and a helper that runs the import wizard."""

import contextlib
from decimal import Decimal
from http.server import BaseHTTPRequestHandler
from urllib.parse import parse_qsl

from odoo.addons.l10n_mx_einvoice.cfdi.pac import soap
from odoo.addons.l10n_mx_einvoice.cfdi.pac.sandbox_server import LoopbackServer, serve_in_thread
from odoo.addons.l10n_mx_einvoice.cfdi.tests import supplier_documents as docs

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


class SatStatusServer(LoopbackServer):
    """SAT's ConsultaCFDIService on 127.0.0.1 (SOAP 1.1, the project's WSDL) answering
    from a connector's ``status``; records every expresionImpresa it receives."""

    path = "/ConsultaCFDIService.svc"

    def __init__(self, status):
        super().__init__(0, _SatStatusHandler)
        self.status = status
        self.types = soap.WsdlTypes(soap.WSDL_DIR / "sat" / "ConsultaCFDIService.wsdl")
        self.expressions = []


class _SatStatusHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, format, *args):  # noqa: A002
        pass

    def do_POST(self):  # noqa: N802
        request = soap.read_body(self.rfile.read(int(self.headers.get("Content-Length") or 0)))
        expression = soap.text_of(soap.fields(request), "expresionImpresa")
        self.server.expressions.append(expression)
        query = dict(parse_qsl(expression.split("?", 1)[-1]))
        result = self.server.status(
            query.get("id", ""),
            query.get("re", ""),
            query.get("rr", ""),
            Decimal(query.get("tt", "0")),
        )
        answer = self.server.types.element(
            "http://tempuri.org/",
            "ConsultaResponse",
            {
                "ConsultaResult": {
                    "CodigoEstatus": result.codigo_estatus,
                    "EsCancelable": result.es_cancelable,
                    "Estado": result.estado,
                    "EstatusCancelacion": result.estatus_cancelacion,
                    "ValidacionEFOS": result.validacion_efos,
                }
            },
        )
        body = soap.envelope(answer)
        self.send_response(200)
        self.send_header("Content-Type", "text/xml; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@contextlib.contextmanager
def sat_status_server(status):
    with serve_in_thread(SatStatusServer(status)) as server:
        yield server


def sample_bytes(name):
    return (FIXTURES / "samples" / name).read_bytes()


Line = docs.Line
supplier_invoice = docs.supplier_invoice
SUPPLIER_RFC = docs.SUPPLIER_RFC
SUPPLIER_NAME = docs.SUPPLIER_NAME
