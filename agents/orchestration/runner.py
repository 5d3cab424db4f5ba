"""Running a conversation's pending turns, oldest first, one at a time under a per-conversation lease.

One task per turn: it routes, commits and sends. The lease is a short Redis/DB lease renewed by a heartbeat while
the turn runs (core.locks), not a database transaction: no transaction is open while the router (possibly an LLM
over HTTP) runs. A task that finds the conversation leased leaves at once: the holder looks for pending messages
again after it lets go, so nothing waits on a sleeping worker and nothing is left behind. If a lease lapses
mid-turn anyway, the compare-and-set on the messages' answer state and the unique `Turn.message` still make sure
a message is answered once.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

from agents.orchestration.burst import seconds_to_wait
from agents.orchestration.commit import TurnRecord, TurnTaken
from agents.orchestration.decide import turn_answer
from agents.orchestration.effects import turn_effects_run
from agents.orchestration.work import has_pending, messages_skip, next_burst, pending_messages
from agents.turns import build_turn
from conversations.ingest.arrival import line_in_flight
from conversations.models import ConversationMode, Message
from core import metrics
from core.locks import LockNotAcquired, is_locked, lock
from core.queue import enqueue_later, enqueue_now

logger = logging.getLogger(__name__)
TASK = "agents.tasks.process_inbound_message"
# A newer line reached the webhook but is not stored yet: look again this much later (storing takes milliseconds).
IN_FLIGHT_RECHECK = 0.1


def conversation_lock_name(conversation_id: int) -> str:
    return f"agents:conversation:{conversation_id}"


def conversation_process(*, message_id: int, conversation_id: int | None = None) -> int:
    """Answer every pending message of the message's conversation, in order. Returns the number of turns run."""
    if conversation_id is None:
        conversation_id = Message.objects.filter(pk=message_id).values_list("conversation_id", flat=True).first()
    if conversation_id is None:
        return 0
    answered = 0
    for _ in range(settings.AGENT_MAX_TURNS_PER_RUN):
        try:
            with lock(conversation_lock_name(conversation_id), ttl=settings.AGENT_TURN_LOCK_TTL,
                      wait=settings.AGENT_LOCK_WAIT, heartbeat=True):
                step, more = turn_run_next(conversation_id=conversation_id)
        except LockNotAcquired:
            if _leave_to_holder(conversation_id):
                return answered
            continue  # the holder let go meanwhile: ours to answer
        if isinstance(step, Deferred):  # look again when the wait is over, without holding a worker or the lease
            enqueue_later(TASK, step.message_id, conversation_id, delay=step.seconds)
            break
        answered += step == RAN
        if not (more or _asked_to_look_again(conversation_id)):
            break
    return answered


def _leave_to_holder(conversation_id: int) -> bool:
    """Ask the lease holder to look again after it lets go. True when it still holds the lease (it will), False
    when it let go in the meantime (then nobody else will look: we must)."""
    if settings.REDIS_URL:
        cache.set(_look_again_key(conversation_id), 1, timeout=settings.AGENT_TURN_LOCK_TTL * 6)
    return is_locked(conversation_lock_name(conversation_id))


def _asked_to_look_again(conversation_id: int) -> bool:
    """After letting go: did a task find the lease taken and leave its message to us? Without Redis (SQLite,
    `make run`) the cache is per process, so the database is asked instead."""
    if settings.REDIS_URL:
        return bool(cache.delete(_look_again_key(conversation_id)))
    return has_pending(conversation_id)


def _look_again_key(conversation_id: int) -> str:
    return f"agents:look-again:{conversation_id}"


RAN, IDLE = "ran", "idle"


@dataclass(frozen=True)
class Deferred:
    """The contact is still typing: answer `message_id`'s burst in `seconds`."""

    message_id: int
    seconds: float


def _will_be_slow() -> bool:
    """The contact sees "typing…" only when the answer takes a noticeable time: an LLM call. A rules turn is
    answered in tens of milliseconds, quicker than the indicator would show."""
    return bool(settings.OPENAI_API_KEY)


def _typing(conversation_id: int, on: bool) -> bool:
    """Best effort, in its own task: the HTTP call never runs inside our lease."""
    try:
        enqueue_now("conversations.tasks.set_typing", conversation_id, on)
    except Exception:  # noqa: BLE001 - a typing indicator must never cost a reply
        logger.warning("typing indicator not enqueued", exc_info=True)
        return False
    return True


def turn_run_next(*, conversation_id: int) -> tuple[str | Deferred, bool]:
    """Answer the oldest pending burst of the conversation. Caller holds the conversation's lease.
    Returns RAN, IDLE (nothing to answer) or Deferred (the contact is still typing: answer later), and whether
    more messages were already waiting behind this burst."""
    pending = pending_messages(conversation_id)
    if not pending:
        return IDLE, False
    conversation = pending[0].conversation
    if conversation.mode == ConversationMode.HUMAN:
        messages_skip(conversation_id=conversation_id)  # staff have it: the bot stays silent
        return IDLE, False
    burst = next_burst(pending, settings.AGENT_BURST_WINDOW)
    more = len(pending) > len(burst)
    wait = 0 if more else seconds_to_wait(burst, now=timezone.now(), window=settings.AGENT_BURST_WINDOW,
                                          greeting_wait=settings.AGENT_GREETING_WAIT)
    if wait > 0:
        return Deferred(burst[-1].pk, wait), False
    if not more and line_in_flight(conversation.account_id, conversation.chatwoot_id, after=burst[-1].created_at):
        return Deferred(burst[-1].pk, IN_FLIGHT_RECHECK), False  # the contact wrote again: answer both together
    return _run_turn(conversation, burst), more


def _run_turn(conversation, burst: list[Message]) -> str:
    conversation_id = conversation.pk
    record = TurnRecord(conversation_id, burst, build_turn(burst), timezone.now(), contact_id=conversation.contact_id)
    typing = _typing(conversation_id, True) if _will_be_slow() else False
    try:
        turn = turn_answer(conversation, record)
    except TurnTaken:
        return RAN
    finally:
        if typing:
            _typing(conversation_id, False)
    if turn is None:
        return RAN  # newer messages landed before the commit: their own task answers them all together
    metrics.agent_turns_total.labels(turn.lane or "none", turn.intent or "none", turn.source).inc()
    metrics.agent_turn_seconds.observe(turn.latency_ms / 1000)
    turn_effects_run(record, conversation)
    return RAN
