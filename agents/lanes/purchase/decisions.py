"""Confirming, cancelling, order status and catalog questions."""

from __future__ import annotations

from agents.lanes.base import AgentResult, Reply
from agents.lanes.purchase import texts
from agents.lanes.purchase.changes import Context
from agents.lanes.purchase.replies import notes_only, result_patch
from agents.routing.catalog import Catalog
from core.errors import InvalidTransition
from orders import chat
from orders.models import OrderState, Product, PurchaseOrder
from orders.services import (
    Outcome, notify, purchase_order_cancel, purchase_order_confirm, purchase_order_refresh_from_odoo,
)
from orders.services.common import clp

CONFIRM_TEXTS = {
    Outcome.CONFIRMED: "confirmed",
    Outcome.AWAITING_APPROVAL: "under_review",
    Outcome.PENDING_ODOO: "confirm_pending_odoo",
    Outcome.DRY_RUN: "confirm_dry_run",
}
STATUS_TEXTS = {
    OrderState.DRAFT: "status_draft", OrderState.SENT: "status_draft", OrderState.TO_APPROVE: "status_to_approve",
    OrderState.CONFIRMED: "status_confirmed", OrderState.RECEIVED: "status_received",
    OrderState.CANCELLED: "status_cancelled",
}
CATALOG_MIN_SCORE = 0.4


REPLAY_TEXTS = {OrderState.CONFIRMED: "confirmed", OrderState.TO_APPROVE: "under_review",
                OrderState.CANCELLED: "cancelled"}


def replayed(ctx: Context) -> AgentResult | None:
    """These messages already confirmed or cancelled an order (the turn is being run again): say the outcome again
    instead of "nothing to confirm"."""
    order = chat.purchase_order_for_turn(contact_id=ctx.contact_id, message_ids=ctx.turn.message_ids)
    if order is None or order.state not in REPLAY_TEXTS:
        return None
    answer = texts.text(REPLAY_TEXTS[order.state], name=order.display_name, total=clp(order.amount_total))
    return notes_only([answer], order.pk, "")


def order_confirm(ctx: Context) -> AgentResult:
    order = ctx.active_order()
    if order is None:
        return notes_only([], None, texts.text("nothing_to_confirm"))
    if order.state == OrderState.TO_APPROVE:
        return notes_only([], order.pk, texts.text("already_in_review", name=order.display_name))
    try:
        outcome = purchase_order_confirm(order_id=order.pk, actor="agent")
    except InvalidTransition:
        return notes_only([], order.pk, texts.text("nothing_to_confirm"))
    chat.purchase_order_record_turn(order_id=order.pk, message_ids=ctx.turn.message_ids, intent="order_confirm")
    key = CONFIRM_TEXTS.get(outcome.outcome)
    if key is None:  # Odoo refused: staff look at it, the contact is told so
        notify.staff_notice(order, f"Odoo no confirmó el pedido {order.display_name}: {outcome.error[:300]}",
                            kind="order_failed")
        key = "confirm_refused"
    name = outcome.odoo_name or order.display_name
    return notes_only([texts.text(key, name=name, total=clp(outcome.amount_total))], order.pk, "")


def order_cancel(ctx: Context) -> AgentResult:
    order = ctx.active_order()
    if order is None:
        return notes_only([], None, texts.text("nothing_to_cancel"))
    try:
        outcome = purchase_order_cancel(order_id=order.pk, actor="agent", reason="el cliente lo canceló por chat")
    except InvalidTransition:
        return notes_only([], None, texts.text("nothing_to_cancel"))
    chat.purchase_order_record_turn(order_id=order.pk, message_ids=ctx.turn.message_ids, intent="order_cancel")
    if outcome.outcome != Outcome.CANCELLED:
        notify.staff_notice(order, f"El cliente pidió cancelar {order.display_name} y Odoo no respondió: "
                                   f"{outcome.error[:300]}", kind="order_failed")
        return notes_only([], order.pk, texts.text("cancel_failed", name=order.display_name))
    return notes_only([], None, texts.text("cancelled", name=outcome.odoo_name or order.display_name))


def order_status(ctx: Context) -> AgentResult:
    order = chat.purchase_order_latest_for_contact(contact_id=ctx.contact_id)
    if order is None:
        return notes_only([], None, texts.text("status_none"))
    stale = ""
    if order.odoo_id and order.state not in (OrderState.CANCELLED, OrderState.RECEIVED):
        refreshed = purchase_order_refresh_from_odoo(order_id=order.pk)
        if refreshed.outcome == Outcome.RECEIVED:
            # The refresh just told the contact the goods arrived (the receipt notice); one message is enough.
            return AgentResult(replies=[], patch=result_patch(None))
        stale = texts.text("status_stale") if refreshed.outcome == Outcome.ODOO_UNREACHABLE else ""
    order = PurchaseOrder.objects.get(pk=order.pk)
    answer = texts.text(STATUS_TEXTS[order.state], name=order.display_name, total=clp(order.amount_total))
    return notes_only([answer + stale], order.pk, "")


def catalog_query(ctx: Context) -> AgentResult:
    """Price, unit and availability from the local catalog."""
    codes = [i.product_code for i in ctx.turn.decision.items if i.product_code]
    codes += [c.product_code for i in ctx.turn.decision.items for c in i.candidates if c.score >= CATALOG_MIN_SCORE]
    if not codes:
        match = Catalog.from_db().matcher.match(ctx.turn.text)
        codes = [match.product_code] if match.product_code else [
            c.product_code for c in match.candidates if c.score >= CATALOG_MIN_SCORE]
    products = {p.default_code: p for p in Product.objects.filter(default_code__in=codes, active=True)}
    found = [products[c] for c in dict.fromkeys(codes) if c in products][:3]
    order = ctx.active_order()
    if not found:
        key = "catalog_ask" if not ctx.turn.text.strip() else "catalog_none"
        return notes_only([], order.pk if order else None, texts.text(key))
    lines = [texts.text("catalog_line", name=p.name, price=clp(p.price), uom=p.uom, availability=_availability(p))
             for p in found]
    body = "\n".join([texts.text("catalog_intro"), *lines, texts.text("catalog_order_hint",
                                                                        name=found[0].name.lower())])
    return AgentResult(replies=[Reply(body)], patch=result_patch(order.pk if order else None))


def _availability(product: Product) -> str:
    if not product.purchase_ok:
        return " (no disponible por este canal)"
    return " (disponible)" if product.qty_available > 0 else " (sin stock ahora; lo pedimos al proveedor)"
