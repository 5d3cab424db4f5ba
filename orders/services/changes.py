"""Applying a turn's decision about the contact's order: the only way the chat changes an order.

`order_change_apply` runs inside the turn's commit transaction. It writes the local order (lines, state) and the
Odoo commands the change owes, as rows; nothing here talks to Odoo. The turn's runner runs those commands after
commit (and a sweeper re-drives them), so a turn that is retried repeats nothing: either its commit happened, or
none of it did.

The agent reads the same rules (`confirmation_needs_approval`, `cancellation_is_local`) to choose its words; the
commit re-checks the order's state and lines version, so the rule gives the same answer here as it did there, or
the change is refused with `OrderChanged` and the turn is computed again.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from conversations.models import Conversation
from core.metrics import purchase_orders_total
from orders.models import ACTIVE_STATES, CommandKind, OdooSyncStatus, OrderState, PurchaseOrder
from orders.services import notify
from orders.services.commands import command_owed, command_queue, commands_nudge, commands_supersede
from orders.services.lines import line_subtotal, lines_current, lines_detail, lines_replace, lines_validated
from orders.services.results import LineInput
from orders.services.transitions import purchase_order_event, purchase_order_transition

EDITABLE = (OrderState.DRAFT, OrderState.SENT)
# Commands owed to one version of the lines: a change of the lines (or a cancellation) makes pending ones pointless.
OWED_PER_VERSION = (CommandKind.PUSH, CommandKind.CONFIRM, CommandKind.MARK_SENT)


class OrderChanged(Exception):
    """The order moved since the decision was made (another writer, a concurrent turn): compute the turn again."""


@dataclass(frozen=True)
class OrderChange:
    """What a turn wants done to the contact's order.

    set_lines: the full set of lines wanted (`order_id` None: a new order); confirm: the contact's yes to the
    quote of `base_version`; cancel: the contact (or staff) cancels, `reason` says why; wait_for_stock (sale
    mode): the contact takes the whole of these lines later rather than what is available now.
    """

    action: str  # "set_lines" | "confirm" | "cancel" | "wait_for_stock"
    order_id: int | None = None
    lines: tuple[LineInput, ...] = ()
    base_version: int = 0
    reason: str = ""
    # The lines' products as the decision read them (lines_validated), so the commit checks them without reading
    # them again; the rules applied are the same.
    products: dict = field(default_factory=dict, compare=False, repr=False)


@dataclass
class AppliedChange:
    order_id: int
    outcome: str  # lines_set | awaiting_approval | confirming | cancelled | cancelling | waiting_for_stock
    command_ids: list[int] = field(default_factory=list)


def confirmation_needs_approval(order: PurchaseOrder) -> bool:
    """Over ORDER_APPROVAL_THRESHOLD staff approve before anything is confirmed in Odoo."""
    return order.amount_total > Decimal(str(settings.ORDER_APPROVAL_THRESHOLD))


def cancellation_is_local(order: PurchaseOrder) -> bool:
    """Odoo never had (and may not have) this order: no push was ever attempted and none is running now, so
    cancelling is ours alone, and immediate. Read under the order's row lock in the commit: a runner takes its
    lease by updating that row, so it cannot start a push between this check and the commit."""
    running = order.commands_lease_until is not None and order.commands_lease_until > timezone.now()
    return not (order.odoo_id or running or order.commands.filter(kind=CommandKind.PUSH, attempts__gt=0).exists())


def order_change_apply(*, change: OrderChange, contact_id: int, conversation_id: int | None, actor: str = "agent",
                       turn_id: int | None = None, conversation: Conversation | None = None) -> AppliedChange:
    """Caller holds the transaction (the turn's commit). Raises OrderChanged, InvalidOrderLines. `conversation`:
    the conversation row when the caller has it (its Chatwoot id goes into a new order's origin)."""
    apply = {"set_lines": _set_lines, "confirm": _confirm, "cancel": _cancel,
             "wait_for_stock": _wait_for_stock}[change.action]
    return apply(change, contact_id=contact_id, conversation_id=conversation_id, actor=actor, turn_id=turn_id,
                 conversation=conversation)


# --- lines -----------------------------------------------------------------------------------------------------
def _set_lines(change: OrderChange, *, contact_id, conversation_id, actor, turn_id, conversation) -> AppliedChange:
    if change.order_id is None:
        products = lines_validated(list(change.lines), known=change.products)
        return _new_order(change, products, contact_id=contact_id, conversation_id=conversation_id, actor=actor,
                          turn_id=turn_id, conversation=conversation)
    order = _locked(change.order_id, EDITABLE, change.base_version)
    products = lines_validated(list(change.lines), mode=order.mode, known=change.products)
    current = lines_current(order)
    untaxed, after = lines_replace(order, list(change.lines), products, current=current)
    version = order.lines_version + 1
    # A "sí" given to the old lines does not confirm the new ones.
    PurchaseOrder.objects.filter(pk=order.pk).update(
        lines_version=version, amount_untaxed=untaxed, amount_total=untaxed, confirm_requested_at=None,
        odoo_sync_status=OdooSyncStatus.PENDING, updated_at=timezone.now())
    purchase_order_event(order_id=order.pk, order=order, actor=actor, kind="lines_changed", state=order.state,
                         detail={"before": lines_detail(current), "after": after, "version": version,
                                 "turn": turn_id})
    if order.state == OrderState.SENT:
        purchase_order_transition(order_id=order.pk, order=order, to_state=OrderState.DRAFT, actor=actor,
                                  reason="lines changed")
    commands_supersede(order_id=order.pk, kinds=OWED_PER_VERSION)
    command = command_queue(order=order, kind=CommandKind.PUSH, lines_version=version, actor=actor, turn_id=turn_id)
    return AppliedChange(order.pk, "lines_set", [command.pk])


def _new_order(change: OrderChange, products, *, contact_id, conversation_id, actor, turn_id,
               conversation) -> AppliedChange:
    """The order, its lines, their audit row and the push it owes: four INSERTs. A concurrent turn that created
    the contact's active order first makes this one fail on the constraint, and the whole turn is decided again
    (the agent then sees that order)."""
    key = uuid.uuid4().hex
    untaxed = sum((line_subtotal(line, products) for line in change.lines), Decimal(0))
    try:
        order = PurchaseOrder.objects.create(
            contact_id=contact_id, conversation_id=conversation_id, idempotency_key=key,
            origin=_origin(conversation, conversation_id, key), currency=settings.ORDER_CURRENCY, lines_version=1,
            amount_untaxed=untaxed, amount_total=untaxed, mode=settings.ODOO_ORDER_MODEL)
    except IntegrityError as exc:  # one active order per contact: one appeared since the decision
        raise OrderChanged(f"contact {contact_id} has an active order now") from exc
    _, after = lines_replace(order, list(change.lines), products)
    purchase_order_event(order_id=order.pk, order=order, actor=actor, kind="created", state=order.state,
                         detail={"after": after, "version": 1, "turn": turn_id})
    command = command_queue(order=order, kind=CommandKind.PUSH, lines_version=1, actor=actor, turn_id=turn_id,
                            fresh=True)
    transaction.on_commit(lambda: purchase_orders_total.labels(state=OrderState.DRAFT).inc())
    return AppliedChange(order.pk, "lines_set", [command.pk])


def _origin(conversation: Conversation | None, conversation_id: int | None, key: str) -> str:
    if conversation is not None:
        chatwoot_id = conversation.chatwoot_id
    else:
        chatwoot_id = Conversation.objects.filter(pk=conversation_id).values_list("chatwoot_id", flat=True).first()
    where = f"Chatwoot conversation {chatwoot_id}" if chatwoot_id else "Chat"
    return f"{where} [{key}]"


def _locked(order_id: int, states, base_version: int | None) -> PurchaseOrder:
    order = PurchaseOrder.objects.select_for_update().get(pk=order_id)
    if order.state not in states or (base_version is not None and order.lines_version != base_version):
        raise OrderChanged(f"order {order_id} is {order.state} v{order.lines_version}, the decision saw "
                           f"v{base_version} in {', '.join(states)}")
    return order


def _wait_for_stock(change: OrderChange, *, contact_id, conversation_id, actor, turn_id,
                    conversation) -> AppliedChange:
    """The quote stands (same lines, same version): only the contact's choice is recorded, for staff and for the
    next quote of these lines."""
    order = _locked(change.order_id, EDITABLE, change.base_version)
    codes = [line.product_code for line in change.lines]
    order.lines.filter(product__default_code__in=codes).update(wait_for_stock=True)
    purchase_order_event(order_id=order.pk, order=order, actor=actor, kind="stock_wait_chosen", state=order.state,
                         detail={"products": codes, "version": order.lines_version, "turn": turn_id})
    return AppliedChange(order.pk, "waiting_for_stock")


# --- the quote told --------------------------------------------------------------------------------------------
def purchase_order_quoted(*, order_id: int, version: int, actor: str = "agent", turn_id: int | None = None,
                          order: PurchaseOrder | None = None) -> PurchaseOrder:
    """The contact is being given the quote of lines `version`: caller holds the transaction that queues that reply.
    The order is `sent` here, and Odoo owes the same: a mark_sent command in this transaction, run after commit.
    `order`: the row the caller holds locked, updated in place."""
    order = purchase_order_transition(order_id=order_id, order=order, to_state=OrderState.SENT, actor=actor,
                                      reason="quote sent")
    command_owed(order=order, kind=CommandKind.MARK_SENT, lines_version=version, actor=actor, turn_id=turn_id)
    commands_nudge(order_id=order_id)
    return order


# --- the contact's yes -------------------------------------------------------------------------------------------
def _confirm(change: OrderChange, *, contact_id, conversation_id, actor, turn_id, conversation) -> AppliedChange:
    order = _locked(change.order_id, EDITABLE, change.base_version)
    PurchaseOrder.objects.filter(pk=order.pk).update(confirm_requested_at=timezone.now())
    if confirmation_needs_approval(order):
        order = purchase_order_transition(order_id=order.pk, order=order, to_state=OrderState.TO_APPROVE, actor=actor,
                                          reason="over ORDER_APPROVAL_THRESHOLD", detail={"turn": turn_id})
        notify.staff_notice(order, notify.approval_request_text(order))
        return AppliedChange(order.pk, "awaiting_approval")
    command = command_queue(order=order, kind=CommandKind.CONFIRM, lines_version=order.lines_version, actor=actor,
                            turn_id=turn_id)
    return AppliedChange(order.pk, "confirming", [command.pk])


# --- cancelling ----------------------------------------------------------------------------------------------------
def _cancel(change: OrderChange, *, contact_id, conversation_id, actor, turn_id, conversation) -> AppliedChange:
    order = _locked(change.order_id, ACTIVE_STATES, None)
    reason = change.reason or "cancelled"
    commands_supersede(order_id=order.pk, kinds=OWED_PER_VERSION)
    if cancellation_is_local(order):
        purchase_order_transition(order_id=order.pk, order=order, to_state=OrderState.CANCELLED, actor=actor, reason=reason,
                                  detail={"turn": turn_id})
        return AppliedChange(order.pk, "cancelled")
    PurchaseOrder.objects.filter(pk=order.pk).update(cancel_requested_at=timezone.now())
    command = command_queue(order=order, kind=CommandKind.CANCEL, lines_version=order.lines_version, actor=actor,
                            reason=reason, turn_id=turn_id)
    return AppliedChange(order.pk, "cancelling", [command.pk])
