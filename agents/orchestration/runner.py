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

from django.conf import settings
from django.utils import timezone

from agents.orchestration.burst import seconds_to_wait
from agents.orchestration.commit import TurnRecord, TurnTaken
from agents.orchestration.decide import turn_answer
from agents.orchestration.effects import turn_effects_run
from agents.orchestration.work import has_pending, messages_skip, next_burst, pending_messages
from agents.turns import build_turn
from conversations.models import ConversationMode, Message
from core import metrics
from core.locks import LockNotAcquired, lock
from core.queue import enqueue_later, enqueue_now

logger = logging.getLogger(__name__)
TASK = "agents.tasks.process_inbound_message"


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
                step = turn_run_next(conversation_id=conversation_id)
        except LockNotAcquired:
            return answered  # the holder looks again once it lets go (below), so this message is not lost
        if step == RAN:
            answered += 1
        elif step == DEFERRED or not has_pending(conversation_id):
            # Looked at after letting go: a task that found the lease taken meanwhile left its message to us.
            break
    return answered


RAN, IDLE, DEFERRED = "ran", "idle", "deferred"


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


def turn_run_next(*, conversation_id: int) -> str:
    """Answer the oldest pending burst of the conversation. Caller holds the conversation's lease.
    Returns RAN, IDLE (nothing to answer) or DEFERRED (the contact is still typing: a later task answers)."""
    pending = pending_messages(conversation_id)
    if not pending:
        return IDLE
    conversation = pending[0].conversation
    if conversation.mode == ConversationMode.HUMAN:
        messages_skip(conversation_id=conversation_id)  # staff have it: the bot stays silent
        return IDLE
    burst = next_burst(pending, settings.AGENT_BURST_WINDOW)
    wait = seconds_to_wait(burst, now=timezone.now(), window=settings.AGENT_BURST_WINDOW) if burst == pending else 0
    if wait > 0:  # look again when the window has passed, without holding a worker
        enqueue_later(TASK, burst[-1].pk, conversation_id, delay=wait)
        return DEFERRED
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
        return RAN  # newer messages landed before the commit: the next turn answers them all together
    metrics.agent_turns_total.labels(turn.lane or "none", turn.intent or "none", turn.source).inc()
    metrics.agent_turn_seconds.observe(turn.latency_ms / 1000)
    turn_effects_run(record, conversation)
    return RAN
