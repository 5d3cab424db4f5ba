"""The handoff console's list and conversation page, over HTTP as a logged-in staff member."""

from __future__ import annotations

import pytest
from django.utils import timezone

from agents.models import Session
from conversations.models import HandoffCase
from conversations.models import Channel, Contact, Conversation, Direction, MessageOrigin, MessageStatus, SenderKind
from orders.models import OrderState, PurchaseOrder
from tests.conversations.handoff_helpers import (
    CHANGELIST, handed_over, message, page_url, staff_reply_in_chatwoot,
)
from tests.conversations.outbound_helpers import conversation_in_both
from tests.fakes.chatwoot import chatwoot_standin  # noqa: F401

pytestmark = pytest.mark.django_db


def listed(response) -> list[int]:
    return [c.pk for c in response.context["cl"].result_list]


@pytest.fixture
def three(chatwoot_standin):
    """A bot conversation with fresh activity, a complaint 30 min old, a request for a person 90 min old."""
    bot = conversation_in_both(chatwoot_standin)
    message(bot, "hola, ¿tienen harina?", minutes_ago=1)
    complaint = handed_over(chatwoot_standin, reason="complaint", minutes_ago=30, channel=Channel.EMAIL)
    message(complaint, "el pedido llegó roto", minutes_ago=31)
    person = handed_over(chatwoot_standin, reason="human_request", minutes_ago=90)
    message(person, "quiero hablar con alguien", minutes_ago=91)
    Contact.objects.filter(pk=person.contact_id).update(name="Rosa Díaz", email="rosa@example.cl")
    return bot, complaint, person


def test_list_opens_on_conversations_waiting_for_a_human_oldest_handoff_first(admin_client, three):
    bot, complaint, person = three
    response = admin_client.get(CHANGELIST)
    assert listed(response) == [person.pk, complaint.pk, bot.pk]
    page = response.content.decode()
    assert "Asked for a person" in page and "Complaint" in page
    assert "1h 30m" in page and "0h 30m" in page  # since when
    assert "el pedido llegó roto" in page and "hola, ¿tienen harina?" in page  # last message
    assert "E-mail" in page and "WhatsApp" in page


def test_list_filters_by_mode_channel_and_reason(admin_client, three):
    bot, complaint, person = three
    assert listed(admin_client.get(CHANGELIST, {"mode__exact": "human"})) == [person.pk, complaint.pk]
    assert listed(admin_client.get(CHANGELIST, {"mode__exact": "bot"})) == [bot.pk]
    assert listed(admin_client.get(CHANGELIST, {"channel__exact": "email"})) == [complaint.pk]
    assert listed(admin_client.get(CHANGELIST, {"reason": "complaint"})) == [complaint.pk]
    assert listed(admin_client.get(CHANGELIST, {"reason": "human_request"})) == [person.pk]


def test_list_searches_by_contact_name_phone_and_email(admin_client, three):
    bot, complaint, person = three
    assert listed(admin_client.get(CHANGELIST, {"q": "Rosa Díaz"})) == [person.pk]
    assert listed(admin_client.get(CHANGELIST, {"q": "rosa@example.cl"})) == [person.pk]
    assert listed(admin_client.get(CHANGELIST, {"q": complaint.contact.phone_e164})) == [complaint.pk]


def test_page_shows_transcript_with_who_wrote_each_and_delivery_state(admin_client, admin_user, chatwoot_standin):
    conversation = handed_over(chatwoot_standin, reason="complaint", minutes_ago=5)
    message(conversation, "mi pedido llegó incompleto", minutes_ago=10, sender_name="Cliente",
            attachments=[{"file_type": "image", "url": "https://files.example.cl/foto.jpg", "name": "foto.jpg"},
                         {"file_type": "file", "url": "javascript:alert(1)", "name": "raro.pdf"}])
    message(conversation, "Lamentamos mucho lo ocurrido.", direction=Direction.OUTBOUND, origin=MessageOrigin.BOT,
            sender_kind=SenderKind.AGENT_BOT, minutes_ago=9, status=MessageStatus.DELIVERED)
    staff_reply_in_chatwoot(conversation, "Hola, soy Marta, lo reviso.", minutes_ago=8)
    message(conversation, "Le enviamos el resto mañana.", direction=Direction.OUTBOUND, origin=MessageOrigin.STAFF,
            sender_kind=SenderKind.USER, staff_user=admin_user, minutes_ago=7, status=MessageStatus.FAILED,
            error="HTTP 422: Too many messages")
    page = admin_client.get(page_url(conversation)).content.decode()
    assert "Contact · Cliente" in page and "mi pedido llegó incompleto" in page
    assert "Bot</td>" in page and "Delivered" in page
    assert "Chatwoot agent · Marta (Chatwoot)" in page
    assert "Staff · admin (admin)" in page and "Failed" in page and "HTTP 422: Too many messages" in page
    assert f"/messages/{conversation.messages.last().pk}/retry/" in page  # retry only on the failed one
    assert page.count("/retry/") == 1
    assert '<a href="https://files.example.cl/foto.jpg"' in page
    assert "raro.pdf" in page and 'href="javascript:' not in page
    assert 'name="reply_content"' in page  # the reply box


def test_page_shows_session_state_active_order_handoff_note_and_audit_rows(admin_client, chatwoot_standin):
    conversation = handed_over(chatwoot_standin, reason="complaint", minutes_ago=5)
    now = timezone.now()
    Session.objects.create(conversation=conversation, schema_version=2, started_at=now, last_activity_at=now,
                           document={"last": {"lane": "purchase", "intent": "order_create"},
                                     "slots": {"order": {"lines": [{"code": "FS-ALM-KG", "qty": 20}]}}})
    order = PurchaseOrder.objects.create(contact=conversation.contact, conversation=conversation,
                                         state=OrderState.TO_APPROVE, idempotency_key="k-1", origin="chat")
    HandoffCase.objects.create(conversation=conversation, reason="complaint", actor="bot",
                               summary="🤖 Derivado por el bot — motivo: reclamo.")
    page = admin_client.get(page_url(conversation)).content.decode()
    assert "purchase / order_create" in page and "FS-ALM-KG" in page
    assert f"/admin/orders/purchaseorder/{order.pk}/change/" in page and "Awaiting approval" in page
    assert "Derivado por el bot — motivo: reclamo." in page
    assert "mode_changed" in page and "complaint" in page  # the audit row of the handoff
    assert 'name="chatwoot_id"' not in page and 'name="_save"' not in page  # read-only, no save button


def test_a_conversation_waiting_too_long_is_flagged_in_the_list(admin_client, chatwoot_standin):
    overdue = handed_over(chatwoot_standin, minutes_ago=40)
    Conversation.objects.filter(pk=overdue.pk).update(handoff_alerted_at=timezone.now())
    fresh = handed_over(chatwoot_standin, minutes_ago=2)
    response = admin_client.get(CHANGELIST)
    assert response.content.decode().count("⚠") == 1
    assert listed(admin_client.get(CHANGELIST, {"overdue": "yes"})) == [overdue.pk]
    assert fresh.pk in listed(response)
