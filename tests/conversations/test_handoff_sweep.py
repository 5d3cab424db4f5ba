"""The handoff sweep (auto hand-back, the once-only waiting notice) and the Slack notices for handoffs, against the
Chatwoot stand-in and the fake Slack server."""

from __future__ import annotations

import json
import logging

import pytest

from conversations.models import Conversation, ConversationEvent, ConversationMode, StaffProfile
from conversations.handoff import conversation_hand_back, conversation_hand_over
from conversations.tasks_handoff import sweep_handoffs
from core.schedules import collect_schedules
from integrations.models import ExternalCall
from tests.conversations.handoff_helpers import (
    CHANGELIST, handed_over, message, run_action, staff_reply_in_chatwoot,
)
from tests.conversations.outbound_helpers import conversation_in_both
from tests.fakes.chatwoot import chatwoot_standin  # noqa: F401
from tests.fakes.slack import fake_slack  # noqa: F401

pytestmark = pytest.mark.django_db


@pytest.fixture
def sweep(django_capture_on_commit_callbacks):
    """The scheduled task, with its after-commit work (Chatwoot mirror, Slack) run inline like the worker."""
    def _sweep():
        with django_capture_on_commit_callbacks(execute=True):
            return sweep_handoffs()
    return _sweep


def slack_texts(fake) -> list[str]:
    return [json.dumps(m, ensure_ascii=False) for m in fake.messages]


# --- auto hand-back ----------------------------------------------------------------------------------------------

def test_a_conversation_left_without_a_staff_reply_goes_back_to_the_bot_after_the_configured_time(
        sweep, settings, chatwoot_standin):
    settings.HANDOFF_AUTO_RETURN_MINUTES = 60
    forgotten = handed_over(chatwoot_standin, reason="complaint", minutes_ago=61)
    recent = handed_over(chatwoot_standin, reason="complaint", minutes_ago=59)
    assert sweep()["handed_back"] == 1
    forgotten.refresh_from_db()
    assert forgotten.mode == "bot" and forgotten.handoff_reason == "" and forgotten.handoff_at is None
    back = ConversationEvent.objects.filter(conversation=forgotten).last()
    assert (back.kind, back.actor, back.before, back.after) == ("mode_changed", "system", "human", "bot")
    assert back.reason == "auto_return: no staff reply for 60 min"
    assert chatwoot_standin.status_changes == [(forgotten.chatwoot_id, "pending")]
    assert Conversation.objects.get(pk=recent.pk).mode == "human"
    assert sweep()["handed_back"] == 0  # safe to run again


def test_a_recent_staff_reply_keeps_the_conversation_with_staff(sweep, settings, chatwoot_standin):
    settings.HANDOFF_AUTO_RETURN_MINUTES = 60
    answered = handed_over(chatwoot_standin, minutes_ago=300)
    staff_reply_in_chatwoot(answered, "Hola, la atiendo yo.", minutes_ago=30)
    went_quiet = handed_over(chatwoot_standin, minutes_ago=300)
    staff_reply_in_chatwoot(went_quiet, "Hola, la atiendo yo.", minutes_ago=120)
    bot_only = handed_over(chatwoot_standin, minutes_ago=300)
    message(bot_only, "Te comunico con una persona.", direction="outbound", origin="bot", sender_kind="agent_bot",
            minutes_ago=10)  # the bot's words are not a staff reply
    assert sweep()["handed_back"] == 2
    modes = dict(Conversation.objects.values_list("pk", "mode"))
    assert (modes[answered.pk], modes[went_quiet.pk], modes[bot_only.pk]) == ("human", "bot", "bot")


