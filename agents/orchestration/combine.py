"""Several requests in one message ("¿a qué hora cierran? y anótame 10 kg de nueces"): each is decided by its
lane's agent, and the turn carries all of them, with one reply that answers each."""

from __future__ import annotations

from agents.lanes.base import AgentResult, Reply
from agents.routing.decision import RoutingDecision


def secondary_readings(decision: RoutingDecision) -> list[tuple[RoutingDecision, str]]:
    """The router's further requests as decisions of their own, each with the clause it was read from."""
    return [(RoutingDecision(extra.lane, extra.intent, extra.confidence or decision.confidence, list(extra.items),
                             decision.source, decision.language, {"secondary_of": decision.intent}),
             extra.text or "") for extra in decision.secondary if extra.intent != decision.intent]


def combined(results: list[AgentResult]) -> AgentResult:
    """One result: the replies' texts joined into one message (the buttons of the last one that offers some), the
    patches merged in order, the first order change and the first handoff."""
    if len(results) == 1:
        return results[0]
    texts = [r.content for result in results for r in result.replies if r.content.strip()]
    options = next((r.options for result in reversed(results) for r in reversed(result.replies) if r.options), [])
    patch: dict = {}
    for result in results:
        patch = _merge(patch, result.patch)
    return AgentResult(
        replies=[Reply("\n\n".join(dict.fromkeys(texts)), list(options))] if texts else [],
        patch=patch,
        handoff=next((r.handoff for r in results if r.handoff), None),
        order=next((r.order for r in results if r.order), None),
        notify_order_id=next((r.notify_order_id for r in results if r.notify_order_id), None),
    )


def _merge(patch: dict, more: dict) -> dict:
    """Later patches win on the same key; objects (slots) merge key by key, as applying one after the other would."""
    merged = dict(patch)
    for key, value in more.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = {**merged[key], **value}
        else:
            merged[key] = value
    return merged
