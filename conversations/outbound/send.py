"""Posting one queued message to Chatwoot: claim (queued → sending), POST outside any transaction, then record.

Retries: transient failures go back to `queued` with `next_attempt_at` = exponential backoff with jitter (at least
Chatwoot's Retry-After), up to OUTBOUND_MAX_ATTEMPTS; permanent ones (other 4xx) fail with the reason.
A timeout is ambiguous (Chatwoot may have created the message before we gave up), so the retry waits at least
OUTBOUND_AMBIGUOUS_RETRY_DELAY for the echo and looks the message up in Chatwoot before posting again.
Past WhatsApp's 24-hour window an order notice goes as the approved template staff set for its kind
(`outbound.templates`); anything else fails with `whatsapp_window_closed` and the conversation goes to staff.
"""

from __future__ import annotations

import logging
import random
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from conversations.handoff.door import conversation_hand_over
from conversations.messages import message_transition
from conversations.models import HandoffReason, Message, MessageStatus
from conversations.outbound.echo import find_in_chatwoot, record_chatwoot_id
from conversations.outbound.templates import TemplateSend, template_for, window_closed
from core.metrics import outbound_messages_total
from integrations.calls import calls_log_now
from integrations.chatwoot.client import SentMessage, chatwoot_client
from integrations.chatwoot.errors import ChatwootError

logger = logging.getLogger(__name__)
S = MessageStatus
WINDOW_CLOSED = "whatsapp_window_closed"
AMBIGUOUS_PREFIX = "ambiguous"


@dataclass(frozen=True)
class SendOutcome:
    status: str  # sent | retry | failed | skipped | not_due
    delay: float = 0.0  # seconds until the next attempt (retry, not_due)


def retry_delay(attempt: int, retry_after: float | None = None) -> float:
    """Exponential backoff with "equal jitter": half the step fixed, half random; never below Retry-After."""
    base = settings.OUTBOUND_RETRY_BASE
    ceiling = min(settings.OUTBOUND_RETRY_MAX, base * 2 ** max(attempt - 1, 0))
    return max(ceiling / 2 + random.uniform(0, ceiling / 2), retry_after or 0.0)


def message_send(*, message_id: int) -> SendOutcome:
    """Send one queued message if it is due. Safe to run twice: only one caller wins the queued → sending claim."""
    message = Message.objects.select_related("conversation").filter(pk=message_id).first()
    if message is None or message.status != S.QUEUED:
        return SendOutcome("skipped")
    now = timezone.now()
    if message.next_attempt_at and message.next_attempt_at > now:
        return SendOutcome("not_due", (message.next_attempt_at - now).total_seconds())
    template = None
    if window_closed(message):
        template, why = template_for(message)
        if template is None:
            return _fail_window_closed(message, why=why)
    if message.error.startswith(AMBIGUOUS_PREFIX) and _found_in_chatwoot(message):
        return SendOutcome("sent")
    claimed = message_transition(
        message_id=message.pk, from_status=S.QUEUED, to_status=S.SENDING, send_attempts=F("send_attempts") + 1
    )
    if not claimed:
        return SendOutcome("skipped")  # another worker, or an echo, got there first
    return _post(message, attempt=message.send_attempts + 1, template=template)


def message_post_claimed(*, message: Message) -> SendOutcome:
    """Post a reply created already claimed (`reply_queue(send_now=True)`), right after the commit that created
    it. `message.conversation` should be loaded (the caller has it). Failures take the usual retry path."""
    if message.status != S.SENDING:
        return SendOutcome("skipped")
    template = None
    if window_closed(message):
        template, why = template_for(message)
        if template is None:
            return _fail_window_closed(message, from_status=S.SENDING, why=why)
    return _post(message, attempt=message.send_attempts, template=template)


def _post(message: Message, *, attempt: int, template: TemplateSend | None = None) -> SendOutcome:
    """Past the window, `template`: the approved template goes instead of free text (buttons cannot go with it)."""
    try:
        sent = chatwoot_client().send_message(
            message.conversation.chatwoot_id,
            template.content if template else message.content,
            content_type="text" if template else message.content_type,
            content_attributes=None if template else message.content_attributes or None,
            private=message.private,
            template_params=template.params if template else None,
        )
    except ChatwootError as exc:
        return _after_failure(message, exc, attempt=attempt)
    return _after_success(message, sent)


