"""`take_over` and `hand_back` (CONTRACT section 5) over HTTP: mode, audit rows, mirrored to the Chatwoot stand-in
(status and assignment), reported to the staff member, permission-gated."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission

from agents.models import Turn
from conversations.models import Conversation, ConversationEvent, StaffProfile
from tests.conversations.handoff_helpers import CHANGELIST, handed_over, page_url, run_action, shown_messages
from tests.conversations.ingest_helpers import post
from tests.conversations.outbound_helpers import conversation_in_both
from tests.fakes.chatwoot import chatwoot_standin  # noqa: F401

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english_console(settings):
    """These tests read the console's reports in English (Spanish is the default; tests/console checks it)."""
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def act(admin_client, django_capture_on_commit_callbacks):
    """Run an admin action as the logged-in superuser, with the after-commit tasks (mirror, assign) run inline."""
    def _act(action, *conversations, client=admin_client):
        with django_capture_on_commit_callbacks(execute=True):
            return run_action(client, action, *conversations)
    return _act


def test_take_over_puts_the_conversation_in_human_mode_assigned_to_the_staff_member(act, admin_user,
                                                                                    chatwoot_standin):
    StaffProfile.objects.create(user=admin_user, chatwoot_agent_id=7)
    conversation = conversation_in_both(chatwoot_standin)
    response = act("take_over", conversation)
    assert "You took 1 conversation." in shown_messages(response)
    conversation.refresh_from_db()
    assert conversation.mode == "human" and conversation.taken_by == admin_user
    assert conversation.handoff_reason == "taken_over" and conversation.handoff_at is not None
    event = ConversationEvent.objects.get(conversation=conversation)
    assert (event.kind, event.actor, event.before, event.after, event.reason) == (
        "mode_changed", "admin", "bot", "human", "taken_over")
    assert chatwoot_standin.status_changes == [(conversation.chatwoot_id, "open")]
    assert chatwoot_standin.assignments == [(conversation.chatwoot_id, 7)]
    assert conversation.chatwoot_status == "open" and conversation.assignee_chatwoot_id == 7


def test_take_over_without_a_known_chatwoot_agent_id_leaves_chatwoot_unassigned_and_says_so(act, chatwoot_standin):
    conversation = conversation_in_both(chatwoot_standin)
    response = act("take_over", conversation)
    assert any("Chatwoot agent id is not set" in m for m in shown_messages(response))
    assert chatwoot_standin.status_changes == [(conversation.chatwoot_id, "open")]
    assert chatwoot_standin.assignments == []


def test_taking_over_a_waiting_conversation_claims_it_and_keeps_why_it_waited(act, admin_user, chatwoot_standin):
    StaffProfile.objects.create(user=admin_user, chatwoot_agent_id=7)
    conversation = handed_over(chatwoot_standin, reason="complaint", minutes_ago=10)
    act("take_over", conversation)
    conversation.refresh_from_db()
    assert conversation.mode == "human" and conversation.taken_by == admin_user
    assert conversation.handoff_reason == "complaint"
    claim = ConversationEvent.objects.get(conversation=conversation, kind="taken_over")
    assert claim.actor == "admin" and "complaint" in claim.reason
    assert chatwoot_standin.status_changes == []  # already open in Chatwoot
    assert chatwoot_standin.assignments == [(conversation.chatwoot_id, 7)]
    response = act("take_over", conversation)  # again: nothing new
    assert "You took 0 conversations. 1 was already yours." in shown_messages(response)
    assert ConversationEvent.objects.filter(conversation=conversation, kind="taken_over").count() == 1


