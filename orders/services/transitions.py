"""The one door for purchase order states: allowed moves, compare-and-set, audit row. And the one writer of
order events, including those the contact should hear about (`notice=True`): the agents turn those into replies
(`NOTICE_TASK`, enqueued by name after commit: the agents app stands above this one)."""

from __future__ import annotations

import contextlib
from contextvars import ContextVar

from django.db import IntegrityError, transaction
from django.utils import timezone

from core.errors import InvalidTransition, NotFound
from core.metrics import purchase_orders_total
from core.queue import enqueue_on_commit
from orders.models import NoticeState, OrderState, PurchaseOrder, PurchaseOrderEvent

NOTICE_TASK = "agents.tasks.deliver_order_notices"
_caller_tells = ContextVar("orders_caller_tells_notices", default=False)


@contextlib.contextmanager
def notices_told_by_caller():
    """Within this block the caller tells the order's notices itself right after (the agent's turn, which runs
    its commands inline): no task is enqueued for them. If it dies first, the notice sweep tells them."""
    token = _caller_tells.set(True)
    try:
        yield
    finally:
        _caller_tells.reset(token)

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
                              detail: dict | None = None, updates: dict | None = None,
                              notice: str = "") -> PurchaseOrder:
    """Move the order to `to_state` if the table allows it and nobody moved it first; write the audit row in the
    same transaction. `updates` are extra columns set in the same UPDATE (approved_by, decided_at…). `notice`: the
    kind of contact notice this transition owes (e.g. "approved"), or "" for none."""
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
        details = {"reason": reason, **(detail or {}), **({"notice": notice} if notice else {})}
        PurchaseOrderEvent.objects.create(order_id=order_id, actor=actor, kind="transition", before=before,
                                          after=to_state, detail=details, notice=_notice_state(order, notice))
        _nudge_notices(order, notice)
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
                         state: str = "", notice: bool = False) -> PurchaseOrderEvent:
    """An audit row for an action that is not a transition (push, Odoo failure, dry run, lines changed…).
    `notice=True`: the contact should hear about it (the event's kind says what)."""
    order = PurchaseOrder.objects.only("conversation_id").get(pk=order_id)
    kind_of_notice = kind if notice else ""
    event = PurchaseOrderEvent.objects.create(order_id=order_id, actor=actor, kind=kind, before=state, after=state,
                                              detail=detail or {}, notice=_notice_state(order, kind_of_notice))
    _nudge_notices(order, kind_of_notice)
    return event


def _notice_state(order: PurchaseOrder, notice: str) -> str:
    return NoticeState.PENDING if notice and order.conversation_id else NoticeState.NONE


def _nudge_notices(order: PurchaseOrder, notice: str) -> None:
    if notice and order.conversation_id and not _caller_tells.get():
        enqueue_on_commit(NOTICE_TASK, order.pk)


def actor_for(user) -> str:
    return f"user:{user.get_username()}" if user is not None else "system"
