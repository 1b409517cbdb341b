#!/usr/bin/env python3
"""An accountant's first day, walked in headless Chromium in Spanish (es_419).

A fresh database (WALK_DB, default einvoice_walk) gets l10n_mx_einvoice and the demo company
(scripts/odoo_demo_setup.py: SAT's test CSD, the sandbox PAC); the administrator reads
es_419. Chromium, driven through its DevTools protocol (websocket-client), then walks the
web client: the CFDI setup checklist (every item done, "Ready") → a draft invoice → confirm
→ stamp (badge, ribbon) → CFDI tab and its XML → the printed PDF's data → payment and its
stamped complement; a second invoice → stamp → cancellation with motive 02; a third → stamp
→ cancellation with motive 01: *Create replacement* → the replacement confirmed and stamped
→ *Finish cancellation* on the original → the original cancelled.
Every screen fails the walk when it shows an English term of this addon (a msgid of
i18n/es_419.po whose Spanish reads differently), and is saved as a PNG in WALK_SHOTS
(default ./walk_shots). Exit 0 only when every step passed.

Odoo's own tours (HttpCase.start_tour) need Odoo's static/tests assets, which an Odoo
installed without its tests does not have: this walk needs only Chromium.
Run with the Python that has Odoo: ``$PYTHON scripts/browser_walk.py``.
"""

import base64
import json
import os
import re
import runpy
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import polib
import websocket
from cryptography.fernet import Fernet

ROOT = Path(__file__).resolve().parent.parent
BOOT = runpy.run_path(str(ROOT / "scripts" / "bootstrap.py"))
DB = os.environ.get("WALK_DB", "einvoice_walk")
SHOTS = Path(os.environ.get("WALK_SHOTS", "walk_shots")).resolve()
REUSE = os.environ.get("WALK_REUSE") == "1"  # keep an existing WALK_DB (development)
DATA_DIR = os.environ.get("WALK_DATA_DIR")  # its filestore, when reused
LANG = "es_419"
STEP_TIMEOUT = 120

SETUP = """
import json, runpy
demo = runpy.run_path(%(setup)r)
company, customer, product, tax = demo["demo_company"](env)
admin = env.ref("base.user_admin")
admin.write({"lang": %(lang)r, "password": "admin"})
env = env(context=dict(env.context, allowed_company_ids=[company.id]))
# each bank and cash journal's SAT forma de pago, as the accountant sets it up (the setup
# checklist asks for them): 03 transferencia, 01 efectivo
for kind, forma in (("bank", "03"), ("cash", "01")):
    env["account.journal"].search([("company_id", "=", company.id), ("type", "=", kind)]).write(
        {"l10n_mx_einvoice_forma_pago": forma}
    )
def draft(price, **values):
    return env["account.move"].create({
        "move_type": "out_invoice", "partner_id": customer.id, "company_id": company.id,
        "invoice_line_ids": [(0, 0, {"product_id": product.id, "price_unit": price,
                                     "tax_ids": [(6, 0, tax.ids)]})],
        **values,
    })
# paid later (30 days: PPD), so its payment gets a payment complement
paid = draft(1500.0, invoice_payment_term_id=env.ref("account.account_payment_term_30days").id)
cancelled = draft(800.0)
replaced = draft(650.0)  # cancelled with motive 01, replaced by a corrected CFDI
env.cr.commit()
print("WALK_IDS=" + json.dumps({"paid": paid.id, "cancelled": cancelled.id, "replaced": replaced.id}))
"""


def say(text):
    print(f"== {text}", flush=True)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def english_terms():
    """The addon's terms whose Spanish reads differently, as a screen shows them."""

    def text(term):
        return " ".join(re.sub(r"<[^>]+>", " ", term).split())

    terms = set()
    for entry in polib.pofile(str(ROOT / "i18n" / f"{LANG}.po")):
        shown = text(entry.msgid)
        if "%" not in shown and len(shown) > 3 and shown != text(entry.msgstr):
            terms.add(shown)
    return terms


# Every element's own text and placeholder; the page's English terms of the addon.
FIND_ENGLISH = """(terms => {
    const found = new Set();
    for (const el of document.querySelectorAll(".o_action_manager *, .modal *")) {
        const own = [...el.childNodes].filter(n => n.nodeType === Node.TEXT_NODE)
            .map(n => n.textContent).join(" ").replace(/\\s+/g, " ").trim();
        for (const text of [own, el.getAttribute("placeholder") || ""]) {
            if (text && terms.includes(text)) found.add(text);
        }
    }
    return [...found];
})(%s)"""


