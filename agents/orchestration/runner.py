"""Running a conversation's pending turns, oldest first, one at a time under a per-conversation lock.

Why the lock spans routing: turns must be answered in order and each must see the session the previous one left,
so a conversation's turns are serialised. The lock is a Redis/DB lease with a TTL, not a database transaction:
no transaction is open while the router (possibly an LLM over HTTP) runs, and the typing indicator and the sends
are separate tasks. If the lease expires mid-turn, the unique `Turn.message` and the compare-and-set on the work
rows still make sure a message is answered once.
"""

from __future__ import annotations

import logging
import time

from django.conf import settings
from django.utils import timezone
from tenacity import Retrying, retry_if_not_exception_type, stop_after_attempt, wait_exponential

from agents.lanes import LANE_AGENTS, AgentTurn
from agents.lanes.options import match_option
from agents.orchestration.commit import TurnRecord, TurnTaken, turn_commit, turn_commit_failure
from agents.orchestration.effects import turn_effects_run
from agents.orchestration.work import messages_skip, next_burst, pending_messages
from agents.routing import route
from agents.routing.decision import INTENT_LANE, LANE_INTENTS, RoutingDecision
from agents.session import SessionInvalid, SessionState, UnknownSchemaVersion, session_load
from agents.turns import build_turn
from conversations.models import AnswerState, Conversation, ConversationMode, Direction, Message
from core import metrics
from core.locks import LockNotAcquired, lock
from core.queue import enqueue_now
from orders.models import OrderState
from orders.selectors import purchase_order_active_for_contact, purchase_order_latest_for_contact
from orders.services import purchase_order_refresh_from_odoo

logger = logging.getLogger(__name__)


def conversation_process(*, message_id: int) -> int:
    """Answer every pending message of the message's conversation, in order. Returns the number of turns run."""
    message = Message.objects.filter(pk=message_id).first()
    if message is None:
        return 0
    conversation_id = message.conversation_id
    if not _has_pending(conversation_id):
        return 0  # already answered (a redelivered task)
    if _newer_pending_exists(conversation_id, message):
        # The newer message's task answers this one too (oldest first): one task per burst waits for quiet,
        # instead of every message of the burst holding a worker.
        return 0
    _wait_for_quiet(conversation_id)
    typing = _typing(conversation_id, True)
    try:
        return _run_pending(conversation_id)
    finally:
        if typing:
            _typing(conversation_id, False)


def _has_pending(conversation_id: int) -> bool:
    return Message.objects.filter(conversation_id=conversation_id, answer=AnswerState.PENDING).exists()


def _newer_pending_exists(conversation_id: int, message: Message) -> bool:
    return Message.objects.filter(
        conversation_id=conversation_id, answer=AnswerState.PENDING, created_at__gt=message.created_at
    ).exists()


def _run_pending(conversation_id: int) -> int:
    answered = 0
    for _ in range(settings.AGENT_MAX_TURNS_PER_RUN):
        try:
            with lock(f"agents:conversation:{conversation_id}", ttl=settings.AGENT_TURN_LOCK_TTL,
                      wait=settings.AGENT_LOCK_WAIT):
                ran = turn_run_next(conversation_id=conversation_id)
        except LockNotAcquired:
            # The holder answers what is pending; anything left is re-driven by the sweeper (agents.schedules).
            logger.warning("conversation %s busy, leaving its messages to the lock holder", conversation_id)
            break
        if not ran:
            break
        answered += 1
    return answered


def _wait_for_quiet(conversation_id: int) -> None:
    """Burst folding: wait until the contact has been silent for AGENT_BURST_WINDOW seconds, so the messages of
    the burst are all stored when the turn is built."""
    window = float(settings.AGENT_BURST_WINDOW)
    for _ in range(10):  # bounded: a contact writing non-stop still gets answered
        newest = (Message.objects.filter(conversation_id=conversation_id, direction=Direction.INBOUND)
                  .order_by("-created_at").values_list("created_at", flat=True).first())
        remaining = window - (timezone.now() - newest).total_seconds() if newest else 0
        if remaining <= 0:
            return
        time.sleep(min(remaining, window))


def _typing(conversation_id: int, on: bool) -> bool:
    """Best effort, in its own task: the HTTP call never runs inside our lock in a real worker."""
    if on and not Conversation.objects.filter(pk=conversation_id, mode=ConversationMode.BOT).exists():
        return False
    try:
        enqueue_now("conversations.tasks.set_typing", conversation_id, on)
    except Exception:  # noqa: BLE001 - a typing indicator must never cost a reply
        logger.warning("typing indicator not enqueued", exc_info=True)
        return False
    return True


