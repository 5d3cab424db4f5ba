"""Logging of outbound calls as rows: one row per call, written when it ends (outcome, latency, error).

The work a call does is recorded before the call by its own pending row (a reply `sending`, an Odoo command
`running`), so a process that dies mid-call leaves that trace; the call row is only the log. Outside a batch each
costs one INSERT. A task that makes many calls (a turn that posts its reply, pushes the order to Odoo and marks
its quote sent: about ten calls) runs under `calls_batched`, and its rows are written in one INSERT when it ends;
a worker killed mid-task loses that task's call log, never its work.
"""

from __future__ import annotations

import contextlib
import functools
import logging
import time
from contextvars import ContextVar

from django.db import DatabaseError

from integrations.models import ExternalCall

logger = logging.getLogger(__name__)
_batch: ContextVar[list | None] = ContextVar("integrations_call_batch", default=None)


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
    row = ExternalCall(
        system=system, method=method, request_summary=request_summary[:4000], outcome=outcome,
        latency_ms=int((time.monotonic() - started) * 1000), error=error[:4000],
        response_summary=str(record.response_summary)[:4000], prompt_tokens=record.prompt_tokens,
        completion_tokens=record.completion_tokens)
    batch = _batch.get()
    if batch is None:
        row.save(force_insert=True)
    else:
        batch.append(row)


@contextlib.contextmanager
def calls_batched():
    """The calls made inside are logged in one INSERT when the block ends (an inner block joins the outer)."""
    if _batch.get() is not None:
        yield
        return
    rows: list[ExternalCall] = []
    token = _batch.set(rows)
    try:
        yield
    finally:
        _batch.reset(token)
        _flush(rows)


def calls_log_now() -> None:
    """Log the calls batched so far inside the caller's transaction, so that they commit with the change they
    caused (a reply's POST with the reply's new status: one commit instead of two). Rows that fail to insert take
    the caller's transaction down with them; rows left unlogged by a rollback before this call stay in the batch."""
    batch = _batch.get()
    if not batch:
        return
    rows = batch[:]
    ExternalCall.objects.bulk_create(rows)
    del batch[:len(rows)]


def _flush(rows: list[ExternalCall]) -> None:
    if not rows:
        return
    try:
        ExternalCall.objects.bulk_create(rows)
    except DatabaseError:
        logger.warning("%s calls not logged: the call log is not available", len(rows), exc_info=True)


def with_calls_batched(task):
    """A task whose calls are logged in one INSERT at its end."""
    @functools.wraps(task)
    def wrapped(*args, **kwargs):
        with calls_batched():
            return task(*args, **kwargs)
    return wrapped
