"""Cancel a stamped CFDI (invoice, credit note, payment complement, global invoice) with a
SAT motive. The document does the cancellation (``l10n_mx_einvoice.document._cancel``) and
returns the request, whose state this wizard shows."""

from odoo import api, fields, models
from odoo.exceptions import UserError

from ..cfdi import sat
from ..cfdi.errors import in_language


class L10nMxEinvoiceCancel(models.TransientModel):
    _name = "l10n_mx_einvoice.cancel"
    _description = "Cancel a CFDI with a SAT motive"

    move_id = fields.Many2one("account.move", readonly=True)
    document_id = fields.Many2one(
        "l10n_mx_einvoice.document",
        string="CFDI",
        required=True,
        readonly=True,
        compute="_compute_document_id",
        store=True,
        precompute=True,
    )
    uuid = fields.Char(related="document_id.uuid")
    partner_id = fields.Many2one(related="move_id.commercial_partner_id")
    move_type = fields.Selection(related="move_id.move_type")
    motive = fields.Selection(
        selection=lambda self: self._motive_selection(), required=True, default="02"
    )
    replacement_move_id = fields.Many2one(
        "account.move",
        string="Replacement CFDI",
        domain="[('id', '!=', move_id), ('commercial_partner_id', '=', partner_id), "
        "('move_type', '=', move_type), ('l10n_mx_einvoice_state', '=', 'stamped'), "
        "('l10n_mx_einvoice_tipo_relacion', '=', '04'), "
        "('l10n_mx_einvoice_related_uuids', 'ilike', uuid)]",
        help="The stamped CFDI of the same customer and type that replaces this one: it relates "
        "this UUID with TipoRelacion 04 (motive 01).",
    )
    replacement_uuid = fields.Char(
        related="replacement_move_id.l10n_mx_einvoice_uuid", string="Replacement UUID"
    )

    @api.model
    def _motive_selection(self):
        lang = self.env.lang
        return [
            (code, f"{code} - {in_language(lang, es, en)}")
            for code, (es, en) in sat.MOTIVES.items()
        ]

    @api.model
    def default_get(self, fields_list):
        values = super().default_get(fields_list)
        context = self.env.context
        if not values.get("move_id") and context.get("active_model") == "account.move":
            values["move_id"] = context.get("active_id")
        if not values.get("document_id") and context.get("active_model") == (
            "l10n_mx_einvoice.document"
        ):
            values["document_id"] = context.get("active_id")
        return values

    @api.depends("move_id")
    def _compute_document_id(self):
        for wizard in self:
            wizard.document_id = wizard.document_id or wizard.move_id.l10n_mx_einvoice_document_id

    def _check_replacement(self):
        """Motive 01 names the stamped CFDI of the same customer and type that relates this
        one with TipoRelacion 04."""
        if self.motive != "01":
            return
        move, replacement = self.move_id, self.replacement_move_id
        if not replacement:
            raise UserError(
                self.env._(
                    "Motive 01 needs the replacement CFDI: press 'Create replacement', correct "
                    "and stamp the new invoice, then press 'Finish cancellation' on %(move)s.",
                    move=move.display_name or self.document_id.display_name,
                )
            )
        if replacement not in move._l10n_mx_einvoice_replacements():
            raise UserError(
                self.env._(
                    "%(replacement)s cannot replace %(move)s: the replacement must be a CFDI of "
                    "the same customer and type that relates %(uuid)s with TipoRelacion 04 "
                    "(sustitución). Use 'Create replacement'.",
                    replacement=replacement.display_name,
                    move=move.display_name,
                    uuid=move.l10n_mx_einvoice_uuid,
                )
            )
        if replacement.l10n_mx_einvoice_state != "stamped":
            raise UserError(
                self.env._(
                    "The replacement %(replacement)s is not stamped yet: post and stamp it, then "
                    "finish the cancellation of %(move)s.",
                    replacement=replacement.display_name,
                    move=move.display_name,
                )
            )

    def action_cancel_cfdi(self):
        self.ensure_one()
        document = self.document_id
        if document.state not in ("stamped", "cancel_requested"):
            raise UserError(
                self.env._("%(cfdi)s has no stamped CFDI to cancel.", cfdi=document.display_name)
            )
        self._check_replacement()
        replacement_uuid = self.replacement_uuid if self.motive == "01" else None
        document._post_message(
            self.env._("Cancellation of the CFDI requested with motive %s.", self.motive)
        )
        request = document._cancel(self.motive, replacement_uuid)
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                **self._notification(document, request),
                "next": {"type": "ir.actions.act_window_close"},
            },
        }

    def _notification(self, document, request):
        if document.state == "cancelled":
            title, kind = self.env._("CFDI cancelled"), "success"
            message = self.env._("SAT cancelled %s.", document.uuid)
        elif document.state == "cancel_requested":
            title, kind = self.env._("Cancellation in process"), "warning"
            message = self.env._(
                "The receiver must accept the cancellation; SAT's answer is followed up."
            )
        else:
            title, kind = self.env._("Cancellation not done"), "danger"
            message = request.message or ""
        return {"title": title, "message": message, "type": kind, "sticky": kind == "danger"}

    def action_create_replacement(self):
        """The replacement draft: a copy of the invoice relating this CFDI with TipoRelacion
        04 (sustitución), opened for the user to correct, post and stamp. Once it is
        stamped, *Finish cancellation* on this invoice cancels it with motive 01."""
        self.ensure_one()
        move = self.move_id
        if not move.is_invoice(include_receipts=False) or move.move_type not in (
            "out_invoice",
            "out_refund",
        ):
            raise UserError(
                self.env._("Only invoices and credit notes can be duplicated as a replacement.")
            )
        if move.l10n_mx_einvoice_state != "stamped":
            raise UserError(
                self.env._("%(move)s has no stamped CFDI to replace.", move=move.display_name)
            )
        replacement = move._l10n_mx_einvoice_replacements().filtered(lambda m: m.state == "draft")[
            :1
        ]
        if not replacement:
            replacement = move.copy(
                {
                    "l10n_mx_einvoice_tipo_relacion": sat.RELACION_SUSTITUCION,
                    "l10n_mx_einvoice_related_uuids": move.l10n_mx_einvoice_uuid,
                }
            )
            replacement.message_post(
                body=self.env._(
                    "Replacement of %(name)s (CFDI %(uuid)s): correct it, confirm it and stamp "
                    "it; then press 'Finish cancellation' on %(name)s.",
                    name=move.name,
                    uuid=move.l10n_mx_einvoice_uuid,
                )
            )
            move.message_post(
                body=self.env._(
                    "Replacement draft created for the cancellation with motive 01. Once it is "
                    "stamped, press 'Finish cancellation'."
                )
            )
        return {
            "type": "ir.actions.act_window",
            "res_model": "account.move",
            "res_id": replacement.id,
            "view_mode": "form",
            "target": "current",
        }
