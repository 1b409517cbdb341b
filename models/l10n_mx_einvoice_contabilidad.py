"""The books of a company as Anexo 24 data: accounts, balances, pólizas, auxiliares.

Reads posted journal items (``account.move.line``) of one company and translates them
into ``cfdi.contabilidad``'s dataclasses; the engine checks and writes the files. The
balanza follows Odoo's trial balance: income and expense accounts start each fiscal year
at zero, their earlier results are in the current year earnings account.
"""

import re
from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal

from odoo import api, models
from odoo.exceptions import UserError

from ..cfdi import contabilidad as ce
from ..cfdi.contabilidad import catalogs as ce_catalogs
from ..cfdi.contabilidad.cuentas import AccountTotals
from .l10n_mx_einvoice_utils import finding_message, to_decimal

BATCH = 500  # entries read at a time: a year of journal items is never loaded at once
NO_AMOUNT = ("line_section", "line_note")  # an invoice's titles and notes: no account
RECEIVABLE_PAYABLE = ("asset_receivable", "liability_payable")
CHEQUE, TRANSFERENCIA = "02", "03"
BANCO_EXTRANJERO = "999"
# a supplier's own folio of a CFD or CBB (no UUID): an optional serie of letters, a number
SERIE_FOLIO = re.compile(r"^\s*([A-Za-z]{1,10})?[\s/-]*0*([1-9][0-9]{0,19})\s*$")


