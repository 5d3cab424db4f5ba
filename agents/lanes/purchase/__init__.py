"""Purchase lane: quotes, changes, confirmation, cancellation, order status and catalog questions, in chat.

`PurchaseAgent.handle` answers an open button question first (the tapped title comes back as plain text), then
dispatches on the intent. It decides; the turn's commit applies what it decided to the order (`orders`), and the
order's notices (`notices.py`) tell the contact what Odoo made of it. The session keeps `slots.order` ({id, name,
state}) for the record and `slots.pending_question` for buttons: a close call between products, or (sale mode) a
line above the stock available now (`stock.py`).
"""

from __future__ import annotations

from collections.abc import Callable

from agents.lanes.base import AgentResult, AgentTurn
from agents.lanes.purchase import changes, decisions, stock
from agents.lanes.purchase.changes import Context
from agents.session import SessionState

INTENT_HANDLERS: dict[str, Callable[[Context], AgentResult]] = {
    "order_create": changes.order_create,
    "order_modify": changes.order_modify,
    "order_confirm": decisions.order_confirm,
    "order_cancel": decisions.order_cancel,
    "order_status": decisions.order_status,
    "catalog_query": decisions.catalog_query,
}


# Questions the lane asked with buttons, and who reads the answer (None: the text was not one of the options).
PENDING_ANSWERS: dict[str, Callable[[Context, dict], AgentResult | None]] = {
    "purchase_choice": changes.answer_choice,
    "purchase_stock": stock.answer_stock,
}


class PurchaseAgent:
    name = "purchase"

    def handle(self, turn: AgentTurn, session: SessionState) -> AgentResult:
        ctx = Context(turn, session, turn.contact_id, turn.order)
        pending = session.document["slots"].get("pending_question") or {}
        answer = PENDING_ANSWERS.get(pending.get("kind"))
        if answer is not None:
            answered = answer(ctx, pending)
            if answered is not None:
                return answered
        handler = INTENT_HANDLERS.get(turn.decision.intent, changes.order_create)
        return handler(ctx)
