"""Which contact messages the agent still owes an answer (`Message.answer`), and how they fold into turns.

Ingestion marks a message `pending` in its own transaction; a turn claims its burst pending → answered by
compare-and-set in the turn's commit, so a message is answered once however often its task runs.
"""

from __future__ import annotations

from datetime import timedelta

from conversations.models import AnswerState, Direction, Message, SenderKind


def is_answerable(message: Message) -> bool:
    """A contact's public inbound message. Outgoing, private (staff notes) and system messages get no answer."""
    return (
        message.direction == Direction.INBOUND
        and not message.private
        and message.sender_kind in (SenderKind.CONTACT, SenderKind.NONE)
    )


def pending_messages(conversation_id: int) -> list[Message]:
    return list(Message.objects.filter(conversation_id=conversation_id, answer=AnswerState.PENDING)
                .order_by("created_at", "id"))


def next_burst(pending: list[Message], window: float) -> list[Message]:
    """The oldest pending message plus those that followed it, each within `window` seconds of the previous one:
    a contact typing "hola" / "quiero" / "10 kilos" in two seconds gets one answer, not three."""
    burst = pending[:1]
    for message in pending[1:]:
        if message.created_at - burst[-1].created_at > timedelta(seconds=window):
            break
        burst.append(message)
    return burst


def messages_skip(*, conversation_id: int) -> int:
    """Staff have the conversation: what the bot owed is no longer its to answer."""
    return Message.objects.filter(conversation_id=conversation_id, answer=AnswerState.PENDING).update(
        answer=AnswerState.SKIPPED)


def messages_claim(*, message_ids: list[int]) -> bool:
    """Compare-and-set pending → answered for the whole burst. False if any of them was answered meanwhile."""
    changed = Message.objects.filter(pk__in=message_ids, answer=AnswerState.PENDING).update(
        answer=AnswerState.ANSWERED)
    return changed == len(message_ids)
