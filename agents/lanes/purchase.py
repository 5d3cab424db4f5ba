"""Purchase lane, interim: until the purchase agent lands (its own issue) every purchase intent is acknowledged
honestly and handed to staff with what was understood. No quotes, prices or order confirmations are invented.
The purchase agent replaces this module and keeps the `PurchaseAgent` name in `LANE_AGENTS`."""

from __future__ import annotations

from django.utils import timezone

from agents.lanes.base import AgentResult, AgentTurn, Handoff, Reply, say
from agents.lanes.handoff import case_summary
from agents.session import SessionState

ACKNOWLEDGEMENTS = {
    "order_status": {"es": "Recibimos tu consulta por el estado de tu pedido; un ejecutivo la revisará y te responderá "
                           "por este chat.",
                     "en": "We received your question about your order; a sales representative will check it and "
                           "reply in this chat."},
    "catalog_query": {"es": "Recibimos tu consulta sobre nuestros productos; un ejecutivo te responderá por este "
                            "chat con la información.",
                      "en": "We received your product question; a sales representative will reply in this chat."},
}
DEFAULT_ACK = {"es": "Recibimos tu solicitud de pedido; un ejecutivo la revisará y te responderá por este chat.",
               "en": "We received your order request; a sales representative will review it and reply in this chat."}


def _items_line(turn: AgentTurn) -> str:
    items = [f"{i.quantity:g} {i.uom or ''} {i.product_code or i.text or '?'}".replace("  ", " ")
             for i in turn.decision.items]
    return f"Ítems entendidos: {', '.join(items)}." if items else ""


class PurchaseAgent:
    name = "purchase"

    def handle(self, turn: AgentTurn, session: SessionState) -> AgentResult:
        text = say(turn.language, ACKNOWLEDGEMENTS.get(turn.decision.intent, DEFAULT_ACK))
        summary = case_summary(reason="purchase_request", turn=turn, session=session, extra=_items_line(turn))
        return AgentResult(
            replies=[Reply(text)],
            patch={"handoff": {"active": True, "reason": "purchase_request", "at": timezone.now().isoformat()}},
            handoff=Handoff("purchase_request", summary),
        )
