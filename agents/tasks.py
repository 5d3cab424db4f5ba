"""Queue tasks of the agents app. Thin: take ids, call one service, safe to run twice."""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.db.models import Max
from django.utils import timezone

from agents.lanes.purchase.notices import order_notices_deliver
from agents.orchestration import conversation_process
from agents.orchestration.runner import conversation_lock_name
from conversations.models import AnswerState, Message
from core.locks import is_locked
from core.queue import enqueue_now, redrive_once
from integrations.calls import with_calls_batched
from orders.models import NoticeState, PurchaseOrderEvent

logger = logging.getLogger(__name__)
SWEEP_BATCH = 500


@with_calls_batched
def process_inbound_message(message_id: int, conversation_id: int | None = None) -> int:
    """Answer the message (and any other pending ones of its conversation, in order). Returns turns answered."""
    return conversation_process(message_id=message_id, conversation_id=conversation_id)


@with_calls_batched
def deliver_order_notices(order_id: int) -> int:
    """Tell the contact what happened to their order (enqueued by the orders app, by name, after commit)."""
    return len(order_notices_deliver(order_id=order_id))


def sweep_pending_turns() -> int:
    """Re-drive messages still waiting for an answer after AGENT_SWEEP_AFTER seconds while no turn runs for their
    conversation: the broker lost the task, or the worker died mid-turn (its lease lapsed). One task per
    conversation, for its newest pending message: that task answers them all, oldest first."""
    cutoff = timezone.now() - timedelta(seconds=settings.AGENT_SWEEP_AFTER)
    stuck = (
        Message.objects.filter(answer=AnswerState.PENDING, created_at__lt=cutoff)
        .values("conversation_id").annotate(newest=Max("id"))
    )
    count = 0
    for row in stuck[:SWEEP_BATCH]:
        conversation_id = row["conversation_id"]
        if is_locked(conversation_lock_name(conversation_id)) or not redrive_once(f"turn:{conversation_id}"):
            continue
        enqueue_now("agents.tasks.process_inbound_message", row["newest"])
        count += 1
    if count:
        logger.info("re-driving %s conversations with unanswered messages", count)
    return count


def sweep_order_notices() -> int:
    """Notices whose task was lost (or whose worker died before telling them): one task per order."""
    cutoff = timezone.now() - timedelta(seconds=settings.AGENT_SWEEP_AFTER)
    order_ids = (PurchaseOrderEvent.objects.filter(notice=NoticeState.PENDING, created_at__lt=cutoff)
                 .values_list("order_id", flat=True).distinct()[:SWEEP_BATCH])
    due = [order_id for order_id in order_ids if redrive_once(f"notices:{order_id}")]
    for order_id in due:
        enqueue_now("agents.tasks.deliver_order_notices", order_id)
    return len(due)
