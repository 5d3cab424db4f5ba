"""Deciding a turn: load the session, route the text, let the lane agent(s) decide, then commit once.

A decision is data (replies, session patch, order change, handoff); nothing here writes a row or calls Odoo or
Chatwoot, except following the contact's order in Odoo before answering a status question (a read, applied like
the watcher does). So a turn whose commit fails is simply decided again, and the last failure becomes an apology
and a human. Before any of that, the turn's voice notes and list photos are understood once (`agents.media`:
a download and an OpenAI call each, outside any transaction; what was understood is stored on the message).
"""

from __future__ import annotations

import logging

from django.conf import settings
from tenacity import Retrying, retry_if_not_exception_type, stop_after_attempt, wait_exponential

from agents.lanes import LANE_AGENTS, AgentTurn
from agents.lanes.base import AgentResult
from agents.media import media_turn, turn_media_read
from agents.orchestration.clarify import clarification, clarified
from agents.orchestration.combine import combined, secondary_readings
from agents.orchestration.commit import TurnRecord, TurnTaken, turn_commit, turn_commit_failure
from agents.orchestration.pending import answer_to_pending_question
from agents.orchestration.work import Superseded
from agents.routing import Catalog, route
from agents.session import SessionInvalid, SessionState, UnknownSchemaVersion, session_load
from conversations.models import Conversation
from core.memo import recent
from orders.models import OrderState
from orders.selectors import purchase_order_active_for_contact, purchase_order_latest_for_contact
from orders.services import purchase_order_refresh_from_odoo

logger = logging.getLogger(__name__)
ORDER_LANE = "purchase"


def turn_answer(conversation: Conversation, record: TurnRecord):
    """Decide and commit, retrying with backoff; None when newer messages superseded the turn."""
    retrying = Retrying(
        stop=stop_after_attempt(settings.AGENT_TURN_ATTEMPTS),
        wait=wait_exponential(multiplier=settings.AGENT_TURN_BACKOFF, max=5),
        # A stored session that cannot be read will not read better on a second try.
        retry=retry_if_not_exception_type((TurnTaken, Superseded, SessionInvalid, UnknownSchemaVersion)),
        reraise=True,
    )
    turn_media_read(record)  # voice notes and list photos: slow I/O, once per turn, before any transaction
    try:
        for attempt in retrying:
            with attempt:
                record.attempts = attempt.retry_state.attempt_number
                return turn_commit(_decide(conversation, record))
    except Superseded:
        return None
    except TurnTaken:
        raise
    except Exception as exc:  # noqa: BLE001 - whatever broke, the contact gets an apology and a human
        logger.exception("turn failed after %s attempts (conversation %s)", record.attempts, conversation.pk)
        record.error = f"{exc.__class__.__name__}: {exc}"[:2000]
        return turn_commit_failure(record)


def _decide(conversation: Conversation, record: TurnRecord) -> TurnRecord:
    try:
        record.session = session_load(conversation_id=conversation.pk)
    except (SessionInvalid, UnknownSchemaVersion):
        # Only the stored document is set aside (turn_commit_failure); an agent's bad patch must not wipe it.
        record.extra["session_unreadable"] = True
        raise
    text = record.turn_input.text
    media = media_turn(record.turn_input, record.session)
    decision = media.decision or route(text, order_state=_order_state(record.session),
                                       history=_history(record.session),
                                       catalog=recent("agents:catalog", Catalog.from_db))
    decision = answer_to_pending_question(record.session, text, decision)
    decision, text = clarified(record.session, text, decision)
    record.decision = decision
    asked = media.answer(decision)
    if asked is not None:
        record.agent, record.result = "media", asked
        return record
    asked = clarification(text, decision)
    if asked is not None:
        record.agent, record.result = "clarify", asked
        return record
    record.result = media.noted(_handle_all(conversation, record, text), decision)
    return record


def _handle_all(conversation: Conversation, record: TurnRecord, text: str) -> AgentResult:
    """The primary reading, then each clearly separate second request, each by its lane's agent; their answers
    are composed into one reply. Only one of them may change the order (the primary wins)."""
    readings = [(record.decision, text), *secondary_readings(record.decision)]
    decisions = [d for d, _ in readings]
    if any(d.lane == ORDER_LANE for d in decisions):
        # Read on every attempt: a retry after OrderChanged must decide on the order as it is now.
        record.order = purchase_order_active_for_contact(contact_id=conversation.contact_id)
    news = any(d.intent == "order_status" for d in decisions) and _follow_latest_order(conversation.contact_id)
    results = []
    for decision, said in readings:
        agent = LANE_AGENTS[decision.lane]
        turn = AgentTurn(conversation.pk, said, record.turn_input.message_ids, decision,
                         contact_name=conversation.contact.name, contact_phone=conversation.contact.phone_e164,
                         contact_id=conversation.contact_id, order=record.order, order_news=news)
        results.append(agent.handle(turn, record.session))
    record.agent = "+".join(dict.fromkeys(LANE_AGENTS[d.lane].name for d in decisions))
    return combined(results)


def _order_state(session: SessionState) -> str | None:
    """What the router needs to read "sí": the order's state as the session last saw it (turns and the order's
    notices keep it current; the purchase agent reads the order itself before acting)."""
    order = session.document["slots"].get("order") or {}
    return order.get("state")


def _follow_latest_order(contact_id: int) -> bool:
    """Before answering "¿cómo va mi pedido?", follow the order in Odoo (as the watcher does, forward only).
    True when it moved there: that news is the order's notices, and the answer leaves it to them. An Odoo that
    does not answer leaves what we know."""
    order = purchase_order_latest_for_contact(contact_id=contact_id)
    if order is None or not order.odoo_id or order.state in (OrderState.CANCELLED, OrderState.RECEIVED):
        return False
    return purchase_order_refresh_from_odoo(order_id=order.pk).state != order.state


def _history(session: SessionState) -> list[dict]:
    return [{"role": e["role"], "text": e["text"]} for e in session.document["dialogue"]]
