"""Telling the contact what happened to their order: the one path from order events to replies.

The orders app never speaks to the contact; it marks the events the contact should hear about (`notice`
pending): a quote Odoo now has, Odoo being slow or refusing, a confirmation (with the date Odoo expects the
goods), staff approving or rejecting (in our admin or in Odoo), a cancellation, part of the goods received or
delivered, all of them. Each is told once: the event is claimed by compare-and-set in the same transaction that
queues the reply, and a notice overtaken by a newer change of the lines (a quote of lines the contact has changed
since) is not told. While staff have the conversation the bot stays quiet: the notice is withheld (staff see the
event on the order). Past WhatsApp's 24-hour window a notice goes as the template staff set for its kind.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction

from agents.lanes.base import Handoff, Reply
from agents.lanes.purchase import texts
from agents.lanes.purchase.replies import result_patch
from agents.turns import turn_replies_add
from agents.session import session_patch
from conversations.handoff import conversation_hand_over, conversation_human_has_it
from conversations.models import HandoffReason, Message
from conversations.outbound import reply_queue
from orders.models import NoticeState, OrderState, PurchaseOrder, PurchaseOrderEvent
from orders.services import purchase_order_quoted
from orders.services.common import admin_path, clp, result

log = logging.getLogger(__name__)


@dataclass
class Notice:
    replies: list[Reply]
    handoff: Handoff | None = None
    pending_question: dict | None = None  # buttons the notice asks about (the lane reads the answer)
    fields: dict = field(default_factory=dict)  # what a WhatsApp template may say of it, past the 24-hour window


def order_notices_deliver(*, order_id: int, send_now: bool = False) -> list[Message]:
    """Tell the contact every pending notice of the order, oldest first; returns the replies queued. Safe to run
    twice or concurrently. `send_now`: the caller posts the replies itself after this returns (the turn's task);
    otherwise each goes through its send task."""
    queued: list[Message] = []
    for event in list(PurchaseOrderEvent.objects.filter(order_id=order_id, notice=NoticeState.PENDING).order_by("id")):
        queued += notice_deliver(event=event, send_now=send_now)
    return queued


def notice_deliver(*, event: PurchaseOrderEvent, send_now: bool = False) -> list[Message]:
    with transaction.atomic(durable=True):
        if not _claim(event):
            return []
        # The contact comes along (a notice's fields name them); only the order's row is locked.
        order = PurchaseOrder.objects.select_for_update(of=("self",)).select_related("contact").get(pk=event.order_id)
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
        notice = compose(event, order)
        notice.fields = {**_fields(event, order), "text": notice.replies[0].content if notice.replies else "",
                         **notice.fields}
        return _tell(order, notice, kind=_kind(event), turn_id=(event.detail or {}).get("turn"), send_now=send_now)


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


def _tell(order: PurchaseOrder, notice: Notice, *, kind: str, turn_id: int | None, send_now: bool) -> list[Message]:
    """Queue the notice's replies. The first carries the notice (kind and fields): past WhatsApp's 24-hour window
    it is sent as the template staff configured for that kind; the others need an open window."""
    conversation_id = order.conversation_id
    messages = [reply_queue(conversation_id=conversation_id, content=r.content, options=r.options or None,
                            send_now=send_now, notice_kind=kind if n == 0 else "",
                            notice_fields=notice.fields if n == 0 else None)
                for n, r in enumerate(notice.replies)]
    if turn_id:
        turn_replies_add(turn_id=turn_id, messages=messages)
    patch = result_patch(order, notice.pending_question)
    patch["$append"] = {"dialogue": [{"role": "assistant", "text": r.content[:2000]} for r in notice.replies]}
    session_patch(conversation_id=conversation_id, patch=patch)
    if notice.handoff is not None:
        conversation_hand_over(conversation_id=conversation_id, reason=notice.handoff.reason, actor="bot",
                               summary=notice.handoff.summary)
    return messages


# --- what each notice says -------------------------------------------------------------------------------------
def _quote(event: PurchaseOrderEvent, order: PurchaseOrder) -> Notice:
    """Odoo has the lines: the quote goes out, the order is 'sent' (quoted to the contact) and Odoo is told the same
    (a mark_sent command, queued with this reply). In sale mode a line above the stock available now is asked
    about: what is available now, or the whole line later."""
    order = purchase_order_quoted(order_id=order.pk, order=order,
                                  version=event.detail.get("version", order.lines_version),
                                  turn_id=event.detail.get("turn"))
    # The first version of the lines is a new quote; any later one updates it.
    created = event.detail.get("version") == 1
    quoted = result(order, "", fresh=True)
    replies = [Reply(texts.quote(quoted, created=created, dry_run=bool(event.detail.get("dry_run"))),
                     list(texts.QUOTE_OPTIONS))]
    short = texts.short_lines(quoted)
    if not short:
        return Notice(replies)
    question, options = texts.stock_question(short[0])
    pending = {"text": question, "options": options, "kind": "purchase_stock", "intent": "order_modify",
               "order_id": order.pk, "version": order.lines_version, "code": short[0].product_code}
    return Notice(replies + [Reply(question, options)], pending_question=pending)


def _delayed(event: PurchaseOrderEvent, order: PurchaseOrder) -> Notice:
    command = event.detail.get("command")
    if command == "push":
        return Notice([Reply(texts.text("pending_odoo", lines=texts.quote_lines(result(order, "", fresh=True))))])
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


def _partly_done(event: PurchaseOrderEvent, order: PurchaseOrder) -> Notice:
    """Part of the goods arrived (purchase) or left for the contact (sale); what is told is in the event."""
    return Notice([Reply(texts.text("partially_done", name=order.display_name,
                                    parts=texts.done_parts(event.detail.get("lines") or [])))])


def _simple(key: str) -> Callable[[PurchaseOrderEvent, PurchaseOrder], Notice]:
    def notice(event: PurchaseOrderEvent, order: PurchaseOrder) -> Notice:
        reason = (event.detail or {}).get("reason") or "sin detalle"
        return Notice([Reply(texts.text(key, name=order.display_name, total=clp(order.amount_total),
                                        reason=reason, arrival=texts.arrival(order.expected_at)))])
    return notice


def _fields(event: PurchaseOrderEvent, order: PurchaseOrder) -> dict:
    """What a WhatsApp template may say of a notice: its parameters are picked from these by name."""
    kind = _kind(event)
    return {"contact_name": order.contact.name or "", "order_name": order.display_name,
            "total": clp(order.amount_total), "status": texts.notice_status(kind),
            "expected_date": texts.day(order.expected_at) if order.expected_at else "",
            "reason": (event.detail or {}).get("reason") or "", "business_name": settings.BUSINESS_NAME}


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
    "partly_done": _partly_done,
    "received": _simple("received"),
}
