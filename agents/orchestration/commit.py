"""Writing a turn's decision: one transaction records the Turn, marks its messages answered, queues the replies,
patches the session, applies the order change (its Odoo commands become rows) and the handoff. Everything slow
(routing, the LLM) happened before; the effects (sends, Odoo commands, the order's notices) run after commit,
from rows. A turn computed again after a failed commit starts from a clean slate: nothing of it was written."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone

from agents.lanes.base import AgentResult, Handoff, Reply
from agents.models import Session, Turn, TurnSource
from agents.orchestration.work import messages_claim
from agents.routing.decision import RoutingDecision
from agents.session import SessionState, session_patch
from agents.turns import TurnInput
from conversations.handoff import conversation_hand_over, conversation_human_has_it
from conversations.models import HandoffReason, Message
from conversations.outbound import reply_queue
from orders.models import PurchaseOrder
from orders.services import AppliedChange, order_change_apply

APOLOGY = (
    "Disculpa, tuvimos un problema técnico y no pudimos responderte. Ya avisamos a una persona de nuestro equipo, "
    "que te responderá por este mismo chat."
)


class TurnTaken(Exception):
    """Another run answered these messages first (redelivered task, expired lock): nothing to do."""


@dataclass
class TurnRecord:
    conversation_id: int
    messages: list[Message]
    turn_input: TurnInput
    started: datetime
    contact_id: int = 0
    order: PurchaseOrder | None = None  # the contact's active order when the turn was decided
    applied: AppliedChange | None = None  # what the commit did to the order (its commands run after commit)
    sent: list[Message] = field(default_factory=list)  # the replies it queued, posted by the turn's task
    session: SessionState | None = None
    decision: RoutingDecision | None = None
    agent: str = ""
    result: AgentResult | None = None
    error: str = ""
    attempts: int = 1
    extra: dict = field(default_factory=dict)

    @property
    def newest_message_at(self) -> datetime:
        return self.messages[-1].created_at


def turn_commit(record: TurnRecord) -> Turn:
    """Record an answered turn and everything it causes, atomically. Raises TurnTaken when beaten to it and
    Superseded when newer messages of the contact landed meanwhile (nothing is written then)."""
    try:
        with transaction.atomic():
            if conversation_human_has_it(conversation_id=record.conversation_id):
                _silence(record)
            _claim(record)
            result = record.result
            record.sent = _queue_replies(record, result.replies)
            turn = _create_turn(record, record.sent, result.handoff)
            if result.order is not None:
                record.applied = order_change_apply(change=result.order, contact_id=record.contact_id,
                                                    conversation_id=record.conversation_id, turn_id=turn.pk)
            session_patch(conversation_id=record.conversation_id, patch=_session_patch(record))
            if result.handoff is not None:
                _handoff(record, turn, result.handoff)
    except IntegrityError as exc:  # the unique Turn.message: a concurrent run recorded this turn
        _forget_effects(record)
        raise TurnTaken(str(exc)) from exc
    except Exception:
        _forget_effects(record)  # rolled back with the rest: nothing of it is to run
        raise
    return turn


def turn_commit_failure(record: TurnRecord) -> Turn:
    """The last attempt failed: apologise in Spanish and hand the conversation to a human. Never silence."""
    handoff = Handoff(HandoffReason.FAILURE, f"🤖 El bot no pudo responder tras {_attempts(record.attempts)}: "
                                             f"{record.error[:300]}\nMensaje del cliente: «{record.turn_input.text[:500]}»")
    try:
        with transaction.atomic():
            if conversation_human_has_it(conversation_id=record.conversation_id):
                handoff = None  # staff have it: they answer, no apology needed
            _claim(record)
            record.sent = _queue_replies(record, [] if handoff is None else [Reply(APOLOGY)])
            turn = _create_turn(record, record.sent, handoff)
            if handoff is not None:
                _handoff(record, turn, handoff)
            if record.extra.get("session_unreadable"):
                # Keep the unreadable document for inspection but let the next turn start a clean session.
                Session.objects.filter(conversation_id=record.conversation_id, is_active=True).update(
                    is_active=False, ended_at=timezone.now()
                )
    except IntegrityError as exc:
        _forget_effects(record)
        raise TurnTaken(str(exc)) from exc
    return turn


def _claim(record: TurnRecord) -> None:
    if not messages_claim(conversation_id=record.conversation_id, messages=record.messages, since=record.started):
        raise TurnTaken(f"messages {record.turn_input.message_ids} were answered meanwhile")


def _queue_replies(record: TurnRecord, replies: list[Reply]) -> list[Message]:
    """The turn's replies, born claimed: the turn's own task posts them right after the commit."""
    return [reply_queue(conversation_id=record.conversation_id, content=r.content, options=r.options or None,
                        send_now=True) for r in replies]


def _forget_effects(record: TurnRecord) -> None:
    record.applied, record.sent = None, []


def _attempts(count: int) -> str:
    return "1 intento" if count == 1 else f"{count} intentos"


def _silence(record: TurnRecord) -> None:
    """Staff took the conversation while the bot was thinking: keep the turn (and the agent's state patch) on
    record, but send nothing, hand nothing over and leave the order alone (staff speak for the business now)."""
    record.extra["silenced"] = "human_mode"
    if record.result.order is not None:
        record.extra["order_change_dropped"] = record.result.order.action
    record.result = AgentResult(replies=[], patch=record.result.patch)


def _create_turn(record: TurnRecord, replies: list[Message], handoff: Handoff | None) -> Turn:
    decision = record.decision
    return Turn.objects.create(
        conversation_id=record.conversation_id,
        session_id=record.session.id if record.session else None,
        message=record.messages[-1],
        message_ids=record.turn_input.message_ids,
        text=record.turn_input.text,
        lane=decision.lane if decision else "",
        intent=decision.intent if decision else "",
        confidence=float(decision.confidence) if decision else 0.0,
        source=decision.source if decision else TurnSource.NONE,
        language=decision.language if decision else "es",
        agent=record.agent,
        reply="\n\n".join(r.content for r in replies),
        reply_message_ids=[r.pk for r in replies],
        handoff_reason=handoff.reason if handoff else "",
        latency_ms=latency_ms(record),
        attempts=record.attempts,
        error=record.error,
        decision=_decision_json(record),
    )


def _decision_json(record: TurnRecord) -> dict:
    data = record.decision.as_dict() if record.decision else {}
    data["kinds"] = record.turn_input.kinds
    data.update(record.extra)
    return data


def latency_ms(record: TurnRecord) -> int:
    return max(0, int((timezone.now() - record.newest_message_at).total_seconds() * 1000))


def _session_patch(record: TurnRecord) -> dict:
    """The agent's patch plus what every turn records: language, last lane/intent, dialogue, turn count."""
    decision, result, now = record.decision, record.result, timezone.now().isoformat()
    patch = dict(result.patch)
    patch.update(language=decision.language if decision.language in ("es", "en") else "es",
                 last={"lane": decision.lane, "intent": decision.intent})
    entries = [{"role": "user", "text": record.turn_input.text[:2000], "at": now}]
    entries += [{"role": "assistant", "text": r.content[:2000], "at": now} for r in result.replies]
    patch["$append"] = {"dialogue": entries}
    patch["$inc"] = {"counters.turns": 1}
    return patch


def _handoff(record: TurnRecord, turn: Turn, handoff: Handoff) -> None:
    conversation_hand_over(conversation_id=record.conversation_id, reason=handoff.reason, actor="bot",
                           summary=handoff.summary, contact_text=record.turn_input.text, turn_id=turn.pk)
