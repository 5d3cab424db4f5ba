"""Helpers for the outbound tests: a conversation known to both our database and the Chatwoot stand-in."""

from __future__ import annotations

import itertools

from conversations.models import Channel, Contact, Conversation

_phones = itertools.count(1)


def conversation_in_both(standin, *, channel: str = Channel.WHATSAPP, can_reply: bool = True, mode: str = "bot"):
    phone = f"+5699{next(_phones):07d}"
    remote = standin.add_conversation(channel=channel, phone_number=phone, can_reply=can_reply)
    contact = Contact.objects.create(account_id=1, chatwoot_id=remote["contact"]["id"], name="Cliente",
                                     phone_e164=phone)
    return Conversation.objects.create(
        account_id=1, chatwoot_id=remote["id"], inbox_id=remote["inbox_id"], channel=channel, contact=contact,
        can_reply=can_reply, mode=mode, chatwoot_status="pending",
    )
