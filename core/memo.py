"""Rows read on every turn that change rarely (the FAQs, the catalog's freshness stamp), kept in this process for a
few seconds: an admin edit shows within `HOT_READ_TTL` seconds instead of costing every turn a query."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import TypeVar

from django.conf import settings

T = TypeVar("T")
_VALUES: dict[str, tuple[float, object]] = {}
_GUARD = threading.Lock()


def recent(key: str, load: Callable[[], T]) -> T:
    """`load()`'s value, reused for HOT_READ_TTL seconds (0: always loaded)."""
    ttl = settings.HOT_READ_TTL
    now = time.monotonic()
    with _GUARD:
        held = _VALUES.get(key)
        if ttl > 0 and held is not None and now - held[0] < ttl:
            return held[1]
    value = load()
    with _GUARD:
        _VALUES[key] = (now, value)
    return value


def forget(key: str | None = None) -> None:
    """Drop one held value (or all): the next `recent()` loads it again. For tests, which change the rows between
    one another faster than any period."""
    with _GUARD:
        if key is None:
            _VALUES.clear()
        else:
            _VALUES.pop(key, None)
