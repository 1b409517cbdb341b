from decimal import Decimal

from odoo import models

from ..cfdi import amounts
from ..cfdi.document import CfdiRelacionados, Comprobante, Concepto
from .l10n_mx_einvoice_utils import to_decimal


class L10nMxEinvoiceBuilderInvoice(models.AbstractModel):
    """A customer invoice or credit note (CFDI type I or E), from its journal entry."""

    _name = "l10n_mx_einvoice.builder.invoice"
    _inherit = "l10n_mx_einvoice.builder"
    _description = "CFDI builder: invoice or credit note"
    _document_type = "invoice"

    def _subject_name(self, move):
        return move.name

    def _serie_folio(self, move):
        return self._move_serie_folio(move)

    def _expected_total(self, move):
        return to_decimal(move.amount_total, amounts.currency_decimals(move.currency_id.name))

    def _document_values(self, move):
        return {"move_id": move.id}

    def _comprobante(self, move, fecha):
        """The unsealed Comprobante of ``move``; the engine computes what is left out."""
        company = move.company_id
        decimals = amounts.currency_decimals(move.currency_id.name)
        precision = self.env["decimal.precision"]
        price_digits = max(precision.precision_get("Product Price"), decimals)
        qty_digits = precision.precision_get("Product Unit of Measure")
        serie, folio = self._serie_folio(move)
        comprobante = Comprobante(
            serie=serie,
            folio=folio,
            fecha=fecha,
            forma_pago=move.l10n_mx_einvoice_forma_pago or None,
            moneda=move.currency_id.name,
            tipo_cambio=self._tipo_cambio(move.currency_id, move.invoice_currency_rate),
            tipo_de_comprobante="E" if move.move_type == "out_refund" else "I",
            exportacion=move.l10n_mx_einvoice_exportacion or "01",
            metodo_pago=move.l10n_mx_einvoice_metodo_pago or None,
            lugar_expedicion=self._lugar_expedicion(company),
            emisor=self._emisor(company),
            receptor=self._receptor(
                move.partner_id.commercial_partner_id, company, move.l10n_mx_einvoice_uso_cfdi
            ),
            conceptos=[
                self._concepto(base_line, decimals, price_digits, qty_digits)
                for base_line in self._base_lines(move)
            ],
        )
        uuids = move._l10n_mx_einvoice_related_uuid_list()
        if move.l10n_mx_einvoice_tipo_relacion and uuids:
            comprobante.cfdi_relacionados = [
                CfdiRelacionados(tipo_relacion=move.l10n_mx_einvoice_tipo_relacion, uuids=uuids)
            ]
        return comprobante

    def _concepto(self, base_line, decimals, price_digits, qty_digits):
        line = base_line["record"]
        details = base_line["tax_details"]
        excluded = to_decimal(
            details["total_excluded_currency"] + details.get("delta_total_excluded_currency", 0.0),
            decimals,
        )
        cantidad = to_decimal(line.quantity, qty_digits)
        taxes = line.tax_ids.flatten_taxes_hierarchy()
        if any(taxes.mapped("price_include")) and cantidad:
            discount = Decimal(1) - to_decimal(line.discount, 6) / 100
            gross = excluded / discount if discount else excluded
            valor_unitario = (gross / cantidad).quantize(Decimal("0.000001"))
        else:
            valor_unitario = to_decimal(line.price_unit, price_digits)
        importe = amounts.quantize(cantidad * valor_unitario, decimals)
        descuento = importe - excluded
        concepto = Concepto(
            clave_prod_serv=line.product_id._l10n_mx_einvoice_clave_prod_serv() or "",
            no_identificacion=(line.product_id.default_code or None),
            cantidad=cantidad,
            clave_unidad=self._clave_unidad(line) or "",
            unidad=(line.product_uom_id.name or None),
            descripcion=" ".join((line.name or line.product_id.display_name or "").split())[:1000],
            valor_unitario=valor_unitario,
            importe=importe,
            descuento=descuento if descuento > 0 else None,
            objeto_imp=taxes._l10n_mx_einvoice_objeto_imp(),
        )
        if concepto.objeto_imp == "02":
            concepto.impuestos = self._concepto_taxes(details, decimals, cantidad)
        return concepto

    def _clave_unidad(self, line):
        if line.product_id:
            return line.product_id._l10n_mx_einvoice_clave_unidad(line.product_uom_id)
        return line.product_uom_id._l10n_mx_einvoice_clave_unidad()

    # --- checks ----------------------------------------------------------------------

    def _problems(self, move):
        """Problems of the records (company, customer, lines), each with its fix."""
        partner = move.partner_id.commercial_partner_id
        problems = self._company_problems(move.company_id) + self._receptor_problems(partner)
        foreign = partner.country_id and partner.country_id.code != "MX"
        if not foreign and not move.l10n_mx_einvoice_uso_cfdi:
            problems.append(
                self.env._(
                    "The invoice %(move)s has no CFDI use (Uso CFDI): choose it in the CFDI tab.",
                    move=move.name,
                )
            )
        lines = move.invoice_line_ids.filtered(lambda line: line.display_type == "product")
        if not lines:
            problems.append(self.env._("The invoice %(move)s has no lines.", move=move.name))
        for line in lines:
            problems += self._line_problems(line)
        return problems

    def _line_problems(self, line):
        product = line.product_id
        label = product.display_name or line.name or ""
        problems = []
        if not product:
            problems.append(
                self.env._(
                    "The line '%(line)s' has no product: choose a product with a SAT code.",
                    line=line.name,
                )
            )
        elif not product._l10n_mx_einvoice_clave_prod_serv():
            problems.append(
                self.env._(
                    "The product %(product)s has no SAT product/service code (ClaveProdServ): "
                    "set it on the product form, General Information tab.",
                    product=label,
                )
            )
        if not self._clave_unidad(line):
            problems.append(
                self.env._(
                    "The line '%(line)s' in %(uom)s has no SAT unit code (ClaveUnidad): set "
                    "it on the product form, General Information tab, field SAT unit code.",
                    uom=line.product_uom_id.display_name or "-",
                    line=label,
                )
            )
        if line.price_subtotal < 0 or line.quantity <= 0:
            problems.append(
                self.env._(
                    "The line '%(line)s' has a negative amount or quantity: CFDI has no negative "
                    "lines; use the discount column.",
                    line=label,
                )
            )
        return problems + self._tax_problems(line.tax_ids.flatten_taxes_hierarchy())
