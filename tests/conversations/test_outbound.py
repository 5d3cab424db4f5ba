"""Outbound replies end to end against the Chatwoot stand-in over real HTTP (tasks run inline: django-q sync)."""

import time

import pytest

from conversations.models import ConversationEvent, Message, MessageStatus
from conversations.outbound import conversation_post_private_note, message_retry, reply_queue
from integrations.models import ExternalCall
from tests.conversations.outbound_helpers import conversation_in_both
from tests.fakes.chatwoot import chatwoot_standin  # noqa: F401

pytestmark = pytest.mark.django_db


def queue(django_capture_on_commit_callbacks, conversation, content="Hola, ¿en qué le puedo ayudar?", **kwargs):
    with django_capture_on_commit_callbacks(execute=True):
        message = reply_queue(conversation_id=conversation.pk, content=content, **kwargs)
    message.refresh_from_db()
    return message


def test_reply_is_posted_and_marked_sent_with_its_chatwoot_id(chatwoot_standin, django_capture_on_commit_callbacks):
    conversation = conversation_in_both(chatwoot_standin)
    message = queue(django_capture_on_commit_callbacks, conversation)
    assert [s["content"] for s in chatwoot_standin.sent] == ["Hola, ¿en qué le puedo ayudar?"]
    assert message.status == MessageStatus.SENT and message.sent_at is not None
    assert message.chatwoot_id == chatwoot_standin.sent[0]["id"]
    assert message.direction == "outbound" and message.origin == "bot" and message.echo_key
    assert message.send_attempts == 1


def test_chatwoot_500_then_success_posts_exactly_once(chatwoot_standin, django_capture_on_commit_callbacks):
    conversation = conversation_in_both(chatwoot_standin)
    chatwoot_standin.fail_next(2, status=500)  # the POST, then the look-up that follows it (a 5xx is "maybe done")
    message = queue(django_capture_on_commit_callbacks, conversation)
    assert len(chatwoot_standin.sent) == 1
    assert message.status == MessageStatus.SENT and message.send_attempts == 2 and message.error == ""
    assert ExternalCall.objects.filter(method="send_message", outcome="error").count() == 1
    assert ExternalCall.objects.filter(method="list_messages").exists()


def test_429_waits_at_least_retry_after_then_sends(chatwoot_standin, django_capture_on_commit_callbacks):
    conversation = conversation_in_both(chatwoot_standin)
    chatwoot_standin.fail_next(1, status=429, retry_after=0.3)
    started = time.monotonic()
    message = queue(django_capture_on_commit_callbacks, conversation)
    assert time.monotonic() - started >= 0.3
    assert message.status == MessageStatus.SENT and len(chatwoot_standin.sent) == 1


def test_long_retry_after_is_left_queued_for_the_sweeper(chatwoot_standin, django_capture_on_commit_callbacks):
    conversation = conversation_in_both(chatwoot_standin)
    chatwoot_standin.fail_next(1, status=429, retry_after=120)
    message = queue(django_capture_on_commit_callbacks, conversation)
    assert message.status == MessageStatus.QUEUED and chatwoot_standin.sent == []
    assert message.next_attempt_at is not None and "429" in message.error


def test_permanent_4xx_fails_with_the_reason(chatwoot_standin, django_capture_on_commit_callbacks, settings):
    conversation = conversation_in_both(chatwoot_standin)
    settings.CHATWOOT_API_TOKEN = "revoked"
    message = queue(django_capture_on_commit_callbacks, conversation)
    assert message.status == MessageStatus.FAILED and message.send_attempts == 1
    assert message.error.startswith("chatwoot_http_401")


def test_transient_failures_give_up_after_the_attempt_budget(chatwoot_standin, django_capture_on_commit_callbacks,
                                                             settings):
    settings.OUTBOUND_MAX_ATTEMPTS = 3
    conversation = conversation_in_both(chatwoot_standin)
    chatwoot_standin.fail_next(20, status=503)
    message = queue(django_capture_on_commit_callbacks, conversation)
    assert message.status == MessageStatus.FAILED and message.send_attempts == 3
    assert message.error.startswith("gave up after 3 attempts")
    assert chatwoot_standin.sent == []


def test_timeout_before_chatwoot_acts_is_retried_and_sent_once(chatwoot_standin, django_capture_on_commit_callbacks,
                                                               settings):
    settings.CHATWOOT_TIMEOUT = 0.2
    conversation = conversation_in_both(chatwoot_standin)
    chatwoot_standin.timeout_next(1, seconds=0.4)
    message = queue(django_capture_on_commit_callbacks, conversation)
    assert message.status == MessageStatus.SENT and message.send_attempts == 2
    assert len(chatwoot_standin.sent) == 1


def test_timeout_after_chatwoot_created_it_is_found_not_reposted(chatwoot_standin, django_capture_on_commit_callbacks,
                                                                 settings):
    settings.CHATWOOT_TIMEOUT = 0.2
    settings.OUTBOUND_AMBIGUOUS_RETRY_DELAY = 0.5  # longer than the stand-in's stall: the message exists by then
    conversation = conversation_in_both(chatwoot_standin)
    chatwoot_standin.timeout_next(1, seconds=0.3, then_process=True)
    message = queue(django_capture_on_commit_callbacks, conversation)
    assert len(chatwoot_standin.sent) == 1
    assert message.status == MessageStatus.SENT and message.chatwoot_id == chatwoot_standin.sent[0]["id"]
    assert message.send_attempts == 1