class Browser:
    """Headless Chromium through its DevTools protocol: navigate, click, wait, read."""

    def __init__(self, base_url):
        self.base_url = base_url
        self.profile = tempfile.mkdtemp(prefix="walk_chrome_")
        port = free_port()
        executable = next(
            filter(None, map(shutil.which, ("chromium", "chromium-browser", "google-chrome")))
        )
        self.process = subprocess.Popen(
            [
                executable,
                "--headless=new",
                "--no-sandbox",
                "--disable-gpu",
                f"--remote-debugging-port={port}",
                "--window-size=1400,1000",
                f"--user-data-dir={self.profile}",
                "about:blank",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        tabs = None
        for _ in range(100):
            try:
                tabs = json.load(urllib.request.urlopen(f"http://127.0.0.1:{port}/json"))
                break
            except OSError:
                time.sleep(0.3)
        page = next(tab for tab in tabs if tab["type"] == "page")
        self.ws = websocket.create_connection(page["webSocketDebuggerUrl"], timeout=STEP_TIMEOUT)
        self.last_id = 0
        self.call("Page.enable")

    def close(self):
        self.process.terminate()
        self.process.wait(timeout=30)
        shutil.rmtree(self.profile, ignore_errors=True)

    def call(self, method, **params):
        self.last_id += 1
        self.ws.send(json.dumps({"id": self.last_id, "method": method, "params": params}))
        while True:
            message = json.loads(self.ws.recv())
            if message.get("id") == self.last_id:
                return message.get("result", {})

    def js(self, expression):
        result = self.call(
            "Runtime.evaluate", expression=expression, awaitPromise=True, returnByValue=True
        )
        return result.get("result", {}).get("value")

    def goto(self, path):
        self.call("Page.navigate", url=self.base_url + path)

    def wait(self, selector, what, timeout=STEP_TIMEOUT):
        self.wait_until(f"!!document.querySelector({json.dumps(selector)})", what, timeout)

    def wait_until(self, condition, what, timeout=STEP_TIMEOUT):
        end = time.time() + timeout
        while time.time() < end:
            if self.js(condition):
                return
            time.sleep(0.5)
        self.shot(f"FAILED-{what}")
        raise WalkFailed(f"{what}: {condition} never held")

    def click(self, selector, what):
        self.wait(selector, what)
        self.js(f"document.querySelector({json.dumps(selector)}).click()")

    def shot(self, name):
        data = self.call("Page.captureScreenshot", format="png").get("data")
        if data:
            (SHOTS / f"{name}.png").write_bytes(base64.b64decode(data))


class WalkFailed(Exception):
    pass


def walk(browser, ids, terms):
    screens = []

    def screen(name):
        time.sleep(1.5)  # let the last RPC land
        browser.shot(f"{len(screens) + 1:02d}-{name}")
        english = browser.js(FIND_ENGLISH % json.dumps(sorted(terms)))
        screens.append(name)
        if english:
            raise WalkFailed(f"{name}: untranslated terms of the addon: {' | '.join(english)}")
        say(f"screen {name}: in Spanish")

    badge = ".o_field_widget[name=l10n_mx_einvoice_state] .badge"

    def stamp(invoice):
        browser.goto(f"/odoo/action-account.action_move_out_invoice_type/{invoice}")
        browser.wait("button[name=action_post]", "draft invoice")
        screen("draft-invoice")
        browser.click("button[name=action_post]", "confirm")
        browser.click("button[name=action_l10n_mx_einvoice_stamp]", "stamp")
        browser.wait(f"{badge}.text-bg-success", "stamped badge")
        if browser.js(f"document.querySelector('{badge}').textContent.trim()") != "Timbrado":
            raise WalkFailed("the CFDI badge does not say Timbrado")

    browser.goto("/web/login")
    browser.wait("input[name=login]", "login page")
    browser.js(
        "document.querySelector('input[name=login]').value = 'admin';"
        "document.querySelector('input[name=password]').value = 'admin';"
        "document.querySelector('form.oe_login_form button[type=submit]').click()"
    )
    browser.wait(".o_main_navbar", "web client", timeout=600)  # assets built on first load
    # the check itself: an English term of the addon put on the page must be found
    probe = (
        "(() => { const span = document.createElement('span'); span.textContent = 'Stamp CFDI';"
        " document.querySelector('.o_action_manager').appendChild(span);"
        f" const found = {FIND_ENGLISH % json.dumps(sorted(terms))}; span.remove();"
        " return found; })()"
    )
    if browser.js(probe) != ["Stamp CFDI"]:
        raise WalkFailed("the English-term check does not see an English term")

    # setup: CFDI (México) > CFDI setup, the company's checklist, every item done
    browser.goto("/odoo/action-l10n_mx_einvoice.action_l10n_mx_einvoice_setup")
    checklist = "#l10n_mx_einvoice_setup_checklist"
    browser.wait(f"{checklist} .alert-success", "the setup checklist says Ready")
    browser.js(f"document.querySelector('{checklist}').scrollIntoView()")
    ready = browser.js(f"document.querySelector('{checklist} .alert-success').innerText.trim()")
    if ready != "Lista: esta empresa puede timbrar CFDI.":
        raise WalkFailed(f"the setup checklist reads {ready!r}, not Ready in Spanish")
    done, missing = browser.js(
        f"['.fa-check-circle', '.fa-times-circle'].map(icon => "
        f"document.querySelectorAll('{checklist} ' + icon).length)"
    )
    if missing or done < 8:
        raise WalkFailed(f"the setup checklist: {done} items done, {missing} missing")
    screen("setup-checklist")

    stamp(ids["paid"])
    browser.wait(".ribbon", "CFDI ribbon")
    screen("stamped-invoice")
    browser.click(".o_notebook a[name=l10n_mx_einvoice]", "CFDI tab")
    browser.wait("button[name=action_download_xml]", "download button of the history")
    screen("cfdi-tab")
    browser.goto(f"/report/html/account.report_invoice/{ids['paid']}")
    browser.wait("#l10n_mx_einvoice_cfdi", "printed CFDI")
    text = browser.js("document.body.innerText")
    for expected in ("ClaveProdServ 84111506", "G03 — Gastos en general", "Folio fiscal"):
        if expected not in text:
            raise WalkFailed(f"the printed invoice lacks {expected!r}")
    browser.shot(f"{len(screens) + 1:02d}-printed-invoice")
    screens.append("printed-invoice")
    browser.goto(f"/odoo/action-account.action_move_out_invoice_type/{ids['paid']}")
    browser.click("button[name=action_register_payment]", "pay")
    browser.wait(".modal button[name=action_create_payments]", "payment wizard")
    screen("payment-wizard")
    browser.click(".modal button[name=action_create_payments]", "create payment")
    browser.wait_until(
        "!document.querySelector('.modal') && [...document.querySelectorAll('.ribbon')]"
        ".some(ribbon => !ribbon.textContent.includes('CFDI'))",
        "Odoo's payment ribbon",
    )
    screen("paid-invoice")
    browser.click("button[name=open_payments]", "the invoice's payment")
    browser.wait(".o_form_view .o_field_widget[name=payment_method_line_id]", "payment form")
    screen("payment")
    browser.click("button[name=action_l10n_mx_einvoice_stamp_payment]", "stamp the complement")
    browser.wait_until(
        "!!document.querySelector('.o_form_view .o_field_widget[name=payment_method_line_id]')"
        " && document.querySelector('.o_form_view .o_field_widget[name=l10n_mx_einvoice_state]')"
        "?.textContent.trim() === 'Timbrado'",
        "stamped payment complement",
    )
    screen("payment-complement")

    stamp(ids["cancelled"])
    browser.click("button[name=action_l10n_mx_einvoice_cancel_cfdi]", "cancel CFDI")
    browser.wait(".modal button[name=action_cancel_cfdi]", "cancellation wizard")
    screen("cancellation-wizard")
    browser.click(".modal button[name=action_cancel_cfdi]", "request cancellation")
    browser.wait(f"{badge}.text-bg-danger", "cancelled badge")
    screen("cancelled-invoice")

    # motive 01: the replacement is stamped first, then the original is cancelled
    original = f"/odoo/action-account.action_move_out_invoice_type/{ids['replaced']}"
    stamp(ids["replaced"])
    browser.click("button[name=action_l10n_mx_einvoice_cancel_cfdi]", "cancel CFDI (01)")
    browser.click(".modal .o_field_widget[name=motive] input[data-value='01']", "motive 01")
    browser.wait(".modal button[name=action_create_replacement]", "Create replacement button")
    label = browser.js(
        "document.querySelector('.modal button[name=action_create_replacement]').textContent.trim()"
    )
    if label != "Crear sustituto":
        raise WalkFailed(f"the Create replacement button reads {label!r}")
    screen("cancellation-wizard-01")
    browser.click(".modal button[name=action_create_replacement]", "create replacement")
    browser.wait_until(
        f"!document.querySelector('.modal') && !location.pathname.endsWith('/{ids['replaced']}')"
        " && !!document.querySelector('.o_form_view button[name=action_post]')",
        "the replacement draft",
    )
    replacement = browser.js("location.pathname.split('/').pop()")
    screen("replacement-draft")
    browser.click("button[name=action_post]", "confirm the replacement")
    browser.click("button[name=action_l10n_mx_einvoice_stamp]", "stamp the replacement")
    browser.wait(f"{badge}.text-bg-success", "stamped replacement")
    screen("replacement-stamped")
    browser.goto(original)
    finish = "button[name=action_l10n_mx_einvoice_finish_cancellation]"
    browser.wait(finish, "Finish cancellation on the original")
    label = browser.js(f"document.querySelector('{finish}').textContent.trim()")
    if label != "Terminar cancelación":
        raise WalkFailed(f"the Finish cancellation button reads {label!r}")
    screen("original-with-replacement")
    browser.click(finish, "finish cancellation")
    browser.wait(".modal-footer .btn-primary", "confirmation of the motive-01 cancellation")
    screen("finish-cancellation-confirm")
    browser.click(".modal-footer .btn-primary", "confirm the motive-01 cancellation")
    browser.wait_until(
        f"!document.querySelector('.modal') && !!document.querySelector('{badge}.text-bg-danger')"
        f" && !document.querySelector('{finish}')",
        "original cancelled with motive 01",
    )
    state = browser.js(f"document.querySelector('{badge}').textContent.trim()")
    if state != "Cancelado":
        raise WalkFailed(f"the original's CFDI badge reads {state!r}, not Cancelado")
    screen("cancelled-01-original")
    browser.goto(f"/odoo/action-account.action_move_out_invoice_type/{replacement}")
    browser.wait(f"{badge}.text-bg-success", "the replacement still stamped")
    return screens


def main():
    try:
        BOOT["ensure_system"]()
        python = BOOT["odoo_python"](("requirements-test.txt",))
        addons = f"{BOOT['addon_link']('einvoice_walk_')},{BOOT['standard_addons_path'](python)}"
    except BOOT["BootstrapError"] as error:
        print(f"WALK NOT RUN: {error}")
        return 1
    odoo = [python, "-m", "odoo"]
    # the key that encrypts the CSD and PAC passwords (the walk's own, unless one is set)
    os.environ.setdefault("L10N_MX_EINVOICE_SECRET_KEY", Fernet.generate_key().decode())
    data_dir = DATA_DIR or tempfile.mkdtemp(prefix="einvoice_walk_data_")
    common = ["-d", DB, f"--addons-path={addons}", f"--data-dir={data_dir}"]
    common += ["--without-demo=all", "--log-level=warn"]
    SHOTS.mkdir(parents=True, exist_ok=True)
    if not REUSE:
        say(f"recreating database {DB} with l10n_mx_einvoice in {LANG}")
        subprocess.run(["dropdb", "--if-exists", DB], check=False)
        install = subprocess.run(
            [*odoo, *common, "-i", "l10n_mx_einvoice", f"--load-language={LANG}"]
            + ["--stop-after-init", "--no-http"]
        )
        if install.returncode != 0:
            print("WALK FAILED: installing the addon failed (see the log above)")
            return 1
    say("demo company, three draft invoices, the administrator in Spanish")
    setup = SETUP % {"setup": str(ROOT / "scripts" / "odoo_demo_setup.py"), "lang": LANG}
    shell = subprocess.run(
        [*odoo, "shell", *common, "--no-http"], input=setup, capture_output=True, text=True
    )
    lines = [line for line in shell.stdout.splitlines() if line.startswith("WALK_IDS=")]
    if shell.returncode != 0 or not lines:
        print(shell.stdout[-3000:], shell.stderr[-3000:])
        print("WALK FAILED: the setup failed")
        return 1
    ids = json.loads(lines[-1].split("=", 1)[1])
    port = free_port()
    server = subprocess.Popen(
        [*odoo, *common, f"--http-port={port}", "--http-interface=127.0.0.1"]
        + [f"--db-filter=^{DB}$", "--max-cron-threads=0"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    browser = None
    try:
        for _ in range(120):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/web/login", timeout=2)
                break
            except OSError:
                time.sleep(1)
        browser = Browser(f"http://127.0.0.1:{port}")
        screens = walk(browser, ids, english_terms())
    except WalkFailed as failure:
        print(f"WALK FAILED: {failure} (screens in {SHOTS})")
        return 1
    finally:
        if browser:
            browser.close()
        server.terminate()
        server.wait(timeout=30)
        if not DATA_DIR:
            shutil.rmtree(data_dir, ignore_errors=True)
    print(f"walk: {len(screens)} screens in Spanish, no English term of the addon ({SHOTS})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
