"""Following Odoo: what staff did there (approved or cancelled a waiting order), and the goods arriving (purchase:
receipts) or leaving for the contact (sale: deliveries). Each change is a transition or an event with a notice, so
the contact hears it once, as from our admin: a partial receipt or delivery is told once per new quantity (the
per-line quantities told are kept in the event's detail, and only an increase is told again), the full one by
the move to `received`."""

from __future__ import annotations

import logging
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from core.errors import DomainError
from integrations.odoo import gateway
from integrations.odoo.errors import OdooError, OdooUnavailable
from orders.models import OdooSyncStatus, OrderState, Product, PurchaseOrder
from orders.services.common import CONFIRMED_IN_ODOO, local_state_for, result, store_odoo_snapshot
from orders.services.lines import lines_from_odoo
from orders.services.results import OrderResult, Outcome
from orders.services.transitions import ALLOWED, purchase_order_event, purchase_order_transition

log = logging.getLogger(__name__)
PARTLY_DONE = "partly_done"

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
        odoo = gateway.orders_for(order.mode).read(order.odoo_id)  # with its lines, one call
    except OdooUnavailable as exc:
        return result(order, Outcome.ODOO_UNREACHABLE, error=str(exc))
    if odoo is None:
        purchase_order_event(order_id=order_id, actor="odoo", kind="odoo_order_missing", state=order.state)
        return result(order, Outcome.ODOO_REFUSED, error="the order no longer exists in Odoo")
    with transaction.atomic():
        store_odoo_snapshot(order_id, odoo, synced=order.odoo_sync_status == OdooSyncStatus.SYNCED)
        if odoo.state in CONFIRMED_IN_ODOO:
            lines_from_odoo(order, odoo)
            _tell_partly_done(order.pk, odoo)
    return _follow(order, local_state_for(odoo), odoo.state)


def _tell_partly_done(order_id: int, odoo: gateway.OdooOrder) -> None:
    """Part of the goods moved (and not all): an event with a notice, unless no line moved beyond what the
    contact was last told. Caller holds the transaction; the order's row lock keeps the watcher and a status
    question from telling the same quantities twice."""
    order = PurchaseOrder.objects.select_for_update().get(pk=order_id)
    done = {str(line.id): str(line.done_quantity) for line in odoo.lines if line.product_id}
    if odoo.fulfilment_status == "full" or not any(Decimal(qty) > 0 for qty in done.values()):
        return
    told = (order.events.filter(kind=PARTLY_DONE).order_by("-id").values_list("detail", flat=True).first()
            or {}).get("done", {})
    if not any(Decimal(qty) > Decimal(told.get(line_id, "0")) for line_id, qty in done.items()):
        return
    purchase_order_event(order_id=order.pk, actor="odoo", kind=PARTLY_DONE, state=order.state, notice=True,
                         detail={"done": done, "lines": _moved_lines(odoo)})


def _moved_lines(odoo: gateway.OdooOrder) -> list[dict]:
    """The lines with something received or delivered, named as our catalog names them."""
    moved = [line for line in odoo.lines if line.product_id and line.done_quantity > 0]
    products = {p.odoo_product_id: p for p in Product.objects.filter(odoo_product_id__in=[l.product_id for l in moved])}
    return [{"name": products[l.product_id].name if l.product_id in products else l.product_name,
             "uom": products[l.product_id].uom if l.product_id in products else l.uom,
             "ordered": str(l.quantity), "done": str(l.done_quantity)} for l in moved]


def _follow(order: PurchaseOrder, target: str, odoo_state: str) -> OrderResult:
    # Only forward: an RFQ stays 'draft' in Odoo while we quote it or wait for our own approval, and following
    # that would drop sent and to-approve orders back to draft.
    if not target or target in (order.state, OrderState.DRAFT):
        return result(order, Outcome.UNCHANGED)
    path = [target]
    if order.state in (OrderState.DRAFT, OrderState.SENT, OrderState.TO_APPROVE) and target == OrderState.RECEIVED:
        path = [OrderState.CONFIRMED, OrderState.RECEIVED]  # confirmed and received between two looks
    if path[0] not in ALLOWED[order.state]:
        purchase_order_event(order_id=order.pk, order=order, actor="odoo", kind="odoo_state_mismatch", state=order.state,
                             detail={"odoo_state": odoo_state})
        return result(order, Outcome.UNCHANGED, error=f"Odoo says '{odoo_state}'")
    before = order.state
    for state in path:
        updates = {"received_at": timezone.now()} if state == OrderState.RECEIVED else None
        order = purchase_order_transition(order_id=order.pk, order=order, to_state=state, actor="odoo", updates=updates,
                                          reason=f"Odoo state {odoo_state}", notice=_notice(before, state))
    return result(order, OUTCOME_FOR_STATE.get(target, Outcome.UNCHANGED))


def _notice(before: str, after: str) -> str:
    """What the contact hears when Odoo moved their order: staff approved or cancelled a waiting order in Odoo
    itself, or all the goods arrived (or were delivered). A step the contact already heard about (their own
    confirmation) says nothing."""
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
