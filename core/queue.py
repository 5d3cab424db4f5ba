"""The one door to the task queue (STYLE habit 7): side effects are enqueued only after the transaction commits.

Nothing else in the project calls `async_task`. One broker per process is reused, because plain `async_task`
builds a new broker (a new Redis connection) on every call (shared/perf/BASELINE.md: 588/s against 4,867/s).
"""

from __future__ import annotations

import threading
from typing import Any

from django.core.cache import cache
from django.db import transaction
from django_q.brokers import get_broker
from django_q.tasks import async_task

_local = threading.local()


def shared_broker():
    broker = getattr(_local, "broker", None)
    if broker is None:
        broker = get_broker()
        _local.broker = broker
    return broker


def enqueue_now(func: str, *args: Any, **kwargs: Any) -> None:
    """Enqueue immediately; for callers outside any transaction (sweepers, admin actions after their service)."""
    async_task(func, *args, broker=shared_broker(), **kwargs)


def enqueue_on_commit(func: str, *args: Any, **kwargs: Any) -> None:
    """Enqueue `func` (a dotted path) with primitive args once the current transaction commits.

    Tasks take ids, not model instances, and must be safe to run twice (STYLE habit 8).
    """
    transaction.on_commit(lambda: enqueue_now(func, *args, **kwargs))


def redrive_once(key: str, *, seconds: float = 15.0) -> bool:
    """Whether a sweeper should re-enqueue the work named `key` now: at most once per `seconds`, so that work
    merely waiting in a busy queue is not enqueued again on every sweep. Without a cache, always."""
    try:
        return bool(cache.add(f"redrive:{key}", 1, timeout=max(int(seconds), 1)))
    except Exception:  # noqa: BLE001 - the database rows are the record; the cache only saves duplicate tasks
        return True
