"""Following Odoo: refresh an order's state (including receipt), and the sweepers behind the schedules."""

from __future__ import annotations

import datetime as dt
import logging

from django.utils import timezone

from core.errors import DomainError

from integrations.odoo import gateway
from integrations.odoo.errors import OdooError, OdooUnavailable
from orders.models import OdooSyncStatus, OrderState, PurchaseOrder
from orders.services import notify
from orders.services.common import local_state_for, result, store_odoo_snapshot
from orders.services.results import OrderResult, Outcome
from orders.services.transitions import ALLOWED, purchase_order_event, purchase_order_transition

log = logging.getLogger(__name__)

OUTCOME_FOR_STATE = {OrderState.CONFIRMED: Outcome.CONFIRMED, OrderState.TO_APPROVE: Outcome.AWAITING_APPROVAL,
                     OrderState.RECEIVED: Outcome.RECEIVED, OrderState.CANCELLED: Outcome.CANCELLED}


def purchase_order_refresh_from_odoo(*, order_id: int) -> OrderResult:
    """Read the order in Odoo and follow it (to approve, purchase, receipt done, cancel). Tells the contact
    when the goods are received (once)."""
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
        order = purchase_order_transition(order_id=order.pk, to_state=state, actor="odoo",
                                          reason=f"Odoo state {odoo_state}", updates=updates)
    _decision_notice(order, before)
    if target == OrderState.RECEIVED:
        _receipt_notice(order)
    return result(order, OUTCOME_FOR_STATE.get(target, Outcome.UNCHANGED))


def _decision_notice(order: PurchaseOrder, before: str) -> None:
    """Staff may approve or cancel a waiting order in Odoo itself; the contact hears it as from our admin.

    The transition above was a compare-and-set, so only the sweep that moved the order gets here.
    """
    waiting = before in (OrderState.SENT, OrderState.TO_APPROVE)
    if before == OrderState.TO_APPROVE and order.state in (OrderState.CONFIRMED, OrderState.RECEIVED):
        notify.contact_notice(order, "approved")
    elif waiting and order.state == OrderState.CANCELLED:
        notify.contact_notice(order, "cancelled_in_odoo")


def _receipt_notice(order: PurchaseOrder) -> None:
    # Compare-and-set on the notice timestamp: two sweeps never tell the contact twice.
    if PurchaseOrder.objects.filter(pk=order.pk, receipt_notified_at__isnull=True).update(
            receipt_notified_at=timezone.now()) == 1:
        notify.contact_notice(order, "received")


def purchase_orders_push_pending(*, older_than_seconds: int = 0) -> dict:
    """Scheduled: push orders still pending (Odoo was down), then confirm those the contact already confirmed."""
    from orders.services.lifecycle import purchase_order_confirm
    from orders.services.push import purchase_order_push_to_odoo

    cutoff = timezone.now() - dt.timedelta(seconds=older_than_seconds)
    counts = {"pushed": 0, "still_pending": 0, "confirmed": 0}
    for order_id in PurchaseOrder.objects.filter(odoo_sync_status=OdooSyncStatus.PENDING, updated_at__lte=cutoff,
                                                 state__in=[OrderState.DRAFT, OrderState.SENT,
                                                            OrderState.TO_APPROVE]).values_list("pk", flat=True):
        outcome = purchase_order_push_to_odoo(order_id=order_id).outcome
        counts["pushed" if outcome in (Outcome.CREATED, Outcome.UPDATED) else "still_pending"] += 1
    for order_id in PurchaseOrder.objects.filter(confirm_requested_at__isnull=False, odoo_sync_status=OdooSyncStatus.SYNCED,
                                                 state__in=[OrderState.DRAFT, OrderState.SENT]).values_list("pk", flat=True):
        try:
            confirmed = purchase_order_confirm(order_id=order_id, actor="system")
        except DomainError as exc:  # e.g. a race lost to the contact or staff: skip it, keep sweeping
            log.warning("pending confirmation of order %s skipped: %s", order_id, exc)
            continue
        if confirmed.outcome == Outcome.CONFIRMED:
            counts["confirmed"] += 1
            notify.contact_notice(PurchaseOrder.objects.get(pk=order_id), "confirmed")
        elif confirmed.outcome == Outcome.AWAITING_APPROVAL:
            notify.contact_notice(PurchaseOrder.objects.get(pk=order_id), "under_review")
    return counts


def purchase_orders_watch_receipts() -> dict:
    """Scheduled: follow waiting and confirmed orders in Odoo; notices receipt and Odoo-side decisions."""
    counts = {"checked": 0, "received": 0, "errors": 0}
    for order_id in PurchaseOrder.objects.filter(state__in=[OrderState.CONFIRMED, OrderState.TO_APPROVE,
                                                           OrderState.SENT],
                                                 odoo_id__isnull=False).values_list("pk", flat=True):
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
