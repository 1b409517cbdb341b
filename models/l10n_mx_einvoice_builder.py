import re
from decimal import Decimal

from odoo import models
from odoo.exceptions import UserError

from ..cfdi import amounts, catalogs, sat
from ..cfdi.document import (
    ConceptoImpuestos,
    Emisor,
    ImpuestosLocales,
    Receptor,
    Retencion,
    RetencionLocal,
    Traslado,
    TrasladoLocal,
)
from .l10n_mx_einvoice_utils import to_decimal


class L10nMxEinvoiceBuilder(models.AbstractModel):
    """What the three builders share: the issuer, a receiver, a line's taxes and the
    company's own checks.

    A builder (``l10n_mx_einvoice.builder.invoice``, ``.payment``, ``.global``) only
    translates Odoo records into the engine's dataclasses (``cfdi.document``) and says
    what is missing; ``l10n_mx_einvoice.document`` checks, seals, stamps and keeps. Each
    builder answers the same questions about its subject: ``_problems``,
    ``_comprobante``, ``_expected_total``, ``_document_values``, ``_subject_name``.
    """

    _name = "l10n_mx_einvoice.builder"
    _description = "CFDI builder (shared translation of Odoo records into CFDI nodes)"

    def _lugar_expedicion(self, subject):
        """The place of issue of ``subject``'s CFDI (postal code): its journal's issuing
        address when one is set (a branch, an establishment), else the company's."""
        journal = self._issuing_journal(subject)
        address = journal.l10n_mx_einvoice_issuing_address_id or subject.company_id.partner_id
        return (address.zip or "").strip()

    def _move_serie_folio(self, move):
        """Serie and Folio of a journal entry: its sequence prefix and number."""
        serie = re.sub(r"[^A-Za-z0-9]", "", move.sequence_prefix or move.journal_id.code or "")
        folio = str(move.sequence_number or "") or re.sub(r"[^A-Za-z0-9]", "", move.name or "")
        return serie[:25] or None, folio[:40] or None

    def _emisor(self, company):
        fiscal = company._l10n_mx_einvoice_fiscal_company()
        return Emisor(
            rfc=fiscal.partner_id._l10n_mx_einvoice_rfc() if fiscal.vat else "",
            nombre=(fiscal.partner_id.name or "").strip(),
            regimen_fiscal=fiscal.l10n_mx_einvoice_regimen_fiscal or "",
        )

    def _receptor(self, partner, lugar, uso_cfdi):
        """The receiver; a foreign one is domiciled at the place of issue ``lugar``."""
        rfc = partner._l10n_mx_einvoice_rfc()
        if rfc == sat.EXTRANJERO:
            return Receptor(
                rfc=rfc,
                nombre=partner.name or "",
                domicilio_fiscal=lugar,
                regimen_fiscal=sat.REGIMEN_SIN_OBLIGACIONES,
                uso_cfdi=sat.USO_SIN_EFECTOS,
                residencia_fiscal=catalogs.pais_of_alpha2(partner.country_id.code),
                num_reg_id_trib=partner.vat or None,
            )
        return Receptor(
            rfc=rfc,
            nombre=(partner.name or "").strip(),
            domicilio_fiscal=(partner.zip or "").strip(),
            regimen_fiscal=partner.l10n_mx_einvoice_regimen_fiscal or "",
            uso_cfdi=uso_cfdi or "",
        )

    def _base_lines(self, move):
        """Odoo's own per-line tax computation, rounded as the move was (deltas included)."""
        base_lines, _tax_lines = move._get_rounded_base_and_tax_lines()
        return [line for line in base_lines if line["record"].display_type == "product"]

    def _concepto_taxes(self, tax_details, decimals, cantidad, sign=1):
        """A line's federal taxes as Odoo computed them: traslados and retenciones (local
        taxes go to the implocal complement, ``_impuestos_locales``). ``sign`` -1: a
        negative line's, whose amounts the engine spreads over the positive lines."""
        impuestos = ConceptoImpuestos()
        for tax_data in tax_details["taxes_data"]:
            if tax_data["tax"].l10n_mx_einvoice_local_tax:
                continue
            values = tax_data["tax"]._l10n_mx_einvoice_tax_values()
            base = sign * to_decimal(abs(tax_data["base_amount_currency"]), decimals)
            if values["tipo_factor"] == "Cuota":
                base = cantidad
            importe = sign * to_decimal(abs(tax_data["tax_amount_currency"]), decimals)
            if values["retention"]:
                impuestos.retenciones.append(
                    Retencion(
                        base=base,
                        impuesto=values["impuesto"],
                        tipo_factor=values["tipo_factor"],
                        tasa_o_cuota=values["tasa_o_cuota"],
                        importe=importe,
                    )
                )
            elif values["tipo_factor"] == "Exento":
                impuestos.traslados.append(
                    Traslado(base=base, impuesto=values["impuesto"], tipo_factor="Exento")
                )
            else:
                impuestos.traslados.append(
                    Traslado(
                        base=base,
                        impuesto=values["impuesto"],
                        tipo_factor=values["tipo_factor"],
                        tasa_o_cuota=values["tasa_o_cuota"],
                        importe=importe,
                    )
                )
        return impuestos

    def _impuestos_locales(self, base_lines, decimals):
        """The implocal complement of these lines' local taxes (hospedaje, cedular, 5 al
        millar), one TrasladoLocal / RetencionLocal per tax; None when there are none."""
        totals = {}
        for base_line in base_lines:
            for tax_data in base_line["tax_details"]["taxes_data"]:
                tax = tax_data["tax"]
                if tax.l10n_mx_einvoice_local_tax:
                    amount = to_decimal(tax_data["tax_amount_currency"], decimals)
                    totals[tax] = totals.get(tax, Decimal(0)) + amount
        if not totals:
            return None
        locales = ImpuestosLocales()
        for tax, amount in totals.items():
            name = (tax.l10n_mx_einvoice_local_tax_name or tax.name or "").strip()
            rate = abs(Decimal(str(tax.amount))).quantize(Decimal("0.01"))
            if tax.amount < 0:
                locales.retenciones.append(RetencionLocal(nombre=name, tasa=rate, importe=-amount))
            else:
                locales.traslados.append(TrasladoLocal(nombre=name, tasa=rate, importe=amount))
        return locales

    def _tipo_cambio(self, currency, rate):
        """MXN per unit of ``currency`` from Odoo's rate (units of it per MXN), 6 decimals."""
        if currency.name == "MXN":
            return None
        return (Decimal(1) / Decimal(repr(rate or 1.0))).quantize(Decimal("0.000001"))

    def _total_of(self, moves):
        decimals = amounts.currency_decimals(moves[:1].currency_id.name or "MXN")
        return sum((to_decimal(move.amount_total, decimals) for move in moves), Decimal(0))

    # --- checks ----------------------------------------------------------------------

    def _company_problems(self, subject):
        """The issuer's data (the fiscal, root, company), the country first: a company that is
        not Mexican would otherwise get misleading RFC and régimen messages (a foreign RFC is
        the generic one)."""
        company = subject.company_id._l10n_mx_einvoice_fiscal_company()
        problems = []
        if company.country_id.code != "MX":
            problems.append(
                self.env._(
                    "The company's country is not Mexico (%(company)s: %(country)s): set Mexico "
                    "in the company's address (Settings > Companies) before issuing CFDI.",
                    company=company.name,
                    country=company.country_id.name or self.env._("no country"),
                )
            )
        if not company.vat:
            problems.append(
                self.env._(
                    "The company %(company)s has no RFC: set it in Settings > Companies (Tax ID).",
                    company=company.name,
                )
            )
        address = self._issuing_journal(subject).l10n_mx_einvoice_issuing_address_id
        if address and not self._lugar_expedicion(subject):
            problems.append(
                self.env._(
                    "The issuing address %(address)s of the journal %(journal)s has no postal "
                    "code (LugarExpedicion): set it on the contact.",
                    address=address.display_name,
                    journal=self._issuing_journal(subject).display_name,
                )
            )
        elif not self._lugar_expedicion(subject):
            problems.append(
                self.env._(
                    "The company %(company)s has no postal code (LugarExpedicion): set it in its "
                    "address.",
                    company=subject.company_id.name,
                )
            )
        if not company.l10n_mx_einvoice_regimen_fiscal:
            problems.append(
                self.env._(
                    "The company %(company)s has no fiscal regime: choose it in Settings > "
                    "Companies.",
                    company=company.name,
                )
            )
        return problems

    def _receptor_problems(self, partner):
        """The receiver's own data (a foreign receiver carries the generic RFC)."""
        if partner.country_id and partner.country_id.code != "MX":
            return []
        problems = []
        if not partner.vat:
            problems.append(
                self.env._(
                    "The customer %(partner)s has no RFC: set its Tax ID (no spaces or dashes) "
                    "or use XAXX010101000 for the general public.",
                    partner=partner.display_name,
                )
            )
        if not partner.zip:
            problems.append(
                self.env._(
                    "The customer %(partner)s has no postal code (DomicilioFiscalReceptor): set "
                    "the one of its Constancia de Situación Fiscal.",
                    partner=partner.display_name,
                )
            )
        if not partner.l10n_mx_einvoice_regimen_fiscal:
            problems.append(
                self.env._(
                    "The customer %(partner)s has no fiscal regime: choose it on the contact.",
                    partner=partner.display_name,
                )
            )
        return problems

    def _tax_problems(self, taxes):
        problems = []
        for tax in taxes.filtered(lambda t: not t.l10n_mx_einvoice_local_tax):
            try:
                tax._l10n_mx_einvoice_tax_values()
            except UserError as error:
                problems.append(str(error.args[0]))
        return problems
