"""A circuit breaker whose state lives in the Django cache, so every web and worker process agrees.

Three keys under `<name>:breaker:`:
- `failures`: consecutive failed calls across the cluster (a success anywhere resets it). At `fail_max` the
  breaker opens.
- `open-until`: a wall-clock time. Before it, every call fails at once. After it the breaker is half-open: the key
  stays until a trial succeeds, so a dead service costs one trial per reset period, not `fail_max` calls again.
- `trial`: the half-open token, taken with `cache.add` (atomic in Redis and in the local-memory cache), so only
  one process makes the trial call; the others fail at once. It expires after the trial's own timeout, so a
  process that dies mid-trial does not hold the breaker half-open forever.

A cache outage must not stop LLM calls: the breaker then lets every call through (each still bounded by its
timeout) and logs why.
"""

from __future__ import annotations

import logging
import time
import uuid
from dataclasses import dataclass

from django.core.cache import cache

from integrations.openai.errors import LLMCircuitOpen

log = logging.getLogger(__name__)

# How long the open/half-open state is kept when nobody calls. Long on purpose: expiry means "closed", and a
# closed breaker in front of a dead service lets `fail_max` calls pay the timeout again.
STATE_TTL_SECONDS = 24 * 3600


@dataclass(frozen=True)
class Permit:
    """Leave to make one call. `trial` is True for the single half-open call of the cluster."""

    trial: bool
    token: str = ""


class SharedBreaker:
    def __init__(self, name: str):
        self.name = name
        self.failures_key = f"{name}:breaker:failures"
        self.open_key = f"{name}:breaker:open-until"
        self.trial_key = f"{name}:breaker:trial"

    # --- before the call ------------------------------------------------------------------------------------
    def permit(self, *, trial_seconds: float) -> Permit:
        """Raises LLMCircuitOpen while open, or while another process holds the half-open trial."""
        try:
            open_until = self._open_until()
            if open_until is None:
                return Permit(trial=False)
            if time.time() < open_until:
                raise LLMCircuitOpen(f"{self.name} circuit open for {open_until - time.time():.1f} s more")
            token = uuid.uuid4().hex
            if cache.add(self.trial_key, token, timeout=trial_seconds + 1.0):
                return Permit(trial=True, token=token)
        except LLMCircuitOpen:
            raise
        except Exception as exc:  # noqa: BLE001 - the cache is down: call anyway, each call still times out
            log.warning("circuit breaker state unreadable, calling anyway", extra={"breaker": self.name,
                                                                                  "error": repr(exc)})
            return Permit(trial=False)
        raise LLMCircuitOpen(f"{self.name} circuit half-open: another process is making the trial call")

    # --- after the call -------------------------------------------------------------------------------------
    def record_success(self, permit: Permit) -> None:
        self._quietly(self._close if permit.trial else self._reset_failures)

    def record_failure(self, permit: Permit, *, fail_max: int, reset_seconds: float) -> None:
        if permit.trial:
            self._quietly(lambda: self._open(reset_seconds, reason="trial call failed"))
            return
        self._quietly(lambda: self._count_failure(fail_max, reset_seconds))

    # --- inspection and tests -------------------------------------------------------------------------------
    def state(self) -> str:
        open_until = self._open_until()
        if open_until is None:
            return "closed"
        return "open" if time.time() < open_until else "half_open"

    def reset(self) -> None:
        cache.delete_many([self.failures_key, self.open_key, self.trial_key])

    # --- internals ------------------------------------------------------------------------------------------
    def _open_until(self) -> float | None:
        value = cache.get(self.open_key)
        return None if value is None else float(value)

    def _count_failure(self, fail_max: int, reset_seconds: float) -> None:
        # Failures older than a few reset periods are forgotten, so rare blips days apart never add up.
        cache.add(self.failures_key, 0, timeout=max(reset_seconds * 10, 60))
        try:
            failures = cache.incr(self.failures_key)
        except ValueError:  # expired between add and incr
            cache.set(self.failures_key, 1, timeout=max(reset_seconds * 10, 60))
            failures = 1
        if failures >= fail_max:
            self._open(reset_seconds, reason=f"{failures} failures in a row")

    def _open(self, reset_seconds: float, *, reason: str) -> None:
        cache.set(self.open_key, time.time() + reset_seconds, timeout=STATE_TTL_SECONDS)
        cache.delete_many([self.failures_key, self.trial_key])
        log.warning("circuit opened", extra={"breaker": self.name, "reason": reason, "seconds": reset_seconds})

    def _close(self) -> None:
        cache.delete_many([self.failures_key, self.open_key, self.trial_key])
        log.info("circuit closed after a successful trial call", extra={"breaker": self.name})

    def _reset_failures(self) -> None:
        cache.delete(self.failures_key)

    def _quietly(self, action) -> None:
        try:
            action()
        except Exception as exc:  # noqa: BLE001 - losing breaker bookkeeping must not fail a call that worked
            log.warning("circuit breaker state not saved", extra={"breaker": self.name, "error": repr(exc)})
