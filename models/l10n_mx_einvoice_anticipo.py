"""Down payments (anticipos) as SAT's Guía de llenado, apéndice 6, asks, from Odoo's own
down payment invoices (``account.move._is_downpayment`` and
``account.move.line._get_downpayment_lines``, declared by ``account`` and answered by
``sale``: this addon does not depend on ``sale``).

- The anticipo invoice: one concept per line, ClaveProdServ 84111506, ClaveUnidad ACT,
  Cantidad 1, "Anticipo del bien o servicio".
- The company's method (``res.company.l10n_mx_einvoice_anticipo_method``):
  ``egreso`` (default): the final invoice is for the whole price (no deduction lines),
  related 07 to the anticipo; a credit note (E, FormaPago 30, UsoCFDI G02, one concept
  84111506 / ACT "Aplicación de anticipo") applies the anticipo, related 07 to the
  anticipo and to the final invoice; ``remanente``: the final invoice deducts the anticipo
  (Odoo's deduction lines, a discount in the CFDI) and is related 07 to it.
"""

from odoo import Command, api, models
from odoo.exceptions import UserError

from ..cfdi import sat
from ..cfdi.document import CfdiRelacionados


class L10nMxEinvoiceAnticipo(models.AbstractModel):
    _name = "l10n_mx_einvoice.anticipo"
    _description = "CFDI down payments (anticipos)"

    @api.model
    def _is_anticipo_invoice(self, move):
        return move.move_type == "out_invoice" and bool(move._is_downpayment())

    @api.model
    def _is_application(self, move):
        """The credit note that applies anticipos (method egreso)."""
        return move.move_type == "out_refund" and bool(move.l10n_mx_einvoice_anticipo_ids)

    @api.model
    def _concept_description(self, move):
        """The description of the single anticipo concept of ``move``, or None."""
        if self._is_anticipo_invoice(move):
            return sat.ANTICIPO_DESCRIPCION
        if self._is_application(move):
            return sat.APLICACION_ANTICIPO_DESCRIPCION
        return None

    @api.model
    def _deduction_lines(self, move):
        """The final invoice's lines that deduct a down payment (negative)."""
        return move.invoice_line_ids.filtered(
            lambda line: (
                line.display_type == "product"
                and line.price_subtotal < 0
                and line._get_downpayment_lines()
            )
        )

    @api.model
    def _applied(self, move):
        """The anticipo invoices a final invoice deducts (remanente)."""
        return (
            self._deduction_lines(move)
            ._get_downpayment_lines()
            .move_id.filtered(lambda m: m != move and m.state == "posted")
        )

    @api.model
    def _relate(self, move, comprobante):
        """A final invoice is related 07 to the anticipos it applies (with the user's own
        07 relation, if any). The credit note carries its relation in its own fields."""
        if move.move_type != "out_invoice":
            return
        uuids = [
            u.upper()
            for u in move.l10n_mx_einvoice_anticipo_ids.mapped("l10n_mx_einvoice_uuid")
            if u
        ]
        if not uuids:
            return
        for node in comprobante.cfdi_relacionados:
            if node.tipo_relacion == sat.RELACION_ANTICIPO:
                node.uuids += [u for u in uuids if u not in node.uuids]
                return
        comprobante.cfdi_relacionados.append(
            CfdiRelacionados(tipo_relacion=sat.RELACION_ANTICIPO, uuids=uuids)
        )

    @api.model
    def _problems(self, move):
        problems = []
        unstamped = move.l10n_mx_einvoice_anticipo_ids.filtered(
            lambda m: not m.l10n_mx_einvoice_uuid
        )
        if unstamped:
            problems.append(
                self.env._(
                    "The down payment invoice %(anticipos)s applied by %(move)s has no stamped "
                    "CFDI: stamp it first (the final CFDI is related 07 to its UUID).",
                    anticipos=", ".join(unstamped.mapped("display_name")),
                    move=move.name,
                )
            )
        if move.company_id.l10n_mx_einvoice_anticipo_method == "egreso" and self._deduction_lines(
            move
        ):
            problems.append(
                self.env._(
                    "The invoice %(move)s deducts a down payment, but the company applies down "
                    "payments with a credit note (Settings > CFDI > Down payments): invoice the "
                    "whole price (without deducting the down payment) and use Apply down "
                    "payment on the stamped invoice, or choose the remaining-amount method.",
                    move=move.name,
                )
            )
        return problems

    @api.model
    def _credit_note(self, invoice):
        """Post the credit note applying ``invoice``'s anticipos (method egreso) and reconcile
        it with the invoice; the anticipo lines' accounts and taxes, FormaPago 30, G02."""
        invoice.ensure_one()
        anticipos = invoice.l10n_mx_einvoice_anticipo_ids
        if invoice.state != "posted" or not invoice.l10n_mx_einvoice_uuid or not anticipos:
            raise UserError(
                self.env._(
                    "Apply a down payment from a stamped invoice that lists its down payment "
                    "invoices (CFDI tab, Down payments applied)."
                )
            )
        lines = anticipos.invoice_line_ids.filtered(lambda line: line.display_type == "product")
        refund = self.env["account.move"].create(
            {
                "move_type": "out_refund",
                "partner_id": invoice.partner_id.id,
                "company_id": invoice.company_id.id,
                "journal_id": invoice.journal_id.id,
                "currency_id": invoice.currency_id.id,
                "reversed_entry_id": invoice.id,
                "invoice_origin": invoice.name,
                "l10n_mx_einvoice_anticipo_ids": [Command.set(anticipos.ids)],
                "l10n_mx_einvoice_uso_cfdi": sat.USO_DEVOLUCIONES,
                "l10n_mx_einvoice_metodo_pago": "PUE",
                "l10n_mx_einvoice_forma_pago": sat.FORMA_PAGO_APLICACION_ANTICIPO,
                # SAT's guide relates the application to the final invoice; the issue asks
                # for the anticipo too: both, with TipoRelacion 07
                "l10n_mx_einvoice_tipo_relacion": sat.RELACION_ANTICIPO,
                "l10n_mx_einvoice_related_uuids": "\n".join(
                    [*anticipos.mapped("l10n_mx_einvoice_uuid"), invoice.l10n_mx_einvoice_uuid]
                ),
                "invoice_line_ids": [
                    Command.create(
                        {
                            "name": sat.APLICACION_ANTICIPO_DESCRIPCION,
                            "quantity": 1.0,
                            "price_unit": line.price_unit * line.quantity,
                            "account_id": line.account_id.id,
                            "tax_ids": [Command.set(line.tax_ids.ids)],
                        }
                    )
                    for line in lines
                ],
            }
        )
        refund.action_post()
        (refund | invoice).line_ids.filtered(
            lambda line: line.account_type == "asset_receivable" and not line.reconciled
        ).reconcile()
        return refund