def test_a_taken_over_conversation_is_handed_back_and_unassigned(sweep, settings, admin_client, admin_user,
                                                                 chatwoot_standin, django_capture_on_commit_callbacks):
    settings.HANDOFF_AUTO_RETURN_MINUTES = 60
    StaffProfile.objects.create(user=admin_user, chatwoot_agent_id=7)
    conversation = conversation_in_both(chatwoot_standin)
    with django_capture_on_commit_callbacks(execute=True):
        run_action(admin_client, "take_over", conversation)
    Conversation.objects.filter(pk=conversation.pk).update(handoff_at=conversation.created_at.replace(year=2020))
    assert sweep()["handed_back"] == 1
    assert chatwoot_standin.assignments == [(conversation.chatwoot_id, 7), (conversation.chatwoot_id, None)]


def test_auto_hand_back_can_be_turned_off(sweep, settings, chatwoot_standin):
    settings.HANDOFF_AUTO_RETURN_MINUTES = 0
    conversation = handed_over(chatwoot_standin, minutes_ago=10_000)
    assert sweep()["handed_back"] == 0
    assert Conversation.objects.get(pk=conversation.pk).mode == "human"


# --- waiting too long ---------------------------------------------------------------------------------------------

def test_waiting_too_long_raises_one_notice_on_slack_in_the_log_and_in_the_list(
        sweep, settings, fake_slack, chatwoot_standin, admin_client, caplog):
    settings.HANDOFF_WAIT_ALERT_MINUTES = 15
    waiting = handed_over(chatwoot_standin, reason="complaint", minutes_ago=20)
    fresh = handed_over(chatwoot_standin, reason="complaint", minutes_ago=5)
    with caplog.at_level(logging.WARNING, logger="conversations.handoff"):
        assert sweep()["alerted"] == 1
    [text] = slack_texts(fake_slack)
    assert f"#{waiting.chatwoot_id}" in text and "20 min esperando" in text
    assert f"https://ops.example.cl/admin/conversations/conversation/{waiting.pk}/change/" in text
    assert any(r.getMessage() == "conversation waiting for a human too long" and r.conversation_id == waiting.pk
               for r in caplog.records)
    alert = ConversationEvent.objects.get(conversation=waiting, kind="wait_alert")
    assert alert.actor == "system" and "20 min" in alert.reason
    assert sweep()["alerted"] == 0 and len(fake_slack.messages) == 1  # once
    assert Conversation.objects.get(pk=fresh.pk).handoff_alerted_at is None
    assert "⚠" in admin_client.get(CHANGELIST).content.decode()


def test_no_waiting_notice_once_someone_took_it_or_replied(sweep, settings, fake_slack, chatwoot_standin,
                                                           admin_user):
    settings.HANDOFF_WAIT_ALERT_MINUTES = 15
    taken = handed_over(chatwoot_standin, minutes_ago=30)
    Conversation.objects.filter(pk=taken.pk).update(taken_by=admin_user)
    answered = handed_over(chatwoot_standin, minutes_ago=30)
    staff_reply_in_chatwoot(answered, "Hola, la atiendo yo.", minutes_ago=20)
    handed_over(chatwoot_standin, reason="human_reply", minutes_ago=30, actor="chatwoot")
    assert sweep()["alerted"] == 0 and fake_slack.messages == []


def test_a_new_handoff_after_a_hand_back_can_raise_the_notice_again(sweep, settings, fake_slack, chatwoot_standin):
    settings.HANDOFF_WAIT_ALERT_MINUTES = 15
    conversation = handed_over(chatwoot_standin, minutes_ago=20)
    assert sweep()["alerted"] == 1
    conversation_hand_back(conversation_id=conversation.pk, actor="admin", reason="handed_back", mirror=False)
    conversation_hand_over(conversation_id=conversation.pk, reason="complaint", actor="chatwoot", mirror=False)
    assert Conversation.objects.get(pk=conversation.pk).handoff_alerted_at is None
    Conversation.objects.filter(pk=conversation.pk).update(handoff_at=conversation.handoff_at)
    assert sweep()["alerted"] == 1 and len(fake_slack.messages) == 2


