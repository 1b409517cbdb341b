"""Vendor bills from received CFDI: one draft bill per stamped supplier CFDI 4.0, its
checks (seal, receiver RFC, totals, SAT status) and the mail-alias / dashboard path.

Files are read by the engine (``cfdi.reception``); this module maps a read CFDI to
Odoo records: the supplier by RFC, the lines' products, the purchase taxes.
"""

import logging
from decimal import Decimal

from odoo import Command, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL, float_repr

from ..cfdi import reception, sat_status
from ..cfdi.errors import CfdiError
from ..cfdi.pac.base import PacError
from .l10n_mx_einvoice_utils import engine_message
from .res_partner import RFC_PATTERN, normalize_rfc

_logger = logging.getLogger(__name__)

SAT_STATES = [
    ("vigente", "Vigente"),
    ("cancelado", "Cancelado"),
    ("not_found", "No encontrado"),
    ("unavailable", "Not checked (service unavailable)"),
]
SAT_STATE_OF = {"Vigente": "vigente", "Cancelado": "cancelado", "No Encontrado": "not_found"}
MOVE_TYPE_OF = {"I": "in_invoice", "E": "in_refund"}
STATUS_URL_PARAM = "l10n_mx_einvoice.sat_status_url"
# An Odoo tax matches a CFDI rate when they differ by at most this (chart 10.67 % vs SAT's
# 10.6667 %); an exact match is always preferred.
RATE_TOLERANCE = Decimal("0.0001")


def _float(value):
    return float(value) if value is not None else 0.0


