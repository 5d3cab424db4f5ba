"""One test per Chatwoot event and channel, from the recorded payloads in tests/fixtures/chatwoot/."""

from __future__ import annotations

import pytest

from conversations.ingest import CHATWOOT_EVENT_HANDLERS
from conversations.models import (
    Channel, Contact, ContactIdentity, Conversation, ConversationMode, DeliveryOutcome, Direction, Message,
    MessageStatus, SenderKind, WebhookDelivery,
)
from tests.conversations.ingest_helpers import deliver, load, seam_calls  # noqa: F401

pytestmark = pytest.mark.django_db
PROTOCOL_EVENTS = {
    "message_created", "message_updated", "conversation_created", "conversation_updated",
    "conversation_status_changed", "conversation_opened", "conversation_resolved", "contact_created",
    "contact_updated", "webwidget_triggered", "conversation_typing_on", "conversation_typing_off", "inbox_created",
    "inbox_updated",
}


def test_every_protocol_event_has_a_handler():
    assert set(CHATWOOT_EVENT_HANDLERS) == PROTOCOL_EVENTS


def test_whatsapp_text_stores_contact_conversation_message_and_hands_it_to_the_agent(deliver, seam_calls):
    deliver(load("message_created__whatsapp_text"))
    message = Message.objects.get(chatwoot_id=9001)
    conv = message.conversation
    assert (conv.channel, conv.chatwoot_id, conv.inbox_id, conv.mode, conv.is_active) == (
        Channel.WHATSAPP, 58, 7, ConversationMode.BOT, True)
    assert conv.chatwoot_status == "pending"
    assert (conv.contact.phone_e164, conv.contact.name, conv.contact.chatwoot_id) == ("+5511987654321", "Maria Silva", 402)
    assert (message.direction, message.sender_kind, message.status) == (
        Direction.INBOUND, SenderKind.CONTACT, MessageStatus.RECEIVED)
    assert message.source_id.startswith("wamid.")
    assert ContactIdentity.objects.get(inbox_id=7, source_id="5511987654321").contact == conv.contact
    assert seam_calls == [{"message_id": message.pk, "conversation_id": conv.pk}]


def test_the_contacts_last_word_is_kept_for_whatsapps_window_and_staff_words_do_not_move_it(deliver, seam_calls):
    deliver(load("message_created__whatsapp_text"))
    conv = Message.objects.get(chatwoot_id=9001).conversation
    wrote = Message.objects.get(chatwoot_id=9001).chatwoot_created_at
    assert wrote is not None and conv.last_inbound_at == wrote == conv.last_message_at

    deliver(load("message_created__outgoing_agent"))  # a staff reply from Chatwoot: the window does not move
    conv.refresh_from_db()
    assert conv.last_inbound_at == wrote


def test_whatsapp_image_keeps_the_attachment_and_caption(deliver, seam_calls):
    deliver(load("message_created__whatsapp_image"))
    message = Message.objects.get(chatwoot_id=9002)
    assert message.content == "Esta es la caja dañada"
    assert message.attachments[0]["file_type"] == "image"
    assert message.attachments[0]["url"].endswith("/damaged.jpg")


def test_whatsapp_voice_note_keeps_the_transcription(deliver, seam_calls):
    deliver(load("message_created__whatsapp_audio"))
    message = Message.objects.get(chatwoot_id=9003)
    assert message.content == ""
    assert message.attachments[0]["transcription"] == "necesito diez sacos de cemento"


def test_whatsapp_username_only_user_has_an_identity_but_no_phone(deliver, seam_calls):
    deliver(load("message_created__whatsapp_bsuid"))
    contact = Contact.objects.get(chatwoot_id=403)
    assert contact.phone_e164 == ""
    assert contact.identities.get().source_id == "US.13491208655302741918"
    assert contact.additional_attributes["social_whatsapp_user_name"] == "pedro_ventas"


def test_whatsapp_phone_is_taken_from_the_source_id_digits_when_the_sender_has_none(deliver, seam_calls):
    deliver(load("message_created__whatsapp_phone_from_source_id"))
    assert Contact.objects.get(chatwoot_id=404).phone_e164 == "+56912345678"


def test_twilio_whatsapp_is_whatsapp(deliver, seam_calls):
    deliver(load("message_created__twilio_whatsapp"))
    conv = Conversation.objects.get(chatwoot_id=63)
    assert conv.channel == Channel.WHATSAPP and conv.contact.phone_e164 == "+56998765432"


def test_sms(deliver, seam_calls):
    deliver(load("message_created__sms"))
    conv = Conversation.objects.get(chatwoot_id=64)
    assert conv.channel == Channel.SMS and conv.contact.phone_e164 == "+15551234567"


def test_telegram(deliver, seam_calls):
    deliver(load("message_created__telegram"))
    conv = Conversation.objects.get(chatwoot_id=65)
    assert conv.channel == Channel.TELEGRAM
    assert conv.contact.identities.get().source_id == "99887766"


def test_api_channel_keeps_the_identifier(deliver, seam_calls):
    deliver(load("message_created__api"))
    conv = Conversation.objects.get(chatwoot_id=66)
    assert conv.channel == Channel.API and conv.contact.identifier == "crm-778"


def test_unknown_channel_type_is_stored_as_other(deliver, seam_calls):
    deliver(load("message_created__line_other"))
    assert Conversation.objects.get(chatwoot_id=67).channel == Channel.OTHER
    assert Message.objects.filter(chatwoot_id=9046).exists()


