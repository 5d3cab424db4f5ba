"""Exactly once: repeated, duplicated, out-of-order and concurrent deliveries all end with one row each."""

from __future__ import annotations

import threading
import uuid

import pytest
from django.db import connection, connections

from conversations.ingest import webhook_delivery_process, webhook_delivery_reprocess
from conversations.models import Conversation, DeliveryOutcome, Message, MessageStatus, WebhookDelivery
from conversations.webhook import webhook_delivery_receive
from tests.conversations.ingest_helpers import deliver, load, post, seam_calls  # noqa: F401

pytestmark = pytest.mark.django_db


def test_same_delivery_twice_stores_one_message_and_one_agent_turn(deliver, seam_calls):
    payload = load("message_created__whatsapp_text")
    deliver(payload, delivery="x")
    deliver(payload, delivery="x")
    assert Message.objects.filter(chatwoot_id=9001).count() == 1
    assert len(seam_calls) == 1


def test_processing_task_run_twice_changes_nothing(deliver, seam_calls):
    deliver(load("message_created__whatsapp_text"))
    delivery = WebhookDelivery.objects.get()
    assert webhook_delivery_process(delivery_id=delivery.pk) == DeliveryOutcome.PROCESSED
    assert Message.objects.count() == 1 and len(seam_calls) == 1


def test_reprocessing_a_processed_delivery_adds_no_row_and_no_agent_turn(deliver, seam_calls):
    deliver(load("message_created__whatsapp_text"))
    delivery = WebhookDelivery.objects.get()
    assert webhook_delivery_reprocess(delivery_id=delivery.pk) == DeliveryOutcome.PROCESSED
    assert Message.objects.count() == 1 and len(seam_calls) == 1


def test_message_created_before_conversation_created(deliver, seam_calls):
    deliver(load("message_created__whatsapp_text"))
    deliver(load("conversation_created"))
    assert Conversation.objects.count() == 1
    assert Message.objects.get(chatwoot_id=9001).conversation.chatwoot_id == 58


def test_message_updated_before_message_created_is_stored_then_reconciled(deliver, seam_calls):
    deliver(load("message_updated__read_receipt"))  # our view of 9031 starts from its update
    message = Message.objects.get(chatwoot_id=9031)
    assert message.status == MessageStatus.READ and message.source_id == "wamid.OUT9031"
    deliver(load("message_created__outgoing_agent"))  # the late create changes nothing
    assert Message.objects.filter(chatwoot_id=9031).count() == 1
    message.refresh_from_db()
    assert message.status == MessageStatus.READ and message.source_id == "wamid.OUT9031"


def test_inbound_update_before_create_hands_the_message_to_the_agent_once(deliver, seam_calls):
    deliver(load("message_updated__edited"))
    deliver(load("message_created__whatsapp_text"))
    assert Message.objects.filter(chatwoot_id=9001).count() == 1
    assert len(seam_calls) == 1


def test_failed_processing_is_kept_on_the_row_and_can_be_reprocessed(deliver, seam_calls, monkeypatch,
                                                                    django_capture_on_commit_callbacks):
    from conversations.ingest import dispatch

    def boom(payload):
        raise RuntimeError("database hiccup")

    real = dispatch.CHATWOOT_EVENT_HANDLERS["message_created"]
    monkeypatch.setitem(dispatch.CHATWOOT_EVENT_HANDLERS, "message_created", dispatch.EventHandler(boom))
    assert deliver(load("message_created__whatsapp_text")).json() == {"status": "accepted"}
    delivery = WebhookDelivery.objects.get()
    assert delivery.outcome == DeliveryOutcome.FAILED and "database hiccup" in delivery.error
    assert not Message.objects.exists()
    monkeypatch.setitem(dispatch.CHATWOOT_EVENT_HANDLERS, "message_created", real)
    with django_capture_on_commit_callbacks(execute=True):
        assert webhook_delivery_reprocess(delivery_id=delivery.pk) == DeliveryOutcome.PROCESSED
    delivery.refresh_from_db()
    assert delivery.outcome == DeliveryOutcome.PROCESSED and delivery.error == "" and delivery.attempts == 2
    assert Message.objects.filter(chatwoot_id=9001).count() == 1 and len(seam_calls) == 1


