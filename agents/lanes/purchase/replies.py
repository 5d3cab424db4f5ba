"""Turning an order service result into what the contact reads, and the session slots that go with it."""

from __future__ import annotations

from django.db import transaction

from agents.lanes.base import AgentResult, Handoff, Reply
from agents.lanes.purchase import texts
from conversations.models import HandoffReason
from orders import chat
from orders.models import OdooSyncStatus, OrderState, PurchaseOrder
from orders.services import OrderResult, Outcome, purchase_order_mark_sent
from orders.services.common import admin_path

SYNC_OUTCOME = {OdooSyncStatus.SYNCED: Outcome.UNCHANGED, OdooSyncStatus.PENDING: Outcome.PENDING_ODOO,
                OdooSyncStatus.DRY_RUN: Outcome.DRY_RUN, OdooSyncStatus.FAILED: Outcome.ODOO_REFUSED}


def order_slot(order_id: int | None) -> dict | None:
    order = PurchaseOrder.objects.filter(pk=order_id).first() if order_id else None
    if order is None or order.state in (OrderState.CANCELLED, OrderState.RECEIVED):
        return None
    return {"id": order.pk, "name": order.odoo_name, "state": order.state}


def result_patch(order_id: int | None, pending: dict | None = None) -> dict:
    return {"slots": {"order": order_slot(order_id), "pending_question": pending}}


def notes_only(notes: list[str], order_id: int | None, fallback: str) -> AgentResult:
    return AgentResult(replies=[Reply(n) for n in notes] or [Reply(fallback)], patch=result_patch(order_id))


def current_result(order_id: int) -> OrderResult:
    """The order as it stands, with the outcome its sync status implies (for a turn that is run again)."""
    order = PurchaseOrder.objects.get(pk=order_id)
    return chat.purchase_order_result(order_id=order_id, outcome=SYNC_OUTCOME.get(order.odoo_sync_status,
                                                                                  Outcome.UNCHANGED))


def quote_reply(outcome: OrderResult, *, created: bool, notes: list[str]) -> AgentResult:
    """The quote with Confirmar / Modificar / Cancelar, or what happened instead (Odoo down, refused)."""
    head = [Reply(n) for n in notes]
    if outcome.outcome == Outcome.PENDING_ODOO:
        chat.purchase_order_owe_quote(order_id=outcome.order_id)
        body = texts.text("pending_odoo", lines=texts.quote_lines(outcome))
        return AgentResult(replies=head + [Reply(body)], patch=result_patch(outcome.order_id))
    if outcome.outcome == Outcome.ODOO_REFUSED or (not outcome.odoo_name and outcome.outcome != Outcome.DRY_RUN):
        # We told the contact an executive will answer: hand the conversation over (console, Slack, private note).
        order = PurchaseOrder.objects.get(pk=outcome.order_id)
        summary = (f"🧾 Odoo no aceptó el pedido {order.display_name}: {outcome.error[:300]}\n"
                   f"Revisar en {admin_path(order.pk)}")
        return AgentResult(replies=head + [Reply(texts.text("refused"))], patch=result_patch(outcome.order_id),
                           handoff=Handoff(HandoffReason.ORDER_ATTENTION, summary))
    dry_run = outcome.outcome == Outcome.DRY_RUN
    if outcome.state == OrderState.DRAFT:
        outcome = purchase_order_mark_sent(order_id=outcome.order_id)
    body = texts.quote(outcome, created=created, dry_run=dry_run)
    return AgentResult(replies=head + [Reply(body, list(texts.QUOTE_OPTIONS))], patch=result_patch(outcome.order_id))


def send_quote_later(*, order_id: int) -> bool:
    """The owed quote of an order saved while Odoo was down, now that Odoo has it: sent once, session updated."""
    from agents.session import session_patch
    from conversations.outbound import reply_queue
    from conversations.handoff import conversation_human_has_it

    order = PurchaseOrder.objects.get(pk=order_id)
    if order.odoo_sync_status != OdooSyncStatus.SYNCED or order.state != OrderState.DRAFT:
        return False
    with transaction.atomic():
        outcome = purchase_order_mark_sent(order_id=order_id, actor="system")
        chat.purchase_order_quote_sent(order_id=order_id)
        # Staff may have the conversation by now: they get the quote in the admin, the contact hears it from them.
        if order.conversation_id and not conversation_human_has_it(conversation_id=order.conversation_id):
            reply_queue(conversation_id=order.conversation_id, content=texts.quote(outcome, created=True),
                        options=list(texts.QUOTE_OPTIONS))
            session_patch(conversation_id=order.conversation_id, patch=result_patch(order_id))
    return True
