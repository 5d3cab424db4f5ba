"""A tap on one of our own buttons (its title, or its number) goes back to the lane that asked.

Chatwoot delivers a button tap as plain text with the title only, and a product title such as "Harina integral"
can read to the router like a catalog question or nothing at all; the open question is the better context.
"""

from __future__ import annotations

from agents.lanes.options import match_option
from agents.routing.decision import INTENT_LANE, LANE_INTENTS, RoutingDecision
from agents.session import SessionState


def answer_to_pending_question(session: SessionState, text: str, decision: RoutingDecision) -> RoutingDecision:
    pending = session.document["slots"].get("pending_question") or {}
    lane = _pending_lane(pending)
    if lane is None or match_option(text, pending.get("options") or []) is None:
        return decision
    if lane == decision.lane:  # the lane that asked reads the answer itself; nothing to ask back
        decision.details["answers_pending_question"] = True
        return decision
    intent = pending.get("intent") if INTENT_LANE.get(pending.get("intent")) == lane else LANE_INTENTS[lane][0]
    decision.details["overridden"] = {"lane": decision.lane, "intent": decision.intent, "why": "pending_question"}
    decision.lane, decision.intent, decision.confidence = lane, intent, 1.0
    decision.secondary = []
    return decision


def _pending_lane(pending: dict) -> str | None:
    if pending.get("kind") == "clarify":
        return None  # answered by agents.orchestration.clarify
    if pending.get("lane") in LANE_INTENTS:
        return pending["lane"]
    return "purchase" if str(pending.get("kind", "")).startswith("purchase") else None
