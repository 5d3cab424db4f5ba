"""Factories for the agents tests: a conversation known to our database and (optionally) the Chatwoot stand-in,
and inbound messages of every content type as ingestion stores them."""

from __future__ import annotations

import itertools
from datetime import timedelta

from django.utils import timezone

from conversations.models import (
    AnswerState, Channel, Contact, Conversation, Direction, Message, MessageStatus, SenderKind,
)

_numbers = itertools.count(1)


def make_conversation(standin=None, *, mode: str = "bot", channel: str = Channel.WHATSAPP) -> Conversation:
    n = next(_numbers)
    phone = f"+5698{n:07d}"
    if standin is not None:
        remote = standin.add_conversation(channel=channel, phone_number=phone, name="María Pérez")
        chatwoot_id, contact_cw, inbox = remote["id"], remote["contact"]["id"], remote["inbox_id"]
    else:
        chatwoot_id, contact_cw, inbox = 100000 + n, 200000 + n, 1
    contact = Contact.objects.create(account_id=1, chatwoot_id=contact_cw, name="María Pérez", phone_e164=phone)
    return Conversation.objects.create(
        account_id=1, chatwoot_id=chatwoot_id, inbox_id=inbox, channel=channel, contact=contact, mode=mode,
        chatwoot_status="pending",
    )


def inbound(conversation: Conversation, content: str = "", *, ago: float = 0.0, **fields) -> Message:
    """A contact's message as ingestion stores it (an answerable one is owed an answer); `ago` seconds in the past."""
    direction = fields.pop("direction", Direction.INBOUND)
    sender_kind = fields.pop("sender_kind", SenderKind.CONTACT)
    answerable = direction == Direction.INBOUND and sender_kind == SenderKind.CONTACT and not fields.get("private")
    message = Message.objects.create(
        conversation=conversation, chatwoot_id=fields.pop("chatwoot_id", None) or 900000 + next(_numbers),
        direction=direction, sender_kind=sender_kind, content=content, status=MessageStatus.RECEIVED,
        answer=fields.pop("answer", AnswerState.PENDING if answerable else AnswerState.NONE), **fields,
    )
    if ago:
        Message.objects.filter(pk=message.pk).update(created_at=timezone.now() - timedelta(seconds=ago))
        message.refresh_from_db()
    return message
