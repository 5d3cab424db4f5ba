"""The one OpenAI client: chat completions with a forced tool call, audio transcription and photo/PDF reading,
each with an explicit time budget, retries, a circuit breaker shared by every process, typed errors
(`integrations.openai.errors`) and one `ExternalCall` row per HTTP attempt.

Budgets. `budget="turn"` is for calls made while a contact waits for the agent's answer and a fallback exists
(routing: the rules answer): the whole call, retries and their waits included, fits in `OPENAI_TURN_TIMEOUT`
(2 s by default), so a hanging LLM costs one turn at most that long. `budget="background"` (tasks, media) gives
each attempt `OPENAI_TIMEOUT`.

Retries: tenacity rather than the SDK's own `max_retries`, because each attempt must be its own logged row and we
decide what is transient: 429, 5xx, connection errors and unreadable bodies are retried with exponential backoff
and jitter, honouring `Retry-After` up to `OPENAI_RETRY_MAX_WAIT`, and only while the budget leaves room for
another attempt. A timeout is not retried: the service that just hung would most likely hang again.

Circuit breaker (`integrations.openai.breaker.SharedBreaker`): its state is in the cache, so when
`OPENAI_BREAKER_FAIL_MAX` calls in a row fail anywhere, every process stops calling for
`OPENAI_BREAKER_RESET_SECONDS`; then exactly one process makes a single-attempt trial call while the others keep
failing at once.

Bodies are read as JSON by us (`with_raw_response`) rather than through the SDK's models: the SDK builds its
models without validation, so a proxy's HTML page or a body without `choices` would surface as an AttributeError
far from here instead of a typed error.
"""

from __future__ import annotations

import contextlib
import json
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal, TypeVar

import openai
from django.conf import settings
from tenacity import Retrying, retry_if_exception, wait_exponential_jitter

from integrations.calls import CallRecord, logged_call
from integrations.openai import parts
from integrations.openai import order_lines
from integrations.openai.breaker import SharedBreaker
from integrations.openai.errors import (
    LLMError,
    LLMProtocolError,
    LLMRateLimited,
    LLMRejected,
    LLMTimeout,
    LLMUnavailable,
    counts_against_breaker,
)
from integrations.openai.order_lines import OrderLinesExtraction

Budget = Literal["turn", "background"]
T = TypeVar("T")

# Below this, another attempt could not get an answer anyway: give up and let the caller fall back.
MIN_ATTEMPT_SECONDS = 0.2


@dataclass
class ToolCallResult:
    arguments: dict | None  # the forced tool call's arguments; None for text or unparseable JSON
    raw_arguments: str  # exactly what the model sent as arguments (for the error message)
    content: str  # any text the model returned
    prompt_tokens: int | None
    completion_tokens: int | None
    model: str


@dataclass(frozen=True)
class Transcription:
    text: str  # may be "" for a silent note
    model: str
    input_tokens: int | None
    output_tokens: int | None


@dataclass(frozen=True)
class _Deadline:
    per_attempt: float
    ends_at: float | None  # time.monotonic(); None: no total budget

    def remaining(self) -> float:
        return float("inf") if self.ends_at is None else self.ends_at - time.monotonic()

    def attempt_timeout(self) -> float:
        return max(min(self.per_attempt, self.remaining()), 0.05)


def _deadline(budget: Budget) -> _Deadline:
    if budget == "turn":
        return _Deadline(settings.OPENAI_TURN_TIMEOUT, time.monotonic() + settings.OPENAI_TURN_TIMEOUT)
    if budget == "background":
        return _Deadline(settings.OPENAI_TIMEOUT, None)
    raise ValueError(f"budget must be 'turn' or 'background', not {budget!r}")


