"""The OpenAI circuit breaker is shared through the cache: two client instances play two worker processes (own
connection pools, nothing shared but the cache) against the fake server hanging, failing or talking garbage.
What is asserted is what a contact would feel: how many calls reached the LLM and how long each one waited."""

from __future__ import annotations

import threading
import time

import pytest
from django.db import connection
from django.test import override_settings

from integrations.models import ExternalCall
from integrations.openai.client import OpenAIClient, breaker_state, chat_tool_call
from integrations.openai.errors import (
    LLMCircuitOpen,
    LLMError,
    LLMProtocolError,
    LLMRateLimited,
    LLMTimeout,
    LLMUnavailable,
)

TOOL = {"type": "function", "function": {"name": "route_message", "parameters": {"type": "object"}}}
MESSAGES = [{"role": "user", "content": "hola"}]
TURN = 0.5  # OPENAI_TURN_TIMEOUT in these tests
FAST = 0.25  # a call refused by the breaker answers well within this, even on a loaded CI machine
LATE = 0.5  # how late a timed-out call may come back on a loaded machine
UNREACHABLE_REDIS = {"default": {
    "BACKEND": "django_redis.cache.RedisCache", "LOCATION": "redis://127.0.0.1:1/0",
    "OPTIONS": {"SOCKET_CONNECT_TIMEOUT": 0.1, "SOCKET_TIMEOUT": 0.1},
}}


def timed_call(client: OpenAIClient, budget: str = "turn") -> tuple[float, BaseException | None]:
    started = time.monotonic()
    try:
        client.chat_tool_call(messages=MESSAGES, tool=TOOL, purpose="route", budget=budget)
    except LLMError as exc:
        return time.monotonic() - started, exc
    return time.monotonic() - started, None


@pytest.fixture
def workers():
    return OpenAIClient(), OpenAIClient()


@pytest.fixture
def breaker_settings(settings):
    settings.OPENAI_BREAKER_FAIL_MAX = 3
    settings.OPENAI_BREAKER_RESET_SECONDS = 30
    settings.OPENAI_TURN_TIMEOUT = TURN
    return settings


@pytest.mark.django_db
def test_a_hanging_llm_costs_fail_max_turns_across_both_workers_then_none(fake_openai, workers, breaker_settings):
    fake_openai.set_mode("hang")
    started = time.monotonic()
    outcomes = [timed_call(workers[n % 2]) for n in range(10)]
    total = time.monotonic() - started

    assert len(fake_openai.received) == 3  # not 3 per worker
    assert [type(exc) for _, exc in outcomes] == [LLMTimeout] * 3 + [LLMCircuitOpen] * 7
    assert all(TURN - 0.05 <= elapsed < TURN + LATE for elapsed, _ in outcomes[:3])
    assert all(elapsed < FAST for elapsed, _ in outcomes[3:])
    assert total < 3 * TURN + 1.0
    assert ExternalCall.objects.count() == 3  # refused calls are not HTTP calls
    assert breaker_state() == "open"


@pytest.mark.django_db(transaction=True)
def test_half_open_lets_exactly_one_trial_through_across_processes(fake_openai, workers, breaker_settings):
    breaker_settings.OPENAI_BREAKER_FAIL_MAX = 1
    breaker_settings.OPENAI_BREAKER_RESET_SECONDS = 0.3
    fake_openai.set_mode("hang")
    assert isinstance(timed_call(workers[0])[1], LLMTimeout)  # opens the breaker
    time.sleep(0.35)
    assert breaker_state() == "half_open"

    outcomes = _concurrent_calls(workers, per_worker=4)

    assert len(fake_openai.received) == 2  # the opening call and ONE trial, out of 8 concurrent turns
    kinds = sorted(type(exc).__name__ for _, exc in outcomes)
    assert kinds == ["LLMCircuitOpen"] * 7 + ["LLMTimeout"]
    refused = sorted(elapsed for elapsed, exc in outcomes if isinstance(exc, LLMCircuitOpen))
    trial = [elapsed for elapsed, exc in outcomes if isinstance(exc, LLMTimeout)]
    assert refused[-1] < FAST and trial[0] >= TURN - 0.05  # only the trial waited for the LLM
    assert breaker_state() == "open"  # the failed trial re-opened it for everyone

    time.sleep(0.35)
    _concurrent_calls(workers, per_worker=2)
    assert len(fake_openai.received) == 3  # one more trial per reset period, no more


def _concurrent_calls(workers, *, per_worker: int) -> list[tuple[float, BaseException | None]]:
    outcomes, start = [], threading.Barrier(len(workers) * per_worker)

    def turn(client):
        try:
            start.wait()
            outcomes.append(timed_call(client))
        finally:
            connection.close()  # this thread's own connection, or the test database cannot be dropped

    threads = [threading.Thread(target=turn, args=(client,)) for client in workers for _ in range(per_worker)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)
    return outcomes


@pytest.mark.django_db
def test_a_successful_trial_in_one_process_closes_the_breaker_for_the_other(fake_openai, workers, breaker_settings):
    breaker_settings.OPENAI_BREAKER_FAIL_MAX = 1
    breaker_settings.OPENAI_BREAKER_RESET_SECONDS = 0.2
    breaker_settings.OPENAI_MAX_ATTEMPTS = 1
    fake_openai.status(503)
    assert isinstance(timed_call(workers[0])[1], LLMUnavailable)
    assert isinstance(timed_call(workers[1])[1], LLMCircuitOpen)
    assert len(fake_openai.received) == 1

    time.sleep(0.25)
    fake_openai.tool_call({"lane": "info"})
    fake_openai.tool_call({"lane": "purchase"})
    assert timed_call(workers[1])[1] is None  # the trial
    assert breaker_state() == "closed"
    assert timed_call(workers[0])[1] is None
    assert len(fake_openai.received) == 3


