"""Queue tasks of the conversations app. Thin, because the broker may deliver a task twice: take ids, re-fetch,
call one service, safe twice."""

from __future__ import annotations

import logging
import time

from django.conf import settings
from django.utils import timezone
from tenacity import Retrying, retry_if_exception, stop_after_attempt, wait_exponential_jitter

from conversations.models import Conversation, ConversationMode, Message
from conversations.outbound import message_recover_stuck, outbound_sweep
from conversations.outbound.send import message_send
from core.queue import enqueue_now
from integrations.chatwoot.client import chatwoot_client
from integrations.chatwoot.errors import ChatwootError

logger = logging.getLogger(__name__)
# Chatwoot mirror of our modes (CONTRACT section 5): bot ↔ pending, human ↔ open.
CHATWOOT_STATUS_FOR_MODE = {ConversationMode.BOT: "pending", ConversationMode.HUMAN: "open"}


def _inline_wait_max() -> float:
    """Backoffs up to this many seconds are waited out in the worker; longer ones are left to the sweeper."""
    return settings.OUTBOUND_INLINE_WAIT_MAX


def send_message(message_id: int) -> str:
    _wait_until_due(message_id)
    outcome = message_send(message_id=message_id)
    if outcome.status == "retry" and outcome.delay <= _inline_wait_max():
        enqueue_now("conversations.tasks.send_message", message_id)
    return outcome.status


def _wait_until_due(message_id: int) -> None:
    due = Message.objects.filter(pk=message_id).values_list("next_attempt_at", flat=True).first()
    if due is None:
        return
    remaining = (due - timezone.now()).total_seconds()
    if 0 < remaining <= _inline_wait_max():
        time.sleep(remaining)


def sweep_outbound() -> dict:
    counts = outbound_sweep()
    if any(counts.values()):
        logger.info("outbound sweep", extra=counts)
    return counts


def recover_stuck_message(message_id: int) -> str:
    """A reply left `sending` by a worker that died mid-POST: sent if Chatwoot has it, else queued again."""
    return message_recover_stuck(message_id=message_id)


def set_typing(conversation_id: int, on: bool) -> bool:
    """Best effort: a typing indicator that fails is logged, never raised (it must not cost a reply)."""
    chatwoot_id = Conversation.objects.filter(pk=conversation_id).values_list("chatwoot_id", flat=True).first()
    if chatwoot_id is None:
        return False
    try:
        chatwoot_client().toggle_typing(chatwoot_id, on)
    except ChatwootError as exc:
        logger.warning("typing indicator failed for conversation %s: %s", conversation_id, exc)
        return False
    return True


def mirror_mode_to_chatwoot(conversation_id: int) -> str | None:
    """Toggle Chatwoot's status to match our mode as it is NOW (a late task after two quick switches mirrors the
    last one). Transient failures retry with backoff; a permanent one is logged (the ExternalCall row keeps it)."""
    row = Conversation.objects.filter(pk=conversation_id).values("chatwoot_id", "mode").first()
    if row is None:
        return None
    status = CHATWOOT_STATUS_FOR_MODE[row["mode"]]
    retrying = Retrying(
        retry=retry_if_exception(lambda exc: isinstance(exc, ChatwootError) and exc.transient),
        stop=stop_after_attempt(settings.CHATWOOT_MIRROR_ATTEMPTS),
        wait=wait_exponential_jitter(initial=settings.CHATWOOT_MIRROR_BACKOFF, max=10),
        reraise=True,
    )
    try:
        change = retrying(chatwoot_client().toggle_status, row["chatwoot_id"], status)
    except ChatwootError as exc:
        logger.error("could not mirror mode of conversation %s to Chatwoot: %s", conversation_id, exc)
        return None
    if not change.dry_run:
        Conversation.objects.filter(pk=conversation_id).update(chatwoot_status=change.current_status)
    return change.current_status
