"""What each Odoo command does (one attempt), and what its outcome changes here.

The executors speak to `gateway.orders_for(mode)` with the order's own mode (ODOO_ORDER_MODEL when it was
created): purchase.order (RFQs) or sale.order (quotations), through the same command API. Every write is looked up
before it is repeated after an unknown outcome:
- push: the order is found by our key in its `origin` (a create that may have happened is adopted, not repeated);
  rewriting the lines of an order Odoo has brings them to ours, so repeating it is harmless. Purchase lines carry
  our catalog's vendor price; sale lines carry none, so Odoo prices them (the customer's pricelist, else the list
  price) and we take its prices back;
- mark_sent, confirm, approve, cancel: the order is read first after an unknown outcome, and the action is taken
  only if Odoo is not already there (the actions' return values prove nothing: the state re-read after each one
  is the truth, NOTES §0.4).
The contact hears about outcomes through order events with a notice (the agents turn them into replies).
"""

from __future__ import annotations

import logging
import random
from dataclasses import dataclass, field
from datetime import timedelta
from types import ModuleType

from django.conf import settings
from django.db import transaction
from django.db.models import OuterRef, Prefetch, Subquery
from django.utils import timezone

from core.errors import InvalidTransition
from integrations.odoo import gateway
from integrations.odoo.diagnose import explain
from integrations.odoo.errors import OdooAccessError, OdooConfigError, OdooError, OdooUnavailable
from orders.models import (
    CommandKind, CommandState, OdooCommand, OdooSyncStatus, OrderState, PurchaseOrder, PurchaseOrderLine,
)
from orders.modes import SALE
from orders.services import notify
from orders.services.common import local_state_for, store_odoo_snapshot
from orders.services.lines import lines_from_odoo
from orders.services.partners import odoo_partner_for_contact
from orders.services.transitions import purchase_order_event, purchase_order_transition

log = logging.getLogger(__name__)
CONFIRMED_OR_WAITING = ("purchase", "done", "to approve", "sale")
SENT_OR_FURTHER = ("sent", "to approve", "purchase", "done", "sale", "cancel")
PER_VERSION = (CommandKind.PUSH, CommandKind.CONFIRM, CommandKind.MARK_SENT)


@dataclass
class Attempt:
    status: str  # done | retry | failed | superseded
    odoo: gateway.OdooOrder | None = None
    error: str = ""
    maybe_done: bool = False
    detail: dict = field(default_factory=dict)


def command_attempt(command: OdooCommand) -> bool:
    """Run one claimed command once and record what happened. True when it is finished (done, failed or
    superseded); False when it will be retried."""
    orders = PurchaseOrder.objects.all()
    if command.kind == CommandKind.PUSH:  # the only executor that writes the lines, and may need a partner
        orders = orders.select_related("contact").annotate(known_partner_id=_known_partner()).prefetch_related(
            Prefetch("lines", queryset=PurchaseOrderLine.objects.select_related("product")))
    order = orders.get(pk=command.order_id)
    attempt = _attempt(command, order)
    RECORDERS[attempt.status](command, order, attempt)
    return attempt.status != "retry"


def _attempt(command: OdooCommand, order: PurchaseOrder) -> Attempt:
    if _superseded(command, order):
        return Attempt("superseded")
    if settings.DRY_RUN:
        return _dry_run(command, order)
    try:
        return EXECUTORS[command.kind](command, order)
    except OdooUnavailable as exc:
        return Attempt("retry", error=str(exc), maybe_done=command.maybe_done or exc.maybe_done)
    except (OdooAccessError, OdooConfigError) as exc:  # the setup, not the order: what to change, in one sentence
        return Attempt("failed", error=explain(exc))
    except OdooError as exc:
        return Attempt("failed", error=str(exc))


def _superseded(command: OdooCommand, order: PurchaseOrder) -> bool:
    if command.kind in PER_VERSION and command.lines_version != order.lines_version:
        return True  # a newer version of the lines has its own push, quote and mark-sent
    if command.kind == CommandKind.MARK_SENT and order.state == OrderState.CANCELLED:
        return True
    if command.kind == CommandKind.CONFIRM and order.state not in (OrderState.DRAFT, OrderState.SENT):
        return True
    if command.kind == CommandKind.APPROVE and order.state != OrderState.TO_APPROVE:
        return True
    return command.kind == CommandKind.CANCEL and order.state == OrderState.CANCELLED


