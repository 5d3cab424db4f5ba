"""The whole loop on one machine, over real HTTP both ways: the stand-in delivers signed webhooks to our real
endpoint (live_server), our reply is posted back through the real client, and its echo comes back to the endpoint.
"""

import pytest
from django.db import connection

from conversations.models import Conversation, Message, MessageStatus
from conversations.outbound import reply_queue
from tests.fakes.chatwoot import chatwoot_live, chatwoot_standin, wait_for  # noqa: F401

pytestmark = [
    pytest.mark.django_db(transaction=True),
    # Webhook requests and echoes write from several threads at once; SQLite's shared-cache in-memory test
    # database answers "database table is locked" instead of waiting. PostgreSQL (CI) runs these.
    pytest.mark.skipif(connection.vendor == "sqlite", reason="needs concurrent writers (PostgreSQL)"),
]


@pytest.fixture
def loop(chatwoot_live):
    return chatwoot_live


def test_contact_writes_and_gets_a_spanish_reply_through_chatwoot(loop):
    ids = loop.inbound(content="Hola", contact={"name": "Ana Pérez", "phone_number": "+56912345678"})
    replies = wait_for(lambda: loop.bot_messages(ids["conversation_id"]))
    wait_for(lambda: len(loop.webhooks) >= 2 + len(replies) and all(w["status"] for w in loop.webhooks))
    assert [w["status"] for w in loop.webhooks] == [200] * len(loop.webhooks)  # signed, accepted, incl. echoes
    assert replies[0]["content"]  # the agent answered something, through our client
    conversation = Conversation.objects.get(chatwoot_id=ids["conversation_id"])
    ours = wait_for(lambda: list(Message.objects.filter(conversation=conversation, direction="outbound")))
    assert len(ours) == len(replies)
    assert conversation.mode == "bot"


@pytest.mark.parametrize("timing", ["before", "after"])
def test_echo_through_the_real_webhook_is_one_row_and_not_a_human(loop, timing):
    loop.echo_timing = timing
    ids = loop.inbound(content="hola", contact={"name": "Luis", "phone_number": "+56987654321"})
    wait_for(lambda: loop.bot_messages(ids["conversation_id"]))  # let the agent's own greeting settle first
    conversation = Conversation.objects.get(chatwoot_id=ids["conversation_id"])
    before = Message.objects.filter(conversation=conversation).count()
    message = reply_queue(conversation_id=conversation.pk, content="Mensaje de prueba del bot")
    echo = wait_for(lambda: [w for w in loop.webhooks
                             if w["payload"].get("content") == "Mensaje de prueba del bot" and w["status"]])
    assert echo[0]["status"] == 200
    message.refresh_from_db()
    conversation.refresh_from_db()
    assert message.status == MessageStatus.SENT and message.chatwoot_id == echo[0]["payload"]["id"]
    assert Message.objects.filter(conversation=conversation).count() == before + 1
    assert conversation.mode == "bot"
