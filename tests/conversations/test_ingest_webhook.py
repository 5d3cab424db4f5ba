"""The webhook endpoint's answers (CONTRACT section 3): auth, size, bad input, duplicates, ignored events."""

from __future__ import annotations

import json
import time

import pytest
from prometheus_client import REGISTRY

from conversations.models import DeliveryOutcome, DuplicateDelivery, Message, WebhookDelivery
from tests.conversations.ingest_helpers import URL, deliver, load, post, seam_calls, sign  # noqa: F401

pytestmark = pytest.mark.django_db
SECRET = "whsec-account"


def metric(event: str, outcome: str) -> float:
    return REGISTRY.get_sample_value("chatwoot_webhooks_total", {"event": event, "outcome": outcome}) or 0.0


def test_valid_delivery_is_stored_before_the_answer_and_accepted(client):
    response = post(client, load("message_created__whatsapp_text"), delivery="d-1")
    assert response.status_code == 200
    assert response.json() == {"status": "accepted"}
    stored = WebhookDelivery.objects.get(delivery_id="d-1")
    assert stored.event == "message_created" and stored.outcome == DeliveryOutcome.PENDING
    assert json.loads(stored.body)["id"] == 9001


def test_accepted_delivery_is_processed_by_the_task(deliver, seam_calls):
    assert deliver(load("message_created__whatsapp_text")).json() == {"status": "accepted"}
    assert WebhookDelivery.objects.get().outcome == DeliveryOutcome.PROCESSED
    assert Message.objects.get(chatwoot_id=9001).content.startswith("Hola")


@pytest.mark.parametrize("raw, error", [
    (b"{not json", "malformed JSON"),
    (b"[1, 2]", "the body must be a JSON object"),
    (b'{"id": 1}', "missing event"),
    (b'{"event": 5}', "missing event"),
    (b'\xff\xfe', "the body is not UTF-8"),
])
def test_malformed_bodies_get_400_with_error(client, raw, error):
    response = post(client, None, raw=raw)
    assert response.status_code == 400
    assert response.json() == {"error": error}
    assert not WebhookDelivery.objects.exists()


def test_missing_message_id_is_400(client):
    payload = load("message_created__whatsapp_text")
    del payload["id"]
    response = post(client, payload)
    assert response.status_code == 400 and response.json() == {"error": "missing id"}


def test_missing_conversation_id_is_400(client):
    payload = load("message_created__whatsapp_text")
    del payload["conversation"]["id"]
    assert post(client, payload).json() == {"error": "missing conversation.id"}


@pytest.mark.parametrize("bad", ["9001", 9001.5, True, [9001]])
def test_wrong_id_types_are_400(client, bad):
    payload = load("message_created__whatsapp_text")
    payload["id"] = bad
    response = post(client, payload)
    assert response.status_code == 400 and response.json() == {"error": "id must be an integer"}


def test_body_over_one_mib_is_413(client, settings):
    payload = load("message_created__whatsapp_text")
    payload["content"] = "x" * (settings.WEBHOOK_MAX_BODY_BYTES + 10)
    response = post(client, payload)
    assert response.status_code == 413
    assert not WebhookDelivery.objects.exists()


def test_body_just_under_the_limit_is_accepted(client, settings):
    payload = load("message_created__whatsapp_text")
    size = len(json.dumps(payload).encode())
    payload["content"] = "x" * (settings.WEBHOOK_MAX_BODY_BYTES - size - 100)
    assert post(client, payload).status_code == 200


class TestSignatures:
    @pytest.fixture(autouse=True)
    def _secrets(self, settings):
        settings.CHATWOOT_WEBHOOK_SECRETS = ["other-secret", SECRET]

    def test_signed_with_any_configured_secret_is_accepted(self, client):
        body = json.dumps(load("message_created__whatsapp_text")).encode()
        response = post(client, None, raw=body, headers=sign(SECRET, body))
        assert response.status_code == 200 and response.json()["status"] == "accepted"

    def test_missing_signature_is_401(self, client):
        assert post(client, load("message_created__whatsapp_text")).status_code == 401

    def test_signature_over_the_body_alone_is_401(self, client):
        body = json.dumps(load("message_created__whatsapp_text")).encode()
        headers = sign(SECRET, body)
        headers["X-Chatwoot-Signature"] = "sha256=" + __import__("hmac").new(
            SECRET.encode(), body, "sha256").hexdigest()
        response = post(client, None, raw=body, headers=headers)
        assert response.status_code == 401 and response.json() == {"error": "bad signature"}

    def test_wrong_secret_is_401(self, client):
        body = json.dumps(load("message_created__whatsapp_text")).encode()
        assert post(client, None, raw=body, headers=sign("nope", body)).status_code == 401

    def test_stale_timestamp_is_401_even_with_a_valid_mac(self, client):
        body = json.dumps(load("message_created__whatsapp_text")).encode()
        response = post(client, None, raw=body, headers=sign(SECRET, body, int(time.time()) - 301))
        assert response.status_code == 401 and response.json() == {"error": "stale signature"}
        assert not WebhookDelivery.objects.exists()

    def test_tampered_body_is_401(self, client):
        body = json.dumps(load("message_created__whatsapp_text")).encode()
        headers = sign(SECRET, body)
        assert post(client, None, raw=body.replace(b"Hola", b"Chao"), headers=headers).status_code == 401


