import { _t } from "@web/core/l10n/translation";
import { patch } from "@web/core/utils/patch";
import { AlertDialog } from "@web/core/confirmation_dialog/confirmation_dialog";
import { PaymentScreen } from "@point_of_sale/app/screens/payment_screen/payment_screen";

// At the counter: an order to invoice needs the customer's fiscal data before it is paid
// (the server checks the values themselves when the customer is saved).
patch(PaymentScreen.prototype, {
    async _isOrderValid(isForceValidate) {
        const order = this.currentOrder;
        const partner = order.get_partner();
        if (order.is_to_invoice() && partner && partner.country_id?.code === "MX") {
            const missing = [
                [partner.vat, _t("RFC")],
                [partner.zip, _t("postal code")],
                [partner.l10n_mx_einvoice_regimen_fiscal, _t("fiscal regime")],
                [partner.l10n_mx_einvoice_uso_cfdi, _t("CFDI use")],
            ]
                .filter(([value]) => !value)
                .map(([, label]) => label);
            if (missing.length) {
                this.dialog.add(AlertDialog, {
                    title: _t("Customer's fiscal data"),
                    body: _t(
                        "To stamp the invoice, complete the customer's %s (Customer > Edit).",
                        missing.join(", ")
                    ),
                });
                return false;
            }
        }
        return super._isOrderValid(...arguments);
    },
});
