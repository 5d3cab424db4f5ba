"""What can go wrong when we ask OpenAI, as types a caller can act on.

    LLMError                      base; `transient` says whether the same request may work later
    ├── LLMUnavailable            no usable answer from the service: connection, 5xx, 408/409 (transient)
    │   ├── LLMTimeout            no answer within the budget
    │   ├── LLMRateLimited        429; `retry_after` seconds when the server said
    │   ├── LLMProtocolError      an HTTP 2xx whose body is not the API's JSON (a proxy page, a truncated body)
    │   └── LLMCircuitOpen        not called: the shared circuit breaker is open (no HTTP, no ExternalCall row)
    ├── LLMRejected               a 4xx: the API refused this request (key, model, file); `status`
    ├── LLMBadOutput              the model answered, but not with what we asked for (tool call, rows)
    └── MediaNotSupported         refused before any HTTP: a format or size the endpoint does not take

Only `LLMUnavailable` (less `LLMCircuitOpen`) counts against the circuit breaker: the others prove the service
answered.
"""

from __future__ import annotations


class LLMError(Exception):
    """The LLM could not give an answer for this request."""

    transient = False


class LLMUnavailable(LLMError):
    transient = True


class LLMTimeout(LLMUnavailable):
    pass


class LLMRateLimited(LLMUnavailable):
    def __init__(self, message: str, *, retry_after: float | None = None):
        super().__init__(message)
        self.retry_after = retry_after


class LLMProtocolError(LLMUnavailable):
    pass


class LLMCircuitOpen(LLMUnavailable):
    pass


class LLMRejected(LLMError):
    def __init__(self, message: str, *, status: int):
        super().__init__(message)
        self.status = status


class LLMBadOutput(LLMError):
    pass


class MediaNotSupported(LLMError):
    pass


def counts_against_breaker(exc: BaseException) -> bool:
    return isinstance(exc, LLMUnavailable) and not isinstance(exc, LLMCircuitOpen)
