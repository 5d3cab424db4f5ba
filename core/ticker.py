"""Fast re-drives: a background thread in each worker process runs the apps' sweeps every few seconds.

django-q2's scheduler looks at its schedules every 30 s and runs a schedule at most once a minute: too slow to
bring back, within seconds, work whose task vanished (a Redis FLUSHDB, a broker that dropped it) or whose worker
was killed mid-turn. The database says what is owed (pending messages, queued sends, due Odoo commands); each
app lists cheap sweeps that find such rows and enqueue their tasks (`TICKS` in `<app>/schedules.py`, dotted paths,
like `SCHEDULES`). Across the cluster each sweep runs once per interval: the first process to claim the interval
in the cache runs it. The minute schedules stay as the net under this one.
"""

from __future__ import annotations

import importlib
import logging
import threading
import time

from django.apps import apps
from django.conf import settings
from django.core.cache import cache
from django.db import close_old_connections
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)
_started = threading.Event()


def collect_ticks() -> list[str]:
    found = []
    for config in apps.get_app_configs():
        try:
            module = importlib.import_module(f"{config.name}.schedules")
        except ModuleNotFoundError:
            continue
        found.extend(getattr(module, "TICKS", []))
    return found


def tick_once() -> dict[str, object]:
    """Run every sweep whose interval no other process claimed yet. Returns what each returned."""
    results = {}
    interval = settings.TICKER_INTERVAL
    for path in collect_ticks():
        if not _claim(path, interval):
            continue
        try:
            results[path] = import_string(path)()
        except Exception:  # noqa: BLE001 - one sweep's trouble must not stop the others, nor the thread
            logger.exception("sweep %s failed", path)
    close_old_connections()
    return results


def _claim(path: str, interval: float) -> bool:
    try:
        return bool(cache.add(f"ticker:{path}", 1, timeout=max(int(interval), 1)))
    except Exception:  # noqa: BLE001 - without a cache every process sweeps; the sweeps are idempotent
        return True


def start_ticker(**kwargs) -> None:
    """Start the thread once per process (connected to django-q2's post_spawn: runs in each worker)."""
    if settings.TICKER_INTERVAL <= 0 or _started.is_set():
        return
    _started.set()
    threading.Thread(target=_loop, name="sweep-ticker", daemon=True).start()


def _loop() -> None:
    while True:
        time.sleep(settings.TICKER_INTERVAL)
        try:
            tick_once()
        except Exception:  # noqa: BLE001 - keep ticking
            logger.exception("ticker round failed")
