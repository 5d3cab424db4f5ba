"""manage.py backfill_chatwoot against the Chatwoot stand-in on 127.0.0.1 (our real REST client, real paging)."""

from __future__ import annotations

import time
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from conversations.models import Channel, Contact, Conversation, Message, MessageStatus
from tests.conversations.ingest_helpers import seam_calls  # noqa: F401
from integrations.chatwoot.standin import StandinError
from tests.fakes.chatwoot import chatwoot_standin  # noqa: F401

pytestmark = pytest.mark.django_db


def _seed(standin, conversations: int = 27, long_messages: int = 45) -> dict:
    ids = {}
    for n in range(conversations):
        first = standin.inbound(content=f"hola {n}", contact={"name": f"C{n}", "phone_number": f"+5691000{n:04d}"})
        ids.setdefault("first", first["conversation_id"])
    long_conv = ids["first"]
    for n in range(long_messages):
        standin.inbound(content=f"línea {n}", conversation_id=long_conv)
    standin.create_message(long_conv, {"content": "Respuesta del equipo"})
    ids["web"] = standin.inbound(content="hola web", channel="web")["conversation_id"]
    return ids


def _backfill(*args) -> str:
    out = StringIO()
    call_command("backfill_chatwoot", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def test_backfill_imports_every_page_of_conversations_and_messages(chatwoot_standin, seam_calls):
    ids = _seed(chatwoot_standin)
    sent_before = len(chatwoot_standin.sent)
    summary = _backfill()
    assert Conversation.objects.count() == 28
    long_conv = Conversation.objects.get(chatwoot_id=ids["first"])
    assert long_conv.messages.count() == 1 + 45 + 1  # three pages of messages walked with `before`
    assert long_conv.contact.phone_e164 == "+56910000000"
    reply = long_conv.messages.get(content="Respuesta del equipo")
    assert reply.direction == "outbound" and reply.status == MessageStatus.SENT
    assert Conversation.objects.get(chatwoot_id=ids["web"]).channel == Channel.WEB
    assert "28 seen, 28 new" in summary and "74 new" in summary
    # Sends nothing and wakes nobody.
    assert seam_calls == [] and len(chatwoot_standin.sent) == sent_before
    assert chatwoot_standin.status_changes == []


def test_second_run_adds_nothing(chatwoot_standin, seam_calls):
    _seed(chatwoot_standin, conversations=3, long_messages=25)
    _backfill()
    counts = (Conversation.objects.count(), Message.objects.count(), Contact.objects.count())
    summary = _backfill()
    assert (Conversation.objects.count(), Message.objects.count(), Contact.objects.count()) == counts
    assert "0 new; messages: 0 new" in summary


def test_listing_failure_is_a_clear_error_and_writes_nothing(chatwoot_standin, seam_calls):
    _seed(chatwoot_standin, conversations=2, long_messages=0)
    chatwoot_standin.fail_next(1, status=401)
    with pytest.raises(CommandError, match="Chatwoot listing failed: 401"):
        _backfill()
    assert not Conversation.objects.exists()


def test_interrupted_run_resumes_without_duplicates(chatwoot_standin, seam_calls, monkeypatch):
    ids = _seed(chatwoot_standin, conversations=4, long_messages=0)
    real = chatwoot_standin.list_messages
    failing = {ids["first"]}

    def flaky(conversation_id, query):  # Chatwoot fails this conversation's message listing in the first run
        if conversation_id in failing:
            failing.discard(conversation_id)
            raise StandinError(404, "conversation not found")
        return real(conversation_id, query)

    monkeypatch.setattr(chatwoot_standin, "list_messages", flaky)
    with pytest.raises(CommandError, match="run again to resume"):
        _backfill()
    assert Conversation.objects.count() == 5 - 1  # 4 WhatsApp + 1 web, one of them failed
    assert not Conversation.objects.filter(chatwoot_id=ids["first"]).exists()
    _backfill()
    assert Conversation.objects.count() == 5 and Message.objects.count() == 6  # 5 inbound + 1 staff reply


def test_inbox_filter(chatwoot_standin, seam_calls):
    ids = _seed(chatwoot_standin, conversations=2, long_messages=0)
    web_inbox = chatwoot_standin.conversations[ids["web"]]["inbox_id"]
    _backfill("--inbox", str(web_inbox))
    assert list(Conversation.objects.values_list("chatwoot_id", flat=True)) == [ids["web"]]


def test_since_skips_older_messages(chatwoot_standin, seam_calls):
    ids = _seed(chatwoot_standin, conversations=1, long_messages=2)
    for msg in chatwoot_standin.conversations[ids["first"]]["messages"][:2]:
        msg["created_at"] = time.time() - 400 * 86400
    summary = _backfill("--since", time.strftime("%Y-%m-%d", time.gmtime(time.time() - 30 * 86400)))
    kept = Message.objects.filter(conversation__chatwoot_id=ids["first"]).order_by("chatwoot_id")
    assert [m.content for m in kept] == ["línea 1", "Respuesta del equipo"] and "2 before --since" in summary


def test_resolved_past_conversation_does_not_end_the_current_one(chatwoot_standin, seam_calls):
    old = chatwoot_standin.add_conversation(phone_number="+56977777777", status="resolved")
    chatwoot_standin.inbound(content="pasado", conversation_id=old["id"])
    chatwoot_standin.conversations[old["id"]]["status"] = "resolved"
    current = chatwoot_standin.add_conversation(phone_number="+56977777777", status="pending")
    _backfill()
    assert Conversation.objects.get(chatwoot_id=current["id"]).is_active
    assert not Conversation.objects.get(chatwoot_id=old["id"]).is_active


def test_bad_since_is_a_clear_error(chatwoot_standin):
    with pytest.raises(CommandError):
        call_command("backfill_chatwoot", "--since", "17/06/2026")