def test_slack_down_does_not_block_the_sweep_or_the_handoff(sweep, settings, fake_slack, chatwoot_standin,
                                                            django_capture_on_commit_callbacks):
    settings.HANDOFF_WAIT_ALERT_MINUTES = 15
    fake_slack.down(503)
    waiting = handed_over(chatwoot_standin, minutes_ago=20)
    assert sweep()["alerted"] == 1
    assert Conversation.objects.get(pk=waiting.pk).handoff_alerted_at is not None
    conversation = conversation_in_both(chatwoot_standin)
    with django_capture_on_commit_callbacks(execute=True):
        assert conversation_hand_over(conversation_id=conversation.pk, reason="human_request", actor="bot")
    assert Conversation.objects.get(pk=conversation.pk).mode == "human"
    assert (conversation.chatwoot_id, "open") in chatwoot_standin.status_changes  # Chatwoot still mirrored
    assert fake_slack.messages == [] and fake_slack.attempts == 2 * settings.SLACK_MAX_ATTEMPTS
    assert ExternalCall.objects.filter(system="slack", outcome="error").count() == 2 * settings.SLACK_MAX_ATTEMPTS


# --- Slack when a conversation needs a human ----------------------------------------------------------------------

@pytest.mark.parametrize(("actor", "reason", "words"), [
    ("bot", "human_request", "pidió hablar con una persona"),
    ("bot", "complaint", "reclamo"),
    ("bot", "failure", "el bot no pudo responder"),
    ("system", "whatsapp_window", "ventana de 24 horas"),
])
def test_staff_hear_on_slack_when_a_conversation_needs_a_human(actor, reason, words, fake_slack, chatwoot_standin,
                                                              django_capture_on_commit_callbacks):
    conversation = conversation_in_both(chatwoot_standin)
    with django_capture_on_commit_callbacks(execute=True):
        conversation_hand_over(conversation_id=conversation.pk, reason=reason, actor=actor)
    [text] = slack_texts(fake_slack)
    assert words in text and f"#{conversation.chatwoot_id}" in text and "Cliente" in text
    assert f"https://ops.example.cl/admin/conversations/conversation/{conversation.pk}/change/" in text


def test_no_slack_notice_when_a_person_already_has_it(fake_slack, chatwoot_standin, admin_client,
                                                      django_capture_on_commit_callbacks):
    in_chatwoot = conversation_in_both(chatwoot_standin)
    taken_here = conversation_in_both(chatwoot_standin)
    with django_capture_on_commit_callbacks(execute=True):
        conversation_hand_over(conversation_id=in_chatwoot.pk, reason="human_reply", actor="chatwoot",
                               mirror=False)
        run_action(admin_client, "take_over", taken_here)
    assert fake_slack.messages == []
    assert set(Conversation.objects.values_list("mode", flat=True)) == {"human"}


def test_the_sweep_is_scheduled_every_minute():
    [spec] = [s for s in collect_schedules() if s["name"] == "handoff_sweep"]
    assert spec == {"name": "handoff_sweep", "func": "conversations.tasks_handoff.sweep_handoffs", "minutes": 1}


def test_claiming_a_long_waiting_conversation_restarts_its_auto_return_clock(sweep, settings, chatwoot_standin,
                                                                              django_user_model):
    from conversations.handoff import conversation_take_over

    settings.HANDOFF_AUTO_RETURN_MINUTES = 60
    waiting = handed_over(chatwoot_standin, reason="human_request", minutes_ago=59)
    staff = django_user_model.objects.create_user("marta", is_staff=True)
    assert conversation_take_over(conversation_id=waiting.pk, user=staff) == "claimed"
    settings.HANDOFF_AUTO_RETURN_MINUTES = 2  # would have been overdue since the handoff, not since the claim
    assert sweep()["handed_back"] == 0
    waiting.refresh_from_db()
    assert waiting.mode == "human" and waiting.taken_by == staff
