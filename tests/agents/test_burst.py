"""Burst folding costs latency only to a contact who is still typing: unfinished messages and bare greetings wait
for the rest (without holding a worker), complete ones are answered at once."""

from datetime import timedelta

import pytest
from django.utils import timezone

from agents.models import Turn
from agents.orchestration.burst import reads_greeting_only, reads_unfinished, seconds_to_wait
from agents.tasks import process_inbound_message
from tests.agents.factories import inbound, make_conversation

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.parametrize("text", ["una consulta", "Hola, una pregunta:", "quería preguntar", "necesito", "y",
                                  "quiero 10 kg de almendras y", "lo de siempre,", "i need"])
def test_unfinished_messages_are_told_apart(text):
    assert reads_unfinished(text)


@pytest.mark.parametrize("text", ["¿a qué hora abren?", "quiero 10 kg de almendras", "sí", "gracias", "Hola",
                                  "10 kg", "Confirmar", "¿hacen despacho a Ñuñoa?"])
def test_complete_messages_are_answered_at_once(text):
    assert not reads_unfinished(text)


@pytest.mark.parametrize("text,greeting", [("Hola", True), ("buenas tardes!", True), ("hola hola", True),
                                           ("hola, ¿a qué hora abren?", False), ("hola quiero pedir", False)])
def test_a_bare_greeting_is_the_first_line_of_a_burst(text, greeting):
    assert reads_greeting_only(text) is greeting


def test_the_wait_runs_from_the_newest_message_and_ends_with_the_window(chatwoot_standin):
    conversation = make_conversation(chatwoot_standin)
    fresh, older = inbound(conversation, "una consulta"), inbound(conversation, "una consulta", ago=0.8)
    now = timezone.now()
    assert 0.9 < seconds_to_wait([fresh], now=now, window=1.0, greeting_wait=0.3) <= 1.0
    assert 0 < seconds_to_wait([older], now=now, window=1.0, greeting_wait=0.3) <= 0.2
    assert seconds_to_wait([inbound(conversation, "¿abren hoy?")], now=now, window=1.0, greeting_wait=0.3) == 0
    hello = inbound(conversation, "hola")
    assert 0.2 < seconds_to_wait([hello], now=hello.created_at + timedelta(seconds=0.05), window=1.0,
                                 greeting_wait=0.3) <= 0.3


def test_three_messages_300_ms_apart_are_answered_by_one_turn(chatwoot_standin, settings):
    settings.AGENT_BURST_WINDOW, settings.AGENT_GREETING_WAIT = 1.0, 0.3
    conversation = make_conversation(chatwoot_standin)
    burst = [inbound(conversation, "hola", ago=0.6), inbound(conversation, "una consulta", ago=0.3),
             inbound(conversation, "¿a qué hora abren?")]
    for message in burst:  # each message's task, as the worker would run them
        process_inbound_message(message.pk)
    [turn] = Turn.objects.all()
    assert turn.message_ids == [m.pk for m in burst]
    [reply] = [m for m in chatwoot_standin.sent if not m["private"]]
    assert "horario" in reply["content"].lower()


def test_a_contact_writing_fragments_non_stop_is_still_answered(chatwoot_standin, settings):
    settings.AGENT_BURST_WINDOW = 0.3
    conversation = make_conversation(chatwoot_standin)
    message = inbound(conversation, "quería preguntar")
    process_inbound_message(message.pk)  # waits the window out (tests run the delayed task inline), then answers
    assert Turn.objects.count() == 1


def _incoming_payload(conversation):
    return {"event": "message_created", "message_type": "incoming", "account": {"id": conversation.account_id},
            "conversation": {"id": conversation.chatwoot_id}}


def test_a_line_that_reached_the_webhook_but_is_not_stored_yet_is_waited_for(chatwoot_standin, settings):
    from agents.orchestration.runner import IN_FLIGHT_RECHECK, Deferred, turn_run_next
    from conversations.ingest.arrival import line_arrival_note

    settings.AGENT_BURST_WINDOW, settings.AGENT_GREETING_WAIT = 1.0, 0.3
    conversation = make_conversation(chatwoot_standin)
    hello = inbound(conversation, "hola", ago=0.35)  # its greeting wait is over
    line_arrival_note(_incoming_payload(conversation), timezone.now())  # the next line is being stored
    step, _ = turn_run_next(conversation_id=conversation.pk)
    assert step == Deferred(hello.pk, IN_FLIGHT_RECHECK) and not Turn.objects.exists()
    question = inbound(conversation, "¿a qué hora abren?")  # stored now
    turn_run_next(conversation_id=conversation.pk)
    [turn] = Turn.objects.all()
    assert turn.message_ids == [hello.pk, question.pk]


def test_a_noted_line_that_is_already_stored_or_long_stuck_does_not_hold_the_answer(chatwoot_standin, settings):
    from agents.orchestration.runner import RAN, turn_run_next
    from conversations.ingest.arrival import IN_FLIGHT_SECONDS, line_arrival_note

    settings.AGENT_BURST_WINDOW, settings.AGENT_GREETING_WAIT = 1.0, 0.3
    conversation = make_conversation(chatwoot_standin)
    question = inbound(conversation, "¿a qué hora abren?")
    line_arrival_note(_incoming_payload(conversation), question.created_at)  # the note of this very line
    assert turn_run_next(conversation_id=conversation.pk)[0] == RAN
    other = make_conversation(chatwoot_standin)
    stuck = inbound(other, "¿tienen nueces?", ago=IN_FLIGHT_SECONDS + 1)
    line_arrival_note(_incoming_payload(other), stuck.created_at + timedelta(seconds=0.5))  # never stored
    assert turn_run_next(conversation_id=other.pk)[0] == RAN
