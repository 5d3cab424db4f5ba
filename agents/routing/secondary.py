"""A second request in one message: "hola, ¿a qué hora cierran? y anótame 10 kg de nueces" is an order (primary,
with its items) and a question (secondary).

Conservative by design: the message is cut into clauses (`clauses.split_clauses`), each clause is read on its own,
and a secondary request exists only when two clauses are each clearly requests of different kinds. Clearly means
two signals agree: the clause's reading is confident (`CLEAR`), or fairly confident (`LIKELY`) with a cue of the
same intent in the clause; and the clause has the shape of its kind (an order clause names what to order, a
question is asked as one, a complaint or a call for a person has a cue of its own, thanks thank for something).

Which request leads: the one that changes an order, then asking for a person (the action a complaint calls for),
then the complaint, then a question about the contact's own order, then the general questions (the whole
message's reading first among those: it saw all the context).
Thanks never lead. An order and a change to it are one purchase request, and so is a stock question asked before
the order it conditions ("¿tienen almendras? mándame 5 kg"); a catalog question after the order lines is a question
of its own. Greetings and chatter are never secondary.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from agents.routing.catalog import Catalog
from agents.routing.clauses import Clause, request_text, split_clauses
from agents.routing.cues import bare_agreement
from agents.routing.decision import INTENT_LANE, RoutingDecision, SecondaryRequest
from agents.routing.intents import score_patterns

CLEAR = 0.8
LIKELY = 0.6  # enough when the clause's own cues name the same intent
LINE_INTENTS = ("order_create", "order_modify")
QUESTIONS = frozenset({"faq", "catalog_query", "order_status"})
GENERAL_QUESTIONS = frozenset({"faq", "catalog_query"})  # about the business or its products, not about an order
NOT_REQUESTS = frozenset({"greeting", "other"})
NEEDS_CUE = frozenset({"complaint", "human_handoff", "thanks"})
_ORDER_FAMILY = frozenset({"order_create", "order_modify"})
# Which request leads when there are two: the one that changes an order, then support, then questions.
PRIORITY = (
    "order_cancel", "order_confirm", "order_modify", "order_create", "human_handoff", "complaint", "order_status",
    "catalog_query", "faq", "thanks",
)
_THANKS_FOR = re.compile(r"\b(?:gracias|thanks|thank you|cheers|agradec\w*) (?:\w+ )?(?:por|for)\b \w+")


@dataclass
class _Clause:
    text: str
    intent: str
    p: float
    position: int


def family(intent: str) -> frozenset[str]:
    return _ORDER_FAMILY if intent in _ORDER_FAMILY else frozenset({intent})


def _has_cue(text: str, intent: str) -> bool:
    return any(cue.startswith(f"{intent}:") for cue in score_patterns(text).matched)


def _shaped_like(clause: Clause, intent: str, whole: str, items, catalog: Catalog) -> bool:
    """The clause has the form of its kind, beyond the model's reading of it."""
    if intent in LINE_INTENTS:
        # "lo necesito hoy" after a question orders nothing; "faltan 5 kg de nuez" in a complaint is its detail,
        # not an order, unless it says so ("mándenme") or the whole message reads as one
        ordering = whole in LINE_INTENTS or any(_has_cue(clause.text, kind) for kind in LINE_INTENTS)
        return ordering and bool(items(clause.text, intent, catalog))
    if intent in QUESTIONS:
        return clause.question  # "Facturar a Comercial X" under an order is an instruction for it, not a question
    if intent == "thanks":
        # "gracias por la reposición", "llegó todo bien, gracias"; never a bare sign-off "gracias"
        return bool(_THANKS_FOR.search(clause.text)) or len(clause.text.split()) >= 4
    if intent in NEEDS_CUE:
        return _has_cue(clause.text, intent)  # "me dijeron que llegaba hoy" is context, not a complaint
    return True


def _conceded(clauses: list[Clause], position: int) -> bool:
    """"de acuerdo, pero agrega 2 kilos": a yes that the next clause takes back with "pero" is not a request."""
    following = clauses[position + 1].text if position + 1 < len(clauses) else ""
    return following.startswith("pero ") and bare_agreement(clauses[position].text)