# --- one attempt per kind ------------------------------------------------------------------------------------
def _orders(order: PurchaseOrder) -> ModuleType:
    # The order's own model: an order created before ODOO_ORDER_MODEL changed stays where Odoo has it.
    return gateway.orders_for(order.mode)


def _push(command: OdooCommand, order: PurchaseOrder) -> Attempt:
    orders, lines = _orders(order), _line_vals(order)
    if order.odoo_id:
        return Attempt("done", orders.set_lines(order.odoo_id, lines))
    found = orders.find(order.idempotency_key) if _create_may_have_happened(command) else None
    if found is not None:  # a create that looked failed did reach Odoo: adopt it, with the current lines
        return Attempt("done", orders.set_lines(found.id, lines), detail={"adopted": found.id})
    partner_id = _partner(order)
    try:
        created = orders.create(key=order.idempotency_key, partner_id=partner_id, origin=order.origin, lines=lines,
                                look_first=False, **_create_extra(order))
    except OdooUnavailable as exc:
        found = _look_up_at_once(exc, lambda: orders.find(order.idempotency_key, lines=True))
        return Attempt("done", found, detail={"adopted": found.id})
    return Attempt("done", created, detail={"created": True})


def _create_extra(order: PurchaseOrder) -> dict:
    """Sale: our key is also the customer's reference (`client_order_ref`), where staff look for it."""
    return {"client_ref": order.idempotency_key} if order.mode == SALE else {}


def _look_up_at_once(exc: OdooUnavailable, look_up):
    """A write whose outcome is unknown: if Odoo answers a look-up now and shows the effect, that is the outcome.
    Otherwise the original failure stands (retried later, looked up again first)."""
    if not exc.maybe_done:
        raise exc
    try:
        found = look_up()
    except OdooUnavailable:
        raise exc from None
    if not found:
        raise exc
    return found


def _create_may_have_happened(command: OdooCommand) -> bool:
    """An earlier attempt (of this command, or of a push it replaced) may have created the order. The first
    attempt of the first version's push has nothing before it to look for."""
    if command.maybe_done or command.attempts > 1:
        return True
    if command.lines_version <= 1:
        return False
    earlier = OdooCommand.objects.filter(order_id=command.order_id, kind=CommandKind.PUSH, attempts__gt=0).exclude(
        pk=command.pk)
    return earlier.exists()


def _partner(order: PurchaseOrder) -> int:
    partner_id = order.odoo_partner_id or order.known_partner_id or odoo_partner_for_contact(
        contact=order.contact, order=order)
    PurchaseOrder.objects.filter(pk=order.pk).update(odoo_partner_id=partner_id)
    return partner_id


def _known_partner() -> Subquery:
    """The partner an earlier order of this contact already used in Odoo (saves the look-up), read with the
    order."""
    return Subquery(PurchaseOrder.objects.filter(contact_id=OuterRef("contact_id"), odoo_partner_id__isnull=False)
                    .exclude(pk=OuterRef("pk")).order_by("-created_at").values("odoo_partner_id")[:1])


def _line_vals(order: PurchaseOrder) -> list[gateway.LineVals]:
    # Sale mode sends no price: Odoo's pricing (pricelist, list price) is the truth, read back after the write.
    priced = order.mode != SALE
    return [gateway.LineVals(odoo_product_id=l.product.odoo_product_id, quantity=l.quantity,
                             unit_price=l.unit_price if priced else None) for l in order.lines.all()]


def _confirm(command: OdooCommand, order: PurchaseOrder) -> Attempt:
    if not order.odoo_id:
        return Attempt("failed", error="the order is not in Odoo (its push was refused)")
    orders = _orders(order)
    if command.maybe_done:
        odoo = orders.read(order.odoo_id)
        if odoo is not None and odoo.state in CONFIRMED_OR_WAITING:
            return Attempt("done", odoo, detail={"found": odoo.state})
    return Attempt("done", _act(orders, lambda: orders.confirm(order.odoo_id), order.odoo_id, CONFIRMED_OR_WAITING))


def _act(orders: ModuleType, call, odoo_id: int, done_states: tuple[str, ...]) -> gateway.OdooOrder:
    """Take the action; after an unknown outcome, a re-read showing the order moved is the outcome."""
    try:
        return call()
    except OdooUnavailable as exc:
        return _look_up_at_once(exc, lambda: _moved(orders.read(odoo_id), done_states))


def _moved(odoo: gateway.OdooOrder | None, done_states: tuple[str, ...]) -> gateway.OdooOrder | None:
    return odoo if odoo is not None and odoo.state in done_states else None


