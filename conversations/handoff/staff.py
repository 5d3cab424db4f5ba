"""Staff-facing handoff services: take over, hand back, reply from the admin, retry a failed send, and the sweep
that hands idle conversations back to the bot and raises the "waiting too long" notice once.

The console calls these; none of them talks to Chatwoot or Slack inline. Mode changes go through the door
(`conversations.handoff.door`); the Chatwoot assignment and the Slack notices are queued after commit. Every
take-over, hand-back and staff reply leaves a `ConversationEvent` row with who and when.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from conversations.handoff.door import conversation_admin_path, conversation_hand_back, conversation_hand_over
from conversations.models import (
    PERSON_ON_IT_REASONS, Conversation, ConversationEvent, ConversationMode, Direction, HandoffReason, Message,
    MessageOrigin, SenderKind,
)
from conversations.outbound.queue import message_retry, reply_queue
from core.errors import DomainError
from core.queue import enqueue_on_commit
from integrations import slack

logger = logging.getLogger(__name__)

HUMAN, BOT = ConversationMode.HUMAN, ConversationMode.BOT
ASSIGN_TASK = "conversations.tasks_handoff.mirror_assignee_to_chatwoot"
# WhatsApp rejects text messages over 4096 characters; the other channels take at least that much.
REPLY_MAX_CHARS = 4096
SWEEP_BATCH = 200
# Handoff reasons that mean a person already answered (in Chatwoot): such a conversation does not "wait".
class TakeOver:
    """Outcomes of `conversation_take_over`."""

    TAKEN = "taken"  # was with the bot; now human mode, theirs
    CLAIMED = "claimed"  # was already waiting for (or held by another) human; now theirs
    ALREADY_THEIRS = "already_theirs"


def reason_label(reason: str) -> str:
    """What the console shows for a stored reason (older rows may carry reasons no longer produced)."""
    try:
        return HandoffReason(reason).label
    except ValueError:
        return reason or "—"


# --- take over, hand back, reply ----------------------------------------------------------------------------------

def conversation_take_over(*, conversation_id: int, user: User) -> str:
    """Staff take the conversation: human mode (the bot goes quiet at once), theirs, assigned to them in Chatwoot
    when their Chatwoot agent id is known (`StaffProfile`). Returns a `TakeOver` outcome."""
    with transaction.atomic(durable=True):
        conversation = _locked(conversation_id)
        return _take_over(conversation, user, reason=HandoffReason.TAKEN_OVER)


def conversation_staff_hand_back(*, conversation_id: int, user: User) -> bool:
    """Back to the bot (Chatwoot: pending, unassigned). False when it was already with the bot."""
    with transaction.atomic(durable=True):
        switched = conversation_hand_back(conversation_id=conversation_id, actor=user.get_username(),
                                          reason="handed_back")
        if switched:
            enqueue_on_commit(ASSIGN_TASK, conversation_id)
    return switched


def conversation_staff_reply(*, conversation_id: int, user: User, content: str) -> Message:
    """Queue a staff reply (sent through Chatwoot as an outgoing message, see `conversations.outbound`). A human is
    speaking, so a conversation with the bot is taken over first, in the same transaction."""
    text = (content or "").strip()
    if not text:
        raise DomainError("Write a reply before sending.", code="empty_reply")
    if len(text) > REPLY_MAX_CHARS:
        raise DomainError(f"The reply is too long ({len(text)} characters, at most {REPLY_MAX_CHARS}).",
                          code="reply_too_long")
    with transaction.atomic(durable=True):
        conversation = _locked(conversation_id)
        _take_over(conversation, user, reason=HandoffReason.STAFF_REPLY)
        message = reply_queue(conversation_id=conversation_id, content=text, origin=MessageOrigin.STAFF,
                              staff_user_id=user.pk)
        ConversationEvent.objects.create(conversation_id=conversation_id, kind="staff_reply",
                                         actor=user.get_username(), reason=f"message {message.pk}: {text[:200]}")
    return message


def conversation_message_retry(*, conversation_id: int, message_id: int, user: User) -> bool:
    """Staff retry of a failed outbound message of this conversation (`message_retry`), audited. False when the
    message was not failed any more (already retried, or sent meanwhile)."""
    exists = Message.objects.filter(pk=message_id, conversation_id=conversation_id, direction=Direction.OUTBOUND)
    if not exists.exists():
        raise DomainError(f"Message {message_id} is not an outbound message of this conversation.", code="not_found")
    with transaction.atomic(durable=True):
        moved = message_retry(message_id=message_id)
        if moved:
            ConversationEvent.objects.create(conversation_id=conversation_id, kind="message_retried",
                                             actor=user.get_username(), before="failed", after="queued",
                                             reason=f"message {message_id}")
    return moved


def _locked(conversation_id: int) -> Conversation:
    """The row lock serialises take-over, staff reply and the sweep on one conversation (no I/O is done under it)."""
    conversation = Conversation.objects.select_for_update().filter(pk=conversation_id).first()
    if conversation is None:
        raise DomainError(f"Conversation {conversation_id} does not exist.", code="not_found")
    return conversation


def _take_over(conversation: Conversation, user: User, *, reason: HandoffReason) -> str:
    """Caller holds the conversation row lock (`_locked`) inside a transaction."""
    actor = user.get_username()
    if conversation.mode == BOT:
        conversation_hand_over(conversation_id=conversation.pk, reason=reason, actor=actor, taken_by_id=user.pk)
        outcome = TakeOver.TAKEN
    elif conversation.taken_by_id == user.pk:
        return TakeOver.ALREADY_THEIRS
    else:
        previous = conversation.taken_by.get_username() if conversation.taken_by_id else "nobody"
        # The auto-return clock runs from the claim: a long-waiting conversation must not bounce back at once.
        now = timezone.now()
        Conversation.objects.filter(pk=conversation.pk).update(taken_by=user, handoff_at=now, updated_at=now)
        ConversationEvent.objects.create(
            conversation_id=conversation.pk, kind="taken_over", actor=actor, before=HUMAN, after=HUMAN,
            reason=f"claimed from {previous} (handoff: {conversation.handoff_reason or '—'})",
        )
        outcome = TakeOver.CLAIMED
    enqueue_on_commit(ASSIGN_TASK, conversation.pk)
    return outcome


# --- the sweep: auto hand-back and the waiting notice -------------------------------------------------------------

def staff_replies() -> QuerySet[Message]:
    """Replies to the contact written by a person: from our admin, or in Chatwoot by an agent or the business phone
    (ingestion stores those as origin `chatwoot`, sender user or none). Private notes are not replies."""
    by_person = Q(origin=MessageOrigin.STAFF) | Q(
        origin=MessageOrigin.CHATWOOT, sender_kind__in=(SenderKind.USER, SenderKind.NONE)
    )
    return Message.objects.filter(by_person, direction=Direction.OUTBOUND, private=False)


def idle_with_staff(*, now: datetime) -> QuerySet[Conversation]:
    """Human mode for over HANDOFF_AUTO_RETURN_MINUTES without any staff reply in that time (none since the
    handoff, or the last one older than that)."""
    cutoff = now - timedelta(minutes=settings.HANDOFF_AUTO_RETURN_MINUTES)
    recent = staff_replies().filter(conversation=OuterRef("pk"), created_at__gt=cutoff)
    return Conversation.objects.filter(mode=HUMAN, is_active=True, handoff_at__lte=cutoff).exclude(Exists(recent))


def waiting_too_long(*, now: datetime) -> QuerySet[Conversation]:
    """Waiting for a human (nobody took it, nobody replied since the handoff) for over HANDOFF_WAIT_ALERT_MINUTES,
    not yet noticed."""
    cutoff = now - timedelta(minutes=settings.HANDOFF_WAIT_ALERT_MINUTES)
    replied = staff_replies().filter(conversation=OuterRef("pk"), created_at__gte=OuterRef("handoff_at"))
    return (
        Conversation.objects.filter(mode=HUMAN, is_active=True, taken_by__isnull=True, handoff_alerted_at__isnull=True,
                                    handoff_at__lte=cutoff)
        .exclude(handoff_reason__in=PERSON_ON_IT_REASONS)
        .exclude(Exists(replied))
    )


def handoff_sweep(*, now: datetime | None = None) -> dict:
    """Hand idle conversations back to the bot, then raise the wait notice for those waiting too long.
    Safe to run twice or concurrently: each conversation is re-checked under its row lock."""
    now = now or timezone.now()
    counts = {"handed_back": 0, "alerted": 0}
    if settings.HANDOFF_AUTO_RETURN_MINUTES > 0:
        for pk in list(idle_with_staff(now=now).values_list("pk", flat=True)[:SWEEP_BATCH]):
            counts["handed_back"] += conversation_auto_return(conversation_id=pk, now=now)
    if settings.HANDOFF_WAIT_ALERT_MINUTES > 0:
        for pk in list(waiting_too_long(now=now).values_list("pk", flat=True)[:SWEEP_BATCH]):
            counts["alerted"] += conversation_wait_alert(conversation_id=pk, now=now)
    return counts


def conversation_auto_return(*, conversation_id: int, now: datetime) -> bool:
    """Back to the bot if it is still idle with staff (re-checked under the lock: a reply may have just landed)."""
    minutes = settings.HANDOFF_AUTO_RETURN_MINUTES
    with transaction.atomic(durable=True):
        _locked(conversation_id)
        if not idle_with_staff(now=now).filter(pk=conversation_id).exists():
            return False
        conversation_hand_back(conversation_id=conversation_id, actor="system",
                               reason=f"auto_return: no staff reply for {minutes} min")
        enqueue_on_commit(ASSIGN_TASK, conversation_id)
    logger.info("conversation handed back to the bot", extra={"conversation_id": conversation_id,
                                                              "idle_minutes": minutes})
    return True


def conversation_wait_alert(*, conversation_id: int, now: datetime) -> bool:
    """Raise the "waiting for a human too long" notice once: audit row, Slack (after commit) and a log line."""
    with transaction.atomic(durable=True):
        conversation = _locked(conversation_id)
        if not waiting_too_long(now=now).filter(pk=conversation_id).exists():
            return False
        Conversation.objects.filter(pk=conversation_id).update(handoff_alerted_at=now)
        waited = int((now - conversation.handoff_at).total_seconds() // 60)
        ConversationEvent.objects.create(
            conversation_id=conversation_id, kind="wait_alert", actor="system", before=HUMAN, after=HUMAN,
            reason=f"waiting for a human for {waited} min ({conversation.handoff_reason})",
        )
        slack.notify(text=_wait_text(conversation, waited), link=conversation_admin_path(conversation_id),
                     kind="handoff_wait")
    logger.warning("conversation waiting for a human too long",
                   extra={"conversation_id": conversation_id, "waited_minutes": waited,
                          "reason": conversation.handoff_reason})
    return True


def _wait_text(conversation: Conversation, waited: int) -> str:
    return (f"⏰ La conversación #{conversation.chatwoot_id} con {conversation.contact} lleva {waited} min esperando "
            f"a una persona y nadie la ha tomado.")
