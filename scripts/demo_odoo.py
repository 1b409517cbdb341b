"""Body of scripts/demo inside ``odoo-bin shell`` (``env`` is given): stamp one invoice,
export its XML and PDF, print the UUID and both paths."""
import os
import runpy
import sys
from pathlib import Path

setup = runpy.run_path(os.environ["DEMO_SETUP"])
out = Path(os.environ.get("DEMO_OUT", "demo_out")).resolve()
out.mkdir(parents=True, exist_ok=True)
env["ir.config_parameter"].set_param("web.base.url", os.environ["DEMO_BASE_URL"])  # noqa: F821
env["ir.config_parameter"].set_param("web.base.url.freeze", "True")  # noqa: F821
company, customer, product, tax = setup["demo_company"](env)  # noqa: F821
env = company.env
env.cr.commit()
move = setup["post_invoice"](env, company, customer, product, tax, [
    ("Consultoría contable, noviembre", 10.0, 850.0, 0.0),
    ("Declaración anual", 1.0, 3500.0, 10.0),
])
move.action_l10n_mx_stamp()
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