class TestTokenInUrl:
    @pytest.fixture(autouse=True)
    def _token(self, settings):
        settings.CHATWOOT_WEBHOOK_TOKEN = "s3cret-path"

    def test_right_token_is_accepted(self, client):
        response = post(client, load("message_created__whatsapp_text"), url=URL + "s3cret-path/")
        assert response.status_code == 200

    def test_wrong_token_is_401(self, client):
        assert post(client, load("message_created__whatsapp_text"), url=URL + "guess/").status_code == 401

    def test_plain_url_without_the_token_is_401(self, client):
        assert post(client, load("message_created__whatsapp_text")).status_code == 401


def test_token_url_without_configured_token_is_401(client):
    assert post(client, load("message_created__whatsapp_text"), url=URL + "anything/").status_code == 401


def test_same_delivery_id_twice_is_duplicate(client):
    payload = load("conversation_updated__status_open")
    assert post(client, payload, delivery="same").json() == {"status": "accepted"}
    assert post(client, payload, delivery="same").json() == {"status": "duplicate"}
    assert WebhookDelivery.objects.count() == 1


def test_same_message_under_two_delivery_ids_is_duplicate(client):
    payload = load("message_created__whatsapp_text")
    assert post(client, payload, delivery="a").json() == {"status": "accepted"}
    assert post(client, payload, delivery="b").json() == {"status": "duplicate"}
    assert WebhookDelivery.objects.count() == 1
    [absorbed] = DuplicateDelivery.objects.all()  # recorded for the dashboard
    assert (absorbed.event, absorbed.delivery_id) == ("message_created", "b")


def test_message_updated_receipts_are_not_mistaken_for_duplicates(client):
    assert post(client, load("message_updated__source_id")).json()["status"] == "accepted"
    assert post(client, load("message_updated__delivered_receipt")).json()["status"] == "accepted"
    assert post(client, load("message_updated__read_receipt")).json()["status"] == "accepted"
    assert post(client, load("message_updated__read_receipt")).json()["status"] == "duplicate"


def test_unknown_event_is_stored_and_ignored(client):
    response = post(client, {"event": "macro.executed", "id": 3})
    assert response.json() == {"status": "ignored", "reason": "unknown event 'macro.executed'"}
    assert WebhookDelivery.objects.get().outcome == DeliveryOutcome.IGNORED


def test_unsigned_automation_delivery_without_delivery_id_is_stored(client):
    response = post(client, {"event": "automation_event.message_created", "id": 3}, delivery=None)
    assert response.json()["status"] == "ignored"
    assert WebhookDelivery.objects.get().delivery_id is None


def test_delivery_for_an_unknown_account_is_stored_and_ignored(client, seam_calls):
    payload = load("message_created__whatsapp_text")
    payload["account"]["id"] = 999
    response = post(client, payload)
    assert response.json() == {"status": "ignored", "reason": "unknown account 999"}
    assert WebhookDelivery.objects.get().outcome == DeliveryOutcome.IGNORED
    assert not Message.objects.exists()


def test_get_is_not_allowed(client):
    assert client.get(URL).status_code == 405


def test_each_outcome_is_counted(client):
    before_ok = metric("message_created", "accepted")
    before_dup = metric("message_created", "duplicate")
    before_bad = metric("unknown", "rejected_400")
    payload = load("message_created__whatsapp_text")
    post(client, payload)
    post(client, payload)
    post(client, None, raw=b"[]")
    assert metric("message_created", "accepted") == before_ok + 1
    assert metric("message_created", "duplicate") == before_dup + 1
    assert metric("unknown", "rejected_400") == before_bad + 1
