"""Turns end to end over real HTTP: the Chatwoot stand-in delivers signed webhooks to our real endpoint
(live_server); ingestion stores the message, records that an answer is owed and enqueues the agent; the orchestration task routes it, the lane agent
answers, and the reply goes back through our real Chatwoot client to the stand-in."""

import time

import pytest
from django.db import connection

from agents.models import Turn
from conversations.models import HandoffCase
from conversations.models import Conversation
from tests.fakes.chatwoot import chatwoot_live, chatwoot_standin, wait_for  # noqa: F401

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("faqs", "fast_agent"),
    # The webhook thread and its echoes write concurrently; SQLite's in-memory test database refuses that.
    pytest.mark.skipif(connection.vendor == "sqlite", reason="needs concurrent writers (PostgreSQL)"),
]


@pytest.fixture
def chatwoot(chatwoot_live):
    return chatwoot_live


def public_replies(standin, conversation_id):
    return [m for m in standin.bot_messages(conversation_id) if not m.get("private")]


def test_hola_gets_a_spanish_greeting_through_chatwoot(chatwoot):
    # Latency is measured by bench/turns.py, not asserted here (timed unit tests are flaky on a loaded box).
    ids = chatwoot.inbound(content="Hola", contact={"name": "Ana Pérez", "phone_number": "+56912345678"})
    [reply] = wait_for(lambda: public_replies(chatwoot, ids["conversation_id"]))
    assert reply["content"].startswith("¡Hola!")
    assert Turn.objects.filter(intent="greeting").count() == 1


def test_opening_hours_through_chatwoot(chatwoot, settings):
    ids = chatwoot.inbound(content="¿a qué hora abren?", contact={"name": "Luis", "phone_number": "+56911112222"})
    [reply] = wait_for(lambda: public_replies(chatwoot, ids["conversation_id"]))
    assert "Nuestro horario de atención es lunes a jueves de 09:00 a 18:00" in reply["content"]


def test_asking_for_a_person_hands_over_and_then_the_bot_stays_silent(chatwoot):
    contact = {"name": "Rosa", "phone_number": "+56933334444"}
    ids = chatwoot.inbound(content="quiero hablar con alguien", contact=contact)
    wait_for(lambda: public_replies(chatwoot, ids["conversation_id"]))
    wait_for(lambda: (ids["conversation_id"], "open") in chatwoot.status_changes)
    note = wait_for(lambda: [m for m in chatwoot.bot_messages(ids["conversation_id"]) if m.get("private")])
    assert "pidió hablar con una persona" in note[0]["content"]
    conversation = Conversation.objects.get(chatwoot_id=ids["conversation_id"])
    assert conversation.mode == "human" and HandoffCase.objects.get().reason == "human_request"

    chatwoot.inbound(content="Hola? alguien?", conversation_id=ids["conversation_id"])
    time.sleep(0.2)
    assert len(public_replies(chatwoot, ids["conversation_id"])) == 1
    assert Turn.objects.count() == 1
    conversation.refresh_from_db()
    assert conversation.mode == "human"  # our own echoes (reply, private note) were not taken for a human
