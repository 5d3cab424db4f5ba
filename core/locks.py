"""Short, explicit, expiring locks (leases).

Redis when `REDIS_URL` is set (SET NX PX + token-checked release); otherwise a lease row in the database, so the
web process and the worker still exclude each other on SQLite. Never hold one across a transaction that also
does HTTP, LLM or Odoo work.

A lease held with `heartbeat=True` is renewed by one background thread per process while its holder runs, so its
TTL can be short: when the process dies (kill -9, a task killed for its timeout), the lease lapses within `ttl`
seconds and the work it guarded can be re-driven at once, instead of after a TTL sized for the slowest turn.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
import uuid
from collections.abc import Callable
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, connections, transaction
from django.utils import timezone
from django_redis import get_redis_connection

from core.models import Lock

logger = logging.getLogger(__name__)


class LockNotAcquired(Exception):
    """The lock is held by someone else and `wait` ran out. Transient: retry later."""


@contextlib.contextmanager
def lock(name: str, *, ttl: float = 30.0, wait: float = 10.0, heartbeat: bool = False):
    """Hold `name` for at most `ttl` seconds (renewed while held when `heartbeat`); wait up to `wait` seconds for
    it or raise LockNotAcquired."""
    token = uuid.uuid4().hex
    backend = _backend()
    deadline = time.monotonic() + wait
    delay = 0.005
    while not backend.acquire(name, token, ttl):
        if time.monotonic() >= deadline:
            raise LockNotAcquired(name)
        time.sleep(delay)
        delay = min(delay * 2, 0.1)
    if heartbeat:
        _HEARTBEAT.add((name, token), ttl, lambda: backend.renew(name, token, ttl))
    try:
        yield token
    finally:
        if heartbeat:
            _HEARTBEAT.discard((name, token))
        backend.release(name, token)


@contextlib.contextmanager
def kept_alive(key: str, *, ttl: float, renew: Callable[[], bool]):
    """While the block runs, `renew()` is called every third of `ttl` by the process's heartbeat thread (from that
    thread: it must open what it needs, e.g. its own database connection). For leases kept elsewhere than here,
    such as a row's lease column; `renew` returns False when the lease was lost."""
    _HEARTBEAT.add((key, ""), ttl, renew)
    try:
        yield
    finally:
        _HEARTBEAT.discard((key, ""))


def is_locked(name: str) -> bool:
    """Whether someone holds `name` now (a sweeper asks before re-driving the work it guards)."""
    return _backend().held(name)


# --- backends --------------------------------------------------------------------------------------------------
_RELEASE = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end"
_RENEW = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end"


class _Redis:
    @staticmethod
    def _key(name: str) -> str:
        return f"lock:{name}"

    def acquire(self, name: str, token: str, ttl: float) -> bool:
        return bool(get_redis_connection("default").set(self._key(name), token, nx=True, px=int(ttl * 1000)))

    def release(self, name: str, token: str) -> None:
        get_redis_connection("default").eval(_RELEASE, 1, self._key(name), token)

    def renew(self, name: str, token: str, ttl: float) -> bool:
        return bool(get_redis_connection("default").eval(_RENEW, 1, self._key(name), token, int(ttl * 1000)))

    def held(self, name: str) -> bool:
        return bool(get_redis_connection("default").exists(self._key(name)))


class _Database:
    def acquire(self, name: str, token: str, ttl: float) -> bool:
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

    def release(self, name: str, token: str) -> None:
        Lock.objects.filter(name=name, token=token).delete()

    def renew(self, name: str, token: str, ttl: float) -> bool:
        expires = timezone.now() + timedelta(seconds=ttl)
        return bool(Lock.objects.filter(name=name, token=token).update(expires_at=expires))

    def held(self, name: str) -> bool:
        return Lock.objects.filter(name=name, expires_at__gte=timezone.now()).exists()


def _backend():
    return _Redis() if settings.REDIS_URL else _Database()


# --- the heartbeat -----------------------------------------------------------------------------------------------
class _Heartbeat:
    """One daemon thread per process renewing every lease held with heartbeat=True, every third of its TTL."""

    def __init__(self):
        self._held: dict[tuple[str, str], tuple[float, Callable[[], bool]]] = {}
        self._guard = threading.Lock()
        self._added = threading.Event()  # a new lease may need an earlier beat than the one being waited for
        self._thread: threading.Thread | None = None

    def add(self, key: tuple[str, str], ttl: float, renew: Callable[[], bool]) -> None:
        with self._guard:
            self._held[key] = (ttl, renew)
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="lease-heartbeat", daemon=True)
                self._thread.start()
        self._added.set()

    def discard(self, key: tuple[str, str]) -> None:
        with self._guard:
            self._held.pop(key, None)

    def _run(self) -> None:
        while True:
            self._added.clear()  # before reading: a lease added after this line wakes the wait below
            with self._guard:
                held = dict(self._held)
            if self._added.wait(timeout=min(ttl for ttl, _ in held.values()) / 3 if held else None):
                continue  # a lease was added: work out the next beat again
            self._renew_all()

    def _renew_all(self) -> None:
        with self._guard:
            held = dict(self._held)
        for (name, _token), (_ttl, renew) in held.items():
            try:
                if not renew():
                    logger.warning("lease %s was lost before its holder finished", name)
            except Exception:  # noqa: BLE001 - a renewal that fails now may succeed on the next beat
                logger.warning("lease %s could not be renewed", name, exc_info=True)
        # This thread's own connections: idle between beats, so closed rather than kept (a kept one would also
        # hold the database open for whoever drops it, e.g. a test run's teardown).
        connections.close_all()


_HEARTBEAT = _Heartbeat()
