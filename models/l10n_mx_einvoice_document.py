import base64
import hashlib

from odoo import api, fields, models
from odoo.exceptions import UserError

# A document is "pending" from the moment its signed XML is committed until the PAC's answer
# is stored: a pending document may have been stamped, so it is asked about before anything else.
STATES = [
    ("pending", "Pending (sent or about to be sent to the PAC)"),
    ("stamped", "Stamped"),
    ("rejected", "Rejected"),
    ("error", "Error"),
    ("expired", "Expired (sealed more than 72 h ago, never stamped)"),
    ("cancel_requested", "Cancellation requested"),
    ("cancelled", "Cancelled"),
]


def sha256_hex(data):
    return hashlib.sha256(data).hexdigest()


class L10nMxEinvoiceDocument(models.Model):
    """One stamping or cancellation attempt of an invoice: the history of its CFDI."""

    _name = "l10n_mx_einvoice.document"
    _description = "CFDI document (stamping or cancellation attempt)"
    _order = "id desc"

    move_id = fields.Many2one(
        "account.move",
        string="Journal entry",
        required=True,
        index=True,
        ondelete="restrict",
        readonly=True,
    )
    company_id = fields.Many2one(related="move_id.company_id", store=True, index=True)
    kind = fields.Selection(
        [("stamp", "Stamping"), ("cancel", "Cancellation")],
        required=True,
        default="stamp",
        readonly=True,
    )
    state = fields.Selection(STATES, required=True, default="pending", readonly=True, index=True)
    stamp_account_id = fields.Many2one("l10n_mx_einvoice.stamp.account", readonly=True)
    signed_xml = fields.Binary(
        string="Signed XML",
        attachment=False,
        readonly=True,
        help="The sealed CFDI exactly as it was (or will be) sent to the PAC.",
    )
    digest = fields.Char(
        string="SHA-256",
        readonly=True,
        index=True,
        help="SHA-256 of the signed XML: identifies the document sent to the PAC.",
    )
    cfdi_date = fields.Char(string="Fecha (CFDI)", readonly=True)
    cfdi_name = fields.Char(
        string="CFDI file prefix",
        readonly=True,
        help="<RFC>-<Serie><Folio>: the stamped XML is named <prefix>-<UUID>.xml.",
    )
    uuid = fields.Char(string="UUID", readonly=True, index=True, copy=False)
    attachment_id = fields.Many2one(
        "ir.attachment",
        string="Stamped XML",
        readonly=True,
        ondelete="restrict",
    )
    pac_code = fields.Char(string="PAC code", readonly=True)
    message = fields.Text(readonly=True)
    motive = fields.Char(string="Cancellation motive", readonly=True)
    replacement_uuid = fields.Char(readonly=True)

    def init(self):
        # A UUID is stamped once per database, whatever the company.
        self.env.cr.execute(
            """
            CREATE UNIQUE INDEX IF NOT EXISTS l10n_mx_einvoice_document_stamped_uuid_uniq
                ON l10n_mx_einvoice_document (uuid) WHERE kind = 'stamp' AND state = 'stamped'
            """
        )

    @api.depends("move_id", "kind", "uuid")
    def _compute_display_name(self):
        kinds = dict(self._fields["kind"].selection)
        for document in self:
            label = kinds.get(document.kind, "")
            document.display_name = (
                f"{document.move_id.name or ''} · {label} · {document.uuid or document.id}"
            )

    @api.model
    def _l10n_mx_einvoice_create_pending(self, sealed):
        """Pending documents for ``sealed``: (move, signed_xml, fecha, stamp_account, cfdi_name)."""
        return self.create(
            [
                {
                    "move_id": move.id,
                    "kind": "stamp",
                    "state": "pending",
                    "stamp_account_id": stamp_account.id,
                    "signed_xml": base64.b64encode(signed_xml),
                    "digest": sha256_hex(signed_xml),
                    "cfdi_date": fecha.isoformat(timespec="seconds") if fecha else False,
                    "cfdi_name": cfdi_name,
                }
                for move, signed_xml, fecha, stamp_account, cfdi_name in sealed
            ]
        )

    def _l10n_mx_einvoice_signed_bytes(self):
        self.ensure_one()
        # attachment=False Binary fields read back as base64
        return base64.b64decode(self.with_context(bin_size=False).signed_xml or b"")

    @api.ondelete(at_uninstall=False)
    def _unlink_except_kept(self):
        if any(
            document.state in ("pending", "stamped", "cancel_requested", "cancelled")
            for document in self
        ):
            raise UserError(
                self.env._(
                    "CFDI documents that are pending, stamped or cancelled are kept (CFF art. 30) "
                    "and cannot be deleted. / Los documentos CFDI pendientes, timbrados o "
                    "cancelados se conservan y no se pueden eliminar."
                )
            )
