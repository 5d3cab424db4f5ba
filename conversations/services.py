"""Conversation-level services: mode changes (bot ↔ human) with audit rows, mirrored to Chatwoot after commit."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from conversations.models import Conversation, ConversationEvent, ConversationMode
from core.queue import enqueue_on_commit


def conversation_switch_mode(
    *, conversation_id: int, mode: str, actor: str, reason: str = "", mirror: bool = True
) -> bool:
    """Move a conversation to `mode` by compare-and-set; audit it; mirror the status to Chatwoot after commit.

    Returns False when the conversation was already in that mode (nothing written). `mirror=False` when the change
    came from Chatwoot itself (its status already says so). Chatwoot mirror: bot ↔ pending, human ↔ open.
    """
    old = ConversationMode.HUMAN if mode == ConversationMode.BOT else ConversationMode.BOT
    now = timezone.now()
    fields = {"mode": mode, "updated_at": now}
    if mode == ConversationMode.HUMAN:
        fields.update(handoff_reason=reason[:32] or "requested", handoff_at=now)
    else:
        fields.update(handoff_reason="", handoff_at=None)
    with transaction.atomic():
        changed = Conversation.objects.filter(pk=conversation_id, mode=old).update(**fields)
        if not changed:
            return False
        ConversationEvent.objects.create(
            conversation_id=conversation_id, kind="mode_changed", actor=actor, before=old, after=mode, reason=reason
        )
        if mirror:
            enqueue_on_commit("conversations.tasks.mirror_mode_to_chatwoot", conversation_id)
    return True
