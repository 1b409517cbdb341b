"""The public self-invoicing page (facturación en línea): ticket -> RFC -> fiscal data ->
the stamped CFDI's XML and PDF.

Who may learn what: a ticket that does not exist, is not paid, or whose date or total is
wrong gives the one same answer (``NOT_FOUND``); only who typed a ticket's reference, date
and total learns that ticket's state. Between the steps, the ticket travels as a token
signed with the database secret (``odoo.tools.misc.hmac``), valid for TOKEN_MINUTES.
An RFC already known to the company is invoiced with the data on file: the page shows
no name, address or email of it, and asks the visitor to type the name and postal code,
which must match the file (as they must match SAT's records for the CFDI anyway)."""

import datetime as dt
import hmac as std_hmac
import re
import time
import unicodedata

from odoo import http
from odoo.addons.l10n_mx_einvoice.cfdi import catalogs
from odoo.addons.l10n_mx_einvoice.models.res_partner import RFC_PATTERN, normalize_rfc
from odoo.exceptions import ValidationError
from odoo.http import request
from odoo.tools.misc import hmac

from ..models.pos_order import normalize_reference

TOKEN_SCOPE = "l10n_mx_einvoice_pos_self_invoice"
TOKEN_MINUTES = 30
ROUTES = ["/facturacion", "/l10n_mx_einvoice/self_invoice"]
BASE = "/l10n_mx_einvoice/self_invoice"


def _same_name(left, right):
    def fold(text):
        text = unicodedata.normalize("NFKD", text or "")
        text = "".join(char for char in text if not unicodedata.combining(char))
        return re.sub(r"\s+", " ", text).strip().upper()

    return fold(left) == fold(right)


