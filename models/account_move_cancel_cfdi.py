"""Cancellation outcomes on the move and SAT status follow-up.

``account_move.py`` sends one cancellation request (``_l10n_mx_einvoice_request_cancel``).
Here: a retry never sends a second request for a document already cancelled or waiting
for the receiver (its status is asked instead), SAT's acknowledgment is kept, a cancelled
CFDI cancels (or reverses) its journal entry as Odoo does, and the SAT status service is
followed up by a button and a cron.
"""

import logging
from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import UserError

from ..cfdi import sat_status
from ..cfdi import xml as cfdi_xml
from ..cfdi.pac import Unavailable
from .account_move import bilingual

_logger = logging.getLogger(__name__)

ANSWERS_KEY = "l10n_mx_einvoice_cancel_answers"
SAT_STATUS_URL_PARAM = "l10n_mx_einvoice.sat_status_url"
SAT_STATUS_TIMEOUT = 20.0
SAT_CANCELLED = "Cancelado"
RECEIVER_REJECTED = "Solicitud rechazada"


class AccountMove(models.Model):
    _inherit = "account.move"

    l10n_mx_einvoice_sat_estado = fields.Char(string="Estado (SAT)", copy=False, readonly=True)
    l10n_mx_einvoice_sat_es_cancelable = fields.Char(
        string="EsCancelable", copy=False, readonly=True
    )
    l10n_mx_einvoice_sat_estatus_cancelacion = fields.Char(
        string="EstatusCancelacion", copy=False, readonly=True
    )
    l10n_mx_einvoice_sat_checked = fields.Datetime(
        string="CFDI status at SAT checked on", copy=False, readonly=True
    )

    # --- cancellation -------------------------------------------------------------------

    def _l10n_mx_einvoice_cancel_documents(self):
        return self.l10n_mx_einvoice_document_ids.filtered(lambda d: d.kind == "cancel")

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

    def _l10n_mx_einvoice_request_cancel(self, motive, replacement_uuid=None):
        self.ensure_one()
        earlier = self._l10n_mx_einvoice_cancel_documents().filtered(
            lambda d: d.state in ("cancelled", "cancel_requested")
        )[:1]
        if self.l10n_mx_einvoice_state == "cancelled" or earlier.state == "cancelled":
            self.message_post(
                body=self.env._(
                    "The CFDI %s is already cancelled: no new request was sent. / El CFDI ya está "
                    "cancelado: no se envió otra solicitud.",
                    self.l10n_mx_einvoice_uuid,
                )
            )
            return earlier
        if self.l10n_mx_einvoice_state == "cancel_requested":
            # the request is waiting for the receiver: ask SAT how it stands, never ask twice
            self._l10n_mx_einvoice_check_sat_status()
            return earlier
        answers = []
        document = super(
            AccountMove, self.with_context(**{ANSWERS_KEY: answers})
        )._l10n_mx_einvoice_request_cancel(motive, replacement_uuid)
        document = document.with_env(self.env)
        if answers and answers[-1].acknowledgment:
            document.sudo().attachment_id = self._l10n_mx_einvoice_keep_acknowledgment(
                answers[-1].acknowledgment
            )
        if document.state == "cancelled":
            self._l10n_mx_einvoice_cancel_entry()
        elif document.state == "cancel_requested":
            self.message_post(
                body=self.env._(
                    "The receiver must accept the cancellation; its answer is followed up by the SAT "
                    "status check. / El receptor debe aceptar la cancelación; se le da seguimiento con "
                    "la consulta de estado del SAT."
                )
            )
        return document

    def _l10n_mx_einvoice_keep_acknowledgment(self, acknowledgment):
        return (
            self.env["ir.attachment"]
            .sudo()
            .create(
                {
                    "name": f"Acuse-cancelacion-{self.l10n_mx_einvoice_uuid}.xml",
                    "raw": acknowledgment,
                    "mimetype": "application/xml",
                    "res_model": self._name,
                    "res_id": self.id,
                    "description": self.env._(
                        "SAT cancellation acknowledgment of %s", self.l10n_mx_einvoice_uuid
                    ),
                }
            )
        )

    def _l10n_mx_einvoice_cancel_entry(self):
        """Odoo's side of a cancelled CFDI: the invoice is cancelled (reset to draft and
        cancelled) or, where that is not allowed (payments, locked period), reversed.
        A payment's entry stays: only its complement is cancelled (the money was received)."""
        self.ensure_one()
        if self.origin_payment_id or self.state != "posted" or not self.is_invoice():
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

    # --- SAT status follow-up -----------------------------------------------------------

    def _l10n_mx_einvoice_sat_status_query(self):
        """SAT's status of the stamped CFDI: the sandbox answers for its own stamps, SAT's
        public service for real ones. Raises ``Unavailable`` when the service is down."""
        self.ensure_one()
        comprobante = cfdi_xml.from_bytes(self._l10n_mx_einvoice_stamped_xml())
        stamp = self.l10n_mx_einvoice_document_ids.filtered(
            lambda d: d.kind == "stamp" and d.uuid == self.l10n_mx_einvoice_uuid
        )[:1]
        account = (
            stamp.stamp_account_id or self.company_id.l10n_mx_einvoice_stamp_account_id
        ).sudo()
        uuid = self.l10n_mx_einvoice_uuid
        issuer, receiver, total = (
            comprobante.emisor.rfc,
            comprobante.receptor.rfc,
            comprobante.total,
        )
        if account.provider == "sandbox":
            return account._get_connector().status(uuid, issuer, receiver, total)
        url = (
            self.env["ir.config_parameter"].sudo().get_param(SAT_STATUS_URL_PARAM)
            or sat_status.PRODUCTION_URL
        )
        return sat_status.status(
            uuid,
            issuer,
            receiver,
            total,
            sello=comprobante.sello,
            url=url,
            timeout=SAT_STATUS_TIMEOUT,
        )

    def action_l10n_mx_einvoice_check_sat_status(self):
        moves = self.filtered("l10n_mx_einvoice_uuid")
        if not moves:
            raise UserError(
                self.env._(
                    "Only a stamped CFDI has a SAT status. / Sólo un CFDI timbrado tiene estado en el SAT."
                )
            )
        for move in moves:
            move._l10n_mx_einvoice_check_sat_status()
        return True

    def _l10n_mx_einvoice_check_sat_status(self):
        """Ask SAT, store Estado / EsCancelable / EstatusCancelacion and settle a pending
        cancellation. Returns False (and logs) when the service is unavailable."""
        self.ensure_one()
        try:
            status = self._l10n_mx_einvoice_sat_status_query()
        except Unavailable as error:
            _logger.warning("SAT status of %s not checked: %s", self.name, error.message_en)
            self.message_post(
                body=self.env._(
                    "SAT status not checked, the service is unavailable; it will "
                    "be tried again. / %s",
                    error.message_es,
                )
            )
            return False
        previous = (self.l10n_mx_einvoice_sat_estado, self.l10n_mx_einvoice_sat_estatus_cancelacion)
        self.write(
            {
                "l10n_mx_einvoice_sat_estado": status.estado,
                "l10n_mx_einvoice_sat_es_cancelable": status.es_cancelable,
                "l10n_mx_einvoice_sat_estatus_cancelacion": status.estatus_cancelacion,
                "l10n_mx_einvoice_sat_checked": fields.Datetime.now(),
            }
        )
        if previous != (status.estado, status.estatus_cancelacion):
            self.message_post(
                body=self.env._(
                    "SAT status: %(estado)s · %(cancelable)s · %(estatus)s",
                    estado=status.estado,
                    cancelable=status.es_cancelable or "-",
                    estatus=status.estatus_cancelacion or "-",
                )
            )
        if self.l10n_mx_einvoice_state == "cancel_requested":
            self._l10n_mx_einvoice_settle_cancel_request(status)
        return status

    def _l10n_mx_einvoice_settle_cancel_request(self, status):
        pending = self._l10n_mx_einvoice_cancel_documents().filtered(
            lambda d: d.state == "cancel_requested"
        )[:1]
        if status.estado == SAT_CANCELLED:
            pending.write({"state": "cancelled", "message": status.estatus_cancelacion})
            self.with_context(l10n_mx_einvoice_storing=True).write(
                {"l10n_mx_einvoice_state": "cancelled", "l10n_mx_einvoice_message": False}
            )
            self.message_post(
                body=self.env._(
                    "The receiver accepted: the CFDI is cancelled (%s).", status.estatus_cancelacion
                )
            )
            self._l10n_mx_einvoice_cancel_entry()
        elif status.estatus_cancelacion == RECEIVER_REJECTED:
            message = bilingual(
                "El receptor rechazó la cancelación: el CFDI sigue vigente.",
                "The receiver rejected the cancellation: the CFDI stays valid.",
            )
            pending.write({"state": "rejected", "message": status.estatus_cancelacion})
            self.with_context(l10n_mx_einvoice_storing=True).write(
                {"l10n_mx_einvoice_state": "stamped", "l10n_mx_einvoice_message": message}
            )
            self.message_post(body=message)

    @api.model
    def _cron_l10n_mx_einvoice_sat_status(self, days=3, limit=500):
        """Follow up cancellations in process and CFDI stamped in the last ``days`` days.
        One commit per document; an unavailable service fails no other document."""
        since = fields.Date.context_today(self) - timedelta(days=days)
        moves = self.search(
            [
                ("l10n_mx_einvoice_uuid", "!=", False),
                "|",
                ("l10n_mx_einvoice_state", "=", "cancel_requested"),
                "&",
                ("l10n_mx_einvoice_state", "=", "stamped"),
                ("date", ">=", since),
            ],
            limit=limit,
            order="id",
        )
        unavailable = 0
        for move in moves:
            try:
                with self.env.cr.savepoint():
                    if move._l10n_mx_einvoice_check_sat_status() is False:
                        unavailable += 1
            except Exception:  # one broken document must not stop the follow-up of the others
                _logger.exception("SAT status follow-up failed for %s", move.name)
            move._l10n_mx_einvoice_commit()
        if unavailable:
            _logger.warning(
                "SAT status service unavailable for %d of %d CFDI; retried at the next run",
                unavailable,
                len(moves),
            )
        return True