class L10nMxEinvoiceContabilidad(models.AbstractModel):
    _name = "l10n_mx_einvoice.contabilidad"
    _description = "Contabilidad electrónica: the books as Anexo 24 data"

    # --- accounts -------------------------------------------------------------

    @api.model
    def _accounts(self, company):
        return (
            self.env["account.account"]
            .with_company(company)
            .with_context(active_test=False)
            .search([("company_ids", "in", company.ids)])
        )

    @api.model
    def _catalogo(self, company):
        """The catálogo (accounts plus the parents their codes imply); a UserError listing
        every account without a valid código agrupador, before anything is generated."""
        accounts = self._accounts(company)
        cuentas = [
            ce.Cuenta(
                num_cta=account.code,
                desc=account.name,
                cod_agrup=account.l10n_mx_einvoice_cod_agrup or "",
                natur=account.l10n_mx_einvoice_nature or "",
            )
            for account in accounts
        ]
        groups = (
            self.env["account.group"]
            .with_company(company)
            .search([("company_id", "in", company.parent_ids.ids)])
        )
        names = {g.code_prefix_start: g.name for g in groups if g.code_prefix_start}
        catalogo = ce.catalogo(cuentas, names)
        self._raise_findings(ce.check_catalogo(catalogo), self.env._("Map these accounts first"))
        return catalogo

    # --- balances -------------------------------------------------------------

    def _domain(self, company, *conditions):
        return [("company_id", "=", company.id), ("parent_state", "=", "posted"), *conditions]

    @api.model
    def _sums(self, domain):
        lines = self.env["account.move.line"].sudo()
        return {
            account: (debit, credit)
            for account, debit, credit in lines._read_group(
                domain, ["account_id"], ["debit:sum", "credit:sum"]
            )
        }

    @api.model
    def _account_totals(self, company, date_from, date_to):
        """One ``AccountTotals`` per account with a balance or a movement, as Odoo's trial
        balance shows them (income and expense reset at the start of the fiscal year)."""
        fy_start = company.compute_fiscalyear_dates(date_from)["date_from"]
        before = self._sums(self._domain(company, ("date", "<", date_from)))
        this_year = self._sums(
            self._domain(company, ("date", ">=", fy_start), ("date", "<", date_from))
        )
        period = self._sums(
            self._domain(company, ("date", ">=", date_from), ("date", "<=", date_to))
        )
        digits = company.currency_id.decimal_places
        opening = {}
        earlier_results = 0.0
        for account, (debit, credit) in before.items():
            if account.include_initial_balance:
                opening[account] = debit - credit
            else:
                year_debit, year_credit = this_year.get(account, (0.0, 0.0))
                opening[account] = year_debit - year_credit
                earlier_results += (debit - credit) - (year_debit - year_credit)
        if earlier_results:
            earnings = self._earnings_account(company)
            opening[earnings] = opening.get(earnings, 0.0) + earlier_results
        totals = []
        for account in self.env["account.account"].union(*opening, *period).with_company(company):
            debit, credit = period.get(account, (0.0, 0.0))
            totals.append(
                AccountTotals(
                    account.code,
                    to_decimal(opening.get(account, 0.0), digits),
                    to_decimal(debit, digits),
                    to_decimal(credit, digits),
                )
            )
        return totals

    @api.model
    def _earnings_account(self, company):
        return (
            self.env["account.account"]
            .with_company(company)
            .search(
                [("company_ids", "in", company.ids), ("account_type", "=", "equity_unaffected")],
                limit=1,
            )
        )

    @api.model
    def _balanza(self, company, date_from, date_to, catalogo=None):
        catalogo = catalogo or self._catalogo(company)
        return catalogo, ce.balanza(catalogo, self._account_totals(company, date_from, date_to))

    # --- pólizas --------------------------------------------------------------

    @api.model
    def _move_batches(self, company, date_from, date_to):
        """The posted entries of the period, ``BATCH`` at a time, each batch with its
        journal items fetched in one query (a generator of (moves, lines by move id))."""
        moves = self.env["account.move"].sudo().with_company(company)
        ids = moves.search(
            [
                ("company_id", "=", company.id),
                ("state", "=", "posted"),
                ("date", ">=", date_from),
                ("date", "<=", date_to),
            ],
            order="date, name, id",
        ).ids
        for start in range(0, len(ids), BATCH):
            batch = moves.browse(ids[start : start + BATCH])
            batch.fetch(["name", "date", "ref", "journal_id", "move_type", "origin_payment_id"])
            lines = (
                self.env["account.move.line"]
                .sudo()
                .search_fetch(
                    [("move_id", "in", batch.ids), ("display_type", "not in", NO_AMOUNT)],
                    ["move_id", "account_id", "name", "debit", "credit"],
                    order="move_id, id",
                )
            )
            by_move = defaultdict(list)
            for line in lines:
                by_move[line.move_id.id].append(line)
            yield batch, by_move
            batch.invalidate_recordset()
            lines.invalidate_recordset()

    @api.model
    def _polizas(self, company, date_from, date_to):
        accounts = {a.id: (a.code, a.name, a.account_type) for a in self._accounts(company)}
        digits = company.currency_id.decimal_places
        for moves, lines in self._move_batches(company, date_from, date_to):
            for move in moves:
                yield self._poliza(move, lines[move.id], accounts, digits)

    @api.model
    def _poliza(self, move, lines, accounts, digits):
        """One póliza from an entry and its journal items; ``accounts`` maps an account id
        to its (code, name, type), read once for the whole period."""
        vouchers = self._vouchers(move)
        payments = self._payments(move)
        bank_account = move.origin_payment_id.outstanding_account_id.id
        transacciones = []
        for line in lines:
            account_id = line.account_id.id
            if account_id not in accounts:  # shared with the company after the catálogo
                account = line.account_id.with_company(move.company_id)
                accounts[account_id] = (account.code, account.name, account.account_type)
            code, name, account_type = accounts[account_id]
            transacciones.append(
                ce.Transaccion(
                    num_cta=code,
                    des_cta=name,
                    concepto=line.name or move.ref or move.name,
                    debe=to_decimal(line.debit, digits),
                    haber=to_decimal(line.credit, digits),
                    **(vouchers if account_type in RECEIVABLE_PAYABLE else {}),
                    **(payments if bank_account and account_id == bank_account else {}),
                )
            )
        return ce.Poliza(
            num_un_iden_pol=move.name,
            fecha=move.date,
            concepto=move.ref or move.journal_id.name + " " + move.name,
            transacciones=transacciones,
        )

    @api.model
    def _rate(self, move):
        if move.currency_id == move.company_id.currency_id or not move.amount_total:
            return None
        return Decimal(abs(move.amount_total_signed) / move.amount_total).quantize(
            Decimal("0.00001")
        )

    @api.model
    def _vouchers(self, move):
        """The CFDI (or foreign invoice) of an invoice or bill, as CompNal / CompExt."""
        if not move.is_invoice(include_receipts=True):
            return {}
        amount = to_decimal(move.amount_total, move.currency_id.decimal_places)
        currency = move.currency_id.name
        rate = self._rate(move)
        if move.is_sale_document(include_receipts=True) and move.l10n_mx_einvoice_uuid:
            rfc = move.commercial_partner_id._l10n_mx_einvoice_rfc()
            return {
                "comp_nal": [ce.CompNal(move.l10n_mx_einvoice_uuid, rfc, amount, currency, rate)]
            }
        if move.is_purchase_document(include_receipts=True):
            if move.l10n_mx_einvoice_vendor_uuid:
                rfc = move.l10n_mx_einvoice_vendor_issuer_rfc or move.commercial_partner_id.vat
                uuid = move.l10n_mx_einvoice_vendor_uuid
                return {"comp_nal": [ce.CompNal(uuid, rfc or "", amount, currency, rate)]}
            partner = move.commercial_partner_id
            if partner.country_id and partner.country_id.code != "MX":
                number = move.ref or move.name
                ext = ce.CompExt(number, amount, partner.vat or None, currency, rate)
                return {"comp_ext": [ext]}
            return self._comp_nal_otr(move, amount, currency, rate)
        return {}

    @api.model
    def _comp_nal_otr(self, move, amount, currency, rate):
        """A national supplier's voucher that is not a CFDI (CFD or CBB): the bill has no
        UUID and its reference is the supplier's serie and folio ("A-1234", "1234")."""
        found = SERIE_FOLIO.match(move.ref or "")
        rfc = move.commercial_partner_id._l10n_mx_einvoice_rfc()
        if not found or not rfc:
            return {}
        serie, folio = found.groups()
        otr = ce.CompNalOtr(
            cfd_cbb_num_fol=int(folio),
            rfc=rfc,
            monto_total=amount,
            cfd_cbb_serie=serie.upper() if serie else None,
            moneda=currency,
            tip_camb=rate,
        )
        return {"comp_nal_otr": [otr]}

    @api.model
    def _payments(self, move):
        """A payment entry's Cheque / Transferencia / OtrMetodoPago."""
        payment = move.origin_payment_id
        if not payment:
            return {}
        company = move.company_id
        outbound = payment.payment_type == "outbound"
        partner = payment.partner_id.commercial_partner_id
        benef = partner if outbound else company.partner_id
        rfc = (partner._l10n_mx_einvoice_rfc() if outbound else company.vat) or "XAXX010101000"
        common = {
            "fecha": payment.date,
            "benef": benef.name,
            "rfc": rfc,
            "monto": to_decimal(payment.amount, payment.currency_id.decimal_places),
            "moneda": payment.currency_id.name,
            "tip_camb": self._rate(move),
        }
        forma = (
            payment.payment_method_line_id.l10n_mx_einvoice_forma_pago
            or payment.journal_id.l10n_mx_einvoice_forma_pago
            or ("01" if payment.journal_id.type == "cash" else "03")
        )
        journal_bank = payment.journal_id.bank_account_id
        partner_bank = payment.partner_bank_id
        if forma == CHEQUE and outbound and journal_bank.bank_id.l10n_mx_edi_code:
            cheque = ce.Cheque(
                num=payment.memo or payment.name,
                ban_emis_nal=journal_bank.bank_id.l10n_mx_edi_code,
                cta_ori=journal_bank.acc_number,
                **common,
            )
            return {"cheque": [cheque]}
        origin, destination = (
            (journal_bank, partner_bank) if outbound else (partner_bank, journal_bank)
        )
        if forma == TRANSFERENCIA and origin.bank_id and destination.bank_id:
            transferencia = ce.Transferencia(
                banco_ori_nal=origin.bank_id.l10n_mx_edi_code or BANCO_EXTRANJERO,
                banco_ori_ext=None if origin.bank_id.l10n_mx_edi_code else origin.bank_id.name,
                cta_ori=origin.acc_number,
                cta_dest=destination.acc_number,
                banco_dest_nal=destination.bank_id.l10n_mx_edi_code or BANCO_EXTRANJERO,
                banco_dest_ext=(
                    None if destination.bank_id.l10n_mx_edi_code else destination.bank_id.name
                ),
                **common,
            )
            return {"transferencia": [transferencia]}
        method = forma if forma in ce_catalogs.codes("c_MetPagos") else "99"
        return {"otr_metodo_pago": [ce.OtrMetodoPago(met_pago_pol=method, **common)]}

    @api.model
    def _company_uuids(self, company):
        """Upper-case UUIDs of the company's issued and received CFDI."""
        documents = (
            self.env["l10n_mx_einvoice.document"]
            .sudo()
            .search(
                [("company_id", "=", company.id), ("kind", "=", "stamp"), ("uuid", "!=", False)]
            )
        )
        bills = (
            self.env["account.move"]
            .sudo()
            .search(
                [("company_id", "=", company.id), ("l10n_mx_einvoice_vendor_uuid", "!=", False)]
            )
        )
        return {u.upper() for u in documents.mapped("uuid")} | {
            u.upper() for u in bills.mapped("l10n_mx_einvoice_vendor_uuid")
        }

    # --- auxiliar de cuentas ----------------------------------------------------

    @api.model
    def _auxiliar_cuentas(self, company, date_from, date_to, saldos):
        """One CuentaAuxiliar per account with journal items in the period, its details
        read while the file is written."""
        accounts = {a.code: a for a in self._accounts(company)}
        for saldo in saldos:
            account = accounts.get(saldo.num_cta)
            if account is None or not (saldo.debe or saldo.haber):
                continue
            yield ce.CuentaAuxiliar(
                num_cta=saldo.num_cta,
                des_cta=account.name,
                saldo_ini=saldo.saldo_ini,
                saldo_fin=saldo.saldo_fin,
                detalles=self._detalles(company, account, date_from, date_to),
            )

    @api.model
    def _detalles(self, company, account, date_from, date_to):
        digits = company.currency_id.decimal_places
        lines = (
            self.env["account.move.line"]
            .sudo()
            .search_fetch(
                self._domain(
                    company,
                    ("account_id", "=", account.id),
                    ("date", ">=", date_from),
                    ("date", "<=", date_to),
                ),
                ["date", "move_id", "name", "debit", "credit"],
                order="date, id",
            )
        )
        for line in lines:
            move = line.move_id
            yield ce.DetalleAux(
                fecha=line.date,
                num_un_iden_pol=move.name,
                concepto=line.name or move.ref or move.name,
                debe=to_decimal(line.debit, digits),
                haber=to_decimal(line.credit, digits),
            )

    # --- findings ----------------------------------------------------------------

    @api.model
    def _raise_findings(self, findings, title):
        errors = [f for f in findings if f.severity == "error"]
        if errors:
            raise UserError(
                "\n".join([f"{title}:", *(f"• {finding_message(self.env, f)}" for f in errors)])
            )
        return [f for f in findings if f.severity != "error"]

    @api.model
    def _periodo(self, company, year, month):
        periodo = ce.Periodo(rfc=company.vat or "", anio=year, mes=month)
        self._raise_findings(ce.check_periodo(periodo), self.env._("Fix the company or the period"))
        return periodo

    @staticmethod
    def _bounds(year, month):
        """First and last day of a month."""
        start = date(year, month, 1)
        return start, date(year + month // 12, month % 12 + 1, 1) - timedelta(days=1)