def _after_success(message: Message, sent: SentMessage) -> SendOutcome:
    fields = {"error": "", "next_attempt_at": None}
    if sent.id is not None:
        fields["chatwoot_id"] = sent.id
    try:
        with transaction.atomic():
            moved = message_transition(message_id=message.pk, from_status=S.SENDING, to_status=S.SENT, **fields)
            if not moved and sent.id is not None:
                # The echo arrived before this POST returned and already moved the row to `sent` (and mostly
                # numbered it too): the id, if still missing, in the same commit.
                Message.objects.filter(pk=message.pk, chatwoot_id__isnull=True).update(chatwoot_id=sent.id)
            calls_log_now()  # the POST's call row commits with the status it caused
    except IntegrityError:
        # Ingestion already stored the echo as a separate row (it did not match ours): keep ours without the id.
        logger.error("chatwoot id %s already stored on another row (message %s)", sent.id, message.pk)
        fields.pop("chatwoot_id")
        moved = message_transition(message_id=message.pk, from_status=S.SENDING, to_status=S.SENT, **fields)
    if moved:
        outbound_messages_total.labels(status="sent").inc()
    return SendOutcome("sent")


def _after_failure(message: Message, exc: ChatwootError, *, attempt: int) -> SendOutcome:
    if exc.ambiguous and _found_at_once(message):
        return SendOutcome("sent")
    max_attempts = settings.OUTBOUND_MAX_ATTEMPTS
    if not exc.transient or attempt >= max_attempts:
        reason = exc.reason if not exc.transient else f"gave up after {attempt} attempts: {exc.reason}"
        message_transition(message_id=message.pk, from_status=S.SENDING, to_status=S.FAILED, error=reason)
        outbound_messages_total.labels(status="failed").inc()
        logger.warning("outbound message %s failed: %s", message.pk, reason)
        return SendOutcome("failed")
    delay = retry_delay(attempt, exc.retry_after)
    error = exc.reason
    if exc.ambiguous:
        delay = max(delay, settings.OUTBOUND_AMBIGUOUS_RETRY_DELAY)
        error = f"{AMBIGUOUS_PREFIX}: {exc.reason}"
    message_transition(
        message_id=message.pk, from_status=S.SENDING, to_status=S.QUEUED,
        next_attempt_at=timezone.now() + timedelta(seconds=delay), error=error[:500],
    )
    outbound_messages_total.labels(status="retry").inc()
    return SendOutcome("retry", delay)


def _found_at_once(message: Message) -> bool:
    """Chatwoot may have created the message before failing (a 5xx, a reset, a timeout): if a look-up shows it
    now, it is sent. Bot tokens cannot list messages; then the echo, or the delayed look-up, decides."""
    found = find_in_chatwoot(message)
    if found is None:
        return False
    record_chatwoot_id(message_id=message.pk, chatwoot_id=found)
    if message_transition(message_id=message.pk, from_status=S.SENDING, to_status=S.SENT, error=""):
        outbound_messages_total.labels(status="sent").inc()
    return True


def _found_in_chatwoot(message: Message) -> bool:
    """After an ambiguous failure: if Chatwoot has the message, record it as sent instead of posting again."""
    found = find_in_chatwoot(message)
    if found is None:
        return False
    record_chatwoot_id(message_id=message.pk, chatwoot_id=found)
    if message_transition(message_id=message.pk, from_status=S.QUEUED, to_status=S.SENT, error=""):
        outbound_messages_total.labels(status="sent").inc()
    return True


def _fail_window_closed(message: Message, *, from_status: str = S.QUEUED, why: str = "") -> SendOutcome:
    """No template can say it: staff take the conversation, and their note says what was not sent and why."""
    with transaction.atomic():
        moved = message_transition(
            message_id=message.pk, from_status=from_status, to_status=S.FAILED, error=WINDOW_CLOSED
        )
        if moved:
            conversation_hand_over(conversation_id=message.conversation_id, reason=HandoffReason.WHATSAPP_WINDOW,
                                   actor="system", summary=_window_summary(message, why))
    if moved:
        outbound_messages_total.labels(status="failed").inc()
    return SendOutcome("failed" if moved else "skipped")


def _window_summary(message: Message, why: str) -> str:
    return (f"📵 Pasaron más de 24 horas desde el último mensaje del contacto: WhatsApp no acepta texto libre y este "
            f"mensaje no se envió ({why}). Respóndele con una plantilla aprobada desde Chatwoot.\n"
            f"Mensaje pendiente: «{message.content[:500]}»")
