"""The addon's Odoo test helpers, in one place.

``L10nMxEinvoiceCommon``: ESCUELA KEMPER URGATE (RFC EKU9003173C9, SAT's public test
taxpayer) with the l10n_mx chart, postal code 42501, régimen 601, SAT's test CSD loaded, a
sandbox stamp account with credits, the customer XENON INDUSTRIAL ARTICLES (XIA190128J61,
76343, 601, uso G03), products with ClaveProdServ and units with ClaveUnidad, IVA 16 % as
default sale tax. On top of it: ``FlowFixtures`` (taxes, products, invoices of the
accountant's flow), ``PaymentFixtures`` (PPD invoices and payments), ``CancellationFixtures``,
``VendorFixtures`` (supplier CFDI and the import wizard), ``TenancyFixtures`` (two companies,
a user of each role), ``JsonRpcMixin`` (JSON-RPC as a logged-in user), ``CfdiOracleMixin`` (SAT's XSD and
XSLT as oracles), ``setup_company``/``make_invoice`` for committed data (concurrency tests),
``add_credits`` and ``load_spanish`` (es_419 with this addon's translations)."""

import base64
import datetime as dt
import itertools
import subprocess
import sys
import tempfile
from decimal import Decimal
from decimal import Decimal as D
from pathlib import Path

import odoo
from lxml import etree
from odoo import Command
from odoo.addons.account.tests.common import AccountTestInvoicingCommon
from odoo.addons.l10n_mx_einvoice.cfdi import rules
from odoo.addons.l10n_mx_einvoice.cfdi import xml as cfdi_xml
from odoo.addons.l10n_mx_einvoice.cfdi.testing import FIXTURES, csd_files, oracle
from odoo.addons.l10n_mx_einvoice.cfdi.testing import supplier_documents as docs
from odoo.addons.l10n_mx_einvoice.cfdi.testing.servers import sat_server
from odoo.tests import new_test_user
from odoo.tests.common import TEST_CURSOR_COOKIE_NAME, Opener

CSD_PASSWORD = "12345678a"
COMPANY_NAME = "ESCUELA KEMPER URGATE"
RET_ISR_10 = ("001", Decimal("0.100000"))
RET_IVA_2_3 = ("002", Decimal("0.106667"))
_PARSER = etree.XMLParser(no_network=True, load_dtd=False, resolve_entities=False)
_LINE_NUMBERS = itertools.count(1)
# With the job queue bridge installed (bridges/l10n_mx_einvoice_queue), the scheduled actions
# queue their batches as jobs; the main addon's tests run them at once (queue_job's key).
RUN_JOBS_NOW = {"queue_job__no_delay": True}


def fixture_bytes(relative_path):
    return (FIXTURES / relative_path).read_bytes()


def fixture_b64(relative_path):
    return base64.b64encode(fixture_bytes(relative_path))


def sample_bytes(name):
    return (FIXTURES / "samples" / name).read_bytes()


def add_credits(account, quantity, reason="test credits"):
    """Credits for a test (the ledger has no create right for anyone: as superuser)."""
    return (
        account.env["l10n_mx_einvoice.credit.move"]
        .sudo()
        .create(
            {"account_id": account.id, "kind": "adjustment", "quantity": quantity, "reason": reason}
        )
    )


def load_spanish(env):
    """es_419 active with this addon's translations (i18n/es_419.po)."""
    env["res.lang"]._activate_lang("es_419")
    env["ir.module.module"]._load_module_terms(["l10n_mx_einvoice"], ["es_419"], overwrite=True)
    return env(context=dict(env.context, lang="es_419"))


class L10nMxEinvoiceCommon(AccountTestInvoicingCommon):
    @classmethod
    def forget_rfc(cls, rfc):
        """Archive the partners that already hold ``rfc`` (for this test class only): tests
        of a newcomer's RFC must not meet a partner that another test committed (the
        concurrency tests import suppliers in committed transactions)."""
        cls.env["res.partner"].search([("vat", "=ilike", rfc)]).active = False

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
        cls.env = cls.env(context=dict(cls.env.context, **RUN_JOBS_NOW))
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
        add_credits(cls.stamp_account, 100, "Test credits")
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


