"""Faults the Chatwoot stand-in can inject: REST answers that go wrong before or after the effect, and webhook
deliveries that arrive twice, late, out of order or not at all.

A fault is armed for the next `times` matching requests (or webhooks), first armed first served, and every use is
logged in `FaultBook.applied` so a test can assert what happened. Armed from Python (`ChatwootStandin.arm_fault`,
`fail_next`, `timeout_next`) or over HTTP (`POST /standin/faults`, see `standin.py`).

REST kinds ("before": nothing was done; "after": the request was carried out, its webhooks delivered, and only
then does the answer go wrong):
- `rate_limit`           429 (body "Retry later", as Rack::Attack) with `Retry-After: <retry_after>`, before
- `error_before`         `status` (default 500; any 4xx/5xx) before
- `error_after`          carried out and echoed, then `status` (default 500)
- `timeout_before`       stalls `seconds`, nothing done, then 504 (to a client that has given up)
- `timeout_after`        carried out and echoed, then stalls `seconds` and answers the real 200 late
- `timeout_then_apply`   stalls `seconds`, then carries the request out and answers (Chatwoot got it late)
- `reset_before`         the connection is reset (TCP RST) with nothing done
- `reset_after`          carried out and echoed, then the connection is reset instead of answered
Match on `method` ("POST", "GET"...; any when unset), `path` (a regex searched in the request path, e.g.
"/messages$"), `conversation_id`. An "after" fault only counts requests that succeeded: a request the stand-in
refuses (404, 422) is answered as usual and leaves the fault armed.

Webhook kinds (match on `event`, `message_type`, `conversation_id`):
- `webhook_duplicate`    delivered twice; `same_delivery_id` true (a retried job) or false (two listeners)
- `webhook_out_of_order` held back and delivered after the next webhook (or after `seconds`, default 1)
- `webhook_delay`        delivered after `seconds` (default 1), in the background
- `webhook_drop`         never delivered (account webhooks are not retried: a failed one is lost)
"""

from __future__ import annotations

import itertools
import re
import threading
import time
from dataclasses import asdict, dataclass, field, fields

REST_BEFORE = {"rate_limit", "error_before", "timeout_before", "timeout_then_apply", "reset_before"}
REST_AFTER = {"error_after", "timeout_after", "reset_after"}
WEBHOOK_KINDS = {"webhook_duplicate", "webhook_out_of_order", "webhook_delay", "webhook_drop"}
KINDS = REST_BEFORE | REST_AFTER | WEBHOOK_KINDS
DEFAULT_SECONDS = {"timeout_before": 3.0, "timeout_after": 3.0, "timeout_then_apply": 3.0,
                   "webhook_out_of_order": 1.0, "webhook_delay": 1.0}
_ids = itertools.count(1)


@dataclass
class Fault:
    kind: str
    times: int = 1
    status: int | None = None
    retry_after: float | None = 1.0
    seconds: float | None = None
    method: str | None = None
    path: str | None = None
    conversation_id: int | None = None
    event: str | None = None
    message_type: str | None = None
    same_delivery_id: bool = True
    id: int = field(default_factory=lambda: next(_ids))
    used: int = 0

    def __post_init__(self):
        _validate(self)
        if self.status is None:
            self.status = 429 if self.kind == "rate_limit" else 500
        if self.seconds is None:
            self.seconds = DEFAULT_SECONDS.get(self.kind, 0.0)
        self.method = self.method.upper() if self.method else None

    @classmethod
    def from_json(cls, data) -> "Fault":
        """A fault from the control endpoint's JSON; ValueError with a readable reason on anything else."""
        if not isinstance(data, dict):
            raise ValueError("a fault must be a JSON object")
        known = {f.name for f in fields(cls)} - {"id", "used"}
        unknown = set(data) - known
        if unknown:
            raise ValueError(f"unknown fault field(s): {', '.join(sorted(unknown))}")
        return cls(**data)

    @property
    def after(self) -> bool:
        return self.kind in REST_AFTER

    @property
    def is_webhook(self) -> bool:
        return self.kind in WEBHOOK_KINDS

    def matches_request(self, method: str, path: str, conversation_id: int | None) -> bool:
        return (not self.is_webhook and (self.method is None or self.method == method)
                and (self.path is None or re.search(self.path, path) is not None)
                and (self.conversation_id is None or self.conversation_id == conversation_id))

    def matches_webhook(self, payload: dict) -> bool:
        return (self.is_webhook and (self.event is None or self.event == payload.get("event"))
                and (self.message_type is None or self.message_type == payload.get("message_type"))
                and (self.conversation_id is None or self.conversation_id == webhook_conversation_id(payload)))

    def as_json(self) -> dict:
        return {**asdict(self), "remaining": self.times - self.used}


