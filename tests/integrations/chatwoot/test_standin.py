"""The stand-in's own endpoints: a simulated contact writes in; webhooks shaped and signed like Chatwoot's."""

import hashlib
import hmac
import json
import time

import httpx

from tests.fakes.chatwoot import chatwoot_standin  # noqa: F401


def test_inbound_creates_conversation_and_delivers_signed_webhooks(chatwoot_standin):
    chatwoot_standin.secret = "s3cret"
    received = []
    chatwoot_standin.webhook_sink = lambda payload, headers: received.append((payload, headers))
    body = {"contact": {"name": "Ana Pérez", "phone_number": "+56912345678"}, "content": "Hola", "channel": "whatsapp"}
    first = httpx.post(f"{chatwoot_standin.url}/standin/inbound", json=body).json()
    second = httpx.post(f"{chatwoot_standin.url}/standin/inbound",
                        json={**body, "conversation_id": first["conversation_id"], "content": "¿Abren hoy?"}).json()
    assert second["conversation_id"] == first["conversation_id"] and second["message_id"] > first["message_id"]
    assert [p["event"] for p, _ in received] == ["conversation_created", "message_created", "message_created"]
    message = received[1][0]
    assert message["message_type"] == "incoming" and message["content"] == "Hola"
    assert message["sender"]["phone_number"] == "+56912345678" and "type" not in message["sender"]
    assert message["conversation"]["channel"] == "Channel::Whatsapp"
    assert message["conversation"]["contact_inbox"]["source_id"] == "56912345678"
    for payload, headers in received:
        raw = json.dumps(payload, separators=(",", ":")).encode()
        digest = hmac.new(b"s3cret", headers["X-Chatwoot-Timestamp"].encode() + b"." + raw, hashlib.sha256)
        assert headers["X-Chatwoot-Signature"] == "sha256=" + digest.hexdigest()
    assert len({h["X-Chatwoot-Delivery"] for _, h in received}) == 3


def test_bot_reply_is_echoed_as_agent_bot_outgoing_and_listed(chatwoot_standin):
    conv = chatwoot_standin.add_conversation()
    response = httpx.post(f"{chatwoot_standin.url}/api/v1/accounts/1/conversations/{conv['id']}/messages",
                          json={"content": "Buenos días"}, headers={"api_access_token": chatwoot_standin.token})
    assert response.status_code == 200
    deadline = time.monotonic() + 3
    while not chatwoot_standin.webhooks:  # "after": the echo goes out once the POST has been answered
        assert time.monotonic() < deadline
        time.sleep(0.01)
    echo = chatwoot_standin.webhooks[-1]["payload"]
    assert echo["event"] == "message_created" and echo["message_type"] == "outgoing"
    assert echo["sender"]["type"] == "agent_bot" and echo["id"] == response.json()["id"]
    listed = httpx.get(f"{chatwoot_standin.url}/standin/conversations/{conv['id']}/messages").json()["payload"]
    assert [m["content"] for m in listed] == ["Buenos días"]


def test_can_reply_is_settable_over_http(chatwoot_standin):
    conv = chatwoot_standin.add_conversation()
    ok = httpx.post(f"{chatwoot_standin.url}/standin/conversations/{conv['id']}/can_reply", json={"can_reply": False})
    bad = httpx.post(f"{chatwoot_standin.url}/standin/conversations/{conv['id']}/can_reply", json={"can_reply": "no"})
    assert ok.status_code == 200 and bad.status_code == 400
    assert chatwoot_standin.conversations[conv["id"]]["can_reply"] is False


def test_inbound_without_content_is_400(chatwoot_standin):
    response = httpx.post(f"{chatwoot_standin.url}/standin/inbound", json={"contact": {"name": "x"}})
    assert response.status_code == 400 and "content" in response.json()["error"]


def test_contact_writing_into_a_resolved_conversation_reopens_it_as_pending(chatwoot_standin):
    conv = chatwoot_standin.add_conversation(status="resolved")
    chatwoot_standin.inbound(content="Hola de nuevo", conversation_id=conv["id"])
    events = [w["payload"]["event"] for w in chatwoot_standin.webhooks]
    assert events == ["conversation_status_changed", "message_created"]
    assert chatwoot_standin.webhooks[0]["payload"]["status"] == "pending"


def test_a_contact_writing_again_continues_their_conversation_like_chatwoot(chatwoot_standin):
    first = chatwoot_standin.inbound(content="Hola", contact={"name": "Ana", "phone_number": "+56911112222"})
    again = chatwoot_standin.inbound(content="¿a qué hora abren?", contact={"name": "Ana", "phone_number": "+56911112222"})
    other = chatwoot_standin.inbound(content="Hola", contact={"name": "Luis", "phone_number": "+56933334444"})
    assert again["conversation_id"] == first["conversation_id"]
    assert other["conversation_id"] != first["conversation_id"]
    created = [w for w in chatwoot_standin.webhooks if w["payload"]["event"] == "conversation_created"]
    assert len(created) == 2
