"""Each fault the stand-in injects, seen through our real Chatwoot client: what the stand-in did (created, echoed)
against what the client was told. "After" faults are the ones that matter most: Chatwoot did the work, and the
answer says otherwise or never arrives."""

import threading
import time

import httpx
import pytest

from integrations.chatwoot.client import chatwoot_client
from integrations.chatwoot.errors import ChatwootError
from integrations.chatwoot.standin_faults import Fault
from tests.fakes.chatwoot import chatwoot_standin, wait_for  # noqa: F401

pytestmark = pytest.mark.django_db


class Sink:
    """Receives the stand-in's webhooks in place of our endpoint, with the time each arrived."""

    def __init__(self):
        self.received: list[tuple[dict, dict, float]] = []

    def __call__(self, payload, headers):
        self.received.append((payload, headers, time.monotonic()))

    def events(self) -> list[tuple[str, int]]:
        return [(p["event"], p["id"]) for p, _, _ in self.received]


@pytest.fixture
def sink(chatwoot_standin):
    chatwoot_standin.webhook_sink = receiver = Sink()
    return receiver


@pytest.fixture
def conv(chatwoot_standin):
    return chatwoot_standin.add_conversation()


def send(conv, text="Hola"):
    return chatwoot_client().send_message(conv["id"], text)


def messages_in(standin, conv) -> list[str]:
    return [m["content"] for m in standin.bot_messages(conv["id"])]


def test_rate_limit_is_a_429_with_retry_after_and_nothing_created(chatwoot_standin, conv, sink):
    chatwoot_standin.arm_fault("rate_limit", retry_after=7)
    with pytest.raises(ChatwootError) as info:
        send(conv)
    assert info.value.status == 429 and info.value.retry_after == 7.0 and info.value.transient
    assert messages_in(chatwoot_standin, conv) == [] and sink.received == []
    assert send(conv, "después").content == "después"  # one request only


def test_error_before_applying_creates_nothing(chatwoot_standin, conv, sink):
    chatwoot_standin.arm_fault("error_before", status=503)
    with pytest.raises(ChatwootError) as info:
        send(conv)
    assert info.value.status == 503 and info.value.transient
    assert messages_in(chatwoot_standin, conv) == [] and sink.received == []
    assert chatwoot_standin.faults.applied[0]["effect_applied"] is False


def test_error_after_applying_created_and_echoed_the_message_before_the_500(chatwoot_standin, conv, sink):
    chatwoot_standin.arm_fault("error_after")
    with pytest.raises(ChatwootError) as info:
        send(conv, "Su pedido está listo")
    failed_at = time.monotonic()
    assert info.value.status == 500 and info.value.transient
    created = chatwoot_standin.bot_messages(conv["id"])
    assert [m["content"] for m in created] == ["Su pedido está listo"]
    (echo, _, echoed_at), = sink.received
    assert echo["event"] == "message_created" and echo["id"] == created[0]["id"] and echoed_at < failed_at
    applied = chatwoot_standin.faults.applied[0]
    assert applied["effect_applied"] is True and applied["withheld"]["id"] == created[0]["id"]
    assert applied["answered"] == 500 and applied["conversation_id"] == conv["id"]


def test_timeout_before_applying_leaves_the_client_unsure_and_creates_nothing(chatwoot_standin, conv, sink,
                                                                              settings):
    settings.CHATWOOT_TIMEOUT = 0.3
    chatwoot_standin.arm_fault("timeout_before", seconds=0.6)
    with pytest.raises(ChatwootError) as info:
        send(conv)
    assert info.value.transient and info.value.ambiguous
    time.sleep(0.5)  # past the stall: still nothing
    assert messages_in(chatwoot_standin, conv) == [] and sink.received == []


def test_timeout_after_applying_created_and_echoed_then_answered_too_late(chatwoot_standin, conv, sink, settings):
    settings.CHATWOOT_TIMEOUT = 0.3
    chatwoot_standin.arm_fault("timeout_after", seconds=0.6)
    with pytest.raises(ChatwootError) as info:
        send(conv, "Llegó tarde")
    assert info.value.ambiguous
    assert messages_in(chatwoot_standin, conv) == ["Llegó tarde"]
    assert [event for event, _ in sink.events()] == ["message_created"]


def test_timeout_then_apply_carries_the_request_out_after_the_client_gave_up(chatwoot_standin, conv, sink,
                                                                             settings):
    settings.CHATWOOT_TIMEOUT = 0.2
    chatwoot_standin.timeout_next(1, seconds=0.4, then_process=True)
    with pytest.raises(ChatwootError) as info:
        send(conv, "tarde")
    assert info.value.ambiguous and messages_in(chatwoot_standin, conv) == []  # not yet...
    wait_for(lambda: messages_in(chatwoot_standin, conv) == ["tarde"])  # ...but it happens
    wait_for(lambda: chatwoot_standin.faults.applied[0]["effect_applied"] is True)