@pytest.mark.django_db
def test_server_errors_are_retried_per_call_and_open_the_breaker_for_both(fake_openai, workers, breaker_settings):
    breaker_settings.OPENAI_BREAKER_FAIL_MAX = 2
    breaker_settings.OPENAI_RETRY_MAX_WAIT = 0.01
    fake_openai.set_mode("5xx")
    first, second = timed_call(workers[0]), timed_call(workers[1])
    assert isinstance(first[1], LLMUnavailable) and isinstance(second[1], LLMUnavailable)
    assert len(fake_openai.received) == 6  # OPENAI_MAX_ATTEMPTS (3) each

    later = [timed_call(workers[n % 2]) for n in range(4)]
    assert [type(exc) for _, exc in later] == [LLMCircuitOpen] * 4
    assert len(fake_openai.received) == 6
    assert all(elapsed < FAST for elapsed, _ in later)


@pytest.mark.django_db
def test_a_retry_after_longer_than_the_turn_is_not_waited_for(fake_openai, workers, breaker_settings):
    fake_openai.set_mode("429", retry_after=5)
    elapsed, exc = timed_call(workers[0])
    assert isinstance(exc, LLMRateLimited) and exc.retry_after == 5.0
    assert elapsed < 1.0 and len(fake_openai.received) == 1


@pytest.mark.django_db
def test_a_short_retry_after_is_honoured_and_rate_limits_count_against_the_breaker(fake_openai, workers,
                                                                                   breaker_settings):
    breaker_settings.OPENAI_BREAKER_FAIL_MAX = 1
    fake_openai.set_mode("429", retry_after=0)
    assert isinstance(timed_call(workers[0])[1], LLMRateLimited)
    assert len(fake_openai.received) == 3
    assert isinstance(timed_call(workers[1])[1], LLMCircuitOpen)
    assert len(fake_openai.received) == 3


@pytest.mark.django_db
def test_garbage_bodies_are_a_typed_error_and_open_the_breaker(fake_openai, workers, breaker_settings):
    breaker_settings.OPENAI_MAX_ATTEMPTS = 1
    breaker_settings.OPENAI_BREAKER_FAIL_MAX = 2
    fake_openai.set_mode("garbage")
    results = [timed_call(workers[n % 2]) for n in range(3)]
    assert [type(exc) for _, exc in results] == [LLMProtocolError, LLMProtocolError, LLMCircuitOpen]
    assert len(fake_openai.received) == 2
    assert "not a JSON object" in ExternalCall.objects.first().error


@pytest.mark.django_db
def test_with_the_default_turn_timeout_a_hanging_llm_costs_about_two_seconds(fake_openai, workers, settings):
    settings.OPENAI_TURN_TIMEOUT = 2.0  # the shipped default
    settings.OPENAI_RETRY_MAX_WAIT = 2.0
    fake_openai.set_mode("hang")
    elapsed, exc = timed_call(workers[0])
    assert isinstance(exc, LLMTimeout)
    assert 1.9 <= elapsed < 2.5
    assert len(fake_openai.received) == 1


@pytest.mark.django_db
def test_retries_stop_when_the_turn_budget_would_be_exceeded(fake_openai, workers, settings):
    settings.OPENAI_TURN_TIMEOUT = 1.0
    fake_openai.status(500, times=3, delay=0.4)
    elapsed, exc = timed_call(workers[0])
    assert isinstance(exc, LLMUnavailable)
    assert len(fake_openai.received) == 2  # a third attempt would not have had MIN_ATTEMPT_SECONDS left
    assert elapsed < 1.0 + 0.2


@pytest.mark.django_db
def test_background_calls_get_the_longer_per_attempt_timeout(fake_openai, workers, settings):
    settings.OPENAI_TURN_TIMEOUT = 0.2
    settings.OPENAI_TIMEOUT = 0.6
    fake_openai.set_mode("hang")
    elapsed, exc = timed_call(workers[0], budget="background")
    assert isinstance(exc, LLMTimeout) and 0.55 <= elapsed < 0.6 + LATE


@pytest.mark.django_db
def test_a_client_error_proves_the_service_is_up_and_does_not_count(fake_openai, workers, breaker_settings):
    breaker_settings.OPENAI_BREAKER_FAIL_MAX = 1
    fake_openai.status(400)
    fake_openai.tool_call({"ok": True})
    assert timed_call(workers[0])[1].__class__.__name__ == "LLMRejected"
    assert breaker_state() == "closed"
    assert timed_call(workers[1])[1] is None


@pytest.mark.django_db
def test_with_the_cache_down_calls_still_go_through(fake_openai, workers):
    fake_openai.tool_call({"lane": "info"})
    fake_openai.status(503, times=3)
    with override_settings(CACHES=UNREACHABLE_REDIS):
        assert timed_call(workers[0])[1] is None
        assert isinstance(timed_call(workers[1])[1], LLMUnavailable)  # failing, and its count is lost quietly
    assert len(fake_openai.received) == 1 + 3


@pytest.mark.django_db
def test_the_routers_entry_point_uses_the_turn_budget_by_default(fake_openai, settings):
    settings.OPENAI_TIMEOUT = 5.0
    settings.OPENAI_TURN_TIMEOUT = 0.3
    fake_openai.set_mode("hang")
    started = time.monotonic()
    with pytest.raises(LLMTimeout):
        chat_tool_call(messages=MESSAGES, tool=TOOL, purpose="route")  # as agents/routing/llm.py calls it
    assert time.monotonic() - started < 0.3 + LATE