def _approve(command: OdooCommand, order: PurchaseOrder) -> Attempt:
    """Staff approved. Purchase: Odoo's own `to approve` is approved, a draft confirmed. Sale: approval is ours
    alone, so the quotation is confirmed."""
    if not order.odoo_id:
        return Attempt("failed", error="the order is not in Odoo yet")
    orders = _orders(order)
    odoo = orders.read(order.odoo_id)  # always read first: approving twice must not confirm twice
    if odoo.state == "to approve":
        odoo = _act(orders, lambda: orders.approve(order.odoo_id), order.odoo_id, ("purchase", "done"))
    elif odoo.state in ("draft", "sent"):
        odoo = _act(orders, lambda: orders.confirm(order.odoo_id), order.odoo_id, CONFIRMED_OR_WAITING)
    return Attempt("done", odoo)


def _cancel(command: OdooCommand, order: PurchaseOrder) -> Attempt:
    orders = _orders(order)
    odoo_id = order.odoo_id or _find_id(order)
    if not odoo_id:
        return Attempt("done", None, detail={"never_in_odoo": True})
    if command.maybe_done:
        odoo = orders.read(odoo_id)
        if odoo is None or odoo.state == "cancel":
            return Attempt("done", odoo)
    # Sale orders that are sent or confirmed: 17/18 answer with a wizard unless told not to; the gateway knows.
    return Attempt("done", _act(orders, lambda: orders.cancel(odoo_id), odoo_id, ("cancel",)))


def _find_id(order: PurchaseOrder) -> int | None:
    """A push that looked failed may still have created the order: cancel that one too rather than leave it."""
    found = _orders(order).find(order.idempotency_key)
    return found.id if found else None


def _mark_sent(command: OdooCommand, order: PurchaseOrder) -> Attempt:
    """The contact has the quote: Odoo marks it sent too, without e-mailing anyone (purchase: an internal note
    posted under `mark_rfq_as_sent`; sale: `action_quotation_sent`)."""
    if not order.odoo_id:
        return Attempt("failed", error="the order is not in Odoo")
    if order.odoo_state in SENT_OR_FURTHER:  # as Odoo answered the push of these lines: a re-quote of a sent one
        return Attempt("done", None, detail={"already": order.odoo_state})
    orders = _orders(order)
    if command.maybe_done:
        odoo = orders.read(order.odoo_id)
        if odoo is not None and odoo.state in SENT_OR_FURTHER:
            return Attempt("done", odoo, detail={"found": odoo.state})
    # Not after an unknown outcome: the state Odoo answered the push with is then what it still is.
    known = None if command.maybe_done else order.odoo_state or None
    return Attempt("done", _act(orders, lambda: orders.mark_sent(order.odoo_id, state=known), order.odoo_id,
                                SENT_OR_FURTHER))


def _dry_run(command: OdooCommand, order: PurchaseOrder) -> Attempt:
    """DRY_RUN: nothing is written to Odoo; what would have been is kept on the command and the event."""
    if command.kind == CommandKind.APPROVE:
        return Attempt("failed", error="DRY_RUN: nothing is approved in Odoo")
    would = {"command": command.kind, "origin": order.origin, "lines": [
        {"product": l.product.default_code, "qty": str(l.quantity), "price_unit": str(l.unit_price)}
        for l in order.lines.select_related("product")]}
    log.warning("DRY_RUN: would %s order %s in Odoo", command.kind, order.pk)
    return Attempt("done", None, detail={"dry_run": True, "would_write": would})


EXECUTORS = {CommandKind.PUSH: _push, CommandKind.CONFIRM: _confirm, CommandKind.APPROVE: _approve,
             CommandKind.CANCEL: _cancel, CommandKind.MARK_SENT: _mark_sent}


# --- recording outcomes ----------------------------------------------------------------------------------------
def retry_delay(attempt: int, *, maybe_done: bool) -> float:
    """Exponential backoff with jitter; after an unknown outcome at least ODOO_MAYBE_DONE_DELAY, so that Odoo
    has finished (or given up) what it may still be doing before we look it up."""
    # Never longer than the breaker's reset: past an outage the breaker lets a trial through by then, and a
    # command still waiting out a backoff grown by the outage's attempts would answer the contact late.
    longest = min(settings.ODOO_COMMAND_RETRY_MAX, settings.ODOO_BREAKER_RESET_SECONDS)
    ceiling = min(longest, settings.ODOO_COMMAND_RETRY_BASE * 2 ** max(attempt - 1, 0))
    delay = ceiling / 2 + random.uniform(0, ceiling / 2)
    return max(delay, settings.ODOO_MAYBE_DONE_DELAY) if maybe_done else delay


