"""Set up a demo company in an Odoo database with the addon installed (used by
scripts/demo and benchmarks/bench_odoo.py; runs inside Odoo, ``env`` given).

ESCUELA KEMPER URGATE (RFC EKU9003173C9) is SAT's public test taxpayer: its test CSD
(password 12345678a) ships with the engine's test fixtures. The stamp account is
the embedded sandbox PAC (not valid for tax purposes).
"""

import base64
from pathlib import Path

DEMO_COMPANY = "ESCUELA KEMPER URGATE"


def test_csd_folder():
    """SAT's test CSD in the addon Odoo loaded (the linked checkout or an installed wheel)."""
    from odoo.modules.module import get_module_path

    return Path(get_module_path("l10n_mx_einvoice")) / "cfdi" / "testing" / "fixtures" / "csd"


def demo_company(env, credits=100000):
    """The demo company (created once), its sandbox stamp account, customer, product and IVA."""
    company = env["res.company"].search([("vat", "=", "EKU9003173C9")], limit=1)
    if not company:
        company = env["res.company"].create(
            {
                "name": DEMO_COMPANY,
                "country_id": env.ref("base.mx").id,
                "currency_id": env.ref("base.MXN").id,
                "vat": "EKU9003173C9",
                "zip": "42501",
                "street": "Av. Juárez 1",
                "city": "Tula de Allende",
                "state_id": env.ref("base.state_mx_hgo").id,
            }
        )
        company.partner_id.l10n_mx_einvoice_regimen_fiscal = "601"
        env["account.chart.template"].try_loading("mx", company, install_demo=False)
        csd = test_csd_folder()
        env["l10n_mx_einvoice.certificate"].create(
            {
                "company_id": company.id,
                "cer_file": base64.b64encode((csd / "EKU9003173C9.cer").read_bytes()),
                "key_file": base64.b64encode((csd / "EKU9003173C9.key").read_bytes()),
                "password": (csd / "EKU9003173C9.password.txt").read_text().strip(),
                "cer_filename": "EKU9003173C9.cer",
                "key_filename": "EKU9003173C9.key",
            }
        )
        account = env["l10n_mx_einvoice.stamp.account"].create(
            {
                "name": "Sandbox PAC (demo)",
                "company_id": company.id,
                "provider": "sandbox",
            }
        )
        env["l10n_mx_einvoice.credit.move"].create(
            {
                "account_id": account.id,
                "quantity": credits,
                "kind": "adjustment",
                "reason": "Demo stamp package",
            }
        )
        company.l10n_mx_einvoice_stamp_account_id = account
    # the administrator who logs in after the demo sees the demo company first, and works
    # in its time zone: the invoice date is the day of the CFDI's Fecha (local time)
    (env.user | env.ref("base.user_admin")).write(
        {"company_ids": [(4, company.id)], "company_id": company.id, "tz": "America/Mexico_City"}
    )
    env = env(context=dict(env.context, allowed_company_ids=[company.id]))
    company = company.with_env(env)
    customer = env["res.partner"].search([("vat", "=", "XIA190128J61")], limit=1) or env[
        "res.partner"
    ].create(
        {
            "name": "XENON INDUSTRIAL ARTICLES",
            "is_company": True,
            "vat": "XIA190128J61",
            "zip": "76343",
            "country_id": env.ref("base.mx").id,
            "l10n_mx_einvoice_regimen_fiscal": "601",
            "l10n_mx_einvoice_uso_cfdi": "G03",
            "street": "Calle Industria 10",
            "city": "Querétaro",
            "email": "compras@xenon.example.com",
        }
    )
    product = env["product.product"].search([("default_code", "=", "DEMO-CONS")], limit=1) or env[
        "product.product"
    ].create(
        {
            "name": "Servicio de consultoría contable",
            "default_code": "DEMO-CONS",
            "type": "service",
            "uom_id": env.ref("uom.product_uom_unit").id,
            "uom_po_id": env.ref("uom.product_uom_unit").id,
            "l10n_mx_einvoice_clave_prod_serv_id": env["l10n_mx_einvoice.sat.code"]
            ._l10n_mx_einvoice_find("84111506", "product")
            .id,
        }
    )
    tax = env["account.chart.template"].with_company(company).ref("tax12")
    return company, customer, product, tax


def post_invoice(env, company, customer, product, tax, lines):
    """A posted customer invoice of ``lines`` = [(description, quantity, price_unit, discount)]."""
    move = env["account.move"].create(
        {
            "move_type": "out_invoice",
            "partner_id": customer.id,
            "company_id": company.id,
            "invoice_line_ids": [
                (
                    0,
                    0,
                    {
                        "product_id": product.id,
                        "name": name,
                        "quantity": quantity,
                        "price_unit": price,
                        "discount": discount,
                        "tax_ids": [(6, 0, tax.ids)],
                    },
                )
                for name, quantity, price, discount in lines
            ],
        }
    )
    move.action_post()
    return move
