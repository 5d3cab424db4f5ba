"""Loading and writing sessions: PostgreSQL is the record, the cache only saves a read.

`session_load` returns the active session of a conversation, starting a new one after
`settings.SESSION_IDLE_RESET_HOURS` of silence (the old row stays, inactive, as history).
`session_patch` applies a patch with compare-and-set on `version`; on a conflict it re-reads and re-applies.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.utils import timezone

from agents.models import Session
from agents.session.builder import build_new, hydrate
from agents.session.patcher import apply_patch
from agents.session.schema import SCHEMA_VERSION
from agents.session.validator import validate

logger = logging.getLogger(__name__)
CACHE_TTL = 3600


class SessionConflict(Exception):
    """Every compare-and-set attempt lost the race. Transient: the caller may retry the whole turn."""


@dataclass(frozen=True)
class SessionState:
    id: int
    conversation_id: int
    version: int
    document: dict
    last_activity_at: datetime

    @property
    def language(self) -> str:
        return self.document["language"]


def session_load(*, conversation_id: int, now: datetime | None = None) -> SessionState:
    """The active session, hydrated to the current schema; a new one when there is none or it went idle."""
    now = now or timezone.now()
    state = _cached(conversation_id) or _from_db(conversation_id)
    if state is not None and not _is_idle(state, now):
        return state
    return _start_new(conversation_id=conversation_id, now=now, previous=state)


def session_patch(
    *, conversation_id: int, patch: dict, now: datetime | None = None, attempts: int = 8
) -> SessionState:
    """Apply `patch` to the active session by compare-and-set; re-read and re-apply on a version conflict."""
    now = now or timezone.now()
    state = session_load(conversation_id=conversation_id, now=now)
    for _ in range(attempts):
        document = validate(apply_patch(state.document, patch))
        document["timestamps"]["last_activity_at"] = now.isoformat()
        written = Session.objects.filter(pk=state.id, version=state.version, is_active=True).update(
            document=document, version=state.version + 1, schema_version=SCHEMA_VERSION, last_activity_at=now
        )
        if written:
            new = SessionState(state.id, conversation_id, state.version + 1, document, now)
            transaction.on_commit(lambda: _cache_put(new))
            return new
        _cache_drop(conversation_id)
        state = _from_db(conversation_id) or session_load(conversation_id=conversation_id, now=now)
    raise SessionConflict(f"conversation {conversation_id}: session patch lost {attempts} races")


def session_history(*, conversation_id: int) -> list[Session]:
    """All sessions of a conversation, newest first (old ones are kept when a new one starts)."""
    return list(Session.objects.filter(conversation_id=conversation_id).order_by("-started_at", "-id"))


def _is_idle(state: SessionState, now: datetime) -> bool:
    return now - state.last_activity_at >= timedelta(hours=settings.SESSION_IDLE_RESET_HOURS)


def _from_db(conversation_id: int) -> SessionState | None:
    row = Session.objects.filter(conversation_id=conversation_id, is_active=True).first()
    if row is None:
        return None
    state = SessionState(row.pk, conversation_id, row.version, hydrate(row.document), row.last_activity_at)
    # Only committed states are cached: a cached copy of a rolled-back write could share a version number with
    # a later real write and let a compare-and-set succeed on the wrong base.
    transaction.on_commit(lambda: _cache_put(state))
    return state


def _start_new(*, conversation_id: int, now: datetime, previous: SessionState | None) -> SessionState:
    language = previous.language if previous else "es"
    document = build_new(now=now, language=language)
    try:
        with transaction.atomic():
            if previous is not None:
                Session.objects.filter(pk=previous.id, is_active=True).update(is_active=False, ended_at=now)
            row = Session.objects.create(
                conversation_id=conversation_id, schema_version=SCHEMA_VERSION, document=document,
                started_at=now, last_activity_at=now,
            )
    except IntegrityError:
        # Another worker started the session first (one active session per conversation): use theirs.
        _cache_drop(conversation_id)
        return _from_db(conversation_id)
    state = SessionState(row.pk, conversation_id, row.version, document, now)
    transaction.on_commit(lambda: _cache_put(state))
    return state


def _key(conversation_id: int) -> str:
    return f"agents:session:{conversation_id}"


def _cached(conversation_id: int) -> SessionState | None:
    try:
        raw = cache.get(_key(conversation_id))
    except Exception:  # noqa: BLE001 - the cache is an optimisation; Redis down must not stop a reply
        logger.warning("session cache read failed", exc_info=True)
        return None
    if not raw:
        return None
    return SessionState(raw["id"], conversation_id, raw["version"], raw["document"], raw["last_activity_at"])


def _cache_put(state: SessionState) -> None:
    value = {"id": state.id, "version": state.version, "document": state.document,
             "last_activity_at": state.last_activity_at}
    try:
        cache.set(_key(state.conversation_id), value, CACHE_TTL)
    except Exception:  # noqa: BLE001 - see _cached
        logger.warning("session cache write failed", exc_info=True)


def _cache_drop(conversation_id: int) -> None:
    try:
        cache.delete(_key(conversation_id))
    except Exception:  # noqa: BLE001 - see _cached
        logger.warning("session cache delete failed", exc_info=True)
