"""The one door to the task queue: side effects are enqueued only after the transaction commits.

Nothing else in the project calls `async_task`. One broker per process is reused, because plain `async_task`
builds a new broker (a new Redis connection) on every call (shared/perf/BASELINE.md: 588/s against 4,867/s).
"""

from __future__ import annotations

import atexit
import heapq
import logging
import multiprocessing.util
import os
import threading
import time
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django_q.brokers import get_broker
from django_q.tasks import async_task

logger = logging.getLogger(__name__)
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

    Tasks take ids, not model instances, and must be safe to run twice (the broker may deliver a task again).
    """
    transaction.on_commit(lambda: enqueue_now(func, *args, **kwargs))


def redrive_once(key: str, *, seconds: float = 15.0) -> bool:
    """Whether a sweeper should re-enqueue the work named `key` now: at most once per `seconds`, so that work
    merely waiting in a busy queue is not enqueued again on every sweep. Without a cache, always."""
    try:
        return bool(cache.add(f"redrive:{key}", 1, timeout=max(int(seconds), 1)))
    except Exception:  # noqa: BLE001 - the database rows are the record; the cache only saves duplicate tasks
        return True


class _Later:
    """Enqueue a task after a delay without holding a worker: one timer thread per process keeps a heap of due
    times. In memory only: if the process dies first, the rows the task was about are still pending in the
    database and a sweeper re-drives them."""

    def __init__(self):
        self._heap: list[tuple[float, int, str, tuple]] = []
        self._counter = 0
        self._wake = threading.Condition()
        self._thread: threading.Thread | None = None
        self._exit_pid: int | None = None

    def add(self, delay: float, func: str, args: tuple) -> None:
        with self._wake:
            self._counter += 1
            heapq.heappush(self._heap, (time.monotonic() + delay, self._counter, func, args))
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="enqueue-later", daemon=True)
                self._thread.start()
                self._flush_at_exit()
            self._wake.notify()

    def _flush_at_exit(self) -> None:
        # Registered by the process that holds the timers (a worker forked from the cluster skips the parent's
        # finalizers). A django-q2 worker ends through multiprocessing's exit handlers, anything else via atexit.
        if self._exit_pid != os.getpid():
            self._exit_pid = os.getpid()
            atexit.register(self.flush)
            multiprocessing.util.Finalize(self, self.flush, exitpriority=10)

    def flush(self) -> int:
        """Enqueue everything still waiting, now: the process is exiting (django-q2 recycles a worker after
        `recycle` tasks). Early is safe: a turn enqueued before its time looks at the clock and defers again."""
        with self._wake:
            due, self._heap = self._heap, []
        for _, _, func, args in sorted(due):
            try:
                enqueue_now(func, *args)
            except Exception:  # noqa: BLE001 - the sweepers re-drive what the database still owes
                logger.warning("delayed task %s not enqueued at exit", func, exc_info=True)
        return len(due)

    def _run(self) -> None:
        while True:
            with self._wake:
                while not self._heap or self._heap[0][0] > time.monotonic():
                    self._wake.wait(timeout=(self._heap[0][0] - time.monotonic()) if self._heap else None)
                _, _, func, args = heapq.heappop(self._heap)
            try:
                enqueue_now(func, *args)
            except Exception:  # noqa: BLE001 - the sweepers re-drive what the database still owes
                logger.warning("delayed task %s not enqueued", func, exc_info=True)


_LATER = _Later()


def enqueue_later(func: str, *args: Any, delay: float) -> None:
    """Enqueue `func` in `delay` seconds (best effort: see `_Later`). For callers outside any transaction."""
    if settings.Q_CLUSTER.get("sync"):  # tests run tasks inline, in order: wait here like the timer would
        time.sleep(max(delay, 0))
        enqueue_now(func, *args)
        return
    _LATER.add(max(delay, 0), func, args)
