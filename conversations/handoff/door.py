"""The one door for handoffs: a conversation goes to staff (`conversation_hand_over`) or back to the bot
(`conversation_hand_back`), and nothing else writes `Conversation.mode`.

Every surface calls these: the agent's turn commit, the sender (WhatsApp window closed), ingestion (a person
replied in Chatwoot, or Chatwoot's status changed), the console (take over, staff reply, hand back) and the sweep
(auto return). The stored truth is the conversation's mode with its reason and time, and one `HandoffCase` row
per hand-over; the agent's session only reads the mode.

Each change is a compare-and-set on the mode, audited as a `ConversationEvent`, mirrored to Chatwoot's status
after commit (bot <-> pending, human <-> open) unless the change came from Chatwoot itself; a hand-over decided by
the bot or the system is also told to staff on Slack.
"""

from __future__ import annotations

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from conversations.models import (
    Conversation, ConversationEvent, ConversationMode, HandoffCase, HandoffReason,
)
from conversations.outbound import conversation_post_private_note
from core.queue import enqueue_on_commit
from integrations import slack

HUMAN, BOT = ConversationMode.HUMAN, ConversationMode.BOT
MIRROR_TASK = "conversations.tasks.mirror_mode_to_chatwoot"
# A hand-over by these actors means nobody on staff has it yet: staff are told on Slack. A staff username or
# "chatwoot" (an agent answered or opened it there) means a person is already on it.
NEEDS_HUMAN_ACTORS = frozenset({"bot", "system"})


def conversation_hand_over(
    *, conversation_id: int, reason: HandoffReason, actor: str, summary: str = "", contact_text: str = "",
    turn_id: int | None = None, taken_by_id: int | None = None, mirror: bool = True,
) -> bool:
    """Bot -> human. Returns False when staff already had it (nothing written).

    `summary` is what staff read: kept on the case and posted to Chatwoot as a private note. `mirror=False` when
    Chatwoot itself made the change (its status already says so). `taken_by_id`: the staff member who takes it.
    """
    reason = HandoffReason(reason)
    now = timezone.now()
    with transaction.atomic():
        changed = Conversation.objects.filter(pk=conversation_id, mode=BOT).update(
            mode=HUMAN, handoff_reason=reason, handoff_at=now, taken_by_id=taken_by_id, handoff_alerted_at=None,
            updated_at=now)
        if not changed:
            return False
        ConversationEvent.objects.create(conversation_id=conversation_id, kind="mode_changed", actor=actor,
                                         before=BOT, after=HUMAN, reason=reason)
        HandoffCase.objects.create(conversation_id=conversation_id, reason=reason, actor=actor, summary=summary,
                                   contact_text=contact_text, turn_id=turn_id)
        if summary:
            conversation_post_private_note(conversation_id=conversation_id, content=summary)
        if mirror:
            enqueue_on_commit(MIRROR_TASK, conversation_id)
        if actor in NEEDS_HUMAN_ACTORS:
            _tell_staff_needs_human(conversation_id, reason)
    return True


def conversation_hand_back(*, conversation_id: int, actor: str, reason: str, mirror: bool = True) -> bool:
    """Human -> bot; the open case ends. Returns False when it was already with the bot."""
    now = timezone.now()
    with transaction.atomic():
        changed = Conversation.objects.filter(pk=conversation_id, mode=HUMAN).update(
            mode=BOT, handoff_reason="", handoff_at=None, taken_by_id=None, handoff_alerted_at=None, updated_at=now)
        if not changed:
            return False
        ConversationEvent.objects.create(conversation_id=conversation_id, kind="mode_changed", actor=actor,
                                         before=HUMAN, after=BOT, reason=reason)
        HandoffCase.objects.filter(conversation_id=conversation_id, ended_at__isnull=True).update(
            ended_at=now, ended_by=actor[:150])
        if mirror:
            enqueue_on_commit(MIRROR_TASK, conversation_id)
    return True


def conversation_human_has_it(*, conversation_id: int) -> bool:
    """Whether staff have the conversation, read under its row lock. Caller holds a transaction.

    Take-over and staff replies lock the row too, so this orders a bot reply against them: either the take-over
    committed first and the bot stays silent, or the bot's reply precedes it.
    """
    mode = Conversation.objects.select_for_update().filter(pk=conversation_id).values_list("mode", flat=True).get()
    return mode == HUMAN


def _tell_staff_needs_human(conversation_id: int, reason: HandoffReason) -> None:
    conversation = Conversation.objects.select_related("contact").get(pk=conversation_id)
    text = (f"La conversación #{conversation.chatwoot_id} ({conversation.get_channel_display()}) con "
            f"{conversation.contact} necesita una persona: {SLACK_REASON_TEXT.get(reason, reason.label)}.")
    slack.notify(text=text, link=conversation_admin_path(conversation_id), kind="handoff")


# Staff read Slack in Spanish, like the order notices.
SLACK_REASON_TEXT = {
    HandoffReason.HUMAN_REQUEST: "pidió hablar con una persona",
    HandoffReason.COMPLAINT: "reclamo",
    HandoffReason.FAILURE: "el bot no pudo responder",
    HandoffReason.WHATSAPP_WINDOW: "ventana de 24 horas de WhatsApp cerrada",
    HandoffReason.ORDER_ATTENTION: "un pedido necesita atención",
}


def conversation_admin_path(conversation_id: int) -> str:
    return reverse("admin:conversations_conversation_change", args=[conversation_id])
