from decimal import Decimal

from odoo import models

from ..cfdi import amounts, books, sat
from ..cfdi.document import CfdiRelacionados, Complemento, Comprobante, Concepto
from .l10n_mx_einvoice_utils import to_decimal


class L10nMxEinvoiceBuilderInvoice(models.AbstractModel):
    """A customer invoice or credit note (CFDI type I or E), from its journal entry."""

    _name = "l10n_mx_einvoice.builder.invoice"
    _inherit = "l10n_mx_einvoice.builder"
    _description = "CFDI builder: invoice or credit note"
    _document_type = "invoice"

    def _subject_name(self, move):
        return move.name

    def _issuing_journal(self, move):
        return move.journal_id

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
        lugar = self._lugar_expedicion(move)
        base_lines = self._base_lines(move)
        conceptos = self._conceptos(move, base_lines, decimals, price_digits, qty_digits)
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
            lugar_expedicion=lugar,
            emisor=self._emisor(company),
            receptor=self._receptor(
                move.partner_id.commercial_partner_id, lugar, move.l10n_mx_einvoice_uso_cfdi
            ),
            conceptos=books.fit(conceptos, decimals),
            complemento=Complemento(
                impuestos_locales=self._impuestos_locales(base_lines, decimals),
                comercio_exterior=self.env["l10n_mx_einvoice.builder.cce"]._complement(move),
                carta_porte=self.env["l10n_mx_einvoice.builder.carta_porte"]._complement(
                    move, lugar
                ),
            ),
        )
        uuids = move._l10n_mx_einvoice_related_uuid_list()
        if move.l10n_mx_einvoice_tipo_relacion and uuids:
            comprobante.cfdi_relacionados = [
                CfdiRelacionados(tipo_relacion=move.l10n_mx_einvoice_tipo_relacion, uuids=uuids)
            ]
        self.env["l10n_mx_einvoice.anticipo"]._relate(move, comprobante)
        return comprobante

    def _conceptos(self, move, base_lines, decimals, price_digits, qty_digits):
        """The move's concepts; a down payment invoice and the credit note applying one
        carry SAT's anticipo concept instead (``l10n_mx_einvoice.anticipo``)."""
        anticipo = self.env["l10n_mx_einvoice.anticipo"]._concept_description(move)
        return [
            self._anticipo_concepto(base_line, decimals, anticipo)
            if anticipo
            else self._concepto(base_line, decimals, price_digits, qty_digits)
            for base_line in base_lines
        ]

    def _anticipo_concepto(self, base_line, decimals, descripcion):
        """One anticipo line: 84111506 / ACT, Cantidad 1, its amount before taxes."""
        details = base_line["tax_details"]
        importe = to_decimal(
            details["total_excluded_currency"] + details.get("delta_total_excluded_currency", 0.0),
            decimals,
        )
        taxes = base_line["record"].tax_ids.flatten_taxes_hierarchy()
        concepto = Concepto(
            clave_prod_serv=sat.ANTICIPO_CLAVE_PROD_SERV,
            cantidad=Decimal(1),
            clave_unidad=sat.CLAVE_UNIDAD_ACTIVIDAD,
            descripcion=descripcion,
            valor_unitario=importe,
            importe=importe,
            objeto_imp=taxes._l10n_mx_einvoice_objeto_imp(),
        )
        if concepto.objeto_imp == "02":
            concepto.impuestos = self._concepto_taxes(details, decimals, Decimal(1))
        return concepto

    def _concepto(self, base_line, decimals, price_digits, qty_digits):
        """A line as the books have it: ``Importe - Descuento`` is its untaxed amount
        (global rounding's delta included), its taxes Odoo's; a negative line keeps its
        sign and ``books.fit`` spreads it over the positive ones."""
        line = base_line["record"]
        details = base_line["tax_details"]
        excluded = to_decimal(
            details["total_excluded_currency"] + details.get("delta_total_excluded_currency", 0.0),
            decimals,
        )
        sign = -1 if excluded < 0 else 1
        cantidad = to_decimal(abs(line.quantity), qty_digits)
        taxes = line.tax_ids.flatten_taxes_hierarchy()
        federal = taxes.filtered(lambda tax: not tax.l10n_mx_einvoice_local_tax)
        if any(taxes.mapped("price_include")) and cantidad:
            discount = Decimal(1) - to_decimal(line.discount, 6) / 100
            gross = abs(excluded) / discount if discount else abs(excluded)
            valor_unitario = (gross / cantidad).quantize(Decimal("0.000001"))
        else:
            valor_unitario = to_decimal(abs(line.price_unit), price_digits)
        importe = amounts.quantize(cantidad * valor_unitario, decimals)
        concepto = Concepto(
            clave_prod_serv=line.product_id._l10n_mx_einvoice_clave_prod_serv() or "",
            no_identificacion=(line.product_id.default_code or None),
            cantidad=cantidad,
            clave_unidad=self._clave_unidad(line) or "",
            unidad=(line.product_uom_id.name or None),
            descripcion=" ".join((line.name or line.product_id.display_name or "").split())[:1000],
            valor_unitario=valor_unitario,
            importe=importe if sign > 0 else excluded,
            descuento=(importe - excluded or None) if sign > 0 else None,
            objeto_imp=federal._l10n_mx_einvoice_objeto_imp(),
        )
        if concepto.objeto_imp == "02":
            concepto.impuestos = self._concepto_taxes(details, decimals, cantidad, sign)
        return concepto

    def _clave_unidad(self, line):
        if line.product_id:
            return line.product_id._l10n_mx_einvoice_clave_unidad(line.product_uom_id)
        return line.product_uom_id._l10n_mx_einvoice_clave_unidad()

    # --- checks ----------------------------------------------------------------------

    def _problems(self, move):
        """Problems of the records (company, customer, lines), each with its fix."""
        partner = move.partner_id.commercial_partner_id
        problems = self._company_problems(move) + self._receptor_problems(partner)
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
        anticipo = self.env["l10n_mx_einvoice.anticipo"]
        sat_concept = anticipo._concept_description(move)
        deductions = anticipo._deduction_lines(move)
        for line in lines:
            if sat_concept or line in deductions:  # SAT's anticipo concept: no product or unit
                problems += self._tax_problems(line.tax_ids.flatten_taxes_hierarchy())
            else:
                problems += self._line_problems(line)
        problems += self.env["l10n_mx_einvoice.builder.cce"]._problems(move)
        problems += self.env["l10n_mx_einvoice.builder.carta_porte"]._problems(move)
        return problems + anticipo._problems(move)

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
        if not line.quantity:
            problems.append(
                self.env._(
                    "The line '%(line)s' has no quantity: set it, or remove the line.",
                    line=label,
                )
            )
        return problems + self._tax_problems(line.tax_ids.flatten_taxes_hierarchy())
