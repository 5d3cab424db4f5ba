"""WhatsApp as Chatwoot speaks it: the 24-hour window (`can_reply`), free text outside it accepted then failed
through `message_updated`, approved templates on the inbox, `template_params` rendered and recorded, receipts."""

import time

import httpx
import pytest
from django.db import connection

from conversations.models import Message, MessageStatus
from conversations.outbound import reply_queue
from integrations.chatwoot.client import chatwoot_client
from integrations.chatwoot.standin_templates import PARAMS_MISMATCH, TEMPLATE_NOT_FOUND, WINDOW_SECONDS
from tests.conversations.outbound_helpers import conversation_in_both
from tests.fakes.chatwoot import chatwoot_live, chatwoot_standin, wait_for  # noqa: F401

RESUME = {"name": "retomar_conversacion", "category": "UTILITY", "language": "es",
          "processed_params": {"body": {"1": "Ana", "2": "Almacén Las Lilas"}}}


@pytest.fixture
def received(chatwoot_standin):
    deliveries = []
    chatwoot_standin.webhook_sink = lambda payload, headers: deliveries.append(payload)
    return deliveries


def post_message(standin, conversation_id, body):
    return httpx.post(f"{standin.url}/api/v1/accounts/1/conversations/{conversation_id}/messages", json=body,
                      headers={"api_access_token": standin.token})


def closed_whatsapp(standin):
    conv = standin.add_conversation(channel="whatsapp")
    standin.set_can_reply(conv["id"], False)
    return conv


def test_the_whatsapp_inbox_lists_its_approved_templates(chatwoot_standin):
    headers = {"api_access_token": chatwoot_standin.token}
    inbox = httpx.get(f"{chatwoot_standin.url}/api/v1/accounts/1/inboxes/1", headers=headers).json()
    assert inbox["channel_type"] == "Channel::Whatsapp" and inbox["phone_number"].startswith("+")
    resume = next(t for t in inbox["message_templates"] if t["name"] == "retomar_conversacion")
    assert resume["status"] == "APPROVED" and resume["language"] == "es"
    assert resume["components"] == [{"type": "BODY", "text": resume["components"][0]["text"]}]
    assert "{{1}}" in resume["components"][0]["text"]
    listed = httpx.get(f"{chatwoot_standin.url}/api/v1/accounts/1/inboxes", headers=headers).json()["payload"]
    assert "message_templates" not in next(i for i in listed if i["channel_type"] == "Channel::Email")
    assert httpx.get(f"{chatwoot_standin.url}/api/v1/accounts/1/inboxes/1").status_code == 401
    assert httpx.get(f"{chatwoot_standin.url}/api/v1/accounts/1/inboxes/99", headers=headers).status_code == 404


@pytest.mark.django_db
def test_free_text_outside_the_window_is_accepted_then_fails_as_chatwoot_reports_it(chatwoot_standin, received):
    conv = closed_whatsapp(chatwoot_standin)
    sent = chatwoot_client().send_message(conv["id"], "¿Sigue interesado?")
    assert sent.status == "sent"  # what the client sees: Chatwoot took it
    wait_for(lambda: len(received) == 2)
    created, updated = received
    assert (created["event"], created["id"], created["source_id"]) == ("message_created", sent.id, None)
    assert "external_error" not in created["content_attributes"]
    assert updated["event"] == "message_updated" and updated["id"] == sent.id
    assert updated["content_attributes"]["external_error"] == TEMPLATE_NOT_FOUND
    assert "status" not in updated  # the webhook has no status (PROTOCOL.md section 8)...
    assert updated["conversation"]["messages"][0]["status"] == "failed"  # ...the conversation's last message has
    assert updated["conversation"]["can_reply"] is False
    listed = chatwoot_client().list_messages(conv["id"]).messages
    assert listed[-1]["status"] == "failed"
    assert chatwoot_standin.sent[0]["status"] == "failed"


def test_a_private_note_outside_the_window_is_not_sent_to_whatsapp_so_never_fails(chatwoot_standin, received):
    conv = closed_whatsapp(chatwoot_standin)
    assert post_message(chatwoot_standin, conv["id"], {"content": "nota", "private": True}).status_code == 200
    wait_for(lambda: received)
    time.sleep(0.1)
    assert [p["event"] for p in received] == ["message_created"]


