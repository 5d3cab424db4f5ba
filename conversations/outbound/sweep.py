"""The sweeper: the database is the record of pending work, and a broker can drop an in-flight task (STYLE 9).

- `queued` rows that are due (next_attempt_at passed, or never scheduled and older than a grace period) get
  their send task again; the queued → sending claim makes a duplicate task harmless.
- `sending` rows older than OUTBOUND_SENDING_TIMEOUT: the worker died mid-POST, or the POST is lost. Before
  re-posting we look for proof that Chatwoot has the message: a Chatwoot id on the row (an echo claimed it), or
  the message in Chatwoot's latest messages (user tokens). Only when neither exists do we re-post. The choice:
  when the token cannot list messages (bot tokens) and no echo ever came back within the timeout, we re-post,
  accepting a rare duplicate over a reply that silently never arrives (with echoes on, a message Chatwoot
  created would have been claimed long before the timeout).
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from conversations.messages import message_transition
from conversations.models import Direction, Message, MessageStatus
from conversations.outbound.echo import find_in_chatwoot, record_chatwoot_id
from core.metrics import outbound_messages_total
from core.queue import enqueue_now, redrive_once

logger = logging.getLogger(__name__)
S = MessageStatus
BATCH = 500


def outbound_sweep() -> dict:
    """Re-drive stuck outbound rows. Returns counts (for logs and tests)."""
    now = timezone.now()
    grace = timedelta(seconds=settings.OUTBOUND_QUEUED_GRACE)
    stuck_after = timedelta(seconds=settings.OUTBOUND_SENDING_TIMEOUT)
    due = Message.objects.filter(direction=Direction.OUTBOUND, status=S.QUEUED).filter(
        Q(next_attempt_at__lte=now) | Q(next_attempt_at__isnull=True, updated_at__lte=now - grace)
    )
    due_ids = [pk for pk in due.values_list("pk", flat=True)[:BATCH] if redrive_once(f"send:{pk}")]
    for message_id in due_ids:
        enqueue_now("conversations.tasks.send_message", message_id)
    stuck_ids = [pk for pk in Message.objects.filter(
        direction=Direction.OUTBOUND, status=S.SENDING, updated_at__lte=now - stuck_after,
    ).values_list("pk", flat=True)[:BATCH] if redrive_once(f"stuck:{pk}")]
    for message_id in stuck_ids:  # each looks Chatwoot up: a task apiece, not I/O in the sweep
        enqueue_now("conversations.tasks.recover_stuck_message", message_id)
    return {"queued": len(due_ids), "stuck": len(stuck_ids)}


def message_recover_stuck(*, message_id: int) -> str:
    """A row stuck in `sending`: `sent` if Chatwoot has it, else back to `queued` (and re-enqueued)."""
    message = Message.objects.select_related("conversation").filter(pk=message_id, status=S.SENDING).first()
    if message is None:
        return "skipped"
    chatwoot_id = message.chatwoot_id or find_in_chatwoot(message)
    if chatwoot_id is not None:
        record_chatwoot_id(message_id=message.pk, chatwoot_id=chatwoot_id)
        if message_transition(message_id=message.pk, from_status=S.SENDING, to_status=S.SENT, error=""):
            outbound_messages_total.labels(status="sent").inc()
        return "sent"
    moved = message_transition(
        message_id=message.pk, from_status=S.SENDING, to_status=S.QUEUED, next_attempt_at=None,
        error="stuck in sending; not found in Chatwoot and no echo came back: re-posting",
    )
    if moved:
        logger.warning("outbound message %s was stuck in sending; re-posting", message.pk)
        enqueue_now("conversations.tasks.send_message", message.pk)
    return "requeued" if moved else "skipped"