class AccountMove(models.Model):
    _inherit = "account.move"

    l10n_mx_einvoice_vendor_uuid = fields.Char(
        string="Supplier CFDI UUID",
        copy=False,
        readonly=True,
        index=True,
        tracking=True,
        help="Fiscal folio of the supplier's CFDI this bill was imported from (unique per company).",
    )
    l10n_mx_einvoice_vendor_attachment_id = fields.Many2one(
        "ir.attachment",
        string="Supplier CFDI (XML)",
        copy=False,
        readonly=True,
    )
    l10n_mx_einvoice_vendor_issuer_rfc = fields.Char(
        string="Issuer RFC (CFDI)", copy=False, readonly=True
    )
    l10n_mx_einvoice_vendor_receiver_rfc = fields.Char(
        string="Receiver RFC (CFDI)", copy=False, readonly=True
    )
    l10n_mx_einvoice_vendor_fecha = fields.Char(
        string="CFDI date",
        copy=False,
        readonly=True,
        index=True,
        help="Fecha of the CFDI as written by the supplier (local time of the place of issue).",
    )
    l10n_mx_einvoice_vendor_total = fields.Monetary(
        string="CFDI total",
        copy=False,
        readonly=True,
        currency_field="currency_id",
    )
    l10n_mx_einvoice_vendor_seal_ok = fields.Boolean(
        string="Seal verifies", copy=False, readonly=True
    )
    l10n_mx_einvoice_vendor_receiver_ok = fields.Boolean(
        string="Receiver is this company",
        copy=False,
        readonly=True,
    )
    l10n_mx_einvoice_vendor_totals_ok = fields.Boolean(
        string="Totals match the CFDI",
        compute="_compute_l10n_mx_einvoice_vendor_totals_ok",
        store=True,
    )
    l10n_mx_einvoice_vendor_sat_state = fields.Selection(
        SAT_STATES,
        string="SAT status",
        copy=False,
        readonly=True,
        tracking=True,
    )
    l10n_mx_einvoice_vendor_sat_checked = fields.Datetime(
        string="SAT status checked on", copy=False, readonly=True
    )
    l10n_mx_einvoice_vendor_sat_message = fields.Char(
        string="SAT answer", copy=False, readonly=True
    )
    l10n_mx_einvoice_vendor_cancelled = fields.Boolean(
        string="Supplier CFDI cancelled",
        compute="_compute_l10n_mx_einvoice_vendor_cancelled",
        store=True,
        help="SAT reports the supplier's CFDI as cancelled: the bill is not deductible.",
    )
    l10n_mx_einvoice_vendor_notes = fields.Text(string="Import notes", copy=False, readonly=True)

    def init(self):
        result = super().init()
        self.env.cr.execute(
            """
            CREATE UNIQUE INDEX IF NOT EXISTS account_move_l10n_mx_einvoice_vendor_uuid_uniq
                ON account_move (company_id, upper(l10n_mx_einvoice_vendor_uuid))
             WHERE l10n_mx_einvoice_vendor_uuid IS NOT NULL
            """
        )
        return result

    @api.depends("amount_total", "l10n_mx_einvoice_vendor_total", "l10n_mx_einvoice_vendor_uuid")
    def _compute_l10n_mx_einvoice_vendor_totals_ok(self):
        for move in self:
            move.l10n_mx_einvoice_vendor_totals_ok = bool(
                move.l10n_mx_einvoice_vendor_uuid
            ) and not (
                move.currency_id.compare_amounts(
                    move.amount_total, move.l10n_mx_einvoice_vendor_total
                )
            )

    @api.depends("l10n_mx_einvoice_vendor_sat_state")
    def _compute_l10n_mx_einvoice_vendor_cancelled(self):
        for move in self:
            move.l10n_mx_einvoice_vendor_cancelled = (
                move.l10n_mx_einvoice_vendor_sat_state == "cancelado"
            )

    @api.ondelete(at_uninstall=False)
    def _unlink_except_vendor_cfdi(self):
        kept = self.filtered("l10n_mx_einvoice_vendor_attachment_id")
        if kept:
            raise UserError(
                self.env._(
                    "%(bills)s holds a supplier CFDI, which is kept for at least five years (CFF art. "
                    "30): cancel the bill instead of deleting it. / %(bills)s contiene un CFDI de "
                    "proveedor que se conserva al menos cinco años: cancele la factura en lugar de "
                    "eliminarla.",
                    bills=", ".join(kept.mapped("display_name")),
                )
            )

    # --- import -------------------------------------------------------------------------

    @api.model
    def _l10n_mx_einvoice_vendor_existing(self, company, uuid):
        return self.with_context(active_test=False).search(
            [
                ("company_id", "=", company.id),
                ("l10n_mx_einvoice_vendor_uuid", "=", uuid.strip().upper()),
            ],
            limit=1,
        )

    @api.model
    def _l10n_mx_einvoice_vendor_refuse_duplicate(self, company, uuid):
        existing = self._l10n_mx_einvoice_vendor_existing(company, uuid)
        if existing:
            raise UserError(
                self.env._(
                    "The CFDI %(uuid)s was already imported as %(bill)s (id %(id)s): it is not "
                    "imported twice. / El CFDI %(uuid)s ya se importó como %(bill)s.",
                    uuid=uuid,
                    bill=existing.display_name,
                    id=existing.id,
                )
            )

    @api.model
    def _l10n_mx_einvoice_vendor_partner(self, company, emisor):
        rfc = normalize_rfc(emisor.rfc)
        partners = (
            self.env["res.partner"]
            .with_context(active_test=False)
            .search(
                [
                    ("vat", "=ilike", rfc),
                    ("company_id", "in", (False, company.id)),
                ]
            )
        )
        partner = partners.filtered("active")[:1] or partners[:1]
        if partner:
            partner = partner.commercial_partner_id
            if not partner.l10n_mx_einvoice_regimen_fiscal and emisor.regimen_fiscal:
                partner.l10n_mx_einvoice_regimen_fiscal = emisor.regimen_fiscal
            return partner
        if not RFC_PATTERN.match(rfc):
            raise UserError(
                self.env._(
                    "The issuer RFC %(rfc)s of the CFDI does not have a valid shape; no supplier is "
                    "created. / El RFC del emisor %(rfc)s no tiene un formato válido.",
                    rfc=rfc,
                )
            )
        return self.env["res.partner"].create(
            {
                "name": emisor.nombre or rfc,
                "vat": rfc,
                "is_company": len(rfc) == 12,
                "country_id": self.env.ref("base.mx").id,
                "l10n_mx_einvoice_regimen_fiscal": emisor.regimen_fiscal or False,
                "supplier_rank": 1,
            }
        )

    @api.model
    def _l10n_mx_einvoice_vendor_tax_index(self, company):
        """[(impuesto, tipo_factor, tasa, retention, tax)] of the company's purchase taxes."""
        index = []
        taxes = self.env["account.tax"].search(
            [
                *self.env["account.tax"]._check_company_domain(company),
                ("type_tax_use", "=", "purchase"),
                ("amount_type", "in", ("percent", "fixed")),
            ],
            order="sequence, id",
        )
        for tax in taxes:
            try:
                values = tax._l10n_mx_einvoice_tax_values()
            except UserError:
                continue  # no SAT tax type: cannot be the tax of a CFDI
            index.append(
                (
                    values["impuesto"],
                    values["tipo_factor"],
                    values["tasa_o_cuota"],
                    values["retention"],
                    tax,
                )
            )
        return index

    @api.model
    def _l10n_mx_einvoice_vendor_tax(self, index, impuesto, tipo_factor, tasa, retention, notes):
        candidates = [
            (entry, entry[2])
            for entry in index
            if entry[0] == impuesto and entry[1] == tipo_factor and entry[3] == retention
        ]
        for entry, rate in candidates:
            if rate == tasa or (rate is None and tasa is None):
                return entry[4]
        near = [
            (abs(rate - tasa), entry)
            for entry, rate in candidates
            if rate is not None and tasa is not None and abs(rate - tasa) <= RATE_TOLERANCE
        ]
        if near:
            tax = min(near, key=lambda pair: pair[0])[1][4]
            notes.append(
                self.env._(
                    "%(kind)s %(impuesto)s at %(tasa)s mapped to the purchase tax %(tax)s "
                    "(nearest rate): check the tax amount.",
                    kind=self.env._("Retention") if retention else self.env._("Transferred tax"),
                    impuesto=impuesto,
                    tasa=tasa,
                    tax=tax.display_name,
                )
            )
            return tax
        raise UserError(
            self.env._(
                "The company has no purchase tax for %(kind)s %(impuesto)s %(factor)s %(tasa)s "
                "(impuesto 001 ISR, 002 IVA, 003 IEPS). Create it in Accounting > Configuration > "
                "Taxes (type Purchases, with its SAT tax type and factor) and import again. / La "
                "empresa no tiene un impuesto de compras para %(impuesto)s %(factor)s %(tasa)s.",
                kind=self.env._("retention") if retention else self.env._("transferred tax"),
                impuesto=impuesto,
                factor=tipo_factor,
                tasa=tasa if tasa is not None else "",
            )
        )

    @api.model
    def _l10n_mx_einvoice_vendor_product(self, company, partner, concepto):
        code = (concepto.no_identificacion or "").strip()
        Product = self.env["product.product"]
        company_domain = Product._check_company_domain(company)
        if code:
            info = self.env["product.supplierinfo"].search(
                [
                    ("partner_id", "=", partner.id),
                    ("product_code", "=", code),
                    *self.env["product.supplierinfo"]._check_company_domain(company),
                ],
                limit=1,
            )
            if info:
                return info.product_id or info.product_tmpl_id.product_variant_id
            product = Product.search([*company_domain, ("default_code", "=", code)], limit=1)
            if product:
                return product
        if concepto.clave_prod_serv:
            return Product.search(
                [
                    *company_domain,
                    (
                        "product_tmpl_id.l10n_mx_einvoice_clave_prod_serv_id.code",
                        "=",
                        concepto.clave_prod_serv,
                    ),
                ],
                limit=1,
            )
        return Product

    @api.model
    def _l10n_mx_einvoice_vendor_line(self, company, partner, concepto, tax_index, notes):
        taxes = self.env["account.tax"]
        concepto_taxes = concepto.impuestos
        for traslado in concepto_taxes.traslados if concepto_taxes else []:
            taxes |= self._l10n_mx_einvoice_vendor_tax(
                tax_index,
                traslado.impuesto,
                traslado.tipo_factor,
                traslado.tasa_o_cuota,
                False,
                notes,
            )
        for retencion in concepto_taxes.retenciones if concepto_taxes else []:
            taxes |= self._l10n_mx_einvoice_vendor_tax(
                tax_index,
                retencion.impuesto,
                retencion.tipo_factor,
                retencion.tasa_o_cuota,
                True,
                notes,
            )
        product = self._l10n_mx_einvoice_vendor_product(company, partner, concepto)
        importe = concepto.importe or Decimal(0)
        discount = (
            (concepto.descuento / importe * 100) if concepto.descuento and importe else Decimal(0)
        )
        name = concepto.descripcion
        if concepto.no_identificacion:
            name = f"[{concepto.no_identificacion}] {name}"
        quantity, price_unit = concepto.cantidad, concepto.valor_unitario
        price_digits = self.env["decimal.precision"].precision_get("Product Price")
        per_unit_tax = any(tax.amount_type == "fixed" for tax in taxes)  # IEPS Cuota: × quantity
        if (
            price_unit is not None
            and price_unit != round(price_unit, price_digits)
            and not per_unit_tax
        ):
            # Odoo would round the price and the line would miss the CFDI's Importe by cents:
            # one unit at the Importe keeps the bill's total equal to the CFDI's.
            name = f"{name} ({quantity} × {price_unit})"
            quantity, price_unit = Decimal(1), importe
            notes.append(
                self.env._(
                    "'%(line)s': the unit price has more decimals than Odoo's Product Price precision "
                    "(%(digits)s); imported as 1 × %(importe)s, the CFDI's Importe.",
                    line=concepto.descripcion,
                    digits=price_digits,
                    importe=importe,
                )
            )
        values = {
            "name": name,
            "quantity": _float(quantity),
            "price_unit": _float(price_unit),
            "discount": _float(discount),
            "tax_ids": [Command.set(taxes.ids)],
            "is_imported": True,  # Odoo keeps imported taxes and prices (no product defaults)
        }
        if product:
            values["product_id"] = product.id
        else:
            notes.append(
                self.env._(
                    "No product found for '%(line)s' (NoIdentificacion %(code)s, "
                    "ClaveProdServ %(clave)s).",
                    line=concepto.descripcion,
                    code=concepto.no_identificacion or "-",
                    clave=concepto.clave_prod_serv,
                )
            )
        return values

    @api.model
    def _l10n_mx_einvoice_vendor_currency(self, code):
        currency = (
            self.env["res.currency"]
            .with_context(active_test=False)
            .search([("name", "=", code or "MXN")], limit=1)
        )
        if not currency:
            raise UserError(
                self.env._("The CFDI currency %(code)s is not known in Odoo.", code=code)
            )
        if not currency.active:
            currency.active = True
        return currency

    @api.model
    def _l10n_mx_einvoice_vendor_values(self, received, journal, tax_index=None):
        """Values of the draft bill of ``received`` (a ``cfdi.reception.ReceivedCfdi``);
        ``tax_index`` (``_l10n_mx_einvoice_vendor_tax_index``) is given when importing many."""
        company = journal.company_id
        c = received.comprobante
        partner = self._l10n_mx_einvoice_vendor_partner(company, c.emisor)
        if tax_index is None:
            tax_index = self._l10n_mx_einvoice_vendor_tax_index(company)
        notes = []
        lines = [
            self._l10n_mx_einvoice_vendor_line(company, partner, concepto, tax_index, notes)
            for concepto in c.conceptos
        ]
        company_rfc = normalize_rfc(company.vat)
        receiver_rfc = normalize_rfc(c.receptor.rfc)
        if not received.seal_ok:
            notes.insert(
                0,
                self.env._(
                    "The seal (Sello) does not verify: the XML was altered after it "
                    "was signed, or it is not authentic."
                ),
            )
        if receiver_rfc != company_rfc:
            notes.insert(
                0,
                self.env._(
                    "The receiver RFC %(rfc)s is not the company's (%(company)s).",
                    rfc=receiver_rfc,
                    company=company_rfc or "-",
                ),
            )
        serie_folio = f"{c.serie or ''}{c.folio or ''}"
        return {
            "move_type": MOVE_TYPE_OF[c.tipo_de_comprobante],
            "journal_id": journal.id,
            "company_id": company.id,
            "partner_id": partner.id,
            "invoice_date": c.fecha.date() if c.fecha else False,
            "ref": serie_folio or received.uuid,
            "currency_id": self._l10n_mx_einvoice_vendor_currency(c.moneda).id,
            "invoice_line_ids": [Command.create(line) for line in lines],
            "l10n_mx_einvoice_vendor_uuid": received.uuid,
            "l10n_mx_einvoice_vendor_issuer_rfc": normalize_rfc(c.emisor.rfc),
            "l10n_mx_einvoice_vendor_receiver_rfc": receiver_rfc,
            "l10n_mx_einvoice_vendor_fecha": c.fecha.isoformat(timespec="seconds")
            if c.fecha
            else False,
            "l10n_mx_einvoice_vendor_total": _float(c.total),
            "l10n_mx_einvoice_vendor_seal_ok": received.seal_ok,
            "l10n_mx_einvoice_vendor_receiver_ok": receiver_rfc == company_rfc,
            "l10n_mx_einvoice_vendor_notes": "\n".join(notes) or False,
        }

    def _l10n_mx_einvoice_vendor_attachment_values(self, received):
        self.ensure_one()
        c = received.comprobante
        return {
            "name": f"{normalize_rfc(c.emisor.rfc)}-{c.serie or ''}{c.folio or ''}-{received.uuid}.xml",
            "raw": received.data,
            "mimetype": "application/xml",
            "res_model": self._name,
            "res_id": self.id,
            "description": self.env._("Supplier CFDI %s", received.uuid),
        }

    def _l10n_mx_einvoice_vendor_attach(self, attachment):
        """Keep ``attachment`` (already holding the XML) as this bill's supplier CFDI."""
        self.ensure_one()
        if (attachment.res_model, attachment.res_id) != (self._name, self.id):
            attachment.write({"res_model": self._name, "res_id": self.id})
        self.l10n_mx_einvoice_vendor_attachment_id = attachment
        return attachment

    @api.model
    def _l10n_mx_einvoice_vendor_create_many(self, journal, prepared):
        """Draft bills for ``[(received, values)]`` in one batch (same order), XML attached."""
        moves = (
            self.with_company(journal.company_id)
            .with_context(
                skip_is_manually_modified=True,
                mail_create_nolog=True,
                mail_create_nosubscribe=True,  # the summary message says it
            )
            .create([values for _received, values in prepared])
        )
        attachments = self.env["ir.attachment"].create(
            [
                move._l10n_mx_einvoice_vendor_attachment_values(received)
                for move, (received, _values) in zip(moves, prepared, strict=True)
            ]
        )
        # Linked in SQL: an ORM write of a move re-runs Odoo's line synchronisation (tens of
        # milliseconds per bill) for a field no computation depends on.
        moves.flush_recordset()
        self.env.cr.execute(
            SQL(
                """UPDATE account_move AS move SET l10n_mx_einvoice_vendor_attachment_id = link.attachment_id
                 FROM (VALUES %s) AS link(move_id, attachment_id) WHERE move.id = link.move_id""",
                SQL(", ").join(
                    SQL("(%s, %s)", move_id, attachment_id)
                    for move_id, attachment_id in zip(moves.ids, attachments.ids, strict=True)
                ),
            )
        )
        moves.invalidate_recordset(["l10n_mx_einvoice_vendor_attachment_id"])
        for move in moves:
            move._l10n_mx_einvoice_vendor_post_summary()
        return moves

    @api.model
    def _l10n_mx_einvoice_vendor_create(self, received, journal):
        """One draft bill (with the XML attached) for a received CFDI; UserError if refused."""
        self._l10n_mx_einvoice_vendor_refuse_duplicate(journal.company_id, received.uuid)
        values = self._l10n_mx_einvoice_vendor_values(received, journal)
        return self._l10n_mx_einvoice_vendor_create_many(journal, [(received, values)])

    def _l10n_mx_einvoice_vendor_fill(self, received, attachment):
        """Fill this empty draft bill from a received CFDI (mail alias, dashboard upload)."""
        self.ensure_one()
        self._l10n_mx_einvoice_vendor_refuse_duplicate(self.company_id, received.uuid)
        values = self._l10n_mx_einvoice_vendor_values(received, self.journal_id)
        self.with_context(skip_is_manually_modified=True).write(values)
        if not attachment:  # an XML embedded in a PDF has no attachment of its own
            attachment = self.env["ir.attachment"].create(
                self._l10n_mx_einvoice_vendor_attachment_values(received)
            )
        self._l10n_mx_einvoice_vendor_attach(attachment)
        self._l10n_mx_einvoice_vendor_post_summary()
        return True

    def _l10n_mx_einvoice_vendor_problems(self):
        """Human-readable list of failed checks (empty when every check passed)."""
        self.ensure_one()
        problems = []
        if not self.l10n_mx_einvoice_vendor_seal_ok:
            problems.append(self.env._("seal does not verify"))
        if not self.l10n_mx_einvoice_vendor_receiver_ok:
            problems.append(self.env._("receiver RFC is not the company's"))
        if not self.l10n_mx_einvoice_vendor_totals_ok:
            problems.append(
                self.env._(
                    "bill total %(bill)s differs from the CFDI total %(cfdi)s",
                    bill=self.amount_total,
                    cfdi=self.l10n_mx_einvoice_vendor_total,
                )
            )
        if self.l10n_mx_einvoice_vendor_cancelled:
            problems.append(self.env._("the CFDI is CANCELLED at SAT"))
        return problems

    def _l10n_mx_einvoice_vendor_post_summary(self):
        problems = self._l10n_mx_einvoice_vendor_problems()
        body = self.env._(
            "Imported from the supplier CFDI %(uuid)s.", uuid=self.l10n_mx_einvoice_vendor_uuid
        )
        if problems:
            body = self.env._(
                "%(body)s Checks failed: %(problems)s.", body=body, problems="; ".join(problems)
            )
        self.message_post(body=body)

    # --- SAT status ---------------------------------------------------------------------

    @api.model
    def _l10n_mx_einvoice_vendor_status_service(self, company):
        """A function (uuid, issuer_rfc, receiver_rfc, total) -> StatusResult.

        The URL in the system parameter ``l10n_mx_einvoice.sat_status_url`` wins (a proxy or
        a test server); else a company on the sandbox PAC asks the sandbox (which knows only
        what it stamped); else SAT's public service.
        """
        url = self.env["ir.config_parameter"].sudo().get_param(STATUS_URL_PARAM)
        account = company.sudo().l10n_mx_einvoice_stamp_account_id
        if not url and account and account.provider == "sandbox":
            return account._get_connector().status
        client = sat_status.SatStatusClient(url or sat_status.PRODUCTION_URL, timeout=20.0)
        return client.query

    def _l10n_mx_einvoice_vendor_check_status(self):
        """Ask SAT for the status of these bills' CFDI; flag the cancelled ones."""
        services = {}
        for move in self.filtered("l10n_mx_einvoice_vendor_uuid"):
            company = move.company_id
            try:
                if company not in services:
                    services[company] = self._l10n_mx_einvoice_vendor_status_service(company)
                result = services[company](
                    move.l10n_mx_einvoice_vendor_uuid,
                    move.l10n_mx_einvoice_vendor_issuer_rfc,
                    move.l10n_mx_einvoice_vendor_receiver_rfc,
                    Decimal(
                        float_repr(
                            move.l10n_mx_einvoice_vendor_total, move.currency_id.decimal_places
                        )
                    ),
                )
            except (PacError, CfdiError) as error:
                _logger.warning(
                    "SAT status of %s not checked: %s",
                    move.l10n_mx_einvoice_vendor_uuid,
                    error.code,
                )
                move.write(
                    {
                        "l10n_mx_einvoice_vendor_sat_state": move.l10n_mx_einvoice_vendor_sat_state
                        or "unavailable",
                        "l10n_mx_einvoice_vendor_sat_message": engine_message(self.env, error)[
                            :250
                        ],
                    }
                )
                continue
            state = SAT_STATE_OF.get(result.estado, "not_found")
            was_cancelled = move.l10n_mx_einvoice_vendor_cancelled
            move.write(
                {
                    "l10n_mx_einvoice_vendor_sat_state": state,
                    "l10n_mx_einvoice_vendor_sat_checked": fields.Datetime.now(),
                    "l10n_mx_einvoice_vendor_sat_message": " · ".join(
                        part
                        for part in (
                            result.estado,
                            result.estatus_cancelacion,
                            result.codigo_estatus,
                        )
                        if part
                    )[:250],
                }
            )
            if state == "cancelado" and not was_cancelled:
                move.message_post(
                    body=self.env._(
                        "SAT reports the supplier CFDI %(uuid)s as CANCELLED: this bill is not "
                        "deductible. Ask the supplier for the replacement CFDI. / El SAT reporta el "
                        "CFDI %(uuid)s del proveedor como CANCELADO.",
                        uuid=move.l10n_mx_einvoice_vendor_uuid,
                    )
                )
        return True

    def action_l10n_mx_einvoice_vendor_check_status(self):
        self._l10n_mx_einvoice_vendor_check_status()
        return True

    @api.model
    def _cron_l10n_mx_einvoice_vendor_status(self, limit=200, days=7):
        """Re-check bills whose supplier CFDI was never checked or not in the last ``days``."""
        threshold = fields.Datetime.subtract(fields.Datetime.now(), days=days)
        moves = self.search(
            [
                ("l10n_mx_einvoice_vendor_uuid", "!=", False),
                ("l10n_mx_einvoice_vendor_sat_state", "!=", "cancelado"),
                ("state", "!=", "cancel"),
                "|",
                ("l10n_mx_einvoice_vendor_sat_checked", "=", False),
                ("l10n_mx_einvoice_vendor_sat_checked", "<", threshold),
            ],
            limit=limit,
            order="l10n_mx_einvoice_vendor_sat_checked asc nulls first, id",
        )
        for move in moves:
            move._l10n_mx_einvoice_vendor_check_status()
            move._l10n_mx_einvoice_commit()
        return True

    # --- mail alias and dashboard upload (Odoo's EDI import hooks) -----------------------

    def _get_edi_decoder(self, file_data, new=False):
        # EXTENDS account
        if (
            file_data.get("type") == "xml"
            and self.is_purchase_document()
            and reception.is_cfdi_tree(file_data.get("xml_tree"))
        ):
            return self._l10n_mx_einvoice_vendor_decode
        if file_data.get("type") == "hostile_xml" and self.is_purchase_document():
            return self._l10n_mx_einvoice_vendor_refuse
        return super()._get_edi_decoder(file_data, new=new)

    def _l10n_mx_einvoice_vendor_refuse(self, invoice, file_data, new):
        """An XML refused before parsing (DOCTYPE, entities): the bill says why."""
        return self._l10n_mx_einvoice_vendor_not_imported(
            invoice, file_data, engine_message(self.env, file_data["error"])
        )

    def _l10n_mx_einvoice_vendor_decode(self, invoice, file_data, new):
        """Odoo's decoder signature; never raises so the other attachments are processed."""
        try:
            received = reception.read_cfdi(file_data["filename"], file_data["content"])
            with self.env.cr.savepoint():
                invoice._l10n_mx_einvoice_vendor_fill(received, file_data.get("attachment"))
        except CfdiError as error:
            return self._l10n_mx_einvoice_vendor_not_imported(
                invoice, file_data, engine_message(self.env, error)
            )
        except UserError as error:
            return self._l10n_mx_einvoice_vendor_not_imported(invoice, file_data, error.args[0])
        return True

    def _l10n_mx_einvoice_vendor_not_imported(self, invoice, file_data, reason):
        invoice.message_post(
            body=self.env._(
                "%(file)s was not imported: %(reason)s", file=file_data["filename"], reason=reason
            )
        )
        return False
