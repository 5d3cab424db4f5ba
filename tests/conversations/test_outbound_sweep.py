"""The sweeper re-drives rows a dropped task left behind, without ever posting a message twice."""

from datetime import timedelta

import pytest
from django.utils import timezone

from conversations.models import Message, MessageStatus
from conversations.outbound import outbound_sweep
from core.schedules import collect_schedules
from tests.conversations.outbound_helpers import conversation_in_both
from tests.fakes.chatwoot import chatwoot_standin  # noqa: F401

pytestmark = pytest.mark.django_db


def stuck_row(conversation, status, *, minutes_ago=10, content="Su pedido está listo.", **fields):
    """A row as a crashed worker or a lost task leaves it (no task enqueued)."""
    row = Message.objects.create(conversation=conversation, direction="outbound", origin="bot", content=content,
                                 status=status, echo_key=f"k-{status}-{minutes_ago}-{content}", **fields)
    Message.objects.filter(pk=row.pk).update(updated_at=timezone.now() - timedelta(minutes=minutes_ago))
    return row


def test_sweeper_sends_a_queued_row_whose_task_was_lost(chatwoot_standin):
    conversation = conversation_in_both(chatwoot_standin)
    row = stuck_row(conversation, MessageStatus.QUEUED)
    assert outbound_sweep()["queued"] == 1
    row.refresh_from_db()
    assert row.status == MessageStatus.SENT and [s["content"] for s in chatwoot_standin.sent] == [row.content]


def test_sweeper_leaves_rows_that_are_not_due(chatwoot_standin):
    conversation = conversation_in_both(chatwoot_standin)
    later = stuck_row(conversation, MessageStatus.QUEUED, next_attempt_at=timezone.now() + timedelta(minutes=5))
    fresh = stuck_row(conversation, MessageStatus.QUEUED, minutes_ago=0, content="recién encolado")
    assert outbound_sweep() == {"queued": 0, "stuck": 0}
    assert chatwoot_standin.sent == []
    assert set(Message.objects.filter(pk__in=[later.pk, fresh.pk]).values_list("status", flat=True)) == {"queued"}


def test_stuck_sending_row_that_chatwoot_has_is_marked_sent_not_reposted(chatwoot_standin):
    conversation = conversation_in_both(chatwoot_standin)
    row = stuck_row(conversation, MessageStatus.SENDING, minutes_ago=0)
    rest, _echo = chatwoot_standin.create_message(conversation.chatwoot_id, {"content": row.content})
    Message.objects.filter(pk=row.pk).update(updated_at=timezone.now() - timedelta(minutes=10))
    assert outbound_sweep()["stuck"] == 1  # its recovery task looks it up in Chatwoot (inline in tests)
    row.refresh_from_db()
    assert row.status == MessageStatus.SENT and row.chatwoot_id == rest["id"]
    assert len(chatwoot_standin.sent) == 1


def test_stuck_sending_row_an_echo_already_identified_is_marked_sent(chatwoot_standin):
    conversation = conversation_in_both(chatwoot_standin)
    row = stuck_row(conversation, MessageStatus.SENDING, chatwoot_id=4242)
    outbound_sweep()
    row.refresh_from_db()
    assert row.status == MessageStatus.SENT and chatwoot_standin.sent == []


def test_stuck_sending_row_with_no_trace_in_chatwoot_is_reposted_once(chatwoot_standin):
    conversation = conversation_in_both(chatwoot_standin)
    row = stuck_row(conversation, MessageStatus.SENDING)
    assert outbound_sweep()["stuck"] == 1
    outbound_sweep()
    row.refresh_from_db()
    assert row.status == MessageStatus.SENT and len(chatwoot_standin.sent) == 1


def test_sweeper_is_scheduled_every_minute_and_ticks_every_few_seconds():
    from core.ticker import collect_ticks

    [spec] = [s for s in collect_schedules() if s["name"] == "outbound_sweep"]
    assert spec["func"] == "conversations.tasks.sweep_outbound" and spec["minutes"] == 1
    assert "conversations.tasks.sweep_outbound" in collect_ticks()


def test_a_row_is_redriven_once_per_interval_not_on_every_sweep(chatwoot_standin, settings):
    chatwoot_standin.fail_next(10, status=503)  # Chatwoot down: the row stays queued
    settings.OUTBOUND_INLINE_WAIT_MAX = 0
    conversation = conversation_in_both(chatwoot_standin)
    stuck_row(conversation, MessageStatus.QUEUED)
    assert outbound_sweep()["queued"] == 1
    Message.objects.update(next_attempt_at=None, updated_at=timezone.now() - timedelta(minutes=10))
    assert outbound_sweep()["queued"] == 0  # enqueued moments ago: maybe still waiting in the queue
