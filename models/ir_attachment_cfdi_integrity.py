"""Integrity of stamped CFDI files: SHA-256 stored when the attachment is created, and the
XML of received supplier CFDI kept unchanged like the issued ones (CFF art. 30).

ODOO-FLOW's ``ir_attachment`` refuses rewriting or deleting the attachments that
``_l10n_mx_einvoice_stamped`` returns; this adds the supplier CFDI of vendor bills.
"""

import base64

from odoo import api, fields, models
from odoo.exceptions import UserError

from ..cfdi import reception
from .l10n_mx_einvoice_document import sha256_hex

DATA_FIELDS = ("raw", "datas")
LINK_FIELDS = ("res_model", "res_id")


def _content_of(vals):
    if vals.get("raw") is not None:
        raw = vals["raw"]
        return raw.encode() if isinstance(raw, str) else raw
    datas = vals.get("datas")
    if datas and base64.b64decode(datas[:344]).lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<"):
        return base64.b64decode(datas)  # decoded in full only when it may be XML
    return None


def _stamped_sha256(data):
    if data and reception.is_stamped_cfdi(data):
        return sha256_hex(data)
    return False


class IrAttachment(models.Model):
    _inherit = "ir.attachment"

    l10n_mx_einvoice_sha256 = fields.Char(
        string="CFDI SHA-256",
        readonly=True,
        copy=False,
        help="SHA-256 of the stamped CFDI XML when the attachment was created; the CFDI "
        "archive reports any file that no longer matches it.",
    )

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            vals["l10n_mx_einvoice_sha256"] = _stamped_sha256(_content_of(vals))
        return super().create(vals_list)

    def write(self, vals):
        # Odoo's EDI import re-links an attachment to the bill it already belongs to; writing
        # the values a record already has is not a change of a kept CFDI.
        unchanged = [
            name
            for name in LINK_FIELDS
            if name in vals and all(record[name] == vals[name] for record in self)
        ]
        if unchanged:
            vals = {name: value for name, value in vals.items() if name not in unchanged}
            if not vals:
                return True
        if "l10n_mx_einvoice_sha256" in vals and not self.env.su:
            raise UserError(self.env._("The SHA-256 of a CFDI file is computed, never written."))
        if any(name in vals for name in DATA_FIELDS):
            vals = dict(vals, l10n_mx_einvoice_sha256=_stamped_sha256(_content_of(vals)))
        return super().write(vals)

    def _l10n_mx_einvoice_stamped(self):
        stamped = super()._l10n_mx_einvoice_stamped()
        if not self.ids:
            return stamped
        self.env["account.move"].flush_model(["l10n_mx_einvoice_vendor_attachment_id"])
        self.env.cr.execute(
            "SELECT l10n_mx_einvoice_vendor_attachment_id FROM account_move "
            "WHERE l10n_mx_einvoice_vendor_attachment_id IN %s",
            [tuple(self.ids)],
        )
        return stamped | self.browse([row[0] for row in self.env.cr.fetchall()])

    def _l10n_mx_einvoice_integrity(self):
        """'ok', 'mismatch' (content changed since creation) or 'unknown' (no stored hash)."""
        self.ensure_one()
        if not self.l10n_mx_einvoice_sha256:
            return "unknown"
        current = sha256_hex(self.sudo().raw or b"")
        return "ok" if current == self.l10n_mx_einvoice_sha256 else "mismatch"
