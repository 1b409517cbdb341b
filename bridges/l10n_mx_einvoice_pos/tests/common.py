"""Point of Sale fixtures: a shop, its session and tickets sent as the POS UI sends them
(``pos.order.sync_from_ui``, Odoo 18)."""

import itertools
import uuid as uuid_module

from odoo import Command, fields

_TICKETS = itertools.count(1)


def setup_shop(env, company, product, name="Tienda"):
    """A POS config with cash (01) and card (04) payment methods, an open session."""
    journals = env["account.journal"].with_company(company)
    cash_journal = journals.search(
        [("company_id", "=", company.id), ("type", "=", "cash")], limit=1
    )
    bank_journal = journals.search(
        [("company_id", "=", company.id), ("type", "=", "bank")], limit=1
    )
    sale_journal = journals.search(
        [("company_id", "=", company.id), ("type", "=", "sale")], limit=1
    )
    methods = env["pos.payment.method"].with_company(company)
    cash = methods.create(
        {"name": "Efectivo", "journal_id": cash_journal.id, "company_id": company.id}
    )
    card = methods.create(
        {"name": "Tarjeta", "journal_id": bank_journal.id, "company_id": company.id}
    )
    config = (
        env["pos.config"]
        .with_company(company)
        .create(
            {
                "name": f"{name} {uuid_module.uuid4().hex[:6]}",
                "company_id": company.id,
                "invoice_journal_id": sale_journal.id,
                "payment_method_ids": [Command.set((cash | card).ids)],
            }
        )
    )
    product.product_tmpl_id.available_in_pos = True
    config.open_ui()
    session = config.current_session_id
    session.set_opening_control(0, None)
    return config, session, cash, card


def ticket_data(session, lines, partner=None, to_invoice=False, payments=None):
    """The dict the POS UI sends for a paid ticket. ``lines``: (product, qty, price,
    refunded line or None); ``payments``: [(method, share)] of the total."""
    currency = session.currency_id
    order_lines, total, untaxed = [], 0.0, 0.0
    for product, qty, price, refunded in lines:
        taxes = product.taxes_id.filtered(lambda t: t.company_id == session.company_id)
        computed = taxes.compute_all(price, currency, qty, product=product)
        total += computed["total_included"]
        untaxed += computed["total_excluded"]
        order_lines.append(
            Command.create(
                {
                    "product_id": product.id,
                    "qty": qty,
                    "price_unit": price,
                    "discount": 0.0,
                    "price_subtotal": computed["total_excluded"],
                    "price_subtotal_incl": computed["total_included"],
                    "tax_ids": [Command.set(taxes.ids)],
                    "refunded_orderline_id": refunded.id if refunded else False,
                    "full_product_name": product.display_name,
                    "pack_lot_ids": [],
                }
            )
        )
    total = currency.round(total)
    payments = payments or [(session.payment_method_ids.filtered("is_cash_count")[:1], 1.0)]
    number = next(_TICKETS)
    uid = f"{number:05d}-{uuid_module.uuid4().hex[:3]}-{uuid_module.uuid4().hex[:4]}"
    return {
        "amount_paid": total,
        "amount_return": 0,
        "amount_tax": currency.round(total - untaxed),
        "amount_total": total,
        "date_order": fields.Datetime.to_string(fields.Datetime.now()),
        "name": f"Order {uid}",
        "lines": order_lines,
        "partner_id": partner.id if partner else False,
        "session_id": session.id,
        "sequence_number": number,
        "payment_ids": [
            Command.create(
                {
                    "amount": currency.round(total * share),
                    "name": fields.Datetime.now(),
                    "payment_method_id": method.id,
                }
            )
            for method, share in payments
        ],
        "uuid": str(uuid_module.uuid4()),
        "user_id": session.env.uid,
        "to_invoice": to_invoice,
        "last_order_preparation_change": "{}",
    }


def sync(env, *tickets):
    """Send tickets as the POS UI does; the pos.order records and the answer."""
    answer = env["pos.order"].sync_from_ui(list(tickets))
    orders = env["pos.order"].browse([o["id"] for o in answer["pos.order"]])
    return orders, answer


def refund_data(session, order, quantities=None):
    """A refund of ``order``'s lines (all, or ``quantities`` by line)."""
    lines = [
        (line.product_id, -(quantities or {}).get(line.id, line.qty), line.price_unit, line)
        for line in order.lines
    ]
    return ticket_data(session, lines)
