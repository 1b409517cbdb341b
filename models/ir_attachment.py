"""CFDI files are kept as they are (CFF art. 30): the XML of every issued CFDI (and SAT's
cancellation acknowledgments) and of every supplier CFDI is never rewritten, re-pointed or
deleted, by anyone; its SHA-256 is stored when it is created. Odoo's EDI import never
hands an XML with a DOCTYPE or entities to a parser."""

import base64
import hashlib
import logging

from odoo import api, fields, models
from odoo.exceptions import UserError

from ..cfdi import reception
from ..cfdi import xml as cfdi_xml

_logger = logging.getLogger(__name__)

# Changing these would rewrite or detach a kept CFDI.
PROTECTED_FIELDS = frozenset(
    {
        "raw",
        "datas",
        "db_datas",
        "store_fname",
        "name",
        "res_model",
        "res_id",
        "res_field",
        "type",
        "url",
    }
)
LINK_FIELDS = ("res_model", "res_id")


def sha256_hex(data):
    return hashlib.sha256(data).hexdigest()


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
        if PROTECTED_FIELDS.intersection(vals):
            kept = self._l10n_mx_einvoice_kept()
            if kept:
                self._l10n_mx_einvoice_refuse(kept)
        if "l10n_mx_einvoice_sha256" in vals and not self.env.su:
            raise UserError(self.env._("The SHA-256 of a CFDI file is computed, never written."))
        if any(name in vals for name in ("raw", "datas")):
            vals = dict(vals, l10n_mx_einvoice_sha256=_stamped_sha256(_content_of(vals)))
        return super().write(vals)

    def unlink(self):
        kept = self._l10n_mx_einvoice_kept()
        if kept:
            self._l10n_mx_einvoice_refuse(kept)
        return super().unlink()

    def _l10n_mx_einvoice_kept(self):
        """The CFDI files among these attachments: issued (and acknowledgments) or received."""
        if not self.ids:
            return self.browse()
        self.env["l10n_mx_einvoice.document"].flush_model(["attachment_id"])
        self.env["account.move"].flush_model(["l10n_mx_einvoice_vendor_attachment_id"])
        self.env["l10n_mx_einvoice.vendor.payment"].flush_model(["attachment_id"])
        self.env.cr.execute(
            """
            SELECT attachment_id FROM l10n_mx_einvoice_document WHERE attachment_id IN %(ids)s
             UNION
            SELECT l10n_mx_einvoice_vendor_attachment_id FROM account_move
             WHERE l10n_mx_einvoice_vendor_attachment_id IN %(ids)s
             UNION
            SELECT attachment_id FROM l10n_mx_einvoice_vendor_payment
             WHERE attachment_id IN %(ids)s
            """,
            {"ids": tuple(self.ids)},
        )
        return self.browse([row[0] for row in self.env.cr.fetchall()])

    def _l10n_mx_einvoice_refuse(self, kept):
        raise UserError(
            self.env._(
                "%(files)s is a CFDI: it is kept unchanged for at least five years and cannot be "
                "modified or deleted.",
                files=", ".join(kept.mapped("name")),
            )
        )

    def _l10n_mx_einvoice_integrity(self):
        """'ok', 'mismatch' (content changed since creation) or 'unknown' (no stored hash)."""
        self.ensure_one()
        if not self.l10n_mx_einvoice_sha256:
            return "unknown"
        current = sha256_hex(self.sudo().raw or b"")
        return "ok" if current == self.l10n_mx_einvoice_sha256 else "mismatch"

    def _decode_edi_xml(self, filename, content):
        # EXTENDS account: refuse DTD/entity tricks before any parser sees them
        try:
            cfdi_xml.parse(content)
        except cfdi_xml.XmlError as error:
            if error.code == "XML-HOSTILE":
                _logger.info("XML attachment %s not decoded: %s", filename, error.message_en)
                # no tree for any decoder; the vendor-bill import tells the user why
                return [
                    {
                        "attachment": self,
                        "filename": filename,
                        "content": content,
                        "type": "hostile_xml",
                        "error": error,
                        "sort_weight": 10,
                    }
                ]
        return super()._decode_edi_xml(filename, content)
