"""Pushing an order to Odoo: exactly one RFQ per order, whatever fails when.

The order's `origin` carries our idempotency key. Before creating we look it up in Odoo; after a failure that may
have reached Odoo (timeout, dropped connection) we look again. So a task run twice, or a network failure after
Odoo created the RFQ, still yields one Odoo purchase order. A short lease on the row (compare-and-set) keeps two
workers from pushing the same order at the same moment; no lock is held across the Odoo call.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from integrations.odoo import gateway
from integrations.odoo.errors import OdooError, OdooUnavailable
from orders.models import OdooSyncStatus, PurchaseOrder
from orders.services.common import result, store_odoo_snapshot
from orders.services.partners import odoo_partner_for_contact
from orders.services.results import OrderResult, Outcome
from orders.services.transitions import purchase_order_event

LEASE = dt.timedelta(seconds=60)
CREATE_ATTEMPT = "odoo_create_attempt"


def purchase_order_push_to_odoo(*, order_id: int) -> OrderResult:
    """Create the RFQ (or rewrite its lines) in Odoo; record the outcome. Safe to run twice."""
    order = PurchaseOrder.objects.get(pk=order_id)
    if order.odoo_sync_status == OdooSyncStatus.SYNCED:
        return result(order, Outcome.UNCHANGED)
    if settings.DRY_RUN:
        return _dry_run(order)
    if not _claim(order_id):
        return result(order, Outcome.PENDING_ODOO, error="another worker is pushing this order")
    try:
        return _push(order)
    except OdooUnavailable as exc:
        return _failed(order, exc, OdooSyncStatus.PENDING, Outcome.PENDING_ODOO, "odoo_unreachable")
    except OdooError as exc:
        return _failed(order, exc, OdooSyncStatus.FAILED, Outcome.ODOO_REFUSED, "odoo_refused")
    finally:
        PurchaseOrder.objects.filter(pk=order_id).update(push_lease_until=None)


def _push(order: PurchaseOrder) -> OrderResult:
    lines = _line_vals(order)
    if order.odoo_id:
        odoo = gateway.order_set_lines(order.odoo_id, lines)
        store_odoo_snapshot(order.pk, odoo)
        purchase_order_event(order_id=order.pk, actor="system", kind="odoo_lines_written", state=order.state,
                             detail={"odoo_id": odoo.id, "amount_total": str(odoo.amount_total)})
        return result(order, Outcome.UPDATED)
    # Only an order some earlier attempt may have created in Odoo needs the look-up by key (one call less per quote).
    odoo = gateway.order_find_by_origin(order.idempotency_key) if _create_attempted(order) else None
    if odoo is None:
        odoo = _create(order, lines)
    store_odoo_snapshot(order.pk, odoo)
    purchase_order_event(order_id=order.pk, actor="system", kind="odoo_pushed", state=order.state,
                         detail={"odoo_id": odoo.id, "odoo_name": odoo.name, "amount_total": str(odoo.amount_total)})
    return result(order, Outcome.CREATED)


def _create(order: PurchaseOrder, lines) -> gateway.OdooOrder:
    partner_id = (order.odoo_partner_id or _known_partner(order)
                  or odoo_partner_for_contact(contact_id=order.contact_id, order_id=order.pk))
    PurchaseOrder.objects.filter(pk=order.pk).update(odoo_partner_id=partner_id)
    # Recorded before the call: if anything fails after Odoo created the RFQ, the next attempt looks it up first.
    purchase_order_event(order_id=order.pk, actor="system", kind=CREATE_ATTEMPT, state=order.state)
    try:
        odoo_id = gateway.order_create(partner_id=partner_id, origin=order.origin, lines=lines)
    except OdooUnavailable as exc:
        if not exc.maybe_done:
            raise
        found = _look_again(order)  # Odoo may have created it before the connection failed
        if found is None:
            raise
        return found
    return gateway.order_read(odoo_id)


def _create_attempted(order: PurchaseOrder) -> bool:
    return order.events.filter(kind=CREATE_ATTEMPT).exists()


def _known_partner(order: PurchaseOrder) -> int | None:
    """The partner an earlier order of this contact already used in Odoo (saves the look-up)."""
    return PurchaseOrder.objects.filter(contact_id=order.contact_id, odoo_partner_id__isnull=False).exclude(
        pk=order.pk).order_by("-created_at").values_list("odoo_partner_id", flat=True).first()


def _look_again(order: PurchaseOrder):
    try:
        return gateway.order_find_by_origin(order.idempotency_key)
    except OdooUnavailable:
        return None


def _line_vals(order: PurchaseOrder) -> list[gateway.LineVals]:
    return [gateway.LineVals(odoo_product_id=l.product.odoo_product_id, quantity=l.quantity,
                             unit_price=l.unit_price) for l in order.lines.select_related("product")]


def _claim(order_id: int) -> bool:
    now = timezone.now()
    return PurchaseOrder.objects.filter(pk=order_id).filter(
        Q(push_lease_until__isnull=True) | Q(push_lease_until__lt=now)).update(push_lease_until=now + LEASE) == 1


def _failed(order, exc: OdooError, status: str, outcome: str, kind: str) -> OrderResult:
    PurchaseOrder.objects.filter(pk=order.pk).update(odoo_sync_status=status, odoo_error=str(exc)[:2000],
                                                     updated_at=timezone.now())
    purchase_order_event(order_id=order.pk, actor="system", kind=kind, state=order.state,
                         detail={"error": str(exc)[:500], "error_type": type(exc).__name__})
    return result(order, outcome, error=str(exc))


def _dry_run(order: PurchaseOrder) -> OrderResult:
    would = {"origin": order.origin, "lines": [
        {"product": l.product.default_code, "qty": str(l.quantity), "price_unit": str(l.unit_price)}
        for l in order.lines.select_related("product")]}
    PurchaseOrder.objects.filter(pk=order.pk).update(odoo_sync_status=OdooSyncStatus.DRY_RUN)
    purchase_order_event(order_id=order.pk, actor="system", kind="dry_run_push", state=order.state,
                         detail={"would_write": would})
    return result(order, Outcome.DRY_RUN)