class L10nMxEinvoiceSelfInvoice(http.Controller):
    # --- pages ----------------------------------------------------------------------------

    @http.route(ROUTES, type="http", auth="public", website=True, sitemap=False, methods=["GET"])
    def self_invoice_form(self, ticket=None, **_kw):
        return self._render("ticket", {"values": {"reference": ticket or ""}})

    @http.route(
        f"{BASE}/ticket", type="http", auth="public", website=True, sitemap=False, methods=["POST"]
    )
    def self_invoice_ticket(self, reference="", date="", total="", **_kw):
        values = {"reference": reference, "date": date, "total": total}
        wait = self._wait(reference)
        if wait:
            return self._render("ticket", {"values": values, "error": self._wait_message(wait)})
        order = request.env["pos.order"]._l10n_mx_einvoice_self_invoice_find(
            reference, self._date(date), self._amount(total)
        )
        self._log(reference, failed=not order)
        if not order:
            return self._render("ticket", {"values": values, "error": self._not_found()})
        refusal = order._l10n_mx_einvoice_self_invoice_refusal()
        if refusal:
            return self._render("ticket", {"values": values, "error": refusal})
        return self._render("rfc", {"token": self._sign(order.id), "order": order})

    @http.route(
        f"{BASE}/rfc", type="http", auth="public", website=True, sitemap=False, methods=["POST"]
    )
    def self_invoice_rfc(self, token="", rfc="", **_kw):
        order = self._order_of(token)
        if not order:
            return self._expired()
        rfc = normalize_rfc(rfc)
        if not RFC_PATTERN.match(rfc):
            error = request.env._(
                "The RFC %(rfc)s does not have a valid shape: 12 characters for a company, 13 "
                "for a person.",
                rfc=rfc,
            )
            return self._render("rfc", {"token": token, "order": order, "error": error})
        partner = self._known_partner(order, rfc)
        return self._render("fiscal", self._fiscal_values(order, token, rfc, partner))

    @http.route(
        f"{BASE}/invoice", type="http", auth="public", website=True, sitemap=False, methods=["POST"]
    )
    def self_invoice_submit(self, token="", rfc="", **post):
        order = self._order_of(token)
        if not order:
            return self._expired()
        rfc = normalize_rfc(rfc)
        partner = self._known_partner(order, rfc) if RFC_PATTERN.match(rfc) else None
        values = {key: (post.get(key) or "").strip() for key in self._fiscal_fields()}
        values["uso"] = post.get("uso") or ""
        partner, errors = self._partner_for(order, rfc, partner, values)
        if errors:
            page = self._fiscal_values(order, token, rfc, self._known_partner(order, rfc))
            page.update(values=values, errors=errors)
            return self._render("fiscal", page)
        move = order._l10n_mx_einvoice_self_invoice(partner, values["uso"])
        if isinstance(move, str):
            return self._render("ticket", {"values": {}, "error": move})
        return self._render("done", {"move": move, "token": move._portal_ensure_token()})

    # --- the steps' helpers ----------------------------------------------------------------

    @staticmethod
    def _fiscal_fields():
        return ("name", "zip", "regimen", "email")

    def _fiscal_values(self, order, token, rfc, partner):
        moral = len(rfc) == 12
        usos = [
            (code, label)
            for code, label in request.env["res.partner"]
            ._fields["l10n_mx_einvoice_uso_cfdi"]
            ._description_selection(request.env)
            if catalogs.uso_cfdi_applies(code, moral=moral)
        ]
        regimenes = [
            (code, label)
            for code, label in request.env["res.partner"]
            ._fields["l10n_mx_einvoice_regimen_fiscal"]
            ._description_selection(request.env)
            if catalogs.regimen_applies(code, moral=moral)
        ]
        known = bool(partner)
        return {
            "token": token,
            "order": order,
            "rfc": rfc,
            "known": known,
            "usos": usos,
            "regimenes": regimenes,
            # prefill: only the catalog choices on file, never a name, address or email
            "values": {
                "uso": (partner.l10n_mx_einvoice_uso_cfdi if known else "") or "",
                "regimen": (partner.l10n_mx_einvoice_regimen_fiscal if known else "") or "",
            },
            "errors": [],
        }

    def _partner_for(self, order, rfc, partner, values):
        """(partner, errors): the known partner when the typed name and postal code match
        its file, else a new partner of the ticket's company from the typed data, checked
        the way the back office checks a partner."""
        env = request.env
        if not values["uso"]:
            return None, [env._("Choose the uso CFDI.")]
        if partner:
            if (
                not _same_name(values["name"], partner.name)
                or values["zip"] != (partner.zip or "").strip()
            ):
                return None, [
                    env._(
                        "The name or postal code does not match the data this store has for "
                        "the RFC %(rfc)s. Type them as your Constancia de Situación Fiscal "
                        "shows them, or contact the store to update its data.",
                        rfc=rfc,
                    )
                ]
            errors = env["res.partner"]._l10n_mx_einvoice_fiscal_errors(
                {
                    "name": partner.name,
                    "vat": rfc,
                    "zip": partner.zip,
                    "l10n_mx_einvoice_regimen_fiscal": partner.l10n_mx_einvoice_regimen_fiscal,
                    "l10n_mx_einvoice_uso_cfdi": values["uso"],
                }
            )
            return (None, errors) if errors else (partner, [])
        missing = [key for key in ("name", "zip", "regimen", "email") if not values[key]]
        if missing:
            return None, [env._("Fill in the name, postal code, régimen fiscal and email.")]
        vals = {
            "name": re.sub(r"\s+", " ", values["name"]).upper(),
            "vat": rfc,
            "zip": values["zip"],
            "email": values["email"],
            "l10n_mx_einvoice_regimen_fiscal": values["regimen"],
            "l10n_mx_einvoice_uso_cfdi": values["uso"],
            "is_company": len(rfc) == 12,
            "company_id": order.company_id.id,
            "country_id": env.ref("base.mx").id,
        }
        errors = env["res.partner"]._l10n_mx_einvoice_fiscal_errors(vals)
        if errors:
            return None, errors
        try:
            with env.cr.savepoint():
                return env["res.partner"].sudo().create(vals), []
        except ValidationError as error:
            return None, [str(error.args[0])]

    def _known_partner(self, order, rfc):
        return (
            request.env["res.partner"]
            .sudo()
            .search(
                [
                    ("vat", "=ilike", rfc),
                    ("company_id", "in", [False, order.company_id.id]),
                    ("parent_id", "=", False),
                ],
                limit=1,
            )
        )

    # --- token, rate limit, parsing ----------------------------------------------------------

    def _sign(self, order_id):
        expires = int(time.time()) + TOKEN_MINUTES * 60
        message = f"{order_id}.{expires}"
        return f"{message}.{hmac(request.env(su=True), TOKEN_SCOPE, message)}"

    def _order_of(self, token):
        """The ticket of a valid, unexpired token; else an empty recordset."""
        parts = (token or "").split(".")
        empty = request.env["pos.order"]
        if len(parts) != 3 or not parts[0].isdigit() or not parts[1].isdigit():
            return empty
        message = f"{parts[0]}.{parts[1]}"
        expected = hmac(request.env(su=True), TOKEN_SCOPE, message)
        if not std_hmac.compare_digest(expected, parts[2]) or int(parts[1]) < time.time():
            return empty
        return empty.sudo().browse(int(parts[0])).exists()

    def _ip(self):
        return request.httprequest.remote_addr or ""

    def _wait(self, reference):
        return request.env["l10n_mx_einvoice.self_invoice.attempt"]._blocked(
            self._ip(), normalize_reference(reference).upper()
        )

    def _log(self, reference, failed):
        request.env["l10n_mx_einvoice.self_invoice.attempt"]._log(
            self._ip(), normalize_reference(reference).upper(), failed
        )

    def _wait_message(self, minutes):
        return request.env._(
            "Too many attempts. For your security, wait %(minutes)s minutes and try again.",
            minutes=minutes,
        )

    def _not_found(self):
        return request.env._(
            "We found no paid ticket with this reference, date and total. Check them against "
            "your ticket (the total with taxes, the date as printed) and try again."
        )

    def _expired(self):
        return self._render(
            "ticket",
            {
                "values": {},
                "error": request.env._("The page expired. Type your ticket's data again."),
            },
        )

    @staticmethod
    def _date(text):
        try:
            return dt.date.fromisoformat((text or "").strip())
        except ValueError:
            return None

    @staticmethod
    def _amount(text):
        text = re.sub(r"[\s$,]", "", text or "")
        try:
            return float(text) if text else None
        except ValueError:
            return None

    def _render(self, step, values):
        return request.render(
            "l10n_mx_einvoice_pos_self_invoice.self_invoice_page",
            {"step": step, "error": None, "errors": [], "values": {}, **values},
        )
