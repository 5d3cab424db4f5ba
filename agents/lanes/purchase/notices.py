"""Telling the contact what happened to their order: the one path from order events to replies.

The orders app never speaks to the contact; it marks the events the contact should hear about (`notice`
pending): a quote Odoo now has, Odoo being slow or refusing, a confirmation, staff approving or rejecting (in our
admin or in Odoo), a cancellation, the goods received. Each is told once: the event is claimed by compare-and-set
in the same transaction that queues the reply, and a notice overtaken by a newer change of the lines (a quote of
lines the contact has changed since) is not told. While staff have the conversation the bot stays quiet: the
notice is withheld (staff see the event on the order).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Q

from agents.lanes.base import Handoff, Reply
from agents.lanes.purchase import texts
from agents.lanes.purchase.replies import result_patch
from agents.turns import turn_replies_add
from agents.session import session_patch
from conversations.handoff import conversation_hand_over, conversation_human_has_it
from conversations.models import HandoffReason, Message
from conversations.outbound import reply_queue
from orders.models import NoticeState, OrderState, PurchaseOrder, PurchaseOrderEvent
from orders.services import purchase_order_transition
from orders.services.common import admin_path, clp, result

log = logging.getLogger(__name__)


@dataclass
class Notice:
    replies: list[Reply]
    handoff: Handoff | None = None
    patch: dict = field(default_factory=dict)


def order_notices_deliver(*, order_id: int, send_now: bool = False) -> list[Message]:
    """Tell the contact every pending notice of the order, oldest first; returns the replies queued. Safe to run
    twice or concurrently. `send_now`: the caller posts the replies itself after this returns (the turn's task);
    otherwise each goes through its send task."""
    queued: list[Message] = []
    ids = PurchaseOrderEvent.objects.filter(order_id=order_id, notice=NoticeState.PENDING).order_by("id")
    for event_id in list(ids.values_list("pk", flat=True)):
        queued += notice_deliver(event_id=event_id, send_now=send_now)
    return queued


def notice_deliver(*, event_id: int, send_now: bool = False) -> list[Message]:
    with transaction.atomic(durable=True):
        event = PurchaseOrderEvent.objects.select_related("order").filter(pk=event_id).first()
        if event is None or not _claim(event):
            return []
        order = PurchaseOrder.objects.select_for_update().get(pk=event.order_id)
        if _stale(event, order):
            _mark(event, NoticeState.STALE)
            return []
        if conversation_human_has_it(conversation_id=order.conversation_id):
            _mark(event, NoticeState.WITHHELD)  # staff speak for the business now; they see it on the order
            return []
        compose = NOTICES.get(_kind(event))
        if compose is None:  # an event kind this release does not tell: kept on the order for staff
            log.warning("no notice text for order event %s (%s)", event.pk, _kind(event))
            _mark(event, NoticeState.STALE)
            return []
        return _tell(order, compose(event, order), turn_id=(event.detail or {}).get("turn"), send_now=send_now)


def _claim(event: PurchaseOrderEvent) -> bool:
    return PurchaseOrderEvent.objects.filter(pk=event.pk, notice=NoticeState.PENDING).update(
        notice=NoticeState.TOLD) == 1


def _mark(event: PurchaseOrderEvent, state: str) -> None:
    PurchaseOrderEvent.objects.filter(pk=event.pk).update(notice=state)


def _kind(event: PurchaseOrderEvent) -> str:
    return (event.detail or {}).get("notice") or event.kind


def _stale(event: PurchaseOrderEvent, order: PurchaseOrder) -> bool:
    """A quote of lines that have changed since, or that went past draft, is not the quote to tell."""
    if _kind(event) != "quote_ready":
        return False
    return event.detail.get("version") != order.lines_version or order.state != OrderState.DRAFT


def _tell(order: PurchaseOrder, notice: Notice, *, turn_id: int | None, send_now: bool) -> list[Message]:
    conversation_id = order.conversation_id
    messages = [reply_queue(conversation_id=conversation_id, content=r.content, options=r.options or None,
                            send_now=send_now) for r in notice.replies]
    if turn_id:
        turn_replies_add(turn_id=turn_id, messages=messages)
    order.refresh_from_db()
    patch = {**result_patch(order), **notice.patch}
    patch["$append"] = {"dialogue": [{"role": "assistant", "text": r.content[:2000]} for r in notice.replies]}
    session_patch(conversation_id=conversation_id, patch=patch)
    if notice.handoff is not None:
        conversation_hand_over(conversation_id=conversation_id, reason=notice.handoff.reason, actor="bot",
                               summary=notice.handoff.summary)
    return messages


# --- what each notice says -------------------------------------------------------------------------------------
def _quote(event: PurchaseOrderEvent, order: PurchaseOrder) -> Notice:
    """Odoo has the lines: the quote goes out and the order is 'sent' (quoted to the contact)."""
    order = purchase_order_transition(order_id=order.pk, to_state=OrderState.SENT, actor="agent",
                                      reason="quote sent")
    created = not order.events.filter(kind="quote_ready", notice=NoticeState.TOLD).filter(~Q(pk=event.pk)).exists()
    body = texts.quote(result(order, ""), created=created, dry_run=bool(event.detail.get("dry_run")))
    return Notice([Reply(body, list(texts.QUOTE_OPTIONS))])


def _delayed(event: PurchaseOrderEvent, order: PurchaseOrder) -> Notice:
    command = event.detail.get("command")
    if command == "push":
        return Notice([Reply(texts.text("pending_odoo", lines=texts.quote_lines(result(order, ""))))])
    key = "cancel_pending_odoo" if command == "cancel" else "confirm_pending_odoo"
    return Notice([Reply(texts.text(key, name=order.display_name))])


def _refused(event: PurchaseOrderEvent, order: PurchaseOrder) -> Notice:
    """We tell the contact an executive will answer, so the conversation is handed to staff."""
    command = event.detail.get("command")
    key = {"push": "refused", "confirm": "confirm_refused", "cancel": "cancel_failed"}.get(command, "refused")
    error = event.detail.get("error") or event.detail.get("odoo_state") or ""
    summary = (f"🧾 Odoo no aceptó ({command}) el pedido {order.display_name}: {error[:300]}\n"
               f"Revisar en {admin_path(order.pk)}")
    return Notice([Reply(texts.text(key, name=order.display_name))], Handoff(HandoffReason.ORDER_ATTENTION, summary))


def _simple(key: str) -> Callable[[PurchaseOrderEvent, PurchaseOrder], Notice]:
    def notice(event: PurchaseOrderEvent, order: PurchaseOrder) -> Notice:
        reason = (event.detail or {}).get("reason") or "sin detalle"
        return Notice([Reply(texts.text(key, name=order.display_name, total=clp(order.amount_total),
                                        reason=reason))])
    return notice


NOTICES: dict[str, Callable[[PurchaseOrderEvent, PurchaseOrder], Notice]] = {
    "quote_ready": _quote,
    "odoo_delayed": _delayed,
    "odoo_refused": _refused,
    "confirmed": _simple("confirmed"),
    "approval_requested": _simple("under_review"),
    "confirm_dry_run": _simple("confirm_dry_run"),
    "approved": _simple("approved"),
    "rejected": _simple("rejected"),
    "cancelled": _simple("cancelled"),
    "cancelled_in_odoo": _simple("cancelled_in_odoo"),
    "received": _simple("received"),
}
