"""Body of scripts/demo inside ``odoo-bin shell`` (``env`` is given): stamp one invoice,
export its XML and PDF, print the UUID and both paths."""

import os
import runpy
import sys
from pathlib import Path

from odoo.modules.module import get_module_path

setup = runpy.run_path(os.environ["DEMO_SETUP"])
out = Path(os.environ.get("DEMO_OUT", "demo_out")).resolve()
out.mkdir(parents=True, exist_ok=True)
env["ir.config_parameter"].set_param("web.base.url", os.environ["DEMO_BASE_URL"])  # noqa: F821
env["ir.config_parameter"].set_param("web.base.url.freeze", "True")  # noqa: F821
company, customer, product, tax = setup["demo_company"](env)  # noqa: F821
env = company.env
env.cr.commit()
move = setup["post_invoice"](
    env,
    company,
    customer,
    product,
    tax,
    [
        ("Consultoría contable, noviembre", 10.0, 850.0, 0.0),
        ("Declaración anual", 1.0, 3500.0, 10.0),
    ],
)
move.action_l10n_mx_einvoice_stamp()
env.cr.commit()
if move.l10n_mx_einvoice_state != "stamped":
    print(f"NOT STAMPED: {move.l10n_mx_einvoice_message}")
    sys.exit(1)
xml = move.l10n_mx_einvoice_attachment_id
xml_path = out / xml.name
xml_path.write_bytes(xml.raw)
pdf, _kind = env["ir.actions.report"]._render_qweb_pdf("account.account_invoices", move.ids)
pdf_path = out / (xml_path.stem + ".pdf")
pdf_path.write_bytes(pdf)
print(f"DEMO_INVOICE={move.name}")
print(f"DEMO_TOTAL={move.amount_total:.2f} {move.currency_id.name}")
print(f"DEMO_UUID={move.l10n_mx_einvoice_uuid}")
print(f"DEMO_XML={xml_path}")
print(f"DEMO_PDF={pdf_path}")
print(f"DEMO_ADDON={get_module_path('l10n_mx_einvoice')}")

# Payment complement and cancellation: a PPD invoice paid in part (its complement, CFDI
# type P, is stamped) and another invoice cancelled with motive 02.
ppd = env["account.move"].create(
    {
        "move_type": "out_invoice",
        "partner_id": customer.id,
        "company_id": company.id,
        "invoice_payment_term_id": env.ref("account.account_payment_term_30days").id,
        "invoice_line_ids": [
            (
                0,
                0,
                {
                    "product_id": product.id,
                    "name": "Auditoría (a crédito)",
                    "quantity": 1.0,
                    "price_unit": 12000.0,
                    "tax_ids": [(6, 0, tax.ids)],
                },
            )
        ],
    }
)
ppd.action_post()
ppd.action_l10n_mx_einvoice_stamp()
bank = env["account.journal"].search(
    [("type", "=", "bank"), ("company_id", "=", company.id)], limit=1
)
bank.l10n_mx_einvoice_forma_pago = bank.l10n_mx_einvoice_forma_pago or "03"
payment = (
    env["account.payment.register"]
    .with_context(active_model="account.move", active_ids=ppd.ids)
    .create({"amount": 5000.0, "journal_id": bank.id})
    ._create_payments()
)
payment.action_l10n_mx_einvoice_stamp_payment()
env.cr.commit()
payment_xml = out / payment.l10n_mx_einvoice_attachment_id.name
payment_xml.write_bytes(payment.l10n_mx_einvoice_attachment_id.raw)
wrong = setup["post_invoice"](
    env, company, customer, product, tax, [("Factura con error", 1.0, 100.0, 0.0)]
)
wrong.action_l10n_mx_einvoice_stamp()
env["l10n_mx_einvoice.cancel"].create({"move_id": wrong.id, "motive": "02"}).action_cancel_cfdi()
env.cr.commit()
print(f"DEMO_PAYMENT={payment.name} ({payment.amount:.2f} of {ppd.name}, {ppd.amount_total:.2f})")
print(f"DEMO_PAYMENT_UUID={payment.l10n_mx_einvoice_uuid} ({payment.l10n_mx_einvoice_state})")
print(f"DEMO_PAYMENT_XML={payment_xml}")
print(
    f"DEMO_CANCELLED={wrong.name} {wrong.l10n_mx_einvoice_uuid} ({wrong.l10n_mx_einvoice_state}, motive 02)"
)
