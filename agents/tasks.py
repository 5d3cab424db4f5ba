"""Queue tasks of the agents app. Thin: take ids, call one service, safe to run twice."""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.db.models import Max
from django.utils import timezone

from agents.lanes.purchase.notices import order_notices_deliver
from agents.orchestration import conversation_process
from conversations.models import AnswerState, Message
from core.queue import enqueue_now
from orders.models import NoticeState, PurchaseOrderEvent

logger = logging.getLogger(__name__)


def process_inbound_message(message_id: int) -> int:
    """Answer the message (and any other pending ones of its conversation, in order). Returns turns answered."""
    return conversation_process(message_id=message_id)


def deliver_order_notices(order_id: int) -> int:
    """Tell the contact what happened to their order (enqueued by the orders app, by name, after commit)."""
    return order_notices_deliver(order_id=order_id)


def sweep_pending_turns() -> int:
    """Re-drive messages still waiting for an answer after AGENT_SWEEP_AFTER seconds: the broker may have dropped
    the task, or the worker died mid-turn. One task per conversation, for its newest pending message: that task
    answers them all, oldest first."""
    cutoff = timezone.now() - timedelta(seconds=settings.AGENT_SWEEP_AFTER)
    stuck = (
        Message.objects.filter(answer=AnswerState.PENDING, created_at__lt=cutoff)
        .values("conversation_id").annotate(newest=Max("id"))
    )
    count = 0
    for row in stuck:
        enqueue_now("agents.tasks.process_inbound_message", row["newest"])
        count += 1
    if count:
        logger.info("re-driving %s conversations with unanswered messages", count)
    return count


def sweep_order_notices() -> int:
    """Notices whose task was lost (or whose worker died before telling them)."""
    cutoff = timezone.now() - timedelta(seconds=settings.AGENT_SWEEP_AFTER)
    order_ids = (PurchaseOrderEvent.objects.filter(notice=NoticeState.PENDING, created_at__lt=cutoff)
                 .values_list("order_id", flat=True).distinct())
    return sum(order_notices_deliver(order_id=order_id) for order_id in list(order_ids))
