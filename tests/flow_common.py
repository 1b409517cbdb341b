"""Fixtures of the accountant's flow: an MX company with SAT's public test CSD
(EKU9003173C9) and a sandbox stamp account, a customer, products and taxes."""

import base64
import itertools
from pathlib import Path

from odoo import Command

FIXTURES = Path(__file__).resolve().parent.parent / "cfdi" / "tests" / "fixtures" / "csd"
COMPANY_NAME = "ESCUELA KEMPER URGATE"

_LINE_NUMBERS = itertools.count(1)


def csd_files(rfc="EKU9003173C9"):
    cer = (FIXTURES / f"{rfc}.cer").read_bytes()
    key = (FIXTURES / f"{rfc}.key").read_bytes()
    password = (FIXTURES / f"{rfc}.password.txt").read_text().strip()
    return cer, key, password


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
        env["l10n_mx_einvoice.credit.move"].sudo().create(
            {
                "account_id": account.id,
                "quantity": credits,
                "kind": "adjustment",
                "reason": "test credits",
            }
        )
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
