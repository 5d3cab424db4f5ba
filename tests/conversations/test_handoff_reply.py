"""The reply box: staff write on the conversation page, the message goes out through Chatwoot (the stand-in) as an
outgoing message and shows in the transcript with its delivery state; failed sends can be retried."""

from __future__ import annotations

import pytest
from django.utils.html import escape

from conversations.models import Channel, Conversation, ConversationEvent, MessageOrigin
from tests.conversations.handoff_helpers import CHANGELIST, handed_over, page_url, shown_messages
from tests.conversations.outbound_helpers import conversation_in_both
from tests.fakes.chatwoot import chatwoot_standin  # noqa: F401

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english_console(settings):
    """These tests read the console in English (Spanish is the default; tests/console checks it)."""
    settings.LANGUAGE_CODE = "en"
TEXT = "Hola Rosa, soy de ventas: su pedido sale mañana temprano."


@pytest.fixture
def reply(admin_client, django_capture_on_commit_callbacks):
    def _reply(conversation, content):
        """Post the reply box, let the after-commit send run (as the worker would), then load the page."""
        with django_capture_on_commit_callbacks(execute=True):
            posted = admin_client.post(page_url(conversation, "reply/"), {"reply_content": content})
        assert posted.status_code == 302
        return admin_client.get(posted.url)
    return _reply


def test_staff_reply_reaches_chatwoot_and_shows_in_the_transcript_as_sent(reply, admin_user, chatwoot_standin):
    conversation = handed_over(chatwoot_standin, reason="human_request", minutes_ago=3)
    response = reply(conversation, TEXT)
    message = conversation.messages.get()
    assert shown_messages(response) == []  # the reply itself, with its tick, is the confirmation
    [sent] = chatwoot_standin.sent
    assert (sent["conversation_id"], sent["content"], sent["private"]) == (conversation.chatwoot_id, TEXT, False)
    assert (message.origin, message.staff_user, message.status, message.chatwoot_id) == (
        MessageOrigin.STAFF, admin_user, "sent", sent["id"])
    page = response.content.decode()
    bubble = page[page.index(f'id="message-{message.pk}"'):]
    bubble = bubble[:bubble.index("</article>")]
    assert TEXT in bubble and '<strong class="msg-author">admin</strong>' in bubble and "✓ sent" in bubble
    audit = ConversationEvent.objects.get(conversation=conversation, kind="staff_reply")
    assert audit.actor == "admin" and TEXT[:40] in audit.reason


def test_staff_reply_on_a_bot_conversation_takes_it_over_first(reply, admin_user, chatwoot_standin):
    conversation = conversation_in_both(chatwoot_standin)
    reply(conversation, TEXT)
    conversation.refresh_from_db()
    assert conversation.mode == "human" and conversation.taken_by == admin_user
    kinds = list(ConversationEvent.objects.filter(conversation=conversation).values_list("kind", "reason"))
    assert kinds[0] == ("mode_changed", "staff_reply") and kinds[1][0] == "staff_reply"
    assert (conversation.chatwoot_id, "open") in chatwoot_standin.status_changes
    assert [s["content"] for s in chatwoot_standin.sent] == [TEXT]


def test_a_rejected_reply_shows_failed_with_the_reason_and_can_be_retried(reply, admin_client, chatwoot_standin,
                                                                          django_capture_on_commit_callbacks):
    conversation = handed_over(chatwoot_standin, minutes_ago=3)
    chatwoot_standin.fail_next(1, status=422)
    response = reply(conversation, TEXT)
    message = conversation.messages.get()
    assert message.status == "failed" and chatwoot_standin.sent == []
    page = response.content.decode()
    assert "⚠ failed" in page and escape(message.error) in page and f"/messages/{message.pk}/retry/" in page
    with django_capture_on_commit_callbacks(execute=True):
        posted = admin_client.post(page_url(conversation, f"messages/{message.pk}/retry/"))
    retried = admin_client.get(posted.url)
    assert "Sending the message again." in shown_messages(retried)
    message.refresh_from_db()
    assert message.status == "sent" and [s["content"] for s in chatwoot_standin.sent] == [TEXT]
    assert "/retry/" not in retried.content.decode()
    assert ConversationEvent.objects.filter(conversation=conversation, kind="message_retried", actor="admin").exists()
    again = admin_client.post(page_url(conversation, f"messages/{message.pk}/retry/"), follow=True)
    assert "That message had not failed (already sent or retried)." in shown_messages(again)


def test_retry_from_the_message_list(admin_client, reply, chatwoot_standin, django_capture_on_commit_callbacks):
    conversation = handed_over(chatwoot_standin, minutes_ago=3)
    chatwoot_standin.fail_next(1, status=422)
    reply(conversation, TEXT)
    message = conversation.messages.get()
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post("/admin/conversations/message/",
                                     {"action": "retry", "_selected_action": [message.pk]}, follow=True)
    assert "1 message is being sent again." in shown_messages(response)
    message.refresh_from_db()
    assert message.status == "sent"


def test_a_message_of_another_conversation_cannot_be_retried_from_this_page(admin_client, reply, chatwoot_standin):
    mine = handed_over(chatwoot_standin, minutes_ago=3)
    other = handed_over(chatwoot_standin, minutes_ago=3)
    chatwoot_standin.fail_next(1, status=422)
    reply(other, TEXT)
    foreign = other.messages.get()
    assert admin_client.post(page_url(mine, f"messages/{foreign.pk}/retry/")).status_code == 404
    foreign.refresh_from_db()
    assert foreign.status == "failed"


def test_whatsapp_reply_after_the_24_hour_window_fails_visibly(reply, chatwoot_standin):
    conversation = handed_over(chatwoot_standin, minutes_ago=3, channel=Channel.WHATSAPP, can_reply=False)
    page = reply(conversation, TEXT).content.decode()
    assert conversation.messages.get().status == "failed" and chatwoot_standin.sent == []
    assert "whatsapp_window_closed" in page


def test_an_empty_reply_is_refused_and_nothing_is_sent(reply, chatwoot_standin):
    conversation = conversation_in_both(chatwoot_standin)
    response = reply(conversation, "   ")
    assert any(m.startswith("Reply not sent:") for m in shown_messages(response))
    assert not conversation.messages.exists() and chatwoot_standin.sent == []
    assert Conversation.objects.get(pk=conversation.pk).mode == "bot"  # nothing said, nothing taken over


def test_a_too_long_reply_is_refused_and_the_draft_is_kept(reply, chatwoot_standin):
    conversation = handed_over(chatwoot_standin, minutes_ago=3)
    draft = "Estimada clienta, " + "x" * 5000
    response = reply(conversation, draft)
    assert any("too long (5018 characters, at most 4096)" in m for m in shown_messages(response))
    assert draft in response.content.decode()  # back in the reply box
    assert not conversation.messages.exists() and chatwoot_standin.sent == []


def test_reply_to_an_unknown_conversation_is_404(admin_client):
    assert admin_client.post(f"{CHANGELIST}999999/reply/", {"reply_content": "hola"}).status_code == 404
