"""Staff decisions and cancellation: approve, reject, cancel. Every outcome, including Odoo being unreachable or
silently refusing, is recorded as an event and returned for the admin to report."""

from __future__ import annotations

from django.utils import timezone

from core.errors import DomainError, InvalidTransition
from integrations.odoo import gateway
from integrations.odoo.errors import OdooError, OdooUnavailable
from orders.models import OdooSyncStatus, OrderState, PurchaseOrder
from orders.services import notify
from orders.services.common import local_state_for, result, store_odoo_snapshot
from orders.services.push import purchase_order_push_to_odoo
from orders.services.results import ApprovalDenied, OrderResult, Outcome
from orders.services.transitions import actor_for, purchase_order_event, purchase_order_transition

APPROVE_PERMISSION = "orders.approve_purchaseorder"


def purchase_order_approve(*, order_id: int, user) -> OrderResult:
    """Confirm an order awaiting approval in Odoo (button_confirm from draft, button_approve from 'to approve'),
    re-read, and follow what Odoo says. The contact is told when it is confirmed."""
    order = _decidable(order_id, user)
    actor = actor_for(user)
    if order.odoo_sync_status != OdooSyncStatus.SYNCED or not order.odoo_id:
        pushed = purchase_order_push_to_odoo(order_id=order_id)
        if not pushed.ok or pushed.outcome in (Outcome.PENDING_ODOO, Outcome.DRY_RUN):
            return _not_reached(order, actor, "approve", pushed.error or pushed.outcome)
        order.refresh_from_db()
    try:
        odoo = gateway.order_read(order.odoo_id)
        button = "button_approve" if odoo.state == "to approve" else "button_confirm"
        odoo = gateway.order_button(order.odoo_id, button)
    except OdooUnavailable as exc:
        return _not_reached(order, actor, "approve", str(exc))
    except OdooError as exc:
        return _refused(order, actor, "approve", exc)
    store_odoo_snapshot(order_id, odoo)
    if local_state_for(odoo) != OrderState.CONFIRMED:
        purchase_order_event(order_id=order_id, actor=actor, kind="odoo_not_approved", state=order.state,
                             detail={"odoo_state": odoo.state, "hint": "the Odoo integration user needs the "
                                     "Purchase / Administrator right to approve"})
        return result(order, Outcome.ODOO_NOT_APPROVED, error=f"Odoo left it in '{odoo.state}'")
    order = purchase_order_transition(
        order_id=order_id, to_state=OrderState.CONFIRMED, actor=actor, reason="approved",
        updates={"approved_by": user, "decided_at": timezone.now()}, detail={"odoo_state": odoo.state})
    notify.contact_notice(order, "approved")
    return result(order, Outcome.APPROVED)


def purchase_order_reject(*, order_id: int, user, reason: str) -> OrderResult:
    """Cancel in Odoo (button_cancel, re-read), then tell the contact why."""
    if not (reason or "").strip():
        raise DomainError("A reason is required to reject a purchase order.", code="reason_required")
    order = _decidable(order_id, user)
    actor = actor_for(user)
    cancelled = _cancel_in_odoo(order, actor, "reject")
    if isinstance(cancelled, OrderResult):
        return cancelled
    order = purchase_order_transition(
        order_id=order_id, to_state=OrderState.CANCELLED, actor=actor, reason=reason,
        updates={"rejected_by": user, "decided_at": timezone.now(), "decision_reason": reason})
    notify.contact_notice(order, "rejected", reason=reason)
    return result(order, Outcome.REJECTED)


def purchase_order_cancel(*, order_id: int, actor: str = "agent", reason: str = "") -> OrderResult:
    """The contact (or staff) cancels: button_cancel in Odoo when it has the order, then cancelled here."""
    order = PurchaseOrder.objects.get(pk=order_id)
    if OrderState.CANCELLED not in _allowed(order.state):
        raise InvalidTransition(f"Purchase order {order.display_name} is '{order.state}' and cannot be cancelled.")
    cancelled = _cancel_in_odoo(order, actor, "cancel")
    if isinstance(cancelled, OrderResult):
        return cancelled
    order = purchase_order_transition(order_id=order_id, to_state=OrderState.CANCELLED, actor=actor,
                                      reason=reason or "cancelled")
    return result(order, Outcome.CANCELLED)


def _cancel_in_odoo(order: PurchaseOrder, actor: str, action: str) -> OrderResult | None:
    """None when Odoo has it cancelled (or never had it); a result to return otherwise."""
    odoo_id = order.odoo_id or _find_by_key(order)
    if not odoo_id:
        return None
    try:
        odoo = gateway.order_button(odoo_id, "button_cancel")  # returns None: the re-read is the truth
    except OdooUnavailable as exc:
        return _not_reached(order, actor, action, str(exc))
    except OdooError as exc:
        return _refused(order, actor, action, exc)
    store_odoo_snapshot(order.pk, odoo)
    if odoo.state != "cancel":
        purchase_order_event(order_id=order.pk, actor=actor, kind="odoo_not_cancelled", state=order.state,
                             detail={"odoo_state": odoo.state})
        return result(order, Outcome.ODOO_REFUSED, error=f"Odoo left it in '{odoo.state}'")
    return None


def _find_by_key(order: PurchaseOrder) -> int | None:
    """A pending push may have reached Odoo; cancel that RFQ too rather than leave it behind."""
    if order.odoo_sync_status == OdooSyncStatus.DRY_RUN:
        return None
    try:
        found = gateway.order_find_by_origin(order.idempotency_key)
    except OdooError:
        return None
    return found.id if found else None


def _decidable(order_id: int, user) -> PurchaseOrder:
    if user is None or not user.has_perm(APPROVE_PERMISSION):
        raise ApprovalDenied("You do not have permission to approve or reject purchase orders.")
    order = PurchaseOrder.objects.get(pk=order_id)
    if order.state != OrderState.TO_APPROVE:
        raise InvalidTransition(f"Purchase order {order.display_name} is '{order.state}', not awaiting approval.")
    return order


def _not_reached(order: PurchaseOrder, actor: str, action: str, error: str) -> OrderResult:
    purchase_order_event(order_id=order.pk, actor=actor, kind=f"{action}_failed", state=order.state,
                         detail={"error": error[:500], "reason": "odoo_unreachable"})
    return result(order, Outcome.ODOO_UNREACHABLE, error=error)


def _refused(order: PurchaseOrder, actor: str, action: str, exc: OdooError) -> OrderResult:
    purchase_order_event(order_id=order.pk, actor=actor, kind=f"{action}_refused", state=order.state,
                         detail={"error": str(exc)[:500], "error_type": type(exc).__name__})
    return result(order, Outcome.ODOO_REFUSED, error=str(exc))


def _allowed(state: str) -> set[str]:
    from orders.services.transitions import ALLOWED

    return ALLOWED[state]
