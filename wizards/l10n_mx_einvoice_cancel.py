"""Cancel a stamped CFDI (invoice, credit note, payment complement) with a SAT motive."""

from odoo import api, fields, models
from odoo.exceptions import UserError

MOTIVES = [
    ("01", "01 - Comprobante emitido con errores con relación"),
    ("02", "02 - Comprobante emitido con errores sin relación"),
    ("03", "03 - No se llevó a cabo la operación"),
    ("04", "04 - Operación nominativa relacionada en una factura global"),
]
REPLACEMENT_RELATION = "04"  # c_TipoRelacion: sustitución de los CFDI previos


class L10nMxEinvoiceCancel(models.TransientModel):
    _name = "l10n_mx_einvoice.cancel"
    _description = "Cancel a CFDI with a SAT motive"

    move_id = fields.Many2one("account.move", required=True, readonly=True)
    uuid = fields.Char(related="move_id.l10n_mx_einvoice_uuid")
    partner_id = fields.Many2one(related="move_id.commercial_partner_id")
    motive = fields.Selection(MOTIVES, required=True, default="02")
    replacement_move_id = fields.Many2one(
        "account.move",
        string="Replacement CFDI",
        domain="[('id', '!=', move_id), ('commercial_partner_id', '=', partner_id), "
        "('l10n_mx_einvoice_state', '=', 'stamped')]",
        help="The stamped CFDI of the same customer that replaces this one (motive 01).",
    )
    replacement_uuid = fields.Char(
        related="replacement_move_id.l10n_mx_einvoice_uuid", string="Replacement UUID"
    )

    @api.model
    def default_get(self, fields_list):
        values = super().default_get(fields_list)
        move_id = values.get("move_id") or (
            self.env.context.get("active_model") == "account.move"
            and self.env.context.get("active_id")
        )
        if move_id:
            values["move_id"] = move_id
        return values

    def _check_can_cancel(self):
        move = self.move_id
        if move.l10n_mx_einvoice_state not in ("stamped", "cancel_requested"):
            raise UserError(
                self.env._(
                    "%(move)s has no stamped CFDI to cancel. / %(move)s no tiene un CFDI timbrado que cancelar.",
                    move=move.display_name,
                )
            )
        complements = move.l10n_mx_einvoice_payment_complement_ids.filtered(
            lambda m: m.l10n_mx_einvoice_state in ("stamped", "cancel_requested")
        )
        if complements:
            raise UserError(
                self.env._(
                    "%(move)s is related by the payment complements %(payments)s: SAT does not cancel it "
                    "while they stand. Cancel them first. / %(move)s está relacionada en los complementos de "
                    "pago %(payments)s: el SAT no la cancela mientras estén vigentes; cancélelos primero.",
                    move=move.display_name,
                    payments=", ".join(complements.mapped("name")),
                )
            )
        if self.motive == "01":
            replacement = self.replacement_move_id
            if (
                not replacement
                or replacement.commercial_partner_id != move.commercial_partner_id
                or replacement.l10n_mx_einvoice_state != "stamped"
                or replacement == move
            ):
                raise UserError(
                    self.env._(
                        "Motive 01 needs the replacement: a stamped CFDI of the same customer. Create it "
                        "with 'Create replacement', stamp it, then cancel. / El motivo 01 requiere el CFDI "
                        "que sustituye a este: uno timbrado del mismo cliente. Créelo con «Crear "
                        "sustituto», tímbrelo y luego cancele."
                    )
                )

    def action_cancel_cfdi(self):
        self.ensure_one()
        self._check_can_cancel()
        move = self.move_id
        replacement_uuid = self.replacement_uuid if self.motive == "01" else None
        move.message_post(
            body=self.env._("Cancellation of the CFDI requested with motive %s.", self.motive)
        )
        document = move._l10n_mx_einvoice_request_cancel(self.motive, replacement_uuid)
        state = move.l10n_mx_einvoice_state
        if state == "cancelled":
            title, kind = self.env._("CFDI cancelled"), "success"
            message = self.env._("SAT cancelled %s.", move.l10n_mx_einvoice_uuid)
        elif state == "cancel_requested":
            title, kind = self.env._("Cancellation in process"), "warning"
            message = self.env._(
                "The receiver must accept the cancellation; SAT's answer is followed up."
            )
        else:
            title, kind = self.env._("Cancellation not done"), "danger"
            message = (document.message if document else "") or move.l10n_mx_einvoice_message or ""
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "title": title,
                "message": message,
                "type": kind,
                "sticky": kind == "danger",
                "next": {"type": "ir.actions.act_window_close"},
            },
        }

    def action_create_replacement(self):
        """Duplicate the invoice with TipoRelacion 04 (sustitución) to the CFDI it replaces."""
        self.ensure_one()
        move = self.move_id
        if not move.is_invoice():
            raise UserError(
                self.env._("Only invoices and credit notes can be duplicated as a replacement.")
            )
        replacement = move.copy(
            {
                "l10n_mx_einvoice_tipo_relacion": REPLACEMENT_RELATION,
                "l10n_mx_einvoice_related_uuids": move.l10n_mx_einvoice_uuid,
            }
        )
        replacement.message_post(
            body=self.env._(
                "Replacement of %(name)s (CFDI %(uuid)s).",
                name=move.name,
                uuid=move.l10n_mx_einvoice_uuid,
            )
        )
        return {
            "type": "ir.actions.act_window",
            "res_model": "account.move",
            "res_id": replacement.id,
            "view_mode": "form",
            "target": "current",
        }
