"""A supplier's payment complement (CFDI type P, Pagos 2.0), one record per document it
pays (DoctoRelacionado), matched to the vendor bill by the bill's CFDI UUID (IdDocumento).

IVA on a PPD purchase is creditable only once the supplier's payment complement exists:
the bill shows the complements that pay it, and the bills paid without one are listed
(``account.move.l10n_mx_einvoice_vendor_payment_missing``).
"""

from odoo import api, fields, models

from .l10n_mx_einvoice_utils import to_decimal
from .res_partner import normalize_rfc


class L10nMxEinvoiceVendorPayment(models.Model):
    _name = "l10n_mx_einvoice.vendor.payment"
    _description = "Supplier payment complement (one paid document)"
    _order = "payment_date desc, id desc"
    _check_company_auto = True

    company_id = fields.Many2one("res.company", required=True, readonly=True, index=True)
    move_id = fields.Many2one(
        "account.move",
        string="Bill",
        readonly=True,
        index=True,
        check_company=True,
        ondelete="restrict",
        help="The vendor bill whose CFDI UUID is the paid document (empty until that bill "
        "is imported).",
    )
    uuid = fields.Char(string="Complement UUID", required=True, readonly=True, index=True)
    document_uuid = fields.Char(string="Paid CFDI UUID", required=True, readonly=True, index=True)
    issuer_rfc = fields.Char(string="Supplier RFC", readonly=True)
    payment_date = fields.Date(readonly=True, help="FechaPago of the complement.")
    payment_datetime = fields.Char(
        string="FechaPago", readonly=True, help="As the supplier wrote it (local time)."
    )
    currency_id = fields.Many2one("res.currency", readonly=True)
    amount = fields.Monetary(
        string="Amount paid", readonly=True, currency_field="currency_id", help="ImpPagado."
    )
    installment = fields.Integer(readonly=True, help="NumParcialidad.")
    balance_before = fields.Monetary(
        string="Balance before", readonly=True, currency_field="currency_id"
    )
    balance_after = fields.Monetary(
        string="Balance after", readonly=True, currency_field="currency_id"
    )
    forma_pago = fields.Char(string="Form of payment (SAT)", readonly=True)
    seal_ok = fields.Boolean(string="Seal verifies", readonly=True)
    attachment_id = fields.Many2one("ir.attachment", string="Complement XML", readonly=True)

    _sql_constraints = [
        (
            "uuid_document_company_unique",
            "unique(company_id, uuid, document_uuid)",
            "This payment complement was already imported for this document.",
        )
    ]

    @api.model
    def _existing(self, company, uuid):
        return self.search([("company_id", "=", company.id), ("uuid", "=", uuid)])

    @api.model
    def _bills_by_uuid(self, company, uuids):
        bills = self.env["account.move"].search(
            [
                ("company_id", "=", company.id),
                ("move_type", "in", ("in_invoice", "in_refund")),
                ("l10n_mx_einvoice_vendor_uuid", "in", list(uuids)),
            ]
        )
        return {bill.l10n_mx_einvoice_vendor_uuid: bill for bill in bills}

    @api.model
    def _values(self, company, received):
        """One record's values per DoctoRelacionado of ``received`` (a type P CFDI)."""
        c = received.comprobante
        pagos = c.complemento.pagos.pagos if c.complemento.pagos else []
        reader = self.env["l10n_mx_einvoice.bill.reader"]
        values = []
        for pago in pagos:
            for docto in pago.doctos:
                currency = reader._currency(docto.moneda)
                values.append(
                    {
                        "company_id": company.id,
                        "uuid": received.uuid,
                        "document_uuid": (docto.id_documento or "").strip().upper(),
                        "issuer_rfc": normalize_rfc(c.emisor.rfc),
                        "payment_date": pago.fecha_pago.date(),
                        "payment_datetime": pago.fecha_pago.isoformat(timespec="seconds"),
                        "currency_id": currency.id,
                        "amount": float(docto.imp_pagado),
                        "installment": docto.num_parcialidad,
                        "balance_before": float(docto.imp_saldo_ant),
                        "balance_after": float(docto.imp_saldo_insoluto),
                        "forma_pago": pago.forma_de_pago,
                        "seal_ok": received.seal_ok,
                    }
                )
        return values

    @api.model
    def _import(self, company, received):
        """The records of a supplier's payment complement, each matched to its bill when
        that bill is already imported; the XML kept as an attachment."""
        values = self._values(company, received)
        bills = self._bills_by_uuid(company, {v["document_uuid"] for v in values})
        for vals in values:
            vals["move_id"] = (
                bills[vals["document_uuid"]].id if vals["document_uuid"] in bills else False
            )
        records = self.create(values)
        first_bill = records.move_id[:1]
        attachment = self.env["ir.attachment"].create(
            {
                "name": f"{records[:1].issuer_rfc}-P-{received.uuid}.xml",
                "raw": received.data,
                "mimetype": "application/xml",
                "res_model": first_bill._name if first_bill else self._name,
                "res_id": first_bill.id if first_bill else records[:1].id,
                "description": self.env._("Supplier payment complement %s", received.uuid),
            }
        )
        records.attachment_id = attachment
        for bill in records.move_id:
            bill.message_post(
                body=self.env._(
                    "Supplier payment complement %(uuid)s: %(amount)s paid on %(date)s.",
                    uuid=received.uuid,
                    amount=", ".join(
                        f"{to_decimal(r.amount, r.currency_id.decimal_places)} {r.currency_id.name}"
                        for r in records.filtered(lambda r, bill=bill: r.move_id == bill)
                    ),
                    date=records[:1].payment_date,
                )
            )
        return records

    @api.model
    def _match(self, bills):
        """Link the complements imported before their bills to ``bills``."""
        for bill in bills.filtered("l10n_mx_einvoice_vendor_uuid"):
            self.search(
                [
                    ("company_id", "=", bill.company_id.id),
                    ("move_id", "=", False),
                    ("document_uuid", "=", bill.l10n_mx_einvoice_vendor_uuid),
                ]
            ).write({"move_id": bill.id})
