"""Small order services the chat (purchase agent) needs on top of `orders.services`.

- Turn markers: the purchase agent records which contact messages changed an order, so a turn that is run again
  (the orchestration retries a turn whose commit failed) re-sends the quote instead of applying "agrega 3 cajas"
  twice.
- Owed quotes: an order saved while Odoo was unreachable owes the contact its quote; the follow-up task pushes it
  and sends the quote once Odoo answers.
"""

from __future__ import annotations

from conversations.models import Conversation
from orders.models import ACTIVE_STATES, OdooSyncStatus, OrderState, PurchaseOrder
from orders.services import OrderResult, Outcome, purchase_order_event
from orders.services.common import result

TURN_EVENT = "chat_turn"
QUOTE_OWED = "quote_owed"
QUOTE_SENT = "quote_sent"


def contact_id_for_conversation(*, conversation_id: int) -> int:
    return Conversation.objects.values_list("contact_id", flat=True).get(pk=conversation_id)


def purchase_order_for_turn(*, contact_id: int, message_ids: list[int]) -> PurchaseOrder | None:
    """The order these messages already changed (a re-run turn), if any."""
    return (PurchaseOrder.objects.filter(contact_id=contact_id, events__kind=TURN_EVENT,
                                         events__detail__turn=_turn_key(message_ids)).order_by("-pk").first())


def purchase_order_record_turn(*, order_id: int, message_ids: list[int], intent: str) -> None:
    purchase_order_event(order_id=order_id, actor="agent", kind=TURN_EVENT,
                         detail={"turn": _turn_key(message_ids), "intent": intent})


def purchase_order_latest_for_contact(*, contact_id: int) -> PurchaseOrder | None:
    """The active order, else the most recent one (for "¿cómo va mi pedido?")."""
    orders = PurchaseOrder.objects.filter(contact_id=contact_id)
    return orders.filter(state__in=ACTIVE_STATES).first() or orders.order_by("-created_at", "-pk").first()


def purchase_order_result(*, order_id: int, outcome: str = Outcome.UNCHANGED) -> OrderResult:
    return result(PurchaseOrder.objects.get(pk=order_id), outcome)


def purchase_order_owe_quote(*, order_id: int) -> None:
    purchase_order_event(order_id=order_id, actor="agent", kind=QUOTE_OWED)


def purchase_order_quote_sent(*, order_id: int) -> None:
    purchase_order_event(order_id=order_id, actor="agent", kind=QUOTE_SENT)


def purchase_orders_owing_quote() -> list[int]:
    """Drafts whose quote the contact has not had yet: the latest owed marker is newer than the latest sent one."""
    ids = []
    for order in PurchaseOrder.objects.filter(state=OrderState.DRAFT, events__kind=QUOTE_OWED).distinct():
        kinds = list(order.events.filter(kind__in=[QUOTE_OWED, QUOTE_SENT]).order_by("-created_at", "-pk")
                     .values_list("kind", flat=True)[:1])
        if kinds == [QUOTE_OWED] and order.odoo_sync_status in (OdooSyncStatus.PENDING, OdooSyncStatus.SYNCED):
            ids.append(order.pk)
    return ids


def _turn_key(message_ids: list[int]) -> str:
    # A string, not a JSON list: key lookups on strings compare the same way on PostgreSQL and SQLite.
    return ",".join(str(i) for i in message_ids)