def test_a_template_outside_the_window_is_rendered_sent_and_recorded(chatwoot_standin, received):
    conv = closed_whatsapp(chatwoot_standin)
    content = "Hola Ana, te escribimos de Almacén Las Lilas para continuar con tu consulta. Responde este " \
              "mensaje y seguimos."
    response = post_message(chatwoot_standin, conv["id"], {"content": content, "template_params": RESUME})
    assert response.status_code == 200
    wait_for(lambda: len(received) == 2)
    created, updated = received
    assert created["additional_attributes"] == {"template_params": RESUME}
    assert updated["event"] == "message_updated" and updated["source_id"].startswith("wamid.")
    assert "external_error" not in updated["content_attributes"]
    (template,) = chatwoot_standin.sent_templates
    assert template["name"] == "retomar_conversacion" and template["status"] == "sent"
    assert template["rendered"] == content and template["message_id"] == response.json()["id"]


def test_a_template_is_used_inside_the_window_too(chatwoot_standin, received):
    conv = chatwoot_standin.add_conversation(channel="whatsapp")
    params = {**RESUME, "language": "ES"}  # the language matches case-insensitively
    post_message(chatwoot_standin, conv["id"], {"content": "x", "template_params": params})
    assert chatwoot_standin.sent_templates[0]["status"] == "sent"


@pytest.mark.parametrize("params, error", [
    ({**RESUME, "name": "no_existe"}, TEMPLATE_NOT_FOUND),
    ({**RESUME, "language": "en_US"}, TEMPLATE_NOT_FOUND),
    ({**RESUME, "processed_params": {"body": {"1": "Ana"}}}, PARAMS_MISMATCH),
    ({**RESUME, "processed_params": {"body": {"1": "Ana", "2": ""}}}, PARAMS_MISMATCH),
])
def test_a_template_whatsapp_cannot_take_is_accepted_then_failed(chatwoot_standin, received, params, error):
    conv = closed_whatsapp(chatwoot_standin)
    response = post_message(chatwoot_standin, conv["id"], {"content": "x", "template_params": params})
    assert response.status_code == 200
    wait_for(lambda: len(received) == 2)
    assert received[1]["content_attributes"]["external_error"] == error
    assert chatwoot_standin.sent_templates[0]["status"] == "failed"


def test_a_template_that_is_not_approved_cannot_be_sent(chatwoot_standin, received):
    chatwoot_standin.set_message_templates([{"name": "promo", "language": "es", "body": "Oferta {{1}}",
                                             "status": "PENDING"}])
    conv = closed_whatsapp(chatwoot_standin)
    post_message(chatwoot_standin, conv["id"], {"content": "Oferta", "template_params": {
        "name": "promo", "language": "es", "processed_params": {"body": {"1": "hoy"}}}})
    wait_for(lambda: len(received) == 2)
    assert received[1]["content_attributes"]["external_error"] == TEMPLATE_NOT_FOUND


@pytest.mark.parametrize("params", ["retomar", {"language": "es"}, {"name": ""}, {"name": "x", "language": 3}])
def test_malformed_template_params_are_a_422(chatwoot_standin, params):
    conv = chatwoot_standin.add_conversation()
    response = post_message(chatwoot_standin, conv["id"], {"content": "x", "template_params": params})
    assert response.status_code == 422 and chatwoot_standin.sent == []


def test_templates_are_configurable_over_http(chatwoot_standin):
    base = f"{chatwoot_standin.url}/standin/message_templates"
    replaced = httpx.post(base, json={"message_templates": [
        {"name": "aviso", "language": "es_CL", "body": "Hola {{1}}", "category": "UTILITY"}]})
    assert replaced.status_code == 200
    assert [t["name"] for t in httpx.get(base).json()["message_templates"]] == ["aviso"]
    assert httpx.post(base, json={"message_templates": [{"name": "sin_cuerpo", "language": "es"}]}).status_code == 400
    assert [t["name"] for t in chatwoot_standin.message_templates] == ["aviso"]