def test_hand_back_returns_the_conversation_to_the_bot_and_unassigns_it(act, admin_user, chatwoot_standin):
    StaffProfile.objects.create(user=admin_user, chatwoot_agent_id=7)
    conversation = conversation_in_both(chatwoot_standin)
    act("take_over", conversation)
    response = act("hand_back", conversation)
    assert "1 conversation is back with the bot." in shown_messages(response)
    conversation.refresh_from_db()
    assert conversation.mode == "bot" and conversation.taken_by is None and conversation.handoff_reason == ""
    back = ConversationEvent.objects.filter(conversation=conversation).last()
    assert (back.kind, back.actor, back.before, back.after, back.reason) == (
        "mode_changed", "admin", "human", "bot", "handed_back")
    assert chatwoot_standin.status_changes[-1] == (conversation.chatwoot_id, "pending")
    assert chatwoot_standin.assignments == [(conversation.chatwoot_id, 7), (conversation.chatwoot_id, None)]
    assert conversation.assignee_chatwoot_id is None


def test_hand_back_of_a_conversation_already_with_the_bot_changes_nothing(act, chatwoot_standin):
    conversation = conversation_in_both(chatwoot_standin)
    response = act("hand_back", conversation)
    assert "0 conversations are back with the bot. 1 already was." in shown_messages(response)
    assert not ConversationEvent.objects.filter(conversation=conversation).exists()
    assert chatwoot_standin.status_changes == [] and chatwoot_standin.assignments == []


def test_page_buttons_take_over_and_hand_back(admin_client, django_capture_on_commit_callbacks, chatwoot_standin):
    conversation = conversation_in_both(chatwoot_standin)
    page = admin_client.get(page_url(conversation)).content.decode()
    assert "/take_over/" in page and "/hand_back/" not in page
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(page_url(conversation, "take_over/"))
    assert response.status_code == 302 and response.url == page_url(conversation)
    assert Conversation.objects.get(pk=conversation.pk).mode == "human"
    assert "/hand_back/" in admin_client.get(page_url(conversation)).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(page_url(conversation, "hand_back/"))
    assert Conversation.objects.get(pk=conversation.pk).mode == "bot"
    assert admin_client.get(page_url(conversation, "take_over/")).status_code == 405  # POST only


def test_after_a_take_over_the_bot_stays_quiet_when_the_contact_writes(act, client, chatwoot_standin,
                                                                       django_capture_on_commit_callbacks):
    conversation = conversation_in_both(chatwoot_standin)
    act("take_over", conversation)
    chatwoot_standin.inbound(content="hola, ¿me ayudan con un pedido?", conversation_id=conversation.chatwoot_id)
    with django_capture_on_commit_callbacks(execute=True):  # the webhook, processed like the worker would
        assert post(client, chatwoot_standin.webhooks[-1]["payload"]).status_code == 200
    assert conversation.messages.filter(content="hola, ¿me ayudan con un pedido?").exists()
    assert chatwoot_standin.sent == [] and not Turn.objects.exists()
    assert Conversation.objects.get(pk=conversation.pk).mode == "human"


@pytest.fixture
def viewer(django_user_model, client):
    """A staff member who may look at conversations but not change them."""
    user = django_user_model.objects.create_user("mirón", password="pw", is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="view_conversation"))
    client.force_login(user)
    return client


def test_staff_without_change_permission_can_neither_act_nor_reply(viewer, act, chatwoot_standin):
    conversation = handed_over(chatwoot_standin, minutes_ago=5)
    changelist = viewer.get(CHANGELIST).content.decode()
    assert 'value="take_over"' not in changelist and 'value="hand_back"' not in changelist
    act("hand_back", conversation, client=viewer)
    assert Conversation.objects.get(pk=conversation.pk).mode == "human"
    page = viewer.get(page_url(conversation)).content.decode()
    assert 'name="reply_content"' not in page and "/take_over/" not in page
    assert viewer.post(page_url(conversation, "reply/"), {"reply_content": "hola"}).status_code == 403
    assert viewer.post(page_url(conversation, "hand_back/")).status_code == 403
    assert viewer.post(page_url(conversation, "take_over/")).status_code == 403
    assert not conversation.messages.exists() and chatwoot_standin.sent == []
    assert Conversation.objects.get(pk=conversation.pk).mode == "human"