def test_email_separates_subject_new_text_and_quoted_history(deliver, seam_calls):
    deliver(load("message_created__email"))
    message = Message.objects.get(chatwoot_id=9010)
    assert message.conversation.channel == Channel.EMAIL
    assert message.conversation.contact.email == "john@example.com"
    assert message.subject == "Solicitud de reembolso"
    assert message.content == "Hola,\nQuiero un reembolso del pedido 1234.\nGracias, John"
    assert message.quoted_text == "El lun, Acme escribió:\n> Su pedido fue despachado"


def test_web_widget_visitor_is_anonymous(deliver, seam_calls):
    deliver(load("message_created__webwidget_anonymous"))
    conv = Conversation.objects.get(chatwoot_id=60)
    assert conv.channel == Channel.WEB and conv.contact.is_anonymous
    assert conv.contact.identities.get().source_id == "6f1c2a9e-5b7d-4c1e-9a44-2d0b8f3e7c11"


def test_message_updated_source_id_then_receipts_move_an_outbound_message_forward(deliver, seam_calls):
    deliver(load("message_created__outgoing_agent"))
    deliver(load("message_updated__source_id"))
    message = Message.objects.get(chatwoot_id=9031)
    assert message.source_id == "wamid.OUT9031" and message.status == MessageStatus.SENT
    deliver(load("message_updated__read_receipt"))
    deliver(load("message_updated__delivered_receipt"))  # late, out of order: never moves backwards
    message.refresh_from_db()
    assert message.status == MessageStatus.READ and message.read_at is not None


def test_message_updated_with_external_error_marks_failed(deliver, seam_calls):
    deliver(load("message_created__outgoing_agent"))
    deliver(load("message_updated__failed"))
    message = Message.objects.get(chatwoot_id=9031)
    assert message.status == MessageStatus.FAILED
    assert message.error == "131047: Re-engagement message"


def test_message_updated_edit_changes_content_without_a_second_agent_turn(deliver, seam_calls):
    deliver(load("message_created__whatsapp_text"))
    deliver(load("message_updated__edited"))
    assert Message.objects.get(chatwoot_id=9001).content.endswith("#1235?")
    assert len(seam_calls) == 1


def test_conversation_created(deliver):
    deliver(load("conversation_created"))
    conv = Conversation.objects.get(chatwoot_id=58)
    assert conv.is_active and conv.chatwoot_status == "pending" and conv.contact.chatwoot_id == 402


def test_conversation_updated_status_open_hands_over_to_a_human(deliver):
    deliver(load("conversation_created"))
    deliver(load("conversation_updated__status_open"))
    conv = Conversation.objects.get(chatwoot_id=58)
    assert conv.mode == ConversationMode.HUMAN and conv.chatwoot_status == "open"
    assert conv.events.filter(kind="mode_changed", after="human", actor="chatwoot").exists()


def test_conversation_status_changed_open_then_pending_returns_to_bot(deliver):
    deliver(load("conversation_created"))
    deliver(load("conversation_status_changed__open"))
    assert Conversation.objects.get(chatwoot_id=58).mode == ConversationMode.HUMAN
    deliver(load("conversation_status_changed__pending"))
    assert Conversation.objects.get(chatwoot_id=58).mode == ConversationMode.BOT


def test_conversation_opened_legacy_bot_event(deliver):
    deliver(load("conversation_created"))
    deliver(load("conversation_opened"))
    assert Conversation.objects.get(chatwoot_id=58).mode == ConversationMode.HUMAN


def test_conversation_resolved_ends_it(deliver):
    deliver(load("conversation_created"))
    deliver(load("conversation_resolved"))
    conv = Conversation.objects.get(chatwoot_id=58)
    assert not conv.is_active and conv.ended_at is not None


def test_contact_created(deliver):
    deliver(load("contact_created"))
    contact = Contact.objects.get(chatwoot_id=690)
    assert contact.is_anonymous and contact.name == "restless-sea-417"


def test_contact_updated_identified_visitor_merges_into_the_known_contact(deliver, seam_calls):
    known = Contact.objects.create(account_id=1, chatwoot_id=402, name="Maria Silva", identifier="cust-402")
    deliver(load("message_created__webwidget_anonymous"))  # visitor 690 chats anonymously
    deliver(load("contact_updated__identified"))  # the site calls setUser(identifier="cust-402")
    visitor = Contact.objects.get(chatwoot_id=690)
    assert visitor.merged_into == known and not visitor.is_anonymous
    assert Conversation.objects.get(chatwoot_id=60).contact == known
    assert ContactIdentity.objects.get(source_id="6f1c2a9e-5b7d-4c1e-9a44-2d0b8f3e7c11").contact == known


def test_merged_visitor_writing_again_lands_on_the_survivor(deliver, seam_calls):
    known = Contact.objects.create(account_id=1, chatwoot_id=402, name="Maria Silva", email="maria@example.com")
    deliver(load("contact_updated__identified"))
    payload = load("message_created__webwidget_anonymous")
    payload["id"] = 9021
    deliver(payload)
    assert Message.objects.get(chatwoot_id=9021).conversation.contact == known


def test_webwidget_triggered_stores_the_visitor(deliver):
    deliver(load("webwidget_triggered"))
    contact = Contact.objects.get(chatwoot_id=690)
    assert contact.is_anonymous
    assert contact.identities.get().channel == Channel.WEB


@pytest.mark.parametrize("name", ["conversation_typing_on", "conversation_typing_off", "inbox_created",
                                  "inbox_updated"])
def test_events_not_acted_on_are_stored_and_ignored(deliver, name):
    response = deliver(load(name))
    assert response.json()["status"] == "ignored" and response.json()["reason"]
    assert WebhookDelivery.objects.get().outcome == DeliveryOutcome.IGNORED
    assert not Conversation.objects.exists()
