"""Following Odoo: what staff did there (approved or cancelled a waiting order) and the goods arriving. Each change
is a transition with a notice, so the contact hears it once, as from our admin."""

from __future__ import annotations

import logging

from django.utils import timezone

from core.errors import DomainError
from integrations.odoo import gateway
from integrations.odoo.errors import OdooError, OdooUnavailable
from orders.models import OdooSyncStatus, OrderState, PurchaseOrder
from orders.services.common import local_state_for, result, store_odoo_snapshot
from orders.services.results import OrderResult, Outcome
from orders.services.transitions import ALLOWED, purchase_order_event, purchase_order_transition

log = logging.getLogger(__name__)

OUTCOME_FOR_STATE = {OrderState.CONFIRMED: Outcome.CONFIRMED, OrderState.TO_APPROVE: Outcome.AWAITING_APPROVAL,
                     OrderState.RECEIVED: Outcome.RECEIVED, OrderState.CANCELLED: Outcome.CANCELLED}
WATCHED = (OrderState.CONFIRMED, OrderState.TO_APPROVE, OrderState.SENT)


def purchase_order_refresh_from_odoo(*, order_id: int) -> OrderResult:
    """Read the order in Odoo and follow it forward (to approve, purchase, receipt done, cancel)."""
    order = PurchaseOrder.objects.get(pk=order_id)
    if not order.odoo_id:
        return result(order, Outcome.PENDING_ODOO if order.odoo_sync_status == OdooSyncStatus.PENDING
                      else Outcome.UNCHANGED)
    try:
        odoo = gateway.order_read(order.odoo_id)
    except OdooUnavailable as exc:
        return result(order, Outcome.ODOO_UNREACHABLE, error=str(exc))
    if odoo is None:
        purchase_order_event(order_id=order_id, actor="odoo", kind="odoo_order_missing", state=order.state)
        return result(order, Outcome.ODOO_REFUSED, error="the order no longer exists in Odoo")
    store_odoo_snapshot(order_id, odoo, synced=order.odoo_sync_status == OdooSyncStatus.SYNCED)
    return _follow(order, local_state_for(odoo), odoo.state)


def _follow(order: PurchaseOrder, target: str, odoo_state: str) -> OrderResult:
    # Only forward: an RFQ stays 'draft' in Odoo while we quote it or wait for our own approval, and following
    # that would drop sent and to-approve orders back to draft.
    if not target or target in (order.state, OrderState.DRAFT):
        return result(order, Outcome.UNCHANGED)
    path = [target]
    if order.state in (OrderState.DRAFT, OrderState.SENT, OrderState.TO_APPROVE) and target == OrderState.RECEIVED:
        path = [OrderState.CONFIRMED, OrderState.RECEIVED]  # confirmed and received between two looks
    if path[0] not in ALLOWED[order.state]:
        purchase_order_event(order_id=order.pk, actor="odoo", kind="odoo_state_mismatch", state=order.state,
                             detail={"odoo_state": odoo_state})
        return result(order, Outcome.UNCHANGED, error=f"Odoo says '{odoo_state}'")
    before = order.state
    for state in path:
        updates = {"received_at": timezone.now()} if state == OrderState.RECEIVED else None
        order = purchase_order_transition(order_id=order.pk, to_state=state, actor="odoo", updates=updates,
                                          reason=f"Odoo state {odoo_state}", notice=_notice(before, state))
    return result(order, OUTCOME_FOR_STATE.get(target, Outcome.UNCHANGED))


def _notice(before: str, after: str) -> str:
    """What the contact hears when Odoo moved their order: staff approved or cancelled a waiting order in Odoo
    itself, or the goods arrived. A step the contact already heard about (their own confirmation) says nothing."""
    if after == OrderState.RECEIVED:
        return "received"
    if before == OrderState.TO_APPROVE and after == OrderState.CONFIRMED:
        return "approved"
    if before in (OrderState.SENT, OrderState.TO_APPROVE) and after == OrderState.CANCELLED:
        return "cancelled_in_odoo"
    return ""


def purchase_orders_watch() -> dict:
    """Scheduled: follow waiting and confirmed orders in Odoo."""
    counts = {"checked": 0, "received": 0, "errors": 0}
    for order_id in PurchaseOrder.objects.filter(state__in=WATCHED, odoo_id__isnull=False).values_list("pk", flat=True):
        try:
            outcome = purchase_order_refresh_from_odoo(order_id=order_id).outcome
        except (OdooError, DomainError):  # one order's trouble must not stop the sweep
            outcome = "error"
        counts["checked"] += 1
        counts["received"] += outcome == Outcome.RECEIVED
        counts["errors"] += outcome in ("error", Outcome.ODOO_UNREACHABLE)
        if outcome == Outcome.ODOO_UNREACHABLE:
            break  # Odoo is down: stop hammering it; the next run continues
    return counts
