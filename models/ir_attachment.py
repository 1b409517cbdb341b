from odoo import models
from odoo.exceptions import UserError

# Changing these would rewrite or detach a stamped CFDI.
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


class IrAttachment(models.Model):
    """Stamped CFDI XML files are kept as they are (CFF art. 30): no rewrite, no deletion."""

    _inherit = "ir.attachment"

    def _l10n_mx_einvoice_stamped(self):
        if not self.ids:
            return self.browse()
        self.env["l10n_mx_einvoice.document"].flush_model(["attachment_id"])
        self.env.cr.execute(
            "SELECT attachment_id FROM l10n_mx_einvoice_document WHERE attachment_id IN %s",
            [tuple(self.ids)],
        )
        return self.browse([row[0] for row in self.env.cr.fetchall()])

    def _l10n_mx_einvoice_refuse(self, stamped):
        raise UserError(
            self.env._(
                "%(files)s is a stamped CFDI: it is kept unchanged for at least five years and "
                "cannot be modified or deleted. / %(files)s es un CFDI timbrado: se conserva sin "
                "cambios al menos cinco años y no se puede modificar ni eliminar.",
                files=", ".join(stamped.mapped("name")),
            )
        )

    def write(self, vals):
        if PROTECTED_FIELDS.intersection(vals):
            stamped = self._l10n_mx_einvoice_stamped()
            if stamped:
                self._l10n_mx_einvoice_refuse(stamped)
        return super().write(vals)

    def unlink(self):
        stamped = self._l10n_mx_einvoice_stamped()
        if stamped:
            self._l10n_mx_einvoice_refuse(stamped)
        return super().unlink()
