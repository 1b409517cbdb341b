import { patch } from "@web/core/utils/patch";
import { PosOrder } from "@point_of_sale/app/models/pos_order";

// The receipt prints the UUID of the ticket's CFDI (read from the server after the sync).
patch(PosOrder.prototype, {
    export_for_printing(baseUrl, headerData) {
        return {
            ...super.export_for_printing(baseUrl, headerData),
            l10n_mx_einvoice_uuid: this.l10n_mx_einvoice_uuid || false,
        };
    },
});