def setup_company(env, name=COMPANY_NAME, credits=1000):
    """An MX company with l10n_mx's chart, the test CSD and a sandbox stamp account."""
    mx = env.ref("base.mx")
    company = env["res.company"].create(
        {
            "name": name,
            "country_id": mx.id,
            "currency_id": env.ref("base.MXN").id,
            "vat": "EKU9003173C9",
            "zip": "42501",
        }
    )
    env["account.chart.template"].try_loading("mx", company, install_demo=False)
    # The company's name is the Emisor's Nombre: SAT's test CSD belongs to COMPANY_NAME
    # (renamed after the chart, whose journal mail aliases derive from the name and must stay unique).
    company.partner_id.write({"name": COMPANY_NAME, "l10n_mx_einvoice_regimen_fiscal": "601"})
    cer, key, password = csd_files()
    certificate = env["l10n_mx_einvoice.certificate"].create(
        {
            "company_id": company.id,
            "cer_file": base64.b64encode(cer),
            "key_file": base64.b64encode(key),
            "password": password,
            "cer_filename": "EKU9003173C9.cer",
            "key_filename": "EKU9003173C9.key",
        }
    )
    account = env["l10n_mx_einvoice.stamp.account"].create(
        {
            "name": f"Sandbox {name}",
            "company_id": company.id,
            "provider": "sandbox",
        }
    )
    if credits:
        add_credits(account, credits)
    company.l10n_mx_einvoice_stamp_account_id = account
    return company, certificate, account


class FlowFixtures:
    """Taxes, products and invoices of the accountant's flow, on top of ODOO-BASE's
    ``L10nMxEinvoiceCommon`` (company, CSD, sandbox stamp account, customer)."""

    @classmethod
    def setup_independent_company(cls, **kwargs):
        # Same company as L10nMxEinvoiceCommon's, created without passing ``name`` twice.
        return cls._create_company(
            **{
                "name": COMPANY_NAME,
                "vat": "EKU9003173C9",
                "zip": "42501",
                "l10n_mx_einvoice_regimen_fiscal": "601",
                **kwargs,
            }
        )

    @classmethod
    def setup_flow(cls):
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True))
        cls.customer.email = "cliente@example.com"
        cls.product = cls.product_a
        cls.product_nocode = cls.env["product.product"].create(
            {
                "name": "Sin clave SAT",
                "lst_price": 10.0,
                "uom_id": cls.unit.id,
                "uom_po_id": cls.unit.id,
            }
        )
        cls.tax_16 = cls.tax("tax12")
        cls.tax_8 = cls.tax("tax17")
        cls.tax_0 = cls.tax("tax9")
        cls.tax_exento = cls.tax("tax19")
        cls.tax_ieps_8 = cls.tax("ieps_8_sale")
        cls.tax_ret_iva = cls.env["account.tax"].create(
            {
                "name": "Retención IVA 10.6667%",
                "amount": -10.6667,
                "amount_type": "percent",
                "type_tax_use": "sale",
                "company_id": cls.company.id,
                "l10n_mx_tax_type": "iva",
                "tax_group_id": cls.tax_16.tax_group_id.id,
            }
        )
        cls.tax_ret_isr = cls.env["account.tax"].create(
            {
                "name": "Retención ISR 10%",
                "amount": -10.0,
                "amount_type": "percent",
                "type_tax_use": "sale",
                "company_id": cls.company.id,
                "l10n_mx_tax_type": "isr",
                "tax_group_id": cls.tax_16.tax_group_id.id,
            }
        )

    @classmethod
    def tax(cls, xmlid):
        return cls.env["account.chart.template"].with_company(cls.company).ref(xmlid)

    @classmethod
    def make_invoice(cls, lines=None, move_type="out_invoice", currency=None, post=True, **vals):
        return make_invoice(
            cls.env,
            cls.company,
            cls.customer,
            cls.product,
            cls.tax_16,
            lines,
            move_type=move_type,
            currency=currency,
            post=post,
            **vals,
        )


