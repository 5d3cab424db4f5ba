"""The webhook edge refuses what cannot be processed (400 naming the field); what it accepts is processed, or
recorded as failed with a one-line reason and no traceback (conversations/ingest/schema.py)."""

from __future__ import annotations

import json
import logging
import threading
import time

import psycopg
import pytest
from django.db import connection, connections

from conversations.ingest import webhook_delivery_process, webhook_delivery_reprocess
from conversations.ingest.schema import PayloadError, payload_parse
from conversations.models import Contact, ContactIdentity, Conversation, DeliveryOutcome, Message, WebhookDelivery
from tests.conversations.fuzz_mutations import FIXTURES, FuzzBodies
from tests.conversations.ingest_helpers import deliver, load, post, seam_calls, sign  # noqa: F401

pytestmark = pytest.mark.django_db
BIGINT_MAX = 2**63 - 1


def refused(client, payload=None, raw: bytes | None = None) -> str:
    response = post(client, payload, raw=raw)
    assert response.status_code == 400, response.content
    assert not WebhookDelivery.objects.exists()
    return response.json()["error"]


def errors_logged(caplog) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.levelno >= logging.ERROR]


# --- one test per bug class found on main -------------------------------------------------------------------------
def test_account_that_is_not_an_object_is_400(client):
    payload = load("message_created__whatsapp_text")
    payload["account"] = "Acme"
    assert refused(client, payload) == "account must be an object"


def test_account_of_an_ignored_event_must_be_an_object_too(client):
    payload = load("conversation_typing_on")
    payload["account"] = [1]
    assert refused(client, payload) == "account must be an object or null"


@pytest.mark.parametrize("field", ["account", "conversation"])
def test_ids_beyond_bigint_are_400(client, field):
    payload = load("message_created__whatsapp_text")
    payload[field]["id"] = BIGINT_MAX + 1
    assert refused(client, payload) == f"{field}.id must be between 1 and {BIGINT_MAX}"


def test_the_largest_bigint_id_is_accepted_and_processed(deliver, seam_calls):
    payload = load("message_created__whatsapp_text")
    payload["id"] = BIGINT_MAX
    assert deliver(payload).json() == {"status": "accepted"}
    assert Message.objects.get(chatwoot_id=BIGINT_MAX).content.startswith("Hola")


@pytest.mark.parametrize("field, value", [("id", 0), ("id", -9001), ("sender.id", -1),
                                          ("conversation.meta.assignee.id", 0)])
def test_ids_must_be_positive(client, field, value):
    payload = load("message_created__outgoing_agent")
    target = payload
    *parents, last = field.split(".")
    for key in parents:
        target = target[key]
    target[last] = value
    assert refused(client, payload) == f"{field} must be between 1 and {BIGINT_MAX}"


@pytest.mark.parametrize("encoding", ["utf-16", "utf-32", "latin-1"])
def test_body_that_is_not_utf8_is_400(client, encoding):
    payload = load("message_created__whatsapp_text")
    payload["content"] = "Necesito señalética"
    body = json.dumps(payload, ensure_ascii=False).encode(encoding)
    assert refused(client, raw=body) == "the body is not UTF-8"


def test_utf8_bom_is_malformed_json_rather_than_stored(client):
    body = b"\xef\xbb\xbf" + json.dumps(load("message_created__whatsapp_text")).encode()
    assert refused(client, raw=body) == "malformed JSON"


@pytest.mark.parametrize("field, value, reason", [
    ("sender.name", 42, "sender.name must be a string or null"),
    ("content", {"text": "hola"}, "content must be a string or null"),
    ("conversation.status", ["pending"], "conversation.status must be a string or null"),
    ("conversation.messages", {"0": {}}, "conversation.messages must be an array or null"),
    ("content_attributes.email", "subject", "content_attributes.email must be an object or null"),
    ("private", "false", "private must be true or false or null"),
    ("conversation.contact_inbox.source_id", 5511987654321,
     "conversation.contact_inbox.source_id must be a string or null"),
])
def test_wrong_type_that_failed_in_the_worker_is_now_400(client, field, value, reason):
    payload = load("message_created__whatsapp_text")
    target = payload
    *parents, last = field.split(".")
    for key in parents:
        target = target[key]
    target[last] = value
    assert refused(client, payload) == reason


@pytest.mark.parametrize("field, length, reason", [
    ("content_type", 33, "content_type is longer than 32 characters"),
    ("source_id", 256, "source_id is longer than 255 characters"),
    ("conversation.status", 17, "conversation.status is longer than 16 characters"),
])
def test_keys_too_long_for_their_column_are_400(client, field, length, reason):
    payload = load("message_created__whatsapp_text")
    target = payload
    *parents, last = field.split(".")
    for key in parents:
        target = target[key]
    target[last] = "x" * length
    assert refused(client, payload) == reason


