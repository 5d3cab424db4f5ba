"""Confirming, cancelling, order status and catalog questions.

Pure like the rest of the lane: a confirmation or a cancellation is an `OrderChange` for the turn's commit. What
is known now is said now (staff must approve; a cancellation Odoo never needs); what Odoo decides (confirmed,
cancelled there) is told by the order's notices once its command has run."""

from __future__ import annotations

from agents.lanes.base import AgentResult, Reply
from agents.lanes.purchase import texts
from agents.lanes.purchase.changes import EDITABLE, Context
from agents.lanes.purchase.replies import notes_only, result_patch
from agents.routing.catalog import Catalog
from orders.models import OrderState, Product
from orders.modes import is_orderable
from orders.selectors import purchase_order_latest_for_contact
from orders.services import OrderChange, cancellation_is_local, confirmation_needs_approval
from orders.services.common import clp

STATUS_TEXTS = {
    OrderState.DRAFT: "status_draft", OrderState.SENT: "status_draft", OrderState.TO_APPROVE: "status_to_approve",
    OrderState.CONFIRMED: "status_confirmed", OrderState.RECEIVED: "status_received",
    OrderState.CANCELLED: "status_cancelled",
}
CATALOG_MIN_SCORE = 0.4


def order_confirm(ctx: Context) -> AgentResult:
    order = ctx.order
    if order is None:
        return notes_only([], None, texts.text("nothing_to_confirm"))
    if order.state == OrderState.TO_APPROVE:
        return notes_only([], order, texts.text("already_in_review", name=order.display_name))
    if order.state not in EDITABLE:
        return notes_only([], order, texts.text("nothing_to_confirm"))
    change = OrderChange("confirm", order_id=order.pk, base_version=order.lines_version)
    if order.confirm_requested_at is not None:  # a second "sí" while Odoo confirms the first
        return AgentResult([Reply(texts.text("confirm_received", name=order.display_name))], result_patch(order),
                           order=change)
    if confirmation_needs_approval(order):
        said = texts.text("under_review", name=order.display_name, total=clp(order.amount_total))
        return AgentResult([Reply(said)], result_patch(order), order=change)
    return AgentResult([], result_patch(order), order=change)  # "confirmed" comes from Odoo's answer


def order_cancel(ctx: Context) -> AgentResult:
    order = ctx.order
    if order is None:
        return notes_only([], None, texts.text("nothing_to_cancel"))
    change = OrderChange("cancel", order_id=order.pk, reason="el cliente lo canceló por chat")
    if order.cancel_requested_at is not None:
        return AgentResult([Reply(texts.text("cancel_received", name=order.display_name))], result_patch(order))
    if cancellation_is_local(order):
        said = texts.text("cancelled", name=order.display_name)
        return AgentResult([Reply(said)], result_patch(None), order=change)
    return AgentResult([], result_patch(order), order=change)  # "cancelled" comes from Odoo's answer


def order_status(ctx: Context) -> AgentResult:
    """What we know, just followed in Odoo by the runner. When that brought news (goods received, staff decided
    in Odoo), the order's notices tell it after commit and there is nothing to add."""
    order = purchase_order_latest_for_contact(contact_id=ctx.contact_id)
    if order is None:
        return notes_only([], None, texts.text("status_none"))
    if ctx.turn.order_news:
        return AgentResult([], result_patch(order), notify_order_id=order.pk)
    answer = texts.text(STATUS_TEXTS[order.state], name=order.display_name, total=clp(order.amount_total),
                        arrival=texts.arrival(order.expected_at))
    return AgentResult([Reply(answer)], result_patch(order))


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
    if not found:
        key = "catalog_ask" if not ctx.turn.text.strip() else "catalog_none"
        return notes_only([], ctx.order, texts.text(key))
    lines = [texts.text("catalog_line", name=p.name, price=clp(p.price), uom=p.uom, availability=_availability(p))
             for p in found]
    body = "\n".join([texts.text("catalog_intro"), *lines, texts.text("catalog_order_hint",
                                                                        name=found[0].name.lower())])
    return AgentResult(replies=[Reply(body)], patch=result_patch(ctx.order))


def _availability(product: Product) -> str:
    if not is_orderable(product):  # purchase_ok, or sale_ok in sale mode
        return texts.text("catalog_not_orderable")
    if product.available <= 0:
        return texts.text("catalog_no_stock")
    return texts.text("catalog_in_stock", available=texts.amount(product.available, product.uom))
