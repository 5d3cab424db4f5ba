"""When the delivery being processed reached our webhook. A contact's message is dated by its arrival, not by when
a worker got to it: under load the queue would stretch or squeeze the gaps between a burst's lines, and burst
folding (agents.orchestration.burst) reads those gaps.

A contact's line is also noted in the cache the moment the webhook stores it, before any worker has stored the
message: a turn about to answer the line before it can then see that the contact already wrote again.
"""

from __future__ import annotations

import contextlib
import logging
import time
from contextvars import ContextVar
from datetime import datetime

from django.core.cache import cache
from django.utils import timezone

logger = logging.getLogger(__name__)
# A noted line that no worker stored within this time is not waited for any longer (its ingestion is stuck).
IN_FLIGHT_SECONDS = 2.0

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


def _in_flight_key(account_id: int, chatwoot_conversation_id: int) -> str:
    return f"conversations:line-arrived:{account_id}:{chatwoot_conversation_id}"


def line_arrival_note(payload: dict, received_at: datetime) -> None:
    """A contact's message reached the webhook at `received_at` (the time its message will be dated by)."""
    conversation = payload.get("conversation") or {}
    account = (payload.get("account") or {}).get("id")
    if payload.get("message_type") != "incoming" or not isinstance(conversation.get("id"), int) \
            or not isinstance(account, int):
        return
    try:
        cache.set(_in_flight_key(account, conversation["id"]), received_at.timestamp(), timeout=10)
    except Exception:  # noqa: BLE001 - only a hint for burst folding; the message itself is already stored
        logger.warning("line arrival not noted", exc_info=True)


def line_in_flight(account_id: int, chatwoot_conversation_id: int, *, after: datetime) -> bool:
    """Did a newer line of this conversation reach the webhook after `after`, moments ago, so that it is probably
    being stored right now?"""
    try:
        noted = cache.get(_in_flight_key(account_id, chatwoot_conversation_id))
    except Exception:  # noqa: BLE001 - without the hint the turn answers what is stored, as it always could
        return False
    return noted is not None and noted > after.timestamp() + 0.001 and time.time() - noted < IN_FLIGHT_SECONDS
