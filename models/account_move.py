"""The accountant's CFDI flow on invoices and credit notes.

Collect (records -> ``cfdi.document.Comprobante``), check (every problem before the
PAC, in one message), seal, commit the signed XML in a pending document, then call
the PAC and store what it answers. Nothing is lost (the signed XML is committed
before the PAC is called and a retry first asks the PAC whether it was stamped),
nothing is done twice (row lock, one UUID per database, one credit per UUID).
"""

import base64
import logging
import re
from collections import defaultdict
from datetime import datetime, timedelta, timezone
from decimal import Decimal

from odoo import api, fields, models, modules
from odoo.exceptions import AccessError, UserError
from odoo.tools import float_repr

from ..cfdi import amounts, catalogs, rules, seal, tfd
from ..cfdi import xml as cfdi_xml
from ..cfdi.document import (
    CfdiRelacionados,
    Comprobante,
    Concepto,
    ConceptoImpuestos,
    Emisor,
    Receptor,
    Retencion,
    Traslado,
)
from ..cfdi.errors import CfdiError
from ..cfdi.pac import AlreadyStamped, PacError, Rejected, Unavailable
from .l10n_mx_einvoice_utils import catalog_selection

_logger = logging.getLogger(__name__)

CFDI_MOVE_TYPES = ("out_invoice", "out_refund")
CFDI_STATES = [
    ("to_stamp", "To stamp"),
    ("stamped", "Stamped"),
    ("cancel_requested", "Cancellation requested"),
    ("cancelled", "Cancelled"),
    ("error", "Error"),
]
# Fields whose change would make the stamped CFDI say something else than the invoice.
CFDI_FIELDS = frozenset(
    {
        "partner_id",
        "commercial_partner_id",
        "invoice_line_ids",
        "line_ids",
        "invoice_date",
        "date",
        "currency_id",
        "invoice_payment_term_id",
        "journal_id",
        "company_id",
        "move_type",
        "l10n_mx_einvoice_uso_cfdi",
        "l10n_mx_einvoice_metodo_pago",
        "l10n_mx_einvoice_forma_pago",
        "l10n_mx_einvoice_exportacion",
        "l10n_mx_einvoice_tipo_relacion",
        "l10n_mx_einvoice_related_uuids",
        "l10n_mx_einvoice_uuid",
    }
)
# SAT refuses a CFDI sealed more than 72 h before stamping; re-seal a little before that.
RESEAL_AFTER = timedelta(hours=70)
# Invoices sealed per commit: bounds how long their rows stay locked and how many PAC
# answers wait in memory for the batch's commit (a crash loses none: see _stamp).
STAMP_BATCH_SIZE = 50
DONE_STATES = ("stamped", "cancel_requested", "cancelled")
UUID_PATTERN = re.compile(
    r"[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}"
)
FOREIGN_RECEPTOR_REGIMEN = "616"
FOREIGN_RECEPTOR_USO = "S01"


def to_decimal(value, digits):
    """An Odoo float as the Decimal it means (rounded to ``digits``), never through binary."""
    return Decimal(float_repr(value or 0.0, digits))


def bilingual(es, en):
    return f"{es}\n    {en}"


