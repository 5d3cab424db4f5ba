"""Our own reply's echo and its receipts are settled as the webhook stores them, with no task; anything else about
an outgoing message still takes the queued path, and a failure at receipt loses nothing."""

from __future__ import annotations

import pytest

from conversations.models import (
    Conversation, ConversationMode, DeliveryOutcome, Direction, Message, MessageOrigin, MessageStatus,
    WebhookDelivery,
)
from tests.conversations.ingest_helpers import deliver, load, seam_calls  # noqa: F401

pytestmark = pytest.mark.django_db


@pytest.fixture
def queued(deliver, seam_calls, monkeypatch):
    """A conversation with the contact's first message in place; then the delivery ids handed to the processing
    task are recorded instead of run."""
    deliver(load("message_created__whatsapp_text"))
    ids: list[int] = []
    monkeypatch.setattr("conversations.tasks_ingest.process_delivery", ids.append)
    return ids


def _our_reply(status=MessageStatus.SENT) -> Message:
    conv = Conversation.objects.get(chatwoot_id=58)
    return Message.objects.create(conversation=conv, direction=Direction.OUTBOUND, origin=MessageOrigin.BOT,
                                  content="Hola Maria, su pedido salió hoy.", status=status, chatwoot_id=9031,
                                  echo_key="k-9031")


def _receipt(status: str) -> dict:
    payload = load("message_updated__delivered_receipt")
    for message in payload["conversation"]["messages"]:
        message["status"] = status
    payload["status"] = status
    return payload


def test_receipts_of_our_reply_are_settled_at_receipt_without_a_task(deliver, queued):
    reply = _our_reply()
    assert deliver(_receipt("delivered")).status_code == 200
    reply.refresh_from_db()
    assert reply.status == MessageStatus.DELIVERED
    delivery = WebhookDelivery.objects.latest("pk")
    assert (delivery.outcome, delivery.attempts, delivery.processed_at is not None) == (
        DeliveryOutcome.PROCESSED, 1, True)
    assert queued == []
    assert deliver(_receipt("read")).status_code == 200
    reply.refresh_from_db()
    assert reply.status == MessageStatus.READ and queued == []
    assert Conversation.objects.get(chatwoot_id=58).mode == ConversationMode.BOT


def test_the_same_receipt_twice_is_a_duplicate(deliver, queued):
    _our_reply()
    assert deliver(_receipt("delivered")).json()["status"] == "accepted"
    assert deliver(_receipt("delivered")).json()["status"] == "duplicate"
    assert WebhookDelivery.objects.filter(event="message_updated").count() == 1


def test_a_staff_message_from_chatwoot_still_takes_the_queued_path(deliver, queued):
    assert deliver(load("message_created__outgoing_agent")).status_code == 200
    [delivery_id] = queued
    assert WebhookDelivery.objects.get(pk=delivery_id).outcome == DeliveryOutcome.PENDING
    assert not Message.objects.filter(chatwoot_id=9031).exists()  # stored by the task, not at receipt


def test_a_failure_at_receipt_falls_back_to_the_queued_path_and_loses_nothing(deliver, seam_calls, monkeypatch):
    deliver(load("message_created__whatsapp_text"))
    reply = _our_reply()

    def broken(**kwargs):
        raise RuntimeError("database hiccup while settling")

    monkeypatch.setattr("conversations.webhook.own_reply_settle", broken)
    assert deliver(_receipt("delivered")).status_code == 200
    reply.refresh_from_db()
    assert reply.status == MessageStatus.DELIVERED  # the task did it
    [delivery] = WebhookDelivery.objects.filter(event="message_updated")
    assert delivery.outcome == DeliveryOutcome.PROCESSED
    assert Message.objects.filter(chatwoot_id=9031).count() == 1


def _unnumbered_reply(status=MessageStatus.SENDING, content="Hola Maria, su pedido salió hoy.") -> Message:
    """Our reply whose POST has not been answered yet: no Chatwoot id."""
    conv = Conversation.objects.get(chatwoot_id=58)
    return Message.objects.create(conversation=conv, direction=Direction.OUTBOUND, origin=MessageOrigin.BOT,
                                  content=content, status=status, echo_key=f"k-{status}-{len(content)}")


@pytest.mark.parametrize("status", [MessageStatus.SENDING, MessageStatus.QUEUED])
def test_an_echo_that_beats_our_post_is_numbered_and_marked_sent_at_receipt(deliver, queued, status):
    reply = _unnumbered_reply(status)
    echo = load("message_created__outgoing_agent")  # Chatwoot's echo of our POST: same content, its new id
    echo["content"] += "\n"  # the webhook's normaliser drops a trailing newline
    assert deliver(echo).json()["status"] == "accepted"
    reply.refresh_from_db()
    # Sent and numbered: no sweep or retry can post it again, and the POST's answer finds it done.
    assert (reply.status, reply.chatwoot_id) == (MessageStatus.SENT, 9031)
    assert queued == []
    assert Message.objects.filter(conversation=reply.conversation, direction=Direction.OUTBOUND).count() == 1
    assert Conversation.objects.get(chatwoot_id=58).mode == ConversationMode.BOT  # not taken for a human


def test_an_echo_of_other_content_is_not_ours_and_takes_the_queued_path(deliver, queued):
    reply = _unnumbered_reply(content="Otro texto que aún no responde Chatwoot")
    deliver(load("message_created__outgoing_agent"))
    [delivery_id] = queued
    assert WebhookDelivery.objects.get(pk=delivery_id).outcome == DeliveryOutcome.PENDING
    reply.refresh_from_db()
    assert (reply.status, reply.chatwoot_id) == (MessageStatus.SENDING, None)


def test_the_row_that_already_has_the_echos_id_wins_over_an_unnumbered_one_with_the_same_text(deliver, queued):
    numbered = _our_reply(status=MessageStatus.SENDING)  # its POST was answered first
    unnumbered = _unnumbered_reply()  # the same words, sent again later
    deliver(load("message_created__outgoing_agent"))
    numbered.refresh_from_db()
    unnumbered.refresh_from_db()
    assert numbered.status == MessageStatus.SENT and queued == []
    assert (unnumbered.status, unnumbered.chatwoot_id) == (MessageStatus.SENDING, None)  # still its own echo to come