def turn_run_next(*, conversation_id: int) -> bool:
    """Answer the oldest pending burst of the conversation. Caller holds the conversation lock.
    Returns False when there was nothing (more) to answer."""
    conversation = Conversation.objects.select_related("contact").get(pk=conversation_id)
    pending = pending_messages(conversation_id)
    if not pending:
        return False
    if conversation.mode == ConversationMode.HUMAN:
        messages_skip(conversation_id=conversation_id)  # staff have it: the bot stays silent
        return False
    burst = next_burst(pending, float(settings.AGENT_BURST_WINDOW))
    record = TurnRecord(conversation_id, burst, build_turn(burst), timezone.now(), contact_id=conversation.contact_id)
    try:
        turn = _answer_with_retries(conversation, record)
    except TurnTaken:
        return True
    metrics.agent_turns_total.labels(turn.lane or "none", turn.intent or "none", turn.source).inc()
    metrics.agent_turn_seconds.observe(turn.latency_ms / 1000)
    turn_effects_run(record)
    return True


def _answer_with_retries(conversation: Conversation, record: TurnRecord):
    attempts = settings.AGENT_TURN_ATTEMPTS
    retrying = Retrying(
        stop=stop_after_attempt(attempts),
        wait=wait_exponential(multiplier=settings.AGENT_TURN_BACKOFF, max=5),
        # A stored session that cannot be read will not read better on a second try.
        retry=retry_if_not_exception_type((TurnTaken, SessionInvalid, UnknownSchemaVersion)),
        reraise=True,
    )
    try:
        for attempt in retrying:
            with attempt:
                record.attempts = attempt.retry_state.attempt_number
                return _answer(conversation, record)
    except TurnTaken:
        raise
    except Exception as exc:  # noqa: BLE001 - whatever broke, the contact gets an apology and a human
        logger.exception("turn failed after %s attempts (conversation %s)", record.attempts, conversation.pk)
        record.error = f"{exc.__class__.__name__}: {exc}"[:2000]
        return turn_commit_failure(record)


def _answer(conversation: Conversation, record: TurnRecord):
    try:
        record.session = session_load(conversation_id=conversation.pk)
    except (SessionInvalid, UnknownSchemaVersion):
        # Only the stored document is set aside (turn_commit_failure); an agent's bad patch must not wipe it.
        record.extra["session_unreadable"] = True
        raise
    # Read on every attempt: a retry after OrderChanged must decide on the order as it is now.
    record.order = purchase_order_active_for_contact(contact_id=conversation.contact_id)
    decision = route(record.turn_input.text, order_state=record.order.state if record.order else None,
                     history=_history(record.session))
    record.decision = _answer_to_pending_question(record.session, record.turn_input.text, decision)
    news = record.decision.intent == "order_status" and _follow_latest_order(conversation.contact_id)
    agent = LANE_AGENTS[record.decision.lane]
    record.agent = agent.name
    contact = conversation.contact
    agent_turn = AgentTurn(conversation.pk, record.turn_input.text, record.turn_input.message_ids, record.decision,
                           contact_name=contact.name, contact_phone=contact.phone_e164, contact_id=contact.pk,
                           order=record.order, order_news=news)
    record.result = agent.handle(agent_turn, record.session)
    return turn_commit(record)


def _follow_latest_order(contact_id: int) -> bool:
    """Before answering "¿cómo va mi pedido?", follow the order in Odoo (as the watcher does, forward only).
    True when it moved there: that news is the order's notices, and the answer leaves it to them. An Odoo that
    does not answer leaves what we know."""
    order = purchase_order_latest_for_contact(contact_id=contact_id)
    if order is None or not order.odoo_id or order.state in (OrderState.CANCELLED, OrderState.RECEIVED):
        return False
    return purchase_order_refresh_from_odoo(order_id=order.pk).state != order.state


def _answer_to_pending_question(session: SessionState, text: str, decision: RoutingDecision) -> RoutingDecision:
    """A tap on one of our own buttons (its title, or its number) goes back to the lane that asked.

    Chatwoot delivers a button tap as plain text with the title only, and a product title such as "Harina integral"
    can read to the router like a catalog question or nothing at all; the open question is the better context.
    """
    pending = session.document["slots"].get("pending_question") or {}
    lane = _pending_lane(pending)
    if lane is None or lane == decision.lane or match_option(text, pending.get("options") or []) is None:
        return decision
    intent = pending.get("intent") if INTENT_LANE.get(pending.get("intent")) == lane else LANE_INTENTS[lane][0]
    decision.details["overridden"] = {"lane": decision.lane, "intent": decision.intent, "why": "pending_question"}
    decision.lane, decision.intent, decision.confidence = lane, intent, 1.0
    return decision


def _pending_lane(pending: dict) -> str | None:
    if pending.get("lane") in LANE_INTENTS:
        return pending["lane"]
    return "purchase" if str(pending.get("kind", "")).startswith("purchase") else None


def _history(session: SessionState) -> list[dict]:
    return [{"role": e["role"], "text": e["text"]} for e in session.document["dialogue"]]
