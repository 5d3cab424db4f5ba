"""Helpers for the handoff console tests: conversations in a given handoff state, messages, admin posts."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from conversations.models import (
    Conversation, Direction, Message, MessageOrigin, MessageStatus, SenderKind,
)
from conversations.handoff import conversation_hand_over
from tests.conversations.outbound_helpers import conversation_in_both

CHANGELIST = "/admin/conversations/conversation/"


def page_url(conversation: Conversation, suffix: str = "change/") -> str:
    return f"{CHANGELIST}{conversation.pk}/{suffix}"


def handed_over(standin, *, reason: str = "human_request", minutes_ago: float = 0, actor: str = "bot",
                **kwargs) -> Conversation:
    """A conversation (known to the stand-in) that the bot handed to staff `minutes_ago`."""
    conversation = conversation_in_both(standin, **kwargs)
    conversation_hand_over(conversation_id=conversation.pk, reason=reason, actor=actor, mirror=False)
    when = timezone.now() - timedelta(minutes=minutes_ago)
    Conversation.objects.filter(pk=conversation.pk).update(handoff_at=when)
    conversation.refresh_from_db()
    return conversation


def message(conversation: Conversation, content: str, *, direction: str = Direction.INBOUND,
            origin: str = MessageOrigin.CHATWOOT, sender_kind: str = SenderKind.CONTACT, minutes_ago: float = 0,
            **fields) -> Message:
    status = MessageStatus.RECEIVED if direction == Direction.INBOUND else MessageStatus.SENT
    row = Message.objects.create(conversation=conversation, content=content, direction=direction, origin=origin,
                                 sender_kind=sender_kind, status=fields.pop("status", status), **fields)
    when = timezone.now() - timedelta(minutes=minutes_ago)
    Message.objects.filter(pk=row.pk).update(created_at=when)
    Conversation.objects.filter(pk=conversation.pk).update(last_message_at=when)
    row.refresh_from_db()
    return row


def staff_reply_in_chatwoot(conversation: Conversation, content: str, *, minutes_ago: float) -> Message:
    """A reply an agent wrote in Chatwoot, as ingestion stores it."""
    return message(conversation, content, direction=Direction.OUTBOUND, sender_kind=SenderKind.USER,
                   sender_name="Marta (Chatwoot)", sender_chatwoot_id=31, minutes_ago=minutes_ago)


def run_action(client, action: str, *conversations: Conversation):
    return client.post(CHANGELIST, {"action": action, "_selected_action": [c.pk for c in conversations]},
                       follow=True)


def shown_messages(response) -> list[str]:
    return [m.message for m in response.context["messages"]]
