"""Who speaks next: the agent for contacts in bot mode; humans take over; private notes are never answered."""

from __future__ import annotations

import pytest

from conversations.models import (
    Conversation, ConversationMode, Direction, Message, MessageOrigin, MessageStatus, SenderKind,
)
from tests.conversations.ingest_helpers import deliver, load, seam_calls  # noqa: F401

pytestmark = pytest.mark.django_db


def _bot_reply_row(conv: Conversation, content: str, status=MessageStatus.SENDING) -> Message:
    """Our own reply as the outbound slice leaves it while its POST is in flight."""
    return Message.objects.create(conversation=conv, direction=Direction.OUTBOUND, origin=MessageOrigin.BOT,
                                  content=content, status=status, echo_key=f"k-{content[:10]}")


def test_human_agent_reply_switches_to_human_mode(deliver, seam_calls):
    deliver(load("message_created__whatsapp_text"))
    deliver(load("message_created__outgoing_agent"))
    conv = Conversation.objects.get(chatwoot_id=58)
    assert conv.mode == ConversationMode.HUMAN and conv.handoff_reason == "human_reply"
    reply = Message.objects.get(chatwoot_id=9031)
    assert (reply.direction, reply.sender_kind, reply.origin) == (Direction.OUTBOUND, SenderKind.USER, "chatwoot")


def test_reply_from_the_business_phone_switches_to_human_mode(deliver, seam_calls):
    deliver(load("message_created__whatsapp_text"))
    deliver(load("message_created__whatsapp_phone_echo"))
    assert Conversation.objects.get(chatwoot_id=58).mode == ConversationMode.HUMAN
    assert Message.objects.get(chatwoot_id=9033).sender_kind == SenderKind.NONE


def test_another_bot_message_does_not_switch_mode(deliver, seam_calls):
    deliver(load("message_created__whatsapp_text"))
    deliver(load("message_created__outgoing_bot"))
    assert Conversation.objects.get(chatwoot_id=58).mode == ConversationMode.BOT


def test_our_own_reply_echo_is_claimed_not_stored_twice_and_keeps_bot_mode(deliver, seam_calls):
    deliver(load("message_created__whatsapp_text"))
    conv = Conversation.objects.get(chatwoot_id=58)
    ours = _bot_reply_row(conv, "Hola Maria, su pedido salió hoy.")
    deliver(load("message_created__outgoing_agent"))  # with a user token our reply echoes as sender `user`
    ours.refresh_from_db()
    assert ours.chatwoot_id == 9031 and ours.status == MessageStatus.SENT
    assert Message.objects.filter(direction=Direction.OUTBOUND).count() == 1
    assert Conversation.objects.get(pk=conv.pk).mode == ConversationMode.BOT


def test_receipts_for_our_own_reply_update_our_row(deliver, seam_calls):
    deliver(load("message_created__whatsapp_text"))
    conv = Conversation.objects.get(chatwoot_id=58)
    ours = _bot_reply_row(conv, "Hola Maria, su pedido salió hoy.")
    deliver(load("message_created__outgoing_agent"))
    deliver(load("message_updated__read_receipt"))
    ours.refresh_from_db()
    assert ours.status == MessageStatus.READ and ours.source_id == "wamid.OUT9031"
    assert Message.objects.filter(direction=Direction.OUTBOUND).count() == 1


def test_private_note_is_stored_but_never_answered_and_keeps_bot_mode(deliver, seam_calls):
    deliver(load("message_created__private_note"))
    note = Message.objects.get(chatwoot_id=9034)
    assert note.private
    assert seam_calls == []
    assert note.conversation.mode == ConversationMode.BOT


def test_incoming_private_message_is_not_answered(deliver, seam_calls):
    payload = load("message_created__whatsapp_text")
    payload["private"] = True
    deliver(payload)
    assert Message.objects.get(chatwoot_id=9001).private and seam_calls == []


def test_contact_message_in_human_mode_is_stored_but_not_handed_to_the_agent(deliver, seam_calls):
    deliver(load("conversation_created"))
    deliver(load("conversation_status_changed__open"))
    deliver(load("message_created__whatsapp_text"))
    assert Message.objects.filter(chatwoot_id=9001).exists()
    assert seam_calls == []


def test_resolved_conversation_returns_to_bot_when_the_contact_writes_again(deliver, seam_calls):
    deliver(load("conversation_created"))
    deliver(load("conversation_status_changed__open"))
    deliver(load("conversation_resolved"))
    assert not Conversation.objects.get(chatwoot_id=58).is_active
    deliver(load("message_created__whatsapp_text"))  # Chatwoot reopens it as pending in a bot inbox
    conv = Conversation.objects.get(chatwoot_id=58)
    assert conv.is_active and conv.mode == ConversationMode.BOT and conv.ended_at is None
    assert [c["message_id"] for c in seam_calls] == [Message.objects.get(chatwoot_id=9001).pk]


def test_new_conversation_for_same_contact_and_channel_ends_the_old_one(deliver, seam_calls):
    deliver(load("message_created__whatsapp_text"))
    payload = load("message_created__whatsapp_text")
    payload["id"], payload["conversation"]["id"] = 9101, 158
    deliver(payload)
    old, new = Conversation.objects.get(chatwoot_id=58), Conversation.objects.get(chatwoot_id=158)
    assert not old.is_active and old.ended_at is not None
    assert new.is_active and new.contact == old.contact
    assert Conversation.objects.filter(contact=old.contact, is_active=True).count() == 1