def _clear_requests(clauses: list[Clause], whole: str, read, items, catalog: Catalog) -> list[_Clause]:
    found = []
    for position, clause in enumerate(clauses):
        if len(clause.text.split()) < 2 or _conceded(clauses, position):
            continue
        intent, p = read(clause.text)
        if intent in NOT_REQUESTS or p < LIKELY or (p < CLEAR and not _has_cue(clause.text, intent)):
            continue
        if _shaped_like(clause, intent, whole, items, catalog):
            found.append(_Clause(clause.text, intent, p, position))
    return found


def _told_across_clauses(decision: RoutingDecision, text: str, found: list[_Clause]) -> list[_Clause]:
    """A complaint is often told over several clauses none of which is clear alone ("me cobraron el despacho dos
    veces, ¿me pueden devolver la plata? y pásenme con un supervisor"): when the whole message confidently reads as
    one, with a cue for it, it is a request of its own beside the clear clauses."""
    whole, said = decision.intent, request_text(text)
    if whole != "complaint" or decision.confidence < CLEAR or not _has_cue(said, whole):
        return []
    if not found or any(clause.intent == whole for clause in found):
        return []
    return [_Clause(said, whole, decision.confidence, -1)]


def _groups(found: list[_Clause]) -> list[list[_Clause]]:
    """Clauses by kind of request; a stock question before the order lines belongs to the order."""
    first_line = min((c.position for c in found if c.intent in _ORDER_FAMILY), default=None)
    groups: dict[frozenset, list[_Clause]] = {}
    for clause in found:
        kind = family(clause.intent)
        if clause.intent == "catalog_query" and first_line is not None and clause.position < first_line:
            kind = _ORDER_FAMILY
        groups.setdefault(kind, []).append(clause)
    return list(groups.values())


def _lead_intent(group: list[_Clause], whole: str) -> str:
    """The whole message's intent when it belongs to this group (it saw more context), else the clearest clause's."""
    if any(whole in family(clause.intent) for clause in group):
        return whole
    ordered = [clause for clause in group if clause.intent in _ORDER_FAMILY] or group
    return max(ordered, key=lambda clause: clause.p).intent


def _leader_key(whole: str):
    """Sort key for the requests: the one that changes an order first, then asking for a person, the complaint,
    a question about their order, the general questions (the whole message's reading first among those: it saw all
    the context); thanks last."""

    def key(intent: str) -> tuple:
        rank = PRIORITY.index(intent)
        if intent in GENERAL_QUESTIONS and intent == whole:
            rank = PRIORITY.index("catalog_query") - 0.5
        return (intent == "thanks", rank)

    return key


def secondary_requests(
    decision: RoutingDecision,
    text: str,
    *,
    order_state: str | None,
    catalog: Catalog,
    read: Callable[[str], tuple[str, float]],
    items: Callable[[str, str, Catalog], list],
) -> None:
    """Set `decision.secondary` (and re-pick the primary) when the message holds two requests.
    `read(clause)` gives a clause's best (intent, p) in the same order state; `items(text, intent, catalog)`."""
    found = _clear_requests(split_clauses(text), decision.intent, read, items, catalog)
    found += _told_across_clauses(decision, text, found)
    groups = _groups(found)
    if len(groups) < 2:
        return
    leads = [(_lead_intent(group, decision.intent), group) for group in groups]
    key = _leader_key(decision.intent)
    leads.sort(key=lambda pair: key(pair[0]))
    (intent, group), rest = leads[0], leads[1:]
    if intent != decision.intent:
        decision.details["whole_message"] = {"intent": decision.intent, "p": decision.confidence}
        decision.lane, decision.intent = INTENT_LANE[intent], intent
        decision.confidence = round(min(clause.p for clause in group), 3)
    decision.items = items(" , ".join(clause.text for clause in group), intent, catalog)
    said_order = sorted(rest, key=lambda pair: min(clause.position for clause in pair[1]))
    decision.secondary = [_secondary(lead, group, catalog, items) for lead, group in said_order]
    decision.details["clauses"] = [{"text": c.text, "intent": c.intent, "p": round(c.p, 3)} for _, g in leads for c in g]


def _secondary(intent: str, group: list[_Clause], catalog: Catalog, items) -> SecondaryRequest:
    said = " , ".join(clause.text for clause in group)
    return SecondaryRequest(
        lane=INTENT_LANE[intent],
        intent=intent,
        items=items(said, intent, catalog),
        confidence=round(min(clause.p for clause in group), 3),
        text=said,
    )