def make_invoice(
    env,
    company,
    customer,
    product,
    tax,
    lines=None,
    move_type="out_invoice",
    currency=None,
    post=True,
    **vals,
):
    lines = lines or [{"price_unit": 1000.0}]
    # The sandbox remembers stamps by XML digest on disk, beyond the test's rollback: a unique
    # description keeps two tests' identical invoices stamped in one second from sharing a UUID.
    lines = [{"name": f"{product.display_name} #{next(_LINE_NUMBERS)}", **line} for line in lines]
    move = env["account.move"].create(
        {
            "move_type": move_type,
            "partner_id": customer.id,
            "company_id": company.id,
            "currency_id": (currency or company.currency_id).id,
            "invoice_line_ids": [
                Command.create(
                    {
                        "product_id": product.id,
                        "quantity": 1.0,
                        "tax_ids": [Command.set(tax.ids)],
                        **line,
                    }
                )
                for line in lines
            ],
            **vals,
        }
    )
    if post:
        move.action_post()
    return move


class CartaPorteFixtures:
    """What a Carta Porte by road needs besides the goods (issue 18): a foreign consignee
    in Laredo, TX, a driver with RFC and federal license, and a tractor-trailer with its SCT
    permit, insurance (environmental too) and trailer."""

    @classmethod
    def setup_carta_porte(cls):
        cls.foreign = cls.env["res.partner"].create(
            {
                "name": "LAREDO DISTRIBUTION LLC",
                "is_company": True,
                "country_id": cls.env.ref("base.us").id,
                "state_id": cls.env.ref("base.state_us_44").id,
                "street": "Industrial Blvd 5",
                "zip": "78045",
                "vat": "123456789",
            }
        )
        cls.driver = cls.env["res.partner"].create(
            {
                "name": "XOCHILT CASAS CHAVEZ",
                "country_id": cls.env.ref("base.mx").id,
                "vat": "CACX7605101P8",
                "l10n_mx_einvoice_driver_license": "LFC0123456",
            }
        )
        cls.vehicle = cls.env["l10n_mx_einvoice.vehicle"].create(
            {
                "name": "Tractocamión 7",
                "company_id": cls.company.id,
                "perm_sct": "TPAF01",
                "num_permiso_sct": "0X2XTXZ0X5X0X3X2X1X0",
                "config_vehicular": "T3S2",
                "peso_bruto_vehicular": 41.5,
                "placa": "501-AA-3",
                "anio_modelo": 2022,
                "insurer": "Seguros Atlas",
                "policy": "RC-123456",
                "environment_insurer": "Seguros Atlas",
                "environment_policy": "MA-778899",
                "trailer1_type": "CTR004",
                "trailer1_placa": "98AB7C",
            }
        )


class CfdiOracleMixin:
    """``assertSatValid(xml)``: SAT's XSD, SAT's XSLT cadena equals the engine's, no findings."""

    def assertSatValid(self, data):
        from ..cfdi import cadena

        self.assertIsNone(oracle.schema_errors(data))
        self.assertEqual(oracle.cadena(data), cadena.cadena_original(cfdi_xml.from_bytes(data)))
        self.assertEqual(rules.validate(data), [])

    def assertCliValid(self, data):
        """``python -m cfdi validate`` (the partner's command line) finds nothing."""
        addon = Path(__file__).resolve().parent.parent
        with tempfile.NamedTemporaryFile(suffix=".xml") as handle:
            handle.write(data)
            handle.flush()
            run = subprocess.run(
                [sys.executable, "-m", "cfdi", "validate", handle.name],
                cwd=addon,
                capture_output=True,
                text=True,
                timeout=120,
                check=False,
            )
        self.assertEqual(run.returncode, 0, run.stdout + run.stderr)
        self.assertIn("OK", run.stdout)


