"""Creating, changing and confirming orders: the services the purchase agent calls (keyword-only, typed).

Each writes locally in its own transaction, then talks to Odoo outside it, then records what Odoo said.
"""

from __future__ import annotations

import uuid
from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from conversations.models import Conversation
from core.metrics import purchase_orders_total
from integrations.odoo import gateway
from integrations.odoo.errors import OdooError, OdooUnavailable
from orders.models import ACTIVE_STATES, OdooSyncStatus, OrderState, Product, PurchaseOrder, PurchaseOrderLine
from orders.services import notify
from orders.services.common import local_state_for, result, store_odoo_snapshot
from orders.services.push import purchase_order_push_to_odoo
from orders.services.results import ActiveOrderExists, InvalidOrderLines, LineInput, OrderResult, Outcome
from orders.services.transitions import purchase_order_event, purchase_order_transition


def purchase_order_active_for_contact(*, contact_id: int) -> PurchaseOrder | None:
    return PurchaseOrder.objects.filter(contact_id=contact_id, state__in=ACTIVE_STATES).first()


def purchase_order_create(*, contact_id: int, conversation_id: int | None, lines: list[LineInput],
                          actor: str = "agent") -> OrderResult:
    """A new draft order with its lines, then the RFQ in Odoo (one create call). Raises InvalidOrderLines or
    ActiveOrderExists (the contact has a draft, sent or to-approve order: add to it with set_lines)."""
    products = _validated(lines)
    key = uuid.uuid4().hex
    try:
        with transaction.atomic():
            order = PurchaseOrder.objects.create(
                contact_id=contact_id, conversation_id=conversation_id, idempotency_key=key,
                origin=_origin(conversation_id, key), currency=settings.ORDER_CURRENCY)
            _replace_lines(order, lines, products)
            purchase_order_event(order_id=order.pk, actor=actor, kind="created", state=OrderState.DRAFT,
                                 detail={"lines": _lines_detail(order)})
            transaction.on_commit(lambda: purchase_orders_total.labels(state=OrderState.DRAFT).inc())
    except IntegrityError:
        active = purchase_order_active_for_contact(contact_id=contact_id)
        raise ActiveOrderExists(active.pk if active else 0) from None
    return purchase_order_push_to_odoo(order_id=order.pk)


def purchase_order_set_lines(*, order_id: int, lines: list[LineInput], actor: str = "agent") -> OrderResult:
    """Replace the order's lines (the agent merges adds, removals and new quantities into the full list), then
    write them to Odoo. Only while draft or sent; a sent quote goes back to draft (a new quote is due)."""
    products = _validated(lines)
    with transaction.atomic():
        order = PurchaseOrder.objects.select_for_update().get(pk=order_id)
        if order.state not in (OrderState.DRAFT, OrderState.SENT):
            from core.errors import InvalidTransition

            raise InvalidTransition(f"Purchase order {order.display_name} is '{order.state}'; lines can only "
                                    "change while it is a draft or a sent quote.")
        before = _lines_detail(order)
        _replace_lines(order, lines, products)
        # A "sí" given to the old lines does not confirm the new ones.
        PurchaseOrder.objects.filter(pk=order_id).update(odoo_sync_status=OdooSyncStatus.PENDING,
                                                         confirm_requested_at=None)
        purchase_order_event(order_id=order_id, actor=actor, kind="lines_changed", state=order.state,
                             detail={"before": before, "after": _lines_detail(order)})
    if order.state == OrderState.SENT:
        purchase_order_transition(order_id=order_id, to_state=OrderState.DRAFT, actor=actor, reason="lines changed")
    return purchase_order_push_to_odoo(order_id=order_id)


def purchase_order_mark_sent(*, order_id: int, actor: str = "agent") -> OrderResult:
    """The quote went to the contact: draft → sent (local only; Odoo's RFQ stays draft)."""
    order = purchase_order_transition(order_id=order_id, to_state=OrderState.SENT, actor=actor, reason="quote sent")
    return result(order, Outcome.UNCHANGED)


def purchase_order_confirm(*, order_id: int, actor: str = "agent") -> OrderResult:
    """The contact said yes. At or under ORDER_APPROVAL_THRESHOLD: confirm in Odoo and follow what Odoo says
    (its own two-step approval may answer 'to approve'). Above: to_approve here and staff are notified."""
    order = PurchaseOrder.objects.get(pk=order_id)
    if order.state not in (OrderState.DRAFT, OrderState.SENT):
        from core.errors import InvalidTransition

        raise InvalidTransition(f"Purchase order {order.display_name} is '{order.state}'; only a draft or sent "
                                "quote can be confirmed.")
    if order.amount_total > Decimal(str(settings.ORDER_APPROVAL_THRESHOLD)):
        return _to_approval(order, actor, reason="over ORDER_APPROVAL_THRESHOLD")
    if order.odoo_sync_status != OdooSyncStatus.SYNCED:
        pushed = purchase_order_push_to_odoo(order_id=order_id)
        if pushed.outcome in (Outcome.PENDING_ODOO, Outcome.ODOO_REFUSED, Outcome.DRY_RUN):
            return _confirm_later(order, actor, pushed)
    return _confirm_in_odoo(PurchaseOrder.objects.get(pk=order_id), actor)