def _finish(command: OdooCommand, state: str, **fields) -> None:
    now = timezone.now()
    OdooCommand.objects.filter(pk=command.pk).update(state=state, updated_at=now, done_at=now, **fields)


def _record_retry(command: OdooCommand, order: PurchaseOrder, attempt: Attempt) -> None:
    delay = retry_delay(command.attempts, maybe_done=attempt.maybe_done)
    with transaction.atomic():
        OdooCommand.objects.filter(pk=command.pk).update(
            state=CommandState.PENDING, maybe_done=attempt.maybe_done, last_error=attempt.error[:2000],
            next_attempt_at=timezone.now() + timedelta(seconds=delay), updated_at=timezone.now())
        PurchaseOrder.objects.filter(pk=order.pk).update(odoo_error=attempt.error[:2000])
        if command.attempts == 1:  # the contact hears once that Odoo is slow, not on every retry
            purchase_order_event(order_id=order.pk, order=order, actor="system", kind="odoo_delayed", state=order.state,
                                 notice=_tells_contact(command),
                                 detail={"command": command.kind, "error": attempt.error[:500],
                                         "turn": command.turn_id})
    log.warning("odoo %s of order %s will be retried in %.0f s: %s", command.kind, order.pk, delay, attempt.error)


def _record_failed(command: OdooCommand, order: PurchaseOrder, attempt: Attempt) -> None:
    with transaction.atomic():
        _finish(command, CommandState.FAILED, last_error=attempt.error[:2000])
        if command.kind == CommandKind.PUSH:
            PurchaseOrder.objects.filter(pk=order.pk).update(odoo_sync_status=OdooSyncStatus.FAILED,
                                                             odoo_error=attempt.error[:2000])
        purchase_order_event(order_id=order.pk, order=order, actor="odoo", kind="odoo_refused", state=order.state,
                             notice=_tells_contact(command),
                             detail={"command": command.kind, "error": attempt.error[:500], "turn": command.turn_id})
        notify.staff_notice(order, f"Odoo no aceptó «{command.get_kind_display()}» del pedido {order.display_name}: "
                                   f"{attempt.error[:300]}", kind="order_failed")


def _record_superseded(command: OdooCommand, order: PurchaseOrder, attempt: Attempt) -> None:
    _finish(command, CommandState.SUPERSEDED)


def _record_done(command: OdooCommand, order: PurchaseOrder, attempt: Attempt) -> None:
    with transaction.atomic():
        order = PurchaseOrder.objects.select_for_update().get(pk=order.pk)
        state = DONE_HANDLERS[command.kind](command, order, attempt)
        _finish(command, state, last_error="", result={**attempt.detail, "odoo_state": _odoo_state(attempt)})


def _odoo_state(attempt: Attempt) -> str:
    return attempt.odoo.state if attempt.odoo else ""


def _tells_contact(command: OdooCommand) -> bool:
    """Outcomes of what the contact asked for are told to them; staff decisions are told when they succeed.
    Marking the quote sent is Odoo's bookkeeping: the contact already has the quote, whatever Odoo says."""
    return command.user_id is None and command.kind != CommandKind.MARK_SENT


RECORDERS = {"done": _record_done, "retry": _record_retry, "failed": _record_failed,
             "superseded": _record_superseded}


# --- what a finished command changes here (caller holds the order's row lock) --------------------------------------
def _pushed(command: OdooCommand, order: PurchaseOrder, attempt: Attempt) -> str:
    current = order.lines_version == command.lines_version
    if attempt.odoo is None:  # DRY_RUN: nothing was written
        PurchaseOrder.objects.filter(pk=order.pk).update(odoo_sync_status=OdooSyncStatus.DRY_RUN)
    else:
        store_odoo_snapshot(order.pk, attempt.odoo, synced=current)
        if current:
            lines_from_odoo(order, attempt.odoo)  # Odoo's prices are the quote's
    purchase_order_event(order_id=order.pk, order=order, actor="system", kind="quote_ready", state=order.state,
                         notice=current,
                         detail={"version": command.lines_version, "dry_run": attempt.odoo is None,
                                 "turn": command.turn_id,
                                 **({"odoo_id": attempt.odoo.id, "odoo_name": attempt.odoo.name,
                                     "amount_total": str(attempt.odoo.amount_total)} if attempt.odoo else {}),
                                 **attempt.detail})
    return CommandState.DONE