def test_email_too_long_for_its_column_even_after_lower_casing_is_400(client):
    payload = load("message_created__email")
    payload["conversation"]["meta"]["sender"]["email"] = "İ" * 200 + "@example.com"  # "İ".lower() is 2 chars
    assert refused(client, payload) == "conversation.meta.sender.email is longer than 254 characters"


def test_long_free_text_is_clipped_to_its_column_and_processed(deliver, seam_calls):
    payload = load("message_created__whatsapp_text")
    payload["sender"]["name"] = "María " * 10_000
    payload["conversation"]["meta"]["sender"]["name"] = "María " * 10_000
    assert deliver(payload).json() == {"status": "accepted"}
    message = Message.objects.get(chatwoot_id=9001)
    assert len(message.sender_name) == 255 and len(message.conversation.contact.name) == 255
    assert WebhookDelivery.objects.get().outcome == DeliveryOutcome.PROCESSED


@pytest.mark.parametrize("constant", ["NaN", "Infinity", "-Infinity", "1e400"])
def test_nan_and_infinity_anywhere_are_400_naming_the_field(client, constant):
    body = json.dumps(load("message_created__whatsapp_text")).replace(
        '"additional_attributes": {}', f'"additional_attributes": {{"score": {constant}}}', 1)
    assert refused(client, raw=body.encode()) == (
        "additional_attributes.score is not a finite number (NaN and Infinity are not JSON)")


@pytest.mark.parametrize("tail, reason", [
    ("", "malformed JSON"), ("[1, 2", "malformed JSON"),
    ("[" * 100_000 + "]" * 100_000 + "}", "the body is nested deeper than 64 levels"),
])
def test_nan_in_a_body_that_is_also_broken_says_what_is_broken(client, tail, reason):
    body = '{"event": "message_created", "score": NaN, "rest": ' + tail
    assert refused(client, raw=body.encode()) == reason


def test_out_of_range_timestamps_are_400(client):
    payload = load("message_created__whatsapp_text")
    payload["conversation"]["created_at"] = 1e20
    assert refused(client, payload) == "conversation.created_at must be between 0 and 4102444800"
    payload = load("message_created__whatsapp_text")
    payload["created_at"] = "2026-02-30T10:00:00Z"
    assert refused(client, payload).startswith("created_at is not a valid timestamp")


# --- the other shapes the fuzzer sends -----------------------------------------------------------------------------
@pytest.mark.parametrize("escape, what", [("\\u0000", "a NUL character"), ("\\ud800", "a lone UTF-16 surrogate"),
                                          ("\\udfff", "a lone UTF-16 surrogate")])
def test_nul_and_lone_surrogates_are_400_naming_the_field(client, escape, what):
    body = json.dumps(load("message_created__whatsapp_text")).replace('"Hola', f'"Hola{escape}', 1)
    assert refused(client, raw=body.encode()) == f"content contains {what}"


def test_surrogate_pairs_and_other_unicode_are_accepted(deliver, seam_calls):
    payload = load("message_created__whatsapp_text")
    payload["content"] = "שלום \u202e 👍🏽🇨🇱 e\u0301"
    body = json.dumps(payload).encode()  # ensure_ascii: the emoji travel as surrogate pairs
    assert b"\\ud83d" in body
    assert deliver(None, raw=body).json() == {"status": "accepted"}
    assert Message.objects.get().content == payload["content"]


def test_deep_nesting_is_400(client):
    body = json.dumps(load("message_created__whatsapp_text")).replace(
        '"content_attributes": {}', '"content_attributes": {"a": ' + "[" * 65 + "]" * 65 + "}", 1)
    assert refused(client, raw=body.encode()) == "the body is nested deeper than 64 levels"
    assert refused(client, raw=b'{"event": "x", "a": ' + b"[" * 100_000 + b"]" * 100_000 + b"}") == (
        "the body is nested deeper than 64 levels")


def test_a_body_nested_past_the_limit_never_reaches_the_json_parser(client, monkeypatch):
    """Near the recursion limit, finalizers that a collection runs fail for want of stack: such a body is refused
    before the parser recurses into it, with brackets inside strings not counted."""
    parsed = []
    real_loads = json.loads
    monkeypatch.setattr("conversations.ingest.schema.json.loads",
                        lambda text, **kw: parsed.append(1) or real_loads(text, **kw))
    deep = b'{"event": "x", "a": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"
    response = post(client, None, raw=deep)
    assert parsed == []  # (before the test reads the answer, which json.loads parses too)
    assert response.status_code == 400 and response.json()["error"] == "the body is nested deeper than 64 levels"
    payload = load("message_created__whatsapp_text")
    payload["content"] = "[" * 500 + "{" * 500  # only text: the body itself is shallow
    assert post(client, payload).status_code == 200


