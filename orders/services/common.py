"""Helpers shared by the order services: results, Odoo state mapping, money format."""

from __future__ import annotations

from decimal import Decimal

from django.utils import timezone

from core.formats import money
from integrations.odoo.gateway import OdooOrder
from orders.models import OdooSyncStatus, OrderState, PurchaseOrder
from orders.services.results import LineSummary, OrderResult


def result(order: PurchaseOrder, outcome: str, *, error: str = "", fresh: bool = False) -> OrderResult:
    """What the order is now. `fresh=True`: the caller just read it (under its lock); no second read."""
    if not fresh:
        order.refresh_from_db()
    lines = tuple(
        LineSummary(product_code=l.product.default_code, product_name=l.product.name, quantity=l.quantity,
                    uom=l.uom, unit_price=l.unit_price, subtotal=l.subtotal, qty_available=l.product.qty_available,
                    available=l.product.available, discount=l.discount, done_quantity=l.done_quantity,
                    wait_for_stock=l.wait_for_stock)
        for l in order.lines.select_related("product"))
    return OrderResult(outcome=outcome, order_id=order.pk, state=order.state, odoo_name=order.odoo_name,
                       odoo_state=order.odoo_state, amount_untaxed=order.amount_untaxed,
                       amount_total=order.amount_total, currency=order.currency, lines=lines, error=error,
                       expected_at=order.expected_at, lines_version=order.lines_version)


# Odoo's states of both models (purchase.order, sale.order: the names do not overlap) in ours.
CONFIRMED_IN_ODOO = ("purchase", "done", "sale")
LOCAL_STATE = {"draft": OrderState.DRAFT, "sent": OrderState.DRAFT, "to approve": OrderState.TO_APPROVE,
               "cancel": OrderState.CANCELLED}


def local_state_for(odoo: OdooOrder) -> str:
    """CONTRACT §5. Purchase: draft, sent, to approve, purchase (done/locked), receipt done, cancel. Sale: draft,
    sent, sale, delivery done, cancel. 'sent' is a draft to us: our own `sent` says the contact has the quote."""
    if odoo.state in CONFIRMED_IN_ODOO:
        return OrderState.RECEIVED if odoo.fulfilment_status == "full" else OrderState.CONFIRMED
    return LOCAL_STATE.get(odoo.state, "")


def store_odoo_snapshot(order_id: int, odoo: OdooOrder, *, synced: bool = True) -> None:
    """Record what Odoo says (name, state, totals, expected date). Not a state transition: `state` stays with the
    one door."""
    updates = dict(odoo_id=odoo.id, odoo_name=odoo.name, odoo_state=odoo.state, odoo_error="",
                   amount_untaxed=odoo.amount_untaxed, amount_total=odoo.amount_total, updated_at=timezone.now())
    if odoo.expected_date is not None:
        updates["expected_at"] = odoo.expected_date
    if odoo.currency:
        updates["currency"] = odoo.currency
    if synced:
        updates.update(odoo_sync_status=OdooSyncStatus.SYNCED, odoo_synced_at=timezone.now())
    PurchaseOrder.objects.filter(pk=order_id).update(**updates)


def clp(amount: Decimal | float | int) -> str:
    """Chilean format: $1.234.567 (no decimals for CLP); the one money format lives in `core.formats`."""
    return money(amount, "CLP")


def admin_path(order_id: int) -> str:
    return f"/admin/orders/purchaseorder/{order_id}/change/"
