"""The one OpenAI client: chat completions with a forced tool call, explicit timeout, retries, a circuit breaker,
and one `ExternalCall` row per HTTP attempt.

Retries: tenacity rather than the openai package's own `max_retries`, because each attempt must be its own logged
row (STYLE habit 14) and we decide what is transient: 429, 5xx and connection errors are retried with exponential
backoff and jitter, honouring a short `Retry-After`; a timeout is NOT retried, because a turn that already waited
`OPENAI_TIMEOUT` seconds should fall back to the rules rather than make the contact wait twice as long.

Circuit breaker: one `pybreaker.CircuitBreaker` per process (module level). After `OPENAI_BREAKER_FAIL_MAX`
failed turns in a row it opens and calls fail at once (no HTTP) for `OPENAI_BREAKER_RESET_SECONDS`; then one trial
call decides. Each web or worker process keeps its own state: a worker whose LLM is down stops paying the timeout
after a few turns, without shared storage that would itself be a dependency.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass

import httpx
import openai
import pybreaker
from django.conf import settings
from tenacity import Retrying, retry_if_exception, stop_after_attempt, wait_exponential_jitter

from integrations.calls import logged_call


class LLMError(Exception):
    """The LLM could not give an answer this turn (transport, HTTP status, breaker open)."""


@dataclass
class ToolCallResult:
    arguments: dict | None  # the forced tool call's arguments; None for text or unparseable JSON
    raw_arguments: str  # exactly what the model sent as arguments (for the error message)
    content: str  # any text the model returned
    prompt_tokens: int | None
    completion_tokens: int | None
    model: str


def _setting(name: str, default):
    return getattr(settings, name, default)


_BREAKER = pybreaker.CircuitBreaker(fail_max=5, reset_timeout=30, name="openai")
_CLIENTS: dict[tuple, openai.OpenAI] = {}
_CLIENTS_LOCK = threading.Lock()


def breaker() -> pybreaker.CircuitBreaker:
    """The process-wide breaker, re-read from settings so tests and deploys can tune it."""
    _BREAKER.fail_max = int(_setting("OPENAI_BREAKER_FAIL_MAX", 5))
    _BREAKER.reset_timeout = float(_setting("OPENAI_BREAKER_RESET_SECONDS", 30))
    return _BREAKER


def reset_breaker() -> None:
    _BREAKER.close()


def _client() -> openai.OpenAI:
    key = (settings.OPENAI_API_KEY, settings.OPENAI_BASE_URL, float(settings.OPENAI_TIMEOUT))
    with _CLIENTS_LOCK:
        if key not in _CLIENTS:
            _CLIENTS[key] = openai.OpenAI(
                api_key=key[0],
                base_url=key[1],  # None: api.openai.com
                timeout=httpx.Timeout(key[2], connect=min(key[2], 3.0)),
                max_retries=0,  # retries are ours (see module docstring)
            )
        return _CLIENTS[key]


def _transient(exc: BaseException) -> bool:
    if isinstance(exc, openai.APITimeoutError):
        return False
    return isinstance(exc, (openai.RateLimitError, openai.InternalServerError, openai.APIConnectionError))


def _wait(retry_state) -> float:
    """Honour a short Retry-After (429s usually send one); otherwise exponential backoff with jitter."""
    exc = retry_state.outcome.exception()
    response = getattr(exc, "response", None)
    cap = float(_setting("OPENAI_RETRY_MAX_WAIT", 2.0))
    header = response.headers.get("retry-after") if response is not None else None
    try:
        if header is not None:
            return min(max(float(header), 0.0), cap)
    except ValueError:
        pass  # an HTTP date: fall through to our own backoff
    return min(wait_exponential_jitter(initial=0.2, max=cap)(retry_state), cap)


def chat_tool_call(*, messages: list[dict], tool: dict, purpose: str) -> ToolCallResult:
    """One completion forcing `tool`. Raises LLMError on any failure; never returns partial data."""
    try:
        return breaker().call(_with_retries, messages, tool, purpose)
    except pybreaker.CircuitBreakerError as exc:
        raise LLMError(f"circuit open: {exc}") from exc
    except openai.OpenAIError as exc:
        raise LLMError(f"{exc.__class__.__name__}: {exc}") from exc


def _with_retries(messages: list[dict], tool: dict, purpose: str) -> ToolCallResult:
    retrying = Retrying(
        retry=retry_if_exception(_transient),
        stop=stop_after_attempt(int(_setting("OPENAI_MAX_ATTEMPTS", 3))),
        wait=_wait,
        reraise=True,
    )
    return retrying(_attempt, messages, tool, purpose)


def _attempt(messages: list[dict], tool: dict, purpose: str) -> ToolCallResult:
    # https://platform.openai.com/docs/api-reference/chat/create (tools + tool_choice force one function call)
    model = settings.OPENAI_MODEL
    name = tool["function"]["name"]
    with logged_call("llm", f"chat.completions:{purpose}", f"model={model} tool={name}") as record:
        completion = _client().chat.completions.create(
            model=model,
            messages=messages,
            tools=[tool],
            tool_choice={"type": "function", "function": {"name": name}},
            # no `temperature`: reasoning models reject it with a 400, and OPENAI_MODEL is the operator's choice
        )
        result = _result(completion, model)
        record.prompt_tokens, record.completion_tokens = result.prompt_tokens, result.completion_tokens
        record.response_summary = result.raw_arguments or result.content
    return result


def _result(completion, model: str) -> ToolCallResult:
    if not completion.choices:
        raise LLMError("completion has no choices")
    message = completion.choices[0].message
    usage = completion.usage
    arguments, raw = None, ""
    if message.tool_calls:
        raw = message.tool_calls[0].function.arguments or ""
        try:
            arguments = json.loads(raw)
        except json.JSONDecodeError:
            arguments = None  # the router reports it as invalid output and falls back
    return ToolCallResult(
        arguments=arguments,
        raw_arguments=raw,
        content=message.content or "",
        prompt_tokens=usage.prompt_tokens if usage else None,
        completion_tokens=usage.completion_tokens if usage else None,
        model=completion.model or model,
    )