class PaymentFixtures(CfdiOracleMixin, FlowFixtures):
    """PPD invoices stamped by the sandbox and payments registered with Odoo's wizard."""

    @classmethod
    def setup_payments(cls):
        cls.setup_flow()
        cls.term_30 = cls.env.ref("account.account_payment_term_30days")
        cls.bank = cls.company_data["default_journal_bank"]
        cls.bank.l10n_mx_einvoice_forma_pago = "03"
        cls.usd = cls.env.ref("base.USD")
        cls.usd.active = True
        cls.env["res.currency.rate"].create(
            {
                "currency_id": cls.usd.id,
                "company_id": cls.company.id,
                "name": dt.date.today() - dt.timedelta(days=30),
                "inverse_company_rate": 17.5,
            }
        )

    @classmethod
    def ppd_invoice(cls, lines=None, currency=None):
        invoice = cls.make_invoice(
            lines,
            currency=currency,
            invoice_payment_term_id=cls.term_30.id,
            invoice_date=dt.date.today(),
        )
        assert invoice.l10n_mx_einvoice_metodo_pago == "PPD"
        invoice.action_l10n_mx_einvoice_stamp()
        assert invoice.l10n_mx_einvoice_state == "stamped", invoice.l10n_mx_einvoice_message
        return invoice

    def pay(self, invoices, amount, currency=None, **vals):
        wizard = (
            self.env["account.payment.register"]
            .with_context(
                active_model="account.move",
                active_ids=invoices.ids,
            )
            .create(
                {
                    "amount": amount,
                    "journal_id": self.bank.id,
                    "payment_date": dt.date.today(),
                    "currency_id": (currency or self.mxn).id,
                    "group_payment": True,
                    **vals,
                }
            )
        )
        payment = wizard._create_payments()
        self.assertEqual(len(payment), 1)
        return payment

    def reconcile(self, payment, invoice):
        (payment.move_id.line_ids | invoice.line_ids).filtered(
            lambda line: line.account_type == "asset_receivable" and not line.reconciled
        ).reconcile()

    def stamp_payment(self, payment):
        payment.action_l10n_mx_einvoice_stamp_payment()
        self.assertEqual(
            payment.l10n_mx_einvoice_state, "stamped", payment.l10n_mx_einvoice_message
        )
        xml = payment.move_id.l10n_mx_einvoice_attachment_id.raw
        self.assertSatValid(xml)
        comprobante = cfdi_xml.from_bytes(xml)
        self.assertEqual(comprobante.tipo_de_comprobante, "P")
        self.assertEqual(comprobante.moneda, "XXX")
        self.assertEqual(comprobante.total, D("0"))
        self.assertEqual(comprobante.receptor.uso_cfdi, "CP01")
        self.assertEqual(comprobante.complemento.timbre.uuid, payment.l10n_mx_einvoice_uuid)
        (pago,) = comprobante.complemento.pagos.pagos
        return comprobante, pago


class CancellationFixtures(PaymentFixtures):
    def connector(self):
        return self.stamp_account._get_connector()

    def later(self, hours):
        """The sandbox's clock ``hours`` ahead (SAT's 24 h free-cancellation window)."""
        connector = self.connector()
        original = connector.clock
        connector.clock = lambda: original() + dt.timedelta(hours=hours)
        self.addCleanup(setattr, connector, "clock", original)

    def cancel(self, move, motive="02", replacement=None):
        wizard = (
            self.env["l10n_mx_einvoice.cancel"]
            .with_context(active_model="account.move", active_id=move.id)
            .create(
                {"motive": motive, "replacement_move_id": replacement.id if replacement else False}
            )
        )
        return wizard.action_cancel_cfdi()

    def cancel_documents(self, move):
        return move.l10n_mx_einvoice_document_ids.filtered(lambda d: d.kind == "cancel")

    def chatter(self, move):
        return " ".join(move.message_ids.mapped("body"))