class AccountMove(models.Model):
    _inherit = "account.move"

    l10n_mx_einvoice_needed = fields.Boolean(compute="_compute_l10n_mx_einvoice_needed")
    l10n_mx_einvoice_state = fields.Selection(
        CFDI_STATES,
        string="CFDI state",
        copy=False,
        readonly=True,
        index=True,
        tracking=True,
    )
    l10n_mx_einvoice_uuid = fields.Char(
        string="Fiscal folio (UUID)",
        copy=False,
        readonly=True,
        index=True,
        tracking=True,
    )
    l10n_mx_einvoice_message = fields.Text(string="CFDI message", copy=False, readonly=True)
    l10n_mx_einvoice_attachment_id = fields.Many2one(
        "ir.attachment",
        string="Stamped CFDI (XML)",
        copy=False,
        readonly=True,
    )
    l10n_mx_einvoice_document_ids = fields.One2many(
        "l10n_mx_einvoice.document",
        "move_id",
        string="CFDI documents",
        copy=False,
        readonly=True,
    )
    l10n_mx_einvoice_uso_cfdi = fields.Selection(
        selection=lambda self: catalog_selection("c_UsoCFDI"),
        string="Uso CFDI",
        compute="_compute_l10n_mx_einvoice_uso_cfdi",
        store=True,
        readonly=False,
        copy=False,
    )
    l10n_mx_einvoice_metodo_pago = fields.Selection(
        [
            ("PUE", "PUE - Pago en una sola exhibición"),
            ("PPD", "PPD - Pago en parcialidades o diferido"),
        ],
        string="Método de pago",
        compute="_compute_l10n_mx_einvoice_metodo_pago",
        store=True,
        readonly=False,
        copy=False,
    )
    l10n_mx_einvoice_forma_pago = fields.Selection(
        selection=lambda self: catalog_selection("c_FormaPago"),
        string="Forma de pago",
        compute="_compute_l10n_mx_einvoice_forma_pago",
        store=True,
        readonly=False,
        copy=False,
    )
    l10n_mx_einvoice_exportacion = fields.Selection(
        selection=lambda self: catalog_selection("c_Exportacion"),
        string="Exportación",
        default="01",
        copy=False,
    )
    l10n_mx_einvoice_tipo_relacion = fields.Selection(
        selection=lambda self: catalog_selection("c_TipoRelacion"),
        string="Tipo de relación",
        compute="_compute_l10n_mx_einvoice_related",
        store=True,
        readonly=False,
        copy=False,
    )
    l10n_mx_einvoice_related_uuids = fields.Text(
        string="Related CFDI (UUIDs)",
        compute="_compute_l10n_mx_einvoice_related",
        store=True,
        readonly=False,
        copy=False,
        help="UUIDs of the related CFDI, one per line.",
    )

    def init(self):
        result = super().init()
        # A stamped UUID belongs to one invoice of the database.
        self.env.cr.execute(
            """
            CREATE UNIQUE INDEX IF NOT EXISTS account_move_l10n_mx_einvoice_uuid_uniq
                ON account_move (upper(l10n_mx_einvoice_uuid))
             WHERE l10n_mx_einvoice_uuid IS NOT NULL
            """
        )
        return result

    # --- defaults ---------------------------------------------------------------------

    @api.depends("move_type", "company_id")
    def _compute_l10n_mx_einvoice_needed(self):
        for move in self:
            move.l10n_mx_einvoice_needed = move._l10n_mx_einvoice_is_cfdi()

    def _l10n_mx_einvoice_is_cfdi(self):
        self.ensure_one()
        return (
            self.move_type in CFDI_MOVE_TYPES
            and self.company_id.account_fiscal_country_id.code == "MX"
        )

    @api.depends("partner_id", "move_type")
    def _compute_l10n_mx_einvoice_uso_cfdi(self):
        for move in self:
            if move.l10n_mx_einvoice_state in ("stamped", "cancel_requested"):
                move.l10n_mx_einvoice_uso_cfdi = move.l10n_mx_einvoice_uso_cfdi
                continue
            partner = move.partner_id.commercial_partner_id
            default = "G02" if move.move_type == "out_refund" else "G03"
            move.l10n_mx_einvoice_uso_cfdi = (
                partner.l10n_mx_einvoice_uso_cfdi or move.l10n_mx_einvoice_uso_cfdi or default
            )

    @api.depends("invoice_payment_term_id", "invoice_date", "invoice_date_due")
    def _compute_l10n_mx_einvoice_metodo_pago(self):
        for move in self:
            if move.l10n_mx_einvoice_state in ("stamped", "cancel_requested"):
                move.l10n_mx_einvoice_metodo_pago = move.l10n_mx_einvoice_metodo_pago
                continue
            term = move.invoice_payment_term_id
            move.l10n_mx_einvoice_metodo_pago = (
                term._l10n_mx_einvoice_metodo_pago() if term else "PUE"
            )

    @api.depends("l10n_mx_einvoice_metodo_pago", "journal_id")
    def _compute_l10n_mx_einvoice_forma_pago(self):
        for move in self:
            if move.l10n_mx_einvoice_state in ("stamped", "cancel_requested"):
                move.l10n_mx_einvoice_forma_pago = move.l10n_mx_einvoice_forma_pago
                continue
            if move.l10n_mx_einvoice_metodo_pago == "PPD":
                move.l10n_mx_einvoice_forma_pago = "99"  # SAT: PPD is always "por definir"
            elif not move.l10n_mx_einvoice_forma_pago or move.l10n_mx_einvoice_forma_pago == "99":
                move.l10n_mx_einvoice_forma_pago = "03"
            else:
                move.l10n_mx_einvoice_forma_pago = move.l10n_mx_einvoice_forma_pago

    @api.depends("reversed_entry_id", "reversed_entry_id.l10n_mx_einvoice_uuid")
    def _compute_l10n_mx_einvoice_related(self):
        for move in self:
            origin = move.reversed_entry_id
            if move.move_type == "out_refund" and origin.l10n_mx_einvoice_uuid:
                move.l10n_mx_einvoice_tipo_relacion = move.l10n_mx_einvoice_tipo_relacion or "01"
                move.l10n_mx_einvoice_related_uuids = (
                    move.l10n_mx_einvoice_related_uuids or origin.l10n_mx_einvoice_uuid
                )
            else:
                move.l10n_mx_einvoice_tipo_relacion = move.l10n_mx_einvoice_tipo_relacion
                move.l10n_mx_einvoice_related_uuids = move.l10n_mx_einvoice_related_uuids

    def _l10n_mx_einvoice_related_uuid_list(self):
        self.ensure_one()
        return [u.upper() for u in UUID_PATTERN.findall(self.l10n_mx_einvoice_related_uuids or "")]

    # --- collect: records -> Comprobante --------------------------------------------------

    def _l10n_mx_einvoice_serie_folio(self):
        self.ensure_one()
        serie = re.sub(r"[^A-Za-z0-9]", "", self.sequence_prefix or self.journal_id.code or "")
        folio = str(self.sequence_number or "") or re.sub(r"[^A-Za-z0-9]", "", self.name or "")
        return serie[:25] or None, folio[:40] or None

    def _l10n_mx_einvoice_tipo_cambio(self):
        """MXN per unit of the invoice currency, from the move's own rate (6 decimals)."""
        self.ensure_one()
        if self.currency_id.name == "MXN":
            return None
        rate = self.invoice_currency_rate or 1.0
        return (Decimal(1) / Decimal(repr(rate))).quantize(Decimal("0.000001"))

    def _l10n_mx_einvoice_base_lines(self):
        """Odoo's own per-line tax computation, rounded as the move was (deltas included)."""
        self.ensure_one()
        base_lines, _tax_lines = self._get_rounded_base_and_tax_lines()
        return [line for line in base_lines if line["record"].display_type == "product"]

    def _l10n_mx_einvoice_concepto(self, base_line, decimals, price_digits, qty_digits):
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
            clave_unidad=line.product_uom_id._l10n_mx_einvoice_clave_unidad() or "",
            unidad=(line.product_uom_id.name or None),
            descripcion=" ".join((line.name or line.product_id.display_name or "").split())[:1000],
            valor_unitario=valor_unitario,
            importe=importe,
            descuento=descuento if descuento > 0 else None,
            objeto_imp=taxes._l10n_mx_einvoice_objeto_imp(),
        )
        if concepto.objeto_imp == "02":
            concepto.impuestos = self._l10n_mx_einvoice_concepto_taxes(details, decimals, cantidad)
        return concepto

    def _l10n_mx_einvoice_concepto_taxes(self, details, decimals, cantidad):
        impuestos = ConceptoImpuestos()
        for tax_data in details["taxes_data"]:
            values = tax_data["tax"]._l10n_mx_einvoice_tax_values()
            base = to_decimal(abs(tax_data["base_amount_currency"]), decimals)
            if values["tipo_factor"] == "Cuota":
                base = cantidad
            importe = to_decimal(abs(tax_data["tax_amount_currency"]), decimals)
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
                    Traslado(
                        base=base,
                        impuesto=values["impuesto"],
                        tipo_factor="Exento",
                    )
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

    def _l10n_mx_einvoice_receptor(self):
        partner = self.partner_id.commercial_partner_id
        rfc = partner._l10n_mx_einvoice_rfc()
        if rfc == "XEXX010101000":
            return Receptor(
                rfc=rfc,
                nombre=partner.name or "",
                domicilio_fiscal=self.company_id.zip or "",
                regimen_fiscal=FOREIGN_RECEPTOR_REGIMEN,
                uso_cfdi=FOREIGN_RECEPTOR_USO,
                residencia_fiscal=catalogs.pais_of_alpha2(partner.country_id.code),
                num_reg_id_trib=partner.vat or None,
            )
        return Receptor(
            rfc=rfc,
            nombre=(partner.name or "").strip(),
            domicilio_fiscal=(partner.zip or "").strip(),
            regimen_fiscal=partner.l10n_mx_einvoice_regimen_fiscal or "",
            uso_cfdi=self.l10n_mx_einvoice_uso_cfdi or "",
        )

    def _l10n_mx_einvoice_comprobante(self, fecha=None):
        """The unsealed Comprobante of this invoice, amounts computed by the engine."""
        self.ensure_one()
        company = self.company_id
        decimals = amounts.currency_decimals(self.currency_id.name)
        precision = self.env["decimal.precision"]
        price_digits = max(precision.precision_get("Product Price"), decimals)
        qty_digits = precision.precision_get("Product Unit of Measure")
        serie, folio = self._l10n_mx_einvoice_serie_folio()
        lugar = (company.zip or "").strip()
        comprobante = Comprobante(
            serie=serie,
            folio=folio,
            fecha=fecha,
            forma_pago=self.l10n_mx_einvoice_forma_pago or None,
            moneda=self.currency_id.name,
            tipo_cambio=self._l10n_mx_einvoice_tipo_cambio(),
            tipo_de_comprobante="E" if self.move_type == "out_refund" else "I",
            exportacion=self.l10n_mx_einvoice_exportacion or "01",
            metodo_pago=self.l10n_mx_einvoice_metodo_pago or None,
            lugar_expedicion=lugar,
            emisor=Emisor(
                rfc=company.partner_id._l10n_mx_einvoice_rfc() if company.vat else "",
                nombre=(company.partner_id.name or "").strip(),
                regimen_fiscal=company.l10n_mx_einvoice_regimen_fiscal or "",
            ),
            receptor=self._l10n_mx_einvoice_receptor(),
            conceptos=[
                self._l10n_mx_einvoice_concepto(base_line, decimals, price_digits, qty_digits)
                for base_line in self._l10n_mx_einvoice_base_lines()
            ],
        )
        uuids = self._l10n_mx_einvoice_related_uuid_list()
        if self.l10n_mx_einvoice_tipo_relacion and uuids:
            comprobante.cfdi_relacionados = [
                CfdiRelacionados(tipo_relacion=self.l10n_mx_einvoice_tipo_relacion, uuids=uuids)
            ]
        return amounts.fill(comprobante)

    # --- check: every problem before the PAC ------------------------------------------

    def _l10n_mx_einvoice_record_problems(self):
        """Problems of the records (company, customer, lines), each with its fix."""
        self.ensure_one()
        problems = []
        company = self.company_id
        if not company.vat:
            problems.append(
                bilingual(
                    f"La empresa {company.name} no tiene RFC: captúrelo en Ajustes > Empresas (NIF/RFC).",
                    f"The company {company.name} has no RFC: set it in Settings > Companies (Tax ID).",
                )
            )
        if not company.zip:
            problems.append(
                bilingual(
                    f"La empresa {company.name} no tiene código postal (LugarExpedicion): captúrelo en su dirección.",
                    f"The company {company.name} has no postal code (LugarExpedicion): set it in its address.",
                )
            )
        if not company.l10n_mx_einvoice_regimen_fiscal:
            problems.append(
                bilingual(
                    f"La empresa {company.name} no tiene régimen fiscal: selecciónelo en Ajustes > Empresas.",
                    f"The company {company.name} has no fiscal regime: choose it in Settings > Companies.",
                )
            )
        partner = self.partner_id.commercial_partner_id
        foreign = partner.country_id and partner.country_id.code != "MX"
        if not foreign:
            if not partner.vat:
                problems.append(
                    bilingual(
                        f"El cliente {partner.display_name} no tiene RFC: captúrelo (sin espacios ni "
                        "guiones) o use XAXX010101000 para público en general.",
                        f"The customer {partner.display_name} has no RFC: set its Tax ID (no spaces or "
                        "dashes) or use XAXX010101000 for the general public.",
                    )
                )
            if not partner.zip:
                problems.append(
                    bilingual(
                        f"El cliente {partner.display_name} no tiene código postal (DomicilioFiscalReceptor): "
                        "capture el de su Constancia de Situación Fiscal.",
                        f"The customer {partner.display_name} has no postal code (DomicilioFiscalReceptor): "
                        "set the one of its Constancia de Situación Fiscal.",
                    )
                )
            if not partner.l10n_mx_einvoice_regimen_fiscal:
                problems.append(
                    bilingual(
                        f"El cliente {partner.display_name} no tiene régimen fiscal: selecciónelo en su ficha.",
                        f"The customer {partner.display_name} has no fiscal regime: choose it on the contact.",
                    )
                )
            if not self.l10n_mx_einvoice_uso_cfdi:
                problems.append(
                    bilingual(
                        f"La factura {self.name} no tiene uso CFDI: selecciónelo en la pestaña CFDI.",
                        f"The invoice {self.name} has no uso CFDI: choose it in the CFDI tab.",
                    )
                )
        lines = self.invoice_line_ids.filtered(lambda line: line.display_type == "product")
        if not lines:
            problems.append(
                bilingual(
                    f"La factura {self.name} no tiene conceptos.",
                    f"The invoice {self.name} has no lines.",
                )
            )
        for line in lines:
            product = line.product_id
            label = product.display_name or line.name or ""
            if not product:
                problems.append(
                    bilingual(
                        f"La línea «{line.name}» no tiene producto: elija un producto con clave SAT.",
                        f"The line '{line.name}' has no product: choose a product with a SAT code.",
                    )
                )
            elif not product._l10n_mx_einvoice_clave_prod_serv():
                problems.append(
                    bilingual(
                        f"El producto {label} no tiene clave de producto o servicio SAT "
                        "(ClaveProdServ): asígnela en la ficha del producto, pestaña Contabilidad.",
                        f"The product {label} has no SAT product/service code (ClaveProdServ): set "
                        "it on the product form, Accounting tab.",
                    )
                )
            if not line.product_uom_id._l10n_mx_einvoice_clave_unidad():
                uom = line.product_uom_id.display_name or "-"
                problems.append(
                    bilingual(
                        f"La unidad de medida {uom} (línea «{label}») no tiene clave de unidad SAT "
                        "(ClaveUnidad): asígnela en Inventario/Contabilidad > Unidades de medida.",
                        f"The unit of measure {uom} (line '{label}') has no SAT unit code "
                        "(ClaveUnidad): set it in Units of Measure.",
                    )
                )
            if line.price_subtotal < 0 or line.quantity <= 0:
                problems.append(
                    bilingual(
                        f"La línea «{label}» tiene importe o cantidad negativos: el CFDI no admite "
                        "conceptos negativos; use la columna de descuento.",
                        f"The line '{label}' has a negative amount or quantity: CFDI has no negative "
                        "lines; use the discount column.",
                    )
                )
            for tax in line.tax_ids.flatten_taxes_hierarchy():
                try:
                    tax._l10n_mx_einvoice_tax_values()
                except UserError as error:
                    problems.append(
                        bilingual(
                            f"El impuesto {tax.display_name} no se puede expresar en el CFDI: "
                            "configure su tipo de impuesto SAT.",
                            str(error.args[0]),
                        )
                    )
        return problems

    def _l10n_mx_einvoice_setup_problems(self, when):
        """Certificate and stamp account: (problems, certificate, account)."""
        problems = []
        certificate = account = None
        try:
            certificate = self.company_id._l10n_mx_einvoice_certificate_at(when)
        except UserError as error:
            problems.append(
                bilingual(
                    f"La empresa {self.company_id.name} no tiene un CSD vigente al {when:%Y-%m-%d %H:%M}: "
                    "suba el .cer, el .key y la contraseña en Contabilidad > Configuración > CFDI > Certificados.",
                    str(error.args[0]),
                )
            )
        account = self.company_id.l10n_mx_einvoice_stamp_account_id
        if not account:
            problems.append(
                bilingual(
                    f"La empresa {self.company_id.name} no tiene cuenta de timbrado: configúrela en "
                    "Contabilidad > Configuración > Ajustes > CFDI.",
                    f"The company {self.company_id.name} has no stamp account: set it in "
                    "Accounting > Configuration > Settings > CFDI.",
                )
            )
        else:
            try:
                account._check_can_stamp()
            except UserError as error:
                problems.append(
                    bilingual(
                        f"Sin folios disponibles en la cuenta de timbrado {account.display_name}: "
                        "compre un paquete de timbres (factura de proveedor de un producto paquete de "
                        "timbres) o registre un ajuste; no se timbró nada.",
                        str(error.args[0]),
                    )
                )
        return problems, certificate, account

    def _l10n_mx_einvoice_raise(self, problems):
        header = self.env._(
            "The CFDI of %(move)s cannot be stamped; nothing was sent to the PAC and no stamp "
            "credit was used. / El CFDI de %(move)s no se puede timbrar; no se envió nada al PAC "
            "ni se consumió ningún timbre. Fix / Corrija:",
            move=self.name,
        )
        raise UserError(header + "\n\n" + "\n".join(f"• {p}" for p in problems))

    def _l10n_mx_einvoice_expected_total(self):
        """The Total the CFDI must carry (payment and global CFDI override it)."""
        return to_decimal(self.amount_total, amounts.currency_decimals(self.currency_id.name))

    def _l10n_mx_einvoice_prepare(self):
        """Check everything, seal, and return (signed_xml, fecha, account). UserError if not."""
        self.ensure_one()
        problems = self._l10n_mx_einvoice_record_problems()
        lugar = (self.company_id.zip or "").strip()
        fecha = seal.local_now(lugar)
        fecha_utc = fecha.replace(tzinfo=seal.place_zone(lugar)).astimezone(timezone.utc)
        setup_problems, certificate, account = self._l10n_mx_einvoice_setup_problems(fecha_utc)
        problems += setup_problems
        if problems:
            self._l10n_mx_einvoice_raise(problems)
        try:
            comprobante = self._l10n_mx_einvoice_comprobante(fecha)
        except CfdiError as error:
            self._l10n_mx_einvoice_raise([bilingual(error.message_es, error.message_en)])
        problems = [
            bilingual(f"{f.code} {f.path or ''}: {f.message_es}", f.message_en)
            for f in rules.check(comprobante)
            if f.severity == "error"
        ]
        expected = self._l10n_mx_einvoice_expected_total()
        if comprobante.total != expected:
            problems.append(
                bilingual(
                    f"El total del CFDI ({comprobante.total}) difiere del total de la factura "
                    f"({expected}); revise líneas de redondeo o descuentos por pronto pago.",
                    f"The CFDI total ({comprobante.total}) differs from the invoice total ({expected}); "
                    "check cash-rounding or early-payment-discount lines.",
                )
            )
        if problems:
            self._l10n_mx_einvoice_raise(problems)
        try:
            credential = certificate._get_credential()
            signed_xml = cfdi_xml.to_bytes(seal.seal(comprobante, credential, fecha))
        except CfdiError as error:
            self._l10n_mx_einvoice_raise([bilingual(error.message_es, error.message_en)])
        except UserError as error:
            self._l10n_mx_einvoice_raise([str(error.args[0])])
        return signed_xml, fecha, account

    # --- stamp ----------------------------------------------------------------------

    def _l10n_mx_einvoice_can_commit(self):
        forced = self.env.context.get("l10n_mx_einvoice_commit")
        if forced is not None:
            return forced
        return not modules.module.current_test

    def _l10n_mx_einvoice_commit(self):
        # committing mid-request is the design: the signed XML must survive a PAC call that fails
        if self._l10n_mx_einvoice_can_commit():
            self.env.cr.commit()  # pylint: disable=invalid-commit

    def _l10n_mx_einvoice_write_state(self, vals):
        """Write CFDI bookkeeping fields without re-synchronizing the journal items.

        account.move.write() recomputes the dynamic lines of an invoice on every write; the
        CFDI state, UUID and message change no line, so that work (and the "manually
        modified" flag) is skipped.
        """
        return self.with_context(
            skip_invoice_sync=True,
            check_move_validity=False,
            skip_is_manually_modified=True,
            l10n_mx_einvoice_storing=True,
        ).write(vals)

    def _l10n_mx_einvoice_lock(self, skip_held=False):
        """Row locks on the invoices; the ones obtained.

        ``FOR UPDATE SKIP LOCKED`` answers at once like NOWAIT, but without an SQL error
        (nothing aborted, nothing logged): a missing row means another transaction holds
        it. Those invoices raise a clear message, or are left out with ``skip_held``.
        """
        if not self:
            return self
        self.env.cr.execute(
            "SELECT id FROM account_move WHERE id IN %s FOR UPDATE SKIP LOCKED", [tuple(self.ids)]
        )
        obtained = {row[0] for row in self.env.cr.fetchall()}
        held = self.filtered(lambda move: move.id not in obtained)
        if held and not skip_held:
            raise UserError(
                self.env._(
                    "Another user is stamping %(move)s right now; wait a few seconds and reload the "
                    "invoice. / Otro usuario está timbrando %(move)s en este momento; espere unos "
                    "segundos y recargue la factura.",
                    move=", ".join(held.mapped("name")),
                )
            )
        locked = self - held
        locked.invalidate_recordset()
        locked.l10n_mx_einvoice_document_ids.invalidate_recordset()
        return locked

    def _l10n_mx_einvoice_pending_document(self):
        return self.l10n_mx_einvoice_document_ids.filtered(
            lambda d: d.kind == "stamp" and d.state == "pending"
        )[:1]

    def action_l10n_mx_einvoice_stamp(self):
        """Stamp the selected invoices (button). Problems before the PAC raise one UserError."""
        if not self.env.su and not self.env.user.has_group(
            "l10n_mx_einvoice.group_l10n_mx_einvoice_user"
        ):
            raise AccessError(
                self.env._(
                    "Only CFDI users can stamp invoices; ask a CFDI manager to add you to the group. "
                    "/ Sólo los usuarios CFDI pueden timbrar facturas."
                )
            )
        moves = self.filtered(
            lambda m: (
                m._l10n_mx_einvoice_is_cfdi()
                and m.state == "posted"
                and m.l10n_mx_einvoice_state in (False, "to_stamp", "error")
            )
        )
        if not moves:
            raise UserError(
                self.env._(
                    "Nothing to stamp: only posted customer invoices and credit notes of a Mexican "
                    "company that are not stamped yet can be stamped. / Nada que timbrar."
                )
            )
        moves._l10n_mx_einvoice_stamp()
        return True

    def _l10n_mx_einvoice_stamp(self):
        """Stamp these invoices, STAMP_BATCH_SIZE at a time.

        In production each batch commits twice: its pending documents (every signed XML)
        before the first PAC call, then the PAC's answers, so a later batch's problem never
        undoes them. A crash in between loses nothing: the pending documents are retried,
        and the retry finds the stamp the PAC already made (same UUID, one credit).
        """
        # credit notes after the invoices: one selected with its invoice is sealed with the
        # invoice's UUID (CfdiRelacionados) only once that invoice is stamped
        refunds = self.filtered(lambda m: m.move_type == "out_refund")
        for moves in (self - refunds, refunds):
            for start in range(0, len(moves), STAMP_BATCH_SIZE):
                # each batch commits, which empties the cache: prefetching the other batches'
                # rows again after every commit would make a long selection quadratic
                moves[
                    start : start + STAMP_BATCH_SIZE
                ].with_prefetch()._l10n_mx_einvoice_stamp_batch()

    def _l10n_mx_einvoice_stamp_batch(self):
        moves = self._l10n_mx_einvoice_lock().filtered(
            lambda m: m.l10n_mx_einvoice_state not in DONE_STATES
        )
        to_send = moves._l10n_mx_einvoice_seal_pending()
        # Nothing is lost: the signed XML is in the database before the PAC sees it.
        self._l10n_mx_einvoice_commit()
        locked = moves._l10n_mx_einvoice_lock(skip_held=True)  # a holder is finishing the others
        documents = (
            self.env["l10n_mx_einvoice.document"]
            .sudo()
            .browse([document.id for _move, document, _retry in to_send])
        )
        documents.invalidate_recordset()
        answers = []
        for (move, _document, retry), document in zip(to_send, documents, strict=True):
            if (
                move in locked and document.state == "pending"
            ):  # else finished by another transaction
                result = move._l10n_mx_einvoice_send(document, retry)
                if result:
                    answers.append((move, document, result))
        self._l10n_mx_einvoice_store_stamps(answers)
        self._l10n_mx_einvoice_commit()

    def _l10n_mx_einvoice_seal_pending(self):
        """The pending documents to send, as (move, document, retry), sealing where needed.

        Every invoice is checked first: problems with any of them raise one UserError for
        all, before anything is saved or sent.
        """
        to_send, to_seal = [], self.browse()
        for move in self:
            document = move._l10n_mx_einvoice_pending_document()
            if document and move._l10n_mx_einvoice_expired(document):
                if move._l10n_mx_einvoice_recover(document):
                    continue
                document.write(
                    {
                        "state": "expired",
                        "message": self.env._(
                            "Sealed more than 70 hours ago and never stamped: sealed again. / Sellado "
                            "hace más de 70 horas y nunca timbrado: se selló de nuevo."
                        ),
                    }
                )
                document = None
            if document:
                to_send.append((move, document.sudo(), True))
            else:
                to_seal |= move
        sealed, failures = [], []
        # read for the whole batch at once, not one invoice at a time
        to_seal.line_ids.mapped("tax_ids")
        to_seal.line_ids.mapped("tax_tag_ids")
        for move in to_seal:
            try:
                sealed.append((move, *move._l10n_mx_einvoice_prepare()))
            except UserError as error:
                failures.append(str(error.args[0]))
        failures += self._l10n_mx_einvoice_credit_shortfall([account for *_x, account in sealed])
        if failures:
            raise UserError("\n\n".join(failures))
        documents = (
            self.env["l10n_mx_einvoice.document"]
            .sudo()
            ._l10n_mx_einvoice_create_pending(
                [
                    (move, signed_xml, fecha, account, move._l10n_mx_einvoice_file_prefix())
                    for move, signed_xml, fecha, account in sealed
                ]
            )
        )
        to_send += [
            (move, document, False) for (move, *_x), document in zip(sealed, documents, strict=True)
        ]
        to_seal._l10n_mx_einvoice_write_state(
            {"l10n_mx_einvoice_state": "to_stamp", "l10n_mx_einvoice_message": False}
        )
        return to_send

    def _l10n_mx_einvoice_credit_shortfall(self, accounts):
        """Problems when the stamp accounts hold fewer free credits than the invoices need.

        Credits of documents already waiting for the PAC are not free: they are spent as
        soon as the PAC answers.
        """
        problems = []
        for account in sorted(set(accounts), key=lambda a: a.id):  # one lock order: no deadlock
            account, needed = account.sudo(), accounts.count(account)
            if account.is_unlimited_now:
                continue
            balance, pending = account._claim_credits()
            if balance - pending < needed:
                problems.append(
                    self.env._(
                        "Sin folios disponibles: the stamp account %(account)s has %(free)s stamps free "
                        "(balance %(balance)s, %(pending)s waiting for the PAC) for %(needed)s "
                        "invoice(s): nothing was stamped. Stamp fewer invoices, or buy a stamp package "
                        "(a vendor bill for a stamp package product) or record an adjustment. / La "
                        "cuenta de timbrado %(account)s tiene %(free)s timbres libres para %(needed)s "
                        "factura(s): no se timbró ninguna.",
                        account=account.display_name,
                        free=balance - pending,
                        balance=balance,
                        pending=pending,
                        needed=needed,
                    )
                )
        return problems

    def _l10n_mx_einvoice_expired(self, document):
        if not document.cfdi_date:
            return False
        lugar = (self.company_id.zip or "").strip()
        sealed = datetime.fromisoformat(document.cfdi_date).replace(tzinfo=seal.place_zone(lugar))
        return datetime.now(timezone.utc) - sealed > RESEAL_AFTER

    def _l10n_mx_einvoice_recover(self, document):
        """Ask the PAC whether the document's XML was stamped; store it if so."""
        connector = document.stamp_account_id.sudo()._get_connector()
        try:
            result = connector.find_stamped(document._l10n_mx_einvoice_signed_bytes())
        except PacError as error:
            self._l10n_mx_einvoice_pac_failure(document, error, keep_pending=True)
            return True
        if result is None:
            return False
        self._l10n_mx_einvoice_store_stamps([(self, document, result)])
        return True

    def _l10n_mx_einvoice_send(self, document, retry):
        """The PAC's answer for the document's XML, or None (the failure is recorded)."""
        account = document.stamp_account_id.sudo()
        signed_xml = document._l10n_mx_einvoice_signed_bytes()
        try:
            connector = account._get_connector()
            result = connector.find_stamped(signed_xml) if retry else None
        except PacError as error:
            # the PAC may have stamped this XML: it stays pending, never sealed again
            self._l10n_mx_einvoice_pac_failure(document, error, keep_pending=True)
            return None
        try:
            return result or connector.stamp(signed_xml)
        except AlreadyStamped as error:
            return error.result
        except PacError as error:
            self._l10n_mx_einvoice_pac_failure(document, error)
            return None

    def _l10n_mx_einvoice_pac_failure(self, document, error, keep_pending=False):
        """Record what the PAC said; Unavailable (or ``keep_pending``: the PAC could not say
        whether it stamped the XML) keeps the document pending for a retry."""
        message = bilingual(error.message_es, error.message_en)
        if isinstance(error, Rejected):
            message = bilingual(
                f"[{error.code}] {error.message_es} {error.hint_es}",
                f"[{error.code}] {error.message_en} {error.hint_en}",
            )
        if keep_pending or isinstance(error, Unavailable):
            document.write({"message": message, "pac_code": error.code})
            self._l10n_mx_einvoice_write_state(
                {"l10n_mx_einvoice_state": "to_stamp", "l10n_mx_einvoice_message": message}
            )
        else:
            document.write(
                {
                    "state": "rejected" if isinstance(error, Rejected) else "error",
                    "message": message,
                    "pac_code": error.code,
                }
            )
            self._l10n_mx_einvoice_write_state(
                {"l10n_mx_einvoice_state": "error", "l10n_mx_einvoice_message": message}
            )
        _logger.info("CFDI of %s not stamped: %s", self.name, error.code)
        self.message_post(body=self.env._("CFDI not stamped: %s", message))

    def _l10n_mx_einvoice_file_prefix(self):
        serie, folio = self._l10n_mx_einvoice_serie_folio()
        rfc = self.company_id.partner_id._l10n_mx_einvoice_rfc()
        return f"{rfc}-{serie or ''}{folio or ''}"

    def _l10n_mx_einvoice_attachment_name(self, uuid, document=None):
        """<RFC>-<serie><folio>-<UUID>.xml (the prefix was kept when the XML was sealed)."""
        prefix = (document and document.cfdi_name) or self._l10n_mx_einvoice_file_prefix()
        return f"{prefix}-{uuid}.xml"

    def _l10n_mx_einvoice_store_stamps(self, answers):
        """Keep each stamped XML, set the UUIDs, use one credit per UUID.

        ``answers``: (move, document, result) of the PAC, stored together so that the
        attachments, the ledger lines and the low-balance check are written once.
        """
        if not answers:
            return
        uuids = [result.uuid.upper() for _move, _document, result in answers]
        attachments = (
            self.env["ir.attachment"]
            .sudo()
            .create(
                [
                    {
                        "name": move._l10n_mx_einvoice_attachment_name(uuid, document),
                        "raw": result.xml,
                        "mimetype": "application/xml",
                        "res_model": move._name,
                        "res_id": move.id,
                        "description": self.env._("Stamped CFDI %s", uuid),
                    }
                    for (move, document, result), uuid in zip(answers, uuids, strict=True)
                ]
            )
        )
        stamps = defaultdict(list)
        for (move, document, _result), uuid, attachment in zip(
            answers, uuids, attachments, strict=True
        ):
            document.write(
                {
                    "state": "stamped",
                    "uuid": uuid,
                    "attachment_id": attachment.id,
                    "message": False,
                    "pac_code": False,
                }
            )
            move._l10n_mx_einvoice_write_state(
                {
                    "l10n_mx_einvoice_state": "stamped",
                    "l10n_mx_einvoice_uuid": uuid,
                    "l10n_mx_einvoice_attachment_id": attachment.id,
                    "l10n_mx_einvoice_message": False,
                }
            )
            stamps[document.stamp_account_id.sudo()].append((uuid, document))
        for account, account_stamps in stamps.items():
            account._consume_credits(account_stamps)
        # the chatter shows the stamp through the tracked CFDI state and UUID

    # --- cancellation -------------------------------------------------------------------

    def _l10n_mx_einvoice_request_cancel(self, motive, replacement_uuid=None):
        """Ask SAT (through the PAC) to cancel the stamped CFDI with a SAT motive (01-04).

        One document per attempt; the answer decides the state: cancelled, cancellation
        requested (the receiver must accept) or still stamped with the PAC's message.
        """
        self.ensure_one()
        self._l10n_mx_einvoice_lock()
        if self.l10n_mx_einvoice_state not in ("stamped", "cancel_requested"):
            raise UserError(
                self.env._(
                    "Only a stamped CFDI can be cancelled. / Sólo se puede cancelar un CFDI timbrado."
                )
            )
        stamped = self.l10n_mx_einvoice_document_ids.filtered(
            lambda d: d.kind == "stamp" and d.state == "stamped"
        )[:1]
        account = (
            stamped.stamp_account_id.sudo()
            or self.company_id.l10n_mx_einvoice_stamp_account_id.sudo()
        )
        comprobante = cfdi_xml.from_bytes(self._l10n_mx_einvoice_stamped_xml())
        document = (
            self.env["l10n_mx_einvoice.document"]
            .sudo()
            .create(
                {
                    "move_id": self.id,
                    "kind": "cancel",
                    "state": "pending",
                    "stamp_account_id": account.id,
                    "uuid": self.l10n_mx_einvoice_uuid,
                    "motive": motive,
                    "replacement_uuid": replacement_uuid,
                }
            )
        )
        try:
            credential = self.company_id._l10n_mx_einvoice_certificate_at(
                datetime.now(timezone.utc)
            )._get_credential()
            result = account._get_connector().cancel(
                self.l10n_mx_einvoice_uuid,
                motive,
                replacement_uuid,
                comprobante.emisor.rfc,
                comprobante.receptor.rfc,
                comprobante.total,
                credential,
            )
        except (CfdiError, UserError) as error:
            message = (
                bilingual(error.message_es, error.message_en)
                if isinstance(error, CfdiError)
                else str(error.args[0])
            )
            document.write(
                {"state": "error", "message": message, "pac_code": getattr(error, "code", False)}
            )
            self._l10n_mx_einvoice_write_state({"l10n_mx_einvoice_message": message})
            self.message_post(body=self.env._("CFDI cancellation failed: %s", message))
            return document
        states = {
            "cancelled": ("cancelled", "cancelled"),
            "in_process": ("cancel_requested", "cancel_requested"),
            "rejected": ("rejected", "stamped"),
        }
        document_state, move_state = states[result.outcome]
        document.write(
            {"state": document_state, "pac_code": result.status_code, "message": result.message}
        )
        self._l10n_mx_einvoice_write_state(
            {
                "l10n_mx_einvoice_state": move_state,
                "l10n_mx_einvoice_message": result.message
                if result.outcome == "rejected"
                else False,
            }
        )
        self.message_post(
            body=self.env._(
                "CFDI cancellation (motive %(motive)s): %(message)s",
                motive=motive,
                message=result.message,
            )
        )
        return document

    # --- posting, cron, Send & Print -----------------------------------------------------

    def _post(self, soft=True):
        posted = super()._post(soft=soft)
        # a CFDI cancelled with SAT and posted again needs a new CFDI (new UUID)
        to_stamp = posted.filtered(
            lambda m: (
                m._l10n_mx_einvoice_is_cfdi()
                and m.l10n_mx_einvoice_state in (False, "error", "cancelled")
            )
        )
        if to_stamp:
            to_stamp._l10n_mx_einvoice_write_state({"l10n_mx_einvoice_state": "to_stamp"})
            for move in to_stamp.filtered(lambda m: m.company_id.l10n_mx_einvoice_stamp_on_post):
                move.with_prefetch()._l10n_mx_einvoice_stamp()
        return posted

    @api.model
    def _cron_l10n_mx_einvoice_stamp(self, limit=200):
        """Stamp invoices left waiting (stamp on post, PAC unavailable): one commit per invoice."""
        moves = self.search(
            [
                ("state", "=", "posted"),
                ("l10n_mx_einvoice_state", "=", "to_stamp"),
                "|",
                ("company_id.l10n_mx_einvoice_stamp_on_post", "=", True),
                ("l10n_mx_einvoice_document_ids.state", "=", "pending"),
            ],
            limit=limit,
            order="id",
        )
        can_commit = self._l10n_mx_einvoice_can_commit()
        for move in moves:
            move = move.with_prefetch()  # noqa: PLW2901 - see action_l10n_mx_einvoice_stamp
            try:
                if can_commit:  # stamping commits, which would end a savepoint
                    move._l10n_mx_einvoice_stamp()
                else:
                    with self.env.cr.savepoint():
                        move._l10n_mx_einvoice_stamp()
            except UserError as error:
                if can_commit:
                    self.env.cr.rollback()
                move._l10n_mx_einvoice_write_state(
                    {
                        "l10n_mx_einvoice_state": "error",
                        "l10n_mx_einvoice_message": str(error.args[0]),
                    }
                )
            except Exception:  # noqa: BLE001 - one invoice must not stop the others
                if not can_commit:
                    raise
                self.env.cr.rollback()
                _logger.exception(
                    "CFDI of %s could not be stamped by the scheduled action", move.name
                )
            move._l10n_mx_einvoice_commit()
        return True

    def _l10n_mx_einvoice_stamp_for_sending(self):
        """Stamp before Send & Print renders the PDF; returns an error text or False."""
        self.ensure_one()
        if not self._l10n_mx_einvoice_is_cfdi() or self.state != "posted":
            return False
        if self.l10n_mx_einvoice_state not in (False, "to_stamp", "error"):
            return False
        self._l10n_mx_einvoice_stamp()
        if self.l10n_mx_einvoice_state != "stamped":
            return self.l10n_mx_einvoice_message or self.env._("The CFDI could not be stamped.")
        return False

    # --- protection of the stamped CFDI -------------------------------------------------

    def _l10n_mx_einvoice_is_locked(self):
        return self.filtered(
            lambda m: (
                m.l10n_mx_einvoice_state in ("stamped", "cancel_requested")
                or m._l10n_mx_einvoice_pending_document()
            )
        )

    def _l10n_mx_einvoice_changed_fields(self, vals):
        """CFDI fields of ``vals`` that would change a value of these moves."""
        changed = []
        for name in CFDI_FIELDS.intersection(vals):
            field = self._fields[name]
            if field.type in ("one2many", "many2many"):
                if vals[name]:
                    changed.append(name)
                continue
            new_value = field.convert_to_write(
                field.convert_to_record(field.convert_to_cache(vals[name], self), self), self
            )
            if any(field.convert_to_write(move[name], move) != new_value for move in self):
                changed.append(name)
        return changed

    def write(self, vals):
        if CFDI_FIELDS.intersection(vals) and not self.env.context.get("l10n_mx_einvoice_storing"):
            locked = self._l10n_mx_einvoice_is_locked()
            if locked and locked._l10n_mx_einvoice_changed_fields(vals):
                raise UserError(
                    self.env._(
                        "%(moves)s has a stamped (or pending) CFDI: its customer, lines, amounts, "
                        "dates, currency and CFDI data cannot change. Cancel the CFDI and issue a new "
                        "invoice (or a credit note). / %(moves)s tiene un CFDI timbrado (o en "
                        "proceso): no se pueden cambiar cliente, conceptos, importes, fechas, moneda "
                        "ni datos del CFDI. Cancele el CFDI y emita otra factura (o una nota de crédito).",
                        moves=", ".join(locked.mapped("name")),
                    )
                )
        return super().write(vals)

    @api.depends("l10n_mx_einvoice_state")
    def _compute_show_reset_to_draft_button(self):
        result = super()._compute_show_reset_to_draft_button()
        # button_draft refuses them anyway: the form does not offer what it would refuse
        for move in self._l10n_mx_einvoice_is_locked():
            move.show_reset_to_draft_button = False
        return result

    def button_draft(self):
        locked = self._l10n_mx_einvoice_is_locked()
        if locked:
            raise UserError(
                self.env._(
                    "%(moves)s has a stamped or pending CFDI and cannot be reset to draft. Cancel the "
                    "CFDI with SAT first (or finish the pending stamping). / %(moves)s tiene un CFDI "
                    "timbrado o en proceso y no puede regresar a borrador: cancele primero el CFDI "
                    "ante el SAT (o termine el timbrado pendiente).",
                    moves=", ".join(locked.mapped("name")),
                )
            )
        result = super().button_draft()
        self.filtered(
            lambda m: m.l10n_mx_einvoice_state in ("to_stamp", "error")
        )._l10n_mx_einvoice_write_state(
            {"l10n_mx_einvoice_state": False, "l10n_mx_einvoice_message": False}
        )
        return result

    def button_cancel(self):
        locked = self._l10n_mx_einvoice_is_locked()
        if locked:
            raise UserError(
                self.env._(
                    "%(moves)s has a stamped CFDI: request its cancellation with SAT before "
                    "cancelling the entry. / %(moves)s tiene un CFDI timbrado: solicite su "
                    "cancelación ante el SAT antes de cancelar el asiento.",
                    moves=", ".join(locked.mapped("name")),
                )
            )
        return super().button_cancel()

    # --- printed CFDI -------------------------------------------------------------------

    def _l10n_mx_einvoice_stamped_xml(self):
        self.ensure_one()
        attachment = self.sudo().l10n_mx_einvoice_attachment_id
        return attachment.raw if attachment else None

    def _l10n_mx_einvoice_pdf_values(self):
        """What the printed invoice shows of its CFDI (empty dict when not stamped)."""
        self.ensure_one()
        data = self._l10n_mx_einvoice_stamped_xml()
        if not data:
            return {}
        from ..cfdi import cadena

        comprobante = cfdi_xml.from_bytes(data)
        timbre = comprobante.complemento.timbre
        url = tfd.verification_url_of(comprobante)
        return {
            "uuid": timbre.uuid,
            "fecha": comprobante.fecha.isoformat() if comprobante.fecha else "",
            "fecha_timbrado": timbre.fecha_timbrado.isoformat(),
            "no_certificado": comprobante.no_certificado,
            "no_certificado_sat": timbre.no_certificado_sat,
            "rfc_prov_certif": timbre.rfc_prov_certif,
            "leyenda": timbre.leyenda or "",
            "sello": comprobante.sello,
            "sello_sat": timbre.sello_sat,
            "cadena_tfd": cadena.cadena_tfd(timbre),
            "qr_src": qr_data_uri(url),
            "url": url,
            "emisor_nombre": comprobante.emisor.nombre,
            "receptor_nombre": comprobante.receptor.nombre,
            "emisor_rfc": comprobante.emisor.rfc,
            "emisor_regimen": comprobante.emisor.regimen_fiscal,
            "receptor_rfc": comprobante.receptor.rfc,
            "receptor_regimen": comprobante.receptor.regimen_fiscal,
            "receptor_cp": comprobante.receptor.domicilio_fiscal,
            "uso_cfdi": comprobante.receptor.uso_cfdi,
            "lugar_expedicion": comprobante.lugar_expedicion,
            "tipo": comprobante.tipo_de_comprobante,
            "metodo_pago": comprobante.metodo_pago or "",
            "forma_pago": comprobante.forma_pago or "",
            "moneda": comprobante.moneda,
            "tipo_cambio": str(comprobante.tipo_cambio) if comprobante.tipo_cambio else "",
            "exportacion": comprobante.exportacion,
            "relacionados": [
                (r.tipo_relacion, u) for r in comprobante.cfdi_relacionados for u in r.uuids
            ],
            "total_words": amount_in_words(comprobante.total, comprobante.moneda),
        }


