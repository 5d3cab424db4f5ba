"""A second request in one message: "hola, ¿a qué hora cierran? y anótame 10 kg de nueces" is an order (primary,
with its items) and a question (secondary).

Conservative by design: the message is cut into clauses (`clauses.split_clauses`), each clause is read on its own,
and a secondary request exists only when two clauses are each clearly (probability >= `CLEAR`) requests of
different kinds (an order clause must name what to order, a question must be asked as one). The whole message's reading stays the primary when it
is one of them, unless it is a question beside an order change; otherwise the request that changes an order leads
(`PRIORITY`). Kinds that one lane answers together fold into one: an order, a change to it and a stock question
about the same products ("¿tienen almendras? mándame 5 kg") are one purchase request; a complaint and asking for
a person are one support request. Greetings, thanks and chatter are never secondary.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from agents.routing.catalog import Catalog
from agents.routing.clauses import Clause, split_clauses
from agents.routing.decision import INTENT_LANE, RoutingDecision, SecondaryRequest

CLEAR = 0.8
LINE_INTENTS = ("order_create", "order_modify")
QUESTIONS = frozenset({"faq", "catalog_query", "order_status"})
NOT_REQUESTS = frozenset({"greeting", "thanks", "other"})
_FAMILIES = (
    frozenset({"order_create", "order_modify", "catalog_query"}),
    frozenset({"complaint", "human_handoff"}),
)
# Which request leads when there are two: the one that changes an order, then support, then questions.
PRIORITY = (
    "order_cancel", "order_confirm", "order_modify", "order_create", "complaint", "human_handoff", "order_status",
    "catalog_query", "faq",
)


@dataclass
class _Clause:
    text: str
    intent: str
    p: float


def family(intent: str) -> frozenset[str]:
    return next((group for group in _FAMILIES if intent in group), frozenset({intent}))


def _clear_requests(clauses: list[Clause], read, items, catalog: Catalog) -> list[_Clause]:
    """Clauses that are clearly a request; an order clause only when it names what to order ("lo necesito hoy"
    after a status question is not a second order), a question only when it is asked as one."""
    found = []
    for clause in clauses:
        if len(clause.text.split()) < 2:
            continue
        intent, p = read(clause.text)
        if intent in NOT_REQUESTS or p < CLEAR:
            continue
        if intent in LINE_INTENTS and not items(clause.text, intent, catalog):
            continue
        if intent in QUESTIONS and not clause.question:
            continue  # "Facturar a Comercial X" under an order is an instruction for it, not a second question
        found.append(_Clause(clause.text, intent, p))
    return found


def _by_family(found: list[_Clause], primary: str) -> dict[frozenset, list[_Clause]]:
    groups: dict[frozenset, list[_Clause]] = {}
    for clause in found:
        groups.setdefault(family(clause.intent), []).append(clause)
    if primary in NOT_REQUESTS or family(primary) not in groups:
        return groups if len(groups) > 1 else {}
    return groups


def _lead_intent(group: list[_Clause], primary: str) -> str:
    """The whole message's intent when it belongs to this group (it saw more context), else the clearest clause's."""
    if primary in family(group[0].intent):
        return primary
    return max(group, key=lambda clause: clause.p).intent


def secondary_requests(
    decision: RoutingDecision,
    text: str,
    *,
    order_state: str | None,
    catalog: Catalog,
    read: Callable[[str], tuple[str, float]],
    items: Callable[[str, str, Catalog], list],
) -> None:
    """Set `decision.secondary` (and re-pick the primary by PRIORITY) when the message holds two requests.
    `read(clause)` gives a clause's best (intent, p) in the same order state; `items(text, intent, catalog)`."""
    groups = _by_family(_clear_requests(split_clauses(text), read, items, catalog), decision.intent)
    if len(groups) < 2:
        return
    leads = [(_lead_intent(group, decision.intent), group) for group in groups.values()]
    # The whole message's reading leads when it is one of the requests (it saw all the context), unless it is a
    # question beside an order change: then the change leads and the question is answered with it.
    whole_leads = decision.intent not in QUESTIONS
    leads.sort(key=lambda pair: (whole_leads and pair[0] != decision.intent, PRIORITY.index(pair[0])))
    (intent, group), rest = leads[0], leads[1:]
    if intent != decision.intent:
        decision.details["whole_message"] = {"intent": decision.intent, "p": decision.confidence}
        decision.lane, decision.intent = INTENT_LANE[intent], intent
        decision.confidence = round(min(clause.p for clause in group), 3)
    decision.items = items(" , ".join(clause.text for clause in group), intent, catalog)
    said_order = sorted(rest, key=lambda pair: min(text.find(c.text) for c in pair[1]))
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
