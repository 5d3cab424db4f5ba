"""Logging of outbound calls as rows (pending before, outcome and latency after)."""

from __future__ import annotations

import contextlib
import time

from integrations.models import ExternalCall


class CallRecord:
    def __init__(self, row: ExternalCall):
        self.row = row
        self.response_summary = ""
        self.prompt_tokens: int | None = None
        self.completion_tokens: int | None = None


@contextlib.contextmanager
def logged_call(system: str, method: str, request_summary: str = "", *, dry_run: bool = False):
    """Record one outbound call. Must not be used inside a transaction that would roll the row back on failure."""
    row = ExternalCall.objects.create(system=system, method=method, request_summary=request_summary[:4000])
    record = CallRecord(row)
    started = time.monotonic()
    try:
        yield record
    except BaseException as exc:
        _finish(row, ExternalCall.Outcome.ERROR, started, record, error=f"{exc.__class__.__name__}: {exc}")
        raise
    _finish(row, ExternalCall.Outcome.DRY_RUN if dry_run else ExternalCall.Outcome.OK, started, record)


def _finish(row: ExternalCall, outcome: str, started: float, record: CallRecord, error: str = "") -> None:
    row.outcome = outcome
    row.latency_ms = int((time.monotonic() - started) * 1000)
    row.error = error[:4000]
    row.response_summary = str(record.response_summary)[:4000]
    row.prompt_tokens = record.prompt_tokens
    row.completion_tokens = record.completion_tokens
    row.save(update_fields=["outcome", "latency_ms", "error", "response_summary", "prompt_tokens", "completion_tokens"])
