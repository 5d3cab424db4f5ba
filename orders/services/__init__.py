"""Order services: the only writers of purchase orders (STYLE habits 2-6). The purchase agent and the admin call
these; each returns an `OrderResult` (see results.py) and never calls Odoo inside a transaction."""

from orders.services.decisions import purchase_order_approve, purchase_order_cancel, purchase_order_reject
from orders.services.lifecycle import (
    purchase_order_active_for_contact, purchase_order_confirm, purchase_order_create, purchase_order_mark_sent,
    purchase_order_set_lines,
)
from orders.services.partners import odoo_partner_for_contact
from orders.services.push import purchase_order_push_to_odoo
from orders.services.refresh import (
    purchase_order_refresh_from_odoo, purchase_orders_push_pending, purchase_orders_watch_receipts,
)
from orders.services.results import (
    ActiveOrderExists, ApprovalDenied, InvalidOrderLines, LineInput, LineSummary, OrderResult, Outcome,
)
from orders.services.transitions import ALLOWED, purchase_order_event, purchase_order_transition

__all__ = [
    "ALLOWED", "ActiveOrderExists", "ApprovalDenied", "InvalidOrderLines", "LineInput", "LineSummary",
    "OrderResult", "Outcome", "odoo_partner_for_contact", "purchase_order_active_for_contact",
    "purchase_order_approve", "purchase_order_cancel", "purchase_order_confirm", "purchase_order_create",
    "purchase_order_event", "purchase_order_mark_sent", "purchase_order_push_to_odoo",
    "purchase_order_refresh_from_odoo", "purchase_order_reject", "purchase_order_set_lines",
    "purchase_order_transition", "purchase_orders_push_pending", "purchase_orders_watch_receipts",
]
