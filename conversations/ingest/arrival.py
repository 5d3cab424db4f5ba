"""When the delivery being processed reached our webhook. A contact's message is dated by its arrival, not by when
a worker got to it: under load the queue would stretch or squeeze the gaps between a burst's lines, and burst
folding (agents.orchestration.burst) reads those gaps."""

from __future__ import annotations

import contextlib
from contextvars import ContextVar
from datetime import datetime

from django.utils import timezone

_ARRIVED_AT: ContextVar[datetime | None] = ContextVar("delivery_arrived_at", default=None)


@contextlib.contextmanager
def delivery_arrived(at: datetime | None):
    token = _ARRIVED_AT.set(at)
    try:
        yield
    finally:
        _ARRIVED_AT.reset(token)


def arrived_at() -> datetime:
    """The arrival of the delivery being processed; now outside one (backfill, tests calling handlers)."""
    return _ARRIVED_AT.get() or timezone.now()