def test_connection_reset_before_applying_creates_nothing(chatwoot_standin, conv, sink):
    chatwoot_standin.arm_fault("reset_before")
    with pytest.raises(ChatwootError) as info:
        send(conv)
    assert info.value.transient and info.value.ambiguous and info.value.status is None
    assert messages_in(chatwoot_standin, conv) == [] and sink.received == []
    assert send(conv, "otra vez").content == "otra vez"  # the next connection is fine


def test_connection_reset_after_applying_created_and_echoed_the_message(chatwoot_standin, conv, sink):
    chatwoot_standin.arm_fault("reset_after")
    with pytest.raises(ChatwootError) as info:
        send(conv, "cortado")
    assert info.value.ambiguous and info.value.status is None
    assert messages_in(chatwoot_standin, conv) == ["cortado"]
    assert sink.events() == [("message_created", chatwoot_standin.bot_messages(conv["id"])[0]["id"])]


def test_toggle_status_error_after_changed_the_status_and_sent_its_webhook(chatwoot_standin, conv, sink):
    chatwoot_standin.arm_fault("error_after", path="/toggle_status$")
    with pytest.raises(ChatwootError):
        chatwoot_client().toggle_status(conv["id"], "open")
    assert chatwoot_standin.status_changes == [(conv["id"], "open")]
    assert chatwoot_standin.conversations[conv["id"]]["status"] == "open"
    assert sink.events() == [("conversation_status_changed", conv["id"])]


@pytest.mark.parametrize("call", ["assign", "typing"])
def test_assignments_and_typing_take_faults_too(chatwoot_standin, conv, call):
    client = chatwoot_client()
    do = {"assign": lambda: client.assign(conv["id"], 3), "typing": lambda: client.toggle_typing(conv["id"], True)}
    chatwoot_standin.arm_fault("reset_after", path="/assignments$|/toggle_typing_status$")
    with pytest.raises(ChatwootError):
        do[call]()
    recorded = {"assign": chatwoot_standin.assignments, "typing": chatwoot_standin.typing}[call]
    assert recorded == [(conv["id"], 3 if call == "assign" else "on")]  # carried out, though the client failed


def test_a_fault_counts_only_matching_requests_and_wears_off_after_times(chatwoot_standin, settings):
    first, second = chatwoot_standin.add_conversation(), chatwoot_standin.add_conversation(phone_number="+5691")
    fault = chatwoot_standin.arm_fault("error_before", times=2, method="POST", path="/messages$",
                                       conversation_id=second["id"])
    client = chatwoot_client()
    client.get_conversation(second["id"])  # GET: not matched
    client.toggle_typing(second["id"], True)  # other path: not matched
    client.send_message(first["id"], "a la otra")  # other conversation: not matched
    for _ in range(2):
        with pytest.raises(ChatwootError):
            client.send_message(second["id"], "falla")
    assert client.send_message(second["id"], "ya pasó").content == "ya pasó"
    assert fault.used == 2 and chatwoot_standin.faults.armed() == []
    assert [a["conversation_id"] for a in chatwoot_standin.faults.applied] == [second["id"]] * 2


def test_an_after_fault_waits_for_a_request_that_succeeds(chatwoot_standin, conv):
    chatwoot_standin.arm_fault("error_after", path="/messages$")
    client = chatwoot_client()
    with pytest.raises(ChatwootError) as unknown:
        client.send_message(999999, "no existe")
    assert unknown.value.status == 404  # Chatwoot's own answer; the fault is still armed
    with pytest.raises(ChatwootError) as info:
        client.send_message(conv["id"], "ahora sí")
    assert info.value.status == 500 and messages_in(chatwoot_standin, conv) == ["ahora sí"]


def test_unknown_or_malformed_faults_are_refused():
    for bad in ({"kind": "explode"}, {"kind": "error_before", "times": 0}, {"kind": "error_before", "status": 200},
                {"kind": "rate_limit", "retry_after": -1}, {"kind": "error_before", "path": "("},
                {"kind": "error_before", "colour": "red"}, {"kind": "error_before", "method": 1},
                {"kind": "webhook_duplicate", "same_delivery_id": "yes"}, {"kind": ["error_before"]}):
        with pytest.raises(ValueError):
            Fault.from_json(bad)


# --- webhook delivery faults ---------------------------------------------------------------------------------
def test_an_echo_delivered_twice_with_the_same_delivery_id(chatwoot_standin, conv, sink):
    chatwoot_standin.arm_fault("webhook_duplicate", event="message_created", message_type="outgoing")
    sent = send(conv)
    wait_for(lambda: len(sink.received) == 2)
    (first, h1, _), (second, h2, _) = sink.received
    assert first == second and first["id"] == sent.id
    assert h1["X-Chatwoot-Delivery"] == h2["X-Chatwoot-Delivery"]
    assert chatwoot_standin.faults.applied[0]["delivery_ids"] == [h1["X-Chatwoot-Delivery"]] * 2


