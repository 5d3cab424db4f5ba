"""Short, explicit, expiring locks (STYLE habit 6).

Redis when `REDIS_URL` is set (SET NX PX + token-checked release); otherwise a lease row in the database, so the
web process and the worker still exclude each other on SQLite. Never hold one across a transaction that also
does HTTP, LLM or Odoo work.
"""

from __future__ import annotations

import contextlib
import time
import uuid
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone


class LockNotAcquired(Exception):
    """The lock is held by someone else and `wait` ran out. Transient: retry later."""


def _redis():
    from django_redis import get_redis_connection

    return get_redis_connection("default")


@contextlib.contextmanager
def lock(name: str, *, ttl: float = 30.0, wait: float = 10.0):
    """Hold `name` for at most `ttl` seconds; wait up to `wait` seconds for it or raise LockNotAcquired."""
    token = uuid.uuid4().hex
    acquire, release = (_redis_acquire, _redis_release) if settings.REDIS_URL else (_db_acquire, _db_release)
    deadline = time.monotonic() + wait
    delay = 0.005
    while not acquire(name, token, ttl):
        if time.monotonic() >= deadline:
            raise LockNotAcquired(name)
        time.sleep(delay)
        delay = min(delay * 2, 0.1)
    try:
        yield token
    finally:
        release(name, token)


_RELEASE_SCRIPT = """
if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end
"""


def _redis_acquire(name: str, token: str, ttl: float) -> bool:
    return bool(_redis().set(f"lock:{name}", token, nx=True, px=int(ttl * 1000)))


def _redis_release(name: str, token: str) -> None:
    _redis().eval(_RELEASE_SCRIPT, 1, f"lock:{name}", token)


def _db_acquire(name: str, token: str, ttl: float) -> bool:
    from core.models import Lock

    now = timezone.now()
    expires = now + timedelta(seconds=ttl)
    # Steal an expired lease by compare-and-set; otherwise try to insert a fresh one.
    if Lock.objects.filter(name=name, expires_at__lt=now).update(token=token, expires_at=expires):
        return True
    try:
        with transaction.atomic():
            Lock.objects.create(name=name, token=token, expires_at=expires)
        return True
    except IntegrityError:
        return False


def _db_release(name: str, token: str) -> None:
    from core.models import Lock

    Lock.objects.filter(name=name, token=token).delete()