def _confirm_in_odoo(order: PurchaseOrder, actor: str) -> OrderResult:
    try:
        odoo = gateway.order_button(order.odoo_id, "button_confirm")
    except OdooUnavailable as exc:
        return _confirm_later(order, actor, None, error=str(exc))
    except OdooError as exc:
        purchase_order_event(order_id=order.pk, actor="odoo", kind="odoo_refused", state=order.state,
                             detail={"action": "button_confirm", "error": str(exc)[:500]})
        return result(order, Outcome.ODOO_REFUSED, error=str(exc))
    store_odoo_snapshot(order.pk, odoo)
    target = local_state_for(odoo)
    PurchaseOrder.objects.filter(pk=order.pk).update(confirm_requested_at=None)
    if target == OrderState.TO_APPROVE:
        return _to_approval(order, "odoo", reason="Odoo's own two-step approval")
    if target != OrderState.CONFIRMED:
        purchase_order_event(order_id=order.pk, actor="odoo", kind="odoo_not_confirmed", state=order.state,
                             detail={"odoo_state": odoo.state})
        return result(order, Outcome.ODOO_REFUSED, error=f"Odoo left the order in '{odoo.state}'")
    order = purchase_order_transition(order_id=order.pk, to_state=OrderState.CONFIRMED, actor=actor,
                                      reason="confirmed in Odoo", detail={"odoo_state": odoo.state})
    return result(order, Outcome.CONFIRMED)


def _to_approval(order: PurchaseOrder, actor: str, *, reason: str) -> OrderResult:
    order = purchase_order_transition(order_id=order.pk, to_state=OrderState.TO_APPROVE, actor=actor, reason=reason)
    notify.staff_notice(order, notify.approval_request_text(order))
    return result(order, Outcome.AWAITING_APPROVAL)


def _confirm_later(order: PurchaseOrder, actor: str, pushed: OrderResult | None, *, error: str = "") -> OrderResult:
    """Odoo unreachable (or DRY_RUN): remember the contact's yes; the sweeper confirms once Odoo answers."""
    if pushed is not None and pushed.outcome in (Outcome.ODOO_REFUSED, Outcome.DRY_RUN):
        return pushed
    PurchaseOrder.objects.filter(pk=order.pk).update(confirm_requested_at=timezone.now())
    purchase_order_event(order_id=order.pk, actor=actor, kind="confirm_requested", state=order.state,
                         detail={"error": error or (pushed.error if pushed else "")})
    return result(order, Outcome.PENDING_ODOO, error=error or (pushed.error if pushed else ""))


# --- lines -----------------------------------------------------------------------------------------------------
def _validated(lines: list[LineInput]) -> dict[str, Product]:
    if not lines:
        raise InvalidOrderLines([("", "empty")])
    codes = [line.product_code for line in lines]
    products = {p.default_code: p for p in Product.objects.filter(default_code__in=codes)}
    problems = [p for p in (_problem(line, products.get(line.product_code)) for line in lines) if p]
    if problems:
        raise InvalidOrderLines(problems)
    return products


def _problem(line: LineInput, product: Product | None) -> tuple[str, str] | None:
    code = line.product_code
    if product is None or not product.active:
        return code, "unknown"
    if not product.purchase_ok or not product.odoo_product_id:
        return code, "not_purchasable"
    if Decimal(str(line.quantity)) <= 0:
        return code, "quantity"
    if Decimal(str(line.quantity)) > Decimal(str(settings.ORDER_MAX_QUANTITY_PER_LINE)):
        return code, "too_many"
    if not product.price or product.price <= 0:
        return code, "price"
    return None


def _replace_lines(order: PurchaseOrder, lines: list[LineInput], products: dict[str, Product]) -> None:
    order.lines.all().delete()
    untaxed = Decimal(0)
    for line in lines:
        product = products[line.product_code]
        qty = Decimal(str(line.quantity))
        subtotal = (qty * product.price).quantize(Decimal("0.01"))
        PurchaseOrderLine.objects.create(order=order, product=product, quantity=qty, uom=product.uom,
                                         unit_price=product.price, subtotal=subtotal)
        untaxed += subtotal
    # Odoo computes taxes; until it answers, the local total is the untaxed sum.
    PurchaseOrder.objects.filter(pk=order.pk).update(amount_untaxed=untaxed, amount_total=untaxed)
    order.refresh_from_db()


def _lines_detail(order: PurchaseOrder) -> list[dict]:
    return [{"product": l.product.default_code, "qty": str(l.quantity), "price": str(l.unit_price)}
            for l in order.lines.select_related("product")]


def _origin(conversation_id: int | None, key: str) -> str:
    conv = Conversation.objects.filter(pk=conversation_id).first() if conversation_id else None
    where = f"Chatwoot conversation {conv.chatwoot_id}" if conv else "Chat"
    return f"{where} [{key}]"
