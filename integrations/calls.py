"""Logging of outbound calls as rows: one row per call, written when it ends (outcome, latency, error).

The work a call does is recorded before the call by its own pending row (a reply `sending`, an Odoo command
`running`), so a process that dies mid-call leaves that trace; the call row itself costs one INSERT, which the
reply's latency budget can afford, where a pending row plus its update would cost two.
"""

from __future__ import annotations

import contextlib
import logging
import time

from django.db import DatabaseError

from integrations.models import ExternalCall

logger = logging.getLogger(__name__)


class CallRecord:
    def __init__(self):
        self.response_summary = ""
        self.prompt_tokens: int | None = None
        self.completion_tokens: int | None = None


@contextlib.contextmanager
def logged_call(system: str, method: str, request_summary: str = "", *, dry_run: bool = False):
    """Record one outbound call when it ends. Must not be used inside a transaction that would roll the row back
    on failure."""
    record = CallRecord()
    started = time.monotonic()
    try:
        yield record
    except BaseException as exc:
        _write(system, method, request_summary, ExternalCall.Outcome.ERROR, started, record,
               error=f"{exc.__class__.__name__}: {exc}")
        raise
    _write(system, method, request_summary, ExternalCall.Outcome.DRY_RUN if dry_run else ExternalCall.Outcome.OK,
           started, record)


def _write(system: str, method: str, request_summary: str, outcome: str, started: float, record: CallRecord,
           error: str = "") -> None:
    try:
        _insert(system, method, request_summary, outcome, started, record, error)
    except DatabaseError:  # e.g. `check --deploy` before the first migrate: the call itself must not fail for it
        logger.warning("call to %s.%s not logged: the call log is not available", system, method, exc_info=True)


def _insert(system, method, request_summary, outcome, started, record, error) -> None:
    ExternalCall.objects.create(
        system=system, method=method, request_summary=request_summary[:4000], outcome=outcome,
        latency_ms=int((time.monotonic() - started) * 1000), error=error[:4000],
        response_summary=str(record.response_summary)[:4000], prompt_tokens=record.prompt_tokens,
        completion_tokens=record.completion_tokens)