def _confirmed(command: OdooCommand, order: PurchaseOrder, attempt: Attempt) -> str:
    if attempt.odoo is None:  # DRY_RUN
        purchase_order_event(order_id=order.pk, order=order, actor="system", kind="confirm_dry_run", state=order.state,
                             notice=True, detail={"turn": command.turn_id})
        return CommandState.DONE
    store_odoo_snapshot(order.pk, attempt.odoo)
    target = local_state_for(attempt.odoo)
    if target == OrderState.TO_APPROVE:  # Odoo's own two-step approval
        order = _move(order, OrderState.TO_APPROVE, "odoo", "Odoo's own two-step approval", "approval_requested",
                      turn=command.turn_id)
        notify.staff_notice(order, notify.approval_request_text(order))
        return CommandState.DONE
    if target != OrderState.CONFIRMED:
        purchase_order_event(order_id=order.pk, order=order, actor="odoo", kind="odoo_refused", state=order.state, notice=True,
                             detail={"command": command.kind, "odoo_state": attempt.odoo.state,
                                     "turn": command.turn_id})
        return CommandState.FAILED
    lines_from_odoo(order, attempt.odoo)
    _move(order, OrderState.CONFIRMED, command.actor, "confirmed in Odoo", "confirmed", turn=command.turn_id)
    return CommandState.DONE


def _approved(command: OdooCommand, order: PurchaseOrder, attempt: Attempt) -> str:
    store_odoo_snapshot(order.pk, attempt.odoo)
    if local_state_for(attempt.odoo) != OrderState.CONFIRMED:
        purchase_order_event(order_id=order.pk, order=order, actor=command.actor, kind="odoo_not_approved", state=order.state,
                             detail={"odoo_state": attempt.odoo.state, "hint": "the Odoo integration user needs the "
                                     "Purchase / Administrator right to approve"})
        return CommandState.FAILED
    lines_from_odoo(order, attempt.odoo)
    _move(order, OrderState.CONFIRMED, command.actor, "approved", "approved",
          updates={"approved_by_id": command.user_id, "decided_at": timezone.now()})
    return CommandState.DONE


def _cancelled(command: OdooCommand, order: PurchaseOrder, attempt: Attempt) -> str:
    if attempt.odoo is not None:
        store_odoo_snapshot(order.pk, attempt.odoo, synced=order.odoo_sync_status == OdooSyncStatus.SYNCED)
        if attempt.odoo.state != "cancel":
            purchase_order_event(order_id=order.pk, order=order, actor="odoo", kind="odoo_refused", state=order.state,
                                 notice=_tells_contact(command),
                                 detail={"command": command.kind, "odoo_state": attempt.odoo.state,
                                         "turn": command.turn_id})
            return CommandState.FAILED
    staff = command.user_id is not None
    updates = {"rejected_by_id": command.user_id, "decided_at": timezone.now(),
               "decision_reason": command.reason} if staff else {}
    _move(order, OrderState.CANCELLED, command.actor, command.reason or "cancelled",
          "rejected" if staff else "cancelled", updates=updates, turn=command.turn_id)
    return CommandState.DONE


def _move(order: PurchaseOrder, to_state: str, actor: str, reason: str, notice: str, updates=None,
          turn: int | None = None) -> PurchaseOrder:
    try:
        return purchase_order_transition(order_id=order.pk, order=order, to_state=to_state, actor=actor, reason=reason,
                                         updates=updates, notice=notice, detail={"turn": turn} if turn else None)
    except InvalidTransition as exc:  # moved meanwhile (staff in Odoo, the watcher): recorded, not retried
        purchase_order_event(order_id=order.pk, order=order, actor="system", kind="odoo_state_mismatch", state=order.state,
                             detail={"wanted": to_state, "error": str(exc)[:300]})
        return order


def _marked_sent(command: OdooCommand, order: PurchaseOrder, attempt: Attempt) -> str:
    if attempt.odoo is not None:
        store_odoo_snapshot(order.pk, attempt.odoo, synced=order.odoo_sync_status == OdooSyncStatus.SYNCED)
    purchase_order_event(order_id=order.pk, order=order, actor="system", kind="odoo_marked_sent", state=order.state,
                         detail={"version": command.lines_version, "odoo_state": _odoo_state(attempt),
                                 **attempt.detail})
    return CommandState.DONE


DONE_HANDLERS = {CommandKind.PUSH: _pushed, CommandKind.CONFIRM: _confirmed, CommandKind.APPROVE: _approved,
                 CommandKind.CANCEL: _cancelled, CommandKind.MARK_SENT: _marked_sent}
