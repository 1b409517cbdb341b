"""A received supplier CFDI read into the values of a vendor bill: the supplier by RFC, the
lines' products, the purchase taxes, the currency. The engine reads the file
(``cfdi.reception``); the bill itself keeps its checks (``account.move``).
"""

from decimal import Decimal

from odoo import Command, api, models
from odoo.exceptions import UserError
from odoo.tools import SQL
from psycopg2.errors import UniqueViolation

from .res_partner import RFC_PATTERN, normalize_rfc

MOVE_TYPE_OF = {"I": "in_invoice", "E": "in_refund"}
# one bill per supplier CFDI and company (account.move's init)
VENDOR_UUID_INDEX = "account_move_l10n_mx_einvoice_vendor_uuid_uniq"
# An Odoo tax matches a CFDI rate when they differ by at most this (chart 10.67 % vs SAT's
# 10.6667 %); an exact match is always preferred.
RATE_TOLERANCE = Decimal("0.0001")


def _float(value):
    return float(value) if value is not None else 0.0


class L10nMxEinvoiceBillReader(models.AbstractModel):
    _name = "l10n_mx_einvoice.bill.reader"
    _description = "Supplier CFDI to vendor bill"

    @api.model
    def _existing(self, company, uuid):
        return (
            self.env["account.move"]
            .with_context(active_test=False)
            .search(
                [
                    ("company_id", "=", company.id),
                    ("l10n_mx_einvoice_vendor_uuid", "=", uuid.strip().upper()),
                ],
                limit=1,
            )
        )

    @api.model
    def _existing_many(self, company, uuids):
        """``{uuid: bill}`` of the bills ``company`` already imported among ``uuids`` (one
        query for a whole upload)."""
        wanted = {uuid.strip().upper() for uuid in uuids}
        if not wanted:
            return {}
        bills = (
            self.env["account.move"]
            .with_context(active_test=False)
            .search(
                [
                    ("company_id", "=", company.id),
                    ("l10n_mx_einvoice_vendor_uuid", "in", list(wanted)),
                ],
                order="id",
            )
        )
        known = {}
        for bill in bills:
            known.setdefault(bill.l10n_mx_einvoice_vendor_uuid, bill)
        return known

    @api.model
    def _refuse_duplicate(self, company, uuid):
        existing = self._existing(company, uuid)
        if existing:
            raise UserError(
                self.env._(
                    "The CFDI %(uuid)s was already imported as %(bill)s (id %(id)s): it is not "
                    "imported twice.",
                    uuid=uuid,
                    bill=existing.display_name,
                    id=existing.id,
                )
            )

    @api.model
    def _refuse_own_cfdi(self, company, emisor):
        """A CFDI the company issued itself is a sale, never a supplier's bill."""
        company_rfc = normalize_rfc(company.vat)
        if company_rfc and normalize_rfc(emisor.rfc) == company_rfc:
            raise UserError(
                self.env._(
                    "This CFDI was issued by %(company)s itself (RFC %(rfc)s): it is one of "
                    "the company's own invoices, not a supplier's bill. Import only the CFDI "
                    "your suppliers issued to you.",
                    company=company.name,
                    rfc=company_rfc,
                )
            )

    @api.model
    def _partner(self, company, emisor):
        rfc = normalize_rfc(emisor.rfc)
        partners = (
            self.env["res.partner"]
            .with_context(active_test=False)
            .search(
                [
                    ("vat", "=ilike", rfc),
                    ("company_id", "in", (False, company.id)),
                ]
            )
        )
        partner = partners.filtered("active")[:1] or partners[:1]
        if partner:
            partner = partner.commercial_partner_id
            if not partner.l10n_mx_einvoice_regimen_fiscal and emisor.regimen_fiscal:
                partner.l10n_mx_einvoice_regimen_fiscal = emisor.regimen_fiscal
            return partner
        if not RFC_PATTERN.match(rfc):
            raise UserError(
                self.env._(
                    "The issuer RFC %(rfc)s of the CFDI does not have a valid shape; no supplier "
                    "is created.",
                    rfc=rfc,
                )
            )
        return self.env["res.partner"].create(
            {
                "name": emisor.nombre or rfc,
                "vat": rfc,
                "is_company": len(rfc) == 12,
                "country_id": self.env.ref("base.mx").id,
                "l10n_mx_einvoice_regimen_fiscal": emisor.regimen_fiscal or False,
                "supplier_rank": 1,
            }
        )

    @api.model
    def _tax_index(self, company):
        """[(impuesto, tipo_factor, tasa, retention, tax)] of the company's purchase taxes."""
        index = []
        taxes = self.env["account.tax"].search(
            [
                *self.env["account.tax"]._check_company_domain(company),
                ("type_tax_use", "=", "purchase"),
                ("amount_type", "in", ("percent", "fixed")),
            ],
            order="sequence, id",
        )
        for tax in taxes:
            try:
                values = tax._l10n_mx_einvoice_tax_values()
            except UserError:
                continue  # no SAT tax type: cannot be the tax of a CFDI
            index.append(
                (
                    values["impuesto"],
                    values["tipo_factor"],
                    values["tasa_o_cuota"],
                    values["retention"],
                    tax,
                )
            )
        return index

    @api.model
    def _tax(self, index, impuesto, tipo_factor, tasa, retention, notes):
        candidates = [
            (entry, entry[2])
            for entry in index
            if entry[0] == impuesto and entry[1] == tipo_factor and entry[3] == retention
        ]
        for entry, rate in candidates:
            if rate == tasa or (rate is None and tasa is None):
                return entry[4]
        near = [
            (abs(rate - tasa), entry)
            for entry, rate in candidates
            if rate is not None and tasa is not None and abs(rate - tasa) <= RATE_TOLERANCE
        ]
        if near:
            tax = min(near, key=lambda pair: pair[0])[1][4]
            notes.append(
                self.env._(
                    "%(kind)s %(impuesto)s at %(tasa)s mapped to the purchase tax %(tax)s "
                    "(nearest rate): check the tax amount.",
                    kind=self.env._("Retention") if retention else self.env._("Transferred tax"),
                    impuesto=impuesto,
                    tasa=tasa,
                    tax=tax.display_name,
                )
            )
            return tax
        raise UserError(
            self.env._(
                "The company has no purchase tax for %(kind)s %(impuesto)s %(factor)s %(tasa)s "
                "(impuesto 001 ISR, 002 IVA, 003 IEPS). Create it in Accounting > Configuration > "
                "Taxes (type Purchases, with its SAT tax type and factor) and import again.",
                kind=self.env._("retention") if retention else self.env._("transferred tax"),
                impuesto=impuesto,
                factor=tipo_factor,
                tasa=tasa if tasa is not None else "",
            )
        )

    @api.model
    def _product(self, company, partner, concepto):
        code = (concepto.no_identificacion or "").strip()
        Product = self.env["product.product"]
        company_domain = Product._check_company_domain(company)
        if code:
            info = self.env["product.supplierinfo"].search(
                [
                    ("partner_id", "=", partner.id),
                    ("product_code", "=", code),
                    *self.env["product.supplierinfo"]._check_company_domain(company),
                ],
                limit=1,
            )
            if info:
                return info.product_id or info.product_tmpl_id.product_variant_id
            product = Product.search([*company_domain, ("default_code", "=", code)], limit=1)
            if product:
                return product
        if concepto.clave_prod_serv:
            return Product.search(
                [
                    *company_domain,
                    (
                        "product_tmpl_id.l10n_mx_einvoice_clave_prod_serv_id.code",
                        "=",
                        concepto.clave_prod_serv,
                    ),
                ],
                limit=1,
            )
        return Product

    @api.model
    def _line(self, company, partner, concepto, tax_index, notes):
        taxes = self.env["account.tax"]
        concepto_taxes = concepto.impuestos
        for traslado in concepto_taxes.traslados if concepto_taxes else []:
            taxes |= self._tax(
                tax_index,
                traslado.impuesto,
                traslado.tipo_factor,
                traslado.tasa_o_cuota,
                False,
                notes,
            )
        for retencion in concepto_taxes.retenciones if concepto_taxes else []:
            taxes |= self._tax(
                tax_index,
                retencion.impuesto,
                retencion.tipo_factor,
                retencion.tasa_o_cuota,
                True,
                notes,
            )
        product = self._product(company, partner, concepto)
        importe = concepto.importe or Decimal(0)
        discount = (
            (concepto.descuento / importe * 100) if concepto.descuento and importe else Decimal(0)
        )
        name = concepto.descripcion
        if concepto.no_identificacion:
            name = f"[{concepto.no_identificacion}] {name}"
        quantity, price_unit = concepto.cantidad, concepto.valor_unitario
        price_digits = self.env["decimal.precision"].precision_get("Product Price")
        per_unit_tax = any(tax.amount_type == "fixed" for tax in taxes)  # IEPS Cuota: × quantity
        if (
            price_unit is not None
            and price_unit != round(price_unit, price_digits)
            and not per_unit_tax
        ):
            # Odoo would round the price and the line would miss the CFDI's Importe by cents:
            # one unit at the Importe keeps the bill's total equal to the CFDI's.
            name = f"{name} ({quantity} × {price_unit})"
            quantity, price_unit = Decimal(1), importe
            notes.append(
                self.env._(
                    "'%(line)s': the unit price has more decimals than Odoo's Product Price precision "
                    "(%(digits)s); imported as 1 × %(importe)s, the CFDI's Importe.",
                    line=concepto.descripcion,
                    digits=price_digits,
                    importe=importe,
                )
            )
        values = {
            "name": name,
            "quantity": _float(quantity),
            "price_unit": _float(price_unit),
            "discount": _float(discount),
            "tax_ids": [Command.set(taxes.ids)],
            "is_imported": True,  # Odoo keeps imported taxes and prices (no product defaults)
        }
        if product:
            values["product_id"] = product.id
        else:
            notes.append(
                self.env._(
                    "No product found for '%(line)s' (NoIdentificacion %(code)s, "
                    "ClaveProdServ %(clave)s).",
                    line=concepto.descripcion,
                    code=concepto.no_identificacion or "-",
                    clave=concepto.clave_prod_serv,
                )
            )
        return values

    @api.model
    def _currency(self, code):
        currency = (
            self.env["res.currency"]
            .with_context(active_test=False)
            .search([("name", "=", code or "MXN")], limit=1)
        )
        if not currency:
            raise UserError(
                self.env._("The CFDI currency %(code)s is not known in Odoo.", code=code)
            )
        if not currency.active:
            currency.active = True
        return currency

    @api.model
    def _values(self, received, journal, tax_index=None):
        """Values of the draft bill of ``received`` (a ``cfdi.reception.ReceivedCfdi``);
        ``tax_index`` (``_tax_index``) is given when importing many."""
        company = journal.company_id
        c = received.comprobante
        if c.tipo_de_comprobante not in MOVE_TYPE_OF:
            raise UserError(
                self.env._(
                    "The CFDI %(uuid)s is a payment complement (type P), not a bill: import it "
                    "with Accounting > Vendors > Import supplier CFDI, which matches it to the "
                    "bills it pays.",
                    uuid=received.uuid,
                )
            )
        self._refuse_own_cfdi(company, c.emisor)
        partner = self._partner(company, c.emisor)
        if tax_index is None:
            tax_index = self._tax_index(company)
        notes = []
        lines = [
            self._line(company, partner, concepto, tax_index, notes) for concepto in c.conceptos
        ]
        company_rfc = normalize_rfc(company.vat)
        receiver_rfc = normalize_rfc(c.receptor.rfc)
        if not received.seal_ok:
            notes.insert(
                0,
                self.env._(
                    "The seal (Sello) does not verify: the XML was altered after it "
                    "was signed, or it is not authentic."
                ),
            )
        if receiver_rfc != company_rfc:
            notes.insert(
                0,
                self.env._(
                    "The receiver RFC %(rfc)s is not the company's (%(company)s).",
                    rfc=receiver_rfc,
                    company=company_rfc or "-",
                ),
            )
        serie_folio = f"{c.serie or ''}{c.folio or ''}"
        return {
            "move_type": MOVE_TYPE_OF[c.tipo_de_comprobante],
            "journal_id": journal.id,
            "company_id": company.id,
            "partner_id": partner.id,
            "invoice_date": c.fecha.date() if c.fecha else False,
            "ref": serie_folio or received.uuid,
            "currency_id": self._currency(c.moneda).id,
            "invoice_line_ids": [Command.create(line) for line in lines],
            "l10n_mx_einvoice_vendor_uuid": received.uuid,
            "l10n_mx_einvoice_vendor_issuer_rfc": normalize_rfc(c.emisor.rfc),
            "l10n_mx_einvoice_vendor_receiver_rfc": receiver_rfc,
            "l10n_mx_einvoice_vendor_fecha": c.fecha.isoformat(timespec="seconds")
            if c.fecha
            else False,
            "l10n_mx_einvoice_vendor_total": _float(c.total),
            "l10n_mx_einvoice_vendor_seal_ok": received.seal_ok,
            "l10n_mx_einvoice_vendor_metodo_pago": c.metodo_pago or False,
            "l10n_mx_einvoice_vendor_receiver_ok": receiver_rfc == company_rfc,
            "l10n_mx_einvoice_vendor_notes": "\n".join(notes) or False,
        }

    def _attachment_values(self, move, received):
        c = received.comprobante
        return {
            "name": f"{normalize_rfc(c.emisor.rfc)}-{c.serie or ''}{c.folio or ''}-{received.uuid}.xml",
            "raw": received.data,
            "mimetype": "application/xml",
            "res_model": move._name,
            "res_id": move.id,
            "description": self.env._("Supplier CFDI %s", received.uuid),
        }

    @api.model
    def _create_many(self, journal, prepared):
        """Draft bills for ``[(received, values)]`` in one batch (same order), XML attached."""
        try:
            with self.env.cr.savepoint():
                moves = (
                    self.env["account.move"]
                    .with_company(journal.company_id)
                    .with_context(
                        skip_is_manually_modified=True,
                        mail_create_nolog=True,
                        mail_create_nosubscribe=True,  # the summary message says it
                    )
                    .create([values for _received, values in prepared])
                )
        except UniqueViolation as error:
            if error.diag.constraint_name != VENDOR_UUID_INDEX:
                raise
            # another transaction imported the same CFDI after this one began
            raise UserError(
                self.env._(
                    "The CFDI %(uuids)s was imported by another user at the same moment: it is "
                    "not imported twice. Reload to see its bill.",
                    uuids=", ".join(received.uuid for received, _values in prepared),
                )
            ) from None
        attachments = self.env["ir.attachment"].create(
            [
                self._attachment_values(move, received)
                for move, (received, _values) in zip(moves, prepared, strict=True)
            ]
        )
        # Linked in SQL: an ORM write of a move re-runs Odoo's line synchronisation (tens of
        # milliseconds per bill) for a field no computation depends on.
        moves.flush_recordset()
        self.env.cr.execute(
            SQL(
                """UPDATE account_move AS move SET l10n_mx_einvoice_vendor_attachment_id = link.attachment_id
                 FROM (VALUES %s) AS link(move_id, attachment_id) WHERE move.id = link.move_id""",
                SQL(", ").join(
                    SQL("(%s, %s)", move_id, attachment_id)
                    for move_id, attachment_id in zip(moves.ids, attachments.ids, strict=True)
                ),
            )
        )
        moves.invalidate_recordset(["l10n_mx_einvoice_vendor_attachment_id"])
        self.env["l10n_mx_einvoice.vendor.payment"]._match(moves)
        moves._l10n_mx_einvoice_vendor_post_summary()
        return moves

    @api.model
    def _create(self, received, journal):
        """One draft bill (with the XML attached) for a received CFDI; UserError if refused."""
        self._refuse_duplicate(journal.company_id, received.uuid)
        values = self._values(received, journal)
        return self._create_many(journal, [(received, values)])
