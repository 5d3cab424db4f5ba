"""What the purchase lane answers at once, and the session slots that go with it. Answers that depend on what
Odoo says (the quote with Odoo's name and totals, a confirmation) come later, from the order's notices."""

from __future__ import annotations

from agents.lanes.base import AgentResult, Reply
from orders.models import ACTIVE_STATES, PurchaseOrder


def order_slot(order: PurchaseOrder | None) -> dict | None:
    if order is None or order.state not in ACTIVE_STATES:
        return None
    return {"id": order.pk, "name": order.odoo_name, "state": order.state}


def result_patch(order: PurchaseOrder | None, pending: dict | None = None) -> dict:
    return {"slots": {"order": order_slot(order), "pending_question": pending}}


def notes_only(notes: list[str], order: PurchaseOrder | None, fallback: str) -> AgentResult:
    return AgentResult(replies=[Reply(n) for n in notes] or [Reply(fallback)], patch=result_patch(order))
