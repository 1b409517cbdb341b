import { PosOrder } from "@point_of_sale/app/models/pos_order";
import { qrCodeSrc } from "@point_of_sale/utils";
import { patch } from "@web/core/utils/patch";

// The self-invoicing page's address (with the ticket's reference) and its QR code, on
// the printed ticket.
patch(PosOrder.prototype, {
    export_for_printing(baseUrl, headerData) {
        const result = super.export_for_printing(...arguments);
        if (this.finalized && this.pos_reference) {
            const url = `${baseUrl}/facturacion?ticket=${encodeURIComponent(this.pos_reference)}`;
            result.l10n_mx_self_invoice_url = `${baseUrl}/facturacion`;
            result.l10n_mx_self_invoice_qr = qrCodeSrc(url, { size: 150 });
        }
        return result;
    },
});
