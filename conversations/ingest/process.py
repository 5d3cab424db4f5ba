"""Processing a stored delivery: run its handler in one transaction, record the outcome on the row."""

from __future__ import annotations

import json
import logging

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from conversations.ingest.dispatch import CHATWOOT_EVENT_HANDLERS
from conversations.models import DeliveryOutcome, WebhookDelivery

logger = logging.getLogger(__name__)


def webhook_delivery_process(*, delivery_id: int) -> str:
    """Run the handler for a pending or failed delivery; processed/ignored ones are left alone (safe twice).

    Handlers are upserts, so a delivery that did run but whose outcome write was lost is safe to run again.
    """
    delivery = WebhookDelivery.objects.filter(pk=delivery_id).first()
    if delivery is None or delivery.outcome in (DeliveryOutcome.PROCESSED, DeliveryOutcome.IGNORED):
        return delivery.outcome if delivery else "missing"
    handler = CHATWOOT_EVENT_HANDLERS.get(delivery.event)
    if handler is None:
        return _record(delivery_id, DeliveryOutcome.IGNORED, f"unknown event {delivery.event!r}")
    try:
        with transaction.atomic():
            outcome, reason = handler.func(json.loads(delivery.body))
            _record(delivery_id, outcome, reason if outcome == DeliveryOutcome.IGNORED else "")
    except Exception as exc:  # noqa: BLE001 - any failure is kept on the row for reprocessing
        logger.exception("chatwoot delivery %s (%s) failed", delivery_id, delivery.event)
        return _record(delivery_id, DeliveryOutcome.FAILED, f"{exc.__class__.__name__}: {exc}"[:2000])
    return outcome


def _record(delivery_id: int, outcome: str, error: str) -> str:
    WebhookDelivery.objects.filter(pk=delivery_id).update(
        outcome=outcome, error=error, processed_at=timezone.now(), attempts=F("attempts") + 1)
    return outcome


def webhook_delivery_reprocess(*, delivery_id: int) -> str:
    """Admin action: run any delivery again (failed ones, or processed ones after a fix); handlers upsert."""
    WebhookDelivery.objects.filter(pk=delivery_id).update(outcome=DeliveryOutcome.PENDING)
    return webhook_delivery_process(delivery_id=delivery_id)