class TenancyFixtures:
    """Two companies and a user of each role (issue 12), on top of ``FlowFixtures``:
    A (the common company: Invoicing user, CFDI user, CFDI manager) and B (its own stamp
    account: CFDI user, CFDI manager), an administrator of both, and a stamped invoice of A.
    Each user's password is their login."""

    @classmethod
    def setup_tenancy(cls):
        cls.company_b = cls.setup_other_company(
            name="EMPRESA B", vat="XIA190128J61", zip="76343", l10n_mx_einvoice_regimen_fiscal="601"
        )["company"]
        cls.account_b = cls.env["l10n_mx_einvoice.stamp.account"].create(
            {"name": "Sandbox B", "company_id": cls.company_b.id, "provider": "sandbox"}
        )
        add_credits(cls.account_b, 10)
        cls.company_b.l10n_mx_einvoice_stamp_account_id = cls.account_b
        invoicing = "account.group_account_invoice"
        cfdi_user = f"{invoicing},l10n_mx_einvoice.group_l10n_mx_einvoice_user"
        manager = f"{invoicing},l10n_mx_einvoice.group_l10n_mx_einvoice_manager"
        cls.plain_a = cls.role_user("plain_a", invoicing, cls.company)
        cls.cfdi_a = cls.role_user("cfdi_a", cfdi_user, cls.company)
        cls.manager_a = cls.role_user("manager_a", manager, cls.company)
        cls.cfdi_b = cls.role_user("cfdi_b", cfdi_user, cls.company_b)
        cls.manager_b = cls.role_user("manager_b", manager, cls.company_b)
        cls.admin_ab = cls.role_user(
            "admin_ab",
            f"{manager},base.group_system,account.group_account_manager",
            cls.company,
            cls.company | cls.company_b,
        )
        cls.stamped = cls.make_invoice([{"price_unit": 500.0}])
        cls.stamped.action_l10n_mx_einvoice_stamp()
        assert cls.stamped.l10n_mx_einvoice_state == "stamped", cls.stamped.l10n_mx_einvoice_message

    @classmethod
    def role_user(cls, login, groups, company, companies=None):
        return new_test_user(
            cls.env,
            login=login,
            password=login,  # JsonRpcMixin logs in with it
            groups=groups,
            company_id=company.id,
            company_ids=[Command.set((companies or company).ids)],
        )


class JsonRpcMixin:
    """JSON-RPC to the test server as a user who logged in with their password
    (``/web/session/authenticate``), the requests running in the test's transaction.

    What ``HttpCase`` does, without being one: an ``HttpCase`` in the suite makes Odoo
    pregenerate every asset bundle first, which fails on an Odoo without its
    ``static/tests`` folders (the shared installation has none)."""

    @classmethod
    def setup_json_rpc(cls):
        server = odoo.service.server.server
        assert server is not None, "JSON-RPC tests need Odoo's HTTP server (--http-port)"
        cls.base_url = f"http://127.0.0.1:{server.httpd.server_port}"
        cls.registry.enter_test_mode(cls.cr)
        cls.addClassCleanup(cls.registry.leave_test_mode)

    def setUp(self):
        super().setUp()
        self.openers = {}

    def opener_of(self, user):
        """A browser session of ``user`` (password: their login, as ``new_test_user``)."""
        if user.login not in self.openers:
            opener = Opener(self.cr)
            opener.cookies[TEST_CURSOR_COOKIE_NAME] = self.http_request_key
            body = self.post(
                opener,
                "/web/session/authenticate",
                {"db": self.cr.dbname, "login": user.login, "password": user.login},
            )
            assert body.get("result", {}).get("uid") == user.id, body
            self.openers[user.login] = opener
        return self.openers[user.login]

    def post(self, opener, route, params):
        response = opener.post(
            self.base_url + route,
            json={"jsonrpc": "2.0", "method": "call", "id": 1, "params": params},
            timeout=120,  # a stamp on a loaded machine
        )
        response.raise_for_status()
        return response.json()

    def rpc(self, user, model, method, *args, **kwargs):
        """(result, error data) of ``model.method(*args, **kwargs)`` called by ``user``
        through ``/web/dataset/call_kw``."""
        body = self.post(
            self.opener_of(user),
            "/web/dataset/call_kw",
            {"model": model, "method": method, "args": list(args), "kwargs": kwargs},
        )
        return body.get("result"), body.get("error", {}).get("data")


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


