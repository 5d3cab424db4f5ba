"""Our own replies echoed back by Chatwoot are recognised as ours, also when the echo beats the POST's answer.

The stand-in delivers the echo from its own request thread into `claim_echo` (what ingestion calls for every
outgoing `message_created`), with its own database connection: hence `transactional_db`.
"""

import time

import pytest
from django.db import OperationalError, connection

from conversations.models import Conversation, Message, MessageStatus
from conversations.outbound import claim_echo, reply_queue
from tests.conversations.outbound_helpers import conversation_in_both
from tests.fakes.chatwoot import chatwoot_standin  # noqa: F401

pytestmark = pytest.mark.django_db(transaction=True)


class EchoReceiver:
    """Plays ingestion's part for echoes: find the conversation, ask `claim_echo`; remember what it answered."""

    def __init__(self):
        self.claims: list[tuple[int, Message | None, str]] = []

    def __call__(self, payload, headers):
        if payload.get("event") != "message_created":
            return
        try:
            for _ in range(50):
                try:
                    return self._claim(payload)
                except OperationalError as exc:
                    # SQLite's shared-cache in-memory test database reports a concurrent writer as "locked"
                    # instead of waiting (a file database waits out its busy timeout): wait and try again.
                    if "locked" not in str(exc):
                        raise
                    time.sleep(0.01)
        finally:
            connection.close()  # this runs in the stand-in's thread

    def _claim(self, payload):
        conversation = Conversation.objects.get(chatwoot_id=payload["conversation"]["id"])
        status_seen = Message.objects.filter(conversation=conversation).values_list("status", flat=True).first()
        self.claims.append((payload["id"], claim_echo(conversation=conversation, payload=payload), status_seen))


def wait_for(condition, timeout=3.0):
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.01)


def send(conversation, content="Hola, soy el asistente."):
    message = reply_queue(conversation_id=conversation.pk, content=content)  # autocommit: the task runs at once
    message.refresh_from_db()
    return message


@pytest.mark.parametrize("timing", ["before", "after"])
def test_echo_is_claimed_as_ours_one_row_not_a_human(chatwoot_standin, timing):
    chatwoot_standin.echo_timing = timing
    receiver = chatwoot_standin.webhook_sink = EchoReceiver()
    conversation = conversation_in_both(chatwoot_standin)
    message = send(conversation)
    wait_for(lambda: receiver.claims)  # "after": the echo comes on the stand-in's thread once the POST returned
    message.refresh_from_db()
    [(echo_id, claimed, status_seen)] = receiver.claims
    assert claimed is not None and claimed.pk == message.pk
    assert message.chatwoot_id == echo_id and message.status == MessageStatus.SENT
    assert Message.objects.count() == 1 and len(chatwoot_standin.sent) == 1
    conversation.refresh_from_db()
    assert conversation.mode == "bot"
    if timing == "before":
        assert status_seen == MessageStatus.SENDING  # the echo really arrived while the POST was in flight


def test_echo_of_a_message_a_human_wrote_is_not_claimed(chatwoot_standin):
    conversation = conversation_in_both(chatwoot_standin)
    send(conversation, "Respuesta del bot")
    payload = {"event": "message_created", "message_type": "outgoing", "id": 777777, "content": "Hola, soy Carla",
               "private": False, "sender": {"id": 3, "type": "user"}}
    assert claim_echo(conversation=conversation, payload=payload) is None


def test_echo_matches_by_content_oldest_first_for_identical_replies(chatwoot_standin, settings):
    settings.DRY_RUN = True  # rows end `sent` without a Chatwoot id, like a POST whose answer never came
    conversation = conversation_in_both(chatwoot_standin)
    first, second = send(conversation, "Gracias"), send(conversation, "Gracias")
    one = claim_echo(conversation=conversation, payload={"message_type": "outgoing", "id": 501, "content": "Gracias\n"})
    two = claim_echo(conversation=conversation, payload={"message_type": "outgoing", "id": 502, "content": "Gracias"})
    again = claim_echo(conversation=conversation, payload={"message_type": "outgoing", "id": 501, "content": "Gracias"})
    assert (one.pk, two.pk, again.pk) == (first.pk, second.pk, first.pk)
    assert claim_echo(conversation=conversation, payload={"message_type": "outgoing", "id": 503, "content": "Gracias"}) is None


def test_echo_of_a_queued_row_marks_it_sent_so_it_is_never_posted(chatwoot_standin):
    from conversations.tasks import send_message

    conversation = conversation_in_both(chatwoot_standin)
    row = Message.objects.create(conversation=conversation, direction="outbound", origin="bot", content="Listo",
                                 status=MessageStatus.QUEUED, echo_key="k1")
    claimed = claim_echo(conversation=conversation, payload={"message_type": "outgoing", "id": 900, "content": "Listo"})
    assert claimed.pk == row.pk and claimed.status == MessageStatus.SENT
    assert send_message(row.pk) == "skipped" and chatwoot_standin.sent == []


def test_incoming_messages_are_never_claimed(chatwoot_standin):
    conversation = conversation_in_both(chatwoot_standin)
    Message.objects.create(conversation=conversation, direction="outbound", origin="bot", content="Hola",
                           status=MessageStatus.SENDING, echo_key="k2")
    payload = {"message_type": "incoming", "id": 901, "content": "Hola"}
    assert claim_echo(conversation=conversation, payload=payload) is None