class OpenAIClient:
    """One process's door to OpenAI. Module-level functions use a process-wide instance; tests make several to
    play several processes (each has its own connection pool, all share the breaker through the cache)."""

    def __init__(self, *, breaker: SharedBreaker | None = None):
        self.breaker = breaker or SharedBreaker("openai")
        self._sdk_clients: dict[tuple, openai.OpenAI] = {}
        self._lock = threading.Lock()

    # --- operations -----------------------------------------------------------------------------------------
    def chat_tool_call(self, *, messages: list[dict], tool: dict, purpose: str,
                       budget: Budget = "turn") -> ToolCallResult:
        """One completion forcing `tool`. Raises LLMError subclasses; never returns partial data."""
        # https://platform.openai.com/docs/api-reference/chat/create (tools + tool_choice force one function call)
        model, name = settings.OPENAI_MODEL, tool["function"]["name"]

        def attempt(timeout: float, record: CallRecord) -> ToolCallResult:
            response = self._sdk().chat.completions.with_raw_response.create(
                model=model,
                messages=messages,
                tools=[tool],
                tool_choice={"type": "function", "function": {"name": name}},
                # no `temperature`: reasoning models reject it with a 400, and OPENAI_MODEL is the operator's choice
                timeout=_sdk_timeout(timeout),
            )
            result = _tool_call_result(_json_body(response.text), model)
            record.prompt_tokens, record.completion_tokens = result.prompt_tokens, result.completion_tokens
            record.response_summary = result.raw_arguments or result.content
            return result

        return self._call(f"chat.completions:{purpose}", f"model={model} tool={name}", attempt, budget)

    def transcribe_audio(self, *, audio: bytes, content_type: str, filename: str = "", language: str | None = None,
                         prompt: str = "", budget: Budget = "background") -> Transcription:
        """The text of a voice note. `language` is an ISO-639-1 hint ("es"); `prompt` may list product names
        the model should expect. Raises MediaNotSupported before any HTTP for formats the endpoint refuses."""
        # https://platform.openai.com/docs/api-reference/audio/createTranscription (multipart: file, model, ...)
        file = parts.audio_file(audio, content_type, filename)
        model = settings.OPENAI_TRANSCRIBE_MODEL
        hints = {key: value for key, value in (("language", language), ("prompt", prompt)) if value}

        def attempt(timeout: float, record: CallRecord) -> Transcription:
            response = self._sdk().audio.transcriptions.with_raw_response.create(
                file=file, model=model, response_format="json", timeout=_sdk_timeout(timeout), **hints
            )
            result = _transcription(_json_body(response.text), model)
            record.prompt_tokens, record.completion_tokens = result.input_tokens, result.output_tokens
            record.response_summary = result.text
            return result

        summary = f"model={model} file={file[0]} bytes={len(audio)} language={language or 'auto'}"
        return self._call("audio.transcriptions", summary, attempt, budget)

    def extract_order_lines(self, *, media: bytes, content_type: str, catalog_lines: Sequence[str],
                            filename: str = "", caption: str = "",
                            budget: Budget = "background") -> OrderLinesExtraction:
        """Order lines read from a photo (png/jpeg/webp/gif) or a PDF of a purchase list. Raises
        MediaNotSupported for other types, LLMBadOutput when the model's answer does not validate."""
        part = parts.content_part(media, content_type, filename)
        messages = order_lines.messages(part, catalog_lines=catalog_lines, caption=caption)
        purpose = "order_lines:" + ("pdf" if part["type"] == "file" else "image")
        result = self.chat_tool_call(messages=messages, tool=order_lines.TOOL, purpose=purpose, budget=budget)
        return order_lines.parse(result.arguments, result.raw_arguments or result.content, model=result.model,
                                 tokens=(result.prompt_tokens, result.completion_tokens))

    # --- the shared path: breaker, retries, one logged row per attempt ---------------------------------------
    def _call(self, method: str, summary: str, attempt: Callable[[float, CallRecord], T], budget: Budget) -> T:
        self._sdk()  # built before the clock starts: the first build loads the CA bundle, which is not LLM time
        deadline = _deadline(budget)
        permit = self.breaker.permit(trial_seconds=deadline.attempt_timeout())
        try:
            # The half-open trial is a single attempt: a service that is still down costs one timeout, not three.
            result = self._with_retries(method, summary, attempt, deadline, 1 if permit.trial else None)
        except LLMError as exc:
            if counts_against_breaker(exc):
                self.breaker.record_failure(permit, fail_max=settings.OPENAI_BREAKER_FAIL_MAX,
                                            reset_seconds=settings.OPENAI_BREAKER_RESET_SECONDS)
            else:
                self.breaker.record_success(permit)  # the service answered; the request itself was the problem
            raise
        self.breaker.record_success(permit)
        return result

    def _with_retries(self, method, summary, attempt, deadline: _Deadline, attempts: int | None):
        max_attempts = attempts or settings.OPENAI_MAX_ATTEMPTS
        cap = settings.OPENAI_RETRY_MAX_WAIT

        def stop(state) -> bool:
            return (state.attempt_number >= max_attempts or state.upcoming_sleep > cap
                    or deadline.remaining() - state.upcoming_sleep < MIN_ATTEMPT_SECONDS)

        retrying = Retrying(retry=retry_if_exception(_retryable), wait=_wait, stop=stop, reraise=True)
        return retrying(self._logged_attempt, method, summary, attempt, deadline)

    def _logged_attempt(self, method, summary, attempt, deadline: _Deadline):
        with logged_call("llm", method, summary) as record, _translated_errors():
            return attempt(deadline.attempt_timeout(), record)

    def _sdk(self) -> openai.OpenAI:
        key = (settings.OPENAI_API_KEY, settings.OPENAI_BASE_URL)
        with self._lock:
            if key not in self._sdk_clients:
                self._sdk_clients[key] = openai.OpenAI(
                    api_key=key[0],
                    base_url=key[1],  # None: api.openai.com
                    timeout=_sdk_timeout(settings.OPENAI_TIMEOUT),  # every call passes its own; this is a floor
                    max_retries=0,  # retries are ours (see module docstring)
                )
            return self._sdk_clients[key]


def _sdk_timeout(seconds: float) -> openai.Timeout:
    return openai.Timeout(seconds, connect=min(seconds, 2.0))


def _retryable(exc: BaseException) -> bool:
    return isinstance(exc, LLMUnavailable) and not isinstance(exc, LLMTimeout)