def test_the_window_opens_with_a_message_from_the_contact_and_closes_after_24_hours(chatwoot_standin):
    conv = closed_whatsapp(chatwoot_standin)
    chatwoot_standin.inbound(content="Hola", conversation_id=conv["id"])
    assert chatwoot_standin.show_conversation(conv["id"])["can_reply"] is True
    for message in chatwoot_standin.conversations[conv["id"]]["messages"]:
        message["created_at"] -= WINDOW_SECONDS + 60  # the contact last wrote 24 h and a minute ago
    assert chatwoot_standin.show_conversation(conv["id"])["can_reply"] is False
    email = chatwoot_standin.add_conversation(channel="email", phone_number="", can_reply=None)
    assert chatwoot_standin.show_conversation(email["id"])["can_reply"] is True  # no window on e-mail


def test_can_reply_can_be_pinned_and_unpinned_over_http(chatwoot_standin):
    conv = chatwoot_standin.add_conversation()
    url = f"{chatwoot_standin.url}/standin/conversations/{conv['id']}/can_reply"
    assert httpx.post(url, json={"can_reply": None}).status_code == 200
    assert chatwoot_standin.show_conversation(conv["id"])["can_reply"] is False  # never wrote: no window
    assert httpx.post(url, json={}).status_code == 400


def test_receipts_arrive_as_message_updated_with_the_status_in_the_conversation(chatwoot_standin, received):
    conv = chatwoot_standin.add_conversation()
    sent = post_message(chatwoot_standin, conv["id"], {"content": "Hola"}).json()
    wait_for(lambda: received)
    for status in ("delivered", "read"):
        response = httpx.post(f"{chatwoot_standin.url}/standin/messages/{sent['id']}/status", json={"status": status})
        assert response.status_code == 200
    assert [(p["event"], p["conversation"]["messages"][0]["status"]) for p in received[1:]] == [
        ("message_updated", "delivered"), ("message_updated", "read")]
    bad = httpx.post(f"{chatwoot_standin.url}/standin/messages/{sent['id']}/status", json={"status": "lost"})
    assert bad.status_code == 400
    assert httpx.post(f"{chatwoot_standin.url}/standin/messages/1/status", json={"status": "read"}).status_code == 404


def test_whatsapp_updates_follow_each_reply_with_its_wamid(chatwoot_standin, received):
    chatwoot_standin.whatsapp_updates = True
    conv = chatwoot_standin.add_conversation()
    sent = post_message(chatwoot_standin, conv["id"], {"content": "Hola"}).json()
    wait_for(lambda: len(received) == 2)
    assert [(p["event"], p["id"]) for p in received] == [("message_created", sent["id"]),
                                                         ("message_updated", sent["id"])]
    assert received[0]["source_id"] is None and received[1]["source_id"] == f"wamid.standin.{sent['id']}"


live = pytest.mark.skipif(connection.vendor == "sqlite", reason="needs concurrent writers (PostgreSQL)")


@live
@pytest.mark.django_db(transaction=True)
def test_our_service_records_the_wamid_chatwoot_stores_after_sending(chatwoot_live):
    chatwoot_live.whatsapp_updates = True
    conversation = conversation_in_both(chatwoot_live)
    message = reply_queue(conversation_id=conversation.pk, content="Hola desde el bot")
    wait_for(lambda: Message.objects.get(pk=message.pk).source_id.startswith("wamid."))
    assert Message.objects.get(pk=message.pk).status == MessageStatus.SENT


@live
@pytest.mark.django_db(transaction=True)
def test_a_reply_chatwoot_fails_outside_the_window_ends_failed_in_our_database(chatwoot_live):
    """Our row says the window is open (stale); Chatwoot knows better, takes the message, then fails it."""
    conversation = conversation_in_both(chatwoot_live)
    chatwoot_live.set_can_reply(conversation.chatwoot_id, False)
    message = reply_queue(conversation_id=conversation.pk, content="¿Le preparo la cotización?")
    failed = wait_for(lambda: Message.objects.filter(pk=message.pk, status=MessageStatus.FAILED).first())
    assert TEMPLATE_NOT_FOUND in failed.error
