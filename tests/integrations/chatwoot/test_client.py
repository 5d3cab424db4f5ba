"""The Chatwoot client against the stand-in over real HTTP: calls, classified errors, paging, DRY_RUN, call rows."""

import time
from email.utils import formatdate

import pytest

from integrations.chatwoot.client import chatwoot_client, parse_retry_after
from integrations.chatwoot.errors import ChatwootError
from integrations.models import ExternalCall
from tests.fakes.chatwoot import chatwoot_standin  # noqa: F401

pytestmark = pytest.mark.django_db


def test_send_message_returns_the_chatwoot_message_and_logs_a_call(chatwoot_standin):
    conv = chatwoot_standin.add_conversation()
    sent = chatwoot_client().send_message(conv["id"], "Hola, ¿en qué le ayudo?")
    assert sent.id == chatwoot_standin.sent[0]["id"]
    assert sent.content == "Hola, ¿en qué le ayudo?" and sent.private is False
    call = ExternalCall.objects.get(method="send_message")
    assert call.system == "chatwoot" and call.outcome == "ok" and call.latency_ms is not None


def test_missing_or_wrong_token_is_a_permanent_401(chatwoot_standin, settings):
    conv = chatwoot_standin.add_conversation()
    settings.CHATWOOT_API_TOKEN = "wrong"
    with pytest.raises(ChatwootError) as info:
        chatwoot_client().send_message(conv["id"], "x")
    assert info.value.status == 401 and info.value.transient is False
    assert chatwoot_standin.sent == []
    assert ExternalCall.objects.get(method="send_message").outcome == "error"


def test_unknown_conversation_is_a_permanent_404(chatwoot_standin):
    with pytest.raises(ChatwootError) as info:
        chatwoot_client().toggle_status(999999, "open")
    assert info.value.status == 404 and not info.value.transient


def test_500_is_transient_and_maybe_done(chatwoot_standin):
    """Chatwoot may have created the message before the 500: the sender looks it up before posting again."""
    conv = chatwoot_standin.add_conversation()
    chatwoot_standin.fail_next(1, status=500)
    with pytest.raises(ChatwootError) as info:
        chatwoot_client().send_message(conv["id"], "x")
    assert info.value.transient and info.value.status == 500 and info.value.ambiguous


def test_429_is_transient_with_retry_after_parsed(chatwoot_standin):
    conv = chatwoot_standin.add_conversation()
    chatwoot_standin.fail_next(1, status=429, retry_after=7)
    with pytest.raises(ChatwootError) as info:
        chatwoot_client().send_message(conv["id"], "x")
    assert info.value.transient and info.value.retry_after == 7.0


def test_read_timeout_is_transient_and_ambiguous(chatwoot_standin, settings):
    settings.CHATWOOT_TIMEOUT = 0.2
    conv = chatwoot_standin.add_conversation()
    chatwoot_standin.timeout_next(1, seconds=0.5)
    with pytest.raises(ChatwootError) as info:
        chatwoot_client().send_message(conv["id"], "x")
    assert info.value.transient and info.value.ambiguous


def test_connection_refused_is_transient_not_ambiguous(settings):
    settings.CHATWOOT_BASE_URL = "http://127.0.0.1:9"
    settings.DRY_RUN = False
    with pytest.raises(ChatwootError) as info:
        chatwoot_client().toggle_typing(1, True)
    assert info.value.transient and not info.value.ambiguous


def test_retry_after_accepts_seconds_and_http_dates():
    assert parse_retry_after("3") == 3.0
    assert 8 <= parse_retry_after(formatdate(time.time() + 10, usegmt=True)) <= 10
    assert parse_retry_after("soon") is None and parse_retry_after(None) is None


def test_input_select_items_without_value_are_rejected_422(chatwoot_standin):
    conv = chatwoot_standin.add_conversation()
    with pytest.raises(ChatwootError) as info:
        chatwoot_client().send_message(conv["id"], "Elija", content_type="input_select",
                                       content_attributes={"items": [{"title": "Sí"}]})
    assert info.value.status == 422 and not info.value.transient


def test_more_than_200_messages_a_minute_is_422(chatwoot_standin):
    conv = chatwoot_standin.add_conversation()
    client = chatwoot_client()
    for n in range(200):
        chatwoot_standin.create_message(conv["id"], {"content": f"m{n}"})
    with pytest.raises(ChatwootError) as info:
        client.send_message(conv["id"], "one too many")
    assert info.value.status == 422 and "Too many messages" in str(info.value)
    assert info.value.transient and info.value.retry_after == 60.0  # the guard clears within a minute


def test_standin_refuses_and_flags_a_reply_with_source_id(chatwoot_standin):
    import httpx

    conv = chatwoot_standin.add_conversation()
    response = httpx.post(f"{chatwoot_standin.url}/api/v1/accounts/1/conversations/{conv['id']}/messages",
                          json={"content": "x", "source_id": "wamid.1"},
                          headers={"api_access_token": chatwoot_standin.token})
    assert response.status_code == 422
    assert chatwoot_standin.flags and chatwoot_standin.sent == []


def test_toggle_typing_and_assign_are_recorded(chatwoot_standin):
    conv = chatwoot_standin.add_conversation()
    client = chatwoot_client()
    client.toggle_typing(conv["id"], True)
    client.toggle_typing(conv["id"], False)
    client.assign(conv["id"], 3)
    assert chatwoot_standin.typing == [(conv["id"], "on"), (conv["id"], "off")]
    assert chatwoot_standin.assignments == [(conv["id"], 3)]


def test_get_conversation_reports_can_reply(chatwoot_standin):
    conv = chatwoot_standin.add_conversation(can_reply=False)
    info = chatwoot_client().get_conversation(conv["id"])
    assert info.id == conv["id"] and info.can_reply is False and info.status == "pending"


def test_list_conversations_pages_by_25(chatwoot_standin):
    for n in range(30):
        chatwoot_standin.add_conversation(phone_number=f"+5691000{n:04d}")
    client = chatwoot_client()
    first, second = client.list_conversations(page=1), client.list_conversations(page=2)
    assert len(first.conversations) == 25 and not first.is_last and first.all_count == 30
    assert len(second.conversations) == 5 and second.is_last
    assert {c["id"] for c in first.conversations}.isdisjoint({c["id"] for c in second.conversations})


def test_list_messages_pages_back_with_before(chatwoot_standin):
    conv = chatwoot_standin.add_conversation()
    for n in range(45):
        chatwoot_standin.inbound(content=f"mensaje {n}", conversation_id=conv["id"])
    client = chatwoot_client()
    seen, before = [], None
    while True:
        page = client.list_messages(conv["id"], before=before)
        seen = page.messages + seen
        if page.is_last:
            break
        before = page.oldest_id
    assert [m["content"] for m in seen] == [f"mensaje {n}" for n in range(45)]


def test_dry_run_writes_nothing_but_audits(chatwoot_standin, settings):
    settings.DRY_RUN = True
    conv = chatwoot_standin.add_conversation()
    client = chatwoot_client()
    sent = client.send_message(conv["id"], "Hola")
    change = client.toggle_status(conv["id"], "open")
    client.toggle_typing(conv["id"], True)
    assert sent.dry_run and sent.id is None and change.current_status == "open"
    assert chatwoot_standin.requests == [] and chatwoot_standin.sent == []
    assert set(ExternalCall.objects.values_list("outcome", flat=True)) == {"dry_run"}
    assert ExternalCall.objects.count() == 3
