"""Order services: the only writers of purchase orders. The turn's commit applies a chat decision with
`order_change_apply`; the admin decides with `purchase_order_approve` / `purchase_order_reject`; Odoo is only
ever written through an order's commands (`odoo_commands_run`, after commit), and followed by the watcher."""

from orders.services.changes import (
    AppliedChange, OrderChange, OrderChanged, cancellation_is_local, confirmation_needs_approval,
    order_change_apply, purchase_order_quoted,
)
from orders.services.commands import (
    command_queue, commands_run_by_caller, odoo_commands_redrive, odoo_commands_run, odoo_commands_sweep,
)
from orders.services.decisions import purchase_order_approve, purchase_order_reject
from orders.services.partners import odoo_partner_for_contact
from orders.services.refresh import purchase_order_refresh_from_odoo, purchase_orders_watch
from orders.services.results import (
    ApprovalDenied, InvalidOrderLines, LineInput, LineSummary, OrderResult, Outcome,
)
from orders.services.transitions import (
    ALLOWED, notices_told_by_caller, purchase_order_event, purchase_order_transition,
)

__all__ = [
    "ALLOWED", "AppliedChange", "ApprovalDenied", "InvalidOrderLines", "LineInput", "LineSummary", "OrderChange",
    "OrderChanged", "OrderResult", "Outcome", "cancellation_is_local", "command_queue", "commands_run_by_caller",
    "confirmation_needs_approval", "notices_told_by_caller", "odoo_commands_redrive", "odoo_commands_run",
    "odoo_commands_sweep", "odoo_partner_for_contact", "order_change_apply", "purchase_order_approve",
    "purchase_order_event", "purchase_order_quoted", "purchase_order_refresh_from_odoo", "purchase_order_reject",
    "purchase_order_transition", "purchase_orders_watch",
]
