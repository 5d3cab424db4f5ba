"""Scheduled: quotes owed to contacts whose order was saved while Odoo was unreachable. Each order is pushed
(idempotent: looked up by its origin key first) and, once Odoo has it, the contact gets the quote."""

from __future__ import annotations

import logging

from agents.lanes.purchase.replies import send_quote_later
from orders import chat
from orders.services import purchase_order_push_to_odoo

logger = logging.getLogger(__name__)


def send_owed_quotes() -> dict:
    counts = {"sent": 0, "still_pending": 0}
    for order_id in chat.purchase_orders_owing_quote():
        purchase_order_push_to_odoo(order_id=order_id)
        if send_quote_later(order_id=order_id):
            counts["sent"] += 1
        else:
            counts["still_pending"] += 1
    if counts["sent"] or counts["still_pending"]:
        logger.info("owed quotes", extra=counts)
    return counts