def test_numbers_as_strings_are_400(client):
    payload = load("message_created__whatsapp_text")
    payload["conversation"]["id"] = "58"
    assert refused(client, payload) == "conversation.id must be an integer"


def test_array_where_an_object_is_expected_is_400(client):
    payload = load("message_created__whatsapp_text")
    payload["conversation"]["meta"] = [payload["conversation"]["meta"]]
    assert refused(client, payload) == "conversation.meta must be an object or null"


def test_duplicate_keys_keep_the_last_value_at_the_edge_and_in_the_worker(client, deliver, seam_calls):
    body = json.dumps(load("message_created__whatsapp_text"))
    assert refused(client, raw=(body[:-1] + ', "id": "9001"}').encode()) == "id must be an integer"
    assert deliver(None, raw=('{"id": "9001", ' + body[1:]).encode()).json() == {"status": "accepted"}
    assert Message.objects.filter(chatwoot_id=9001).exists()


@pytest.mark.parametrize("path", sorted(FIXTURES.glob("*.json")), ids=lambda p: p.stem)
def test_every_recorded_payload_passes_the_schema(path):
    payload_parse(path.read_text())


# --- failures found in the worker ----------------------------------------------------------------------------------
def _stored(payload: dict, **fields) -> WebhookDelivery:
    """A delivery as an earlier release stored it (its edge did not check this body)."""
    return WebhookDelivery.objects.create(event=payload["event"], body=json.dumps(payload), headers={},
                                          outcome=fields.pop("outcome", DeliveryOutcome.PENDING), **fields)


def test_payload_problem_in_the_worker_is_a_one_line_failure_logged_without_traceback(caplog, seam_calls):
    payload = load("message_created__whatsapp_text")
    payload["content_type"] = "text\n" * 20
    delivery = _stored(payload)
    with caplog.at_level(logging.WARNING):
        assert webhook_delivery_process(delivery_id=delivery.pk) == DeliveryOutcome.FAILED
    delivery.refresh_from_db()
    assert delivery.error == "content_type is longer than 32 characters"
    assert not errors_logged(caplog)
    [warning] = [r for r in caplog.records if r.name == "conversations.ingest.process"]
    assert warning.levelno == logging.WARNING and warning.exc_info is None
    assert "content_type is longer than 32 characters" in warning.getMessage()
    # Retriable: the admin's reprocess runs it again and records the same reason.
    assert webhook_delivery_reprocess(delivery_id=delivery.pk) == DeliveryOutcome.FAILED
    delivery.refresh_from_db()
    assert delivery.attempts == 2 and delivery.error == "content_type is longer than 32 characters"
    assert not Message.objects.exists()


def test_delivery_failed_by_a_bad_release_is_processed_when_reprocessed_after_the_fix(caplog, seam_calls):
    # An e-mail inbox whose source id is 255 characters: main put it in the 254-character e-mail column.
    payload = load("message_created__email")
    address = "a" * 243 + "@example.com"
    payload["conversation"]["contact_inbox"]["source_id"] = address
    payload["conversation"]["meta"]["sender"]["email"] = None
    payload["sender"]["email"] = None
    delivery = _stored(payload, outcome=DeliveryOutcome.FAILED, attempts=1,
                       error="DataError: value too long for type character varying(254)")
    with caplog.at_level(logging.WARNING):
        assert webhook_delivery_reprocess(delivery_id=delivery.pk) == DeliveryOutcome.PROCESSED
    delivery.refresh_from_db()
    assert (delivery.outcome, delivery.error, delivery.attempts) == (DeliveryOutcome.PROCESSED, "", 2)
    contact = Contact.objects.get(chatwoot_id=415)
    assert contact.email == ""  # not an address we can keep whole
    assert ContactIdentity.objects.get(contact=contact).source_id == address
    assert Message.objects.get(chatwoot_id=payload["id"]).conversation.contact == contact
    assert not errors_logged(caplog)


def test_unexpected_failure_is_recorded_on_one_line(seam_calls):
    delivery = _stored(load("message_created__whatsapp_text"))
    WebhookDelivery.objects.filter(pk=delivery.pk).update(body="{not json")
    assert webhook_delivery_process(delivery_id=delivery.pk) == DeliveryOutcome.FAILED
    delivery.refresh_from_db()
    assert delivery.error == "malformed JSON"


