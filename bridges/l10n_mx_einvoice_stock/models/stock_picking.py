from odoo import api, fields, models
from odoo.addons.l10n_mx_einvoice.models.l10n_mx_einvoice_utils import catalog_selection


class StockPicking(models.Model):
    _inherit = "stock.picking"

    l10n_mx_einvoice_vehicle_id = fields.Many2one(
        "l10n_mx_einvoice.vehicle", string="Vehicle", check_company=True, copy=False
    )
    l10n_mx_einvoice_driver_id = fields.Many2one(
        "res.partner", string="Driver", copy=False, help="Figura de transporte 01 (operador)."
    )
    l10n_mx_einvoice_distance = fields.Float(
        string="Distance (km)", digits=(16, 2), copy=False, help="DistanciaRecorrida."
    )
    l10n_mx_einvoice_arrival = fields.Datetime(string="Estimated arrival", copy=False)
    l10n_mx_einvoice_international = fields.Boolean(string="International transport")
    l10n_mx_einvoice_via = fields.Selection(
        selection=lambda self: catalog_selection("c_CveTransporte"),
        string="Way of entry / exit",
        default="01",
    )
    l10n_mx_einvoice_regimen_aduanero = fields.Selection(
        selection=lambda self: catalog_selection("c_RegimenAduanero"), string="Customs regime"
    )
    l10n_mx_einvoice_pedimento = fields.Char(
        string="Pedimento", copy=False, help="NumPedimento of the goods' customs document."
    )
    l10n_mx_einvoice_document_ids = fields.One2many(
        "l10n_mx_einvoice.document",
        "picking_id",
        string="Carta Porte documents",
        groups="l10n_mx_einvoice.group_l10n_mx_einvoice_user",
    )
    l10n_mx_einvoice_cp_uuid = fields.Char(
        string="Carta Porte UUID", compute="_compute_l10n_mx_einvoice_cp_uuid"
    )

    @api.depends("l10n_mx_einvoice_document_ids.state", "l10n_mx_einvoice_document_ids.uuid")
    def _compute_l10n_mx_einvoice_cp_uuid(self):
        for picking in self:
            stamped = picking.sudo().l10n_mx_einvoice_document_ids.filtered(
                lambda d: d.kind == "stamp" and d.state in ("stamped", "cancel_requested")
            )
            picking.l10n_mx_einvoice_cp_uuid = stamped[:1].uuid

    def _l10n_mx_einvoice_document_type(self):
        return "picking" if self.picking_type_code == "outgoing" else False

    def action_l10n_mx_einvoice_stamp_carta_porte(self):
        self.env["l10n_mx_einvoice.document"]._stamp(self)
        return True
