"""The CFDI as the journal entry shows it.

An invoice, a credit note or a customer payment's entry is the subject of CFDI documents
(``l10n_mx_einvoice.document``), which own the lifecycle: the entry's CFDI state, UUID
and stamped XML are computed from them and written by nobody. A vendor bill keeps the
supplier's CFDI it was imported from (read by ``l10n_mx_einvoice.bill.reader``).
"""

import logging
import re
from decimal import Decimal

from markupsafe import escape
from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import float_repr

from ..cfdi import reception, sat
from ..cfdi.errors import CfdiError
from ..cfdi.pac.base import PacError
from .l10n_mx_einvoice_utils import (
    MANAGER_GROUP,
    USER_GROUP,
    catalog_selection,
    check_kept_fields,
    engine_message,
    kept_fields,
)

_logger = logging.getLogger(__name__)

CFDI_STATES = [
    ("to_stamp", "To stamp"),
    ("stamped", "Stamped"),
    ("cancel_requested", "Cancellation requested"),
    ("cancelled", "Cancelled"),
    ("error", "Error"),
]
LIVE_STATES = ("stamped", "cancel_requested")
# a selection this large is stamped in the background (l10n_mx_einvoice.stamp.run)
BACKGROUND_FROM = 100
# Fields whose change would make the stamped CFDI say something else than the entry.
CFDI_FIELDS = frozenset(
    {
        "partner_id",
        "commercial_partner_id",
        "invoice_line_ids",
        "line_ids",
        "invoice_date",
        "date",
        "currency_id",
        "invoice_payment_term_id",
        "journal_id",
        "company_id",
        "move_type",
        "l10n_mx_einvoice_uso_cfdi",
        "l10n_mx_einvoice_metodo_pago",
        "l10n_mx_einvoice_forma_pago",
        "l10n_mx_einvoice_exportacion",
        "l10n_mx_einvoice_certificado_origen",
        "l10n_mx_einvoice_num_certificado_origen",
        "l10n_mx_einvoice_exportador_confiable",
        "l10n_mx_einvoice_tipo_relacion",
        "l10n_mx_einvoice_related_uuids",
        "l10n_mx_einvoice_anticipo_ids",
        "l10n_mx_einvoice_carta_porte",
        "l10n_mx_einvoice_cp_origin_id",
        "l10n_mx_einvoice_cp_departure",
        "l10n_mx_einvoice_cp_destination_id",
        "l10n_mx_einvoice_cp_arrival",
        "l10n_mx_einvoice_cp_distance",
        "l10n_mx_einvoice_cp_vehicle_id",
        "l10n_mx_einvoice_cp_driver_id",
        "l10n_mx_einvoice_cp_international",
        "l10n_mx_einvoice_cp_entrada_salida",
        "l10n_mx_einvoice_cp_via",
        "l10n_mx_einvoice_cp_regimen_aduanero",
        "l10n_mx_einvoice_cp_pedimento",
        "l10n_mx_einvoice_cp_goods_ids",
    }
)
UUID_PATTERN = re.compile(
    r"[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}"
)
VENDOR_SAT_STATES = [
    ("vigente", "Valid"),
    ("cancelado", "Cancelled"),
    ("not_found", "Not found"),
    ("unavailable", "Not checked (service unavailable)"),
]
VENDOR_SAT_STATE_OF = {"Vigente": "vigente", "Cancelado": "cancelado", "No Encontrado": "not_found"}


