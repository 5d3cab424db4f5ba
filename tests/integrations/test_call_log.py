"""The external-call log: batched per task, and logged early inside a caller's transaction when asked."""

from __future__ import annotations

import pytest
from django.db import transaction

from integrations.calls import calls_batched, calls_log_now, logged_call
from integrations.models import ExternalCall

pytestmark = pytest.mark.django_db(transaction=True)


def _call(method: str) -> None:
    with logged_call("chatwoot", method, "POST /x"):
        pass


def test_a_batch_is_logged_in_one_insert_at_its_end():
    with calls_batched():
        _call("send_message")
        _call("toggle_typing")
        assert ExternalCall.objects.count() == 0
    assert sorted(ExternalCall.objects.values_list("method", flat=True)) == ["send_message", "toggle_typing"]


def test_calls_logged_early_commit_with_the_callers_transaction_and_are_not_logged_twice():
    with calls_batched():
        _call("send_message")
        with transaction.atomic():
            calls_log_now()
        assert ExternalCall.objects.count() == 1  # committed with the caller's change
        _call("toggle_typing")
    assert sorted(ExternalCall.objects.values_list("method", flat=True)) == ["send_message", "toggle_typing"]

