"""Which contact messages the agent still owes an answer (`Message.answer`), and how they fold into turns.

Ingestion marks a message `pending` in its own transaction; a turn claims its burst pending → answered by
compare-and-set in the turn's commit, so a message is answered once however often its task runs.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db.models import Exists

from conversations.models import AnswerState, Direction, Message, SenderKind


def is_answerable(message: Message) -> bool:
    """A contact's public inbound message. Outgoing, private (staff notes) and system messages get no answer."""
    return (
        message.direction == Direction.INBOUND
        and not message.private
        and message.sender_kind in (SenderKind.CONTACT, SenderKind.NONE)
    )


def pending_messages(conversation_id: int) -> list[Message]:
    """The conversation's unanswered messages, oldest first, with the conversation and contact (one query)."""
    return list(Message.objects.filter(conversation_id=conversation_id, answer=AnswerState.PENDING)
                .select_related("conversation__contact").order_by("created_at", "id"))


def has_pending(conversation_id: int) -> bool:
    return Message.objects.filter(conversation_id=conversation_id, answer=AnswerState.PENDING).exists()


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


class Superseded(Exception):
    """Newer messages of the conversation landed before the turn committed: the turn gives way to the next one,
    which answers them all together (the contact was still writing)."""


def messages_claim(*, conversation_id: int, messages: list[Message], since: datetime) -> bool:
    """Compare-and-set pending → answered for the whole burst, provided no message arrived since the turn began
    (`since`): one UPDATE. False if any of them was answered meanwhile; raises Superseded when the contact wrote
    more while the turn was being decided (messages already waiting before belong to the next burst)."""
    newer = Message.objects.filter(conversation_id=conversation_id, answer=AnswerState.PENDING,
                                   created_at__gte=since).exclude(pk__in=[m.pk for m in messages])
    changed = Message.objects.filter(~Exists(newer), pk__in=[m.pk for m in messages],
                                     answer=AnswerState.PENDING).update(answer=AnswerState.ANSWERED)
    if changed == len(messages):
        return True
    if changed == 0 and newer.exists():
        raise Superseded(f"conversation {conversation_id} has newer messages")
    return False
