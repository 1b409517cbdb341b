from datetime import timezone

from odoo import models

from ..cfdi import catalogs, sat
from ..cfdi.complements import carta_porte as cp
from .l10n_mx_einvoice_utils import to_decimal
from .l10n_mx_einvoice_vehicle import normalize_placa

DOCUMENTO_PEDIMENTO = "01"
OPERADOR = "01"


class L10nMxEinvoiceBuilderCartaPorte(models.AbstractModel):
    """Carta Porte 3.1 by road from Odoo's records. Its nodes (locations from partners,
    Autotransporte from a vehicle, the driver) serve both the transfer CFDI of a picking
    (stock bridge) and the income CFDI of a carrier's freight invoice, built here: origin
    and destination partners, the goods described on the invoice, vehicle and driver.
    The engine fills IdCCP and the totals and checks SAT's rules."""

    _name = "l10n_mx_einvoice.builder.carta_porte"
    _description = "CFDI builder: Carta Porte 3.1 complement"

    # --- nodes shared with the stock bridge ----------------------------------------------

    def _internacional(self, international, entrada_salida, country, via, regimen):
        """The CartaPorte attributes of international transport (none for national)."""
        if not international:
            return {"transp_internac": "No"}
        return {
            "transp_internac": "Sí",
            "entrada_salida_merc": entrada_salida,
            "pais_origen_destino": catalogs.pais_of_alpha2(country.code),
            "via_entrada_salida": via,
            "regimenes_aduaneros": [cp.RegimenAduaneroCCP(regimen)] if regimen else [],
        }

    def _ubicacion(self, kind, ident, partner, when, lugar, **values):
        rfc = partner._l10n_mx_einvoice_rfc()
        foreign = rfc == sat.EXTRANJERO
        local = when.replace(tzinfo=timezone.utc).astimezone(catalogs.time_zone(lugar))
        return cp.Ubicacion(
            tipo_ubicacion=kind,
            id_ubicacion=ident,
            rfc_remitente_destinatario=rfc,
            nombre_remitente_destinatario=(partner.commercial_partner_id.name or "")[:254] or None,
            num_reg_id_trib=partner.commercial_partner_id.vat if foreign else None,
            residencia_fiscal=catalogs.pais_of_alpha2(partner.country_id.code) if foreign else None,
            fecha_hora_salida_llegada=local.replace(tzinfo=None, microsecond=0),
            domicilio=cp.Domicilio(
                calle=(partner.street or "")[:100] or None,
                estado=partner.state_id.code,
                pais=catalogs.pais_of_alpha2(partner.country_id.code),
                codigo_postal=partner.zip.strip(),
            ),
            **values,
        )

    def _pedimento(self, pedimento, rfc_impo=None):
        return [
            cp.DocumentacionAduanera(
                tipo_documento=DOCUMENTO_PEDIMENTO, num_pedimento=pedimento, rfc_impo=rfc_impo
            )
        ]

    def _autotransporte(self, vehicle):
        return cp.Autotransporte(
            perm_sct=vehicle.perm_sct,
            num_permiso_sct=vehicle.num_permiso_sct,
            identificacion_vehicular=cp.IdentificacionVehicular(
                config_vehicular=vehicle.config_vehicular,
                peso_bruto_vehicular=to_decimal(vehicle.peso_bruto_vehicular, 2),
                placa_vm=normalize_placa(vehicle.placa),
                anio_modelo_vm=vehicle.anio_modelo,
            ),
            seguros=cp.Seguros(
                asegura_resp_civil=vehicle.insurer,
                poliza_resp_civil=vehicle.policy,
                asegura_med_ambiente=vehicle.environment_insurer or None,
                poliza_med_ambiente=vehicle.environment_policy or None,
            ),
            remolques=[
                cp.Remolque(sub_tipo_rem=kind, placa=placa) for kind, placa in vehicle._trailers()
            ],
        )

    def _operador(self, driver):
        return cp.TiposFigura(
            tipo_figura=OPERADOR,
            rfc_figura=driver._l10n_mx_einvoice_rfc(),
            num_licencia=driver.l10n_mx_einvoice_driver_license,
            nombre_figura=driver.name,
        )

    def _address_problems(self, partner):
        if partner.zip and partner.state_id and partner.country_id:
            return []
        return [
            self.env._(
                "The address %(partner)s lacks its postal code, state or country (a Carta "
                "Porte location needs them): complete the contact.",
                partner=partner.display_name,
            )
        ]

    def _vehicle_problems(self, vehicle, hazardous=False):
        problems = []
        if vehicle._pulls_trailer() and not vehicle._trailers():
            problems.append(
                self.env._(
                    "The vehicle %(vehicle)s pulls a trailer (%(config)s): set its type and "
                    "plate on the vehicle.",
                    vehicle=vehicle.name,
                    config=vehicle.config_vehicular,
                )
            )
        if hazardous and not (vehicle.environment_insurer and vehicle.environment_policy):
            problems.append(
                self.env._(
                    "The vehicle %(vehicle)s carries hazardous material: set its environmental "
                    "insurer and policy on the vehicle.",
                    vehicle=vehicle.name,
                )
            )
        return problems

    def _driver_ok(self, driver):
        return bool(driver and driver.vat and driver.l10n_mx_einvoice_driver_license)

    # --- the freight invoice ------------------------------------------------------------

    def _applies(self, move):
        return move.move_type == "out_invoice" and move.l10n_mx_einvoice_carta_porte

    def _complement(self, move, lugar):
        """The CartaPorte of a freight invoice, or None when it carries none."""
        if not self._applies(move):
            return None
        origin, destination = (
            move.l10n_mx_einvoice_cp_origin_id,
            move.l10n_mx_einvoice_cp_destination_id,
        )
        international = move.l10n_mx_einvoice_cp_international
        entrada = move.l10n_mx_einvoice_cp_entrada_salida == "Entrada"
        foreign_end = origin if entrada else destination
        importer = destination._l10n_mx_einvoice_rfc() if entrada else None
        return cp.CartaPorte(
            **self._internacional(
                international,
                move.l10n_mx_einvoice_cp_entrada_salida,
                foreign_end.country_id,
                move.l10n_mx_einvoice_cp_via,
                move.l10n_mx_einvoice_cp_regimen_aduanero,
            ),
            ubicaciones=[
                self._ubicacion(
                    "Origen",
                    f"OR{origin.id % 1000000:06d}",
                    origin,
                    move.l10n_mx_einvoice_cp_departure,
                    lugar,
                ),
                self._ubicacion(
                    "Destino",
                    f"DE{destination.id % 1000000:06d}",
                    destination,
                    move.l10n_mx_einvoice_cp_arrival,
                    lugar,
                    distancia_recorrida=to_decimal(move.l10n_mx_einvoice_cp_distance, 2),
                ),
            ],
            mercancias=cp.Mercancias(
                mercancias=[
                    self._goods_mercancia(goods, international, importer)
                    for goods in move.l10n_mx_einvoice_cp_goods_ids
                ],
                autotransporte=self._autotransporte(move.l10n_mx_einvoice_cp_vehicle_id),
            ),
            figura_transporte=[self._operador(move.l10n_mx_einvoice_cp_driver_id)],
        )

    def _goods_mercancia(self, goods, international, importer):
        move = goods.move_id
        hazardous = goods.hazardous
        return cp.Mercancia(
            bienes_transp=goods.bienes_transp,
            descripcion=goods.name,
            cantidad=to_decimal(goods.quantity, 6).normalize(),
            clave_unidad=goods.uom_id._l10n_mx_einvoice_clave_unidad(),
            material_peligroso="Sí" if hazardous else None,
            cve_material_peligroso=goods.material_peligroso if hazardous else None,
            embalaje=goods.embalaje if hazardous else None,
            peso_en_kg=to_decimal(goods.weight, 3),
            valor_mercancia=to_decimal(goods.value, 2) if goods.value else None,
            moneda=move.currency_id.name if goods.value else None,
            documentacion_aduanera=(
                self._pedimento(move.l10n_mx_einvoice_cp_pedimento, importer)
                if international
                else []
            ),
        )

    def _problems(self, move):
        """What the freight invoice lacks for its Carta Porte, each with its fix."""
        if not self._applies(move):
            return []
        problems = []
        for partner in (
            move.l10n_mx_einvoice_cp_origin_id,
            move.l10n_mx_einvoice_cp_destination_id,
        ):
            if partner:
                problems += self._address_problems(partner)
        problems += self._trip_problems(move)
        vehicle = move.l10n_mx_einvoice_cp_vehicle_id
        if vehicle:
            hazardous = any(move.l10n_mx_einvoice_cp_goods_ids.mapped("hazardous"))
            problems += self._vehicle_problems(vehicle, hazardous)
        else:
            problems.append(
                self.env._(
                    "Choose the vehicle of the freight invoice %(move)s (Carta Porte tab).",
                    move=move.name,
                )
            )
        if not self._driver_ok(move.l10n_mx_einvoice_cp_driver_id):
            problems.append(
                self.env._(
                    "Choose the driver of the freight invoice %(move)s, with an RFC and a "
                    "driver's license on the contact.",
                    move=move.name,
                )
            )
        for goods in move.l10n_mx_einvoice_cp_goods_ids:
            problems += self._goods_problems(goods)
        return problems

    def _trip_problems(self, move):
        problems = []
        if not (move.l10n_mx_einvoice_cp_origin_id and move.l10n_mx_einvoice_cp_destination_id):
            problems.append(
                self.env._(
                    "Set the origin and the destination of the freight invoice %(move)s "
                    "(Carta Porte tab).",
                    move=move.name,
                )
            )
        departure, arrival = move.l10n_mx_einvoice_cp_departure, move.l10n_mx_einvoice_cp_arrival
        if not departure or not arrival or arrival <= departure:
            problems.append(
                self.env._(
                    "Set the departure and, after it, the estimated arrival of the freight "
                    "invoice %(move)s (Carta Porte tab).",
                    move=move.name,
                )
            )
        if move.l10n_mx_einvoice_cp_distance <= 0:
            problems.append(
                self.env._(
                    "Set the distance in km of the freight invoice %(move)s (Carta Porte tab).",
                    move=move.name,
                )
            )
        if not move.l10n_mx_einvoice_cp_goods_ids:
            problems.append(
                self.env._(
                    "List the goods transported under the freight invoice %(move)s (Carta "
                    "Porte tab).",
                    move=move.name,
                )
            )
        if move.l10n_mx_einvoice_cp_international and not (
            move.l10n_mx_einvoice_cp_entrada_salida
            and move.l10n_mx_einvoice_cp_regimen_aduanero
            and move.l10n_mx_einvoice_cp_pedimento
        ):
            problems.append(
                self.env._(
                    "The international freight of %(move)s needs whether the goods enter or "
                    "leave Mexico, its customs regime and its pedimento (Carta Porte tab).",
                    move=move.name,
                )
            )
        return problems

    def _goods_problems(self, goods):
        problems = []
        if not goods.uom_id._l10n_mx_einvoice_clave_unidad():
            problems.append(
                self.env._(
                    "The unit %(uom)s of the goods %(goods)s has no SAT unit code: set it on "
                    "the unit.",
                    uom=goods.uom_id.name,
                    goods=goods.name,
                )
            )
        if goods.weight <= 0:
            problems.append(
                self.env._(
                    "The goods %(goods)s have no weight (PesoEnKg): set it in the Carta Porte tab.",
                    goods=goods.name,
                )
            )
        if goods.hazardous and not (goods.material_peligroso and goods.embalaje):
            problems.append(
                self.env._(
                    "The hazardous goods %(goods)s need their material key and packaging.",
                    goods=goods.name,
                )
            )
        return problems
