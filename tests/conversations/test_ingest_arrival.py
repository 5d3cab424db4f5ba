"""A contact's line is noted the moment the webhook stores it, dated like the message it becomes."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.cache import cache

from conversations.ingest.arrival import _in_flight_key, line_in_flight
from conversations.models import WebhookDelivery
from tests.conversations.ingest_helpers import load, post

pytestmark = pytest.mark.django_db


def test_an_incoming_message_is_noted_at_its_arrival_before_any_worker_stores_it(client):
    payload = load("message_created__whatsapp_text")
    account, conversation = payload["account"]["id"], payload["conversation"]["id"]
    cache.delete(_in_flight_key(account, conversation))
    assert post(client, payload).status_code == 200
    delivery = WebhookDelivery.objects.get()
    assert cache.get(_in_flight_key(account, conversation)) == delivery.received_at.timestamp()
    assert line_in_flight(account, conversation, after=delivery.received_at - timedelta(seconds=0.5))
    assert not line_in_flight(account, conversation, after=delivery.received_at)  # the line itself is not newer


def test_our_own_outgoing_messages_are_not_noted(client):
    payload = load("message_created__outgoing_agent")
    account, conversation = payload["account"]["id"], payload["conversation"]["id"]
    cache.delete(_in_flight_key(account, conversation))
    post(client, payload)
    assert cache.get(_in_flight_key(account, conversation)) is None
