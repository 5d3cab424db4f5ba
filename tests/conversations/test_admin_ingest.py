"""The staff console pages for ingestion: what staff see for contacts, conversations and deliveries."""

from __future__ import annotations

import pytest

from conversations.models import Contact, Conversation, WebhookDelivery
from tests.conversations.ingest_helpers import deliver, load, seam_calls  # noqa: F401

pytestmark = pytest.mark.django_db


def test_conversation_page_shows_its_messages_and_audit_rows(admin_client, deliver, seam_calls):
    deliver(load("message_created__whatsapp_text"))
    deliver(load("message_created__outgoing_agent"))
    conv = Conversation.objects.get(chatwoot_id=58)
    page = admin_client.get(f"/admin/conversations/conversation/{conv.pk}/change/").content.decode()
    assert "dónde está mi pedido" in page and "su pedido salió hoy" in page
    assert "Tomada en Chatwoot: Una persona respondió en Chatwoot" in page  # the handoff, as a system line


def test_contact_page_lists_identities(admin_client, deliver, seam_calls):
    deliver(load("message_created__whatsapp_text"))
    contact = Contact.objects.get(chatwoot_id=402)
    page = admin_client.get(f"/admin/conversations/contact/{contact.pk}/change/").content.decode()
    assert "+5511987654321" in page and "5511987654321" in page


def test_delivery_page_is_read_only(admin_client, deliver, seam_calls):
    deliver(load("conversation_created"))
    delivery = WebhookDelivery.objects.get()
    page = admin_client.get(f"/admin/conversations/webhookdelivery/{delivery.pk}/change/").content.decode()
    assert "conversation_created" in page and 'name="body"' not in page
    assert admin_client.get("/admin/conversations/webhookdelivery/add/").status_code == 403
