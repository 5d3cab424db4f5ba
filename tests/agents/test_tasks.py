"""The orchestration task end to end: stored message → task → router → lane agent → queued reply → the real
outbound sender → the Chatwoot stand-in on 127.0.0.1 (its real HTTP API). Transactional: replies are sent on
commit, as in production."""

import threading

import pytest
from django.db import connection
from prometheus_client import REGISTRY

from agents.models import Session, Turn
from agents.session import session_load
from agents.tasks import process_inbound_message, sweep_pending_turns
from conversations.handoff import conversation_hand_back
from conversations.models import AnswerState, Conversation, Direction, HandoffCase, Message, SenderKind
from tests.agents.factories import inbound, make_conversation

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("faqs", "fast_agent")]


def public(standin, conversation):
    return [m for m in standin.sent if m["conversation_id"] == conversation.chatwoot_id and not m["private"]]


def notes(standin, conversation):
    return [m for m in standin.sent if m["conversation_id"] == conversation.chatwoot_id and m["private"]]


def turns_metric(lane, intent, source="rules"):
    return REGISTRY.get_sample_value("agent_turns_total", {"lane": lane, "intent": intent, "source": source}) or 0


def test_greeting_is_answered_once_with_the_menu_and_at_once(chatwoot_standin):
    conversation = make_conversation(chatwoot_standin)
    before = turns_metric("info", "greeting")
    process_inbound_message(inbound(conversation, "Hola").pk)

    [reply] = public(chatwoot_standin, conversation)
    assert reply["content"].startswith("¡Hola!") and "asistente" in reply["content"]
    assert reply["content_type"] == "input_select"
    assert [i["title"] for i in reply["content_attributes"]["items"]] == [
        "Hacer un pedido", "Horarios", "Hablar con alguien"]
    assert chatwoot_standin.typing == []  # a rules turn is quicker than a typing indicator would show
    turn = Turn.objects.get()
    assert (turn.lane, turn.intent, turn.source, turn.agent) == ("info", "greeting", "rules", "info")
    assert turn.reply == reply["content"] and turn.error == "" and 0 <= turn.latency_ms < 10_000
    assert turns_metric("info", "greeting") == before + 1
    session = session_load(conversation_id=conversation.pk).document
    assert session["last"] == {"lane": "info", "intent": "greeting"}
    assert [e["role"] for e in session["dialogue"]] == ["user", "assistant"]
    assert session["slots"]["pending_question"]["options"][1]["title"] == "Horarios"


def test_opening_hours_question_gets_the_real_hours(chatwoot_standin, settings):
    settings.BUSINESS_HOURS = {"mon": ["08:00", "20:00"], "tue": ["08:00", "20:00"], "wed": ["08:00", "20:00"],
                               "thu": ["08:00", "20:00"], "fri": ["08:00", "20:00"], "sat": None, "sun": None}
    conversation = make_conversation(chatwoot_standin)
    process_inbound_message(inbound(conversation, "¿a qué hora abren?").pk)
    [reply] = public(chatwoot_standin, conversation)
    assert "lunes a viernes de 08:00 a 20:00" in reply["content"]
    assert "sábado a domingo cerrado" in reply["content"]
    assert "Ahora estamos" in reply["content"]
    assert Turn.objects.get().decision["details"]["faq"]["key"] == "horarios"


def test_faq_from_the_admin_is_answered(chatwoot_standin):
    conversation = make_conversation(chatwoot_standin)
    process_inbound_message(inbound(conversation, "cuales son los medios de pago?").pk)
    [reply] = public(chatwoot_standin, conversation)
    assert "transferencia" in reply["content"]


def test_english_contact_gets_english(chatwoot_standin):
    conversation = make_conversation(chatwoot_standin)
    process_inbound_message(inbound(conversation, "hello, what time do you open?").pk)
    [reply] = public(chatwoot_standin, conversation)
    assert "opening hours" in reply["content"].lower() and "Monday" in reply["content"]


def test_gibberish_gets_a_helpful_fallback_with_buttons(chatwoot_standin):
    conversation = make_conversation(chatwoot_standin)
    process_inbound_message(inbound(conversation, "asdfgh qwerty").pk)
    [reply] = public(chatwoot_standin, conversation)
    assert "No estoy seguro" in reply["content"] and len(reply["content_attributes"]["items"]) == 3