def _wait(retry_state) -> float:
    """The server's Retry-After when it sent one (the stop rule refuses waits over the cap), else backoff."""
    exc = retry_state.outcome.exception()
    if isinstance(exc, LLMRateLimited) and exc.retry_after is not None:
        return exc.retry_after
    cap = settings.OPENAI_RETRY_MAX_WAIT
    return min(wait_exponential_jitter(initial=0.2, max=cap)(retry_state), cap)


@contextlib.contextmanager
def _translated_errors():
    """SDK exceptions as ours, inside the logged call so the row names both."""
    try:
        yield
    except openai.APITimeoutError as exc:  # before APIConnectionError, its base class
        raise LLMTimeout(f"APITimeoutError: {exc}") from exc
    except openai.APIConnectionError as exc:
        raise LLMUnavailable(f"{exc.__class__.__name__}: {exc}") from exc
    except openai.RateLimitError as exc:
        raise LLMRateLimited(f"RateLimitError: {exc}", retry_after=_retry_after(exc.response)) from exc
    except openai.APIStatusError as exc:
        message = f"{exc.__class__.__name__}: {exc}"
        if exc.status_code >= 500 or exc.status_code in (408, 409):  # the API's own "try again" statuses
            raise LLMUnavailable(message) from exc
        raise LLMRejected(message, status=exc.status_code) from exc
    except openai.OpenAIError as exc:
        raise LLMProtocolError(f"{exc.__class__.__name__}: {exc}") from exc


def _retry_after(response) -> float | None:
    try:
        return max(float(response.headers.get("retry-after")), 0.0)
    except (TypeError, ValueError):  # absent, or an HTTP date: our own backoff decides
        return None


def _json_body(text: str) -> dict:
    try:
        body = json.loads(text)
    except ValueError:
        body = None
    if not isinstance(body, dict):
        raise LLMProtocolError(f"the response is not a JSON object: {text[:200]!r}")
    return body


def _tool_call_result(body: dict, model: str) -> ToolCallResult:
    # https://platform.openai.com/docs/api-reference/chat/object
    choices = body.get("choices")
    message = choices[0].get("message") if isinstance(choices, list) and choices and isinstance(choices[0], dict) \
        else None
    if not isinstance(message, dict):
        raise LLMProtocolError(f"completion has no choices[0].message: {json.dumps(body)[:200]}")
    calls = message.get("tool_calls")
    function = calls[0].get("function") if isinstance(calls, list) and calls and isinstance(calls[0], dict) else None
    raw = str(function.get("arguments") or "") if isinstance(function, dict) else ""
    usage = body.get("usage") if isinstance(body.get("usage"), dict) else {}
    return ToolCallResult(
        arguments=_json_object(raw),
        raw_arguments=raw,
        content=str(message.get("content") or ""),
        prompt_tokens=_count(usage.get("prompt_tokens")),
        completion_tokens=_count(usage.get("completion_tokens")),
        model=str(body.get("model") or model),
    )


def _transcription(body: dict, model: str) -> Transcription:
    # https://platform.openai.com/docs/api-reference/audio/json-object: {"text": ..., "usage": {...}}
    if not isinstance(body.get("text"), str):
        raise LLMProtocolError(f"transcription has no text: {json.dumps(body)[:200]}")
    usage = body.get("usage") if isinstance(body.get("usage"), dict) else {}
    return Transcription(body["text"].strip(), model, _count(usage.get("input_tokens")),
                         _count(usage.get("output_tokens")))


def _json_object(raw: str) -> dict | None:
    try:
        value = json.loads(raw)
    except ValueError:
        return None  # the caller reports it as invalid output
    return value if isinstance(value, dict) else None


def _count(value) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else None


# --- the process-wide client ---------------------------------------------------------------------------------
_DEFAULT = OpenAIClient()


def default_client() -> OpenAIClient:
    return _DEFAULT


def chat_tool_call(*, messages: list[dict], tool: dict, purpose: str, budget: Budget = "turn") -> ToolCallResult:
    return _DEFAULT.chat_tool_call(messages=messages, tool=tool, purpose=purpose, budget=budget)


def transcribe_audio(*, audio: bytes, content_type: str, filename: str = "", language: str | None = None,
                     prompt: str = "", budget: Budget = "background") -> Transcription:
    return _DEFAULT.transcribe_audio(audio=audio, content_type=content_type, filename=filename, language=language,
                                     prompt=prompt, budget=budget)


def extract_order_lines(*, media: bytes, content_type: str, catalog_lines: Sequence[str], filename: str = "",
                        caption: str = "", budget: Budget = "background") -> OrderLinesExtraction:
    return _DEFAULT.extract_order_lines(media=media, content_type=content_type, catalog_lines=catalog_lines,
                                        filename=filename, caption=caption, budget=budget)


def breaker_state() -> str:
    """"closed", "open" or "half_open", as every process sees it."""
    return _DEFAULT.breaker.state()


def reset_breaker() -> None:
    _DEFAULT.breaker.reset()
