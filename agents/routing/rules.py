"""The offline router (Chilean Spanish and English): used without an API key and as the LLM's fallback.

Two readers vote: the trained intent model (`model.py`: character and word n-grams, order state, rule cues) and the
weighted cue rules (`cues.py`). Their probabilities are mixed, intents impossible in the order state are removed
(`states.py`), and the best reading wins; the model's probability for it is the confidence. The top readings go to
`details["readings"]` so the agent can ask "¿quieres decir A o B?" below `ROUTER_CLARIFY_BELOW`.
A message carrying a second request gets it in `secondary` (see `secondary.py`).
"""

from __future__ import annotations

import math

from agents.routing.catalog import Catalog
from agents.routing.clauses import is_question, request_lines
from agents.routing.contrast import contrast_focus
from agents.routing.cues import RuleScores, asks_about_its_arrival, bare_agreement, rule_scores
from agents.routing.decision import INTENT_LANE, RoutingDecision
from agents.routing.intents import score_patterns
from agents.routing.items import extract_items
from agents.routing.model import Reading, intent_model
from agents.routing.normalize import detect_language
from agents.routing.quantities import find_mentions
from agents.routing.secondary import secondary_requests
from agents.routing.states import possible

ORDER_LINE_INTENTS = ("order_create", "order_modify")
RULE_WEIGHT = 0.3  # share of the rules in the mixed probability when at least one cue fired
READINGS_SHOWN = 3


def _rule_distribution(rules: RuleScores, order_state: str | None) -> dict[str, float]:
    """Rule scores as probabilities (softmax over the positive scores of the possible intents)."""
    scored = [(intent, score) for intent, score in rules.ranked if possible(intent, order_state)]
    if not scored:
        return {}
    top = scored[0][1]
    weights = {intent: math.exp(score - top) for intent, score in scored}
    total = sum(weights.values())
    return {intent: weight / total for intent, weight in weights.items()}


def readings_for(
    text: str, *, order_state: str | None, catalog: Catalog
) -> tuple[list[Reading], RuleScores, dict[str, float]]:
    """Every possible intent with its mixed probability, best first; the rule scores; and the model's own
    probability per intent, which is what the confidence reports (see `route_by_rules`)."""
    model_readings = intent_model().readings(text, order_state=order_state, catalog=catalog)
    rules = rule_scores(text, order_state=order_state, catalog=catalog)
    if order_state != "sent" and bare_agreement(rules.normalized):
        model_readings = _without(model_readings, "order_confirm")  # a bare "sí" confirms only a waiting quote
    if asks_about_its_arrival(rules.normalized, order_state):
        model_readings = _without(model_readings, "faq")  # "¿llega antes del sábado?" is about their order
    from_rules = _rule_distribution(rules, order_state)
    share = RULE_WEIGHT if from_rules else 0.0
    mixed = [Reading(r.intent, (1 - share) * r.p + share * from_rules.get(r.intent, 0.0)) for r in model_readings]
    return sorted(mixed, key=lambda r: -r.p), rules, {r.intent: r.p for r in model_readings}


ORDERING_CUES = frozenset({"order_create", "order_modify"})


def _asks_without_ordering(sentence: str) -> bool:
    """"¿siguen con el mismo precio de la almendra?" beside an order asks about the product, it orders nothing: a
    question with no quantity and no cue for ordering."""
    if not is_question(sentence) or any(not m.weak for m in find_mentions(sentence.split())):
        return False
    return not {cue.split(":", 1)[0] for cue in score_patterns(sentence).matched} & ORDERING_CUES


def _without(readings: list[Reading], intent: str) -> list[Reading]:
    kept = [r for r in readings if r.intent != intent]
    total = sum(r.p for r in kept) or 1.0
    return [Reading(r.intent, r.p / total) for r in kept]


def items_for(text: str, intent: str, catalog: Catalog) -> list:
    if intent not in ORDER_LINE_INTENTS:
        return []
    said = request_lines(text)
    ordering = [sentence for sentence in said if not _asks_without_ordering(sentence)] or said
    return extract_items(" ; ".join(ordering).split(), catalog, modify=intent == "order_modify")


def route_by_rules(text: str, *, order_state: str | None = None, catalog: Catalog | None = None) -> RoutingDecision:
    catalog = catalog if catalog is not None else Catalog([])
    text = contrast_focus(text)  # "no quiero cancelar, solo saber cuándo llega" asks when it arrives
    readings, rules, model_p = readings_for(text, order_state=order_state, catalog=catalog)
    best = readings[0]
    decision = RoutingDecision(
        lane=INTENT_LANE[best.intent],
        intent=best.intent,
        # The rules help choose, but their scores are sharp whether a cue fired rightly or not; the trained model's
        # own probability (it sees the cues as features, calibrated on templates it did not train on) says better
        # how likely the choice is right.
        confidence=round(model_p.get(best.intent, best.p), 3),
        items=items_for(text, best.intent, catalog),
        source="rules",
        language=detect_language(rules.normalized),
        details={
            "readings": [
                {"lane": INTENT_LANE[r.intent], "intent": r.intent, "p": round(r.p, 3)} for r in readings[:READINGS_SHOWN]
            ],
            "scores": dict(rules.ranked),
            "matched": rules.matched,
            "normalized": rules.normalized,
        },
    )

    def read(clause: str) -> tuple[str, float]:
        clause_readings, _, clause_model_p = readings_for(clause, order_state=order_state, catalog=catalog)
        top = clause_readings[0]
        return top.intent, clause_model_p.get(top.intent, top.p)

    secondary_requests(decision, text, order_state=order_state, catalog=catalog, read=read, items=items_for)
    _doubt_when_the_readers_disagree(decision, rules, order_state)
    return decision


# The cue rules point strongly at another intent than the one chosen: on our analysis sets such choices were right
# about three times in four, however sure the model was, so the confidence says so and the agent asks.
RULES_DISAGREE_AT = 3.0
DISAGREEMENT_CONFIDENCE = 0.75


def _doubt_when_the_readers_disagree(decision: RoutingDecision, rules: RuleScores, order_state: str | None) -> None:
    if decision.secondary:
        return  # two requests in one message: each reader seeing a different one is expected
    top = next(((intent, score) for intent, score in rules.ranked if possible(intent, order_state)), None)
    if top is not None and top[0] != decision.intent and top[1] >= RULES_DISAGREE_AT:
        decision.confidence = min(decision.confidence, DISAGREEMENT_CONFIDENCE)
