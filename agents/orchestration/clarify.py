"""Asking instead of guessing: when the router is unsure between two readings that would lead to different
actions (an order, a cancellation, a complaint...), the turn asks a short question with the two readings as
buttons, and the contact's answer decides how their original message is handled.

Below ROUTER_CLARIFY_BELOW the router's confidence says it is likely wrong (its probabilities are calibrated);
between two merely informational readings the top one is answered, since a wrong guess there costs nothing.
"""

from __future__ import annotations

from django.conf import settings

from agents.lanes.base import AgentResult, Reply, say
from agents.lanes.options import match_option
from agents.routing import route
from agents.routing.decision import INTENT_LANE, RoutingDecision
from agents.session import SessionState

TITLES = {
    "order_create": {"es": "Hacer un pedido", "en": "Place an order"},
    "order_modify": {"es": "Cambiar mi pedido", "en": "Change my order"},
    "order_confirm": {"es": "Confirmar pedido", "en": "Confirm my order"},
    "order_cancel": {"es": "Cancelar pedido", "en": "Cancel my order"},
    "order_status": {"es": "Estado de mi pedido", "en": "My order's status"},
    "catalog_query": {"es": "Precios y productos", "en": "Prices and products"},
    "faq": {"es": "Información", "en": "Information"},
    "complaint": {"es": "Hacer un reclamo", "en": "Make a complaint"},
    "human_handoff": {"es": "Hablar con alguien", "en": "Talk to a person"},
}
# Readings whose wrong guess does something the contact did not ask for.
CONSEQUENTIAL = {"order_create", "order_modify", "order_confirm", "order_cancel", "complaint", "human_handoff"}
QUESTION = {"es": "Para ayudarte bien: ¿qué quieres hacer?", "en": "To help you properly: what would you like to do?"}


def clarification(text: str, decision: RoutingDecision) -> AgentResult | None:
    """The question to ask, or None when the decision is sure enough (or was itself an answer of the contact)."""
    details = decision.details
    if details.get("overridden") or details.get("answers_pending_question") or details.get("clarified"):
        return None
    if decision.secondary:
        return None
    if decision.confidence >= settings.ROUTER_CLARIFY_BELOW:
        return None
    other = _runner_up(decision)
    if other is None or not ({decision.intent, other} & CONSEQUENTIAL):
        return None
    language = decision.language if decision.language in ("es", "en") else "es"
    options = [{"title": say(language, TITLES[i]), "value": i} for i in (decision.intent, other)]
    prompt = say(language, QUESTION)
    pending = {"kind": "clarify", "text": prompt, "options": options, "said": text[:2000]}
    decision.details["clarifying"] = [decision.intent, other]
    return AgentResult([Reply(prompt, options)], {"slots": {"pending_question": pending}})


def _runner_up(decision: RoutingDecision) -> str | None:
    for reading in decision.details.get("readings") or []:
        intent = reading.get("intent")
        if intent != decision.intent and intent in TITLES:
            return intent if decision.intent in TITLES else None
    return None


def clarified(session: SessionState, text: str, decision: RoutingDecision) -> tuple[RoutingDecision, str]:
    """When this message answers our clarification, the original message is routed again and handled as the
    reading the contact chose. Otherwise the decision (and text) stand."""
    pending = session.document["slots"].get("pending_question") or {}
    if pending.get("kind") != "clarify" or not pending.get("said"):
        return decision, text
    chosen = match_option(text, pending.get("options") or [])
    if chosen not in INTENT_LANE:
        return decision, text
    said = pending["said"]
    again = route(said, order_state=(session.document["slots"].get("order") or {}).get("state"))
    again.lane, again.intent, again.confidence = INTENT_LANE[chosen], chosen, 1.0
    again.details["clarified"] = {"answer": text[:200]}
    again.secondary = []
    return again, said
