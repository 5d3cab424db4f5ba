"""Purchase lane: quotes, changes, confirmation, cancellation, order status and catalog questions, in chat.

`PurchaseAgent.handle` answers an open button question first (the tapped title comes back as plain text), then
dispatches on the intent (STYLE habit 12). The order itself lives in `orders` (services that talk to Odoo); the
session keeps `slots.order` ({id, name, state}, what the router needs to read "sí") and `slots.pending_question`.
"""

from __future__ import annotations

from collections.abc import Callable

from agents.lanes.base import AgentResult, AgentTurn
from agents.lanes.purchase import changes, decisions
from agents.lanes.purchase.changes import Context
from agents.session import SessionState
from orders import chat

INTENT_HANDLERS: dict[str, Callable[[Context], AgentResult]] = {
    "order_create": changes.order_create,
    "order_modify": changes.order_modify,
    "order_confirm": decisions.order_confirm,
    "order_cancel": decisions.order_cancel,
    "order_status": decisions.order_status,
    "catalog_query": decisions.catalog_query,
}
CHANGING = ("order_create", "order_modify")
DECIDING = ("order_confirm", "order_cancel")


class PurchaseAgent:
    name = "purchase"

    def handle(self, turn: AgentTurn, session: SessionState) -> AgentResult:
        ctx = Context(turn, session, chat.contact_id_for_conversation(conversation_id=turn.conversation_id))
        pending = session.document["slots"].get("pending_question") or {}
        if pending.get("kind") == "purchase_choice" or turn.decision.intent in CHANGING:
            again = changes.replayed(ctx)
            if again is not None:
                return again
        if turn.decision.intent in DECIDING:
            again = decisions.replayed(ctx)
            if again is not None:
                return again
        if pending.get("kind") == "purchase_choice":
            answered = changes.answer_choice(ctx, pending)
            if answered is not None:
                return answered
        handler = INTENT_HANDLERS.get(turn.decision.intent, changes.order_create)
        return handler(ctx)