def qr_data_uri(text):
    """SAT's QR (the verification URL) as a PNG data URI for the printed invoice."""
    import io

    import qrcode

    image = qrcode.make(text, box_size=4, border=1)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


CURRENCY_WORDS = {"MXN": ("PESOS", "M.N."), "USD": ("DÓLARES", "USD"), "EUR": ("EUROS", "EUR")}


def amount_in_words(total, currency):
    """(MIL DOSCIENTOS TREINTA Y CUATRO PESOS 56/100 M.N.), as Mexican invoices print it."""
    from num2words import num2words

    total = Decimal(total or 0).quantize(Decimal("0.01"))
    units = int(total)
    cents = int((total - units) * 100)
    name, suffix = CURRENCY_WORDS.get(currency, (currency, currency))
    words = num2words(units, lang="es").upper()
    # before a noun Spanish apocopates: "UN PESO", "VEINTIÚN MIL", "CIENTO UN PESOS"
    words = words.replace("VEINTIUNO MIL", "VEINTIÚN MIL").replace("UNO MIL", "UN MIL")
    if words.endswith("VEINTIUNO"):
        words = words[: -len("VEINTIUNO")] + "VEINTIÚN"
    elif words.endswith("UNO"):
        words = words[: -len("UNO")] + "UN"
    if units == 1 and currency == "MXN":
        name = "PESO"
    # "un millón de pesos": Spanish puts "DE" after exact millions
    if units and units % 1_000_000 == 0:
        name = f"DE {name}"
    return f"({words} {name} {cents:02d}/100 {suffix})"
