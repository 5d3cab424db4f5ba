"""Processing a stored delivery: run its handler in one transaction, record the outcome on the row."""

from __future__ import annotations

import logging
import random
import time
from datetime import timedelta

from django.db import IntegrityError, OperationalError, transaction
from django.db.models import F
from django.utils import timezone

from conversations.ingest.arrival import delivery_arrived
from conversations.ingest.dispatch import CHATWOOT_EVENT_HANDLERS
from conversations.ingest.schema import PayloadError, payload_parse
from conversations.models import DeliveryOutcome, WebhookDelivery
from core.queue import enqueue_now, redrive_once

logger = logging.getLogger(__name__)
RACE_ATTEMPTS = 4
# PostgreSQL error codes of a transaction aborted by a concurrent one (appendix A of its manual).
RACE_SQLSTATES = {"40P01": "deadlock", "40001": "serialization failure", "23505": "unique violation"}


def webhook_delivery_process(*, delivery_id: int) -> str:
    """Run the handler for a pending or failed delivery; processed/ignored ones are left alone (safe twice).

    Handlers are upserts, so a delivery that did run but whose outcome write was lost is safe to run again.
    """
    try:
        return _run_once_committed(delivery_id)
    except PayloadError as exc:
        # The sender's problem, not ours: no traceback; the row says why and can be reprocessed once fixed.
        logger.warning("chatwoot delivery %s refused: %s", delivery_id, exc.reason)
        return _record(delivery_id, DeliveryOutcome.FAILED, exc.reason)
    except Exception as exc:  # noqa: BLE001 - any failure is kept on the row for reprocessing
        logger.exception("chatwoot delivery %s failed", delivery_id)
        return _record(delivery_id, DeliveryOutcome.FAILED, one_line(f"{exc.__class__.__name__}: {exc}"))


def _run_once_committed(delivery_id: int) -> str:
    """The handler and the outcome in one transaction, run again when it lost a race to a concurrent delivery.

    Deliveries about one contact run side by side (a merge moving conversations while another delivery opens one,
    two merges into one survivor), and PostgreSQL then aborts one transaction with a deadlock or a unique
    violation of the one-active-conversation constraint. Handlers are upserts, so the loser runs again on what
    the winner committed; a conflict that persists is a real bug and is raised after the last attempt.
    """
    for attempt in range(1, RACE_ATTEMPTS):
        try:
            return _run_in_transaction(delivery_id)
        except (IntegrityError, OperationalError) as exc:
            race = RACE_SQLSTATES.get(getattr(exc.__cause__, "sqlstate", None))
            if race is None:
                raise
            logger.info("chatwoot delivery %s lost a race (%s), running it again", delivery_id, race)
            time.sleep(random.uniform(0.01, 0.05) * attempt)  # let the winner commit; jitter keeps losers apart
    return _run_in_transaction(delivery_id)


def _run_in_transaction(delivery_id: int) -> str:
    """Read, handle and record in one transaction: one round of commits per delivery."""
    with transaction.atomic():
        delivery = (WebhookDelivery.objects.filter(pk=delivery_id)
                    .only("event", "body", "outcome", "received_at").first())
        if delivery is None or delivery.outcome in (DeliveryOutcome.PROCESSED, DeliveryOutcome.IGNORED):
            return delivery.outcome if delivery else "missing"
        handler = CHATWOOT_EVENT_HANDLERS.get(delivery.event)
        if handler is None:
            return _record(delivery_id, DeliveryOutcome.IGNORED, f"unknown event {delivery.event!r}")
        with delivery_arrived(delivery.received_at):
            outcome, reason = handler.func(payload_parse(delivery.body))
        _record(delivery_id, outcome, reason if outcome == DeliveryOutcome.IGNORED else "")
    return outcome


def one_line(text: str, limit: int = 500) -> str:
    """Database errors carry DETAIL/CONTEXT lines; the admin's list shows one line per delivery."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _record(delivery_id: int, outcome: str, error: str) -> str:
    WebhookDelivery.objects.filter(pk=delivery_id).update(
        outcome=outcome, error=error, processed_at=timezone.now(), attempts=F("attempts") + 1)
    return outcome


def webhook_delivery_reprocess(*, delivery_id: int) -> str:
    """Admin action: run any delivery again (failed ones, or processed ones after a fix); handlers upsert."""
    WebhookDelivery.objects.filter(pk=delivery_id).update(outcome=DeliveryOutcome.PENDING)
    return webhook_delivery_process(delivery_id=delivery_id)


def webhook_delivery_sweep(*, older_than_seconds: int = 120, limit: int = 500) -> int:
    """Re-drive deliveries still pending after `older_than_seconds` (a broker can drop an in-flight task).

    Processing is idempotent, so a delivery whose task is merely slow is safe to enqueue again.
    """
    cutoff = timezone.now() - timedelta(seconds=older_than_seconds)
    stuck = [pk for pk in WebhookDelivery.objects.filter(outcome=DeliveryOutcome.PENDING, received_at__lt=cutoff)
             .order_by("received_at").values_list("pk", flat=True)[:limit] if redrive_once(f"delivery:{pk}")]
    for delivery_id in stuck:
        enqueue_now("conversations.tasks_ingest.process_delivery", delivery_id)
    return len(stuck)