def test_asking_for_a_person_hands_over_at_once(chatwoot_standin):
    conversation = make_conversation(chatwoot_standin)
    process_inbound_message(inbound(conversation, "quiero hablar con una persona").pk)

    [reply] = public(chatwoot_standin, conversation)
    assert "te comunico con una persona" in reply["content"]
    conversation.refresh_from_db()
    assert conversation.mode == "human" and conversation.handoff_reason == "human_request"
    assert (conversation.chatwoot_id, "open") in chatwoot_standin.status_changes
    [note] = notes(chatwoot_standin, conversation)
    assert "pidió hablar con una persona" in note["content"] and "quiero hablar con una persona" in note["content"]
    case = HandoffCase.objects.get()
    assert case.reason == "human_request" and case.summary == note["content"]
    assert "handoff" not in session_load(conversation_id=conversation.pk).document  # the mode is the record


def test_a_complaint_is_acknowledged_recorded_and_handed_over(chatwoot_standin):
    conversation = make_conversation(chatwoot_standin)
    process_inbound_message(inbound(conversation, "el pedido llegó roto, pésimo servicio").pk)
    [reply] = public(chatwoot_standin, conversation)
    assert "Registramos tu reclamo" in reply["content"]
    case = HandoffCase.objects.get()
    assert case.reason == "complaint" and case.contact_text == "el pedido llegó roto, pésimo servicio"
    assert "motivo: reclamo" in notes(chatwoot_standin, conversation)[0]["content"]
    assert Conversation.objects.get(pk=conversation.pk).mode == "human"


def test_purchase_intents_are_dispatched_to_the_purchase_agent(chatwoot_standin):
    conversation = make_conversation(chatwoot_standin)
    process_inbound_message(inbound(conversation, "quiero 10 kilos de almendras").pk)
    turn = Turn.objects.get()
    assert (turn.lane, turn.intent, turn.agent) == ("purchase", "order_create", "purchase")
    [reply] = public(chatwoot_standin, conversation)
    assert reply["content"] == turn.reply


def test_a_burst_is_folded_into_one_turn_answered_once(chatwoot_standin, settings):
    settings.AGENT_BURST_WINDOW = 2.0
    conversation = make_conversation(chatwoot_standin)
    greeting = inbound(conversation, "Hola", ago=10)
    burst = [inbound(conversation, "una consulta", ago=2.6), inbound(conversation, "a qué hora", ago=2.3),
             inbound(conversation, "abren?", ago=2.1)]

    assert process_inbound_message(burst[-1].pk) == 2  # the older greeting first, then the burst
    for message in [greeting, *burst]:
        assert process_inbound_message(message.pk) == 0

    first, second = Turn.objects.order_by("id")
    assert first.message_ids == [greeting.pk] and first.intent == "greeting"
    assert second.message_ids == [m.pk for m in burst]
    assert second.text == "una consulta\na qué hora\nabren?"
    replies = public(chatwoot_standin, conversation)
    assert len(replies) == 2 and "horario" in replies[1]["content"]


def test_running_the_task_twice_gives_one_turn_and_one_reply(chatwoot_standin):
    conversation = make_conversation(chatwoot_standin)
    message = inbound(conversation, "Hola")
    assert process_inbound_message(message.pk) == 1
    assert process_inbound_message(message.pk) == 0
    assert Turn.objects.count() == 1 and len(public(chatwoot_standin, conversation)) == 1
    assert Message.objects.filter(direction=Direction.OUTBOUND, private=False).count() == 1


def test_human_mode_means_silence(chatwoot_standin):
    conversation = make_conversation(chatwoot_standin, mode="human")
    message = inbound(conversation, "Hola, ¿a qué hora abren?")
    assert process_inbound_message(message.pk) == 0
    assert chatwoot_standin.sent == [] and chatwoot_standin.typing == [] and Turn.objects.count() == 0
    assert Message.objects.get(pk=message.pk).answer == AnswerState.SKIPPED


