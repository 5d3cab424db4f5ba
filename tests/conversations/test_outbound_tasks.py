"""Mode mirroring (bot ↔ pending, human ↔ open) and the typing indicator, against the stand-in."""

import pytest

from conversations.handoff import conversation_hand_back, conversation_hand_over
from conversations.tasks import mirror_mode_to_chatwoot, set_typing
from tests.conversations.outbound_helpers import conversation_in_both
from tests.fakes.chatwoot import chatwoot_standin  # noqa: F401

pytestmark = pytest.mark.django_db


def test_switch_to_human_opens_the_chatwoot_conversation(chatwoot_standin, django_capture_on_commit_callbacks):
    conversation = conversation_in_both(chatwoot_standin)
    with django_capture_on_commit_callbacks(execute=True):
        conversation_hand_over(conversation_id=conversation.pk, reason="human_request", actor="bot")
    assert chatwoot_standin.status_changes == [(conversation.chatwoot_id, "open")]
    assert chatwoot_standin.conversations[conversation.chatwoot_id]["status"] == "open"
    conversation.refresh_from_db()
    assert conversation.chatwoot_status == "open"


def test_hand_back_sets_pending(chatwoot_standin, django_capture_on_commit_callbacks):
    conversation = conversation_in_both(chatwoot_standin, mode="human")
    with django_capture_on_commit_callbacks(execute=True):
        conversation_hand_back(conversation_id=conversation.pk, actor="staff", reason="handed_back")
    assert chatwoot_standin.status_changes == [(conversation.chatwoot_id, "pending")]


def test_mirror_reads_the_mode_now_and_retries_transient_errors(chatwoot_standin):
    conversation = conversation_in_both(chatwoot_standin, mode="human")
    chatwoot_standin.fail_next(2, status=502)
    assert mirror_mode_to_chatwoot(conversation.pk) == "open"
    assert chatwoot_standin.status_changes == [(conversation.chatwoot_id, "open")]


def test_mirror_gives_up_on_a_permanent_error_without_raising(chatwoot_standin, settings):
    conversation = conversation_in_both(chatwoot_standin, mode="human")
    settings.CHATWOOT_API_TOKEN = "revoked"
    assert mirror_mode_to_chatwoot(conversation.pk) is None
    assert chatwoot_standin.status_changes == []


def test_typing_indicator_on_and_off(chatwoot_standin):
    conversation = conversation_in_both(chatwoot_standin)
    assert set_typing(conversation.pk, True) and set_typing(conversation.pk, False)
    assert chatwoot_standin.typing == [(conversation.chatwoot_id, "on"), (conversation.chatwoot_id, "off")]


def test_typing_failure_is_logged_not_raised(chatwoot_standin):
    conversation = conversation_in_both(chatwoot_standin)
    chatwoot_standin.fail_next(1, status=500)
    assert set_typing(conversation.pk, True) is False
    assert chatwoot_standin.typing == []
