from decimal import Decimal

from odoo import models

from ..cfdi import catalogs
from ..cfdi.complements import comercio_exterior as cce
from .l10n_mx_einvoice_utils import to_decimal

EXPORTS = ("02", "03")  # c_Exportacion: definitive export (with or without an A1 key)
UMT_KILO = "01"
COUNTRIES_WITH_STATES = ("MX", "US", "CA")


class L10nMxEinvoiceBuilderCce(models.AbstractModel):
    """Comercio Exterior 2.0 of an export invoice (Exportacion 02/03), from Odoo's records:
    the products' tariff items and UMT, the invoice's Incoterm and certificate of origin,
    the company's, customer's and delivery addresses, Odoo's USD rate. The engine computes
    ValorUnitarioAduana, ValorDolares and TotalUSD and checks SAT's rules."""

    _name = "l10n_mx_einvoice.builder.cce"
    _description = "CFDI builder: Comercio Exterior 2.0 complement"

    def _applies(self, move):
        return move.l10n_mx_einvoice_exportacion in EXPORTS and move.move_type in (
            "out_invoice",
            "out_refund",
        )

    def _complement(self, move):
        """The ComercioExterior of ``move``, or None when it is not an export."""
        if not self._applies(move):
            return None
        partner = move.partner_id.commercial_partner_id
        shipping = move.partner_shipping_id
        return cce.ComercioExterior(
            clave_de_pedimento="A1",
            certificado_origen=1 if move.l10n_mx_einvoice_certificado_origen else 0,
            num_certificado_origen=move.l10n_mx_einvoice_num_certificado_origen or None,
            numero_exportador_confiable=move.l10n_mx_einvoice_exportador_confiable or None,
            incoterm=move.invoice_incoterm_id.code or None,
            tipo_cambio_usd=self._tipo_cambio_usd(move),
            emisor=cce.Emisor(domicilio=self._domicilio_nacional(move.company_id.partner_id)),
            receptor=cce.Receptor(domicilio=self._domicilio(partner)),
            destinatarios=[
                cce.Destinatario(
                    nombre=(shipping.name or "").strip()[:300] or None,
                    domicilios=[self._domicilio(shipping)],
                )
            ]
            if shipping and shipping != partner
            else [],
            mercancias=self._mercancias(move),
        )

    def _tipo_cambio_usd(self, move):
        """MXN per US dollar on the invoice date, from Odoo's rates; None for an invoice
        in USD (the engine takes the CFDI's TipoCambio)."""
        usd = self.env.ref("base.USD")
        if move.currency_id == usd:
            return None
        rate = usd._get_conversion_rate(
            usd, move.company_id.currency_id, move.company_id, move.invoice_date or move.date
        )
        return Decimal(repr(rate)).quantize(Decimal("0.000001"))

    def _domicilio_nacional(self, partner):
        return cce.DomicilioNacional(
            calle=(partner.street or "").strip()[:100],
            estado=partner.state_id.code or "",
            pais="MEX",
            codigo_postal=(partner.zip or "").strip(),
        )

    def _domicilio(self, partner):
        return cce.Domicilio(
            calle=(partner.street or "").strip()[:100],
            colonia=(partner.street2 or "").strip()[:120] or None,
            municipio=(partner.city or "").strip()[:120] or None,
            estado=(partner.state_id.code or partner.state_id.name or "")[:30],
            pais=catalogs.pais_of_alpha2(partner.country_id.code) or "",
            codigo_postal=(partner.zip or "").strip()[:12],
        )

    def _mercancias(self, move):
        """One Mercancia per product code, its customs quantity in the tariff unit."""
        by_code = {}
        for line in self._lines(move):
            product = line.product_id
            code = product.default_code
            quantity = abs(line.quantity)
            if product.l10n_mx_einvoice_umt == UMT_KILO:
                quantity *= product.weight
            if code not in by_code:
                by_code[code] = cce.Mercancia(
                    no_identificacion=code,
                    fraccion_arancelaria=product.l10n_mx_einvoice_tariff_id.code,
                    unidad_aduana=product.l10n_mx_einvoice_umt,
                    cantidad_aduana=Decimal(0),
                )
            by_code[code].cantidad_aduana += to_decimal(quantity, 3)
        return list(by_code.values())

    def _lines(self, move):
        return move.invoice_line_ids.filtered(
            lambda line: line.display_type == "product" and line.product_id
        )

    # --- checks ----------------------------------------------------------------------

    def _problems(self, move):
        """What the records lack for Comercio Exterior, each with its fix."""
        if not self._applies(move):
            return []
        partner = move.partner_id.commercial_partner_id
        problems = self._address_problems(move.company_id.partner_id)
        problems += self._address_problems(partner)
        if move.partner_shipping_id and move.partner_shipping_id != partner:
            problems += self._address_problems(move.partner_shipping_id)
        if not move.invoice_incoterm_id:
            problems.append(
                self.env._(
                    "The export invoice %(move)s has no Incoterm: choose it in the Other Info tab.",
                    move=move.name,
                )
            )
        elif not catalogs.row("c_INCOTERM", move.invoice_incoterm_id.code or ""):
            problems.append(
                self.env._(
                    "The Incoterm %(incoterm)s of the invoice %(move)s is not in SAT's "
                    "catalog c_INCOTERM: choose another one.",
                    incoterm=move.invoice_incoterm_id.display_name,
                    move=move.name,
                )
            )
        for product in self._lines(move).product_id:
            problems += self._product_problems(product)
        return problems

    def _address_problems(self, partner):
        country = partner.country_id.code
        if (
            partner.street
            and partner.zip
            and country
            and (partner.state_id or country not in COUNTRIES_WITH_STATES)
        ):
            return []
        return [
            self.env._(
                "The address of %(partner)s is incomplete for Comercio Exterior: set its street, "
                "postal code, country and (Mexico, USA, Canada) state.",
                partner=partner.display_name,
            )
        ]

    def _product_problems(self, product):
        problems = []
        name = product.display_name
        if not product.default_code:
            problems.append(
                self.env._(
                    "The product %(product)s has no internal reference: Comercio Exterior "
                    "identifies each good by it (NoIdentificacion); set it on the product.",
                    product=name,
                )
            )
        if not product.l10n_mx_einvoice_tariff_id:
            problems.append(
                self.env._(
                    "The product %(product)s has no tariff item (fracción arancelaria): set it "
                    "on the product form to export it.",
                    product=name,
                )
            )
        if not product.l10n_mx_einvoice_umt:
            problems.append(
                self.env._(
                    "The product %(product)s has no tariff unit (UMT): set it on the product form "
                    "to export it.",
                    product=name,
                )
            )
        elif product.l10n_mx_einvoice_umt == UMT_KILO and not product.weight:
            problems.append(
                self.env._(
                    "The product %(product)s is measured in kilos for customs but has no weight: "
                    "set its weight on the product form.",
                    product=name,
                )
            )
        return problems