def test_an_echo_delivered_twice_with_different_delivery_ids(chatwoot_standin, conv, sink):
    chatwoot_standin.arm_fault("webhook_duplicate", same_delivery_id=False, message_type="outgoing")
    send(conv)
    wait_for(lambda: len(sink.received) == 2)
    assert sink.received[0][0] == sink.received[1][0]
    assert sink.received[0][1]["X-Chatwoot-Delivery"] != sink.received[1][1]["X-Chatwoot-Delivery"]


def test_an_echo_held_back_arrives_after_the_next_webhook(chatwoot_standin, conv, sink):
    chatwoot_standin.arm_fault("webhook_out_of_order", message_type="outgoing", seconds=5)
    first = send(conv, "uno")
    time.sleep(0.1)
    assert sink.received == []  # held
    reply = chatwoot_standin.inbound(content="respuesta", conversation_id=conv["id"])
    wait_for(lambda: len(sink.received) == 2)
    assert sink.events() == [("message_created", reply["message_id"]), ("message_created", first.id)]


def test_a_held_echo_goes_out_on_its_own_when_nothing_follows(chatwoot_standin, conv, sink):
    chatwoot_standin.arm_fault("webhook_out_of_order", message_type="outgoing", seconds=0.2)
    sent = send(conv)
    assert wait_for(lambda: sink.events(), timeout=2) == [("message_created", sent.id)]


def test_a_delayed_echo_arrives_late(chatwoot_standin, conv, sink):
    chatwoot_standin.arm_fault("webhook_delay", message_type="outgoing", seconds=0.4)
    started = time.monotonic()
    send(conv)
    (_, _, arrived), = wait_for(lambda: sink.received, timeout=3)
    assert arrived - started >= 0.4


def test_a_dropped_echo_never_arrives_and_is_recorded(chatwoot_standin, conv, sink):
    chatwoot_standin.arm_fault("webhook_drop", event="message_created", message_type="outgoing")
    sent = send(conv)
    wait_for(lambda: any(w["status"] == "dropped" for w in chatwoot_standin.webhooks))
    time.sleep(0.1)
    assert sink.received == []
    assert chatwoot_standin.faults.applied[0]["id"] == sent.id


# --- the control endpoint (a fault suite in another process) ------------------------------------------------
def test_faults_armed_over_http_apply_to_our_client_and_are_logged(chatwoot_standin, conv, sink):
    base = f"{chatwoot_standin.url}/standin/faults"
    armed = httpx.post(base, json={"faults": [
        {"kind": "error_after", "path": "/messages$", "conversation_id": conv["id"]},
        {"kind": "webhook_duplicate", "same_delivery_id": False, "message_type": "outgoing"},
    ]})
    assert armed.status_code == 201 and [f["kind"] for f in armed.json()["armed"]] == ["error_after",
                                                                                      "webhook_duplicate"]
    with pytest.raises(ChatwootError) as info:
        send(conv, "doble")
    assert info.value.status == 500
    seen = httpx.get(base).json()
    assert seen["armed"] == []
    assert [a["kind"] for a in seen["applied"]] == ["webhook_duplicate", "error_after"]  # the echo went first
    records = httpx.get(f"{chatwoot_standin.url}/standin/records").json()
    assert [s["content"] for s in records["sent"]] == ["doble"]
    assert [(w["event"], w["fault"]) for w in records["webhooks"]] == [("message_created", "webhook_duplicate")] * 2
    cleared = httpx.delete(base).json()
    assert len(cleared["applied"]) == 2 and httpx.get(base).json() == {"armed": [], "applied": []}


def test_the_control_endpoint_refuses_a_bad_fault_and_arms_none_of_the_batch(chatwoot_standin):
    base = f"{chatwoot_standin.url}/standin/faults"
    response = httpx.post(base, json={"faults": [{"kind": "error_before"}, {"kind": "error_before", "times": -1}]})
    assert response.status_code == 400 and "times" in response.json()["error"]
    assert httpx.post(base, content=b"not json").status_code == 400
    assert httpx.get(base).json()["armed"] == []


def test_a_request_stalled_by_a_fault_does_not_hold_up_the_others(chatwoot_standin, conv):
    chatwoot_standin.arm_fault("timeout_before", seconds=1.0, path="/messages$")
    answers = []
    url = f"{chatwoot_standin.url}/api/v1/accounts/1/conversations/{conv['id']}/messages"
    stalled = threading.Thread(daemon=True, target=lambda: answers.append(httpx.post(
        url, json={"content": "x"}, headers={"api_access_token": chatwoot_standin.token}, timeout=3).status_code))
    stalled.start()
    time.sleep(0.1)
    started = time.monotonic()
    chatwoot_client().get_conversation(conv["id"])
    assert time.monotonic() - started < 0.5
    stalled.join(3)
    assert answers == [504] and messages_in(chatwoot_standin, conv) == []
