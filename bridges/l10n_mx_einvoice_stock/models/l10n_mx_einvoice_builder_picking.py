import re
from decimal import Decimal

from odoo import models
from odoo.addons.l10n_mx_einvoice.cfdi import sat
from odoo.addons.l10n_mx_einvoice.cfdi.complements import carta_porte as cp
from odoo.addons.l10n_mx_einvoice.cfdi.document import (
    Complemento,
    Comprobante,
    Concepto,
    Receptor,
)
from odoo.addons.l10n_mx_einvoice.models.l10n_mx_einvoice_utils import to_decimal

TRANSFER_SERIE = "CP"


class L10nMxEinvoiceBuilderPicking(models.AbstractModel):
    """An outgoing transfer of the company's own goods → a transfer CFDI (T) with Carta
    Porte 3.1 by road: origin the warehouse, destination the delivery address, goods
    from the moves, the vehicle and its driver. The engine fills IdCCP and the totals."""

    _name = "l10n_mx_einvoice.builder.picking"
    _inherit = "l10n_mx_einvoice.builder"
    _description = "CFDI builder: transfer with Carta Porte"
    _document_type = "picking"

    def _subject_name(self, picking):
        return picking.display_name

    def _issuing_journal(self, picking):
        return self.env["account.journal"]

    def _expected_total(self, picking):
        return None

    def _document_values(self, picking):
        return {"picking_id": picking.id}

    def _moves(self, picking):
        return picking.move_ids.filtered(lambda m: m.state != "cancel" and m.product_uom_qty)

    def _quantity(self, move):
        return move.quantity or move.product_uom_qty

    def _cp(self):
        """The Carta Porte nodes shared with the freight invoice (main addon)."""
        return self.env["l10n_mx_einvoice.builder.carta_porte"]

    def _origin(self, picking):
        return picking.picking_type_id.warehouse_id.partner_id or picking.company_id.partner_id

    # --- checks ----------------------------------------------------------------------

    def _problems(self, picking):
        problems = self._company_problems(picking)
        if picking.picking_type_code != "outgoing" or picking.state == "cancel":
            problems.append(
                self.env._(
                    "%(picking)s is not an outgoing transfer: Carta Porte is issued for the "
                    "delivery of goods.",
                    picking=picking.display_name,
                )
            )
        problems += self._cp()._address_problems(self._origin(picking))
        if not picking.partner_id:
            problems.append(
                self.env._(
                    "The transfer %(picking)s has no delivery address: set its contact.",
                    picking=picking.display_name,
                )
            )
        else:
            problems += self._cp()._address_problems(picking.partner_id)
        problems += self._trip_problems(picking)
        problems += self._vehicle_problems(picking)
        for move in self._moves(picking):
            problems += self._goods_problems(move)
        return problems

    def _trip_problems(self, picking):
        problems = []
        if picking.l10n_mx_einvoice_distance <= 0:
            problems.append(
                self.env._(
                    "Set the distance in km of the transfer %(picking)s (Carta Porte tab).",
                    picking=picking.display_name,
                )
            )
        if (
            not picking.l10n_mx_einvoice_arrival
            or picking.l10n_mx_einvoice_arrival <= picking.scheduled_date
        ):
            problems.append(
                self.env._(
                    "Set the estimated arrival of the transfer %(picking)s after its scheduled "
                    "date (Carta Porte tab).",
                    picking=picking.display_name,
                )
            )
        if picking.l10n_mx_einvoice_international and not (
            picking.l10n_mx_einvoice_regimen_aduanero and picking.l10n_mx_einvoice_pedimento
        ):
            problems.append(
                self.env._(
                    "The international transfer %(picking)s needs its customs regime and "
                    "pedimento (Carta Porte tab).",
                    picking=picking.display_name,
                )
            )
        return problems

    def _vehicle_problems(self, picking):
        problems = []
        vehicle, driver = picking.l10n_mx_einvoice_vehicle_id, picking.l10n_mx_einvoice_driver_id
        if not vehicle:
            problems.append(
                self.env._(
                    "Choose the vehicle of the transfer %(picking)s (Carta Porte tab).",
                    picking=picking.display_name,
                )
            )
        else:
            templates = self._moves(picking).product_id.product_tmpl_id
            hazardous = any(templates.mapped("l10n_mx_einvoice_hazardous"))
            problems += self._cp()._vehicle_problems(vehicle, hazardous)
        if not self._cp()._driver_ok(driver):
            problems.append(
                self.env._(
                    "Choose the driver of the transfer %(picking)s, with an RFC and a driver's "
                    "license on the contact.",
                    picking=picking.display_name,
                )
            )
        return problems

    def _goods_problems(self, move):
        product = move.product_id
        template = product.product_tmpl_id
        problems = []
        if not template.l10n_mx_einvoice_clave_prod_serv_cp:
            problems.append(
                self.env._(
                    "The product %(product)s has no SAT goods code for Carta Porte "
                    "(c_ClaveProdServCP): set it on the product.",
                    product=product.display_name,
                )
            )
        if not product._l10n_mx_einvoice_clave_prod_serv():
            problems.append(
                self.env._(
                    "The product %(product)s has no SAT product code: set it on the product.",
                    product=product.display_name,
                )
            )
        if product.weight <= 0:
            problems.append(
                self.env._(
                    "The product %(product)s has no weight (PesoEnKg): set it on the product.",
                    product=product.display_name,
                )
            )
        if not move.product_uom._l10n_mx_einvoice_clave_unidad():
            problems.append(
                self.env._(
                    "The unit %(uom)s of %(product)s has no SAT unit code: set it on the unit.",
                    uom=move.product_uom.name,
                    product=product.display_name,
                )
            )
        if template.l10n_mx_einvoice_hazardous and not (
            template.l10n_mx_einvoice_material_peligroso and template.l10n_mx_einvoice_embalaje
        ):
            problems.append(
                self.env._(
                    "The hazardous product %(product)s needs its material key and packaging: "
                    "set them on the product.",
                    product=product.display_name,
                )
            )
        return problems

    # --- the CFDI --------------------------------------------------------------------

    def _comprobante(self, picking, fecha):
        company = picking.company_id
        lugar = self._lugar_expedicion(picking)
        emisor = self._emisor(company)
        moves = self._moves(picking)
        return Comprobante(
            serie=TRANSFER_SERIE,
            folio=re.sub(r"[^A-Za-z0-9]", "", picking.name or "")[-40:] or None,
            fecha=fecha,
            moneda="XXX",
            tipo_de_comprobante="T",
            exportacion="01",
            lugar_expedicion=lugar,
            emisor=emisor,
            receptor=Receptor(
                rfc=emisor.rfc,
                nombre=emisor.nombre,
                domicilio_fiscal=lugar,
                regimen_fiscal=emisor.regimen_fiscal,
                uso_cfdi=sat.USO_SIN_EFECTOS,
            ),
            conceptos=[self._concepto(move) for move in moves],
            complemento=Complemento(carta_porte=self._carta_porte(picking, moves, lugar)),
        )

    def _concepto(self, move):
        return Concepto(
            clave_prod_serv=move.product_id._l10n_mx_einvoice_clave_prod_serv(),
            no_identificacion=move.product_id.default_code or None,
            cantidad=self._cantidad(move),
            clave_unidad=move.product_uom._l10n_mx_einvoice_clave_unidad(),
            descripcion=move.product_id.display_name,
            valor_unitario=Decimal(0),
            objeto_imp="01",
        )

    def _cantidad(self, move):
        return to_decimal(self._quantity(move), 6).normalize()

    def _carta_porte(self, picking, moves, lugar):
        builder = self._cp()
        destination = picking.partner_id
        return cp.CartaPorte(
            **builder._internacional(
                picking.l10n_mx_einvoice_international,
                "Salida",
                destination.country_id,
                picking.l10n_mx_einvoice_via,
                picking.l10n_mx_einvoice_regimen_aduanero,
            ),
            ubicaciones=[
                builder._ubicacion(
                    "Origen",
                    f"OR{picking.picking_type_id.warehouse_id.id:06d}",
                    self._origin(picking),
                    picking.scheduled_date,
                    lugar,
                ),
                builder._ubicacion(
                    "Destino",
                    f"DE{destination.id:06d}",
                    destination,
                    picking.l10n_mx_einvoice_arrival,
                    lugar,
                    distancia_recorrida=to_decimal(picking.l10n_mx_einvoice_distance, 2),
                ),
            ],
            mercancias=cp.Mercancias(
                mercancias=[self._mercancia(picking, move) for move in moves],
                autotransporte=builder._autotransporte(picking.l10n_mx_einvoice_vehicle_id),
            ),
            figura_transporte=[builder._operador(picking.l10n_mx_einvoice_driver_id)],
        )

    def _mercancia(self, picking, move):
        template = move.product_id.product_tmpl_id
        quantity = self._quantity(move)
        hazardous = template.l10n_mx_einvoice_hazardous
        international = picking.l10n_mx_einvoice_international
        return cp.Mercancia(
            bienes_transp=template.l10n_mx_einvoice_clave_prod_serv_cp,
            descripcion=move.product_id.display_name,
            cantidad=self._cantidad(move),
            clave_unidad=move.product_uom._l10n_mx_einvoice_clave_unidad(),
            material_peligroso="Sí" if hazardous else None,
            cve_material_peligroso=template.l10n_mx_einvoice_material_peligroso
            if hazardous
            else None,
            embalaje=template.l10n_mx_einvoice_embalaje if hazardous else None,
            peso_en_kg=to_decimal(move.product_id.weight * quantity, 3),
            documentacion_aduanera=(
                self._cp()._pedimento(picking.l10n_mx_einvoice_pedimento) if international else []
            ),
        )
