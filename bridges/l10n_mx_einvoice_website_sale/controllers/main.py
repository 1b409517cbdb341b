"""The shop's address form (``/shop/address``): a customer who wants a CFDI ticks the box
and gives RFC (the form's VAT), postal code, régimen fiscal and uso CFDI, checked by the
main addon's partner checks (``res.partner._l10n_mx_einvoice_fiscal_errors``), stored on
the partner, hence on the sale's invoice."""

from odoo.addons.l10n_mx_einvoice.models.res_partner import normalize_rfc
from odoo.addons.website_sale.controllers.main import WebsiteSale
from odoo.http import request
from odoo.tools import str2bool

FISCAL_FIELDS = ("vat", "zip", "l10n_mx_einvoice_regimen_fiscal", "l10n_mx_einvoice_uso_cfdi")
WANT_CFDI = "l10n_mx_einvoice_want_cfdi"


class L10nMxEinvoiceWebsiteSale(WebsiteSale):
    def _prepare_address_form_values(self, order_sudo, partner_sudo, *args, **kwargs):
        values = super()._prepare_address_form_values(order_sudo, partner_sudo, *args, **kwargs)
        partner_fields = request.env["res.partner"]._fields
        values.update(
            l10n_mx_einvoice_regimenes=partner_fields[
                "l10n_mx_einvoice_regimen_fiscal"
            ]._description_selection(request.env),
            l10n_mx_einvoice_usos=partner_fields[
                "l10n_mx_einvoice_uso_cfdi"
            ]._description_selection(request.env),
            l10n_mx_einvoice_want_cfdi=bool(partner_sudo.l10n_mx_einvoice_regimen_fiscal),
        )
        return values

    def _validate_address_values(
        self,
        address_values,
        partner_sudo,
        address_type,
        use_delivery_as_billing,
        required_fields,
        is_main_address,
        **kwargs,
    ):
        invalid, missing, messages = super()._validate_address_values(
            address_values,
            partner_sudo,
            address_type,
            use_delivery_as_billing,
            required_fields,
            is_main_address,
            **kwargs,
        )
        billing = address_type == "billing" or use_delivery_as_billing
        if billing and str2bool(kwargs.get(WANT_CFDI) or "false"):
            self._l10n_mx_einvoice_validate(address_values, invalid, missing, messages)
        return invalid, missing, messages

    def _l10n_mx_einvoice_validate(self, address_values, invalid, missing, messages):
        env = request.env
        if address_values.get("vat"):
            address_values["vat"] = normalize_rfc(address_values["vat"])
        empty = {fname for fname in FISCAL_FIELDS if not address_values.get(fname)}
        if empty:
            missing |= empty
            messages.append(
                env._(
                    "For an invoice (CFDI) fill in your RFC, postal code, régimen fiscal and "
                    "uso CFDI."
                )
            )
            return
        if address_values.get("country_id") != env.ref("base.mx").id:
            invalid.add("country_id")
            messages.append(env._("An invoice (CFDI) with your RFC needs a Mexican address."))
            return
        errors = env["res.partner"]._l10n_mx_einvoice_fiscal_errors(
            {
                "name": address_values.get("name") or "",
                **{fname: address_values[fname] for fname in FISCAL_FIELDS},
            }
        )
        if errors:
            invalid.update(FISCAL_FIELDS)
            messages.extend(errors)