def test_private_notes_and_outgoing_messages_are_not_answered(chatwoot_standin):
    conversation = make_conversation(chatwoot_standin)
    note = inbound(conversation, "nota interna", private=True)
    staff = inbound(conversation, "Hola, soy Ana", direction=Direction.OUTBOUND, sender_kind=SenderKind.USER)
    assert process_inbound_message(note.pk) == 0 and process_inbound_message(staff.pk) == 0
    assert process_inbound_message(999999999) == 0  # deleted meanwhile
    assert chatwoot_standin.sent == [] and not Message.objects.filter(answer=AnswerState.PENDING).exists()


def test_failure_after_the_last_attempt_apologises_and_hands_over(chatwoot_standin, settings):
    conversation = make_conversation(chatwoot_standin)
    # A session row nobody can read (written by a newer release): retrying cannot help, so one attempt.
    Session.objects.create(conversation=conversation, schema_version=99, document={"schema_version": 99},
                           started_at=conversation.created_at, last_activity_at=conversation.created_at)
    process_inbound_message(inbound(conversation, "Hola").pk)

    [reply] = public(chatwoot_standin, conversation)
    assert reply["content"].startswith("Disculpa, tuvimos un problema técnico")
    conversation.refresh_from_db()
    assert conversation.mode == "human" and conversation.handoff_reason == "failure"
    assert (conversation.chatwoot_id, "open") in chatwoot_standin.status_changes
    assert "no pudo responder tras 1 intento:" in notes(chatwoot_standin, conversation)[0]["content"]
    turn = Turn.objects.get()
    assert turn.attempts == 1 and "UnknownSchemaVersion" in turn.error and turn.handoff_reason == "failure"

    # Staff hand it back: the bad session was set aside, so the bot answers again.
    conversation_hand_back(conversation_id=conversation.pk, actor="ana", reason="handed_back")
    process_inbound_message(inbound(conversation, "Hola").pk)
    assert public(chatwoot_standin, conversation)[-1]["content"].startswith("¡Hola!")
    assert Session.objects.filter(conversation=conversation, is_active=False, schema_version=99).exists()


def test_the_sweeper_redrives_messages_whose_task_was_lost(chatwoot_standin, settings):
    settings.AGENT_SWEEP_AFTER = 0
    conversation = make_conversation(chatwoot_standin)
    inbound(conversation, "Hola")  # stored and owed an answer, but the task never ran
    assert sweep_pending_turns() == 1
    assert len(public(chatwoot_standin, conversation)) == 1
    assert sweep_pending_turns() == 0


@pytest.mark.skipif("connection.vendor != 'postgresql'")
def test_fifty_messages_at_once_are_answered_in_order_without_lost_session_updates(chatwoot_standin):
    conversation = make_conversation(chatwoot_standin)
    messages = [inbound(conversation, f"Hola {n}") for n in range(50)]
    errors = []

    def deliver(message_id):
        try:
            process_inbound_message(message_id)
        except Exception as exc:  # noqa: BLE001
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=deliver, args=(m.pk,)) for m in messages]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    turns = list(Turn.objects.order_by("id"))
    assert [t.message_ids for t in turns] == [[m.pk] for m in messages]
    assert len(public(chatwoot_standin, conversation)) == 50
    document = session_load(conversation_id=conversation.pk).document
    assert document["counters"]["turns"] == 50
    assert [e["text"] for e in document["dialogue"] if e["role"] == "user"][-1] == "Hola 49"


def test_a_busy_conversation_leaves_the_message_pending_for_the_sweeper(chatwoot_standin, settings):
    from core.locks import lock

    settings.AGENT_LOCK_WAIT = 0.05
    settings.AGENT_SWEEP_AFTER = 0
    conversation = make_conversation(chatwoot_standin)
    message = inbound(conversation, "Hola")
    with lock(f"agents:conversation:{conversation.pk}", ttl=5):  # another worker holds the conversation
        assert process_inbound_message(message.pk) == 0
    assert Message.objects.get(pk=message.pk).answer == AnswerState.PENDING
    assert public(chatwoot_standin, conversation) == []
    assert sweep_pending_turns() == 1
    assert len(public(chatwoot_standin, conversation)) == 1