def test_payload_error_names_the_event():
    with pytest.raises(PayloadError) as caught:
        payload_parse(json.dumps({"event": "contact_created", "account": {"id": 1}, "id": "415"}))
    assert (caught.value.reason, caught.value.event) == ("id must be an integer", "contact_created")


# --- in-process fuzz smoke test ------------------------------------------------------------------------------------
def test_fuzzed_bodies_never_get_5xx_nor_log_errors(client, django_capture_on_commit_callbacks, caplog, seam_calls):
    bodies = FuzzBodies(seed=20261202)
    statuses = []
    with caplog.at_level(logging.WARNING):
        for index in range(300):
            body = bodies.body(index)
            with django_capture_on_commit_callbacks(execute=True):
                response = post(client, None, raw=body.data)
            statuses.append(response.status_code)
            assert response.status_code < 500, (index, body.kinds, response.content[:300])
    assert not errors_logged(caplog), [r.getMessage() for r in errors_logged(caplog)][:5]
    assert {200, 400, 413} <= set(statuses)
    outcomes = set(WebhookDelivery.objects.values_list("outcome", flat=True))
    assert DeliveryOutcome.PROCESSED in outcomes and DeliveryOutcome.PENDING not in outcomes
    assert all("\n" not in e for e in WebhookDelivery.objects.values_list("error", flat=True))


# --- races between concurrent deliveries ---------------------------------------------------------------------------
def _waiting_on_a_lock(conninfo: dict, seconds: float = 10) -> bool:
    with psycopg.connect(**conninfo, autocommit=True) as watcher:
        deadline = time.time() + seconds
        while time.time() < deadline:
            waiting = watcher.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                                      "AND wait_event_type = 'Lock'").fetchone()[0]
            if waiting:
                return True
            time.sleep(0.02)
    return False


@pytest.mark.django_db(transaction=True)
def test_merge_that_loses_a_race_for_the_active_conversation_slot_runs_again_and_succeeds(caplog):
    # A visitor identified as "user-1" merges into the known contact while another transaction gives that contact
    # an active WhatsApp conversation: the merge's move hits the one-active-conversation constraint.
    known = Contact.objects.create(account_id=1, chatwoot_id=100, identifier="user-1")
    visitor = Contact.objects.create(account_id=1, chatwoot_id=200)
    other = Contact.objects.create(account_id=1, chatwoot_id=300)
    visitors = Conversation.objects.create(account_id=1, chatwoot_id=1, contact=visitor, channel="whatsapp")
    others = Conversation.objects.create(account_id=1, chatwoot_id=2, contact=other, channel="whatsapp")
    payload = load("contact_updated__identified")
    payload.update(id=200, identifier="user-1", email=None)
    delivery = _stored(payload)
    settings_dict = connection.settings_dict
    conninfo = {"dbname": settings_dict["NAME"], "user": settings_dict["USER"], "host": settings_dict["HOST"],
                "port": settings_dict["PORT"] or 5432}
    outcome = []

    def process():
        try:
            outcome.append(webhook_delivery_process(delivery_id=delivery.pk))
        finally:
            connections.close_all()

    with caplog.at_level(logging.INFO), psycopg.connect(**conninfo) as rival:
        rival.execute("UPDATE conversations_conversation SET contact_id = %s WHERE id = %s", (known.pk, others.pk))
        worker = threading.Thread(target=process)
        worker.start()
        assert _waiting_on_a_lock(conninfo)  # the merge's move waits on the rival's uncommitted slot
        rival.commit()
        worker.join(timeout=30)
    assert outcome == [DeliveryOutcome.PROCESSED]
    visitors.refresh_from_db()
    others.refresh_from_db()
    assert visitors.contact_id == known.pk and visitors.is_active  # the visitor's live conversation is current
    assert others.contact_id == known.pk and not others.is_active
    assert Contact.objects.get(pk=visitor.pk).merged_into_id == known.pk
    assert not errors_logged(caplog)
    assert any("lost a race (unique violation)" in r.getMessage() for r in caplog.records)


# --- headers: a forged signature is a 401, never a 500 -------------------------------------------------------------
@pytest.mark.parametrize("header, value, error", [
    ("X-Chatwoot-Signature", "sha256=é" + "0" * 63, "bad signature"),
    ("X-Chatwoot-Timestamp", "9" * 400, "bad timestamp"),
    ("X-Chatwoot-Timestamp", "12.5", "bad timestamp"),
])
def test_odd_signature_headers_are_401(client, settings, header, value, error):
    settings.CHATWOOT_WEBHOOK_SECRETS = ["whsec"]
    body = json.dumps(load("message_created__whatsapp_text")).encode()
    headers = {**sign("whsec", body), header: value}
    response = post(client, None, raw=body, headers=headers)
    assert response.status_code == 401 and response.json() == {"error": error}