def test_admin_reprocess_action(admin_client, deliver, seam_calls, monkeypatch):
    from conversations.ingest import dispatch

    monkeypatch.setitem(dispatch.CHATWOOT_EVENT_HANDLERS, "conversation_created",
                        dispatch.EventHandler(lambda p: 1 / 0))
    deliver(load("conversation_created"))
    delivery = WebhookDelivery.objects.get()
    assert delivery.outcome == DeliveryOutcome.FAILED
    monkeypatch.undo()
    response = admin_client.post("/admin/conversations/webhookdelivery/",
                                 {"action": "reprocess", "_selected_action": [delivery.pk]}, follow=True)
    assert "Se reprocesó 1 entrega (0 fallaron)." in response.content.decode()
    assert Conversation.objects.filter(chatwoot_id=58).exists()


@pytest.mark.django_db(transaction=True)
def test_twenty_simultaneous_deliveries_of_one_message_store_one_row(seam_calls):
    if connection.vendor == "sqlite":
        pytest.skip("SQLite serialises writers; the race needs PostgreSQL")
    payload = load("message_created__whatsapp_text")
    import json
    body = json.dumps(payload).encode()
    barrier = threading.Barrier(20)
    answers, errors = [], []

    def one():
        try:
            barrier.wait()
            receipt = webhook_delivery_receive(body=body, headers={"X-Chatwoot-Delivery": str(uuid.uuid4())})
            answers.append(receipt.status)
            for delivery in WebhookDelivery.objects.filter(outcome=DeliveryOutcome.PENDING):
                webhook_delivery_process(delivery_id=delivery.pk)
        except Exception as exc:  # noqa: BLE001
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=one) for _ in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert sorted(answers) == ["accepted"] + ["duplicate"] * 19
    assert Message.objects.filter(chatwoot_id=9001).count() == 1
    assert Conversation.objects.count() == 1 and len(seam_calls) == 1


@pytest.mark.django_db(transaction=True)
def test_twenty_threads_processing_distinct_deliveries_of_one_message_converge(seam_calls):
    """Bypass the dedupe key (e.g. a create and 19 updates racing): handlers must still converge on one row."""
    if connection.vendor == "sqlite":
        pytest.skip("SQLite serialises writers; the race needs PostgreSQL")
    created = load("message_created__whatsapp_text")
    ids = []
    for i in range(20):
        payload = dict(created, event="message_updated" if i else "message_created", content=f"v{i}")
        receipt_id = WebhookDelivery.objects.create(event=payload["event"], body=__import__("json").dumps(payload))
        ids.append(receipt_id.pk)
    barrier = threading.Barrier(20)
    errors = []

    def one(delivery_id):
        try:
            barrier.wait()
            webhook_delivery_process(delivery_id=delivery_id)
        except Exception as exc:  # noqa: BLE001
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=one, args=(pk,)) for pk in ids]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert list(WebhookDelivery.objects.values_list("outcome", flat=True).distinct()) == [DeliveryOutcome.PROCESSED]
    assert Message.objects.filter(chatwoot_id=9001).count() == 1
    assert Conversation.objects.count() == 1 and len(seam_calls) == 1


def test_sweeper_redrives_a_delivery_whose_task_was_lost(client, seam_calls, django_capture_on_commit_callbacks):
    from datetime import timedelta

    from django.utils import timezone

    from conversations.ingest import webhook_delivery_sweep

    with django_capture_on_commit_callbacks(execute=False):  # the broker "drops" the task
        post(client, load("message_created__whatsapp_text"))
    delivery = WebhookDelivery.objects.get()
    assert delivery.outcome == DeliveryOutcome.PENDING
    assert webhook_delivery_sweep(older_than_seconds=120) == 0  # too fresh: its task may still be on the way
    WebhookDelivery.objects.filter(pk=delivery.pk).update(received_at=timezone.now() - timedelta(minutes=5))
    with django_capture_on_commit_callbacks(execute=True):
        assert webhook_delivery_sweep(older_than_seconds=120) == 1  # sync queue in tests: runs inline
    delivery.refresh_from_db()
    assert delivery.outcome == DeliveryOutcome.PROCESSED
    assert Message.objects.filter(chatwoot_id=9001).count() == 1 and len(seam_calls) == 1


def test_a_message_is_dated_by_its_arrival_not_by_when_a_worker_got_to_it(deliver, seam_calls):
    from datetime import timedelta

    deliver(load("message_created__whatsapp_text"))
    delivery = WebhookDelivery.objects.get()
    arrived = delivery.received_at - timedelta(seconds=3)  # it waited in the queue behind other work
    WebhookDelivery.objects.filter(pk=delivery.pk).update(received_at=arrived, outcome=DeliveryOutcome.PENDING)
    Message.objects.all().delete()
    assert webhook_delivery_process(delivery_id=delivery.pk) == DeliveryOutcome.PROCESSED
    assert Message.objects.get(chatwoot_id=9001).created_at == arrived  # burst folding reads these gaps
