"""Reads of orders that other floors need (the purchase agent, the console)."""

from __future__ import annotations

from orders.models import ACTIVE_STATES, PurchaseOrder


def purchase_order_active_for_contact(*, contact_id: int) -> PurchaseOrder | None:
    """The contact's one active order (draft, sent, to approve), with its lines and their products."""
    return (PurchaseOrder.objects.filter(contact_id=contact_id, state__in=ACTIVE_STATES)
            .prefetch_related("lines__product").first())


def purchase_order_latest_for_contact(*, contact_id: int) -> PurchaseOrder | None:
    """The active order, else the most recent one (for "¿cómo va mi pedido?")."""
    orders = PurchaseOrder.objects.filter(contact_id=contact_id)
    return orders.filter(state__in=ACTIVE_STATES).first() or orders.order_by("-created_at", "-pk").first()
