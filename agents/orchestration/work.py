"""Inbound work rows: which contact messages the agent still owes an answer, and how they fold into turns."""

from __future__ import annotations

from datetime import timedelta

from django.db import IntegrityError, transaction

from agents.models import InboundWork, WorkState
from conversations.models import Direction, Message, SenderKind


def is_answerable(message: Message) -> bool:
    """A contact's public inbound message. Outgoing, private (staff notes) and system messages get no answer."""
    return (
        message.direction == Direction.INBOUND
        and not message.private
        and message.sender_kind in (SenderKind.CONTACT, SenderKind.NONE)
    )


def work_ensure(*, message: Message) -> InboundWork | None:
    """The work row of an answerable message, created when missing (the task may run before or without the seam)."""
    if not is_answerable(message):
        return None
    try:
        with transaction.atomic():
            work, _ = InboundWork.objects.get_or_create(
                message=message, defaults={"conversation_id": message.conversation_id}
            )
    except IntegrityError:  # created concurrently by a redelivered task
        work = InboundWork.objects.get(message=message)
    return work


def pending_works(conversation_id: int) -> list[InboundWork]:
    return list(
        InboundWork.objects.filter(conversation_id=conversation_id, state=WorkState.PENDING)
        .select_related("message")
        .order_by("message__created_at", "message_id")
    )


def next_burst(pending: list[InboundWork], window: float) -> list[InboundWork]:
    """The oldest pending message plus those that followed it, each within `window` seconds of the previous one:
    a contact typing "hola" / "quiero" / "10 kilos" in two seconds gets one answer, not three."""
    burst = pending[:1]
    for work in pending[1:]:
        gap = work.message.created_at - burst[-1].message.created_at
        if gap > timedelta(seconds=window):
            break
        burst.append(work)
    return burst


def works_skip(*, conversation_id: int, reason: str) -> int:
    return InboundWork.objects.filter(conversation_id=conversation_id, state=WorkState.PENDING).update(
        state=WorkState.SKIPPED, skip_reason=reason[:64]
    )


def works_claim(*, work_ids: list[int], turn_id: int) -> bool:
    """Compare-and-set pending → done for the whole burst. False if any of them was answered meanwhile."""
    changed = InboundWork.objects.filter(pk__in=work_ids, state=WorkState.PENDING).update(
        state=WorkState.DONE, turn_id=turn_id
    )
    return changed == len(work_ids)