sat_status_server = sat_server.running


Line = docs.Line
supplier_invoice = docs.supplier_invoice
SUPPLIER_RFC = docs.SUPPLIER_RFC
SUPPLIER_NAME = docs.SUPPLIER_NAME


class BooksFixtures(PaymentFixtures):
    """A month of books for the contabilidad electrónica and DIOT tests: suppliers (national,
    foreign, without RFC), vendor bills with the chart's purchase taxes, supplier payments."""

    @classmethod
    def setup_books(cls):
        cls.setup_payments()
        chart = cls.env["account.chart.template"].with_company(cls.company)
        cls.purchase_16 = chart.ref("tax14")
        cls.purchase_0 = chart.ref("tax13")
        cls.purchase_exento = chart.ref("tax20")
        cls.purchase_import = chart.ref("tax21")
        cls.purchase_ret_iva = chart.ref("tax8")  # -10.67 %, tagged DIOT: Retención
        cls.supplier = cls.env["res.partner"].create(
            {
                "name": "PAPELERIA NACIONAL",
                "is_company": True,
                "country_id": cls.env.ref("base.mx").id,
                "vat": "ICV060329BY0",
            }
        )
        cls.professional = cls.env["res.partner"].create(
            {
                "name": "DESPACHO CONTABLE",
                "is_company": True,
                "country_id": cls.env.ref("base.mx").id,
                "vat": "MAS0810247C0",
                "l10n_mx_einvoice_diot_operation": "03",
            }
        )
        cls.foreign_supplier = cls.env["res.partner"].create(
            {
                "name": "ACME Tools Inc.",
                "is_company": True,
                "country_id": cls.env.ref("base.us").id,
                "vat": "98-7654321",
                "l10n_mx_einvoice_diot_operation": "07",
            }
        )

    @classmethod
    def make_bill(cls, partner, lines, currency=None, vendor_uuid=None, date=None, **vals):
        """A posted vendor bill; ``lines``: [(price_unit, taxes)]."""
        bill = cls.env["account.move"].create(
            {
                "move_type": "in_invoice",
                "partner_id": partner.id,
                "company_id": cls.company.id,
                "invoice_date": date or dt.date.today(),
                "currency_id": (currency or cls.mxn).id,
                "invoice_line_ids": [
                    Command.create(
                        {
                            "name": f"Compra {i}",
                            "price_unit": price,
                            "tax_ids": [Command.set(taxes.ids)],
                        }
                    )
                    for i, (price, taxes) in enumerate(lines, 1)
                ],
                **vals,
            }
        )
        if vendor_uuid:  # as the import of a valid supplier CFDI keeps it (superuser)
            bill.sudo().write(
                {
                    "l10n_mx_einvoice_vendor_uuid": vendor_uuid,
                    "l10n_mx_einvoice_vendor_issuer_rfc": partner.vat,
                    "l10n_mx_einvoice_vendor_seal_ok": True,
                    "l10n_mx_einvoice_vendor_receiver_ok": True,
                    "l10n_mx_einvoice_vendor_total": bill.amount_total,
                }
            )
        bill.action_post()
        return bill

    def pay_bill(self, bills, amount, currency=None, date=None):
        wizard = (
            self.env["account.payment.register"]
            .with_context(active_model="account.move", active_ids=bills.ids)
            .create(
                {
                    "amount": amount,
                    "journal_id": self.bank.id,
                    "payment_date": date or dt.date.today(),
                    "currency_id": (currency or self.mxn).id,
                    "group_payment": True,
                }
            )
        )
        return wizard._create_payments()
