"""The task with the LLM router switched on (fake OpenAI server on 127.0.0.1): a good answer is used, garbage or a
timeout falls back to the rules for that turn, and the contact is answered either way."""

import pytest

from agents.models import Turn
from agents.tasks import process_inbound_message
from tests.agents.factories import inbound, make_conversation
from tests.fakes.openai_server import fake_openai  # noqa: F401 - fixture

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("faqs", "fast_agent")]


def public(standin, conversation):
    return [m for m in standin.sent if m["conversation_id"] == conversation.chatwoot_id and not m["private"]]


def test_the_llm_decision_is_used_and_recorded(chatwoot_standin, fake_openai):
    fake_openai.tool_call({"lane": "support", "intent": "complaint", "confidence": 0.91, "items": [],
                           "language": "es"})
    conversation = make_conversation(chatwoot_standin)
    process_inbound_message(inbound(conversation, "nadie me contesta hace una semana, qué falta de respeto").pk)
    turn = Turn.objects.get()
    assert (turn.source, turn.lane, turn.intent, turn.confidence) == ("llm", "support", "complaint", 0.91)
    assert "Registramos tu reclamo" in public(chatwoot_standin, conversation)[0]["content"]
    history = fake_openai.requests[0]["messages"]
    assert any("nadie me contesta" in str(m.get("content")) for m in history)
    # an LLM turn takes a noticeable time: the contact sees "typing…" while it runs
    assert chatwoot_standin.typing == [(conversation.chatwoot_id, "on"), (conversation.chatwoot_id, "off")]


def test_llm_garbage_falls_back_to_the_rules_and_the_contact_is_answered(chatwoot_standin, fake_openai):
    fake_openai.tool_call('{"lane": "info", "intent": "sell_me_a_car"')  # truncated, invalid JSON
    conversation = make_conversation(chatwoot_standin)
    process_inbound_message(inbound(conversation, "Hola").pk)
    turn = Turn.objects.get()
    assert turn.source == "rules" and turn.intent == "greeting" and turn.decision["details"]["fallback"]
    assert public(chatwoot_standin, conversation)[0]["content"].startswith("¡Hola!")


def test_llm_timeout_falls_back_to_the_rules(chatwoot_standin, fake_openai):
    for _ in range(4):
        fake_openai.delay(2.0)  # longer than OPENAI_TIMEOUT, every retry
    conversation = make_conversation(chatwoot_standin)
    process_inbound_message(inbound(conversation, "¿a qué hora abren?").pk)
    turn = Turn.objects.get()
    assert turn.source == "rules" and turn.intent == "faq" and turn.error == ""
    assert "horario" in public(chatwoot_standin, conversation)[0]["content"]


def test_a_take_over_while_the_agent_is_thinking_silences_its_reply(chatwoot_standin, fake_openai,
                                                                       django_user_model):
    import threading
    import time

    from django.db import connection

    from conversations.handoff import conversation_take_over

    staff = django_user_model.objects.create_user("marta", is_staff=True)
    fake_openai.tool_call({"lane": "info", "intent": "greeting", "confidence": 0.9, "items": [], "language": "es"},
                          delay=1.0)
    conversation = make_conversation(chatwoot_standin)
    message = inbound(conversation, "Hola")
    def work():
        try:
            process_inbound_message(message.pk)
        finally:
            connection.close()  # this thread's own connection, or the test database cannot be dropped

    worker = threading.Thread(target=work)
    worker.start()
    time.sleep(0.4)  # the agent is waiting on the LLM now
    conversation_take_over(conversation_id=conversation.pk, user=staff)
    worker.join(timeout=10)

    assert public(chatwoot_standin, conversation) == []
    turn = Turn.objects.get()
    assert turn.decision["silenced"] == "human_mode" and turn.reply == ""
