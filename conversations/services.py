"""Conversation-level services: mode changes (bot ↔ human) with audit rows, mirrored to Chatwoot after commit."""

from __future__ import annotations

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from conversations.models import Conversation, ConversationEvent, ConversationMode
from core.queue import enqueue_on_commit
from integrations import slack

# Actors whose switch to human mode means nobody on staff has it yet: staff are told on Slack. A staff username
# (take-over) or "chatwoot" (an agent answered or opened it there) means a person is already on it.
NEEDS_HUMAN_ACTORS = frozenset({"bot", "system"})
# What staff read in the Slack notice (Spanish, like the order notices); unknown reasons are shown as they are.
SLACK_REASON_TEXT = {
    "human_request": "pidió hablar con una persona",
    "complaint": "reclamo",
    "failure": "el bot no pudo responder",
    "whatsapp_window": "ventana de 24 horas de WhatsApp cerrada",
    "order_attention": "un pedido necesita atención",
}


def conversation_switch_mode(
    *, conversation_id: int, mode: str, actor: str, reason: str = "", mirror: bool = True,
    taken_by_id: int | None = None,
) -> bool:
    """Move a conversation to `mode` by compare-and-set; audit it; mirror the status to Chatwoot after commit.

    Returns False when the conversation was already in that mode (nothing written). `mirror=False` when the change
    came from Chatwoot itself (its status already says so). Chatwoot mirror: bot ↔ pending, human ↔ open.
    `taken_by_id`: the staff user who takes it over (human mode only). A switch to human by the bot or the system
    tells staff on Slack (after commit; never blocks).
    """
    old = ConversationMode.HUMAN if mode == ConversationMode.BOT else ConversationMode.BOT
    now = timezone.now()
    fields = {"mode": mode, "updated_at": now, "handoff_alerted_at": None}
    if mode == ConversationMode.HUMAN:
        fields.update(handoff_reason=reason[:32] or "requested", handoff_at=now, taken_by_id=taken_by_id)
    else:
        fields.update(handoff_reason="", handoff_at=None, taken_by_id=None)
    with transaction.atomic():
        changed = Conversation.objects.filter(pk=conversation_id, mode=old).update(**fields)
        if not changed:
            return False
        ConversationEvent.objects.create(
            conversation_id=conversation_id, kind="mode_changed", actor=actor, before=old, after=mode, reason=reason
        )
        if mirror:
            enqueue_on_commit("conversations.tasks.mirror_mode_to_chatwoot", conversation_id)
        if mode == ConversationMode.HUMAN and actor in NEEDS_HUMAN_ACTORS:
            _tell_staff_needs_human(conversation_id, reason)
    return True


def conversation_human_has_it(*, conversation_id: int) -> bool:
    """Whether staff have the conversation, read under its row lock. Caller holds a transaction.

    Take-over and staff replies lock the row too, so this orders a bot reply against them: either the take-over
    committed first and the bot stays silent, or the bot's reply precedes it.
    """
    mode = Conversation.objects.select_for_update().filter(pk=conversation_id).values_list("mode", flat=True).get()
    return mode == ConversationMode.HUMAN


def _tell_staff_needs_human(conversation_id: int, reason: str) -> None:
    conversation = Conversation.objects.select_related("contact").get(pk=conversation_id)
    why = SLACK_REASON_TEXT.get(reason, reason or "derivada por el bot")
    text = (f"La conversación #{conversation.chatwoot_id} ({conversation.get_channel_display()}) con "
            f"{conversation.contact} necesita una persona: {why}.")
    slack.notify(text=text, link=conversation_admin_path(conversation_id), kind="handoff")


def conversation_admin_path(conversation_id: int) -> str:
    return reverse("admin:conversations_conversation_change", args=[conversation_id])
