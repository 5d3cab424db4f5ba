import pytest

from integrations.models import ExternalCall
from integrations.openai.client import LLMError, chat_tool_call

pytestmark = pytest.mark.django_db

TOOL = {"type": "function", "function": {"name": "route_message", "parameters": {"type": "object"}}}
MESSAGES = [{"role": "user", "content": "hola"}]


def _call():
    return chat_tool_call(messages=MESSAGES, tool=TOOL, purpose="test")


def test_tool_call_arguments_and_usage_are_returned(fake_openai):
    fake_openai.tool_call({"lane": "info"})
    result = _call()
    assert result.arguments == {"lane": "info"}
    assert (result.prompt_tokens, result.completion_tokens, result.model) == (321, 42, "gpt-fake")
    row = ExternalCall.objects.get()
    assert (row.method, row.outcome) == ("chat.completions:test", "ok")
    assert "model=gpt-fake" in row.request_summary and '"lane"' in row.response_summary


def test_api_key_is_sent_as_bearer_and_base_url_is_honoured(fake_openai, settings):
    # the fake answers 401 without a bearer token, and it only sees requests sent to OPENAI_BASE_URL
    settings.OPENAI_API_KEY = "sk-another"
    fake_openai.tool_call({})
    assert _call().arguments == {}
    assert len(fake_openai.requests) == 1


def test_unparseable_arguments_are_reported_as_none_with_the_raw_text(fake_openai):
    fake_openai.tool_call("{not json")
    result = _call()
    assert result.arguments is None and result.raw_arguments == "{not json"


def test_429_with_retry_after_is_retried_each_attempt_logged(fake_openai):
    fake_openai.status(429, retry_after=0)
    fake_openai.status(502)
    fake_openai.tool_call({"ok": True})
    assert _call().arguments == {"ok": True}
    assert list(ExternalCall.objects.order_by("id").values_list("outcome", flat=True)) == ["error", "error", "ok"]
    assert "RateLimitError" in ExternalCall.objects.order_by("id").first().error


def test_client_errors_are_not_retried(fake_openai):
    fake_openai.status(400)
    with pytest.raises(LLMError, match="BadRequest"):
        _call()
    assert len(fake_openai.requests) == 1


def test_timeout_is_not_retried(fake_openai):
    fake_openai.delay(1.5)
    with pytest.raises(LLMError, match="Timeout"):
        _call()
    assert len(fake_openai.requests) == 1


def test_open_breaker_fails_fast_without_http(fake_openai, settings):
    settings.OPENAI_MAX_ATTEMPTS = 1
    settings.OPENAI_BREAKER_FAIL_MAX = 2
    fake_openai.status(500, times=2)
    for _ in range(2):
        with pytest.raises(LLMError):
            _call()
    with pytest.raises(LLMError, match="circuit open"):
        _call()
    assert len(fake_openai.requests) == 2
    assert ExternalCall.objects.count() == 2
