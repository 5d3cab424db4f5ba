"""Receiving a Chatwoot delivery: authenticate, validate, store once, answer (CONTRACT section 3).

The store is one `INSERT … ON CONFLICT DO NOTHING RETURNING id` guarded by the two unique constraints
(X-Chatwoot-Delivery and the event dedupe key), so a duplicate costs one statement and no race can store twice.
The echo of our own reply and the receipts about it are settled here as they are stored; everything else is
processed by a task.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import time
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from conversations.ingest.arrival import line_arrival_note
from conversations.ingest.dispatch import CHATWOOT_EVENT_HANDLERS
from conversations.ingest.messages import may_be_own_reply, own_reply_find, own_reply_settle
from conversations.ingest.parsing import latest_push_message
from conversations.ingest.schema import PayloadError, payload_decode, payload_parse
from conversations.models import DeliveryOutcome, DuplicateDelivery, WebhookDelivery
from core.queue import enqueue_on_commit

logger = logging.getLogger(__name__)
_KEPT_HEADERS = ("X-Chatwoot-Delivery", "X-Chatwoot-Timestamp", "X-Chatwoot-Signature", "User-Agent",
                 "Content-Type")


class WebhookRejected(Exception):
    def __init__(self, status: int, message: str, event: str = "unknown"):
        super().__init__(message)
        self.status, self.message, self.event = status, message, event


@dataclass(frozen=True)
class Receipt:
    event: str
    status: str  # accepted | duplicate | ignored
    reason: str = ""


def signature_check(*, body: bytes, timestamp: str | None, signature: str | None, now: float | None = None) -> None:
    """HMAC-SHA256 over "{timestamp}.{raw body}" against any configured secret, fresh within the max age."""
    secrets = [s for s in settings.CHATWOOT_WEBHOOK_SECRETS if s]
    if not secrets:
        return
    if not timestamp or not signature:
        raise WebhookRejected(401, "missing signature")
    try:
        age = abs((now or time.time()) - int(timestamp))
    except (ValueError, OverflowError):  # not digits, or too many for a float
        raise WebhookRejected(401, "bad timestamp") from None
    if age > settings.CHATWOOT_SIGNATURE_MAX_AGE:
        raise WebhookRejected(401, "stale signature")
    message = timestamp.encode() + b"." + body
    for secret in secrets:
        expected = "sha256=" + hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()
        # Bytes: compare_digest refuses str with non-ASCII characters, which a forged header may carry.
        if hmac.compare_digest(expected.encode(), signature.encode("utf-8", "replace")):
            return
    raise WebhookRejected(401, "bad signature")


def token_check(token: str | None) -> None:
    """Token-in-URL mode for Chatwoot versions that cannot sign; signed deliveries may use the plain URL."""
    expected = settings.CHATWOOT_WEBHOOK_TOKEN
    if token is None and (not expected or any(settings.CHATWOOT_WEBHOOK_SECRETS)):
        return
    if not expected or not hmac.compare_digest(expected.encode(), (token or "").encode()):
        raise WebhookRejected(401, "wrong token")


def parse_payload(body: bytes) -> tuple[dict, str]:
    """The payload and the body as text, or 400 naming the field that cannot be processed (ingest/schema.py)."""
    try:
        text = payload_decode(body)
        return payload_parse(text), text
    except PayloadError as exc:
        event = exc.event if exc.event in CHATWOOT_EVENT_HANDLERS else "unknown"  # a bounded metric label
        raise WebhookRejected(400, exc.reason, event) from None


def dedupe_key(payload: dict) -> str | None:
    """The same event about the same Chatwoot object is one delivery, whatever its X-Chatwoot-Delivery.

    message_updated also keys on what changed (receipt status, source id, content, error), so a real receipt
    is never mistaken for a duplicate of an earlier update.
    """
    event, account = payload["event"], (payload.get("account") or {}).get("id")
    if event in ("message_created", "conversation_created", "contact_created"):
        return f"{event}:{account}:{payload['id']}"
    if event == "message_updated":
        attributes = payload.get("content_attributes") or {}
        state = json.dumps([(latest_push_message(payload) or {}).get("status"), payload.get("source_id"),
                            payload.get("content"), attributes], sort_keys=True, default=str)
        return f"{event}:{account}:{payload['id']}:{hashlib.sha256(state.encode()).hexdigest()[:24]}"
    return None


def _ignore_reason(payload: dict) -> str:
    handler = CHATWOOT_EVENT_HANDLERS.get(payload["event"])
    if handler is None:
        return f"unknown event {payload['event']!r}"
    if not handler.acts:
        return handler.ignore_reason
    account = (payload.get("account") or {}).get("id")
    if account is not None and account != settings.CHATWOOT_ACCOUNT_ID:
        return f"unknown account {account}"
    return ""


def webhook_delivery_receive(*, body: bytes, headers: dict, token: str | None = None) -> Receipt:
    """Authenticate, validate and store one delivery; enqueue its processing after commit."""
    token_check(token)
    signature_check(body=body, timestamp=headers.get("X-Chatwoot-Timestamp"),
                    signature=headers.get("X-Chatwoot-Signature"))
    payload, text = parse_payload(body)
    reason = _ignore_reason(payload)
    if not reason and (settled := _own_reply_settled(payload, text, headers)) is not None:
        return settled
    outcome = DeliveryOutcome.IGNORED if reason else DeliveryOutcome.PENDING
    # One statement, no explicit transaction: in autocommit the row is committed when the INSERT returns, and
    # enqueue_on_commit then runs at once (inside a caller's transaction it still waits for the commit).
    received_at = timezone.now()
    delivery_id = _insert_delivery(payload, text, headers, outcome, reason, received_at=received_at)
    if delivery_id is None:
        _record_duplicate(payload, headers)
        return Receipt(payload["event"], "duplicate")
    if not reason:
        if payload["event"] == "message_created":
            line_arrival_note(payload, received_at)
        enqueue_on_commit("conversations.tasks_ingest.process_delivery", delivery_id)
    return Receipt(payload["event"], "ignored" if reason else "accepted", reason)


def _own_reply_settled(payload: dict, text: str, headers: dict) -> Receipt | None:
    """The echo of a reply we sent, or a receipt about it, settled here in one short transaction.

    Every reply brings one or two of these deliveries. Our row is already stored and takes at most a status step
    (a read by its Chatwoot id, an update), less work than queueing a task and a worker picking it up. Anything
    else, or any failure, returns None and takes the queued path.
    """
    if payload["event"] not in ("message_created", "message_updated") or not may_be_own_reply(payload):
        return None  # a contact's message: no transaction spent looking for one of ours
    try:
        with transaction.atomic():  # the read joins the write's transaction: one commit in all
            ours = own_reply_find(payload)
            if ours is None:
                return None
            delivery_id = _insert_delivery(payload, text, headers, DeliveryOutcome.PROCESSED, "", processed=True)
            if delivery_id is not None:
                own_reply_settle(message=ours, payload=payload)
    except PayloadError:
        return None  # rolled back; the queued path records the delivery as failed, with the reason
    except Exception:  # noqa: BLE001 - nothing was stored (rolled back): the queued path stores and retries it
        logger.warning("own reply %s not settled at receipt, queued instead", payload.get("id"), exc_info=True)
        return None
    if delivery_id is None:
        _record_duplicate(payload, headers)
        return Receipt(payload["event"], "duplicate")
    return Receipt(payload["event"], "accepted")


def _record_duplicate(payload: dict, headers: dict) -> None:
    DuplicateDelivery.objects.create(event=payload["event"][:64],
                                     delivery_id=(headers.get("X-Chatwoot-Delivery") or "")[:64],
                                     dedupe_key=dedupe_key(payload) or "")


def _insert_delivery(payload: dict, text: str, headers: dict, outcome: str, reason: str, *,
                     processed: bool = False, received_at: datetime | None = None) -> int | None:
    table = WebhookDelivery._meta.db_table
    kept = {k: headers[k] for k in _KEPT_HEADERS if headers.get(k)}
    delivery = (headers.get("X-Chatwoot-Delivery") or "")[:64] or None
    account = (payload.get("account") or {}).get("id")
    sql = (f"INSERT INTO {table} (delivery_id, dedupe_key, event, account_id, body, headers, received_at, outcome,"
           " error, attempts, processed_at) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)"
           " ON CONFLICT DO NOTHING RETURNING id")
    now = received_at or timezone.now()
    params = [delivery, dedupe_key(payload), payload["event"][:64], account if isinstance(account, int) else None,
              text, json.dumps(kept), now, outcome, reason, 1 if processed else 0, now if processed else None]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    return row[0] if row else None