def test_three_options_go_as_buttons_with_unique_titles(chatwoot_standin, django_capture_on_commit_callbacks):
    conversation = conversation_in_both(chatwoot_standin)
    options = [{"title": "Sí", "value": "yes"}, {"title": "Sí", "value": "yes_all"}, "No"]
    message = queue(django_capture_on_commit_callbacks, conversation, content="¿Confirma el pedido?", options=options)
    posted = chatwoot_standin.sent[0]
    assert posted["content_type"] == "input_select" and posted["content"] == "¿Confirma el pedido?"
    assert posted["content_attributes"]["items"] == [
        {"title": "Sí", "value": "yes"}, {"title": "Sí (2)", "value": "yes_all"}, {"title": "No", "value": "No"},
    ]
    assert message.options == posted["content_attributes"]["items"] and message.status == MessageStatus.SENT


def test_more_than_three_options_go_as_a_numbered_list(chatwoot_standin, django_capture_on_commit_callbacks):
    conversation = conversation_in_both(chatwoot_standin)
    options = ["Arroz", "Azúcar", "Harina", "Aceite"]
    message = queue(django_capture_on_commit_callbacks, conversation, content="¿Qué producto busca?", options=options)
    posted = chatwoot_standin.sent[0]
    assert posted["content_type"] == "text" and posted["content_attributes"] == {}
    assert posted["content"] == "¿Qué producto busca?\n\n1. Arroz\n2. Azúcar\n3. Harina\n4. Aceite"
    assert [o["title"] for o in message.options] == options


def test_whatsapp_window_closed_sends_nothing_and_hands_to_staff(chatwoot_standin, django_capture_on_commit_callbacks):
    conversation = conversation_in_both(chatwoot_standin, can_reply=False)
    message = queue(django_capture_on_commit_callbacks, conversation)
    conversation.refresh_from_db()
    [note] = chatwoot_standin.sent  # only staff's note of what was not sent, and why
    assert note["private"] and "24 horas" in note["content"] and "Hola, ¿en qué le puedo ayudar?" in note["content"]
    assert message.status == MessageStatus.FAILED and message.error == "whatsapp_window_closed"
    assert conversation.mode == "human" and conversation.handoff_reason == "whatsapp_window"
    assert ConversationEvent.objects.filter(conversation=conversation, actor="system", after="human").exists()
    assert chatwoot_standin.status_changes == [(conversation.chatwoot_id, "open")]


def test_private_note_goes_even_when_the_window_is_closed(chatwoot_standin, django_capture_on_commit_callbacks):
    conversation = conversation_in_both(chatwoot_standin, can_reply=False, mode="human")
    with django_capture_on_commit_callbacks(execute=True):
        note = conversation_post_private_note(conversation_id=conversation.pk, content="Reclamo: pedido 12 incompleto")
    note.refresh_from_db()
    assert note.status == MessageStatus.SENT and note.private and note.origin == "system"
    assert chatwoot_standin.sent[0]["private"] is True


def test_staff_retry_of_a_failed_message_sends_it(chatwoot_standin, django_capture_on_commit_callbacks, settings):
    conversation = conversation_in_both(chatwoot_standin)
    settings.CHATWOOT_API_TOKEN = "revoked"
    message = queue(django_capture_on_commit_callbacks, conversation)
    assert message.status == MessageStatus.FAILED
    settings.CHATWOOT_API_TOKEN = chatwoot_standin.token
    with django_capture_on_commit_callbacks(execute=True):
        assert message_retry(message_id=message.pk) is True
    message.refresh_from_db()
    assert message.status == MessageStatus.SENT and len(chatwoot_standin.sent) == 1
    assert message_retry(message_id=message.pk) is False  # not failed any more


def test_running_the_send_task_twice_posts_once(chatwoot_standin, django_capture_on_commit_callbacks):
    from conversations.tasks import send_message

    conversation = conversation_in_both(chatwoot_standin)
    message = queue(django_capture_on_commit_callbacks, conversation)
    assert send_message(message.pk) == "skipped"
    assert len(chatwoot_standin.sent) == 1


def test_dry_run_writes_nothing_to_chatwoot(chatwoot_standin, django_capture_on_commit_callbacks, settings):
    settings.DRY_RUN = True
    conversation = conversation_in_both(chatwoot_standin)
    message = queue(django_capture_on_commit_callbacks, conversation)
    assert chatwoot_standin.requests == [] and chatwoot_standin.sent == []
    assert message.status == MessageStatus.SENT and message.chatwoot_id is None
    assert ExternalCall.objects.get(method="send_message").outcome == "dry_run"
    assert Message.objects.count() == 1


def test_long_button_titles_are_cut_for_whatsapp_and_stay_unique():
    from conversations.outbound.queue import unique_options

    items = unique_options(["Confirmar pedido completo", "Confirmar pedido completo ahora"], limit=20)
    assert [i["title"] for i in items] == ["Confirmar pedido com", "Confirmar pedido (2)"]
    assert all(len(i["title"]) <= 20 for i in items)
    assert items[1]["value"] == "Confirmar pedido completo ahora"


def test_outbound_metric_counts_queued_retry_and_sent(chatwoot_standin, django_capture_on_commit_callbacks):
    from prometheus_client import REGISTRY

    def value(status):
        return REGISTRY.get_sample_value("outbound_messages_total", {"status": status}) or 0.0

    before = {s: value(s) for s in ("queued", "retry", "sent")}
    conversation = conversation_in_both(chatwoot_standin)
    chatwoot_standin.fail_next(1, status=500)
    queue(django_capture_on_commit_callbacks, conversation)
    assert {s: value(s) - before[s] for s in before} == {"queued": 1, "retry": 1, "sent": 1}