def _validate(fault: Fault) -> None:
    for name in ("method", "path", "event", "message_type"):
        if getattr(fault, name) is not None and not isinstance(getattr(fault, name), str):
            raise ValueError(f"{name} must be a string")
    if not isinstance(fault.same_delivery_id, bool):
        raise ValueError("same_delivery_id must be true or false")
    if not isinstance(fault.kind, str) or fault.kind not in KINDS:
        raise ValueError(f"unknown fault kind {fault.kind!r}; one of {', '.join(sorted(KINDS))}")
    if isinstance(fault.times, bool) or not isinstance(fault.times, int) or fault.times < 1:
        raise ValueError("times must be a positive integer")
    if fault.status is not None and (isinstance(fault.status, bool) or not isinstance(fault.status, int)
                                     or not 400 <= fault.status <= 599):
        raise ValueError("status must be an HTTP error status (400-599)")
    for name in ("seconds", "retry_after"):
        value = getattr(fault, name)
        if value is not None and (isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0):
            raise ValueError(f"{name} must be a non-negative number")
    if fault.conversation_id is not None and (isinstance(fault.conversation_id, bool)
                                              or not isinstance(fault.conversation_id, int)):
        raise ValueError("conversation_id must be an integer")
    if fault.path is not None:
        try:
            re.compile(fault.path)
        except (re.error, TypeError) as exc:
            raise ValueError(f"path must be a regular expression: {exc}") from exc


def webhook_conversation_id(payload: dict) -> int | None:
    """Message events carry the conversation under `conversation`; conversation events are the conversation."""
    if isinstance(payload.get("conversation"), dict):
        return payload["conversation"].get("id")
    return payload.get("id") if str(payload.get("event", "")).startswith("conversation_") else None


class FaultBook:
    """Armed faults and the log of the ones used. Thread-safe: the stand-in serves requests on many threads."""

    def __init__(self):
        self._armed: list[Fault] = []
        self.applied: list[dict] = []
        self._lock = threading.Lock()

    def arm(self, fault: Fault) -> Fault:
        with self._lock:
            self._armed.append(fault)
        return fault

    def clear(self) -> dict:
        with self._lock:
            cleared = {"armed": [f.as_json() for f in self._armed], "applied": list(self.applied)}
            self._armed.clear()
            self.applied.clear()
        return cleared

    def armed(self) -> list[dict]:
        with self._lock:
            return [f.as_json() for f in self._armed]

    def take_request(self, method: str, path: str, conversation_id: int | None) -> Fault | None:
        return self._take(lambda f: f.matches_request(method, path, conversation_id))

    def take_webhook(self, payload: dict) -> Fault | None:
        return self._take(lambda f: f.matches_webhook(payload))

    def give_back(self, fault: Fault) -> None:
        """An "after" fault met a request that failed on its own: it stays armed for the next one."""
        with self._lock:
            fault.used -= 1
            if fault not in self._armed:
                self._armed.insert(0, fault)

    def record(self, fault: Fault, **details) -> dict:
        entry = {"fault_id": fault.id, "kind": fault.kind, "at": time.time(), **details}
        with self._lock:
            self.applied.append(entry)
        return entry

    def _take(self, predicate) -> Fault | None:
        with self._lock:
            for fault in self._armed:
                if predicate(fault):
                    fault.used += 1
                    if fault.used >= fault.times:
                        self._armed.remove(fault)
                    return fault
        return None
