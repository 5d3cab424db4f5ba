"""The one door for purchase order states (STYLE habits 4 and 5): allowed moves, compare-and-set, audit row."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils import timezone

from core.errors import InvalidTransition, NotFound
from core.metrics import purchase_orders_total
from orders.models import OrderState, PurchaseOrder, PurchaseOrderEvent

S = OrderState
ALLOWED: dict[str, set[str]] = {
    S.DRAFT: {S.SENT, S.TO_APPROVE, S.CONFIRMED, S.CANCELLED},
    S.SENT: {S.DRAFT, S.TO_APPROVE, S.CONFIRMED, S.CANCELLED},
    S.TO_APPROVE: {S.CONFIRMED, S.CANCELLED, S.DRAFT},
    S.CONFIRMED: {S.RECEIVED, S.CANCELLED},
    S.RECEIVED: set(),
    S.CANCELLED: set(),
}


def purchase_order_transition(*, order_id: int, to_state: str, actor: str, reason: str = "",
                              detail: dict | None = None, updates: dict | None = None) -> PurchaseOrder:
    """Move the order to `to_state` if the table allows it and nobody moved it first; write the audit row in the
    same transaction. `updates` are extra columns set in the same UPDATE (approved_by, decided_at…)."""
    with transaction.atomic():
        order = PurchaseOrder.objects.filter(pk=order_id).first()
        if order is None:
            raise NotFound(f"Purchase order {order_id} does not exist.")
        before = order.state
        if to_state not in ALLOWED[before]:
            raise InvalidTransition(
                f"Purchase order {order.display_name} cannot go from '{before}' to '{to_state}' "
                f"(allowed: {', '.join(sorted(ALLOWED[before])) or 'none, it is final'}).")
        _compare_and_set(order, before, to_state, updates or {})
        PurchaseOrderEvent.objects.create(order_id=order_id, actor=actor, kind="transition", before=before,
                                          after=to_state, detail={"reason": reason, **(detail or {})})
        transaction.on_commit(lambda: purchase_orders_total.labels(state=to_state).inc())
    order.refresh_from_db()
    return order


def _compare_and_set(order: PurchaseOrder, before: str, to_state: str, updates: dict) -> None:
    try:
        with transaction.atomic():
            changed = PurchaseOrder.objects.filter(pk=order.pk, state=before).update(
                state=to_state, updated_at=timezone.now(), **updates)
    except IntegrityError as exc:  # one_active_order_per_contact
        raise InvalidTransition(
            f"Purchase order {order.display_name} cannot become '{to_state}': the contact already has an "
            "active order.") from exc
    if changed != 1:
        raise InvalidTransition(
            f"Purchase order {order.display_name} changed state while this was being decided; reload and retry.")


def purchase_order_event(*, order_id: int, actor: str, kind: str, detail: dict | None = None,
                         state: str = "") -> PurchaseOrderEvent:
    """An audit row for an action that is not a transition (push, Odoo failure, dry run, lines changed…)."""
    return PurchaseOrderEvent.objects.create(order_id=order_id, actor=actor, kind=kind, before=state, after=state,
                                             detail=detail or {})


def actor_for(user) -> str:
    return f"user:{user.get_username()}" if user is not None else "system"