class AccountMove(models.Model):
    _inherit = "account.move"

    # --- the CFDI data the accountant chooses --------------------------------------------
    l10n_mx_einvoice_uso_cfdi = fields.Selection(
        selection=lambda self: catalog_selection("c_UsoCFDI"),
        string="CFDI use",
        compute="_compute_l10n_mx_einvoice_uso_cfdi",
        store=True,
        readonly=False,
        copy=False,
    )
    l10n_mx_einvoice_metodo_pago = fields.Selection(
        selection=lambda self: catalog_selection("c_MetodoPago"),
        string="Payment method (SAT)",
        compute="_compute_l10n_mx_einvoice_metodo_pago",
        store=True,
        readonly=False,
        copy=False,
    )
    l10n_mx_einvoice_forma_pago = fields.Selection(
        selection=lambda self: catalog_selection("c_FormaPago"),
        string="Form of payment (SAT)",
        compute="_compute_l10n_mx_einvoice_forma_pago",
        store=True,
        readonly=False,
        copy=False,
    )
    l10n_mx_einvoice_exportacion = fields.Selection(
        selection=lambda self: catalog_selection("c_Exportacion"),
        string="Export",
        default="01",
        copy=False,
    )
    l10n_mx_einvoice_addenda_order = fields.Char(
        string="Customer order number", copy=False, help="Addenda: the buyer's purchase order."
    )
    l10n_mx_einvoice_addenda_order_date = fields.Date(string="Customer order date", copy=False)
    l10n_mx_einvoice_addenda_attachment_id = fields.Many2one(
        "ir.attachment",
        string="CFDI with addenda",
        copy=False,
        readonly=True,
        help="The stamped XML with the customer's addenda: the file sent to the customer.",
    )
    l10n_mx_einvoice_certificado_origen = fields.Boolean(
        string="Certificate of origin",
        copy=False,
        help="Comercio Exterior: the goods travel with a certificate of origin "
        "(CertificadoOrigen 1).",
    )
    l10n_mx_einvoice_num_certificado_origen = fields.Char(
        string="Certificate of origin number", copy=False
    )
    l10n_mx_einvoice_exportador_confiable = fields.Char(
        string="Approved exporter number",
        copy=False,
        help="Comercio Exterior: NumeroExportadorConfiable, when the exporter is one.",
    )
    # --- Carta Porte of a freight service (a carrier's income CFDI) ----------------------
    l10n_mx_einvoice_carta_porte = fields.Boolean(
        string="Freight with Carta Porte",
        copy=False,
        help="This invoice charges a road freight service: it carries the Carta Porte of "
        "the trip (origin, destination, goods, vehicle and driver).",
    )
    l10n_mx_einvoice_cp_origin_id = fields.Many2one(
        "res.partner", string="Origin (sender)", copy=False, help="Ubicacion Origen."
    )
    l10n_mx_einvoice_cp_departure = fields.Datetime(string="Departure", copy=False)
    l10n_mx_einvoice_cp_destination_id = fields.Many2one(
        "res.partner", string="Destination (recipient)", copy=False, help="Ubicacion Destino."
    )
    l10n_mx_einvoice_cp_arrival = fields.Datetime(string="Estimated arrival", copy=False)
    l10n_mx_einvoice_cp_distance = fields.Float(
        string="Distance (km)", digits=(16, 2), copy=False, help="DistanciaRecorrida."
    )
    l10n_mx_einvoice_cp_vehicle_id = fields.Many2one(
        "l10n_mx_einvoice.vehicle", string="Vehicle", check_company=True, copy=False
    )
    l10n_mx_einvoice_cp_driver_id = fields.Many2one(
        "res.partner", string="Driver", copy=False, help="Figura de transporte 01 (operador)."
    )
    l10n_mx_einvoice_cp_international = fields.Boolean(string="International transport", copy=False)
    l10n_mx_einvoice_cp_entrada_salida = fields.Selection(
        [("Entrada", "Entry into Mexico"), ("Salida", "Exit from Mexico")],
        string="Goods enter or leave",
        copy=False,
    )
    l10n_mx_einvoice_cp_via = fields.Selection(
        selection=lambda self: catalog_selection("c_CveTransporte"),
        string="Way of entry / exit",
        default="01",
        copy=False,
    )
    l10n_mx_einvoice_cp_regimen_aduanero = fields.Selection(
        selection=lambda self: catalog_selection("c_RegimenAduanero"),
        string="Customs regime",
        copy=False,
    )
    l10n_mx_einvoice_cp_pedimento = fields.Char(
        string="Pedimento", copy=False, help="NumPedimento of the goods' customs document."
    )
    l10n_mx_einvoice_cp_goods_ids = fields.One2many(
        "l10n_mx_einvoice.freight.goods", "move_id", string="Goods transported", copy=False
    )
    l10n_mx_einvoice_tipo_relacion = fields.Selection(
        selection=lambda self: catalog_selection("c_TipoRelacion"),
        string="Relation type",
        compute="_compute_l10n_mx_einvoice_related",
        store=True,
        readonly=False,
        copy=False,
    )
    l10n_mx_einvoice_related_uuids = fields.Text(
        string="Related CFDI (UUIDs)",
        compute="_compute_l10n_mx_einvoice_related",
        store=True,
        readonly=False,
        copy=False,
        help="UUIDs of the related CFDI, one per line.",
    )

    l10n_mx_einvoice_anticipo_ids = fields.Many2many(
        "account.move",
        "l10n_mx_einvoice_move_anticipo_rel",
        "move_id",
        "anticipo_id",
        string="Down payments applied (CFDI)",
        compute="_compute_l10n_mx_einvoice_anticipo_ids",
        store=True,
        readonly=False,
        copy=False,
        domain="[('move_type', '=', 'out_invoice'), ('state', '=', 'posted'), "
        "('company_id', '=', company_id), ('commercial_partner_id', '=', commercial_partner_id), "
        "('l10n_mx_einvoice_uuid', '!=', False), ('id', '!=', id)]",
        help="Stamped down payment invoices (anticipos) this invoice applies: its CFDI is related "
        "to them with TipoRelacion 07. Filled from the invoice's down payment deduction lines.",
    )

    # --- the CFDI as its documents say (computed, never written) --------------------------
    l10n_mx_einvoice_document_ids = fields.One2many(
        "l10n_mx_einvoice.document",
        "move_id",
        string="CFDI documents",
        copy=False,
        readonly=True,
    )
    l10n_mx_einvoice_document_id = fields.Many2one(
        "l10n_mx_einvoice.document",
        string="Current CFDI",
        compute="_compute_l10n_mx_einvoice_document_id",
        store=True,
    )
    l10n_mx_einvoice_needed = fields.Boolean(compute="_compute_l10n_mx_einvoice_needed")
    l10n_mx_einvoice_state = fields.Selection(
        CFDI_STATES,
        string="CFDI state",
        compute="_compute_l10n_mx_einvoice_state",
        store=True,
        index=True,
        tracking=True,
    )
    l10n_mx_einvoice_uuid = fields.Char(
        string="Fiscal folio (UUID)",
        compute="_compute_l10n_mx_einvoice_uuid",
        store=True,
        index=True,
        tracking=True,
    )
    l10n_mx_einvoice_attachment_id = fields.Many2one(
        "ir.attachment",
        string="Stamped CFDI (XML)",
        compute="_compute_l10n_mx_einvoice_uuid",
        store=True,
    )
    l10n_mx_einvoice_message = fields.Text(
        string="CFDI message", compute="_compute_l10n_mx_einvoice_message"
    )
    l10n_mx_einvoice_complement_message = fields.Text(
        string="Payment complement problems",
        compute="_compute_l10n_mx_einvoice_complement_message",
        help="Why the payment complements of this invoice's payments were not stamped.",
    )
    l10n_mx_einvoice_problems = fields.Text(
        string="CFDI problems",
        readonly=True,
        copy=False,
        help="Why the last automatic stamping stopped before anything was sent to the PAC.",
    )
    l10n_mx_einvoice_sat_estado = fields.Char(
        string="SAT status", related="l10n_mx_einvoice_document_id.sat_estado"
    )
    l10n_mx_einvoice_sat_es_cancelable = fields.Char(
        string="Cancellable", related="l10n_mx_einvoice_document_id.sat_es_cancelable"
    )
    l10n_mx_einvoice_sat_estatus_cancelacion = fields.Char(
        string="Cancellation status",
        related="l10n_mx_einvoice_document_id.sat_estatus_cancelacion",
    )
    l10n_mx_einvoice_sat_checked = fields.Datetime(
        string="SAT status checked on", related="l10n_mx_einvoice_document_id.sat_checked"
    )
    # a sale in a global invoice; an invoice in payment complements
    l10n_mx_einvoice_global_document_ids = fields.Many2many(
        "l10n_mx_einvoice.document",
        "l10n_mx_einvoice_document_sale_rel",
        "sale_id",
        "document_id",
        string="Global invoices",
        readonly=True,
        copy=False,
    )
    l10n_mx_einvoice_global_document_id = fields.Many2one(
        "l10n_mx_einvoice.document",
        string="Global invoice",
        compute="_compute_l10n_mx_einvoice_global_document_id",
        help="The global CFDI (factura global) that covers this sale to público en general.",
    )
    l10n_mx_einvoice_complement_document_ids = fields.Many2many(
        "l10n_mx_einvoice.document",
        "l10n_mx_einvoice_document_invoice_rel",
        "invoice_id",
        "document_id",
        string="Payment complements",
        readonly=True,
        copy=False,
    )
    l10n_mx_einvoice_replacement_id = fields.Many2one(
        "account.move",
        string="Replacement CFDI",
        compute="_compute_l10n_mx_einvoice_replacement_id",
        help="The stamped CFDI that replaces this one (TipoRelacion 04): cancel this one with "
        "motive 01 once it is stamped.",
    )
    l10n_mx_einvoice_payment_invoice_ids = fields.Many2many(
        "account.move",
        string="Invoices in the payment complement",
        compute="_compute_l10n_mx_einvoice_payment_invoice_ids",
        help="The PPD invoices the payment complement (CFDI type P) of this payment relates.",
    )

    # --- a vendor bill's supplier CFDI ------------------------------------------------------
    l10n_mx_einvoice_vendor_uuid = fields.Char(
        string="Supplier CFDI UUID",
        copy=False,
        readonly=True,
        index=True,
        tracking=True,
        help="Fiscal folio of the supplier's CFDI this bill was imported from (unique per company).",
    )
    l10n_mx_einvoice_vendor_attachment_id = fields.Many2one(
        "ir.attachment", string="Supplier CFDI (XML)", copy=False, readonly=True
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
        string="CFDI total", copy=False, readonly=True, currency_field="currency_id"
    )
    l10n_mx_einvoice_vendor_seal_ok = fields.Boolean(
        string="Seal verifies", copy=False, readonly=True
    )
    l10n_mx_einvoice_vendor_receiver_ok = fields.Boolean(
        string="Receiver is this company", copy=False, readonly=True
    )
    l10n_mx_einvoice_vendor_totals_ok = fields.Boolean(
        string="Totals match the CFDI",
        compute="_compute_l10n_mx_einvoice_vendor_totals_ok",
        store=True,
    )
    l10n_mx_einvoice_vendor_sat_state = fields.Selection(
        VENDOR_SAT_STATES,
        string="SAT status (supplier CFDI)",
        copy=False,
        readonly=True,
        tracking=True,
    )
    l10n_mx_einvoice_vendor_sat_checked = fields.Datetime(
        string="Supplier CFDI checked at SAT on", copy=False, readonly=True
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
    l10n_mx_einvoice_vendor_allowed_by = fields.Many2one(
        "res.users",
        string="Posting allowed by",
        copy=False,
        readonly=True,
        help="The CFDI manager who allowed posting this bill although its supplier CFDI fails "
        "the seal or is addressed to another RFC.",
    )
    l10n_mx_einvoice_vendor_allowed_reason = fields.Text(
        string="Why posting was allowed", copy=False, readonly=True
    )
    l10n_mx_einvoice_vendor_metodo_pago = fields.Char(
        string="Payment method (supplier CFDI)", copy=False, readonly=True
    )
    l10n_mx_einvoice_vendor_payment_ids = fields.One2many(
        "l10n_mx_einvoice.vendor.payment",
        "move_id",
        string="Supplier payment complements",
        readonly=True,
    )
    l10n_mx_einvoice_vendor_payment_missing = fields.Boolean(
        string="Waiting for a payment complement",
        compute="_compute_l10n_mx_einvoice_vendor_payment_missing",
        store=True,
        help="A posted PPD bill paid (in part or in full) for more than its supplier's payment "
        "complements cover: its IVA is not creditable until the supplier issues them.",
    )

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

    # --- defaults of the CFDI data ----------------------------------------------------------

    @api.depends("partner_id", "move_type")
    def _compute_l10n_mx_einvoice_uso_cfdi(self):
        for move in self:
            if move.l10n_mx_einvoice_state in LIVE_STATES:
                move.l10n_mx_einvoice_uso_cfdi = move.l10n_mx_einvoice_uso_cfdi
                continue
            partner = move.partner_id.commercial_partner_id
            if move.move_type == "out_refund" and partner.l10n_mx_einvoice_uso_cfdi != "S01":
                move.l10n_mx_einvoice_uso_cfdi = "G02"  # SAT: a credit note is "devoluciones"
                continue
            move.l10n_mx_einvoice_uso_cfdi = (
                partner.l10n_mx_einvoice_uso_cfdi or move.l10n_mx_einvoice_uso_cfdi or "G03"
            )

    @api.depends("invoice_payment_term_id", "invoice_date", "invoice_date_due")
    def _compute_l10n_mx_einvoice_metodo_pago(self):
        for move in self:
            if move.l10n_mx_einvoice_state in LIVE_STATES:
                move.l10n_mx_einvoice_metodo_pago = move.l10n_mx_einvoice_metodo_pago
                continue
            term = move.invoice_payment_term_id
            move.l10n_mx_einvoice_metodo_pago = (
                term._l10n_mx_einvoice_metodo_pago() if term else "PUE"
            )

    @api.depends(
        "l10n_mx_einvoice_metodo_pago",
        "journal_id",
        "reversed_entry_id",
        "l10n_mx_einvoice_anticipo_ids",
    )
    def _compute_l10n_mx_einvoice_forma_pago(self):
        anticipo = self.env["l10n_mx_einvoice.anticipo"]
        for move in self:
            origin_forma = move.reversed_entry_id.l10n_mx_einvoice_forma_pago
            if move.l10n_mx_einvoice_state in LIVE_STATES:
                move.l10n_mx_einvoice_forma_pago = move.l10n_mx_einvoice_forma_pago
            elif anticipo._is_application(move):  # paid by the anticipo, not as the original
                move.l10n_mx_einvoice_forma_pago = sat.FORMA_PAGO_APLICACION_ANTICIPO
            elif move.l10n_mx_einvoice_metodo_pago == "PPD":
                move.l10n_mx_einvoice_forma_pago = "99"  # SAT: PPD is always "por definir"
            elif move.move_type == "out_refund" and origin_forma and origin_forma != "99":
                move.l10n_mx_einvoice_forma_pago = origin_forma  # refunded as it was paid
            elif not move.l10n_mx_einvoice_forma_pago or move.l10n_mx_einvoice_forma_pago == "99":
                move.l10n_mx_einvoice_forma_pago = "03"
            else:
                move.l10n_mx_einvoice_forma_pago = move.l10n_mx_einvoice_forma_pago

    @api.depends("invoice_line_ids")
    def _compute_l10n_mx_einvoice_anticipo_ids(self):
        anticipo = self.env["l10n_mx_einvoice.anticipo"]
        for move in self:
            if move.l10n_mx_einvoice_state in LIVE_STATES or move.move_type != "out_invoice":
                move.l10n_mx_einvoice_anticipo_ids = move.l10n_mx_einvoice_anticipo_ids
            else:
                move.l10n_mx_einvoice_anticipo_ids = (
                    anticipo._applied(move) or move.l10n_mx_einvoice_anticipo_ids
                )

    @api.depends("reversed_entry_id", "reversed_entry_id.l10n_mx_einvoice_uuid")
    def _compute_l10n_mx_einvoice_related(self):
        for move in self:
            origin = move.reversed_entry_id
            if move.move_type == "out_refund" and origin.l10n_mx_einvoice_uuid:
                move.l10n_mx_einvoice_tipo_relacion = move.l10n_mx_einvoice_tipo_relacion or "01"
                move.l10n_mx_einvoice_related_uuids = (
                    move.l10n_mx_einvoice_related_uuids or origin.l10n_mx_einvoice_uuid
                )
            else:
                move.l10n_mx_einvoice_tipo_relacion = move.l10n_mx_einvoice_tipo_relacion
                move.l10n_mx_einvoice_related_uuids = move.l10n_mx_einvoice_related_uuids

    def _l10n_mx_einvoice_related_uuid_list(self):
        self.ensure_one()
        return [u.upper() for u in UUID_PATTERN.findall(self.l10n_mx_einvoice_related_uuids or "")]

    # --- what the documents say -----------------------------------------------------------

    def _l10n_mx_einvoice_document_type(self):
        """The CFDI this entry issues: 'invoice', 'payment' or False (none of its own)."""
        self.ensure_one()
        if self.company_id.account_fiscal_country_id.code != "MX":
            return False
        if self.move_type in ("out_invoice", "out_refund"):
            return False if self.l10n_mx_einvoice_global_document_id else "invoice"
        payment = self.origin_payment_id
        if (
            self.move_type == "entry"
            and payment.payment_type == "inbound"
            and payment.partner_type == "customer"
        ):
            return "payment"
        return False

    @api.depends("l10n_mx_einvoice_document_ids.kind")
    def _compute_l10n_mx_einvoice_document_id(self):
        for move in self:
            stamps = move.l10n_mx_einvoice_document_ids.filtered(lambda d: d.kind == "stamp")
            move.l10n_mx_einvoice_document_id = max(stamps, key=lambda d: d.id, default=None)

    @api.depends("l10n_mx_einvoice_global_document_ids.state")
    def _compute_l10n_mx_einvoice_global_document_id(self):
        for move in self:
            move.l10n_mx_einvoice_global_document_id = (
                move.l10n_mx_einvoice_global_document_ids.filtered(
                    lambda d: d.state in ("pending", "stamped", "cancel_requested")
                )[:1]
            )

    @api.depends(
        "state",
        "move_type",
        "company_id",
        "payment_state",
        "origin_payment_id",
        "l10n_mx_einvoice_problems",
        "l10n_mx_einvoice_document_ids.state",
        "l10n_mx_einvoice_global_document_ids.state",
    )
    def _compute_l10n_mx_einvoice_state(self):
        for move in self:
            move.l10n_mx_einvoice_state = move._l10n_mx_einvoice_state_from_documents()

    def _l10n_mx_einvoice_state_from_documents(self):
        document = self.l10n_mx_einvoice_document_id
        if document.state in LIVE_STATES:
            return document.state
        if document.state == "pending":
            return "to_stamp"
        document_type = self._l10n_mx_einvoice_document_type()
        if self.state != "posted" or not document_type:
            return "cancelled" if document.state == "cancelled" else False
        if self.l10n_mx_einvoice_problems or document.state in ("rejected", "error"):
            return "error"
        if document.state == "cancelled":
            # an invoice posted again after its CFDI was cancelled needs a new one; a reversed
            # invoice, or a payment (whose entry stays), keeps its cancelled CFDI
            reposted = document_type == "invoice" and self.payment_state != "reversed"
            return "to_stamp" if reposted else "cancelled"
        return "to_stamp" if document_type == "invoice" else False

    @api.depends(
        "l10n_mx_einvoice_document_ids.uuid", "l10n_mx_einvoice_document_ids.attachment_id"
    )
    def _compute_l10n_mx_einvoice_uuid(self):
        for move in self:
            document = move.l10n_mx_einvoice_document_id
            move.l10n_mx_einvoice_uuid = document.uuid
            move.l10n_mx_einvoice_attachment_id = document.attachment_id

    @api.depends(
        "l10n_mx_einvoice_problems",
        "l10n_mx_einvoice_document_ids.state",
        "l10n_mx_einvoice_document_ids.message",
    )
    def _compute_l10n_mx_einvoice_message(self):
        for move in self:
            latest = max(move.l10n_mx_einvoice_document_ids, key=lambda d: d.id, default=None)
            failed = latest and latest.state in ("pending", "rejected", "error")
            move.l10n_mx_einvoice_message = move.l10n_mx_einvoice_problems or (
                failed and latest.message
            )

    @api.depends("payment_state", "line_ids.matched_credit_ids")
    def _compute_l10n_mx_einvoice_complement_message(self):
        for move in self:
            failed = (
                move._get_reconciled_amls().move_id.filtered(
                    lambda m: m.l10n_mx_einvoice_state == "error" and m.l10n_mx_einvoice_message
                )
                if move.move_type == "out_invoice" and move.state == "posted"
                else self.browse()
            )
            move.l10n_mx_einvoice_complement_message = "\n".join(
                f"{payment.name}: {payment.l10n_mx_einvoice_message}" for payment in failed
            )

    @api.depends("move_type", "company_id", "origin_payment_id", "l10n_mx_einvoice_document_ids")
    def _compute_l10n_mx_einvoice_needed(self):
        payments = self.env["l10n_mx_einvoice.builder.payment"]
        for move in self:
            document_type = move._l10n_mx_einvoice_document_type()
            move.l10n_mx_einvoice_needed = document_type == "invoice" or (
                document_type == "payment"
                and bool(move.l10n_mx_einvoice_document_ids or payments._allocations(move))
            )

    @api.depends("l10n_mx_einvoice_document_id")
    def _compute_l10n_mx_einvoice_payment_invoice_ids(self):
        for move in self:
            move.l10n_mx_einvoice_payment_invoice_ids = (
                move.l10n_mx_einvoice_document_id.invoice_ids
            )

    @api.depends("l10n_mx_einvoice_uuid", "l10n_mx_einvoice_state")
    def _compute_l10n_mx_einvoice_replacement_id(self):
        for move in self:
            move.l10n_mx_einvoice_replacement_id = (
                move._l10n_mx_einvoice_replacements().filtered(
                    lambda m: m.l10n_mx_einvoice_state == "stamped"
                )[:1]
                if move.l10n_mx_einvoice_state == "stamped" and move.is_invoice()
                else False
            )

    def _l10n_mx_einvoice_replacements(self):
        """The entries of the same customer and type that relate 04 (sustitución) to this
        CFDI, whatever their state: the only CFDI that can replace it (motive 01)."""
        self.ensure_one()
        uuid = self.l10n_mx_einvoice_uuid
        if not uuid:
            return self.browse()
        candidates = self.search(
            [
                ("id", "!=", self._origin.id),
                ("company_id", "=", self.company_id.id),
                ("commercial_partner_id", "=", self.commercial_partner_id.id),
                ("move_type", "=", self.move_type),
                ("l10n_mx_einvoice_tipo_relacion", "=", sat.RELACION_SUSTITUCION),
                ("l10n_mx_einvoice_related_uuids", "ilike", uuid),
            ],
            order="id desc",
        )
        return candidates.filtered(lambda m: uuid in m._l10n_mx_einvoice_related_uuid_list())

    def _l10n_mx_einvoice_stampable(self):
        """Posted, a CFDI of its own, and none that stands (a payment may be issued again
        after its complement was cancelled; a cancelled invoice only once posted again)."""
        self.ensure_one()
        document_type = self._l10n_mx_einvoice_document_type()
        return (
            self.state == "posted"
            and bool(document_type)
            and self.l10n_mx_einvoice_state not in LIVE_STATES
            and (document_type == "payment" or self.l10n_mx_einvoice_state != "cancelled")
        )

    def _l10n_mx_einvoice_portal_complements(self):
        """The payment entries whose stamped complement (CFDI de pago) pays this invoice, as
        the customer portal lists them (sudo: the portal reads them for the invoice's owner)."""
        self.ensure_one()
        payments = self.sudo()._get_reconciled_payments()
        return payments.move_id.filtered(
            lambda move: (
                move.l10n_mx_einvoice_attachment_id
                and move.l10n_mx_einvoice_state in ("stamped", "cancel_requested", "cancelled")
            )
        )

    def _l10n_mx_einvoice_stamped_xml(self):
        self.ensure_one()
        return self.l10n_mx_einvoice_document_id._stamped_xml()

    def _l10n_mx_einvoice_pdf_values(self):
        """What the printed invoice shows of its CFDI (empty dict when not stamped)."""
        self.ensure_one()
        document = self.l10n_mx_einvoice_document_id
        return document._pdf_values() if document else {}

    def _l10n_mx_einvoice_pdf_pagos(self):
        """The Pago and DoctoRelacionado lines the printed payment receipt shows."""
        self.ensure_one()
        document = self.l10n_mx_einvoice_document_id
        return document._pdf_pagos() if document else []

    def _l10n_mx_einvoice_post(self, body, failure=False):
        """Post a CFDI message where the user looks: the entry, its payment's form and, for
        a payment complement that failed, the invoices it pays."""
        for move in self:
            move.message_post(body=body)
            payment = move.origin_payment_id
            if not payment:
                continue
            payment.message_post(body=body)
            if failure:
                invoices = self.env["l10n_mx_einvoice.builder.payment"]._allocations(move)
                for invoice in invoices:
                    invoice.message_post(
                        body=self.env._(
                            "Payment complement of %(payment)s: %(message)s",
                            payment=move.name,
                            message=body,
                        )
                    )

    def _l10n_mx_einvoice_write_problems(self, message):
        """Record why automatic stamping stopped (the lifecycle's own write: sudo, and
        without re-synchronizing the journal items, which a message does not change)."""
        return (
            self.sudo()
            .with_context(
                skip_invoice_sync=True, check_move_validity=False, skip_is_manually_modified=True
            )
            .write({"l10n_mx_einvoice_problems": message})
        )

    # --- the accountant's buttons ---------------------------------------------------------

    def action_l10n_mx_einvoice_apply_anticipo(self):
        """Post the credit note (CFDI de egreso) that applies this stamped invoice's down
        payments, reconciled with it, and open it (to stamp it)."""
        refund = self.env["l10n_mx_einvoice.anticipo"]._credit_note(self)
        return {
            "type": "ir.actions.act_window",
            "res_model": "account.move",
            "res_id": refund.id,
            "view_mode": "form",
        }

    def action_l10n_mx_einvoice_add_addenda(self):
        """Build the customer's addenda on the stamped XML (a new attachment each time)."""
        self.env["l10n_mx_einvoice.document"]._check_stamp_right()
        for move in self:
            self.env["l10n_mx_einvoice.addenda"]._attach(move)

    def action_l10n_mx_einvoice_stamp(self):
        """Stamp the selected invoices (button, list selection). Problems before the PAC
        raise one UserError."""
        documents = self.env["l10n_mx_einvoice.document"]
        documents._check_stamp_right()
        moves = self.filtered(lambda m: m._l10n_mx_einvoice_stampable())
        foreign = self.company_id.filtered(lambda c: c.account_fiscal_country_id.code != "MX")
        if not moves and foreign:
            raise UserError(
                self.env._(
                    "The company's country is not Mexico (%(companies)s): set Mexico as its "
                    "country and fiscal localization (Settings > CFDI setup) before issuing CFDI.",
                    companies=", ".join(foreign.mapped("name")),
                )
            )
        if not moves:
            raise UserError(
                self.env._(
                    "Nothing to stamp: only posted customer invoices and credit notes of a "
                    "Mexican company that are not stamped yet can be stamped."
                )
            )
        if len(moves) >= BACKGROUND_FROM and not self.env.context.get("l10n_mx_einvoice_stamp_now"):
            # a large selection: stamped in the background, its progress and report shown
            return self.env["l10n_mx_einvoice.stamp.run"]._start(moves)
        documents._stamp(moves)
        return True

    def action_l10n_mx_einvoice_cancel_cfdi(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Cancel CFDI"),
            "res_model": "l10n_mx_einvoice.cancel",
            "view_mode": "form",
            "target": "new",
            "context": {"default_move_id": self.id},
        }

    def action_l10n_mx_einvoice_finish_cancellation(self):
        """Cancel this CFDI with motive 01 now that its replacement is stamped."""
        self.ensure_one()
        wizard = self.env["l10n_mx_einvoice.cancel"].create(
            {
                "move_id": self.id,
                "motive": "01",
                "replacement_move_id": self.l10n_mx_einvoice_replacement_id.id,
            }
        )
        return wizard.action_cancel_cfdi()

    def _l10n_mx_einvoice_request_cancel(self, motive, replacement_uuid=None):
        """Cancel the entry's current CFDI (``l10n_mx_einvoice.document._cancel``); the
        cancellation request it returns says how it went."""
        self.ensure_one()
        document = self.l10n_mx_einvoice_document_id
        if not document:
            raise UserError(self.env._("Only a stamped CFDI can be cancelled."))
        return document._cancel(motive, replacement_uuid)

    def action_l10n_mx_einvoice_download_xml(self):
        self.ensure_one()
        return self.l10n_mx_einvoice_document_id.action_download_xml()

    def action_l10n_mx_einvoice_check_sat_status(self):
        moves = self.filtered("l10n_mx_einvoice_uuid")
        if not moves:
            raise UserError(self.env._("Only a stamped CFDI has a SAT status."))
        for move in moves:
            move.l10n_mx_einvoice_document_id._check_sat_status()
        return True

    def action_l10n_mx_einvoice_check_status_at_sat(self):
        """Ask SAT now for the status of the selected entries' CFDI, issued or received."""
        issued = self.filtered("l10n_mx_einvoice_uuid")
        received = self.filtered("l10n_mx_einvoice_vendor_uuid")
        if not issued and not received:
            raise UserError(self.env._("Select entries that have a CFDI (issued or received)."))
        if issued:
            issued.action_l10n_mx_einvoice_check_sat_status()
        received._l10n_mx_einvoice_vendor_check_status()
        return True

    def _l10n_mx_einvoice_cancel_entry(self):
        """Odoo's side of a cancelled CFDI: the invoice is cancelled (reset to draft and
        cancelled) or, where that is not allowed (payments, locked period), reversed."""
        self.ensure_one()
        if self.state != "posted" or not self.is_invoice():
            return
        try:
            with self.env.cr.savepoint():
                self.button_draft()
                self.button_cancel()
            self.message_post(body=self.env._("Entry cancelled after the CFDI cancellation."))
        except UserError as error:
            _logger.info(
                "%s cannot be reset to draft (%s): reversed instead", self.name, error.args[0]
            )
            reversal = self._reverse_moves(
                [
                    {
                        "ref": self.env._("Cancellation of CFDI %s", self.l10n_mx_einvoice_uuid),
                        "invoice_date": fields.Date.context_today(self),
                    }
                ],
                cancel=True,
            )
            self.message_post(
                body=self.env._("Entry reversed by %s after the CFDI cancellation.", reversal.name)
            )

    # --- posting and the protection of a stamped CFDI -------------------------------------

    def _post(self, soft=True):
        self._l10n_mx_einvoice_vendor_check_postable()
        self._l10n_mx_einvoice_date_sales_together()
        posted = super()._post(soft=soft)
        self.env["l10n_mx_einvoice.credit.move"]._record_bill_purchases(posted)
        to_stamp = posted.filtered(
            lambda m: (
                m.company_id.l10n_mx_einvoice_stamp_on_post
                and m._l10n_mx_einvoice_document_type() == "invoice"
                and m._l10n_mx_einvoice_stampable()
            )
        )
        # without the CFDI right, posting still works: the scheduled action stamps them;
        # a caller that stamps on its own terms (the Point of Sale) asks to stamp later
        if self.env.context.get("l10n_mx_einvoice_stamp_later"):
            return posted
        if to_stamp and (self.env.su or self.env.user.has_group(USER_GROUP)):
            self.env["l10n_mx_einvoice.document"]._stamp(to_stamp)
        return posted

    def _l10n_mx_einvoice_date_sales_together(self):
        """Odoo's ``_post`` dates undated sale documents one at a time, and each write
        re-synchronizes that invoice's lines; for a Mexican company's batch the dates are
        written at once (the lines are recomputed together, as Odoo would do each)."""
        undated = self.filtered(
            lambda m: (
                m.state == "draft"
                and not m.invoice_date
                and m.is_sale_document(include_receipts=True)
                and m.company_id.account_fiscal_country_id.code == "MX"
            )
        )
        if len(undated) > 1:
            undated.with_context(skip_is_manually_modified=True).write(
                {"invoice_date": fields.Date.context_today(self)}
            )

    def _l10n_mx_einvoice_is_locked(self):
        """The entries whose CFDI stands or may stand (a pending document may be stamped)."""
        return self.filtered(
            lambda m: (
                m.l10n_mx_einvoice_state in LIVE_STATES
                or m.l10n_mx_einvoice_document_ids.filtered(lambda d: d.state == "pending")
            )
        )

    def _l10n_mx_einvoice_changed_fields(self, vals):
        """CFDI fields of ``vals`` that would change a value of these moves."""
        changed = []
        for name in CFDI_FIELDS.intersection(vals):
            field = self._fields[name]
            if field.type in ("one2many", "many2many"):
                if vals[name]:
                    changed.append(name)
                continue
            new_value = field.convert_to_write(
                field.convert_to_record(field.convert_to_cache(vals[name], self), self), self
            )
            if any(field.convert_to_write(move[name], move) != new_value for move in self):
                changed.append(name)
        return changed

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            check_kept_fields(self, vals, creating=True)
        return super().create(vals_list)

    def write(self, vals):
        check_kept_fields(self, vals)
        if CFDI_FIELDS.intersection(vals):
            locked = self._l10n_mx_einvoice_is_locked()
            if locked and locked._l10n_mx_einvoice_changed_fields(vals):
                raise UserError(
                    self.env._(
                        "%(moves)s has a stamped (or pending) CFDI: its customer, lines, amounts, "
                        "dates, currency and CFDI data cannot change. Cancel the CFDI and issue a "
                        "new invoice (or a credit note).",
                        moves=", ".join(locked.mapped("name")),
                    )
                )
        if vals.keys() == {"checked"} and all(
            move.company_id.account_fiscal_country_id.code == "MX" for move in self
        ):
            # the journal's "checked" flag changes no line: no line synchronization
            return super(AccountMove, self.with_context(skip_invoice_sync=True)).write(vals)
        return super().write(vals)

    @api.depends("l10n_mx_einvoice_state")
    def _compute_show_reset_to_draft_button(self):
        result = super()._compute_show_reset_to_draft_button()
        # button_draft refuses them anyway: the form does not offer what it would refuse
        for move in self._l10n_mx_einvoice_is_locked():
            move.show_reset_to_draft_button = False
        return result

    def button_draft(self):
        locked = self._l10n_mx_einvoice_is_locked()
        if locked:
            raise UserError(
                self.env._(
                    "%(moves)s has a stamped or pending CFDI and cannot be reset to draft. Cancel "
                    "the CFDI with SAT first (or finish the pending stamping).",
                    moves=", ".join(locked.mapped("name")),
                )
            )
        result = super().button_draft()
        self.filtered("l10n_mx_einvoice_problems")._l10n_mx_einvoice_write_problems(False)
        self.env["l10n_mx_einvoice.credit.move"]._record_bill_purchases(self)
        return result

    def button_cancel(self):
        locked = self._l10n_mx_einvoice_is_locked()
        if locked:
            raise UserError(
                self.env._(
                    "%(moves)s has a stamped CFDI: request its cancellation with SAT before "
                    "cancelling the entry.",
                    moves=", ".join(locked.mapped("name")),
                )
            )
        result = super().button_cancel()
        self.env["l10n_mx_einvoice.credit.move"]._record_bill_purchases(self)
        return result

    def js_assign_outstanding_line(self, line_id):
        result = super().js_assign_outstanding_line(line_id)
        line = self.env["account.move.line"].browse(line_id)
        line.move_id.origin_payment_id._l10n_mx_einvoice_stamp_after_reconcile()
        return result

    # --- a vendor bill's supplier CFDI ------------------------------------------------------

    @api.depends("amount_total", "l10n_mx_einvoice_vendor_total", "l10n_mx_einvoice_vendor_uuid")
    def _compute_l10n_mx_einvoice_vendor_totals_ok(self):
        for move in self:
            move.l10n_mx_einvoice_vendor_totals_ok = bool(
                move.l10n_mx_einvoice_vendor_uuid
            ) and not move.currency_id.compare_amounts(
                move.amount_total, move.l10n_mx_einvoice_vendor_total
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
                    "%(bills)s holds a supplier CFDI, which is kept for at least five years (CFF "
                    "art. 30): cancel the bill instead of deleting it.",
                    bills=", ".join(kept.mapped("display_name")),
                )
            )

    def _l10n_mx_einvoice_vendor_fill(self, received, attachment):
        """Fill this empty draft bill from a received CFDI (mail alias, dashboard upload)."""
        self.ensure_one()
        reader = self.env["l10n_mx_einvoice.bill.reader"]
        reader._refuse_duplicate(self.company_id, received.uuid)
        values = reader._values(received, self.journal_id)
        kept = {f.name: values.pop(f.name) for f in kept_fields(self, list(values))}
        self.with_context(skip_is_manually_modified=True).write(values)
        self.sudo().with_context(skip_invoice_sync=True).write(kept)
        if not attachment:  # an XML embedded in a PDF has no attachment of its own
            attachment = self.env["ir.attachment"].create(reader._attachment_values(self, received))
        if (attachment.res_model, attachment.res_id) != (self._name, self.id):
            attachment.write({"res_model": self._name, "res_id": self.id})
        self.sudo().with_context(skip_invoice_sync=True).write(
            {"l10n_mx_einvoice_vendor_attachment_id": attachment.id}
        )
        self.env["l10n_mx_einvoice.vendor.payment"]._match(self)
        self._l10n_mx_einvoice_vendor_post_summary()
        return True

    @api.depends(
        "state",
        "amount_total",
        "amount_residual",
        "l10n_mx_einvoice_vendor_metodo_pago",
        "l10n_mx_einvoice_vendor_payment_ids.amount",
    )
    def _compute_l10n_mx_einvoice_vendor_payment_missing(self):
        for move in self:
            currency = move.currency_id
            covered = sum(
                p.amount
                for p in move.l10n_mx_einvoice_vendor_payment_ids
                if p.currency_id == currency
            )
            paid = move.amount_total - move.amount_residual
            move.l10n_mx_einvoice_vendor_payment_missing = (
                move.move_type == "in_invoice"
                and move.state == "posted"
                and move.l10n_mx_einvoice_vendor_metodo_pago == "PPD"
                and currency.compare_amounts(paid, covered) > 0
            )

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

    def _l10n_mx_einvoice_vendor_untrusted(self):
        """Bills whose supplier CFDI fails its seal or is addressed to another RFC."""
        return self.filtered(
            lambda m: (
                m.l10n_mx_einvoice_vendor_uuid
                and not (
                    m.l10n_mx_einvoice_vendor_seal_ok and m.l10n_mx_einvoice_vendor_receiver_ok
                )
            )
        )

    def _l10n_mx_einvoice_vendor_check_postable(self):
        refused = self._l10n_mx_einvoice_vendor_untrusted().filtered(
            lambda m: not m.l10n_mx_einvoice_vendor_allowed_by
        )
        if refused:
            raise UserError(
                self.env._(
                    "These bills were not posted: their supplier CFDI cannot be trusted.\n%(bills)s\n"
                    "Ask the supplier for a valid CFDI addressed to your RFC, or a CFDI manager can "
                    "allow posting a bill with a reason (button Allow posting on the bill).",
                    bills="\n".join(
                        f"{move.display_name}: {'; '.join(move._l10n_mx_einvoice_vendor_problems())}"
                        for move in refused
                    ),
                )
            )

    def _l10n_mx_einvoice_vendor_allow_posting(self, reason):
        """A CFDI manager allows posting these bills despite their supplier CFDI; the
        chatter keeps the reason under the manager's name."""
        if not self.env.user.has_group(MANAGER_GROUP):
            raise AccessError(
                self.env._(
                    "Only a CFDI manager can allow posting a bill whose CFDI fails its checks."
                )
            )
        if not (reason or "").strip():
            raise UserError(self.env._("Give the reason for posting the bill anyway."))
        for move in self._l10n_mx_einvoice_vendor_untrusted():
            move.sudo().write(
                {
                    "l10n_mx_einvoice_vendor_allowed_by": self.env.uid,
                    "l10n_mx_einvoice_vendor_allowed_reason": reason.strip(),
                }
            )
            move.message_post(
                body=self.env._(
                    "Posting allowed by %(user)s although the supplier CFDI failed its checks "
                    "(%(problems)s). Reason: %(reason)s",
                    user=self.env.user.name,
                    problems="; ".join(move._l10n_mx_einvoice_vendor_problems()),
                    reason=reason.strip(),
                )
            )
        return True

    def action_l10n_mx_einvoice_vendor_allow_posting(self):
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Allow posting"),
            "res_model": "l10n_mx_einvoice.vendor.allow",
            "view_mode": "form",
            "target": "new",
            "context": {"default_move_ids": self.ids},
        }

    def _l10n_mx_einvoice_vendor_post_summary(self):
        """Log what each imported bill's checks found (one batch of notes, no notification)."""
        self._message_log_batch(
            bodies={move.id: escape(move._l10n_mx_einvoice_vendor_summary()) for move in self}
        )

    def _l10n_mx_einvoice_vendor_summary(self):
        self.ensure_one()
        problems = self._l10n_mx_einvoice_vendor_problems()
        body = self.env._(
            "Imported from the supplier CFDI %(uuid)s.", uuid=self.l10n_mx_einvoice_vendor_uuid
        )
        if problems:
            body = self.env._(
                "%(body)s Checks failed: %(problems)s.", body=body, problems="; ".join(problems)
            )
        return body

    def _l10n_mx_einvoice_vendor_check_status(self):
        """Ask SAT for the status of these bills' CFDI; flag the cancelled ones."""
        services = {}
        documents = self.env["l10n_mx_einvoice.document"]
        for move in self.filtered("l10n_mx_einvoice_vendor_uuid"):
            company = move.company_id
            try:
                if company not in services:
                    services[company] = documents._sat_status_service(company)
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
                move.sudo().write(
                    {
                        "l10n_mx_einvoice_vendor_sat_state": move.l10n_mx_einvoice_vendor_sat_state
                        or "unavailable",
                        "l10n_mx_einvoice_vendor_sat_message": engine_message(self.env, error)[
                            :250
                        ],
                    }
                )
                continue
            move._l10n_mx_einvoice_vendor_store_status(result)
        return True

    def _l10n_mx_einvoice_vendor_store_status(self, result):
        state = VENDOR_SAT_STATE_OF.get(result.estado, "not_found")
        was_cancelled = self.l10n_mx_einvoice_vendor_cancelled
        answer = " · ".join(
            part
            for part in (result.estado, result.estatus_cancelacion, result.codigo_estatus)
            if part
        )
        if result.sandbox:
            answer = self.env._("Sandbox (not SAT): %s", answer)
        self.sudo().write(
            {
                "l10n_mx_einvoice_vendor_sat_state": state,
                "l10n_mx_einvoice_vendor_sat_checked": fields.Datetime.now(),
                "l10n_mx_einvoice_vendor_sat_message": answer[:250],
            }
        )
        if state == "cancelado" and not was_cancelled:
            self.message_post(
                body=self.env._(
                    "SAT reports the supplier CFDI %(uuid)s as CANCELLED: this bill is not "
                    "deductible. Ask the supplier for the replacement CFDI.",
                    uuid=self.l10n_mx_einvoice_vendor_uuid,
                )
            )

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
        documents = self.env["l10n_mx_einvoice.document"]
        for move in moves:
            move._l10n_mx_einvoice_vendor_check_status()
            documents._commit()
        return True

    # --- mail alias and dashboard upload (Odoo's EDI import hooks) ------------------------

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
